/* jcstar diff OLD.json NEW.json [-o FILE] [--format json|text] [--fail-on regression] [-q] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "jcstar/buf.h"
#include "jcstar/diff.h"

static const struct cli_opt opts[] = {
	CLI_OUTPUT(N_("write the diff to FILE (- = stdout alone; the text summary then goes to stderr)")),
	CLI_FORMAT("json|text", N_("what -o writes (default json), or stdout without -o (default text)")),
	CLI_FAIL_ON("fail", N_("fail: exit 1 on a regression (a criterion got worse, or a failing\n"
			      "finding is new or worse); 'regression' is the same")),
	CLI_QUIET(N_("no text summary besides the output")),
	CLI_VERBOSE(N_("accepted for symmetry")),
	{0},
};

const struct cli_cmd cli_spec_diff = {
	"diff", "OLD.json NEW.json [-o FILE] [--format json|text] [--fail-on fail] [-q]",
	N_("What changed between two reports (jcstar.report/1) or two evidence files (jcstar.evidence/1):\n"
	   "criteria whose verdict changed, findings new, removed or changed (matched by id and location)."),
	opts, 2, 2, "OLD.json NEW.json",
	N_("0 done\n1 --fail-on fail: a regression\n2 bad input (file:line:column) or usage\n3 runtime error"),
};

int cmd_diff(int argc, char **argv)
{
	const char *output = NULL, *format = NULL;
	json_t *old_side = NULL, *new_side = NULL, *diff = NULL;
	struct jcs_err err = {0};
	struct cli_parse p = {0};
	enum cli_fail_on fail_on = CLI_FAIL_NONE;
	char *text = NULL, *json = NULL;
	int c, rc = EXIT_OK;

	while ((c = cli_getopt(&p, &cli_spec_diff, argc, argv)) != -1) {
		switch (c) {
		case CLI_EXIT: return p.exit;
		case CLI_OPT_OUTPUT: output = p.arg; break;
		case CLI_OPT_FORMAT: format = p.arg; break;
		case CLI_OPT_FAIL_ON:
			if (cli_fail_on_parse(p.arg, "fail", &fail_on))
				return EXIT_USAGE;
			break;
		default: break;
		}
	}
	int optind = p.ind;
	if (!format)
		format = output ? "json" : "text";
	if (jcs_diff_load(argv[optind], &old_side, &err) || jcs_diff_load(argv[optind + 1], &new_side, &err) ||
	    jcs_diff(old_side, new_side, &diff, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	text = jcs_diff_text(diff);
	json = json_dumps(diff, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text || !json) {
		cli_error("out of memory");
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (output || strcmp(format, "json") == 0) {
		const char *body = strcmp(format, "json") == 0 ? json : text;
		if (jcs_write_file_atomic(output ? output : "-", body, strlen(body), &err) ||
		    (strcmp(format, "json") == 0 && (!output || strcmp(output, "-") == 0) &&
		     jcs_write_file_atomic("-", "\n", 1, &err))) {
			rc = cli_fail(&err);
			goto out;
		}
		if (output && cli_verbosity >= 0)
			fputs(text, cli_human(output));
	} else {
		fputs(text, stdout);
	}
	if (fail_on && jcs_diff_regression(diff))
		rc = EXIT_FINDINGS;
out:
	free(text);
	free(json);
	json_decref(diff);
	json_decref(old_side);
	json_decref(new_side);
	return rc;
}
