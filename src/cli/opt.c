/* The shared option table: parsing, --help and the man page sections (cli/opt.h). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"

int cli_verbosity;

#define MAX_OPTS 64

/* The options every subcommand has besides its own. */
static const struct cli_opt common[] = {
	{"help", CLI_OPT_HELP, NULL, N_("print this help and exit"), false},
	{"version", CLI_OPT_VERSION, NULL, N_("print the version and exit"), false},
	{0},
};

static bool is_short(int id)
{
	return id < 128 && ((id >= 'a' && id <= 'z') || (id >= 'A' && id <= 'Z') || (id >= '0' && id <= '9'));
}

static size_t build(const struct cli_cmd *cmd, struct option *lo, char *so, size_t sosize)
{
	const struct cli_opt *sets[2] = {cmd->opts, common};
	size_t n = 0, s = 0;

	so[s++] = ':'; /* ':' for a missing argument, so that it is named */
	for (size_t k = 0; k < 2; k++)
		for (const struct cli_opt *o = sets[k]; o && o->name && n + 1 < MAX_OPTS; o++) {
			lo[n++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->id};
			if (is_short(o->id) && !o->hidden && s + 3 < sosize) {
				so[s++] = (char)o->id;
				if (o->arg)
					so[s++] = ':';
			}
		}
	lo[n] = (struct option){0};
	so[s] = 0;
	return n;
}

static int positional(struct cli_parse *p, const struct cli_cmd *cmd, int argc, char **argv)
{
	int n = argc - optind;

	p->ind = optind;
	if (n < cmd->min_args) {
		cli_error(_("%s: missing %s (see jcstar %s --help)"), cmd->name, cmd->args_name, cmd->name);
		p->exit = EXIT_USAGE;
		return CLI_EXIT;
	}
	if (cmd->max_args >= 0 && n > cmd->max_args) {
		const char *stray = argv[optind + cmd->max_args];
		if (cmd->max_args == 0)
			cli_error(_("%s: unexpected argument '%s' (this command takes options only)"), cmd->name,
				  stray);
		else
			cli_error(_("%s: unexpected argument '%s' (%s is given %d time(s); options start with -)"),
				  cmd->name, stray, cmd->args_name, cmd->max_args);
		p->exit = EXIT_USAGE;
		return CLI_EXIT;
	}
	return -1;
}

/* --format's argument is one of the values its table line lists ("text|json"). */
static bool format_known(struct cli_parse *p, const struct cli_cmd *cmd)
{
	const struct cli_opt *o = cmd->opts;
	size_t n = strlen(p->arg);

	while (o->name && o->id != CLI_OPT_FORMAT)
		o++;
	for (const char *v = o->arg; v && *v; v += strcspn(v, "|"), v += *v == '|')
		if (strcspn(v, "|") == n && strncmp(v, p->arg, n) == 0 && n)
			return true;
	cli_error(_("%s: --format must be one of %s, not '%s'"), cmd->name, o->arg ? o->arg : "", p->arg);
	p->exit = EXIT_USAGE;
	return false;
}

int cli_getopt(struct cli_parse *p, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct option lo[MAX_OPTS + 1];
	char so[2 * MAX_OPTS + 2];
	int c;

	if (!p->built) {
		p->built = true;
		optind = 0; /* reset getopt (GNU: 0 re-initialises) */
		opterr = 0;
	}
	build(cmd, lo, so, sizeof(so));
	c = getopt_long(argc, argv, so, lo, NULL);
	p->arg = optarg;
	switch (c) {
	case -1:
		return positional(p, cmd, argc, argv);
	case CLI_OPT_HELP:
		cli_help(cmd, stdout);
		p->exit = EXIT_OK;
		return CLI_EXIT;
	case CLI_OPT_VERSION:
		printf("jcstar %s\n", jcs_version());
		p->exit = EXIT_OK;
		return CLI_EXIT;
	case CLI_OPT_QUIET:
		cli_verbosity = -1;
		return c;
	case CLI_OPT_VERBOSE:
		cli_verbosity = cli_verbosity < 0 ? 1 : cli_verbosity + 1;
		return c;
	case CLI_OPT_FORMAT:
		return format_known(p, cmd) ? c : CLI_EXIT;
	case ':':
	case '?': {
		const char *bad = argv[optind - 1];
		if (c == ':')
			cli_error(_("%s: option '%s' needs an argument (see jcstar %s --help)"), cmd->name, bad,
				  cmd->name);
		else if (optopt && is_short(optopt))
			cli_error(_("%s: unknown option '-%c' (see jcstar %s --help)"), cmd->name, optopt, cmd->name);
		else
			cli_error(_("%s: unknown option '%s' (see jcstar %s --help)"), cmd->name, bad, cmd->name);
		p->exit = EXIT_USAGE;
		return CLI_EXIT;
	}
	default:
		return c;
	}
}

/* "-o, --output FILE" or "    --profile NAME" (with_indent), "--profile NAME" without */
static int opt_label(const struct cli_opt *o, char *buf, size_t len, bool with_indent)
{
	if (is_short(o->id))
		return snprintf(buf, len, "-%c, --%s%s%s", o->id, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	return snprintf(buf, len, "%s--%s%s%s", with_indent ? "    " : "", o->name, o->arg ? " " : "",
			o->arg ? o->arg : "");
}

static void help_opts(const struct cli_opt *opts, FILE *f)
{
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		char label[80];
		const char *h = _(o->help), *nl;
		int n;

		if (o->hidden)
			continue;
		n = opt_label(o, label, sizeof(label), true) + 2;
		fprintf(f, "  %s", label);
		if (n > 26) {
			fputc('\n', f);
			n = 0;
		}
		/* the help's lines, each indented to column 28 */
		for (;; h = nl + 1) {
			nl = strchr(h, '\n');
			fprintf(f, "%*s%.*s\n", 28 - n, "", nl ? (int)(nl - h) : (int)strlen(h), h);
			n = 0;
			if (!nl)
				break;
		}
	}
}

void cli_help(const struct cli_cmd *cmd, FILE *f)
{
	bool aliases = false;

	fprintf(f, _("usage: jcstar %s %s\n"), cmd->name, cmd->synopsis);
	fprintf(f, "%s\n\n%s\n", _(cmd->about), _("options:"));
	help_opts(cmd->opts, f);
	help_opts(common, f);
	for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
		if (o->hidden) {
			fprintf(f, "%s --%s (%s)", aliases ? "," : _("old spellings, still accepted:"), o->name, _(o->help));
			aliases = true;
		}
	if (aliases)
		fputc('\n', f);
	fprintf(f, "\n%s\n", _("exit status:"));
	for (const char *e = _(cmd->exits), *nl; *e; e = nl + 1) {
		nl = strchr(e, '\n');
		fprintf(f, "  %.*s\n", nl ? (int)(nl - e) : (int)strlen(e), e);
		if (!nl)
			break;
	}
}

static void man_opts(const struct cli_opt *opts, FILE *f)
{
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		char label[80];

		if (o->hidden)
			continue;
		opt_label(o, label, sizeof(label), false);
		fprintf(f, "- `%s`: ", label);
		for (const char *h = o->help; *h; h++)
			if (*h == '\n') {
				/* a continuation line joins the paragraph */
				fputc(' ', f);
				while (h[1] == ' ')
					h++;
			} else {
				fputc(*h, f);
			}
		fputc('\n', f);
	}
}

void cli_man(const struct cli_cmd *cmd, FILE *f)
{
	bool aliases = false;

	fprintf(f, "<!-- generated by `jcstar help --man %s` from src/cli; scripts/gen-man.sh rewrites it -->\n",
		cmd->name);
	fprintf(f, "### Options of `jcstar %s`\n\n`jcstar %s %s`\n\n", cmd->name, cmd->name, cmd->synopsis);
	man_opts(cmd->opts, f);
	man_opts(common, f);
	for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
		if (o->hidden) {
			fprintf(f, "%s `--%s` (%s)", aliases ? "," : "\nOld spellings, still accepted:", o->name, o->help);
			aliases = true;
		}
	fprintf(f, "%s\n### Exit status of `jcstar %s`\n\n", aliases ? "\n" : "", cmd->name);
	for (const char *e = cmd->exits, *nl; *e; e = nl + 1) {
		nl = strchr(e, '\n');
		fprintf(f, "- %.*s\n", nl ? (int)(nl - e) : (int)strlen(e), e);
		if (!nl)
			break;
	}
	fprintf(f, "<!-- end generated -->\n");
}

int cli_fail_on_parse(const char *word, const char *accepted, enum cli_fail_on *out)
{
	static const struct {
		const char *word;
		enum cli_fail_on v;
	} words[] = {
		{"fail", CLI_FAIL_FAIL},
		{"inconclusive", CLI_FAIL_INCONCLUSIVE},
		{"nonconform", CLI_FAIL_FAIL},
		{"needs-evidence", CLI_FAIL_INCONCLUSIVE},
		{"regression", CLI_FAIL_FAIL},
	};
	static const char *const canonical[] = {"", "fail", "inconclusive"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(word, words[i].word) == 0) {
			/* the canonical word must be one this command accepts */
			const char *c = canonical[words[i].v];
			size_t n = strlen(c);
			for (const char *a = accepted; (a = strstr(a, c)); a += n)
				if ((a == accepted || a[-1] == '|') && (a[n] == 0 || a[n] == '|')) {
					*out = words[i].v;
					return 0;
				}
		}
	cli_error(_("--fail-on: '%s' is not one of %s"), word, accepted);
	return EXIT_USAGE;
}
