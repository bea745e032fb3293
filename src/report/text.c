/* The terminal summary printed by jcstar assess: "text" in English, "text-ja" in Japanese (the
 * CLI picks it from the locale). Reasons and statements come from the report as they are. */
#include <stdbool.h>
#include <string.h>

#include "report/report.h"

/* Characters (not bytes) of a UTF-8 string. */
static int utf8_chars(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int render_lang(const json_t *r, struct jcs_buf *out, bool ja)
{
	const json_t *p = json_object_get(r, "product"), *sum = json_object_get(r, "summary");
	const json_t *c, *s;
	size_t i;

	jcs_buf_printf(out, ja ? "%s %s（%s）、ファームウェア %s — JC-STAR ★%d 適合性自己評価\n\n"
			       : "%s %s (%s), firmware %s — JC-STAR ★%d self-assessment\n\n",
		       jcs_rs(p, "vendor"), jcs_rs(p, "model"), jcs_rs(p, "type"), jcs_rs(p, "firmware_version"),
		       (int)json_integer_value(json_object_get(r, "level")));
	if (ja)
		jcs_buf_printf(out, "%-8s  判定      適合基準 / 主な理由\n", "ID");
	else
		jcs_buf_printf(out, "%-8s  %-14s  %s\n", "ID", "VERDICT", "CRITERION / first reason");
	json_array_foreach(json_object_get(r, "criteria"), i, c) {
		const json_t *title = json_object_get(c, "title");
		const char *reason = json_string_value(json_array_get(json_object_get(c, "reasons"), 0));
		if (ja) /* the verdict's Japanese name is 2-4 characters, each two columns wide */
			jcs_buf_printf(out, "%-8s  %s%*s  %s\n", jcs_rs(c, "criterion"), jcs_verdict_ja(jcs_rs(c, "verdict")),
				       (int)(8 - 2 * utf8_chars(jcs_verdict_ja(jcs_rs(c, "verdict")))), "",
				       jcs_rs(title, "ja"));
		else
			jcs_buf_printf(out, "%-8s  %-14s  %s\n", jcs_rs(c, "criterion"), jcs_rs(c, "verdict"),
				       jcs_rs(title, "en"));
		if (reason && strcmp(jcs_rs(c, "verdict"), "conform"))
			jcs_buf_printf(out, ja ? "%-8s  %-8s  ↳ %.150s%s\n" : "%-8s  %-14s  ↳ %.150s%s\n", "", "", reason, strlen(reason) > 150 ? "…" : "");
	}
	jcs_buf_printf(out, "\n%s\n", jcs_rs(sum, "statement"));
	jcs_buf_puts(out, ja ? "\n他の制度（対応表による）:\n" : "\nOther schemes (through the crosswalk):\n");
	json_array_foreach(json_object_get(r, "schemes"), i, s)
		jcs_buf_printf(out, "  %s\n", jcs_rs(s, "statement"));
	return 0;
}

static int render(const json_t *r, struct jcs_buf *out, struct jcs_err *err)
{
	(void)err;
	return render_lang(r, out, false);
}

static int render_ja(const json_t *r, struct jcs_buf *out, struct jcs_err *err)
{
	(void)err;
	return render_lang(r, out, true);
}

const struct jcs_report_writer jcs_writer_text = {.name = "text", .render = render};
const struct jcs_report_writer jcs_writer_text_ja = {.name = "text-ja", .render = render_ja};
