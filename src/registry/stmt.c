/* Signed statements: canonical JSON, schema table, envelope seal/open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "jcstar/digest.h"
#include "jcstar/buf.h"
#include "registry/stmt.h"
#include "jcstar/tlog.h"

#define MAX_SAFE_INT ((UINT64_C(1) << 53) - 1)

static bool is_schema_label(const char *s) { return strcmp(s, JCS_SCHEMA_LABEL) == 0; }
static bool is_schema_label2(const char *s) { return strcmp(s, JCS_SCHEMA_LABEL2) == 0; }
static bool is_schema_revocation(const char *s) { return strcmp(s, JCS_SCHEMA_REVOCATION) == 0; }
static bool is_schema_sth(const char *s) { return strcmp(s, JCS_SCHEMA_STH) == 0; }
static bool is_schema_status(const char *s) { return strcmp(s, JCS_SCHEMA_STATUS) == 0; }
static bool is_reg_status(const char *s)
{
	enum jcs_reg_status st;
	return jcs_reg_status_parse(s, &st) == 0;
}
static bool is_regno(const char *s) { return jcs_regno_parse(s, NULL, NULL, NULL) == 0; }
static bool is_label_status(const char *s)
{
	return !strcmp(s, "valid") || !strcmp(s, "suspended") || !strcmp(s, "revoked");
}
static bool is_rev_status(const char *s) { return !strcmp(s, "suspended") || !strcmp(s, "revoked"); }
static bool is_model(const char *s) { return stmt_is_text(s) && strlen(s) <= 128; }
static bool is_hex64_or_none(const char *s) { return !strcmp(s, "none") || stmt_is_hex64(s); }

/* Fields sorted by key (the canonical order); stmt_validate relies on it. */
static const struct stmt_field label_fields[] = {
	{"expires", STMT_STR, stmt_is_date, 0},
	{"issued", STMT_STR, stmt_is_date, 0},
	{"key_id", STMT_STR, stmt_is_hex64, 0},
	{"level", STMT_INT, NULL, 4},
	{"models", STMT_STRARR, is_model, JCS_LABEL_MAX_MODELS},
	{"product", STMT_STR, stmt_is_text, 0},
	{"registration_number", STMT_STR, is_regno, 0},
	{"registry", STMT_STR, stmt_is_registry, 0},
	{"schema", STMT_STR, is_schema_label, 0},
	{"signed_at", STMT_STR, stmt_is_time, 0},
	{"status", STMT_STR, is_label_status, 0},
	{"url", STMT_STR, stmt_is_url, 0},
	{"vendor", STMT_STR, stmt_is_text, 0},
};

/* jcstar.label/2: label/1 plus what the review was about */
static const struct stmt_field label2_fields[] = {
	{"expires", STMT_STR, stmt_is_date, 0},
	{"firmware", STMT_STR, stmt_is_text, 0},
	{"issued", STMT_STR, stmt_is_date, 0},
	{"key_id", STMT_STR, stmt_is_hex64, 0},
	{"level", STMT_INT, NULL, 4},
	{"models", STMT_STRARR, is_model, JCS_LABEL_MAX_MODELS},
	{"product", STMT_STR, stmt_is_text, 0},
	{"registration_number", STMT_STR, is_regno, 0},
	{"registry", STMT_STR, stmt_is_registry, 0},
	{"report_sha256", STMT_STR, stmt_is_hex64, 0},
	{"sbom_sha256", STMT_STR, is_hex64_or_none, 0},
	{"schema", STMT_STR, is_schema_label2, 0},
	{"signed_at", STMT_STR, stmt_is_time, 0},
	{"status", STMT_STR, is_label_status, 0},
	{"url", STMT_STR, stmt_is_url, 0},
	{"vendor", STMT_STR, stmt_is_text, 0},
};

static const struct stmt_field revocation_fields[] = {
	{"effective", STMT_STR, stmt_is_date, 0},
	{"key_id", STMT_STR, stmt_is_hex64, 0},
	{"reason", STMT_STR, stmt_is_text, 0},
	{"registration_number", STMT_STR, is_regno, 0},
	{"registry", STMT_STR, stmt_is_registry, 0},
	{"schema", STMT_STR, is_schema_revocation, 0},
	{"signed_at", STMT_STR, stmt_is_time, 0},
	{"status", STMT_STR, is_rev_status, 0},
};

static const struct stmt_field sth_fields[] = {
	{"key_id", STMT_STR, stmt_is_hex64, 0},
	{"registry", STMT_STR, stmt_is_registry, 0},
	{"root_hash", STMT_STR, stmt_is_hex64, 0},
	{"schema", STMT_STR, is_schema_sth, 0},
	{"timestamp", STMT_INT, NULL, MAX_SAFE_INT},
	{"tree_size", STMT_INT, NULL, JCS_TLOG_MAX_SIZE},
};

static const struct stmt_field status_fields[] = {
	{"key_id", STMT_STR, stmt_is_hex64, 0},
	{"label_hash", STMT_STR, stmt_is_hex64, 0},
	{"label_index", STMT_INT, NULL, JCS_TLOG_MAX_SIZE},
	{"next_update", STMT_INT, NULL, MAX_SAFE_INT},
	{"produced", STMT_INT, NULL, MAX_SAFE_INT},
	{"registration_number", STMT_STR, is_regno, 0},
	{"registry", STMT_STR, stmt_is_registry, 0},
	{"root_hash", STMT_STR, stmt_is_hex64, 0},
	{"schema", STMT_STR, is_schema_status, 0},
	{"status", STMT_STR, is_reg_status, 0},
	{"status_index", STMT_INT, NULL, JCS_TLOG_MAX_SIZE},
	{"tree_size", STMT_INT, NULL, JCS_TLOG_MAX_SIZE},
};

#define SCHEMA(n, f) {n, f, sizeof(f) / sizeof(f[0])}
static const struct stmt_schema schemas[] = {
	SCHEMA(JCS_SCHEMA_LABEL, label_fields),
	SCHEMA(JCS_SCHEMA_LABEL2, label2_fields),
	SCHEMA(JCS_SCHEMA_REVOCATION, revocation_fields),
	SCHEMA(JCS_SCHEMA_STH, sth_fields),
	SCHEMA(JCS_SCHEMA_STATUS, status_fields),
};

const struct stmt_schema *stmt_schema_get(const char *name)
{
	for (size_t i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++)
		if (strcmp(schemas[i].name, name) == 0)
			return &schemas[i];
	return NULL;
}

/* ------------------------------------------------------------ field checks */

bool stmt_is_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	if (n == 0 || n > JCS_TEXT_MAX)
		return false;
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) /* C1 controls (U+0080..U+009F) */
			return false;
	}
	return true;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

bool stmt_is_date(const char *s)
{
	int y, m, d;

	if (strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2))
		return false;
	y = num(s, 4);
	m = num(s + 5, 2);
	d = num(s + 8, 2);
	return y >= 1970 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

bool stmt_is_time(const char *s)
{
	char date[11];

	if (strlen(s) != 20 || s[10] != 'T' || s[19] != 'Z' || !digits(s + 11, 2) || s[13] != ':' ||
	    !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
		return false;
	memcpy(date, s, 10);
	date[10] = 0;
	return stmt_is_date(date) && num(s + 11, 2) < 24 && num(s + 14, 2) < 60 && num(s + 17, 2) < 60;
}

bool stmt_is_hex64(const char *s)
{
	jcs_hash h;
	return jcs_hash_from_hex(s, h) == 0;
}

bool stmt_is_registry(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == n;
}

bool stmt_is_url(const char *s)
{
	size_t n = strlen(s);

	if (n > 512 || (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0))
		return false;
	if (n <= (s[4] == 's' ? 8u : 7u))
		return false;
	/* RFC 3986 characters only (unreserved, reserved, '%') */
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%") == n;
}

/* ------------------------------------------------------------ canonical JSON */

static int canon_string(const char *s, size_t n, struct jcs_buf *out)
{
	int rc = jcs_buf_putc(out, '"');

	for (size_t i = 0; i < n && !rc; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': rc = jcs_buf_puts(out, "\\\""); break;
		case '\\': rc = jcs_buf_puts(out, "\\\\"); break;
		case '\b': rc = jcs_buf_puts(out, "\\b"); break;
		case '\f': rc = jcs_buf_puts(out, "\\f"); break;
		case '\n': rc = jcs_buf_puts(out, "\\n"); break;
		case '\r': rc = jcs_buf_puts(out, "\\r"); break;
		case '\t': rc = jcs_buf_puts(out, "\\t"); break;
		default:
			if (c < 0x20) {
				char h[3];
				jcs_hex(&c, 1, h);
				rc = jcs_buf_printf(out, "\\u00%s", h);
			} else
				rc = jcs_buf_putc(out, (char)c);
		}
	}
	return rc ? rc : jcs_buf_putc(out, '"');
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int canon(const json_t *v, struct jcs_buf *out, int depth)
{
	int rc = 0;

	if (depth > 4)
		return JCS_ELIMIT;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return canon_string(json_string_value(v), json_string_length(v), out);
	case JSON_INTEGER:
		if (json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > MAX_SAFE_INT)
			return JCS_ESCHEMA;
		return jcs_buf_printf(out, "%lld", (long long)json_integer_value(v));
	case JSON_ARRAY:
		rc = jcs_buf_putc(out, '[');
		for (size_t i = 0; i < json_array_size(v) && !rc; i++) {
			if (i)
				rc = jcs_buf_putc(out, ',');
			if (!rc)
				rc = canon(json_array_get(v, i), out, depth + 1);
		}
		return rc ? rc : jcs_buf_putc(out, ']');
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		const char **keys = malloc((n ? n : 1) * sizeof(*keys));
		const char *k;
		json_t *x;

		if (!keys)
			return JCS_ENOMEM;
		json_object_foreach((json_t *)v, k, x)
			keys[i++] = k;
		qsort(keys, n, sizeof(*keys), cmp_keys);
		rc = jcs_buf_putc(out, '{');
		for (i = 0; i < n && !rc; i++) {
			if (i)
				rc = jcs_buf_putc(out, ',');
			if (!rc)
				rc = canon_string(keys[i], strlen(keys[i]), out);
			if (!rc)
				rc = jcs_buf_putc(out, ':');
			if (!rc)
				rc = canon(json_object_get(v, keys[i]), out, depth + 1);
		}
		free(keys);
		return rc ? rc : jcs_buf_putc(out, '}');
	}
	default:
		return JCS_ESCHEMA; /* reals, booleans, null: not in any statement */
	}
}

int stmt_canonical(const json_t *v, struct jcs_buf *out)
{
	return canon(v, out, 0);
}

/* ------------------------------------------------------------ validation */

static int check_field(const json_t *v, const struct stmt_field *f, struct jcs_err *err)
{
	switch (f->type) {
	case STMT_STR:
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
		    !f->check(json_string_value(v)))
			return jcs_err_set(err, JCS_ESCHEMA, "field \"%s\": invalid value", f->key);
		return 0;
	case STMT_INT:
		if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > f->max)
			return jcs_err_set(err, JCS_ESCHEMA, "field \"%s\": not an integer in 0..%llu", f->key,
					   (unsigned long long)f->max);
		return 0;
	case STMT_STRARR:
		if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > f->max)
			return jcs_err_set(err, JCS_ESCHEMA, "field \"%s\": not an array of 1..%llu strings", f->key,
					   (unsigned long long)f->max);
		for (size_t i = 0; i < json_array_size(v); i++) {
			const json_t *s = json_array_get(v, i);
			if (!json_is_string(s) || strlen(json_string_value(s)) != json_string_length(s) ||
			    !f->check(json_string_value(s)))
				return jcs_err_set(err, JCS_ESCHEMA, "field \"%s\"[%zu]: invalid value", f->key, i);
		}
		return 0;
	}
	return JCS_ESCHEMA;
}

int stmt_validate(const json_t *payload, const char *want, const struct stmt_schema **schema_out,
		  struct jcs_err *err)
{
	const struct stmt_schema *s;
	const json_t *name;
	int rc;

	if (!json_is_object(payload))
		return jcs_err_set(err, JCS_ESCHEMA, "payload is not an object");
	name = json_object_get(payload, "schema");
	if (!json_is_string(name))
		return jcs_err_set(err, JCS_ESCHEMA, "payload has no \"schema\"");
	s = stmt_schema_get(json_string_value(name));
	if (!s || (want && strcmp(want, s->name) != 0))
		return jcs_err_set(err, JCS_ESCHEMA, "payload schema is not %s", want ? want : "a known statement");
	if (json_object_size(payload) != s->nfields)
		return jcs_err_set(err, JCS_ESCHEMA, "%s payload must have exactly %zu fields", s->name, s->nfields);
	for (size_t i = 0; i < s->nfields; i++) {
		const json_t *v = json_object_get(payload, s->fields[i].key);
		if (!v)
			return jcs_err_set(err, JCS_ESCHEMA, "%s payload lacks \"%s\"", s->name, s->fields[i].key);
		rc = check_field(v, &s->fields[i], err);
		if (rc)
			return rc;
	}
	if (schema_out)
		*schema_out = s;
	return 0;
}

/* ------------------------------------------------------------ envelopes */

int stmt_parse_json(const char *text, size_t len, size_t max, const char *what, json_t **out,
		    struct jcs_err *err)
{
	json_error_t je;

	*out = NULL;
	if (len > max)
		return jcs_err_set(err, JCS_ELIMIT, "%s larger than %zu bytes", what, max);
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!*out && je.column <= 0)
		jcs_json_where(text, len, (size_t)je.position, &je.line, &je.column);
	if (!*out)
		return jcs_err_set(err, JCS_EPARSE, "%s: line %d column %d: %s", what, je.line, je.column, je.text);
	return 0;
}

void stmt_time_of(time_t t, char *out, size_t len)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int stmt_seal(json_t *payload, const struct jcs_key *k, int (*cross)(const json_t *, struct jcs_err *),
	      char **out, struct jcs_err *err)
{
	struct jcs_buf msg = JCS_BUF_INIT, env = JCS_BUF_INIT;
	uint8_t sig[JCS_SIG_LEN];
	char b64[4 * ((JCS_SIG_LEN + 2) / 3) + 1];
	int rc;

	*out = NULL;
	if (json_object_set_new(payload, "key_id", json_string(jcs_key_id(k)))) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	rc = stmt_validate(payload, NULL, NULL, err);
	if (!rc && cross)
		rc = cross(payload, err);
	if (rc)
		goto out;
	rc = stmt_canonical(payload, &msg);
	if (rc) {
		jcs_err_set(err, rc, "cannot serialize the payload");
		goto out;
	}
	rc = jcs_key_sign(k, msg.data, msg.len, sig, err);
	if (rc)
		goto out;
	EVP_EncodeBlock((unsigned char *)b64, sig, JCS_SIG_LEN);
	/* canonical envelope: keys "payload" < "signature" */
	rc = jcs_buf_puts(&env, "{\"payload\":");
	if (!rc)
		rc = jcs_buf_append(&env, msg.data, msg.len);
	if (!rc)
		rc = jcs_buf_printf(&env, ",\"signature\":\"%s\"}\n", b64);
	if (rc) {
		jcs_err_set(err, rc, "out of memory");
		goto out;
	}
	*out = jcs_buf_steal(&env);
out:
	jcs_buf_free(&msg);
	jcs_buf_free(&env);
	return rc;
}

/* Strict base64 of exactly JCS_SIG_LEN bytes: decodes and re-encodes to the same text. */
static int sig_decode(const char *s, uint8_t sig[JCS_SIG_LEN])
{
	unsigned char raw[4 * ((JCS_SIG_LEN + 2) / 3)];
	char again[sizeof(raw) + 1];

	if (strlen(s) != sizeof(raw))
		return JCS_ESCHEMA;
	if (EVP_DecodeBlock(raw, (const unsigned char *)s, (int)sizeof(raw)) != (int)sizeof(raw) / 4 * 3)
		return JCS_ESCHEMA;
	memcpy(sig, raw, JCS_SIG_LEN);
	EVP_EncodeBlock((unsigned char *)again, sig, JCS_SIG_LEN);
	return strcmp(again, s) == 0 ? 0 : JCS_ESCHEMA;
}

int stmt_open_json(const json_t *env, const char *want, const struct jcs_key *pub, json_t **payload,
		   struct jcs_err *err)
{
	struct jcs_buf msg = JCS_BUF_INIT;
	const json_t *p, *s;
	uint8_t sig[JCS_SIG_LEN];
	int rc;

	*payload = NULL;
	p = json_object_get(env, "payload");
	s = json_object_get(env, "signature");
	if (!json_is_object(env) || json_object_size(env) != 2 || !p || !json_is_string(s))
		return jcs_err_set(err, JCS_ESCHEMA, "not a signed statement (want {\"payload\":{...},\"signature\":\"...\"})");
	rc = stmt_validate(p, want, NULL, err);
	if (rc)
		return rc;
	if (sig_decode(json_string_value(s), sig))
		return jcs_err_set(err, JCS_ESCHEMA, "signature is not base64 of %d bytes", JCS_SIG_LEN);
	if (pub) {
		const char *kid = json_string_value(json_object_get(p, "key_id"));
		if (strcmp(kid, jcs_key_id(pub)) != 0)
			return jcs_err_set(err, JCS_ECRYPTO, "signed by key %s, not by %s", kid,
					   jcs_key_id(pub));
		rc = stmt_canonical(p, &msg);
		if (rc) {
			jcs_err_set(err, rc, "cannot serialize the payload");
			goto out;
		}
		if (jcs_key_verify(pub, msg.data, msg.len, sig)) {
			rc = jcs_err_set(err, JCS_ECRYPTO, "the signature does not match the payload (altered, or signed by another key)");
			goto out;
		}
	}
	*payload = json_incref((json_t *)p);
out:
	jcs_buf_free(&msg);
	return rc;
}

int stmt_verify_json(const char *text, size_t len, size_t max, const char *what, const struct jcs_key *pub,
		     json_t **doc, struct jcs_err *err)
{
	*doc = NULL;
	return stmt_need_key(pub, err) ? JCS_EINVAL : stmt_parse_json(text, len, max, what, doc, err);
}

int stmt_need_key(const struct jcs_key *pub, struct jcs_err *err)
{
	return pub ? 0 : jcs_err_set(err, JCS_EINVAL, "no key to verify with");
}

static int open_text(const char *text, size_t len, const char *want, const struct jcs_key *pub, bool verify,
		     json_t **payload, struct jcs_err *err)
{
	json_t *env;
	int rc = verify ? stmt_verify_json(text, len, JCS_STMT_MAX, "signed statement", pub, &env, err)
			: stmt_parse_json(text, len, JCS_STMT_MAX, "signed statement", &env, err);

	*payload = NULL;
	if (rc)
		return rc;
	rc = stmt_open_json(env, want, pub, payload, err);
	json_decref(env);
	return rc;
}

int stmt_open(const char *text, size_t len, const char *want, json_t **payload, struct jcs_err *err)
{
	return open_text(text, len, want, NULL, false, payload, err);
}

int stmt_verify(const char *text, size_t len, const char *want, const struct jcs_key *pub, json_t **payload,
		struct jcs_err *err)
{
	return open_text(text, len, want, pub, true, payload, err);
}

int jcs_envelope_canonical(const char *text, size_t len, struct jcs_buf *out, struct jcs_err *err)
{
	json_t *env, *p = NULL;
	int rc = stmt_parse_json(text, len, JCS_STMT_MAX, "signed statement", &env, err);

	if (rc)
		return rc;
	rc = stmt_open_json(env, NULL, NULL, &p, err);
	if (!rc && (rc = stmt_canonical(env, out)))
		jcs_err_set(err, rc, "cannot serialize the statement");
	json_decref(p);
	json_decref(env);
	return rc;
}
