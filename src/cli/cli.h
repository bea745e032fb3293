/* Shared by the subcommands in src/cli/. Only the CLI prints and exits. */
#ifndef JCS_CLI_H
#define JCS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <libintl.h>

#include "jcstar/evidence.h"
#include "jcstar/jcstar.h"

/* Messages are translated through GNU gettext (po/, domain "jcstar"); N_() marks a string
 * translated where it is printed (option tables). xgettext keywords: scripts/update-po.sh. */
#define _(s) gettext(s)
#define N_(s) (s)

/* Exit codes (docs/jcstar.1.md). */
enum {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1, /* nonconform / findings with --fail-on */
	EXIT_USAGE = 2,    /* bad usage or bad input file */
	EXIT_RUNTIME = 3,  /* runtime error */
	EXIT_INCOMPLETE = 4, /* evidence written but incomplete: nothing to test (no host, no service,
			      * no recognised firmware), interrupted or out of budget */
	EXIT_UNCHECKED = 6, /* label verify: valid signature, but no fresh status statement */
};

#include "cli/opt.h"

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
/* An input file named on the command line: 0 when it can be opened as a regular file ("-" is
 * stdin), else EXIT_USAGE after saying why (missing, a directory, not readable). */
int cli_input_file(const char *path);

/* Locale: messages in the language of LC_ALL / LC_MESSAGES / LANG (ja or en). */
void cli_i18n_init(const char *argv0);
/* A finding's title for human output: its translation (po/) when there is one; otherwise, in
 * Japanese, the catalogue's Japanese name of the finding followed by the English title. JSON
 * output keeps the English title. */
const char *cli_title(const struct jcs_finding *f, char *buf, size_t len);
/* True when the messages are Japanese. */
bool cli_japanese(void);
/* A result name (pass, fail, ...) for human output. */
const char *cli_result(enum jcs_result r);

/* Progress on stderr, shown only when stderr is a terminal: "phase done/total ETA". */
struct cli_progress {
	bool on;
	char phase[48];
	double phase_start; /* monotonic seconds */
	double last;        /* last line drawn */
};
void cli_progress_init(struct cli_progress *p);
/* done of total (total 0: unknown) in phase; unit "", "MiB" for bytes (done/total in bytes) or
 * "s" for a time window (done/total in seconds: the time left is total - done). */
void cli_progress(struct cli_progress *p, const char *phase, long long done, long long total, const char *unit);
void cli_progress_end(struct cli_progress *p);

#endif
