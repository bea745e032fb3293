/* Label credentials and revocations (docs/label-credential.md). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/label.h"
#include "registry/stmt.h"

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
	static const char *const names[] = {"valid", "not yet valid", "expired", "suspended", "revoked"};
	return (unsigned)v < 5 ? names[v] : "?";
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
	    !l->url || (l->nmodels && !l->models) || (unsigned)l->status > JCS_LSTAT_REVOKED) {
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
	p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:s, s:s, s:s}", "schema", JCS_SCHEMA_LABEL,
		      "registration_number", l->registration_number, "vendor", l->vendor, "product", l->product,
		      "issued", l->issued, "expires", l->expires, "status", jcs_label_status_name(l->status),
		      "level", (json_int_t)l->level, "models", models, "registry", l->registry, "url", l->url,
		      "signed_at", l->signed_at ? l->signed_at : now);
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
	*out = &o->l;
	return 0;
}

static int label_open(const char *text, size_t len, const struct jcs_key *pub, struct jcs_label **out,
		      struct jcs_err *err)
{
	json_t *p;
	int rc = stmt_open(text, len, JCS_SCHEMA_LABEL, pub, &p, err);

	*out = NULL;
	if (rc)
		return rc;
	rc = label_from_payload(p, out, err);
	json_decref(p);
	return rc;
}

int jcs_label_verify(const char *text, size_t len, const struct jcs_key *pub, struct jcs_label **out,
		     struct jcs_err *err)
{
	if (!pub) {
		*out = NULL;
		return jcs_err_set(err, JCS_EINVAL, "no key to verify with");
	}
	return label_open(text, len, pub, out, err);
}

int jcs_label_parse(const char *text, size_t len, struct jcs_label **out, struct jcs_err *err)
{
	return label_open(text, len, NULL, out, err);
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
	if (!pub)
		return jcs_err_set(err, JCS_EINVAL, "no key to verify with");
	rc = stmt_open(text, len, JCS_SCHEMA_REVOCATION, pub, &p, err);
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
	if (!pub)
		return jcs_err_set(err, JCS_EINVAL, "no key to verify with");
	rc = stmt_parse_json(text, len, JCS_REVLIST_MAX, "revocation list", &doc, err);
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

/* ------------------------------------------------------------- verdicts */

int jcs_label_state(const struct jcs_label *l, const char *date, const struct jcs_revlist *rl,
		    struct jcs_label_state *out, struct jcs_err *err)
{
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
		} else if (strcmp(r->signed_at, l->signed_at) > 0) {
			out->suspended = true;
			if (!out->by || out->by->status != JCS_LSTAT_REVOKED)
				out->by = r;
		}
	}
	out->expired = strcmp(date, l->expires) > 0;
	out->not_yet_valid = strcmp(date, l->issued) < 0;
	out->verdict = out->revoked ? JCS_VERDICT_REVOKED
		     : out->suspended ? JCS_VERDICT_SUSPENDED
		     : out->expired ? JCS_VERDICT_EXPIRED
		     : out->not_yet_valid ? JCS_VERDICT_NOT_YET_VALID
		     : JCS_VERDICT_VALID;
	return 0;
}
