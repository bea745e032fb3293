/* jcstar: dispatch to one subcommand (table from commands.def). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

extern const struct cli_cmd cli_spec_catalog, cli_spec_assess, cli_spec_diff, cli_spec_probe, cli_spec_tls,
	cli_spec_firmware, cli_spec_serve, cli_spec_label_verify, cli_spec_label_render, cli_spec_label_keygen,
	cli_spec_label_pubkey, cli_spec_label_sign, cli_spec_label_revoke, cli_spec_label_log,
	cli_spec_label_consistency;

const struct cli_cmd *const cli_cmds[] = {
	&cli_spec_catalog, &cli_spec_assess, &cli_spec_diff, &cli_spec_probe, &cli_spec_tls, &cli_spec_firmware,
	&cli_spec_serve, &cli_spec_label_verify, &cli_spec_label_render, &cli_spec_label_keygen,
	&cli_spec_label_pubkey, &cli_spec_label_sign, &cli_spec_label_revoke, &cli_spec_label_log,
	&cli_spec_label_consistency, NULL,
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

int cli_input_file(const char *path)
{
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0)
		return 0;
	if (stat(path, &st) != 0) {
		cli_error(errno == ENOENT ? _("%s: no such file") : "%s: %s", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (S_ISDIR(st.st_mode)) {
		cli_error(_("%s: is a directory, not a file"), path);
		return EXIT_USAGE;
	}
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		cli_error("%s: %s", path, strerror(errno));
		return EXIT_USAGE;
	}
	close(fd);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "%s\n\n%s\n\n%s\n", _("usage: jcstar COMMAND [OPTIONS]"),
		_("JC-STAR IoT security conformity assessment and labelling."), _("commands:"));
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
	fprintf(f, "\n%s\n%s\n", _("'jcstar COMMAND --help' describes a command; docs/jcstar.1.md has the details."),
		_("exit status: 0 ok, 1 findings (--fail-on), 2 usage or bad input, 3 runtime error,\n"
		  "             4 incomplete (nothing to test, interrupted, out of budget), 6 status not checked"));
}

/* jcstar help [COMMAND] | jcstar help --man COMMAND (the man page's generated sections) |
 * jcstar help --list (every command with an option table, one a line) */
static int help(int argc, char **argv)
{
	bool man = argc > 1 && strcmp(argv[1], "--man") == 0;

	if (argc > 1 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; cli_cmds[i]; i++)
			printf("%s\n", cli_cmds[i]->name);
		return EXIT_OK;
	}
	const char *name = argc > 1 + man ? argv[1 + man] : NULL;
	size_t n = 0;

	if (!name) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; cli_cmds[i]; i++)
		if (strcmp(cli_cmds[i]->name, name) == 0 ||
		    (strncmp(cli_cmds[i]->name, name, strlen(name)) == 0 && cli_cmds[i]->name[strlen(name)] == ' ')) {
			/* "label" gives every "label X" */
			if (n++)
				fputc('\n', stdout);
			if (man)
				cli_man(cli_cmds[i], stdout);
			else
				cli_help(cli_cmds[i], stdout);
		}
	if (n)
		return EXIT_OK;
	cli_error(_("unknown command '%s' (see jcstar --help)"), name);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* a peer that closes its end (a hostile device, a client that went away) must give EPIPE
	 * from the write, not kill the process: OpenSSL and libssh write with plain write() */
	signal(SIGPIPE, SIG_IGN);
	cli_i18n_init(argv[0]);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)
		return help(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("jcstar %s\n", jcs_version());
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	cli_error(_("unknown command '%s' (see jcstar --help)"), argv[1]);
	return EXIT_USAGE;
}
