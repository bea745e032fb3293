/* jcstar assess DECLARATION [--evidence FILE]... [-o report.json] [--html FILE] [--sarif FILE]
 *               [--checklist FILE.csv] [--fail-on nonconform|needs-evidence] [--today YYYY-MM-DD] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "jcstar/assess.h"

static const char usage_text[] =
	"usage: jcstar assess DECLARATION [--evidence FILE]... [-o report.json] [--html FILE]\n"
	"                     [--sarif FILE] [--checklist FILE.csv] [--fail-on nonconform|needs-evidence]\n"
	"                     [--today YYYY-MM-DD] [--quiet]\n"
	"Combine the vendor's declaration (YAML) with evidence from jcstar probe / jcstar firmware\n"
	"into one verdict per criterion and the documents an application needs. Prints a summary\n"
	"table; writes JSON (jcstar.report/1), HTML, SARIF 2.1.0 and the IPA checklist as CSV.\n"
	"exit: 0 done, 1 --fail-on threshold reached, 2 bad declaration/evidence/usage, 3 runtime error\n";

#define MAX_EVIDENCE 64

struct output {
	const char *format;
	const char *path;
};

int cmd_assess(int argc, char **argv)
{
	static const struct option opts[] = {
		{"evidence", required_argument, NULL, 'e'}, {"output", required_argument, NULL, 'o'},
		{"html", required_argument, NULL, 'H'},     {"sarif", required_argument, NULL, 'S'},
		{"checklist", required_argument, NULL, 'C'}, {"fail-on", required_argument, NULL, 'F'},
		{"today", required_argument, NULL, 'T'},    {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	struct output outs[8]; /* room for one past the limit of 4, checked below */
	struct jcs_buf bufs[4] = {JCS_BUF_INIT, JCS_BUF_INIT, JCS_BUF_INIT, JCS_BUF_INIT};
	struct jcs_evidence *ev[MAX_EVIDENCE] = {0};
	const char *evnames[MAX_EVIDENCE];
	const char *fail_on = NULL, *today = NULL, *stdout_out = NULL;
	struct jcs_declaration *decl = NULL;
	struct jcs_buf summary = JCS_BUF_INIT;
	struct jcs_err err = {0};
	json_t *report = NULL;
	size_t nev = 0, nout = 0;
	int c, rc = EXIT_OK;
	bool quiet = false;

	while ((c = getopt_long(argc, argv, "e:o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (nev == MAX_EVIDENCE) {
				cli_error("at most %d evidence files", MAX_EVIDENCE);
				return EXIT_USAGE;
			}
			evnames[nev++] = optarg;
			break;
		case 'o': outs[nout++] = (struct output){"json", optarg}; break;
		case 'H': outs[nout++] = (struct output){"html", optarg}; break;
		case 'S': outs[nout++] = (struct output){"sarif", optarg}; break;
		case 'C': outs[nout++] = (struct output){"csv", optarg}; break;
		case 'F':
			if (strcmp(optarg, "nonconform") && strcmp(optarg, "needs-evidence")) {
				cli_error("--fail-on must be nonconform or needs-evidence");
				return EXIT_USAGE;
			}
			fail_on = optarg;
			break;
		case 'T': today = optarg; break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: fputs(usage_text, stderr); return EXIT_USAGE;
		}
		if (nout > 4) {
			cli_error("each report format may be given once");
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < nout; i++)
		if (strcmp(outs[i].path, "-") == 0) {
			if (stdout_out) {
				cli_error("only one report may go to stdout (-)");
				return EXIT_USAGE;
			}
			stdout_out = outs[i].path;
		}
	if (jcs_declaration_load(argv[optind], &decl, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	for (size_t i = 0; i < nev; i++) {
		if (jcs_evidence_load(evnames[i], &ev[i], &err)) {
			rc = cli_fail(&err);
			goto out;
		}
	}
	{
		struct jcs_assess_input in = {decl, ev, evnames, nev, today};
		if (jcs_assess(&in, &report, &err)) {
			rc = cli_fail(&err);
			goto out;
		}
	}
	/* Render everything first, then write: a failure leaves no half-written report set. */
	for (size_t i = 0; i < nout; i++)
		if (jcs_report_render(report, outs[i].format, &bufs[i], &err)) {
			rc = cli_fail(&err);
			goto out;
		}
	if (jcs_report_render(report, "text", &summary, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	for (size_t i = 0; i < nout; i++)
		if (jcs_write_file_atomic(outs[i].path, bufs[i].data, bufs[i].len, &err)) {
			rc = cli_fail(&err);
			goto out;
		}
	if (!quiet) {
		FILE *h = cli_human(stdout_out);
		fwrite(summary.data, 1, summary.len, h);
		for (size_t i = 0; i < nout; i++)
			if (strcmp(outs[i].path, "-"))
				fprintf(h, "%-9s %s\n", strcmp(outs[i].format, "csv") == 0 ? "checklist" : outs[i].format,
					outs[i].path);
	}
	if (fail_on) {
		const json_t *counts = json_object_get(json_object_get(report, "summary"), "counts");
		json_int_t bad = json_integer_value(json_object_get(counts, "nonconform"));
		if (strcmp(fail_on, "needs-evidence") == 0)
			bad += json_integer_value(json_object_get(counts, "needs-evidence"));
		if (bad)
			rc = EXIT_FINDINGS;
	}
out:
	for (size_t i = 0; i < 4; i++)
		jcs_buf_free(&bufs[i]);
	jcs_buf_free(&summary);
	for (size_t i = 0; i < nev; i++)
		jcs_evidence_free(ev[i]);
	jcs_declaration_free(decl);
	json_decref(report);
	return rc;
}
