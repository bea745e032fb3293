/* jcstar: dispatch to one subcommand (table from commands.def). */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
#define CMD(name, summary) {#name, cmd_##name, summary},
#include "cli/commands.def"
#undef CMD
};

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("jcstar: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_fail(const struct jcs_err *err)
{
	fprintf(stderr, "jcstar: %s\n", err->msg[0] ? err->msg : jcs_strerror(err->code));
	switch (err->code) {
	case JCS_EPARSE:
	case JCS_ESCHEMA:
	case JCS_EINVAL:
		return EXIT_USAGE;
	default:
		return EXIT_RUNTIME;
	}
}

FILE *cli_human(const char *output)
{
	return output && strcmp(output, "-") == 0 ? stderr : stdout;
}

bool cli_stderr_is_tty(void)
{
	return isatty(STDERR_FILENO);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: jcstar COMMAND [OPTIONS]\n\n"
		   "JC-STAR IoT security conformity assessment and labelling.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'jcstar COMMAND --help' describes a command; docs/jcstar.1.md has the details.\n"
		   "exit codes: 0 ok, 1 nonconform/findings (--fail-on), 2 usage or bad input, 3 runtime error,\n"
		   "            4 incomplete (nothing to test, interrupted, out of budget)\n");
}

int main(int argc, char **argv)
{
	/* a peer that closes its end (a hostile device, a client that went away) must give EPIPE
	 * from the write, not kill the process: OpenSSL and libssh write with plain write() */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("jcstar %s\n", jcs_version());
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	cli_error("unknown command '%s' (see jcstar --help)", argv[1]);
	return EXIT_USAGE;
}
