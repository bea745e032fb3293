/* jcstar diff OLD.json NEW.json [-o FILE] [--format json|text] [--fail-on regression] [-q] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "jcstar/buf.h"
#include "jcstar/diff.h"

static const char usage_text[] =
	"usage: jcstar diff OLD.json NEW.json [-o FILE] [--format json|text] [--fail-on regression] [-q]\n"
	"What changed between two reports (jcstar.report/1) or two evidence files (jcstar.evidence/1):\n"
	"criteria whose verdict changed, findings new, removed or changed (matched by id and location).\n"
	"  -o, --output FILE       write the diff to FILE (- = stdout; the text summary then goes to stderr)\n"
	"  --format json|text      what -o writes (default json), or stdout without -o (default text)\n"
	"  --fail-on regression    exit 1 when a criterion got worse or a failing finding is new or worse\n"
	"  -q, --quiet             no text summary besides the output\n"
	"exit: 0 done, 1 --fail-on regression reached, 2 bad input or usage, 3 runtime error\n";

int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'}, {"format", required_argument, NULL, 'f'},
		{"fail-on", required_argument, NULL, 'F'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	const char *output = NULL, *format = NULL;
	json_t *old_side = NULL, *new_side = NULL, *diff = NULL;
	struct jcs_err err = {0};
	char *text = NULL, *json = NULL;
	bool fail_on = false, quiet = false;
	int c, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				cli_error("--format must be json or text, not '%s'", optarg);
				return EXIT_USAGE;
			}
			format = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "regression")) {
				cli_error("--fail-on must be regression, not '%s'", optarg);
				return EXIT_USAGE;
			}
			fail_on = true;
			break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: fputs(usage_text, stderr); return EXIT_USAGE;
		}
	}
	if (optind + 2 != argc) {
		cli_error("diff needs two files, OLD and NEW (%d given)", argc - optind);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
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
		if (output && !quiet)
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
