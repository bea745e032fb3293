#include <string.h>

#include "jcstar/assess.h"
#include "report/report.h"

static const struct jcs_report_writer *const writers[] = {
	&jcs_writer_json, &jcs_writer_html, &jcs_writer_sarif, &jcs_writer_csv, &jcs_writer_text, &jcs_writer_text_ja,
};

int jcs_report_render(const json_t *report, const char *format, struct jcs_buf *out, struct jcs_err *err)
{
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (strcmp(writers[i]->name, format) == 0) {
			/* writers append freely: a failed append is sticky in out, checked once here */
			int rc = writers[i]->render(report, out, err);
			if (rc == 0 && jcs_buf_error(out))
				rc = jcs_err_set(err, jcs_buf_error(out), "%s report: %s", format,
						 jcs_strerror(jcs_buf_error(out)));
			return rc;
		}
	return jcs_err_set(err, JCS_EINVAL, "unknown report format '%s'", format);
}

const char *jcs_rs(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

const char *jcs_verdict_ja(const char *verdict)
{
	static const char *const map[][2] = {
		{"conform", "適合"},
		{"nonconform", "不適合"},
		{"needs-evidence", "要証跡"},
		{"not-applicable", "該当なし"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], verdict) == 0)
			return map[i][1];
	return verdict;
}
