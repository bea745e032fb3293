/* One option table per subcommand: getopt_long's options, --help and the OPTIONS and EXIT STATUS
 * sections of docs/jcstar-NAME.1.md (`jcstar help --man NAME`) all come from it, so they cannot
 * drift apart (tests/integration/cli_conventions.sh compares the man pages with it).
 *
 * Conventions shared by every subcommand (docs/jcstar.1.md):
 *   -o, --output FILE   machine output to FILE; "-" puts it alone on stdout and the human
 *                       summary on stderr
 *   --format FMT        what the output is
 *   -q, --quiet / -v, --verbose
 *   --fail-on WHAT      exit 1 when WHAT is found (one vocabulary, cli_fail_on)
 *   -h, --help / --version
 */
#ifndef JCS_CLI_OPT_H
#define JCS_CLI_OPT_H

#include <stdbool.h>
#include <stdio.h>

/* Ids of the shared options (a subcommand's own options use their short letter or 256+). */
enum {
	CLI_OPT_HELP = 'h',
	CLI_OPT_OUTPUT = 'o',
	CLI_OPT_QUIET = 'q',
	CLI_OPT_VERBOSE = 'v',
	CLI_OPT_FORMAT = 200,
	CLI_OPT_FAIL_ON = 201,
	CLI_OPT_VERSION = 202,
	CLI_OPT_FIRST_OWN = 256,
};

struct cli_opt {
	const char *name;  /* long name without "--" */
	int id;            /* what cli_getopt returns; the short option when it is a printable letter */
	const char *arg;   /* argument's name in help, or NULL for a flag */
	const char *help;  /* one or more lines (N_()-marked; translated when printed) */
	bool hidden;       /* an old spelling kept as an alias: accepted, listed under ALIASES */
};

/* -o: what the machine output is */
#define CLI_OUTPUT(what) {"output", CLI_OPT_OUTPUT, "FILE", what, false}
#define CLI_QUIET(what) {"quiet", CLI_OPT_QUIET, NULL, what, false}
#define CLI_VERBOSE(what) {"verbose", CLI_OPT_VERBOSE, NULL, what, false}
#define CLI_FORMAT(values, what) {"format", CLI_OPT_FORMAT, values, what, false}
#define CLI_FAIL_ON(values, what) {"fail-on", CLI_OPT_FAIL_ON, values, what, false}

struct cli_cmd {
	const char *name;     /* "probe", "label verify" */
	const char *synopsis; /* after the name: "TARGET [OPTIONS]" */
	const char *about;    /* what it does (N_()) */
	const struct cli_opt *opts; /* ends with {0} */
	int min_args, max_args;     /* positional arguments (max -1: any number) */
	const char *args_name;      /* what the positional arguments are, for errors: "TARGET" */
	const char *exits;          /* "0 …\n1 …\n…": the command's exit codes (N_()) */
};

struct cli_parse {
	int exit;          /* with CLI_EXIT: the code to return */
	const char *arg;   /* the option's argument */
	int ind;           /* index of the first positional argument once -1 is returned */
	/* internal */
	bool built;
	int verbosity;
};

enum { CLI_EXIT = -2 };

/* The next option's id; -1 after the last option (p->ind: first positional argument); CLI_EXIT
 * when the command is done (help or version printed: p->exit 0; an unknown option, a missing
 * argument or a wrong number of positional arguments: named on stderr, p->exit 2). */
int cli_getopt(struct cli_parse *p, const struct cli_cmd *cmd, int argc, char **argv);

/* -q gives -1, -v +1 (repeatable); read by the summaries and progress. */
extern int cli_verbosity;

/* --help text of cmd on f. */
void cli_help(const struct cli_cmd *cmd, FILE *f);
/* The OPTIONS and EXIT STATUS sections of the man page (markdown), untranslated. */
void cli_man(const struct cli_cmd *cmd, FILE *f);
/* Every subcommand's spec, NULL-terminated (jcstar help --man). */
extern const struct cli_cmd *const cli_cmds[];

/* The shared --fail-on vocabulary. A command lists the words it accepts (its man page says
 * what each means for it); old spellings are mapped by cli_fail_on_parse. */
enum cli_fail_on {
	CLI_FAIL_NONE = 0,
	CLI_FAIL_FAIL,          /* a finding failed / a criterion is nonconform / a regression */
	CLI_FAIL_INCONCLUSIVE,  /* ... or a finding is inconclusive / a criterion needs evidence */
};
/* Parse --fail-on WORD against the words cmd accepts ("fail|inconclusive"): 0 and *out, or
 * EXIT_USAGE after naming the word and the accepted ones. Aliases: nonconform = fail,
 * needs-evidence = inconclusive, regression = fail. */
int cli_fail_on_parse(const char *word, const char *accepted, enum cli_fail_on *out);

#endif
