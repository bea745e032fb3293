/* A self-contained HTML report a vendor hands to a reviewer: summary first, then one
 * section per criterion (verdict, reasons in Japanese and English, findings, declared
 * evidence), readiness for other schemes, sources. No scripts, no external resources;
 * prints cleanly to PDF (A4). */
#include <stdbool.h>
#include <string.h>

#include "jcstar/catalog.h"
#include "jcstar/evidence.h"
#include "report/report.h"

static const char css[] =
	"*{box-sizing:border-box}body{font-family:'Noto Sans CJK JP','Noto Sans JP','Hiragino Sans',"
	"'Yu Gothic',sans-serif;margin:0 auto;max-width:1000px;padding:24px;color:#1b1f24;line-height:1.5;font-size:14px}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0}h3{font-size:14px;margin:12px 0 4px}"
	".sub{color:#57606a}table{border-collapse:collapse;width:100%;margin:8px 0}"
	"th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}"
	".v{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;white-space:nowrap}"
	".conform{background:#dafbe1;color:#116329}.nonconform{background:#ffebe9;color:#a40e26}"
	".needs-evidence{background:#fff8c5;color:#7d4e00}.not-applicable{background:#eaeef2;color:#424a53}"
	".summary{border:2px solid #d0d7de;border-radius:8px;padding:16px;margin:16px 0}"
	".summary.ready{border-color:#1a7f37}.summary.notready{border-color:#cf222e}"
	".big{font-size:20px;font-weight:700}.counts span{margin-right:12px}"
	"section.crit{border:1px solid #d0d7de;border-radius:8px;padding:12px 16px;margin:14px 0;page-break-inside:avoid}"
	".head{display:flex;justify-content:space-between;align-items:baseline;gap:12px}"
	"ul{margin:4px 0;padding-left:20px}.en{color:#57606a}code{font-size:.9em}"
	".res-fail{color:#a40e26;font-weight:600}.res-pass{color:#116329}.res-inconclusive{color:#7d4e00}"
	"footer{margin-top:24px;color:#57606a;font-size:12px;border-top:1px solid #d0d7de;padding-top:8px}"
	".hash{font-family:monospace;font-size:11px;color:#57606a;word-break:break-all}"
	"a{color:#0969da}@media print{body{padding:0;max-width:none;font-size:11px}a{color:inherit}"
	"section.crit{break-inside:avoid}tr,.big{break-inside:avoid}h2,h3{break-after:avoid}}";

/* s as the inside of a CSS string: quotes, backslashes and '<' (no "</style>") escaped, control
 * characters dropped. */
static void css_string(struct jcs_buf *o, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\' || c == '<' || c == '>')
			jcs_buf_printf(o, "\\%X ", c);
		else if (c >= 0x20 && c != 0x7f)
			jcs_buf_putc(o, (char)c);
	}
}

/* Print layout (A4): a running header with the product, firmware version and report date, and
 * "page N / M" in the footer, as @page margin boxes (Chromium ≥ 131 prints them). */
static void print_css(struct jcs_buf *o, const json_t *r)
{
	const json_t *p = json_object_get(r, "product");

	jcs_buf_puts(o, "@page{size:A4;margin:18mm 14mm 16mm;@top-left{content:\"");
	css_string(o, jcs_rs(p, "vendor"));
	jcs_buf_puts(o, " ");
	css_string(o, jcs_rs(p, "model"));
	jcs_buf_puts(o, " \\2014  ファームウェア / firmware ");
	css_string(o, jcs_rs(p, "firmware_version"));
	jcs_buf_printf(o, "\";font-size:9px;color:#57606a}@top-right{content:\"JC-STAR \\2605 %d \\2014  ",
		       (int)json_integer_value(json_object_get(r, "level")));
	jcs_buf_printf(o, "%.10s", jcs_rs(r, "generated"));
	jcs_buf_puts(o, "\";font-size:9px;color:#57606a}@bottom-center{content:counter(page) \" / \" counter(pages);"
			"font-size:9px;color:#57606a}}");
}

static void esc(struct jcs_buf *o, const char *s)
{
	jcs_buf_put_html(o, s ? s : "");
}

static void badge(struct jcs_buf *o, const char *verdict)
{
	jcs_buf_printf(o, "<span class=\"v %s\">", verdict);
	esc(o, jcs_verdict_ja(verdict));
	jcs_buf_puts(o, " / ");
	esc(o, verdict);
	jcs_buf_puts(o, "</span>");
}

/* What an evidence file covered, and what it could not test and why. */
static void coverage(struct jcs_buf *o, const json_t *cov, bool incomplete)
{
	const json_t *tcp = json_object_get(cov, "tcp"), *nt;
	size_t i;

	if (!cov) {
		jcs_buf_puts(o, "—");
		return;
	}
	if (incomplete)
		jcs_buf_puts(o, "<span class=\"res-inconclusive\">不完全 / incomplete</span>");
	else
		jcs_buf_puts(o, "<span class=\"res-pass\">完了 / complete</span>");
	if (json_is_string(json_object_get(cov, "stopped"))) {
		jcs_buf_puts(o, " (");
		esc(o, jcs_rs(cov, "stopped"));
		jcs_buf_puts(o, ")");
	}
	if (tcp)
		jcs_buf_printf(o, "<br>TCP: %lld / %lld ports swept%s — %lld open, %lld closed, %lld no answer",
			       (long long)json_integer_value(json_object_get(tcp, "ports_swept")),
			       (long long)json_integer_value(json_object_get(tcp, "ports_listed")),
			       json_is_true(json_object_get(tcp, "full_range")) ? " (full range)" : "",
			       (long long)json_integer_value(json_object_get(tcp, "open")),
			       (long long)json_integer_value(json_object_get(tcp, "closed")),
			       (long long)json_integer_value(json_object_get(tcp, "no_answer")));
	if (json_is_string(json_object_get(cov, "udp"))) {
		jcs_buf_puts(o, "<br>UDP: ");
		esc(o, jcs_rs(cov, "udp"));
	}
	if (json_object_get(cov, "entries"))
		jcs_buf_printf(o, "<br>%lld entries read, %lld parts unreadable",
			       (long long)json_integer_value(json_object_get(cov, "entries")),
			       (long long)json_integer_value(json_object_get(cov, "unread_parts")));
	if (!json_array_size(json_object_get(cov, "not_tested")))
		return;
	jcs_buf_puts(o, "<ul>");
	json_array_foreach(json_object_get(cov, "not_tested"), i, nt) {
		jcs_buf_puts(o, "<li>未試験 / not tested: <code>");
		esc(o, jcs_rs(nt, "where"));
		jcs_buf_puts(o, "</code> — ");
		esc(o, jcs_rs(nt, "why"));
		jcs_buf_puts(o, "</li>");
	}
	jcs_buf_puts(o, "</ul>");
}

static void list(struct jcs_buf *o, const json_t *arr, const char *cls)
{
	size_t i;
	json_t *v;

	if (!json_array_size(arr))
		return;
	jcs_buf_printf(o, "<ul class=\"%s\">", cls);
	json_array_foreach(arr, i, v) {
		jcs_buf_puts(o, "<li>");
		esc(o, json_string_value(v));
		jcs_buf_puts(o, "</li>");
	}
	jcs_buf_puts(o, "</ul>");
}

/* Inline SVG chart of a brute-force observation (probe.auth.bruteforce): one dot per login
 * attempt at its start time (x) and latency (y), coloured by how the device answered (grey
 * denied, red blocked, orange error, black accepted), and a dashed line where protection
 * appeared. */
/* Attempt i of a brute-force evidence object: start and latency in ms, outcome letter. Older
 * evidence has only latencies_ms (attempts one after another). */
static bool bf_attempt(const json_t *ev, size_t i, double *start, double *lat, const char **oc)
{
	const json_t *tl = json_object_get(ev, "timeline"), *lats = json_object_get(ev, "latencies_ms");

	if (json_is_array(tl)) {
		const json_t *v = json_array_get(tl, i);
		*start = json_number_value(json_array_get(v, 0));
		*lat = json_number_value(json_array_get(v, 1));
		*oc = json_string_value(json_array_get(v, 2));
		return v != NULL;
	}
	*start = 0;
	for (size_t k = 0; k < i; k++)
		*start += json_number_value(json_array_get(lats, k));
	*lat = json_number_value(json_array_get(lats, i));
	*oc = "d";
	return i < json_array_size(lats);
}

static void latency_chart(struct jcs_buf *o, const json_t *f)
{
	const json_t *ev = json_object_get(f, "evidence");
	const json_t *prot = json_object_get(ev, "protection");
	const double W = 560, H = 150, L = 48, B = 28;
	double tmax = 1, lmax = 1, t0, lat;
	const char *oc;
	size_t i;

	for (i = 0; bf_attempt(ev, i, &t0, &lat, &oc); i++) {
		tmax = t0 + lat > tmax ? t0 + lat : tmax;
		lmax = lat > lmax ? lat : lmax;
	}
	if (i < 2)
		return;
	jcs_buf_puts(o, "<h3>ログイン試行ごとの応答時間 / Login latency per attempt</h3>");
	if (json_object_get(ev, "parallel"))
		jcs_buf_printf(o, "<p>%lld attempts over %lld parallel connections in %.1f s: %.1f guesses/min sustained "
				  "(threshold %lld/min)</p>",
			       (long long)json_integer_value(json_object_get(ev, "attempts")),
			       (long long)json_integer_value(json_object_get(ev, "parallel")),
			       (double)json_integer_value(json_object_get(ev, "elapsed_ms")) / 1000.0,
			       json_number_value(json_object_get(ev, "sustained_rate_per_min")),
			       (long long)json_integer_value(json_object_get(ev, "threshold_per_min")));
	jcs_buf_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
			  "aria-label=\"latency chart\" style=\"font-size:10px\">", W, H);
	jcs_buf_printf(o, "<line x1=\"%.0f\" y1=\"4\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#8c959f\"/>", L, L, H - B);
	jcs_buf_printf(o, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#8c959f\"/>", L, H - B, W - 4,
		       H - B);
	jcs_buf_printf(o, "<text x=\"2\" y=\"12\">%.0f ms</text><text x=\"2\" y=\"%.0f\">0</text>", lmax, H - B);
	jcs_buf_printf(o, "<text x=\"%.0f\" y=\"%.0f\">0 s</text><text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%.1f s</text>",
		       L, H - 14, W - 4, H - 14, tmax / 1000.0);
	if (json_is_object(prot) && json_is_integer(json_object_get(prot, "at_ms"))) {
		double x = L + (double)json_integer_value(json_object_get(prot, "at_ms")) * (W - 4 - L) / tmax;
		jcs_buf_printf(o, "<line x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\"/>"
				  "<text x=\"%.1f\" y=\"%.0f\" fill=\"#cf222e\">制限開始 / blocked after %lld failures</text>",
			       x, x, H - B, x + 4, H - B - 6, (long long)json_integer_value(json_object_get(prot, "after_failures")));
	}
	for (i = 0; bf_attempt(ev, i, &t0, &lat, &oc); i++) {
		double x = L + t0 * (W - 4 - L) / tmax;
		double y = H - B - lat / lmax * (H - B - 8);
		jcs_buf_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>", x, y,
			       !oc ? "#8c959f" : *oc == 'b' ? "#cf222e" : *oc == 'e' ? "#bc4c00" : *oc == 'a' ? "#000" : "#0969da");
	}
	jcs_buf_puts(o, "<text x=\"60\" y=\"148\" fill=\"#0969da\">● denied</text><text x=\"120\" y=\"148\" fill=\"#cf222e\">● blocked</text>"
			"<text x=\"180\" y=\"148\" fill=\"#bc4c00\">● error</text><text x=\"230\" y=\"148\">● accepted</text></svg>");
}

/* A list of ids, comma-separated ("—" when empty). */
static void joined(struct jcs_buf *o, const json_t *arr)
{
	size_t i;
	json_t *v;

	if (!json_array_size(arr))
		jcs_buf_puts(o, "—");
	json_array_foreach(arr, i, v) {
		if (i)
			jcs_buf_puts(o, ", ");
		esc(o, json_string_value(v));
	}
}

static const char *result_ja(const char *result)
{
	return strcmp(result, "pass") == 0 ? "合格" : strcmp(result, "fail") == 0 ? "不合格" :
	       strcmp(result, "info") == 0 ? "情報" : strcmp(result, "inconclusive") == 0 ? "判定不能" : result;
}

static void findings_table(struct jcs_buf *o, const json_t *findings)
{
	const struct jcs_finding_def *def;
	size_t i;
	json_t *f;

	if (!json_array_size(findings))
		return;
	jcs_buf_puts(o, "<h3>試験結果 / Findings</h3><table><tr><th>試験項目 / finding</th><th>結果 / result</th>"
			"<th>場所 / location</th><th>内容 / title</th><th>証跡 / source</th></tr>");
	json_array_foreach(findings, i, f) {
		jcs_buf_puts(o, "<tr><td><code>");
		esc(o, jcs_rs(f, "id"));
		jcs_buf_printf(o, "</code></td><td class=\"res-%s\">", jcs_rs(f, "result"));
		esc(o, result_ja(jcs_rs(f, "result")));
		jcs_buf_puts(o, " / ");
		esc(o, jcs_rs(f, "result"));
		jcs_buf_puts(o, "</td><td>");
		esc(o, jcs_rs(f, "location"));
		jcs_buf_puts(o, "</td><td>");
		def = jcs_catalog_finding(jcs_catalog_get(NULL), jcs_rs(f, "id"));
		if (def && def->title.ja && *def->title.ja) {
			esc(o, def->title.ja);
			jcs_buf_puts(o, "<br><span class=\"en\">");
			esc(o, jcs_rs(f, "title"));
			jcs_buf_puts(o, "</span>");
		} else {
			esc(o, jcs_rs(f, "title"));
		}
		jcs_buf_puts(o, "</td><td>");
		esc(o, jcs_rs(f, "source"));
		jcs_buf_puts(o, "</td></tr>");
	}
	jcs_buf_puts(o, "</table>");
}

static void declared(struct jcs_buf *o, const json_t *d)
{
	const json_t *e;
	size_t i;

	jcs_buf_puts(o, "<h3>宣言内容 / Declaration</h3>");
	if (!json_is_object(d)) {
		jcs_buf_puts(o, "<p>未回答 / not answered</p>");
		return;
	}
	jcs_buf_printf(o, "<p>%s（%lld 行目 / line %lld）", strcmp(jcs_rs(d, "answer"), "conform") == 0 ?
		       "適合 / conform" : "該当なし / not applicable", (long long)json_integer_value(json_object_get(d, "line")),
		       (long long)json_integer_value(json_object_get(d, "line")));
	if (*jcs_rs(d, "reason")) {
		jcs_buf_puts(o, " — ");
		esc(o, jcs_rs(d, "reason"));
	}
	jcs_buf_puts(o, "</p>");
	if (*jcs_rs(d, "notes")) {
		jcs_buf_puts(o, "<p class=\"en\">");
		esc(o, jcs_rs(d, "notes"));
		jcs_buf_puts(o, "</p>");
	}
	if (!json_array_size(json_object_get(d, "evidence")))
		return;
	jcs_buf_puts(o, "<ul>");
	json_array_foreach(json_object_get(d, "evidence"), i, e) {
		jcs_buf_puts(o, "<li>");
		esc(o, *jcs_rs(e, "title") ? jcs_rs(e, "title") : jcs_rs(e, "text"));
		if (*jcs_rs(e, "type")) {
			jcs_buf_puts(o, " <span class=\"en\">[");
			esc(o, jcs_rs(e, "type"));
			jcs_buf_puts(o, "]</span>");
		}
		if (*jcs_rs(e, "url")) {
			jcs_buf_puts(o, " — <a href=\"");
			esc(o, strncmp(jcs_rs(e, "url"), "http", 4) == 0 ? jcs_rs(e, "url") : "#");
			jcs_buf_puts(o, "\">");
			esc(o, jcs_rs(e, "url"));
			jcs_buf_puts(o, "</a>");
		}
		if (*jcs_rs(e, "file")) {
			jcs_buf_puts(o, " — <code>");
			esc(o, jcs_rs(e, "file"));
			jcs_buf_puts(o, "</code>");
		}
		jcs_buf_puts(o, "</li>");
	}
	jcs_buf_puts(o, "</ul>");
}

static void criterion(struct jcs_buf *o, const json_t *c, const json_t *all)
{
	const json_t *t = json_object_get(c, "title"), *f;
	const char *id = jcs_rs(c, "criterion"), *m = jcs_rs(c, "method");
	size_t i;

	jcs_buf_printf(o, "<section class=\"crit\" id=\"%s\"><div class=\"head\"><h2>", id);
	esc(o, id);
	jcs_buf_puts(o, " ");
	esc(o, jcs_rs(t, "ja"));
	jcs_buf_puts(o, "</h2>");
	badge(o, jcs_rs(c, "verdict"));
	jcs_buf_puts(o, "</div><div class=\"sub\">");
	esc(o, jcs_rs(t, "en"));
	jcs_buf_printf(o, " · 評価方法 / method: %s · 対象 / applies to: %s</div>",
		       strcmp(m, "device") == 0 ? "実機確認 / device test" :
		       strcmp(m, "doc+scan") == 0 ? "文書確認＋脆弱性スキャン / documents + scan" : "文書確認 / document review",
		       strcmp(jcs_rs(c, "target"), "vendor") == 0 ? "ベンダー / vendor" : "製品 / product");
	jcs_buf_puts(o, "<h3>判定理由 / Reasons</h3>");
	list(o, json_object_get(c, "reasons_ja"), "ja");
	list(o, json_object_get(c, "reasons"), "en");
	findings_table(o, json_object_get(c, "findings"));
	json_array_foreach(all, i, f)
		if (jcs_criteria_name(json_object_get(f, "criteria"), id))
			latency_chart(o, f);
	declared(o, json_object_get(c, "declaration"));
	jcs_buf_puts(o, "</section>");
}

/* The evidence files assessed, each with the SHA-256 of the bytes read and, for firmware, the
 * image analysed: the report names exactly which test run and which build it rests on. */
static void evidence_table(struct jcs_buf *o, const json_t *evidence)
{
	const json_t *e, *img;
	size_t i;

	jcs_buf_puts(o, "<h2>証跡 / Evidence files</h2><table><tr><th>ファイル / file</th><th>種別 / kind</th>"
			"<th>対象 / subject</th><th>開始 / started</th><th>試験結果数 / findings</th>"
			"<th>試験範囲 / coverage</th></tr>");
	json_array_foreach(evidence, i, e) {
		jcs_buf_puts(o, "<tr><td><code>");
		esc(o, jcs_rs(e, "file"));
		jcs_buf_puts(o, "</code>");
		if (*jcs_rs(e, "sha256")) {
			jcs_buf_puts(o, "<br><span class=\"hash\">SHA-256 ");
			esc(o, jcs_rs(e, "sha256"));
			jcs_buf_puts(o, "</span>");
		}
		jcs_buf_puts(o, "</td><td>");
		esc(o, jcs_rs(e, "kind"));
		jcs_buf_puts(o, "</td><td>");
		esc(o, jcs_rs(e, "subject"));
		img = json_object_get(e, "image");
		if (*jcs_rs(img, "sha256")) {
			jcs_buf_printf(o, "<br><span class=\"hash\">イメージ / image %lld bytes, SHA-256 ",
				       (long long)json_integer_value(json_object_get(img, "size")));
			esc(o, jcs_rs(img, "sha256"));
			jcs_buf_puts(o, "</span>");
		}
		jcs_buf_puts(o, "</td><td>");
		esc(o, jcs_rs(e, "started"));
		jcs_buf_printf(o, "</td><td>%lld</td><td>", (long long)json_integer_value(json_object_get(e, "findings")));
		coverage(o, json_object_get(e, "coverage"), json_is_false(json_object_get(e, "complete")));
		jcs_buf_puts(o, "</td></tr>");
	}
	jcs_buf_puts(o, "</table>");
}

static int render(const json_t *r, struct jcs_buf *o, struct jcs_err *err)
{
	const json_t *p = json_object_get(r, "product"), *sum = json_object_get(r, "summary");
	const json_t *counts = json_object_get(sum, "counts"), *c, *s, *e, *models = json_object_get(p, "models");
	bool ready = json_is_true(json_object_get(sum, "ready"));
	int level = (int)json_integer_value(json_object_get(r, "level"));
	size_t i;

	jcs_buf_puts(o, "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
			"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>");
	esc(o, jcs_rs(p, "vendor"));
	jcs_buf_puts(o, " ");
	esc(o, jcs_rs(p, "model"));
	jcs_buf_printf(o, " — JC-STAR ★%d</title><style>%s", level, css);
	print_css(o, r);
	jcs_buf_puts(o, "</style></head><body>");
	jcs_buf_printf(o, "<h1>JC-STAR ★%d 適合性自己評価レポート</h1><div class=\"sub\">Self-assessment report against the "
			  "JC-STAR ★%d conformity criteria</div>", level, level);

	jcs_buf_puts(o, "<table><tr><th>ベンダー / Vendor</th><td>");
	esc(o, jcs_rs(p, "vendor"));
	jcs_buf_puts(o, "</td><th>型式番号 / Model</th><td>");
	esc(o, jcs_rs(p, "model"));
	json_array_foreach(models, i, e) {
		jcs_buf_puts(o, ", ");
		esc(o, json_string_value(e));
	}
	jcs_buf_puts(o, "</td></tr><tr><th>製品種別 / Type</th><td>");
	esc(o, jcs_rs(p, "type"));
	jcs_buf_puts(o, "</td><th>ファームウェア / Firmware</th><td>");
	esc(o, jcs_rs(p, "firmware_version"));
	jcs_buf_puts(o, "</td></tr><tr><th>サポート期限 / Support until</th><td>");
	esc(o, jcs_rs(p, "support_end"));
	jcs_buf_puts(o, "</td><th>脆弱性報告窓口 / Security contact</th><td>");
	esc(o, jcs_rs(p, "security_contact"));
	jcs_buf_puts(o, "</td></tr></table>");

	jcs_buf_printf(o, "<div class=\"summary %s\"><div class=\"big\">★%d %s</div><div>", ready ? "ready" : "notready",
		       level, ready ? "自己適合宣言の準備ができています" : "自己適合宣言の準備はまだできていません");
	esc(o, jcs_rs(sum, "statement"));
	jcs_buf_puts(o, "</div><p class=\"counts\">");
	static const char *const verdicts[] = {"conform", "nonconform", "needs-evidence", "not-applicable"};
	for (size_t k = 0; k < 4; k++) {
		jcs_buf_puts(o, "<span>");
		badge(o, verdicts[k]);
		jcs_buf_printf(o, " %lld</span>", (long long)json_integer_value(json_object_get(counts, verdicts[k])));
	}
	jcs_buf_puts(o, "</p><table><tr><th>ID</th><th>適合基準 / Criterion</th><th>判定 / Verdict</th></tr>");
	json_array_foreach(json_object_get(r, "criteria"), i, c) {
		const char *id = jcs_rs(c, "criterion");
		jcs_buf_printf(o, "<tr><td><a href=\"#%s\">%s</a></td><td>", id, id);
		esc(o, jcs_rs(json_object_get(c, "title"), "ja"));
		jcs_buf_puts(o, "<br><span class=\"en\">");
		esc(o, jcs_rs(json_object_get(c, "title"), "en"));
		jcs_buf_puts(o, "</span></td><td>");
		badge(o, jcs_rs(c, "verdict"));
		jcs_buf_puts(o, "</td></tr>");
	}
	jcs_buf_puts(o, "</table></div>");

	json_array_foreach(json_object_get(r, "criteria"), i, c)
		criterion(o, c, json_object_get(r, "findings"));

	jcs_buf_puts(o, "<h2>他制度への対応状況 / Readiness for other schemes</h2><p class=\"sub\">jcstar の対応表による。"
			"制度側が公表している対応は official と記したものだけで、その他は jcstar の推定です。"
			"<span class=\"en\">Through jcstar's crosswalk; only correspondences marked official are published "
			"by the schemes, the rest are jcstar's inference.</span></p><table><tr><th>制度 / Scheme</th>"
			"<th>状況 / Status</th><th>未達の要件 / Provisions not met</th><th>★1 の対象外 / Not covered by ★1</th></tr>");
	json_array_foreach(json_object_get(r, "schemes"), i, s) {
		bool sready = json_is_true(json_object_get(s, "ready"));
		jcs_buf_puts(o, "<tr><td>");
		esc(o, jcs_rs(s, "name"));
		jcs_buf_printf(o, "</td><td><span class=\"v %s\">%s</span><br><span class=\"en\">", sready ? "conform" : "needs-evidence",
			       sready ? "準備完了 / ready" : "未完了 / not ready");
		esc(o, jcs_rs(s, "statement"));
		jcs_buf_puts(o, "</span></td><td>");
		joined(o, json_object_get(s, "not_met"));
		jcs_buf_puts(o, "</td><td>");
		joined(o, json_object_get(s, "not_covered"));
		jcs_buf_puts(o, "</td></tr>");
	}
	jcs_buf_puts(o, "</table>");
	evidence_table(o, json_object_get(r, "evidence"));
	jcs_buf_puts(o, "<footer>");
	jcs_buf_printf(o, "jcstar %s · ", jcs_rs(json_object_get(r, "tool"), "version"));
	esc(o, jcs_rs(r, "generated"));
	jcs_buf_puts(o, " · 宣言書 / declaration: ");
	esc(o, jcs_rs(r, "declaration"));
	if (*jcs_rs(r, "declaration_sha256")) {
		jcs_buf_puts(o, " <span class=\"hash\">SHA-256 ");
		esc(o, jcs_rs(r, "declaration_sha256"));
		jcs_buf_puts(o, "</span>");
	}
	jcs_buf_puts(o, "<br>本レポートはベンダーの自己評価を支援するものであり、製品が安全であることを保証するものではありません。"
			"This report supports the vendor's self-assessment; it does not certify that the product is secure."
			"</footer></body></html>\n");
	(void)err;
	return 0;
}

const struct jcs_report_writer jcs_writer_html = {.name = "html", .render = render};
