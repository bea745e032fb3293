/* Label credentials and revocations (docs/label-credential.md). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jcstar/label.h"
#include "registry/stmt.h"
#include "jcstar/tlog.h"

/* ------------------------------------------------- registration numbers */

int jcs_regno_format(int level, int year, uint32_t serial, char *buf, size_t len)
{
	if (level < 1 || level > 4 || year < 2000 || year > 9999 || serial < 1 || serial > 999999 ||
	    len < JCS_REGNO_MAX)
		return JCS_EINVAL;
	snprintf(buf, len, "JCS-%d-%04d-%06u", level, year, (unsigned)serial);
	return 0;
}

int jcs_regno_parse(const char *s, int *level, int *year, uint32_t *serial)
{
	unsigned long v = 0;
	int y = 0;

	/* JCS-L-YYYY-NNNNNN: exactly 17 characters */
	if (strlen(s) != 17 || strncmp(s, "JCS-", 4) != 0 || s[4] < '1' || s[4] > '4' || s[5] != '-' ||
	    s[10] != '-')
		return JCS_EPARSE;
	for (int i = 6; i < 10; i++) {
		if (s[i] < '0' || s[i] > '9')
			return JCS_EPARSE;
		y = y * 10 + (s[i] - '0');
	}
	for (int i = 11; i < 17; i++) {
		if (s[i] < '0' || s[i] > '9')
			return JCS_EPARSE;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (y < 2000 || v == 0)
		return JCS_EPARSE;
	if (level)
		*level = s[4] - '0';
	if (year)
		*year = y;
	if (serial)
		*serial = (uint32_t)v;
	return 0;
}

/* ------------------------------------------------------------- dates */

bool jcs_date_valid(const char *s)
{
	return s && stmt_is_date(s);
}

int jcs_date_add_years(const char *date, int years, char *out, size_t len)
{
	int y, m, d;

	if (!jcs_date_valid(date) || len < 11 || years < 0 || years > 100)
		return JCS_EINVAL;
	sscanf(date, "%4d-%2d-%2d", &y, &m, &d);
	y += years;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		d = 28;
	if (y > 9999)
		return JCS_EINVAL;
	snprintf(out, len, "%04d-%02d-%02d", y, m, d);
	return 0;
}

void jcs_date_of(time_t t, char *out, size_t len)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d", &tm);
}

/* ------------------------------------------------------------- status names */

static const char *const status_names[] = {"valid", "suspended", "revoked"};

const char *jcs_label_status_name(enum jcs_label_status s)
{
	return (unsigned)s < 3 ? status_names[s] : "?";
}

static enum jcs_label_status status_parse(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, status_names[i]) == 0)
			return (enum jcs_label_status)i;
	return JCS_LSTAT_REVOKED; /* unreachable for validated payloads */
}

const char *jcs_label_verdict_name(enum jcs_label_verdict v)
{
	static const char *const names[] = {"valid",   "not yet valid", "expired",    "suspended",
					    "revoked", "expiry grace",  "superseded", "status not checked"};
	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

static const char *const rstat_names[JCS_RSTAT_COUNT] = {"valid", "suspended", "revoked", "expiry_grace",
							 "expired"};
/* IPA's words on its public list (有効 / 失効猶予 / 失効 / 取消し) and suspension */
static const char *const rstat_ja[JCS_RSTAT_COUNT] = {"有効", "一時停止", "取消し", "失効猶予", "失効"};

const char *jcs_reg_status_name(enum jcs_reg_status s)
{
	return (unsigned)s < JCS_RSTAT_COUNT ? rstat_names[s] : "?";
}

const char *jcs_reg_status_ja(enum jcs_reg_status s)
{
	return (unsigned)s < JCS_RSTAT_COUNT ? rstat_ja[s] : "?";
}

int jcs_reg_status_parse(const char *s, enum jcs_reg_status *out)
{
	for (int i = 0; s && i < JCS_RSTAT_COUNT; i++)
		if (strcmp(s, rstat_names[i]) == 0) {
			*out = (enum jcs_reg_status)i;
			return 0;
		}
	return JCS_EPARSE;
}

/* ------------------------------------------------------------- labels */

/* A parsed label: the public struct plus the payload its strings point into. */
struct label_owned {
	struct jcs_label l;
	json_t *payload;
	const char **models;
};

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Rules beyond the field table: level matches the number, expiry after issue, distinct models. */
static int label_cross_check(const json_t *p, struct jcs_err *err)
{
	const json_t *models = json_object_get(p, "models");
	int level;

	jcs_regno_parse(sget(p, "registration_number"), &level, NULL, NULL);
	if (level != json_integer_value(json_object_get(p, "level")))
		return jcs_err_set(err, JCS_ESCHEMA, "level %lld does not match registration number %s",
				   (long long)json_integer_value(json_object_get(p, "level")),
				   sget(p, "registration_number"));
	if (strcmp(sget(p, "expires"), sget(p, "issued")) <= 0)
		return jcs_err_set(err, JCS_ESCHEMA, "expires (%s) is not after issued (%s)", sget(p, "expires"),
				   sget(p, "issued"));
	for (size_t i = 0; i < json_array_size(models); i++)
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_array_get(models, i), json_array_get(models, j)))
				return jcs_err_set(err, JCS_ESCHEMA, "model \"%s\" listed twice",
						   json_string_value(json_array_get(models, i)));
	return 0;
}

int jcs_label_sign(const struct jcs_label *l, const struct jcs_key *k, char **out, struct jcs_err *err)
{
	char now[32];
	json_t *p, *models = json_array();
	int rc = 0;

	*out = NULL;
	if (!l->registration_number || !l->vendor || !l->product || !l->issued || !l->expires || !l->registry ||
	    !l->url || (l->nmodels && !l->models) || (unsigned)l->status > JCS_LSTAT_REVOKED ||
	    (l->report_sha256 && !l->firmware)) {
		json_decref(models);
		return jcs_err_set(err, JCS_EINVAL, "label: a required field is missing");
	}
	if (!l->signed_at)
		stmt_time_of(time(NULL), now, sizeof(now));
	for (size_t i = 0; i < l->nmodels && models; i++)
		if (!l->models[i] || json_array_append_new(models, json_string(l->models[i]))) {
			json_decref(models);
			return jcs_err_set(err, JCS_ESCHEMA, "label: model %zu is not valid UTF-8", i);
		}
	p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:s, s:s, s:s}", "schema",
		      l->report_sha256 ? JCS_SCHEMA_LABEL2 : JCS_SCHEMA_LABEL, "registration_number",
		      l->registration_number, "vendor", l->vendor, "product", l->product, "issued", l->issued,
		      "expires", l->expires, "status", jcs_label_status_name(l->status), "level", (json_int_t)l->level,
		      "models", models, "registry", l->registry, "url", l->url, "signed_at",
		      l->signed_at ? l->signed_at : now);
	/* label/2: the SBOM is "none" when the application has none, so a verifier is told so */
	if (p && l->report_sha256 &&
	    (json_object_set_new(p, "firmware", json_string(l->firmware)) ||
	     json_object_set_new(p, "report_sha256", json_string(l->report_sha256)) ||
	     json_object_set_new(p, "sbom_sha256", json_string(l->sbom_sha256 ? l->sbom_sha256 : "none")))) {
		json_decref(p);
		p = NULL;
	}
	if (!p)
		return jcs_err_set(err, JCS_ESCHEMA, "label: a field is not valid UTF-8");
	rc = stmt_seal(p, k, label_cross_check, out, err);
	json_decref(p);
	return rc;
}

static int label_from_payload(json_t *p, struct jcs_label **out, struct jcs_err *err)
{
	struct label_owned *o;
	const json_t *models = json_object_get(p, "models");
	int rc = label_cross_check(p, err);

	*out = NULL;
	if (rc)
		return rc;
	o = calloc(1, sizeof(*o));
	if (!o || !(o->models = calloc(json_array_size(models), sizeof(*o->models)))) {
		free(o);
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < json_array_size(models); i++)
		o->models[i] = json_string_value(json_array_get(models, i));
	o->payload = json_incref(p);
	o->l.registration_number = sget(p, "registration_number");
	o->l.vendor = sget(p, "vendor");
	o->l.product = sget(p, "product");
	o->l.models = o->models;
	o->l.nmodels = json_array_size(models);
	o->l.level = (int)json_integer_value(json_object_get(p, "level"));
	o->l.issued = sget(p, "issued");
	o->l.expires = sget(p, "expires");
	o->l.status = status_parse(sget(p, "status"));
	o->l.registry = sget(p, "registry");
	o->l.url = sget(p, "url");
	o->l.signed_at = sget(p, "signed_at");
	o->l.key_id = sget(p, "key_id");
	o->l.version = strcmp(sget(p, "schema"), JCS_SCHEMA_LABEL2) == 0 ? 2 : 1;
	o->l.firmware = sget(p, "firmware");
	o->l.report_sha256 = sget(p, "report_sha256");
	o->l.sbom_sha256 = sget(p, "sbom_sha256");
	if (o->l.sbom_sha256 && strcmp(o->l.sbom_sha256, "none") == 0)
		o->l.sbom_sha256 = NULL;
	*out = &o->l;
	return 0;
}

/* The label of an opened payload (rc: how the opening went); p is released. */
static int label_take(int rc, json_t *p, struct jcs_label **out, struct jcs_err *err)
{
	const char *schema;

	*out = NULL;
	if (!rc) { /* either version of the credential */
		schema = sget(p, "schema");
		rc = strcmp(schema, JCS_SCHEMA_LABEL) == 0 || strcmp(schema, JCS_SCHEMA_LABEL2) == 0
			     ? label_from_payload(p, out, err)
			     : jcs_err_set(err, JCS_ESCHEMA, "payload schema is not %s or %s", JCS_SCHEMA_LABEL,
					   JCS_SCHEMA_LABEL2);
	}
	json_decref(p);
	return rc;
}

int jcs_label_verify(const char *text, size_t len, const struct jcs_key *pub, struct jcs_label **out,
		     struct jcs_err *err)
{
	json_t *p;
	int rc = stmt_verify(text, len, NULL, pub, &p, err);
	return label_take(rc, p, out, err);
}

int jcs_label_parse(const char *text, size_t len, struct jcs_label **out, struct jcs_err *err)
{
	json_t *p;
	int rc = stmt_open(text, len, NULL, &p, err);
	return label_take(rc, p, out, err);
}

void jcs_label_free(struct jcs_label *l)
{
	struct label_owned *o;

	if (!l)
		return;
	o = (struct label_owned *)((char *)l - offsetof(struct label_owned, l));
	json_decref(o->payload);
	free(o->models);
	free(o);
}

const char *jcs_label_doc_name(enum jcs_label_doc d)
{
	return d == JCS_LABEL_DOC_REPORT ? "report" : "SBOM";
}

int jcs_label_check_doc(const struct jcs_label *l, enum jcs_label_doc d, const char *sha256_hex,
			struct jcs_err *err)
{
	const char *want = d == JCS_LABEL_DOC_REPORT ? l->report_sha256 : l->sbom_sha256;

	if (l->version < 2)
		return jcs_err_set(err, JCS_ECONFLICT, "a %s credential binds no %s: the file cannot be confirmed",
				   JCS_SCHEMA_LABEL, jcs_label_doc_name(d));
	if (!want)
		return jcs_err_set(err, JCS_ECONFLICT, "the label says the application had no SBOM");
	if (!sha256_hex || strcmp(sha256_hex, want) != 0)
		return jcs_err_set(err, JCS_ECONFLICT, "not the %s this label binds: its SHA-256 is %s, the label's %s",
				   jcs_label_doc_name(d), sha256_hex ? sha256_hex : "?", want);
	return 0;
}

/* ------------------------------------------------------------- revocations */

struct rev_owned {
	struct jcs_revocation r;
	json_t *payload;
};

int jcs_revocation_sign(const struct jcs_revocation *r, const struct jcs_key *k, char **out,
			struct jcs_err *err)
{
	char now[32];
	json_t *p;
	int rc;

	*out = NULL;
	if (!r->registration_number || !r->reason || !r->effective || !r->registry ||
	    (r->status != JCS_LSTAT_REVOKED && r->status != JCS_LSTAT_SUSPENDED))
		return jcs_err_set(err, JCS_EINVAL, "revocation: a required field is missing");
	if (!r->signed_at)
		stmt_time_of(time(NULL), now, sizeof(now));
	p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "schema", JCS_SCHEMA_REVOCATION,
		      "registration_number", r->registration_number, "status", jcs_label_status_name(r->status),
		      "reason", r->reason, "effective", r->effective, "registry", r->registry, "signed_at",
		      r->signed_at ? r->signed_at : now);
	if (!p)
		return jcs_err_set(err, JCS_ESCHEMA, "revocation: a field is not valid UTF-8");
	rc = stmt_seal(p, k, NULL, out, err);
	json_decref(p);
	return rc;
}

static int rev_from_payload(json_t *p, struct jcs_revocation **out, struct jcs_err *err)
{
	struct rev_owned *o = calloc(1, sizeof(*o));

	*out = NULL;
	if (!o)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	o->payload = json_incref(p);
	o->r.registration_number = sget(p, "registration_number");
	o->r.status = status_parse(sget(p, "status"));
	o->r.reason = sget(p, "reason");
	o->r.effective = sget(p, "effective");
	o->r.registry = sget(p, "registry");
	o->r.signed_at = sget(p, "signed_at");
	o->r.key_id = sget(p, "key_id");
	*out = &o->r;
	return 0;
}

int jcs_revocation_verify(const char *text, size_t len, const struct jcs_key *pub,
			  struct jcs_revocation **out, struct jcs_err *err)
{
	json_t *p;
	int rc;

	*out = NULL;
	rc = stmt_verify(text, len, JCS_SCHEMA_REVOCATION, pub, &p, err);
	if (rc)
		return rc;
	rc = rev_from_payload(p, out, err);
	json_decref(p);
	return rc;
}

void jcs_revocation_free(struct jcs_revocation *r)
{
	struct rev_owned *o;

	if (!r)
		return;
	o = (struct rev_owned *)((char *)r - offsetof(struct rev_owned, r));
	json_decref(o->payload);
	free(o);
}

struct jcs_revlist {
	struct jcs_revocation **v;
	size_t n;
};

int jcs_revlist_verify(const char *text, size_t len, const struct jcs_key *pub, struct jcs_revlist **out,
		       struct jcs_err *err)
{
	struct jcs_revlist *rl = NULL;
	json_t *doc, *p = NULL;
	size_t n;
	int rc;

	*out = NULL;
	rc = stmt_verify_json(text, len, JCS_REVLIST_MAX, "revocation list", pub, &doc, err);
	if (rc)
		return rc;
	n = json_is_array(doc) ? json_array_size(doc) : 1;
	rl = calloc(1, sizeof(*rl));
	if (!rl || !(rl->v = calloc(n ? n : 1, sizeof(*rl->v)))) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *env = json_is_array(doc) ? json_array_get(doc, i) : doc;
		rc = stmt_open_json(env, JCS_SCHEMA_REVOCATION, pub, &p, err);
		if (!rc)
			rc = rev_from_payload(p, &rl->v[rl->n], err);
		json_decref(p);
		p = NULL;
		if (rc) {
			char why[sizeof(err->msg)];
			snprintf(why, sizeof(why), "%s", err ? err->msg : "");
			jcs_err_set(err, rc, "revocation list entry %zu: %s", i, why);
			goto out;
		}
		rl->n++;
	}
	*out = rl;
	rl = NULL;
out:
	jcs_revlist_free(rl);
	json_decref(doc);
	return rc;
}

size_t jcs_revlist_count(const struct jcs_revlist *rl)
{
	return rl ? rl->n : 0;
}

const struct jcs_revocation *jcs_revlist_get(const struct jcs_revlist *rl, size_t i)
{
	return rl && i < rl->n ? rl->v[i] : NULL;
}

void jcs_revlist_free(struct jcs_revlist *rl)
{
	if (!rl)
		return;
	for (size_t i = 0; i < rl->n; i++)
		jcs_revocation_free(rl->v[i]);
	free(rl->v);
	free(rl);
}

/* ------------------------------------------------------------- status statements */

static int status_cross_check(const json_t *p, struct jcs_err *err)
{
	json_int_t li = json_integer_value(json_object_get(p, "label_index"));
	json_int_t si = json_integer_value(json_object_get(p, "status_index"));
	json_int_t n = json_integer_value(json_object_get(p, "tree_size"));

	if (li > si || si >= n)
		return jcs_err_set(err, JCS_ESCHEMA, "status: need label_index <= status_index < tree_size");
	if (json_integer_value(json_object_get(p, "produced")) >= json_integer_value(json_object_get(p, "next_update")))
		return jcs_err_set(err, JCS_ESCHEMA, "status: next_update is not after produced");
	return 0;
}

int jcs_status_sign(const struct jcs_status *st, const struct jcs_key *k, char **out, struct jcs_err *err)
{
	json_t *p;
	int rc;

	*out = NULL;
	p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s}", "schema", JCS_SCHEMA_STATUS,
		      "registration_number", st->registration_number, "registry", st->registry, "status",
		      jcs_reg_status_name(st->status), "label_hash", st->label_hash, "label_index",
		      (json_int_t)st->label_index, "status_index", (json_int_t)st->status_index, "tree_size",
		      (json_int_t)st->tree_size, "produced", (json_int_t)st->produced, "next_update",
		      (json_int_t)st->next_update, "root_hash", st->root_hash);
	if (!p)
		return jcs_err_set(err, JCS_ESCHEMA, "status: a field is not valid UTF-8");
	rc = stmt_seal(p, k, status_cross_check, out, err);
	json_decref(p);
	return rc;
}

int jcs_status_verify(const char *text, size_t len, const struct jcs_key *pub, struct jcs_status *out,
		      struct jcs_err *err)
{
	json_t *p;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = stmt_verify(text, len, JCS_SCHEMA_STATUS, pub, &p, err)))
		return rc;
	if (!(rc = status_cross_check(p, err))) {
		snprintf(out->registration_number, sizeof(out->registration_number), "%s",
			 sget(p, "registration_number"));
		snprintf(out->registry, sizeof(out->registry), "%s", sget(p, "registry"));
		jcs_reg_status_parse(sget(p, "status"), &out->status);
		out->label_index = (uint64_t)json_integer_value(json_object_get(p, "label_index"));
		out->status_index = (uint64_t)json_integer_value(json_object_get(p, "status_index"));
		out->tree_size = (uint64_t)json_integer_value(json_object_get(p, "tree_size"));
		out->produced = (uint64_t)json_integer_value(json_object_get(p, "produced"));
		out->next_update = (uint64_t)json_integer_value(json_object_get(p, "next_update"));
		snprintf(out->label_hash, sizeof(out->label_hash), "%s", sget(p, "label_hash"));
		snprintf(out->root_hash, sizeof(out->root_hash), "%s", sget(p, "root_hash"));
		snprintf(out->key_id, sizeof(out->key_id), "%s", sget(p, "key_id"));
	}
	json_decref(p);
	return rc;
}

/* ------------------------------------------------------------- status from the log */

int jcs_status_acc_add(struct jcs_status_acc *a, uint64_t index, const char *envelope, size_t len,
		       const char *leaf_hash, const struct jcs_key *pub, struct jcs_err *err)
{
	struct jcs_label *l = NULL;
	struct jcs_revocation *r = NULL;
	const char *regno;
	int rc;

	if (a->entries && index <= a->st.status_index)
		return jcs_err_set(err, JCS_EINVAL, "log entries out of order at %llu", (unsigned long long)index);
	rc = jcs_label_verify(envelope, len, pub, &l, err);
	if (rc == JCS_ESCHEMA && (rc = jcs_revocation_verify(envelope, len, pub, &r, err)))
		return rc;
	if (rc)
		return rc;
	regno = l ? l->registration_number : r->registration_number;
	if (strcmp(regno, a->st.registration_number) != 0) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "log entry %llu is about %s, not %s", (unsigned long long)index,
				 regno, a->st.registration_number);
		goto out;
	}
	if (l) {
		/* the statement names the registry of the current credential (a registry whose
		 * public URL changed keeps one log and one key) */
		snprintf(a->st.registry, sizeof(a->st.registry), "%s", l->registry);
		a->st.label_index = index;
		snprintf(a->st.label_hash, sizeof(a->st.label_hash), "%s", leaf_hash);
		snprintf(a->expires, sizeof(a->expires), "%s", l->expires);
		a->revoked |= l->status == JCS_LSTAT_REVOKED;
		a->st.status = l->status == JCS_LSTAT_SUSPENDED ? JCS_RSTAT_SUSPENDED : JCS_RSTAT_VALID;
	} else {
		a->revoked |= r->status == JCS_LSTAT_REVOKED;
		a->st.status = JCS_RSTAT_SUSPENDED;
	}
	if (a->revoked)
		a->st.status = JCS_RSTAT_REVOKED;
	a->st.status_index = index;
	a->entries++;
out:
	jcs_label_free(l);
	jcs_revocation_free(r);
	return rc;
}

int jcs_status_acc_finish(struct jcs_status_acc *a, const char *today, uint64_t tree_size, const char *root_hex,
			  uint64_t now_ms, struct jcs_err *err)
{
	if (!a->expires[0])
		return jcs_err_set(err, JCS_ENOTFOUND, "no label credential of %s in the log",
				   a->st.registration_number);
	if (a->st.status == JCS_RSTAT_VALID && strcmp(today, a->expires) > 0) {
		struct tm tm = {0};
		char grace_end[11];
		sscanf(a->expires, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		jcs_date_of(timegm(&tm) + (time_t)JCS_STATUS_GRACE_DAYS * 86400, grace_end, sizeof(grace_end));
		a->st.status = strcmp(today, grace_end) <= 0 ? JCS_RSTAT_EXPIRY_GRACE : JCS_RSTAT_EXPIRED;
	}
	a->st.tree_size = tree_size;
	snprintf(a->st.root_hash, sizeof(a->st.root_hash), "%s", root_hex);
	a->st.produced = now_ms;
	a->st.next_update = now_ms + JCS_STATUS_TTL_MS;
	return 0;
}

/* ------------------------------------------------------------- verdicts */

/* What a status statement adds to the facts (it never removes one). */
static void apply_status(const struct jcs_label *l, const struct jcs_status_check *sc, struct jcs_label_state *out)
{
	const struct jcs_status *st = sc ? sc->status : NULL;

	out->unchecked_why = "no status statement";
	if (!st)
		return;
	if (strcmp(st->registration_number, l->registration_number) != 0 || strcmp(st->registry, l->registry) != 0) {
		out->unchecked_why = "the status statement is for another label";
		return;
	}
	/* withdrawals apply whatever the statement's age or credential: they are final or
	 * only lifted by a newer statement */
	if (st->status == JCS_RSTAT_REVOKED)
		out->revoked = true;
	if (st->status == JCS_RSTAT_SUSPENDED)
		out->suspended = true;
	if (sc->sth) {
		char root[JCS_HASH_HEX + 1];
		jcs_hash_hex(sc->sth->root, root);
		if (sc->sth->tree_size != st->tree_size || strcmp(root, st->root_hash) != 0) {
			out->unchecked_why = "the status statement is bound to another tree head";
			return;
		}
	}
	if (sc->now_ms + JCS_STATUS_SKEW_MS < st->produced || sc->now_ms > st->next_update) {
		out->unchecked_why = sc->now_ms < st->produced ? "the status statement is from the future"
							       : "the status statement is out of date";
		return;
	}
	if (!sc->leaf_hash || strcmp(sc->leaf_hash, st->label_hash) != 0) {
		/* a newer credential of this registration is in the log */
		out->superseded = true;
		return;
	}
	out->grace = st->status == JCS_RSTAT_EXPIRY_GRACE;
	out->expired |= st->status == JCS_RSTAT_EXPIRED || out->grace;
	out->status_checked = true;
	out->unchecked_why = NULL;
}

int jcs_label_state(const struct jcs_label *l, const char *date, const struct jcs_revlist *rl,
		    const struct jcs_status_check *sc, struct jcs_label_state *out, struct jcs_err *err)
{
	bool tie = false, later = false; /* list suspensions in the label's second / after it */

	memset(out, 0, sizeof(*out));
	if (!jcs_date_valid(date))
		return jcs_err_set(err, JCS_EINVAL, "not a date (YYYY-MM-DD): %s", date ? date : "(null)");
	out->revoked = l->status == JCS_LSTAT_REVOKED;
	out->suspended = l->status == JCS_LSTAT_SUSPENDED;
	for (size_t i = 0; i < jcs_revlist_count(rl); i++) {
		const struct jcs_revocation *r = rl->v[i];
		if (strcmp(r->registration_number, l->registration_number) != 0 ||
		    strcmp(r->registry, l->registry) != 0 || strcmp(r->effective, date) > 0)
			continue;
		if (r->status == JCS_LSTAT_REVOKED) {
			out->revoked = true;
			out->by = r;
		} else if (strcmp(r->signed_at, l->signed_at) >= 0) {
			/* same second: cannot tell the order, so it counts (fail closed) */
			tie |= strcmp(r->signed_at, l->signed_at) == 0;
			later |= strcmp(r->signed_at, l->signed_at) > 0;
			out->suspended = true;
			if (!out->by || out->by->status != JCS_LSTAT_REVOKED)
				out->by = r;
		}
	}
	out->expired = strcmp(date, l->expires) > 0;
	out->not_yet_valid = strcmp(date, l->issued) < 0;
	apply_status(l, sc, out);
	/* a list suspension signed in the label's second is ordered by the log: a fresh status
	 * statement that says valid for this very credential puts the credential after it */
	if (out->status_checked && sc->status->status == JCS_RSTAT_VALID && l->status == JCS_LSTAT_VALID && tie &&
	    !later) {
		out->suspended = false;
		if (out->by && out->by->status == JCS_LSTAT_SUSPENDED)
			out->by = NULL;
	}
	out->verdict = out->revoked ? JCS_VERDICT_REVOKED
		     : out->suspended ? JCS_VERDICT_SUSPENDED
		     : out->grace ? JCS_VERDICT_EXPIRY_GRACE
		     : out->expired ? JCS_VERDICT_EXPIRED
		     : out->not_yet_valid ? JCS_VERDICT_NOT_YET_VALID
		     : out->superseded ? JCS_VERDICT_SUPERSEDED
		     : !out->status_checked ? JCS_VERDICT_UNCHECKED
		     : JCS_VERDICT_VALID;
	return 0;
}
