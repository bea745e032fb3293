/* Server-rendered web UI (no JavaScript), Japanese and English: public list and product
 * pages, procurement check, sign-in, vendor applications and the reviewer queue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry/server_int.h"
#include "report/report.h"

/* ---------------------------------------------------------------- i18n */

static const struct msg {
	const char *key, *en, *ja;
} msgs[] = {
	{"title", "JC-STAR label registry", "JC-STAR 適合ラベル登録簿"},
	{"products", "Labelled products", "適合ラベル取得製品リスト"},
	{"procurement", "Procurement check", "調達要件の確認"},
	{"apps", "Applications", "申請"},
	{"login", "Sign in", "ログイン"},
	{"logout", "Sign out", "ログアウト"},
	{"search", "Search", "検索"},
	{"keyword", "Keyword", "キーワード"},
	{"vendor", "Supplier", "事業者"},
	{"model", "Model number", "型番"},
	{"models", "Model numbers", "型番"},
	{"category", "Category", "製品類型"},
	{"level", "Level", "レベル"},
	{"status", "Status", "状態"},
	{"any", "any", "すべて"},
	{"reg_no", "Registration number", "登録番号"},
	{"product", "Product", "製品名"},
	{"valid_until", "Valid until", "有効期限"},
	{"issued", "Issued", "発行日"},
	{"firmware", "Firmware version", "ファームウェア版"},
	{"support_end", "Security support until", "サポート期限"},
	{"contact", "Security contact", "セキュリティ窓口"},
	{"update_info", "Update information", "アップデート情報"},
	{"reason", "Reason", "理由"},
	{"history", "History", "履歴"},
	{"label", "Label", "ラベル"},
	{"signed_label", "Signed label (JSON)", "署名付きラベル (JSON)"},
	{"bundle", "Offline verification bundle", "オフライン検証用データ"},
	{"export", "Export", "エクスポート"},
	{"results", "results", "件"},
	{"none", "No matching products.", "該当する製品はありません。"},
	{"next", "Next", "次へ"},
	{"prev", "Previous", "前へ"},
	{"st_valid", "valid", "有効"},
	{"st_suspended", "suspended", "一時停止"},
	{"st_revoked", "revoked", "取消し"},
	{"st_expiry_grace", "expiry grace", "失効猶予"},
	{"st_expired", "expired", "失効"},
	{"st_not_registered", "not registered", "未登録"},
	{"as_draft", "draft", "下書き"},
	{"as_submitted", "submitted", "申請済み"},
	{"as_under_review", "under review", "確認中"},
	{"as_inquiry", "inquiry to government", "関係省庁へ照会中"},
	{"as_inquiry_answered", "inquiry answered", "照会回答済み"},
	{"as_accepted", "accepted", "受理"},
	{"as_fee_confirmed", "fee confirmed", "手数料入金確認済み"},
	{"as_issued", "label issued", "ラベル発行済み"},
	{"as_rejected", "rejected", "却下"},
	{"as_withdrawn", "withdrawn", "取り下げ"},
	{"as_suspended", "suspended", "一時停止"},
	{"as_revoked", "revoked", "取消し"},
	{"as_expiry_grace", "expiry grace", "失効猶予"},
	{"as_expired", "expired", "失効"},
	{"a_create", "Create", "作成"},
	{"a_override", "Override of the review", "審査のオーバーライド"},
	{"k_report", "jcstar report (JSON)", "jcstar 評価レポート (JSON)"},
	{"k_checklist", "checklist (CSV)", "チェックリスト (CSV)"},
	{"k_sbom", "SBOM (CycloneDX JSON)", "SBOM (CycloneDX JSON)"},
	{"k_form", "application form", "申請書"},
	{"k_evaluation", "evaluation report", "評価機関の評価報告書"},
	{"r_public", "public", "一般"},
	{"r_vendor", "vendor", "ベンダー"},
	{"r_reviewer", "reviewer", "審査担当"},
	{"r_admin", "administrator", "管理者"},
	{"r_liaison", "government liaison", "関係省庁"},
	{"r_lab", "evaluation lab", "評価機関"},
	{"r_system", "system", "システム"},
	{"bytes", "bytes", "バイト"},
	{"st_unverified", "unverified (the registry's self-audit found a mismatch)", "未検証（登録簿の自己監査で不一致）"},
	{"disclaimer",
	 "A JC-STAR label means the product was declared or evaluated as meeting the requirements of its level. "
	 "It is not a guarantee that the product is free of vulnerabilities.",
	 "JC-STAR ラベルは、製品が当該レベルの要求事項への適合を宣言または評価されたことを示すもので、"
	 "脆弱性がないことを保証するものではありません。"},
	{"importance", "Importance of the system", "情報システムの重要度"},
	{"imp_low", "low", "低"},
	{"imp_medium", "medium", "中"},
	{"imp_high", "high", "高"},
	{"csv_file", "CSV file of model numbers", "型番の CSV ファイル"},
	{"or_list", "or model numbers, one per line", "または型番を1行に1つ"},
	{"check", "Check", "確認"},
	{"labelled", "Labelled", "ラベル"},
	{"meets", "Meets the requirement", "要件"},
	{"yes", "yes", "あり"},
	{"no", "no", "なし"},
	{"meets_yes", "meets", "満たす"},
	{"meets_no", "does not meet", "満たさない"},
	{"required", "Required level", "必要なレベル"},
	{"name", "Account name", "アカウント名"},
	{"password", "Password", "パスワード"},
	{"new_app", "New application", "新規申請"},
	{"app_no", "Application number", "申請番号"},
	{"state", "State", "状態"},
	{"updated", "Updated", "更新"},
	{"attachments", "Documents", "添付書類"},
	{"attach", "Attach", "添付"},
	{"kind", "Kind", "種類"},
	{"file", "File", "ファイル"},
	{"audit", "Audit trail", "監査記録"},
	{"actions", "Actions", "操作"},
	{"who", "Who", "実施者"},
	{"when", "When", "日時"},
	{"self_audit", "Registry self-audit", "登録簿の自己監査"},
	{"review", "Review of the assessment report", "評価レポートの審査"},
	{"review_none", "No jcstar report is attached.", "jcstar のレポートが添付されていません。"},
	{"review_ready", "ready to declare the level", "当該レベルの宣言が可能"},
	{"review_not_ready", "NOT ready to declare the level: issuing needs an override reason",
	 "当該レベルの宣言はできません: 発行にはオーバーライドの理由が必要です"},
	{"differences", "Differences from the application", "申請との相違"},
	{"criterion", "Criterion", "適合基準"},
	{"verdict", "Verdict", "判定"},
	{"field", "Field", "項目"},
	{"override", "Override reason (only if the report is not ready)", "オーバーライドの理由（レポートが不十分な場合のみ）"},
	{"audit_ok", "passed: every log entry, the tree heads and every registration agree",
	 "合格: ログの全エントリ、ツリーヘッド、全登録が一致しています"},
	{"audit_failed", "FAILED: the registry signs nothing until the database is repaired",
	 "不合格: データベースが修復されるまで、登録簿は何も署名しません"},
	{"audit_none", "No self-audit has run yet.", "自己監査はまだ実行されていません。"},
	{"checked_at", "Checked at (Unix time)", "確認日時 (Unix 時刻)"},
	{"tree_size", "Log entries", "ログのエントリ数"},
	{"registrations", "Registrations", "登録数"},
	{"problem", "Problem", "問題"},
	{"question", "Supply-chain question", "サプライチェーンリスクに関する照会"},
	{"answer", "Answer of the government liaison", "関係省庁の回答"},
	{"lab", "Evaluation lab", "評価機関"},
	{"create", "Save draft", "下書きを保存"},
	{"models_hint", "one per line", "1行に1つ"},
	{"signed_in_as", "Signed in as", "ログイン中"},
	{"error", "Error", "エラー"},
	{"a_submit", "Submit", "申請する"},
	{"a_withdraw", "Withdraw", "取り下げ"},
	{"a_start_review", "Start review", "確認を開始"},
	{"a_inquire", "Ask government (supply chain)", "関係省庁へ照会"},
	{"a_answer", "Answer inquiry", "照会に回答"},
	{"a_accept", "Accept", "受理"},
	{"a_reject", "Reject", "却下"},
	{"a_confirm_fee", "Confirm fee payment", "手数料の入金を確認"},
	{"a_issue", "Issue label", "ラベルを発行"},
	{"a_notify_change", "Notify a change", "変更届"},
	{"a_renew", "Renew", "更新"},
	{"a_suspend", "Suspend", "一時停止"},
	{"a_reinstate", "Reinstate", "再開"},
	{"a_revoke", "Revoke", "取消"},
	{"a_expire", "Expire", "失効"},
	{"accounts", "Accounts", "アカウント"},
	{"role", "Role", "役割"},
	{"org", "Organisation", "組織"},
	{"disabled", "disabled", "無効"},
	{"enabled", "enabled", "有効"},
	{"api_token", "API token", "API トークン"},
	{"u_disable", "Disable", "無効にする"},
	{"u_enable", "Enable", "有効にする"},
	{"u_revoke_token", "Revoke API token", "API トークンを失効"},
	{"a_lapse", "End expiry grace", "失効猶予終了"},
};

/* The message for key in the request's language, or NULL if there is none. */
static const char *msg(const struct req *r, const char *key)
{
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		if (strcmp(msgs[i].key, key) == 0)
			return r->lang == LANG_JA ? msgs[i].ja : msgs[i].en;
	return NULL;
}

static const char *T(const struct req *r, const char *key)
{
	const char *t = msg(r, key);
	return t ? t : key;
}

static const char *Tp(const struct req *r, const char *prefix, const char *key)
{
	char k[64];
	const char *t;

	snprintf(k, sizeof(k), "%s%s", prefix, key);
	t = msg(r, k);
	return t ? t : key; /* unknown: the raw value */
}

/* ------------------------------------------------------------- helpers */

/* An audit entry's action: a transition, "create", "override" or "attach:KIND". */
static void audit_action(struct req *r, struct jcs_buf *b, const char *action)
{
	if (strncmp(action, "attach:", 7) == 0) {
		jcs_buf_put_html(b, T(r, "attach"));
		jcs_buf_puts(b, ": ");
		jcs_buf_put_html(b, Tp(r, "k_", action + 7));
	} else {
		jcs_buf_put_html(b, Tp(r, "a_", action));
	}
}

#define P(b, s) jcs_buf_puts(b, s)
#define H(b, s) jcs_buf_put_html(b, (s) ? (s) : "")

static const char *js(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* The level as the scheme writes it: ★1 … ★4. */
static void stars(struct jcs_buf *b, long long level)
{
	jcs_buf_printf(b, "<span class=stars>★%lld</span>", level);
}

static void page_start(struct req *r, struct jcs_buf *b, const char *title)
{
	jcs_buf_printf(b, "<!doctype html><html lang=%s><head><meta charset=utf-8>"
		       "<meta name=viewport content=\"width=device-width,initial-scale=1\"><title>",
		       r->lang == LANG_JA ? "ja" : "en");
	H(b, title);
	P(b, " — ");
	H(b, T(r, "title"));
	P(b, "</title><style>"
	     "body{font-family:sans-serif;margin:0;color:#1a1a1a}header{background:#0b3d6e;color:#fff;padding:.6em 1em}"
	     "header a{color:#fff;margin-right:1em}main{padding:1em;max-width:72em}"
	     "table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;padding:.3em .5em;text-align:left;"
	     "vertical-align:top}th{background:#eef}.stars{color:#c90;letter-spacing:.1em}"
	     ".st-valid{color:#060}.st-revoked,.st-suspended,.st-expiry_grace,.st-expired{color:#a00;font-weight:bold}"
	     "form.inline{display:inline}fieldset{margin:.5em 0}label{display:inline-block;margin:.2em .8em .2em 0}"
	     ".err{background:#fee;border:1px solid #a00;padding:.5em}.note{color:#555;font-size:.9em}"
	     "dl{display:grid;grid-template-columns:16em 1fr}dd,td{white-space:pre-line}dt{font-weight:bold}"
	     "</style></head><body><header><strong>");
	H(b, T(r, "title"));
	P(b, "</strong> &nbsp; <a href=\"/\">");
	H(b, T(r, "products"));
	P(b, "</a><a href=\"/procurement\">");
	H(b, T(r, "procurement"));
	P(b, "</a>");
	if (r->actor.role != JCS_ROLE_PUBLIC) {
		P(b, "<a href=\"/apps\">");
		H(b, T(r, "apps"));
		P(b, "</a>");
	}
	if (r->actor.role == JCS_ROLE_ADMIN && r->by_session) {
		P(b, "<a href=\"/admin/users\">");
		H(b, T(r, "accounts"));
		P(b, "</a>");
	}
	P(b, "<a href=\"?lang=ja\">日本語</a><a href=\"?lang=en\">English</a>");
	if (r->by_session) {
		jcs_buf_printf(b, "<span>%s: ", T(r, "signed_in_as"));
		H(b, r->actor.name);
		jcs_buf_printf(b, " (%s)</span> <form class=inline method=post action=\"/logout\">"
			       "<input type=hidden name=csrf value=\"%s\"><button>%s</button></form>",
			       Tp(r, "r_", jcs_role_name(r->actor.role)), r->csrf, T(r, "logout"));
	} else {
		jcs_buf_printf(b, "<a href=\"/login\">%s</a>", T(r, "login"));
	}
	P(b, "</header><main><h1>");
	H(b, title);
	P(b, "</h1>");
}

static int page_end(struct req *r, struct jcs_buf *b, unsigned status)
{
	int ret;

	P(b, "</main></body></html>\n");
	ret = srv_send_buf(r, status, "text/html; charset=utf-8", b);
	jcs_buf_free(b);
	return ret;
}

static int error_page(struct req *r, const struct jcs_err *err)
{
	struct jcs_buf b = JCS_BUF_INIT;
	int status = srv_status_of(err);

	page_start(r, &b, T(r, "error"));
	P(&b, "<p class=err>");
	H(&b, err->msg[0] ? err->msg : jcs_strerror(err->code));
	P(&b, "</p>");
	return page_end(r, &b, (unsigned)status);
}

static int need_login(struct req *r)
{
	return srv_redirect(r, "/login", NULL);
}

static void status_cell(struct req *r, struct jcs_buf *b, const char *st)
{
	jcs_buf_printf(b, "<span class=st-%s>", strspn(st, "abcdefghijklmnopqrstuvwxyz_") == strlen(st) ? st : "x");
	H(b, Tp(r, "st_", st));
	P(b, "</span>");
}

static void url_arg(struct jcs_buf *b, const char *key, const char *v)
{
	static const char hexd[] = "0123456789ABCDEF";

	if (!v || !*v)
		return;
	jcs_buf_printf(b, "&amp;%s=", key);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-_.~", *p))
			jcs_buf_putc(b, (char)*p);
		else
			jcs_buf_printf(b, "%%%c%c", hexd[*p >> 4], hexd[*p & 15]);
	}
}

static void select_opt(struct jcs_buf *b, const char *value, const char *cur, const char *text)
{
	P(b, "<option value=\"");
	H(b, value);
	P(b, cur && strcmp(cur, value) == 0 ? "\" selected>" : "\">");
	H(b, text);
	P(b, "</option>");
}

/* ---------------------------------------------------------- public list */

int web_index(struct req *r)
{
	static const char *const statuses[] = {"valid", "suspended", "revoked", "expiry_grace", "expired"};
	struct jcs_err err = {0};
	struct jcs_buf b = JCS_BUF_INIT, qs = JCS_BUF_INIT;
	struct jcs_reg_filter f;
	json_t *list, *it;
	char lvl[2] = {0};
	long long total;
	size_t i;

	api_filter_from_query(r, &f);
	if (jcs_reg_products(r->db, &f, &list, &err))
		return error_page(r, &err);
	srv_vet(r, list);
	total = (long long)json_integer_value(json_object_get(list, "total"));
	page_start(r, &b, T(r, "products"));
	P(&b, "<form method=get action=\"/\"><fieldset>");
	jcs_buf_printf(&b, "<label>%s <input name=q value=\"", T(r, "keyword"));
	H(&b, f.q);
	jcs_buf_printf(&b, "\"></label><label>%s <input name=vendor value=\"", T(r, "vendor"));
	H(&b, f.vendor);
	jcs_buf_printf(&b, "\"></label><label>%s <input name=model value=\"", T(r, "model"));
	H(&b, f.model);
	jcs_buf_printf(&b, "\"></label><label>%s <input name=category value=\"", T(r, "category"));
	H(&b, f.category);
	jcs_buf_printf(&b, "\"></label><label>%s <select name=level>", T(r, "level"));
	if (f.level)
		lvl[0] = (char)('0' + f.level);
	select_opt(&b, "", lvl, T(r, "any"));
	select_opt(&b, "1", lvl, "★1");
	select_opt(&b, "2", lvl, "★2");
	select_opt(&b, "3", lvl, "★3");
	select_opt(&b, "4", lvl, "★4");
	jcs_buf_printf(&b, "</select></label><label>%s <select name=status>", T(r, "status"));
	select_opt(&b, "", f.status, T(r, "any"));
	for (size_t k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++)
		select_opt(&b, statuses[k], f.status, Tp(r, "st_", statuses[k]));
	jcs_buf_printf(&b, "</select></label><button>%s</button></fieldset></form>", T(r, "search"));
	url_arg(&qs, "q", f.q);
	url_arg(&qs, "vendor", f.vendor);
	url_arg(&qs, "model", f.model);
	url_arg(&qs, "category", f.category);
	url_arg(&qs, "level", lvl[0] ? lvl : NULL);
	url_arg(&qs, "status", f.status);
	jcs_buf_printf(&b, "<p>%lld %s · %s: <a href=\"/products.csv?x=1%s\">CSV</a> "
		       "<a href=\"/products.json?x=1%s\">JSON</a></p>",
		       total, T(r, "results"), T(r, "export"), qs.data ? qs.data : "", qs.data ? qs.data : "");
	if (total == 0) {
		jcs_buf_printf(&b, "<p>%s</p>", T(r, "none"));
	} else {
		jcs_buf_printf(&b, "<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
			       "<th>%s</th><th>%s</th></tr>", T(r, "reg_no"), T(r, "level"), T(r, "vendor"),
			       T(r, "product"), T(r, "models"), T(r, "category"), T(r, "status"), T(r, "valid_until"));
		json_array_foreach(json_object_get(list, "items"), i, it) {
			size_t k;
			json_t *m;

			P(&b, "<tr><td><a href=\"/products/");
			H(&b, js(it, "reg_no"));
			P(&b, "\">");
			H(&b, js(it, "reg_no"));
			P(&b, "</a></td><td>");
			stars(&b, json_integer_value(json_object_get(it, "level")));
			P(&b, "</td><td>");
			H(&b, js(it, "vendor"));
			P(&b, "</td><td>");
			H(&b, js(it, "product"));
			P(&b, "</td><td>");
			json_array_foreach(json_object_get(it, "models"), k, m) {
				if (k)
					P(&b, ", ");
				H(&b, json_string_value(m));
			}
			P(&b, "</td><td>");
			H(&b, js(it, "category"));
			P(&b, "</td><td>");
			status_cell(r, &b, js(it, "status"));
			P(&b, "</td><td>");
			H(&b, js(it, "expires"));
			P(&b, "</td></tr>");
		}
		P(&b, "</table><p>");
		if (f.offset > 0)
			jcs_buf_printf(&b, "<a href=\"/?offset=%lld%s\">%s</a> ", f.offset > f.limit ? f.offset - f.limit : 0,
				       qs.data ? qs.data : "", T(r, "prev"));
		if (f.offset + f.limit < total)
			jcs_buf_printf(&b, "<a href=\"/?offset=%lld%s\">%s</a>", f.offset + f.limit,
				       qs.data ? qs.data : "", T(r, "next"));
		P(&b, "</p>");
	}
	jcs_buf_printf(&b, "<p class=note>%s</p>", T(r, "disclaimer"));
	json_decref(list);
	jcs_buf_free(&qs);
	return page_end(r, &b, 200);
}

static void export_filter(struct req *r, struct jcs_reg_filter *f)
{
	api_filter_from_query(r, f);
	if (!srv_query(r, "limit"))
		f->limit = JCS_REG_LIST_MAX;
}

int web_export_csv(struct req *r)
{
	struct jcs_reg_filter f;

	export_filter(r, &f);
	return api_send_products_csv(r, &f);
}

int web_export_json(struct req *r)
{
	struct jcs_err err = {0};
	struct jcs_reg_filter f;
	json_t *out;

	export_filter(r, &f);
	if (jcs_reg_products(r->db, &f, &out, &err))
		return srv_send_error(r, &err);
	srv_vet(r, out);
	return srv_send_json(r, 200, out);
}

static void dl_row(struct jcs_buf *b, const char *term, const char *value)
{
	P(b, "<dt>");
	H(b, term);
	P(b, "</dt><dd>");
	H(b, value);
	P(b, "</dd>");
}

int web_product(struct req *r)
{
	struct jcs_err err = {0};
	struct jcs_buf b = JCS_BUF_INIT;
	json_t *p, *m, *h;
	size_t i;
	const char *reg;

	if (jcs_reg_product(r->db, r->arg[0], &p, &err))
		return error_page(r, &err);
	srv_vet(r, p);
	reg = js(p, "reg_no");
	page_start(r, &b, reg);
	P(&b, "<dl>");
	dl_row(&b, T(r, "reg_no"), reg);
	jcs_buf_printf(&b, "<dt>%s</dt><dd>", T(r, "level"));
	stars(&b, json_integer_value(json_object_get(p, "level")));
	jcs_buf_printf(&b, "</dd><dt>%s</dt><dd>", T(r, "status"));
	status_cell(r, &b, js(p, "status"));
	P(&b, "</dd>");
	if (*js(p, "reason"))
		dl_row(&b, T(r, "reason"), js(p, "reason"));
	dl_row(&b, T(r, "vendor"), js(p, "vendor"));
	dl_row(&b, T(r, "product"), js(p, "product"));
	jcs_buf_printf(&b, "<dt>%s</dt><dd>", T(r, "models"));
	json_array_foreach(json_object_get(p, "models"), i, m) {
		if (i)
			P(&b, ", ");
		H(&b, json_string_value(m));
	}
	P(&b, "</dd>");
	dl_row(&b, T(r, "category"), js(p, "category"));
	dl_row(&b, T(r, "firmware"), js(p, "firmware"));
	dl_row(&b, T(r, "issued"), js(p, "issued"));
	dl_row(&b, T(r, "valid_until"), js(p, "expires"));
	dl_row(&b, T(r, "support_end"), js(p, "support_end"));
	dl_row(&b, T(r, "contact"), js(p, "contact"));
	dl_row(&b, T(r, "update_info"), js(p, "update_info"));
	P(&b, "</dl><h2>");
	H(&b, T(r, "label"));
	P(&b, "</h2><p><img alt=\"JC-STAR label\" width=240 src=\"/products/");
	H(&b, reg);
	P(&b, "/label.svg\"></p><p><a href=\"/api/v1/products/");
	H(&b, reg);
	jcs_buf_printf(&b, "/label\">%s</a> · <a href=\"/api/v1/products/", T(r, "signed_label"));
	H(&b, reg);
	jcs_buf_printf(&b, "/bundle\">%s</a> · <a href=\"/products/", T(r, "bundle"));
	H(&b, reg);
	P(&b, "/label.png\">PNG</a></p>");
	if (json_array_size(json_object_get(p, "history"))) {
		jcs_buf_printf(&b, "<h2>%s</h2><table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
			       T(r, "history"), T(r, "when"), T(r, "actions"), T(r, "status"), T(r, "reason"));
		json_array_foreach(json_object_get(p, "history"), i, h) {
			char when[32];
			time_t t = (time_t)json_integer_value(json_object_get(h, "at"));
			struct tm tm;

			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
			jcs_buf_printf(&b, "<tr><td>%s</td><td>", when);
			H(&b, Tp(r, "a_", js(h, "action")));
			P(&b, "</td><td>");
			H(&b, Tp(r, "as_", js(h, "status"))); /* the application's state after it */
			P(&b, "</td><td>");
			H(&b, js(h, "note"));
			P(&b, "</td></tr>");
		}
		P(&b, "</table>");
	}
	jcs_buf_printf(&b, "<p class=note>%s</p>", T(r, "disclaimer"));
	json_decref(p);
	return page_end(r, &b, 200);
}

/* ---------------------------------------------------------- procurement */

static int models_from_text(const char *s, char ***models, size_t *n, struct jcs_err *err)
{
	/* one model number per line: the CSV reader treats each line as a row */
	return jcs_csv_models(s, strlen(s), JCS_REG_PROCURE_MAX, models, n, err);
}

int web_procurement(struct req *r)
{
	struct jcs_err err = {0};
	struct jcs_buf b = JCS_BUF_INIT;
	json_t *out = NULL, *it;
	char **models = NULL, imp[16] = "low", today[11];
	size_t n = 0, i;
	int status = 200;

	if (strcmp(r->method, "POST") == 0) {
		const struct jcs_part *pi, *pf, *pt;

		if (!r->has_mp && !r->has_form && srv_parse_body(r, &err))
			return error_page(r, &err);
		pi = jcs_multipart_get(&r->mp, "importance");
		pf = jcs_multipart_get(&r->mp, "file");
		pt = jcs_multipart_get(&r->mp, "models");
		if (r->has_form) {
			snprintf(imp, sizeof(imp), "%s", jcs_form_get(&r->form, "importance") ?
				 jcs_form_get(&r->form, "importance") : "");
			if (models_from_text(jcs_form_get(&r->form, "models") ? jcs_form_get(&r->form, "models") : "",
					     &models, &n, &err))
				return error_page(r, &err);
		} else {
			if (pi && pi->len < sizeof(imp)) {
				memcpy(imp, pi->data, pi->len);
				imp[pi->len] = 0;
			}
			if (pf && pf->len ? jcs_csv_models(pf->data, pf->len, JCS_REG_PROCURE_MAX, &models, &n, &err)
					  : pt ? jcs_csv_models(pt->data, pt->len, JCS_REG_PROCURE_MAX, &models, &n, &err)
					       : jcs_err_set(&err, JCS_ESCHEMA, "no model numbers given"))
				return error_page(r, &err);
		}
		srv_today(today);
		if (jcs_reg_procure(r->db, imp, (const char *const *)models, n, today, &out, &err)) {
			jcs_csv_models_free(models, n);
			return error_page(r, &err);
		}
		srv_vet(r, out);
	}
	page_start(r, &b, T(r, "procurement"));
	jcs_buf_printf(&b, "<form method=post enctype=\"multipart/form-data\" action=\"/procurement\"><fieldset>"
		       "<label>%s <select name=importance>", T(r, "importance"));
	select_opt(&b, "low", imp, T(r, "imp_low"));
	select_opt(&b, "medium", imp, T(r, "imp_medium"));
	select_opt(&b, "high", imp, T(r, "imp_high"));
	jcs_buf_printf(&b, "</select></label><br><label>%s <input type=file name=file accept=\".csv,text/csv\">"
		       "</label><br><label>%s<br><textarea name=models rows=5 cols=40>", T(r, "csv_file"),
		       T(r, "or_list"));
	for (i = 0; i < n; i++) {
		H(&b, models[i]);
		P(&b, "\n");
	}
	jcs_buf_printf(&b, "</textarea></label><br><button>%s</button></fieldset></form>", T(r, "check"));
	if (out) {
		jcs_buf_printf(&b, "<p>%s: ★%lld</p><table id=results><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
			       "<th>%s</th><th>%s</th><th>%s</th></tr>", T(r, "required"),
			       (long long)json_integer_value(json_object_get(out, "required_level")), T(r, "model"),
			       T(r, "labelled"), T(r, "reg_no"), T(r, "status"), T(r, "level"), T(r, "valid_until"),
			       T(r, "meets"));
		json_array_foreach(json_object_get(out, "results"), i, it) {
			P(&b, "<tr><td>");
			H(&b, js(it, "model"));
			jcs_buf_printf(&b, "</td><td>%s</td><td>",
				       json_is_true(json_object_get(it, "labelled")) ? T(r, "yes") : T(r, "no"));
			if (*js(it, "reg_no")) {
				P(&b, "<a href=\"/products/");
				H(&b, js(it, "reg_no"));
				P(&b, "\">");
				H(&b, js(it, "reg_no"));
				P(&b, "</a>");
			} else {
				P(&b, "—");
			}
			P(&b, "</td><td>");
			status_cell(r, &b, js(it, "status"));
			P(&b, "</td><td>");
			if (json_integer_value(json_object_get(it, "level")))
				stars(&b, json_integer_value(json_object_get(it, "level")));
			P(&b, "</td><td>");
			H(&b, js(it, "valid_until"));
			jcs_buf_printf(&b, "</td><td>%s</td></tr>", json_is_true(json_object_get(it, "meets"))
				       ? T(r, "meets_yes") : T(r, "meets_no"));
		}
		P(&b, "</table>");
	}
	jcs_buf_printf(&b, "<p class=note>%s</p>", T(r, "disclaimer"));
	json_decref(out);
	jcs_csv_models_free(models, n);
	return page_end(r, &b, (unsigned)status);
}

/* ------------------------------------------------------------- sign-in */

/* Sign-in has no session yet, so its CSRF token is a double-submit cookie: the form
 * carries the same random value as the cookie jcs_login, which another site can neither
 * read nor set. */
static int login_page(struct req *r, const struct jcs_err *err, unsigned status)
{
	struct jcs_buf b = JCS_BUF_INIT;
	char tok[JCS_REG_TOKEN_HEX + 1];

	if (jcs_reg_random_hex(tok, JCS_REG_TOKEN_HEX / 2))
		return srv_send(r, 500, "text/plain", "random source failed\n", 21);
	snprintf(r->set_cookie, sizeof(r->set_cookie), "jcs_login=%s; Path=/login; HttpOnly; SameSite=Strict%s", tok,
		 srv_cookie_secure(r));
	page_start(r, &b, T(r, "login"));
	if (err) {
		P(&b, "<p class=err>");
		H(&b, err->msg);
		P(&b, "</p>");
	}
	jcs_buf_printf(&b, "<form method=post action=\"/login\"><input type=hidden name=csrf value=\"%s\">"
		       "<fieldset><label>%s <input name=name required>"
		       "</label><label>%s <input type=password name=password required></label>"
		       "<button>%s</button></fieldset></form>", tok, T(r, "name"), T(r, "password"), T(r, "login"));
	return page_end(r, &b, status);
}

int web_login_form(struct req *r)
{
	return login_page(r, NULL, 200);
}

/* Failed sign-ins pause the client (its address), not the account: nobody can lock
 * someone else out. */
int web_login(struct req *r)
{
	struct jcs_err err = {0};
	char session[JCS_REG_TOKEN_HEX + 1], csrf[JCS_REG_TOKEN_HEX + 1], cookie[192];
	const char *name, *pw, *tok, *want = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "jcs_login");
	int rc;

	if (srv_login_paused(r)) {
		jcs_err_set(&err, JCS_ELIMIT, "too many failed sign-ins from your address: try again later");
		return login_page(r, &err, 429);
	}
	if (srv_parse_body(r, &err) || !r->has_form)
		return login_page(r, &err, 400);
	name = jcs_form_get(&r->form, "name");
	pw = jcs_form_get(&r->form, "password");
	tok = jcs_form_get(&r->form, "csrf");
	if (!tok || !want || !srv_token_eq(tok, strlen(tok), want)) {
		jcs_err_set(&err, JCS_EPERM, "missing or wrong CSRF token: reload the sign-in page");
		return login_page(r, &err, 403);
	}
	if (!name || !pw) {
		jcs_err_set(&err, JCS_ESCHEMA, "name and password are required");
		return login_page(r, &err, 400);
	}
	rc = jcs_reg_login(r->db, name, pw, time(NULL), &r->actor, session, csrf, &err);
	if (rc != JCS_EDB)
		srv_login_result(r, rc == 0);
	if (rc)
		return login_page(r, &err, rc == JCS_EPERM ? 401 : 500);
	snprintf(cookie, sizeof(cookie), "jcs_session=%s; Path=/; HttpOnly; SameSite=Strict%s", session,
		 srv_cookie_secure(r));
	return srv_redirect(r, "/apps", cookie);
}

int web_logout(struct req *r)
{
	if (r->by_session)
		jcs_reg_logout(r->db, r->session, NULL);
	snprintf(r->set_cookie, sizeof(r->set_cookie), "jcs_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
		 srv_cookie_secure(r));
	return srv_redirect(r, "/", NULL);
}

/* --------------------------------------------------------- applications */

/* The administrator's status page: the last self-audit. */
int web_admin(struct req *r)
{
	struct jcs_buf b = JCS_BUF_INIT;
	json_t *rep, *p;
	size_t i;
	bool ok;

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	if (r->actor.role != JCS_ROLE_ADMIN) {
		struct jcs_err err;
		jcs_err_set(&err, JCS_EPERM, "admin only");
		return error_page(r, &err);
	}
	rep = srv_audit_report(r->srv);
	page_start(r, &b, T(r, "self_audit"));
	if (!rep) {
		jcs_buf_printf(&b, "<p>%s</p>", T(r, "audit_none"));
		return page_end(r, &b, 200);
	}
	ok = json_is_true(json_object_get(rep, "ok"));
	jcs_buf_printf(&b, "<p id=audit class=%s>%s</p><dl><dt>%s</dt><dd>%lld</dd><dt>%s</dt><dd>%lld</dd>"
		       "<dt>%s</dt><dd>%lld</dd></dl>", ok ? "st-valid" : "st-revoked",
		       T(r, ok ? "audit_ok" : "audit_failed"), T(r, "checked_at"),
		       (long long)json_integer_value(json_object_get(rep, "checked_at")), T(r, "tree_size"),
		       (long long)json_integer_value(json_object_get(rep, "tree_size")), T(r, "registrations"),
		       (long long)json_integer_value(json_object_get(rep, "registrations")));
	if (!ok) {
		jcs_buf_printf(&b, "<table id=problems><tr><th>%s</th><th>%s</th></tr>", T(r, "reg_no"), T(r, "problem"));
		json_array_foreach(json_object_get(rep, "problems"), i, p) {
			P(&b, "<tr><td>");
			H(&b, js(p, "reg_no"));
			P(&b, "</td><td>");
			H(&b, js(p, "problem"));
			P(&b, "</td></tr>");
		}
		P(&b, "</table>");
	}
	json_decref(rep);
	return page_end(r, &b, ok ? 200 : 503);
}

int web_apps(struct req *r)
{
	struct jcs_err err = {0};
	struct jcs_buf b = JCS_BUF_INIT;
	json_t *list, *a;
	size_t i;

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	if (jcs_reg_app_list(r->db, &r->actor, srv_query(r, "state"), &list, &err))
		return error_page(r, &err);
	page_start(r, &b, T(r, "apps"));
	if (r->actor.role == JCS_ROLE_VENDOR)
		jcs_buf_printf(&b, "<p><a href=\"/apps/new\">%s</a></p>", T(r, "new_app"));
	jcs_buf_printf(&b, "<table id=apps><tr><th>#</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
		       "<th>%s</th></tr>", T(r, "app_no"), T(r, "vendor"), T(r, "product"), T(r, "level"),
		       T(r, "state"), T(r, "actions"));
	json_array_foreach(list, i, a) {
		size_t k;
		json_t *act;

		jcs_buf_printf(&b, "<tr><td><a href=\"/apps/%lld\">%lld</a></td><td>",
			       (long long)json_integer_value(json_object_get(a, "id")),
			       (long long)json_integer_value(json_object_get(a, "id")));
		H(&b, js(a, "app_no"));
		P(&b, "</td><td>");
		H(&b, js(a, "vendor"));
		P(&b, "</td><td>");
		H(&b, js(a, "product"));
		P(&b, "</td><td>");
		stars(&b, json_integer_value(json_object_get(a, "level")));
		P(&b, "</td><td>");
		H(&b, Tp(r, "as_", js(a, "state")));
		P(&b, "</td><td>");
		json_array_foreach(json_object_get(a, "actions"), k, act) {
			if (k)
				P(&b, ", ");
			H(&b, Tp(r, "a_", json_string_value(act)));
		}
		P(&b, "</td></tr>");
	}
	P(&b, "</table>");
	json_decref(list);
	return page_end(r, &b, 200);
}

static void input_row(struct req *r, struct jcs_buf *b, const char *name, const char *type, bool required)
{
	jcs_buf_printf(b, "<p><label>%s<br><input name=%s type=%s size=60%s></label></p>", T(r, name), name, type,
		       required ? " required" : "");
}

int web_app_new(struct req *r)
{
	struct jcs_buf b = JCS_BUF_INIT;

	if (r->actor.role != JCS_ROLE_VENDOR)
		return need_login(r);
	page_start(r, &b, T(r, "new_app"));
	jcs_buf_printf(&b, "<form method=post action=\"/apps\"><input type=hidden name=csrf value=\"%s\">", r->csrf);
	input_row(r, &b, "product", "text", true);
	input_row(r, &b, "category", "text", true);
	jcs_buf_printf(&b, "<p><label>%s<br><select name=level>", T(r, "level"));
	select_opt(&b, "1", "1", "★1");
	select_opt(&b, "2", "", "★2");
	select_opt(&b, "3", "", "★3");
	select_opt(&b, "4", "", "★4");
	jcs_buf_printf(&b, "</select></label></p><p><label>%s (%s)<br><textarea name=models rows=4 cols=40 required>"
		       "</textarea></label></p>", T(r, "models"), T(r, "models_hint"));
	input_row(r, &b, "firmware", "text", true);
	input_row(r, &b, "support_end", "date", true);
	input_row(r, &b, "contact", "text", true);
	jcs_buf_printf(&b, "<p><label>%s<br><textarea name=update_info rows=3 cols=60></textarea></label></p>",
		       T(r, "update_info"));
	input_row(r, &b, "lab", "text", false);
	jcs_buf_printf(&b, "<button>%s</button></form>", T(r, "create"));
	return page_end(r, &b, 200);
}

int web_app_create(struct req *r)
{
	static const char *const keys[] = {"product", "category", "firmware", "support_end", "contact",
					   "update_info", "lab"};
	struct jcs_err err = {0};
	json_t *f = json_object(), *models = json_array();
	const char *lvl, *ms;
	char **mv = NULL, loc[64];
	size_t n = 0;
	long long id;
	int rc;

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	if (!r->has_form && (rc = srv_parse_body(r, &err)))
		goto fail;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (jcs_form_get(&r->form, keys[i]))
			json_object_set_new(f, keys[i], json_string(jcs_form_get(&r->form, keys[i])));
	lvl = jcs_form_get(&r->form, "level");
	json_object_set_new(f, "level", json_integer(lvl && strlen(lvl) == 1 ? lvl[0] - '0' : 0));
	ms = jcs_form_get(&r->form, "models");
	if (ms && *ms && (rc = jcs_csv_models(ms, strlen(ms), JCS_REG_MODELS_MAX, &mv, &n, &err)))
		goto fail;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(models, json_string(mv[i]));
	json_object_set(f, "models", models);
	if ((rc = jcs_reg_app_create(r->db, &r->actor, f, &id, &err)))
		goto fail;
	json_decref(f);
	json_decref(models);
	jcs_csv_models_free(mv, n);
	snprintf(loc, sizeof(loc), "/apps/%lld", id);
	return srv_redirect(r, loc, NULL);
fail:
	json_decref(f);
	json_decref(models);
	jcs_csv_models_free(mv, n);
	return error_page(r, &err);
}

/* Extra form fields an action needs. */
static void action_form(struct req *r, struct jcs_buf *b, long long id, const char *action)
{
	jcs_buf_printf(b, "<form method=post action=\"/apps/%lld/action\"><fieldset><input type=hidden name=csrf "
		       "value=\"%s\"><input type=hidden name=action value=\"%s\">", id, r->csrf, action);
	if (strcmp(action, "inquire") == 0)
		jcs_buf_printf(b, "<label>%s<br><textarea name=question rows=2 cols=60 required></textarea></label><br>",
			       T(r, "question"));
	else if (strcmp(action, "answer") == 0)
		jcs_buf_printf(b, "<label>%s<br><textarea name=answer rows=2 cols=60 required></textarea></label><br>",
			       T(r, "answer"));
	if (strcmp(action, "notify_change") == 0) {
		jcs_buf_printf(b, "<label>%s <input name=firmware></label><label>%s <input name=support_end type=date>"
			       "</label><br><label>%s<br><textarea name=update_info rows=2 cols=60></textarea></label><br>",
			       T(r, "firmware"), T(r, "support_end"), T(r, "update_info"));
	}
	if (strcmp(action, "issue") == 0)
		jcs_buf_printf(b, "<label>%s<br><textarea name=override rows=2 cols=60></textarea></label><br>",
			       T(r, "override"));
	if (strcmp(action, "reject") == 0 || strcmp(action, "suspend") == 0 || strcmp(action, "revoke") == 0 ||
	    strcmp(action, "notify_change") == 0)
		jcs_buf_printf(b, "<label>%s<br><textarea name=reason rows=2 cols=60 required></textarea></label><br>",
			       T(r, "reason"));
	jcs_buf_printf(b, "<button name=do value=\"%s\">%s</button></fieldset></form>", action, Tp(r, "a_", action));
}

/* The reviewer's view of the newest report: verdict, per-criterion table, differences. */
static void review_section(struct req *r, struct jcs_buf *b, const json_t *rev)
{
	const json_t *x;
	size_t i;

	jcs_buf_printf(b, "<h2>%s</h2>", T(r, "review"));
	if (!json_is_object(rev)) {
		jcs_buf_printf(b, "<p>%s</p>", T(r, "review_none"));
		return;
	}
	if (json_object_get(rev, "error")) {
		P(b, "<p class=st-revoked>");
		H(b, js(rev, "error"));
		P(b, "</p>");
		return;
	}
	jcs_buf_printf(b, "<p id=review class=%s>", json_is_true(json_object_get(rev, "ready")) ? "st-valid" : "st-revoked");
	H(b, js(rev, "statement"));
	jcs_buf_printf(b, " — %s (", T(r, json_is_true(json_object_get(rev, "ready")) ? "review_ready" : "review_not_ready"));
	H(b, js(rev, "file"));
	P(b, ", SHA-256 ");
	H(b, js(rev, "sha256"));
	P(b, ")</p>");
	if (json_array_size(json_object_get(rev, "differences"))) {
		jcs_buf_printf(b, "<h3>%s</h3><table id=differences><tr><th>%s</th><th>%s</th><th>%s</th></tr>",
			       T(r, "differences"), T(r, "field"), T(r, "apps"), "jcstar report");
		json_array_foreach(json_object_get(rev, "differences"), i, x) {
			P(b, "<tr><td>");
			H(b, js(x, "field"));
			P(b, "</td><td>");
			H(b, js(x, "application"));
			P(b, "</td><td>");
			H(b, js(x, "report"));
			P(b, "</td></tr>");
		}
		P(b, "</table>");
	}
	jcs_buf_printf(b, "<table id=verdicts><tr><th>%s</th><th>%s</th></tr>", T(r, "criterion"), T(r, "verdict"));
	json_array_foreach(json_object_get(rev, "verdicts"), i, x) {
		P(b, "<tr><td>");
		H(b, js(x, "criterion"));
		jcs_buf_printf(b, "</td><td class=v-%s>", strcmp(js(x, "verdict"), "conform") == 0 ? "ok" : "no");
		H(b, r->lang == LANG_JA ? jcs_verdict_ja(js(x, "verdict")) : js(x, "verdict"));
		P(b, "</td></tr>");
	}
	P(b, "</table>");
}

int web_app(struct req *r)
{
	struct jcs_err err = {0};
	struct jcs_buf b = JCS_BUF_INIT;
	long long id = srv_id(r->arg[0]);
	json_t *a, *x, *m;
	size_t i;
	char title[64];
	bool can_attach;

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	if (id < 0 || jcs_reg_app_get(r->db, &r->actor, id, &a, &err)) {
		if (id < 0)
			jcs_err_set(&err, JCS_ENOTFOUND, "no such application");
		return error_page(r, &err);
	}
	snprintf(title, sizeof(title), "%s #%lld", T(r, "apps"), id);
	page_start(r, &b, title);
	P(&b, "<dl>");
	dl_row(&b, T(r, "app_no"), js(a, "app_no"));
	jcs_buf_printf(&b, "<dt>%s</dt><dd id=state data-state=\"", T(r, "state"));
	H(&b, js(a, "state"));
	P(&b, "\">");
	H(&b, Tp(r, "as_", js(a, "state")));
	P(&b, "</dd>");
	if ((x = json_object_get(a, "registration"))) {
		jcs_buf_printf(&b, "<dt>%s</dt><dd><a id=regno href=\"/products/", T(r, "reg_no"));
		H(&b, js(x, "reg_no"));
		P(&b, "\">");
		H(&b, js(x, "reg_no"));
		P(&b, "</a></dd>");
	}
	dl_row(&b, T(r, "vendor"), js(a, "vendor"));
	dl_row(&b, T(r, "product"), js(a, "product"));
	jcs_buf_printf(&b, "<dt>%s</dt><dd>", T(r, "level"));
	stars(&b, json_integer_value(json_object_get(a, "level")));
	jcs_buf_printf(&b, "</dd><dt>%s</dt><dd>", T(r, "models"));
	json_array_foreach(json_object_get(a, "models"), i, m) {
		if (i)
			P(&b, ", ");
		H(&b, json_string_value(m));
	}
	P(&b, "</dd>");
	dl_row(&b, T(r, "category"), js(a, "category"));
	dl_row(&b, T(r, "firmware"), js(a, "firmware"));
	dl_row(&b, T(r, "support_end"), js(a, "support_end"));
	dl_row(&b, T(r, "contact"), js(a, "contact"));
	dl_row(&b, T(r, "update_info"), js(a, "update_info"));
	dl_row(&b, T(r, "lab"), js(a, "lab"));
	if (*js(a, "question"))
		dl_row(&b, T(r, "question"), js(a, "question"));
	if (*js(a, "answer"))
		dl_row(&b, T(r, "answer"), js(a, "answer"));
	if (*js(a, "reason"))
		dl_row(&b, T(r, "reason"), js(a, "reason"));
	jcs_buf_printf(&b, "</dl><h2>%s</h2><ul>", T(r, "attachments"));
	json_array_foreach(json_object_get(a, "attachments"), i, x) {
		jcs_buf_printf(&b, "<li><a href=\"/api/v1/applications/%lld/attachments/%lld\">", id,
			       (long long)json_integer_value(json_object_get(x, "id")));
		H(&b, js(x, "name"));
		P(&b, "</a> (");
		H(&b, Tp(r, "k_", js(x, "kind")));
		jcs_buf_printf(&b, ", %lld %s, ", (long long)json_integer_value(json_object_get(x, "size")), T(r, "bytes"));
		H(&b, js(x, "uploader"));
		P(&b, ")</li>");
	}
	P(&b, "</ul>");
	review_section(r, &b, json_object_get(a, "review"));
	can_attach = r->actor.role == JCS_ROLE_VENDOR || r->actor.role == JCS_ROLE_LAB;
	if (can_attach) {
		jcs_buf_printf(&b, "<form method=post enctype=\"multipart/form-data\" action=\"/apps/%lld/attach\">"
			       "<fieldset><input type=hidden name=csrf value=\"%s\"><label>%s <select name=kind>",
			       id, r->csrf, T(r, "kind"));
		if (r->actor.role == JCS_ROLE_VENDOR) {
			select_opt(&b, "report", "", T(r, "k_report"));
			select_opt(&b, "checklist", "", T(r, "k_checklist"));
			select_opt(&b, "sbom", "", T(r, "k_sbom"));
			select_opt(&b, "form", "", T(r, "k_form"));
		} else {
			select_opt(&b, "evaluation", "", T(r, "k_evaluation"));
		}
		jcs_buf_printf(&b, "</select></label><label>%s <input type=file name=file required></label>"
			       "<button>%s</button></fieldset></form>", T(r, "file"), T(r, "attach"));
	}
	jcs_buf_printf(&b, "<h2>%s</h2>", T(r, "actions"));
	json_array_foreach(json_object_get(a, "actions"), i, x)
		action_form(r, &b, id, json_string_value(x));
	jcs_buf_printf(&b, "<h2>%s</h2><table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
		       T(r, "audit"), T(r, "when"), T(r, "who"), T(r, "actions"), T(r, "state"), T(r, "reason"));
	json_array_foreach(json_object_get(a, "audit"), i, x) {
		char when[32];
		time_t t = (time_t)json_integer_value(json_object_get(x, "at"));
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		jcs_buf_printf(&b, "<tr><td>%s</td><td>", when);
		H(&b, js(x, "actor"));
		P(&b, " (");
		H(&b, Tp(r, "r_", js(x, "role")));
		P(&b, ")</td><td>");
		audit_action(r, &b, js(x, "action"));
		P(&b, "</td><td>");
		if (*js(x, "from"))
			H(&b, Tp(r, "as_", js(x, "from")));
		P(&b, " → ");
		H(&b, Tp(r, "as_", js(x, "to")));
		P(&b, "</td><td>");
		H(&b, js(x, "reason"));
		P(&b, "</td></tr>");
	}
	P(&b, "</table>");
	json_decref(a);
	return page_end(r, &b, 200);
}

int web_app_action(struct req *r)
{
	static const char *const change_keys[] = {"firmware", "support_end", "update_info"};
	struct jcs_err err = {0};
	long long id = srv_id(r->arg[0]);
	json_t *args, *changes;
	char loc[64];
	int rc;

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	if (!r->has_form && srv_parse_body(r, &err))
		return error_page(r, &err);
	args = json_object();
	changes = json_object();
	for (size_t i = 0; i < r->form.n; i++) {
		const char *k = r->form.f[i].key, *v = r->form.f[i].value;

		if (strcmp(k, "reason") == 0 || strcmp(k, "question") == 0 || strcmp(k, "answer") == 0 ||
		    strcmp(k, "override") == 0)
			json_object_set_new(args, k, json_string(v));
		for (size_t c = 0; c < 3; c++)
			if (strcmp(k, change_keys[c]) == 0 && *v)
				json_object_set_new(changes, k, json_string(v));
	}
	if (json_object_size(changes))
		json_object_set(args, "changes", changes);
	rc = id < 0 ? jcs_err_set(&err, JCS_ENOTFOUND, "no such application")
		    : jcs_reg_transition(r->db, &r->srv->reg, &r->actor, id, jcs_form_get(&r->form, "action"), args,
					 NULL, &err);
	json_decref(args);
	json_decref(changes);
	if (rc)
		return error_page(r, &err);
	snprintf(loc, sizeof(loc), "/apps/%lld", id);
	return srv_redirect(r, loc, NULL);
}

int web_app_attach(struct req *r)
{
	struct jcs_err err = {0};
	long long id = srv_id(r->arg[0]), att;
	const struct jcs_part *kind, *file;
	char kbuf[32], loc[64];

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	if (!r->has_mp && srv_parse_body(r, &err))
		return error_page(r, &err);
	kind = jcs_multipart_get(&r->mp, "kind");
	file = jcs_multipart_get(&r->mp, "file");
	if (id < 0 || !kind || !file || kind->len >= sizeof(kbuf)) {
		jcs_err_set(&err, JCS_ESCHEMA, "choose a kind and a file");
		return error_page(r, &err);
	}
	memcpy(kbuf, kind->data, kind->len);
	kbuf[kind->len] = 0;
	if (jcs_reg_attach(r->db, &r->actor, id, kbuf, file->filename[0] ? file->filename : "upload", file->ctype,
			   file->data, file->len, &att, &err))
		return error_page(r, &err);
	snprintf(loc, sizeof(loc), "/apps/%lld", id);
	return srv_redirect(r, loc, NULL);
}

/* ------------------------------------------------------------ accounts */

int web_users(struct req *r)
{
	static const char *const acts[] = {"u_disable", "u_enable", "u_revoke_token"};
	struct jcs_err err = {0};
	struct jcs_buf b = JCS_BUF_INIT;
	json_t *list, *u;
	size_t i;

	if (r->actor.role != JCS_ROLE_ADMIN || !r->by_session)
		return need_login(r);
	if (jcs_reg_users(r->db, &list, &err))
		return error_page(r, &err);
	page_start(r, &b, T(r, "accounts"));
	jcs_buf_printf(&b, "<table id=users><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
		       T(r, "name"), T(r, "role"), T(r, "org"), T(r, "state"), T(r, "api_token"), T(r, "actions"));
	json_array_foreach(list, i, u) {
		bool off = json_is_true(json_object_get(u, "disabled"));

		P(&b, "<tr><td>");
		H(&b, js(u, "name"));
		P(&b, "</td><td>");
		H(&b, Tp(r, "r_", js(u, "role")));
		P(&b, "</td><td>");
		H(&b, js(u, "org"));
		jcs_buf_printf(&b, "</td><td>%s</td><td>%s</td><td>", T(r, off ? "disabled" : "enabled"),
			       T(r, json_is_true(json_object_get(u, "token")) ? "yes" : "no"));
		for (size_t k = 0; k < 3; k++) {
			if ((k == 0 && off) || (k == 1 && !off) || strcmp(js(u, "name"), r->actor.name) == 0)
				continue;
			P(&b, "<form class=inline method=post action=\"/admin/users/");
			H(&b, js(u, "name"));
			jcs_buf_printf(&b, "\"><input type=hidden name=csrf value=\"%s\"><input type=hidden name=action"
				       " value=%s><button>%s</button></form> ", r->csrf, acts[k] + 2, T(r, acts[k]));
		}
		P(&b, "</td></tr>");
	}
	P(&b, "</table>");
	json_decref(list);
	return page_end(r, &b, 200);
}

int web_user_action(struct req *r)
{
	struct jcs_err err = {0};
	const char *a;
	int rc;

	if (r->actor.role != JCS_ROLE_ADMIN || !r->by_session)
		return need_login(r);
	if (!r->has_form && srv_parse_body(r, &err))
		return error_page(r, &err);
	a = jcs_form_get(&r->form, "action");
	if (strcmp(r->arg[0], r->actor.name) == 0)
		rc = jcs_err_set(&err, JCS_ECONFLICT, "an admin cannot change their own account here");
	else if (a && strcmp(a, "disable") == 0)
		rc = jcs_reg_user_disable(r->db, r->arg[0], true, &err);
	else if (a && strcmp(a, "enable") == 0)
		rc = jcs_reg_user_disable(r->db, r->arg[0], false, &err);
	else if (a && strcmp(a, "revoke_token") == 0)
		rc = jcs_reg_user_token(r->db, r->arg[0], NULL, &err);
	else
		rc = jcs_err_set(&err, JCS_ESCHEMA, "unknown action");
	if (rc)
		return error_page(r, &err);
	return srv_redirect(r, "/admin/users", NULL);
}
