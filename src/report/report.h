/* Report writers: one const struct per format, listed in report.c's table. Each renders a
 * jcstar.report/1 document (built by jcs_assess) and appends to out. */
#ifndef JCS_REPORT_REPORT_H
#define JCS_REPORT_REPORT_H

#include <jansson.h>

#include "jcstar/buf.h"

struct jcs_report_writer {
	const char *name;
	int (*render)(const json_t *report, struct jcs_buf *out, struct jcs_err *err);
};

extern const struct jcs_report_writer jcs_writer_json, jcs_writer_html, jcs_writer_sarif,
	jcs_writer_csv, jcs_writer_text, jcs_writer_text_ja;

/* Helpers shared by writers. */
const char *jcs_rs(const json_t *o, const char *key);             /* string or "" */
const char *jcs_verdict_ja(const char *verdict);                  /* 適合, 不適合, ... */

#endif
