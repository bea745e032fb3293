/* jcstar assess DECLARATION [--evidence FILE]... [-o report.json] [--html FILE] [--sarif FILE]
 *               [--checklist FILE.csv] [--fail-on nonconform|needs-evidence] [--today YYYY-MM-DD] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "jcstar/assess.h"

static const struct cli_opt opts[] = {
	{"evidence", 'e', "FILE", N_("evidence from jcstar probe / jcstar firmware / a lab (jcstar.evidence/1);\n"
				     "repeatable (at most 64)"), false},
	CLI_OUTPUT(N_("write the report to FILE (- = stdout alone; the summary then goes to stderr)")),
	CLI_FORMAT("json|html|sarif|csv", N_("what -o writes: jcstar.report/1 JSON (default), HTML, SARIF 2.1.0,\n"
					    "or the IPA checklist as CSV")),
	{"html", 'H', "FILE", N_("also write the HTML report (print layout, Japanese and English)"), false},
	{"sarif", 'S', "FILE", N_("also write SARIF 2.1.0 (GitHub code scanning)"), false},
	{"checklist", 'C', "FILE", N_("also write IPA's checklist as CSV"), false},
	CLI_FAIL_ON("fail|inconclusive", N_("fail: exit 1 when a criterion is nonconform; inconclusive: also\n"
					   "when one needs evidence ('nonconform' and 'needs-evidence' are\n"
					   "the same words)")),
	{"today", 'T', "YYYY-MM-DD", N_("the date the support period and expiry are judged on (default: today)"), false},
	CLI_QUIET(N_("no summary table")),
	CLI_VERBOSE(N_("accepted for symmetry")),
	{0},
};

const struct cli_cmd cli_spec_assess = {
	"assess", "DECLARATION [--evidence FILE]... [-o FILE] [--format json|html|sarif|csv] [--fail-on WHAT]",
	N_("Combine the vendor's declaration (YAML) with evidence from jcstar probe / jcstar firmware\n"
	   "into one verdict per criterion and the documents an application needs. Prints a summary\n"
	   "table; writes JSON (jcstar.report/1), HTML, SARIF 2.1.0 and the IPA checklist as CSV."),
	opts, 1, 1, "DECLARATION",
	N_("0 done (whatever the verdicts, without --fail-on)\n1 --fail-on: a criterion is nonconform (or needs evidence)\n"
	   "2 bad declaration or evidence (file:line:column), a missing file, usage\n3 runtime error"),
};

#define MAX_EVIDENCE 64

struct output {
	const char *format;
	const char *path;
};

int cmd_assess(int argc, char **argv)
{
	struct output outs[8]; /* room for one past the limit of 4, checked below */
	struct jcs_buf bufs[4] = {JCS_BUF_INIT, JCS_BUF_INIT, JCS_BUF_INIT, JCS_BUF_INIT};
	struct jcs_evidence *ev[MAX_EVIDENCE] = {0};
	const char *evnames[MAX_EVIDENCE];
	const char *today = NULL, *stdout_out = NULL, *format = "json";
	enum cli_fail_on fail_on = CLI_FAIL_NONE;
	struct jcs_declaration *decl = NULL;
	struct jcs_buf summary = JCS_BUF_INIT;
	struct jcs_err err = {0};
	struct cli_parse p = {0};
	json_t *report = NULL;
	size_t nev = 0, nout = 0, main_out = SIZE_MAX;
	int c, rc = EXIT_OK;

	while ((c = cli_getopt(&p, &cli_spec_assess, argc, argv)) != -1) {
		switch (c) {
		case CLI_EXIT: return p.exit;
		case 'e':
			if (nev == MAX_EVIDENCE) {
				cli_error(_("at most %d evidence files"), MAX_EVIDENCE);
				return EXIT_USAGE;
			}
			evnames[nev++] = p.arg;
			break;
		case CLI_OPT_OUTPUT: main_out = nout; outs[nout++] = (struct output){"json", p.arg}; break;
		case CLI_OPT_FORMAT: format = p.arg; break;
		case 'H': outs[nout++] = (struct output){"html", p.arg}; break;
		case 'S': outs[nout++] = (struct output){"sarif", p.arg}; break;
		case 'C': outs[nout++] = (struct output){"csv", p.arg}; break;
		case CLI_OPT_FAIL_ON:
			if (cli_fail_on_parse(p.arg, "fail|inconclusive", &fail_on))
				return EXIT_USAGE;
			break;
		case 'T': today = p.arg; break;
		default: break;
		}
		if (nout > 4) {
			cli_error(_("each report format may be given once"));
			return EXIT_USAGE;
		}
	}
	int optind = p.ind;
	if (main_out != SIZE_MAX)
		outs[main_out].format = format;
	for (size_t i = 0; i < nev; i++)
		if (cli_input_file(evnames[i]))
			return EXIT_USAGE;
	if (cli_input_file(argv[optind]))
		return EXIT_USAGE;
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
	if (jcs_report_render(report, cli_japanese() ? "text-ja" : "text", &summary, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	for (size_t i = 0; i < nout; i++)
		if (jcs_write_file_atomic(outs[i].path, bufs[i].data, bufs[i].len, &err)) {
			rc = cli_fail(&err);
			goto out;
		}
	if (cli_verbosity >= 0) {
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
		if (fail_on == CLI_FAIL_INCONCLUSIVE)
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
