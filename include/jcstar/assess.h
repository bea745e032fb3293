/* The verdict engine and report writers: declaration + evidence → jcstar.report/1.
 * Rules: DESIGN.md §Verdict rules, implemented as one table in src/core/verdict.c.
 * Report format: docs/report.md. */
#ifndef JCSTAR_ASSESS_H
#define JCSTAR_ASSESS_H

#include <jansson.h>

#include "jcstar/declaration.h"
#include "jcstar/evidence.h"
#include "jcstar/buf.h"

JCS_API_BEGIN

enum jcs_verdict { JCS_CONFORM, JCS_NONCONFORM, JCS_NEEDS_EVIDENCE, JCS_NOT_APPLICABLE };

const char *jcs_verdict_name(enum jcs_verdict v);

struct jcs_assess_input {
	const struct jcs_declaration *decl;
	struct jcs_evidence *const *evidence;
	const char *const *evidence_names; /* file names, for citing sources */
	size_t nevidence;
	const char *today;                 /* "YYYY-MM-DD"; NULL = the current UTC date */
};

/* Build the jcstar.report/1 document (caller json_decref()s it). */
int jcs_assess(const struct jcs_assess_input *in, json_t **report, struct jcs_err *err);

/* Render a report in one format: "json", "html", "sarif", "csv" (IPA checklist), "text" or
 * "text-ja" (the terminal summary in English or Japanese). Appends to out. */
int jcs_report_render(const json_t *report, const char *format, struct jcs_buf *out, struct jcs_err *err);

JCS_API_END

#endif
