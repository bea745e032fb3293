/* Shared by the subcommands in src/cli/. Only the CLI prints and exits. */
#ifndef JCS_CLI_H
#define JCS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "jcstar/jcstar.h"

/* Exit codes (docs/jcstar.1.md). */
enum {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1, /* nonconform / findings with --fail-on */
	EXIT_USAGE = 2,    /* bad usage or bad input file */
	EXIT_RUNTIME = 3,  /* runtime error */
	EXIT_INCOMPLETE = 4, /* evidence written but incomplete: nothing to test (no host, no service,
			      * no recognised firmware), interrupted or out of budget */
};

#define CMD(name, summary) int cmd_##name(int argc, char **argv);
#include "cli/commands.def"
#undef CMD

/* Print "jcstar: message" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print err's message and map its code to an exit code (parse/schema errors → 2, else 3). */
int cli_fail(const struct jcs_err *err);
/* Where the human summary goes: stdout, or stderr when the machine output (-o) is "-" so
 * that stdout carries the machine output alone (`jcstar firmware img -o - | jq .`). */
FILE *cli_human(const char *output);
/* True when stderr is a terminal (progress lines go there only then). */
bool cli_stderr_is_tty(void);

#endif
