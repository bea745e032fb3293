/* The application workflow: ONE transition table (from-state, action, to-state, role,
 * reason/guard/effect) and one function that applies it inside a transaction with an
 * audit entry (who, when, why). Issuance, changes, renewals, suspensions and revocations
 * sign a statement (label.h) and append it to the transparency log in the same transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jcstar/buf.h"
#include "jcstar/digest.h"
#include "registry/monitor.h"
#include "registry/registry.h"

struct wf_ctx {
	struct jcs_store *db;
	const struct jcs_registry *reg;
	const struct jcs_actor *actor;
	json_t *app;          /* the application row (jcs_reg_app_row) */
	const json_t *args;
	const char *reason;
	char today[11];
};

typedef int (*wf_fn)(struct wf_ctx *c, struct jcs_err *err);

struct wf_transition {
	const char *from;
	const char *action;
	const char *to;
	enum jcs_role role;
	bool needs_reason;    /* reason text is mandatory (recorded in the audit trail) */
	wf_fn guard;          /* may refuse (JCS_ESCHEMA) before anything changes; NULL = none */
	wf_fn effect;         /* runs after the state change, inside the transaction; NULL = none */
};

/* Actions that change what the public list shows (they bump the 'public' generation). */
static const char *const public_actions = " issue notify_change renew suspend reinstate revoke expire lapse ";

static int guard_documents(struct wf_ctx *c, struct jcs_err *err);
static int guard_evaluation(struct wf_ctx *c, struct jcs_err *err);
static int guard_question(struct wf_ctx *c, struct jcs_err *err);
static int guard_answer(struct wf_ctx *c, struct jcs_err *err);
static int guard_change(struct wf_ctx *c, struct jcs_err *err);
static int guard_issue(struct wf_ctx *c, struct jcs_err *err);
static int eff_number(struct wf_ctx *c, struct jcs_err *err);
static int eff_question(struct wf_ctx *c, struct jcs_err *err);
static int eff_answer(struct wf_ctx *c, struct jcs_err *err);
static int eff_reason(struct wf_ctx *c, struct jcs_err *err);
static int eff_issue(struct wf_ctx *c, struct jcs_err *err);
static int eff_change(struct wf_ctx *c, struct jcs_err *err);
static int eff_renew(struct wf_ctx *c, struct jcs_err *err);
static int eff_suspend(struct wf_ctx *c, struct jcs_err *err);
static int eff_reinstate(struct wf_ctx *c, struct jcs_err *err);
static int eff_revoke(struct wf_ctx *c, struct jcs_err *err);
static int eff_expire(struct wf_ctx *c, struct jcs_err *err);
static int eff_lapse(struct wf_ctx *c, struct jcs_err *err);

static const struct wf_transition table[] = {
	/* from              action           to                role               reason guard             effect */
	{"draft",            "submit",        "submitted",      JCS_ROLE_VENDOR,   false, guard_documents,  eff_number},
	{"draft",            "withdraw",      "withdrawn",      JCS_ROLE_VENDOR,   false, NULL,             NULL},
	{"submitted",        "withdraw",      "withdrawn",      JCS_ROLE_VENDOR,   false, NULL,             NULL},
	{"submitted",        "start_review",  "under_review",   JCS_ROLE_REVIEWER, false, NULL,             NULL},
	{"under_review",     "inquire",       "inquiry",        JCS_ROLE_REVIEWER, false, guard_question,   eff_question},
	{"under_review",     "reject",        "rejected",       JCS_ROLE_REVIEWER, true,  NULL,             eff_reason},
	{"inquiry",          "answer",        "inquiry_answered", JCS_ROLE_LIAISON, false, guard_answer,    eff_answer},
	{"inquiry_answered", "accept",        "accepted",       JCS_ROLE_REVIEWER, false, guard_evaluation, NULL},
	{"inquiry_answered", "reject",        "rejected",       JCS_ROLE_REVIEWER, true,  NULL,             eff_reason},
	{"accepted",         "confirm_fee",   "fee_confirmed",  JCS_ROLE_ADMIN,    false, NULL,             NULL},
	{"accepted",         "reject",        "rejected",       JCS_ROLE_REVIEWER, true,  NULL,             eff_reason},
	{"fee_confirmed",    "issue",         "issued",         JCS_ROLE_REVIEWER, false, guard_issue,      eff_issue},
	/* the way out when issuance cannot succeed */
	{"fee_confirmed",    "reject",        "rejected",       JCS_ROLE_REVIEWER, true,  NULL,             eff_reason},
	{"issued",           "notify_change", "issued",         JCS_ROLE_VENDOR,   true,  guard_change,     eff_change},
	{"issued",           "renew",         "issued",         JCS_ROLE_REVIEWER, false, NULL,             eff_renew},
	{"expiry_grace",     "renew",         "issued",         JCS_ROLE_REVIEWER, false, NULL,             eff_renew},
	{"expired",          "renew",         "issued",         JCS_ROLE_REVIEWER, false, NULL,             eff_renew},
	{"issued",           "suspend",       "suspended",      JCS_ROLE_REVIEWER, true,  NULL,             eff_suspend},
	{"suspended",        "reinstate",     "issued",         JCS_ROLE_REVIEWER, false, NULL,             eff_reinstate},
	{"issued",           "revoke",        "revoked",        JCS_ROLE_REVIEWER, true,  NULL,             eff_revoke},
	{"suspended",        "revoke",        "revoked",        JCS_ROLE_REVIEWER, true,  NULL,             eff_revoke},
	{"issued",           "expire",        "expiry_grace",   JCS_ROLE_SYSTEM,   false, NULL,             eff_expire},
	{"expiry_grace",     "lapse",         "expired",        JCS_ROLE_SYSTEM,   false, NULL,             eff_lapse},
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static long long jint(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

json_t *jcs_reg_actions_for(const struct jcs_actor *a, const char *state, bool owner)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && owner && i < NTABLE; i++)
		if (table[i].role == a->role && strcmp(table[i].from, state) == 0)
			json_array_append_new(arr, json_string(table[i].action));
	return arr;
}

json_t *jcs_reg_workflow_json(void)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < NTABLE; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:b}", "from", table[i].from,
			"action", table[i].action, "to", table[i].to, "role", jcs_role_name(table[i].role),
			"reason_required", table[i].needs_reason));
	return arr;
}

/* ------------------------------------------------------------- guards */

static int count_attachments(struct wf_ctx *c, const char *kind, long long *n, struct jcs_err *err)
{
	static const char sql[] = "SELECT count(*) FROM attachments WHERE app_id = $1 AND kind = $2";
	char id[24];
	const char *p[] = {id, kind};
	struct jcs_rows r;
	int rc;

	snprintf(id, sizeof(id), "%lld", jint(c->app, "id"));
	if ((rc = jcs_store_exec(c->db, sql, 2, p, &r, err)))
		return rc;
	*n = jcs_rows_int(&r, 0, 0);
	jcs_rows_free(&r);
	return 0;
}

/* IPA's application documents: the checklist and (for us) the jcstar report behind it. */
static int guard_documents(struct wf_ctx *c, struct jcs_err *err)
{
	static const char *const need[] = {"report", "checklist"};
	long long n;
	int rc;

	for (size_t i = 0; i < 2; i++) {
		if ((rc = count_attachments(c, need[i], &n, err)))
			return rc;
		if (n == 0)
			return jcs_err_set(err, JCS_ESCHEMA, "attach a %s before submitting", need[i]);
	}
	return 0;
}

/* ★3/★4: an accredited lab's conformity evaluation report must be on file. */
static int guard_evaluation(struct wf_ctx *c, struct jcs_err *err)
{
	long long n = 1;
	int rc;

	if (jint(c->app, "level") >= 3) {
		if ((rc = count_attachments(c, "evaluation", &n, err)))
			return rc;
		if (n == 0)
			return jcs_err_set(err, JCS_ESCHEMA,
					   "★%lld needs an evaluation report uploaded by the evaluation lab",
					   jint(c->app, "level"));
	}
	return 0;
}

static int text_arg(struct wf_ctx *c, const char *key, struct jcs_err *err)
{
	const char *s = json_string_value(json_object_get(c->args, key));

	if (!s || !*s || !jcs_reg_text_ok(s, JCS_REG_TEXT_MAX, true))
		return jcs_err_set(err, JCS_ESCHEMA, "'%s' is required (text, at most %d bytes)", key,
				   JCS_REG_TEXT_MAX);
	return 0;
}

static int guard_question(struct wf_ctx *c, struct jcs_err *err)
{
	return text_arg(c, "question", err);
}

static int guard_answer(struct wf_ctx *c, struct jcs_err *err)
{
	return text_arg(c, "answer", err);
}

static const char *const change_keys[] = {"product", "firmware", "support_end", "contact", "update_info"};

static int guard_change(struct wf_ctx *c, struct jcs_err *err)
{
	const json_t *ch = json_object_get(c->args, "changes");
	const char *k;
	json_t *v;
	size_t known = 0;

	if (!json_is_object(ch) || json_object_size(ch) == 0)
		return jcs_err_set(err, JCS_ESCHEMA, "'changes' must name at least one of product, firmware, "
				   "support_end, contact, update_info");
	json_object_foreach((json_t *)ch, k, v) {
		const char *s = json_string_value(v);

		for (size_t i = 0; i < sizeof(change_keys) / sizeof(change_keys[0]); i++)
			known += strcmp(k, change_keys[i]) == 0;
		if (!s || !*s || !jcs_reg_text_ok(s, JCS_REG_TEXT_MAX, strcmp(k, "update_info") == 0))
			return jcs_err_set(err, JCS_ESCHEMA, "change '%s': non-empty text", k);
		if (strcmp(k, "support_end") == 0 && !jcs_date_valid(s))
			return jcs_err_set(err, JCS_ESCHEMA, "change 'support_end': a date YYYY-MM-DD");
	}
	if (known != json_object_size(ch))
		return jcs_err_set(err, JCS_ESCHEMA, "'changes' may only name product, firmware, support_end, "
				   "contact, update_info");
	return 0;
}

/* The review of the newest report against the application as it stands in c->app (the
 * same checks as at attachment and issuance, review.c): why stays empty when the report is
 * about this product (vendor, model, firmware, level) and ready to declare the level; its
 * SHA-256 goes to sha. */
static int review_newest_report(struct wf_ctx *c, char *why, size_t n, char sha[JCS_SHA256_HEX], struct jcs_err *err)
{
	json_t *rev = NULL, *d;
	size_t i, used = 0;
	int rc;

	why[0] = 0;
	if ((rc = jcs_reg_app_review(c->db, c->app, &rev, err)))
		return rc;
	if (!rev)
		return jcs_err_set(err, JCS_ESCHEMA, "no jcstar report is attached: a label binds the report it is issued on");
	snprintf(sha, JCS_SHA256_HEX, "%s", json_string_value(json_object_get(rev, "sha256")));
	json_array_foreach(json_object_get(rev, "differences"), i, d)
		if (used < n)
			used += (size_t)snprintf(why + used, n - used, "%s%s: application '%s', report '%s'",
						 i ? "; " : "the report is about another product (",
						 json_string_value(json_object_get(d, "field")),
						 json_string_value(json_object_get(d, "application")),
						 json_string_value(json_object_get(d, "report")));
	if (used && used < n)
		snprintf(why + used, n - used, ")");
	else if (!used && !json_is_true(json_object_get(rev, "ready")))
		snprintf(why, n, "the report is not ready to declare the level: %s",
			 json_string_value(json_object_get(rev, "statement")));
	json_decref(rev);
	return 0;
}

/* Issuance on evidence: the newest report must be ready to declare the application's level
 * and be about its product; otherwise the reviewer gives an 'override' reason, which is
 * audited (action "override") and shown with the application. */
static int guard_issue(struct wf_ctx *c, struct jcs_err *err)
{
	const char *override = json_string_value(json_object_get(c->args, "override"));
	char why[600], sha[JCS_SHA256_HEX];
	int rc;

	if ((rc = review_newest_report(c, why, sizeof(why), sha, err)))
		return rc;
	if (!why[0])
		return 0;
	if (!override || !*override || !jcs_reg_text_ok(override, JCS_REG_TEXT_MAX, true))
		return jcs_err_set(err, JCS_ESCHEMA, "%s; issuing anyway needs an 'override' reason", why);
	{
		char text[JCS_REG_TEXT_MAX + 700];
		snprintf(text, sizeof(text), "%s — %s", override, why);
		return jcs_reg_audit(c->db, jint(c->app, "id"), c->actor, "override", jstr(c->app, "state"),
				     jstr(c->app, "state"), text, err);
	}
}

/* ------------------------------------------------------------ effects */

static int set_app_text(struct wf_ctx *c, const char *column_sql, const char *value, struct jcs_err *err)
{
	char id[24];
	const char *p[] = {value, id};

	snprintf(id, sizeof(id), "%lld", jint(c->app, "id"));
	return jcs_store_exec(c->db, column_sql, 2, p, NULL, err);
}

static int eff_number(struct wf_ctx *c, struct jcs_err *err)
{
	static const char sql[] = "UPDATE applications SET app_no = $1 WHERE id = $2";
	char no[32];

	/* application numbers follow the row id, which the counter made unique and gapless */
	snprintf(no, sizeof(no), "APP-%.4s-%06lld", c->today, jint(c->app, "id"));
	return set_app_text(c, sql, no, err);
}

static int eff_question(struct wf_ctx *c, struct jcs_err *err)
{
	static const char sql[] = "UPDATE applications SET question = $1 WHERE id = $2";
	return set_app_text(c, sql, jstr(c->args, "question"), err);
}

static int eff_answer(struct wf_ctx *c, struct jcs_err *err)
{
	static const char sql[] = "UPDATE applications SET answer = $1 WHERE id = $2";
	return set_app_text(c, sql, jstr(c->args, "answer"), err);
}

static int eff_reason(struct wf_ctx *c, struct jcs_err *err)
{
	static const char sql[] = "UPDATE applications SET reason = $1 WHERE id = $2";
	return set_app_text(c, sql, c->reason, err);
}

/* The registration of this application (reg_no, issued, expires) into buffers. */
static int load_registration(struct wf_ctx *c, char *reg_no, char *issued, char *expires, struct jcs_err *err)
{
	static const char sql[] = "SELECT reg_no, issued, expires FROM registrations WHERE app_id = $1";
	char id[24];
	const char *p[] = {id};
	struct jcs_rows r;
	int rc;

	snprintf(id, sizeof(id), "%lld", jint(c->app, "id"));
	if ((rc = jcs_store_exec(c->db, sql, 1, p, &r, err)))
		return rc;
	if (r.nrows != 1) {
		rc = jcs_err_set(err, JCS_EDB, "application %lld has no registration", jint(c->app, "id"));
	} else {
		snprintf(reg_no, JCS_REGNO_MAX, "%s", jcs_rows_get(&r, 0, 0));
		snprintf(issued, 11, "%s", jcs_rows_get(&r, 0, 1));
		snprintf(expires, 11, "%s", jcs_rows_get(&r, 0, 2));
	}
	jcs_rows_free(&r);
	return rc;
}

/* Sign the label of the application (current row values) and store + log it. */
static int sign_label(struct wf_ctx *c, const char *reg_no, const char *issued, const char *expires,
		      struct jcs_err *err)
{
	static const char sql[] = "UPDATE registrations SET status = 'valid', issued = $1,"
				  " expires = $2, product = $3, firmware = $4, support_end = $5, contact = $6,"
				  " update_info = $7, reason = '', updated = $8 WHERE reg_no = $9";
	static const char q_stmt[] = "INSERT INTO label_statements (reg_no, statement) VALUES ($1, $2)"
				     " ON CONFLICT (reg_no) DO UPDATE SET statement = excluded.statement";
	const json_t *models = json_object_get(c->app, "models");
	const char *mv[JCS_REG_MODELS_MAX];
	char url[512], now[24], report[65], sbom[65], *env = NULL;
	struct jcs_label l = {0};
	long long idx;
	int rc;

	/* jcstar.label/2 binds the report reviewed (the newest; none can be attached after
	 * review) and the newest SBOM, or says there is none */
	rc = jcs_reg_app_doc_sha256(c->db, c->app, "report", report, err);
	if (rc == JCS_ENOTFOUND)
		return jcs_err_set(err, JCS_ESCHEMA, "no jcstar report is attached: a label binds the report it is issued on");
	if (rc || ((rc = jcs_reg_app_doc_sha256(c->db, c->app, "sbom", sbom, err)) && rc != JCS_ENOTFOUND))
		return rc;
	l.report_sha256 = report;
	l.sbom_sha256 = rc ? NULL : sbom;
	l.firmware = jstr(c->app, "firmware");
	for (size_t i = 0; i < json_array_size(models) && i < JCS_REG_MODELS_MAX; i++)
		mv[i] = json_string_value(json_array_get(models, i));
	snprintf(url, sizeof(url), "%s/products/%s", c->reg->base_url, reg_no);
	l.registration_number = reg_no;
	l.vendor = jstr(c->app, "vendor");
	l.product = jstr(c->app, "product");
	l.models = mv;
	l.nmodels = json_array_size(models);
	l.level = (int)jint(c->app, "level");
	l.issued = issued;
	l.expires = expires;
	l.status = JCS_LSTAT_VALID;
	l.registry = c->reg->registry_id;
	l.url = url;
	if ((rc = jcs_reg_may_sign(c->reg, err)) || (rc = jcs_label_sign(&l, c->reg->key, &env, err)))
		return rc;
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	{
		const char *p[] = {issued, expires, jstr(c->app, "product"), jstr(c->app, "firmware"),
				   jstr(c->app, "support_end"), jstr(c->app, "contact"), jstr(c->app, "update_info"),
				   now, reg_no};
		const char *ps[] = {reg_no, env};

		if (!(rc = jcs_store_exec(c->db, sql, 9, p, NULL, err)) &&
		    !(rc = jcs_store_exec(c->db, q_stmt, 2, ps, NULL, err)))
			rc = jcs_reg_log_append(c->db, "label", reg_no, env, &idx, err);
	}
	free(env);
	return rc;
}

static int eff_issue(struct wf_ctx *c, struct jcs_err *err)
{
	static const char q_seq[] = "INSERT INTO regno_seq (year, v) VALUES ($1, 1) ON CONFLICT (year)"
				    " DO UPDATE SET v = regno_seq.v + 1 RETURNING v";
	static const char q_reg[] = "INSERT INTO registrations (reg_no, app_id, level, vendor_org, product,"
				    " category, models, firmware, support_end, contact, update_info, status, issued,"
				    " expires, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
				    " 'valid', $12, $13, $14)";
	static const char q_model[] = "INSERT INTO models (reg_no, model) VALUES ($1, $2)";
	const json_t *models = json_object_get(c->app, "models");
	char year[8], reg_no[JCS_REGNO_MAX], expires[11], id[24], lvl[8], now[24];
	struct jcs_buf joined = JCS_BUF_INIT;
	struct jcs_rows r;
	int rc;

	snprintf(year, sizeof(year), "%.4s", c->today);
	{
		const char *p[] = {year};

		if ((rc = jcs_store_exec(c->db, q_seq, 1, p, &r, err)))
			return rc;
	}
	rc = jcs_regno_format((int)jint(c->app, "level"), atoi(year), (uint32_t)jcs_rows_int(&r, 0, 0), reg_no,
			      sizeof(reg_no));
	jcs_rows_free(&r);
	if (rc)
		return jcs_err_set(err, rc, "registration numbers for %s are exhausted", year);
	if ((rc = jcs_date_add_years(c->today, 2, expires, sizeof(expires))))
		return jcs_err_set(err, rc, "bad date");
	for (size_t i = 0; i < json_array_size(models); i++)
		if ((i && jcs_buf_putc(&joined, '\n')) ||
		    jcs_buf_puts(&joined, json_string_value(json_array_get(models, i))))
			return JCS_ENOMEM;
	snprintf(id, sizeof(id), "%lld", jint(c->app, "id"));
	snprintf(lvl, sizeof(lvl), "%lld", jint(c->app, "level"));
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	{
		const char *p[] = {reg_no, id, lvl, jstr(c->app, "vendor"), jstr(c->app, "product"),
				   jstr(c->app, "category"), joined.data, jstr(c->app, "firmware"),
				   jstr(c->app, "support_end"), jstr(c->app, "contact"), jstr(c->app, "update_info"),
				   c->today, expires, now};

		rc = jcs_store_exec(c->db, q_reg, 14, p, NULL, err);
	}
	jcs_buf_free(&joined);
	for (size_t i = 0; !rc && i < json_array_size(models); i++) {
		const char *p[] = {reg_no, json_string_value(json_array_get(models, i))};

		rc = jcs_store_exec(c->db, q_model, 2, p, NULL, err);
	}
	if (rc || (rc = sign_label(c, reg_no, c->today, expires, err)))
		return rc;
	return jcs_mon_index(c->db, jint(c->app, "id"), reg_no, jstr(c->app, "firmware"), err);
}

/* A re-signed label must not claim that a report assessed firmware it never saw. A change of
 * firmware needs a new report about it (reviewed as at issuance: about this product, ready
 * to declare the level; a vendor has no override) and, when the label bound an SBOM, a new
 * SBOM; any other change re-signs on the very report the label already binds, so a report
 * attached while issued (for a coming firmware change) is never bound by it; renewal and
 * reinstatement keep the firmware too. c->app holds the changed values; reg_no's current
 * credential is the one being replaced. */
static int change_evidence(struct wf_ctx *c, const char *reg_no, bool new_fw, struct jcs_err *err)
{
	char why[600], sha[JCS_SHA256_HEX], sbom[JCS_SHA256_HEX], *env = NULL;
	struct jcs_label *old = NULL;
	int rc;

	if ((rc = review_newest_report(c, why, sizeof(why), sha, err)) || (rc = jcs_reg_label(c->db, reg_no, &env, err)))
		goto out;
	if ((rc = jcs_label_parse(env, strlen(env), &old, err)))
		goto out;
	if (!new_fw) {
		if (old->report_sha256 && strcmp(sha, old->report_sha256) != 0)
			rc = jcs_err_set(err, JCS_ESCHEMA, "a report was attached after the label was signed: it is "
					 "bound only by a change notice of its firmware ('%s' is unchanged)",
					 jstr(c->app, "firmware"));
		goto out;
	}
	if (why[0]) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "firmware %s needs a new jcstar report about it: %s",
				 jstr(c->app, "firmware"), why);
		goto out;
	}
	if (!old->sbom_sha256)
		goto out;
	rc = jcs_reg_app_doc_sha256(c->db, c->app, "sbom", sbom, err);
	if (!rc && strcmp(sbom, old->sbom_sha256) == 0)
		rc = jcs_err_set(err, JCS_ESCHEMA, "firmware %s needs its own SBOM: the label binds one, attach the "
				 "new firmware's SBOM first", jstr(c->app, "firmware"));
out:
	jcs_label_free(old);
	free(env);
	return rc;
}

static int eff_change(struct wf_ctx *c, struct jcs_err *err)
{
	/* one statement per column keeps every statement static and prepared */
	static const char *const sql[] = {
		"UPDATE applications SET product = $1 WHERE id = $2",
		"UPDATE applications SET firmware = $1 WHERE id = $2",
		"UPDATE applications SET support_end = $1 WHERE id = $2",
		"UPDATE applications SET contact = $1 WHERE id = $2",
		"UPDATE applications SET update_info = $1 WHERE id = $2",
	};
	static const char q_recent[] = "SELECT count(*) FROM audit WHERE app_id = $1 AND action = 'notify_change'"
				       " AND at > $2";
	const json_t *ch = json_object_get(c->args, "changes");
	char reg_no[JCS_REGNO_MAX], issued[11], expires[11], id[24], since[24];
	const char *p[] = {id, since};
	struct jcs_rows r;
	bool differs = false, new_fw;
	int rc;

	/* on the locked, current row: a notice that changes nothing is not signed or logged
	 * again, and a vendor cannot flood the log */
	for (size_t i = 0; i < sizeof(change_keys) / sizeof(change_keys[0]); i++) {
		const char *v = json_string_value(json_object_get(ch, change_keys[i]));

		differs |= v && strcmp(v, jstr(c->app, change_keys[i])) != 0;
	}
	if (!differs)
		return jcs_err_set(err, JCS_ECONFLICT, "the registration already says so: nothing changes");
	snprintf(id, sizeof(id), "%lld", jint(c->app, "id"));
	snprintf(since, sizeof(since), "%lld", (long long)time(NULL) - JCS_REG_CHANGE_WINDOW);
	if ((rc = jcs_store_exec(c->db, q_recent, 2, p, &r, err)))
		return rc;
	rc = jcs_rows_int(&r, 0, 0) >= JCS_REG_CHANGE_MAX
		     ? jcs_err_set(err, JCS_ELIMIT, "rate limit: at most %d change notices per hour", JCS_REG_CHANGE_MAX)
		     : 0;
	jcs_rows_free(&r);
	if (rc)
		return rc;
	new_fw = json_object_get(ch, "firmware") && strcmp(jstr(ch, "firmware"), jstr(c->app, "firmware")) != 0;
	for (size_t i = 0; i < sizeof(change_keys) / sizeof(change_keys[0]); i++) {
		const char *v = json_string_value(json_object_get(ch, change_keys[i]));

		if (!v)
			continue;
		if ((rc = set_app_text(c, sql[i], v, err)))
			return rc;
		json_object_set_new(c->app, change_keys[i], json_string(v));
	}
	if ((rc = load_registration(c, reg_no, issued, expires, err)) ||
	    (rc = change_evidence(c, reg_no, new_fw, err)) ||
	    (rc = sign_label(c, reg_no, issued, expires, err)))
		return rc;
	/* a change notice may come with the new firmware's SBOM (attached while issued) */
	return jcs_mon_index(c->db, jint(c->app, "id"), reg_no, jstr(c->app, "firmware"), err);
}

static int eff_renew(struct wf_ctx *c, struct jcs_err *err)
{
	char reg_no[JCS_REGNO_MAX], issued[11], expires[11];
	int rc;

	if ((rc = load_registration(c, reg_no, issued, expires, err)))
		return rc;
	if ((rc = jcs_date_add_years(c->today, 2, expires, sizeof(expires))))
		return jcs_err_set(err, rc, "bad date");
	if ((rc = change_evidence(c, reg_no, false, err)))
		return rc;
	return sign_label(c, reg_no, c->today, expires, err);
}

static int set_status(struct wf_ctx *c, const char *reg_no, const char *status, struct jcs_err *err)
{
	static const char sql[] = "UPDATE registrations SET status = $1, reason = $2, updated = $3 WHERE reg_no = $4";
	char now[24];
	const char *p[] = {status, c->reason ? c->reason : "", now, reg_no};

	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	return jcs_store_exec(c->db, sql, 4, p, NULL, err);
}

static int withdraw_label(struct wf_ctx *c, enum jcs_label_status st, struct jcs_err *err)
{
	char reg_no[JCS_REGNO_MAX], issued[11], expires[11], *env = NULL, *one_line;
	struct jcs_revocation rv = {0};
	long long idx;
	int rc;

	if ((rc = load_registration(c, reg_no, issued, expires, err)))
		return rc;
	/* the signed statement holds one line; the full text stays in the audit trail */
	if (!(one_line = c->reason ? strdup(c->reason) : NULL) && c->reason)
		return JCS_ENOMEM;
	for (char *p = one_line; p && *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	rv.registration_number = reg_no;
	rv.status = st;
	rv.reason = one_line;
	rv.effective = c->today;
	rv.registry = c->reg->registry_id;
	if ((rc = jcs_reg_may_sign(c->reg, err)) || (rc = jcs_revocation_sign(&rv, c->reg->key, &env, err))) {
		free(one_line);
		return rc;
	}
	if (!(rc = set_status(c, reg_no, jcs_label_status_name(st), err)))
		rc = jcs_reg_log_append(c->db, "revocation", reg_no, env, &idx, err);
	free(env);
	free(one_line);
	return rc;
}

static int eff_suspend(struct wf_ctx *c, struct jcs_err *err)
{
	return withdraw_label(c, JCS_LSTAT_SUSPENDED, err);
}

static int eff_revoke(struct wf_ctx *c, struct jcs_err *err)
{
	return withdraw_label(c, JCS_LSTAT_REVOKED, err);
}

/* A suspension applies to credentials signed before it: a fresh signature lifts it. */
static int eff_reinstate(struct wf_ctx *c, struct jcs_err *err)
{
	char reg_no[JCS_REGNO_MAX], issued[11], expires[11];
	int rc;

	if ((rc = load_registration(c, reg_no, issued, expires, err)) || (rc = change_evidence(c, reg_no, false, err)))
		return rc;
	return sign_label(c, reg_no, issued, expires, err);
}

/* Expiry needs no signature: every label carries its expiry date, and status statements
 * derive expiry grace and expiry from it (jcs_status_acc_finish). */
static int expire_to(struct wf_ctx *c, enum jcs_reg_status st, struct jcs_err *err)
{
	char reg_no[JCS_REGNO_MAX], issued[11], expires[11];
	int rc;

	if ((rc = load_registration(c, reg_no, issued, expires, err)))
		return rc;
	return set_status(c, reg_no, jcs_reg_status_name(st), err);
}

static int eff_expire(struct wf_ctx *c, struct jcs_err *err)
{
	return expire_to(c, JCS_RSTAT_EXPIRY_GRACE, err);
}

static int eff_lapse(struct wf_ctx *c, struct jcs_err *err)
{
	return expire_to(c, JCS_RSTAT_EXPIRED, err);
}

/* --------------------------------------------------------------- apply */

int jcs_reg_transition(struct jcs_store *db, const struct jcs_registry *reg, const struct jcs_actor *a,
		       long long id, const char *action, const json_t *args, json_t **out,
		       struct jcs_err *err)
{
	static const char sql[] = "UPDATE applications SET state = $1, updated = $2 WHERE id = $3 AND state = $4";
	const struct wf_transition *t = NULL;
	struct wf_ctx c = {db, reg, a, NULL, args, NULL, ""};
	struct jcs_rows r = {0};
	bool known = false;
	char now[24], idb[24], from[32];
	const char *state;
	int rc;

	if (out)
		*out = NULL;
	for (size_t i = 0; i < NTABLE; i++)
		known |= action && strcmp(table[i].action, action) == 0;
	if (!known)
		return jcs_err_set(err, JCS_ESCHEMA, "unknown action '%s'", action ? action : "");
	c.reason = json_string_value(json_object_get(args, "reason"));
	if (c.reason && !jcs_reg_text_ok(c.reason, JCS_REG_TEXT_MAX, true))
		return jcs_err_set(err, JCS_ESCHEMA, "'reason': text of at most %d bytes", JCS_REG_TEXT_MAX);
	jcs_date_of(time(NULL), c.today, sizeof(c.today));
	if ((rc = jcs_store_begin(db, err)) || (rc = jcs_reg_app_row(db, id, &c.app, err)))
		goto out;
	if (!jcs_reg_app_visible(a, c.app)) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no application %lld", id);
		goto out;
	}
	snprintf(from, sizeof(from), "%s", jstr(c.app, "state"));
	state = from;
	for (size_t i = 0; i < NTABLE && !t; i++)
		if (strcmp(table[i].action, action) == 0 && strcmp(table[i].from, state) == 0)
			t = &table[i];
	if (!t) {
		rc = jcs_err_set(err, JCS_ECONFLICT, "'%s' is not possible in state %s", action, state);
		goto out;
	}
	if (t->role != a->role) {
		rc = jcs_err_set(err, JCS_EPERM, "'%s' is for the %s role", action, jcs_role_name(t->role));
		goto out;
	}
	if (t->needs_reason && (!c.reason || !*c.reason)) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "'%s' needs a reason", action);
		goto out;
	}
	if (t->guard && (rc = t->guard(&c, err)))
		goto out;
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	snprintf(idb, sizeof(idb), "%lld", id);
	{
		const char *p[] = {t->to, now, idb, state};

		if ((rc = jcs_store_exec(db, sql, 4, p, &r, err)))
			goto out;
	}
	if (r.changes != 1) {
		rc = jcs_err_set(err, JCS_ECONFLICT, "application %lld changed concurrently", id);
		goto out;
	}
	/* the UPDATE holds the row lock now: effects work on the current row, not on what was
	 * read before another transaction (e.g. a concurrent change notification) committed */
	json_decref(c.app);
	c.app = NULL;
	if ((rc = jcs_reg_app_row(db, id, &c.app, err)))
		goto out;
	if (t->effect && (rc = t->effect(&c, err)))
		goto out;
	{
		char word[40];
		long long gen;

		snprintf(word, sizeof(word), " %s ", action);
		if (strstr(public_actions, word) && (rc = jcs_reg_counter_next(db, "public", &gen, err)))
			goto out;
	}
	{
		/* the audit trail's "why": the reason, else the question/answer text */
		const char *why = c.reason ? c.reason : json_string_value(json_object_get(args, "question"));

		if (!why)
			why = json_string_value(json_object_get(args, "answer"));
		if ((rc = jcs_reg_audit(db, id, a, action, state, t->to, why, err)) ||
		    (rc = jcs_store_commit(db, err)))
			goto out;
	}
	if (out)
		rc = jcs_reg_app_get(db, a, id, out, err);
out:
	if (rc)
		jcs_store_rollback(db);
	jcs_rows_free(&r);
	json_decref(c.app);
	return rc;
}

/* Apply the system action to every application that sql (one parameter: a date) selects. */
static int sweep(struct jcs_store *db, const struct jcs_registry *reg, const char *sql, const char *date,
		 const char *action, int *count, struct jcs_err *err)
{
	const struct jcs_actor sys = {0, JCS_ROLE_SYSTEM, "system", ""};
	const char *p[] = {date};
	struct jcs_rows r;
	int rc, progress;

	for (;;) {
		if ((rc = jcs_store_exec(db, sql, 1, p, &r, err)))
			return rc;
		if (r.nrows == 0) {
			jcs_rows_free(&r);
			return 0;
		}
		progress = 0;
		for (size_t i = 0; i < r.nrows; i++) {
			rc = jcs_reg_transition(db, reg, &sys, jcs_rows_int(&r, i, 0), action, NULL, NULL, err);
			if (rc == JCS_ECONFLICT) /* another server got there first */
				continue;
			if (rc) {
				jcs_rows_free(&r);
				return rc;
			}
			(*count)++;
			progress++;
		}
		jcs_rows_free(&r);
		if (!progress)
			return 0;
	}
}

int jcs_reg_expire(struct jcs_store *db, const struct jcs_registry *reg, const char *today, int *count,
		   struct jcs_err *err)
{
	static const char q_expire[] = "SELECT app_id FROM registrations WHERE status = 'valid' AND expires < $1"
				       " ORDER BY app_id LIMIT 200";
	static const char q_lapse[] = "SELECT app_id FROM registrations WHERE status = 'expiry_grace'"
				      " AND expires < $1 ORDER BY app_id LIMIT 200";
	struct tm tm = {0};
	char grace_start[11];
	int rc;

	*count = 0;
	/* grace ends JCS_STATUS_GRACE_DAYS after expiry: lapse those that expired before today - N */
	sscanf(today, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	jcs_date_of(timegm(&tm) - (time_t)JCS_STATUS_GRACE_DAYS * 86400, grace_start, sizeof(grace_start));
	if ((rc = sweep(db, reg, q_expire, today, "expire", count, err)))
		return rc;
	return sweep(db, reg, q_lapse, grace_start, "lapse", count, err);
}
