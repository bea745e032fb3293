/* The terminal summary printed by jcstar assess. */
#include <string.h>

#include "report/report.h"

static int render(const json_t *r, struct jcs_buf *out, struct jcs_err *err)
{
	const json_t *p = json_object_get(r, "product"), *sum = json_object_get(r, "summary");
	const json_t *c, *s;
	size_t i;

	(void)err;
	jcs_buf_printf(out, "%s %s (%s), firmware %s — JC-STAR ★%d self-assessment\n\n", jcs_rs(p, "vendor"),
		       jcs_rs(p, "model"), jcs_rs(p, "type"), jcs_rs(p, "firmware_version"),
		       (int)json_integer_value(json_object_get(r, "level")));
	jcs_buf_printf(out, "%-8s  %-14s  %s\n", "ID", "VERDICT", "CRITERION / first reason");
	json_array_foreach(json_object_get(r, "criteria"), i, c) {
		const json_t *title = json_object_get(c, "title");
		const char *reason = json_string_value(json_array_get(json_object_get(c, "reasons"), 0));
		jcs_buf_printf(out, "%-8s  %-14s  %s\n", jcs_rs(c, "criterion"), jcs_rs(c, "verdict"),
			       jcs_rs(title, "en"));
		if (reason && strcmp(jcs_rs(c, "verdict"), "conform"))
			jcs_buf_printf(out, "%-8s  %-14s  ↳ %.150s%s\n", "", "", reason, strlen(reason) > 150 ? "…" : "");
	}
	jcs_buf_printf(out, "\n%s\n", jcs_rs(sum, "statement"));
	jcs_buf_puts(out, "\nOther schemes (through the crosswalk):\n");
	json_array_foreach(json_object_get(r, "schemes"), i, s)
		jcs_buf_printf(out, "  %s\n", jcs_rs(s, "statement"));
	return 0;
}

const struct jcs_report_writer jcs_writer_text = {.name = "text", .render = render};
