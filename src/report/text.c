/* The terminal summary printed by jcstar assess: "text" in English, "text-ja" in Japanese (the
 * CLI picks it from the locale): the report's reasons (reasons_ja in Japanese) as they are. */
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

/* s cut to at most max characters (UTF-8, never inside one), with "…" when cut. */
static void put_clipped(struct jcs_buf *out, const char *s, int max)
{
	const char *p = s;
	int n = 0;

	for (; *p && n <= max; p++)
		if (((unsigned char)*p & 0xC0) != 0x80 && ++n > max)
			break;
	jcs_buf_append(out, s, (size_t)(p - s));
	jcs_buf_puts(out, *p ? "…" : "");
}

/* "; WHAT N 件: a, b, c" for a non-empty array of strings. */
static void list_ja(struct jcs_buf *out, const char *what, const json_t *a)
{
	const json_t *v;
	size_t i;

	if (!json_array_size(a))
		return;
	jcs_buf_printf(out, "；%s %zu 件: ", what, json_array_size(a));
	json_array_foreach(a, i, v)
		jcs_buf_printf(out, "%s%s", i ? ", " : "", json_string_value(v) ? json_string_value(v) : "?");
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
		const char *reason = json_string_value(json_array_get(json_object_get(c, ja ? "reasons_ja" : "reasons"), 0));
		if (ja) /* the verdict's Japanese name is 2-4 characters, each two columns wide */
			jcs_buf_printf(out, "%-8s  %s%*s  %s\n", jcs_rs(c, "criterion"), jcs_verdict_ja(jcs_rs(c, "verdict")),
				       (int)(8 - 2 * utf8_chars(jcs_verdict_ja(jcs_rs(c, "verdict")))), "",
				       jcs_rs(title, "ja"));
		else
			jcs_buf_printf(out, "%-8s  %-14s  %s\n", jcs_rs(c, "criterion"), jcs_rs(c, "verdict"),
				       jcs_rs(title, "en"));
		if (!reason)
			reason = json_string_value(json_array_get(json_object_get(c, "reasons"), 0));
		if (reason && strcmp(jcs_rs(c, "verdict"), "conform")) {
			jcs_buf_printf(out, ja ? "%-8s  %-8s  ↳ " : "%-8s  %-14s  ↳ ", "", "");
			put_clipped(out, reason, ja ? 90 : 150);
			jcs_buf_puts(out, "\n");
		}
	}
	if (ja) {
		const json_t *n = json_object_get(sum, "counts");
		if (json_is_true(json_object_get(sum, "ready")))
			jcs_buf_printf(out, "\n★%d の自己適合宣言の準備ができています。\n",
				       (int)json_integer_value(json_object_get(r, "level")));
		else
			jcs_buf_printf(out, "\n★%d の自己適合宣言の準備はまだできていません: %s %lld、%s %lld。\n",
				       (int)json_integer_value(json_object_get(r, "level")), jcs_verdict_ja("nonconform"),
				       (long long)json_integer_value(json_object_get(n, "nonconform")),
				       jcs_verdict_ja("needs-evidence"),
				       (long long)json_integer_value(json_object_get(n, "needs-evidence")));
	} else {
		jcs_buf_printf(out, "\n%s\n", jcs_rs(sum, "statement"));
	}
	jcs_buf_puts(out, ja ? "\n他の制度（対応表による）:\n" : "\nOther schemes (through the crosswalk):\n");
	json_array_foreach(json_object_get(r, "schemes"), i, s) {
		if (!ja) {
			jcs_buf_printf(out, "  %s\n", jcs_rs(s, "statement"));
			continue;
		}
		jcs_buf_printf(out, "  %s: %s", jcs_rs(s, "name"),
			       json_is_true(json_object_get(s, "ready")) ? "準備済み" : "準備未完了");
		list_ja(out, "未達の要件", json_object_get(s, "not_met"));
		list_ja(out, "★1 の対象外", json_object_get(s, "not_covered"));
		jcs_buf_puts(out, "\n");
	}
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
