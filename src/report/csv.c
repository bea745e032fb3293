/* IPA checklist as CSV: one row per criterion, in catalogue order and wording, UTF-8 with a
 * byte-order mark so spreadsheet programs read the Japanese correctly. */
#include <string.h>

#include "report/report.h"

static void field(struct jcs_buf *out, const char *s, char sep)
{
	jcs_buf_put_csv(out, s);
	jcs_buf_putc(out, sep);
}

static void joined(struct jcs_buf *out, const json_t *arr, char sep)
{
	struct jcs_buf b = JCS_BUF_INIT;
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		jcs_buf_printf(&b, "%s%s", i ? "\n" : "", json_string_value(v));
	if (jcs_buf_error(&b))
		jcs_buf_fail(out, jcs_buf_error(&b));
	else
		field(out, b.data ? b.data : "", sep);
	jcs_buf_free(&b);
}

static int render(const json_t *r, struct jcs_buf *out, struct jcs_err *err)
{
	const json_t *c;
	size_t i;

	(void)err;
	jcs_buf_puts(out, "\xEF\xBB\xBF");
	jcs_buf_puts(out, "項番,適合基準ID,適合基準,Criterion,評価方法,対象,宣言,判定,Verdict,根拠文書,判定理由,Reasons\r\n");
	json_array_foreach(json_object_get(r, "criteria"), i, c) {
		const json_t *t = json_object_get(c, "title"), *d = json_object_get(c, "declaration"), *e;
		struct jcs_buf docs = JCS_BUF_INIT;
		size_t k;

		jcs_buf_printf(out, "%zu,", i + 1);
		field(out, jcs_rs(c, "criterion"), ',');
		field(out, jcs_rs(t, "ja"), ',');
		field(out, jcs_rs(t, "en"), ',');
		field(out, strcmp(jcs_rs(c, "method"), "device") == 0 ? "実機確認" :
			   strcmp(jcs_rs(c, "method"), "doc+scan") == 0 ? "文書確認・脆弱性スキャン" : "文書確認", ',');
		field(out, strcmp(jcs_rs(c, "target"), "vendor") == 0 ? "ベンダー" : "製品", ',');
		field(out, json_is_object(d) ? (strcmp(jcs_rs(d, "answer"), "conform") == 0 ? "適合" : "該当なし") : "未回答", ',');
		field(out, jcs_verdict_ja(jcs_rs(c, "verdict")), ',');
		field(out, jcs_rs(c, "verdict"), ',');
		json_array_foreach(json_object_get(d, "evidence"), k, e) {
			const char *where = *jcs_rs(e, "url") ? jcs_rs(e, "url") : jcs_rs(e, "file");
			jcs_buf_printf(&docs, "%s%s%s%s%s", k ? "\n" : "", jcs_rs(e, "title"), *where ? " <" : "",
				       where, *where ? ">" : "");
			if (!*jcs_rs(e, "title"))
				jcs_buf_puts(&docs, jcs_rs(e, "text"));
		}
		if (jcs_buf_error(&docs))
			jcs_buf_fail(out, jcs_buf_error(&docs));
		else
			field(out, docs.data ? docs.data : "", ',');
		jcs_buf_free(&docs);
		joined(out, json_object_get(c, "reasons_ja"), ',');
		joined(out, json_object_get(c, "reasons"), '\r');
		jcs_buf_putc(out, '\n');
	}
	return 0;
}

const struct jcs_report_writer jcs_writer_csv = {.name = "csv", .render = render};
