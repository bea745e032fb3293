/* Registry domain layer: accounts, sessions, applications, attachments, public list and
 * procurement (the workflow lives in workflow.c, the log in reglog.c). */
#include <crypt.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jcstar/buf.h"
#include "jcstar/digest.h"
#include "jcstar/catalog.h"
#include "registry/monitor.h"
#include "registry/registry.h"

/* Password hashes: yescrypt through libcrypt, its parameters in the hash string
 * ("$y$j9T$SALT$HASH"), so that raising the cost later leaves old hashes verifiable.
 * YESCRYPT_COST is libcrypt's cost factor (5: its default, ~50 ms per hash). */
#define YESCRYPT_COST 5
/* Hashes of an earlier release, "pbkdf2-sha256$ITER$SALTHEX$DKHEX", still verify (with their
 * own iteration count, within these bounds) and are replaced by yescrypt at the next login. */
#define PBKDF2_PREFIX "pbkdf2-sha256$"
#define PBKDF2_ITER_MAX 10000000

static const char *const role_names[] = {
	[JCS_ROLE_PUBLIC] = "public", [JCS_ROLE_VENDOR] = "vendor", [JCS_ROLE_REVIEWER] = "reviewer",
	[JCS_ROLE_LIAISON] = "liaison", [JCS_ROLE_LAB] = "lab", [JCS_ROLE_ADMIN] = "admin",
	[JCS_ROLE_SYSTEM] = "system",
};

const char *jcs_role_name(enum jcs_role r)
{
	return (size_t)r < sizeof(role_names) / sizeof(role_names[0]) ? role_names[r] : "?";
}

int jcs_role_parse(const char *s, enum jcs_role *out)
{
	/* accounts can hold every role but public and system */
	for (enum jcs_role r = JCS_ROLE_VENDOR; r <= JCS_ROLE_ADMIN; r++)
		if (s && strcmp(s, role_names[r]) == 0) {
			*out = r;
			return 0;
		}
	return JCS_EINVAL;
}

/* ---------------------------------------------------------------- utils */

void jcs_reg_sha256_hex(const void *p, size_t n, char *out)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(p, n, md);
	jcs_hex(md, sizeof(md), out);
}

int jcs_reg_random_hex(char *out, size_t nbytes)
{
	unsigned char r[64];

	if (nbytes > sizeof(r) || RAND_bytes(r, (int)nbytes) != 1)
		return JCS_ECRYPTO;
	jcs_hex(r, nbytes, out);
	OPENSSL_cleanse(r, sizeof(r));
	return 0;
}

bool jcs_reg_text_ok(const char *s, size_t max, bool lines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	if (n > max)
		return false;
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t len;
		unsigned cp;

		if (c < 0x80) {
			if ((c < 0x20 && !(lines && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f)
				return false;
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		if (cp <= 0x9f) /* C1 controls (U+0080..U+009F, e.g. U+0085): a signed label refuses them */
			return false;
		i += len;
	}
	return true;
}

int jcs_reg_counter_next(struct jcs_store *db, const char *name, long long *out, struct jcs_err *err)
{
	static const char sql[] = "UPDATE counters SET v = v + 1 WHERE name = $1 RETURNING v";
	const char *p[] = {name};
	struct jcs_rows r;
	int rc = jcs_store_exec(db, sql, 1, p, &r, err);

	if (rc)
		return rc;
	if (r.nrows != 1)
		rc = jcs_err_set(err, JCS_EDB, "counter %s missing", name);
	else
		*out = jcs_rows_int(&r, 0, 0);
	jcs_rows_free(&r);
	return rc;
}

int jcs_reg_audit(struct jcs_store *db, long long app_id, const struct jcs_actor *a, const char *action,
		  const char *from, const char *to, const char *reason, struct jcs_err *err)
{
	static const char sql[] = "INSERT INTO audit (id, app_id, actor, role, action, from_state, to_state,"
				  " reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
	char id[24], app[24], at[24];
	const char *p[] = {id, app, a->name, jcs_role_name(a->role), action, from, to, reason ? reason : "", at};
	long long n;
	int rc;

	if ((rc = jcs_reg_counter_next(db, "audit", &n, err)))
		return rc;
	snprintf(id, sizeof(id), "%lld", n);
	snprintf(app, sizeof(app), "%lld", app_id);
	snprintf(at, sizeof(at), "%lld", (long long)time(NULL));
	return jcs_store_exec(db, sql, 9, p, NULL, err);
}

/* ------------------------------------------------------------ accounts */

/* A new yescrypt hash of pw into out (>= CRYPT_OUTPUT_SIZE bytes). */
static int pw_hash(const char *pw, char *out, size_t outlen)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *h;
	int rc = JCS_ECRYPTO;

	if (!cd)
		return JCS_ENOMEM;
	/* NULL random bytes: libcrypt draws the salt from the kernel (getentropy) */
	if (crypt_gensalt_rn("$y$", YESCRYPT_COST, NULL, 0, setting, sizeof(setting)) &&
	    (h = crypt_rn(pw, setting, cd, sizeof(*cd))) && h[0] == '$' && strlen(h) < outlen) {
		memcpy(out, h, strlen(h) + 1);
		rc = 0;
	}
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/* A legacy PBKDF2-HMAC-SHA256 hash: recompute with the stored iteration count and salt. */
static bool pbkdf2_check(const char *pw, const char *stored)
{
	unsigned char dk[32];
	char dkhex[65], *end;
	const char *salt = stored + strlen(PBKDF2_PREFIX), *hex;
	unsigned long iter = strtoul(salt, &end, 10);
	bool ok;

	if (end == salt || *end != '$' || iter == 0 || iter > PBKDF2_ITER_MAX)
		return false;
	salt = end + 1;
	if (!(hex = strchr(salt, '$')) || hex - salt != 32 || strlen(hex + 1) != 64)
		return false;
	if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), (const unsigned char *)salt, 32, (int)iter, EVP_sha256(),
			      sizeof(dk), dk) != 1)
		return false;
	jcs_hex(dk, sizeof(dk), dkhex);
	ok = CRYPTO_memcmp(dkhex, hex + 1, 64) == 0;
	OPENSSL_cleanse(dk, sizeof(dk));
	OPENSSL_cleanse(dkhex, sizeof(dkhex));
	return ok;
}

/* Does pw match the stored hash (yescrypt or any crypt(3) form libcrypt knows, or legacy
 * PBKDF2)? *legacy tells the caller to rehash. */
static bool pw_check(const char *pw, const char *stored, bool *legacy)
{
	struct crypt_data *cd;
	const char *h;
	bool ok;

	*legacy = strncmp(stored, PBKDF2_PREFIX, strlen(PBKDF2_PREFIX)) == 0;
	if (*legacy)
		return pbkdf2_check(pw, stored);
	if (stored[0] != '$' || !(cd = calloc(1, sizeof(*cd))))
		return false;
	h = crypt_rn(pw, stored, cd, sizeof(*cd));
	ok = h && h[0] == '$' && strlen(h) == strlen(stored) && CRYPTO_memcmp(h, stored, strlen(h)) == 0;
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	return ok;
}

int jcs_reg_user_create(struct jcs_store *db, const char *name, enum jcs_role role, const char *org,
			const char *password, char *token_out, struct jcs_err *err)
{
	static const char sql[] = "INSERT INTO users (id, name, role, org, pw_hash, token_hash, created)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7)";
	char id[24], created[24], hash[CRYPT_OUTPUT_SIZE] = "", th[65];
	const char *p[] = {id, name, jcs_role_name(role), org, hash, th, created};
	long long n;
	int rc;

	if (!name || !*name || strlen(name) > JCS_REG_NAME_MAX || strspn(name,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@") != strlen(name))
		return jcs_err_set(err, JCS_ESCHEMA, "account name: 1-%d characters of A-Z a-z 0-9 . _ - @",
				   JCS_REG_NAME_MAX);
	if (!org || !jcs_reg_text_ok(org, JCS_REG_TEXT_MAX, false))
		return jcs_err_set(err, JCS_ESCHEMA, "org: text of at most %d bytes", JCS_REG_TEXT_MAX);
	if (role < JCS_ROLE_VENDOR || role > JCS_ROLE_ADMIN)
		return jcs_err_set(err, JCS_ESCHEMA, "role must be vendor, reviewer, liaison, lab or admin");
	if (password && (strlen(password) < 8 || strlen(password) > 256))
		return jcs_err_set(err, JCS_ESCHEMA, "password: 8-256 bytes");
	if (jcs_reg_random_hex(token_out, 32))
		return jcs_err_set(err, JCS_ECRYPTO, "random source failed");
	if (password && (rc = pw_hash(password, hash, sizeof(hash))))
		return jcs_err_set(err, rc, "cannot hash the password");
	jcs_reg_sha256_hex(token_out, strlen(token_out), th);
	if ((rc = jcs_store_begin(db, err)) || (rc = jcs_reg_counter_next(db, "user", &n, err)))
		goto out;
	snprintf(id, sizeof(id), "%lld", n);
	snprintf(created, sizeof(created), "%lld", (long long)time(NULL));
	if ((rc = jcs_store_exec(db, sql, 7, p, NULL, err))) {
		if (rc == JCS_ECONFLICT)
			jcs_err_set(err, rc, "account '%s' exists", name);
		goto out;
	}
	rc = jcs_store_commit(db, err);
out:
	if (rc)
		jcs_store_rollback(db);
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

int jcs_reg_bootstrap(struct jcs_store *db, char *token_out, bool *created, struct jcs_err *err)
{
	static const char sql[] = "SELECT count(*) FROM users WHERE role = 'admin'";
	struct jcs_rows r;
	int rc;

	*created = false;
	if ((rc = jcs_store_exec(db, sql, 0, NULL, &r, err)))
		return rc;
	if (jcs_rows_int(&r, 0, 0) == 0) {
		rc = jcs_reg_user_create(db, "admin", JCS_ROLE_ADMIN, "registry operator", NULL, token_out, err);
		*created = rc == 0;
		/* another process may have created it at the same moment */
		if (rc == JCS_ECONFLICT)
			rc = 0;
	}
	jcs_rows_free(&r);
	return rc;
}

static void actor_from(const struct jcs_rows *r, struct jcs_actor *a)
{
	memset(a, 0, sizeof(*a));
	a->id = jcs_rows_int(r, 0, 0);
	snprintf(a->name, sizeof(a->name), "%s", jcs_rows_get(r, 0, 1));
	if (jcs_role_parse(jcs_rows_get(r, 0, 2), &a->role))
		a->role = JCS_ROLE_PUBLIC;
	snprintf(a->org, sizeof(a->org), "%s", jcs_rows_get(r, 0, 3));
}

int jcs_reg_auth_token(struct jcs_store *db, const char *token, struct jcs_actor *out, struct jcs_err *err)
{
	static const char sql[] = "SELECT id, name, role, org FROM users WHERE token_hash = $1 AND disabled = 0";
	char th[65];
	const char *p[] = {th};
	struct jcs_rows r;
	int rc;

	if (strlen(token) != JCS_REG_TOKEN_HEX)
		return jcs_err_set(err, JCS_EPERM, "invalid token");
	jcs_reg_sha256_hex(token, strlen(token), th);
	if ((rc = jcs_store_exec(db, sql, 1, p, &r, err)))
		return rc;
	if (r.nrows == 1)
		actor_from(&r, out);
	else
		rc = jcs_err_set(err, JCS_EPERM, "invalid token");
	jcs_rows_free(&r);
	return rc;
}

int jcs_reg_login(struct jcs_store *db, const char *name, const char *password, time_t now,
		  struct jcs_actor *out, char *session_out, char *csrf_out, struct jcs_err *err)
{
	static const char q_user[] = "SELECT id, name, role, org, pw_hash FROM users WHERE name = $1 AND disabled = 0";
	static const char q_sess[] = "INSERT INTO sessions (hash, user_id, csrf, expires) VALUES ($1, $2, $3, $4)";
	static const char q_gc[] = "DELETE FROM sessions WHERE expires < $1";
	/* unknown names, disabled and password-less accounts cost one hash too, so the answer
	 * and its time are the same as for a wrong password */
	static const char q_upgrade[] = "UPDATE users SET pw_hash = $1 WHERE id = $2 AND pw_hash = $3";
	/* yescrypt at YESCRYPT_COST of a random password nobody knows */
	static const char decoy[] = "$y$j9T$td7.0qV1veOVRo8AkMHru.$OgMTYYWjsOVq6BCac0sE0UzLHttQfDWkirk8dFss7s2";
	char id[24], sh[65], exp[24], nowb[24], rehash[CRYPT_OUTPUT_SIZE];
	const char *p[4], *stored;
	struct jcs_rows r = {0};
	bool ok, legacy;
	int rc;

	p[0] = name;
	if ((rc = jcs_store_exec(db, q_user, 1, p, &r, err)))
		return rc;
	stored = r.nrows == 1 ? jcs_rows_get(&r, 0, 4) : NULL;
	ok = pw_check(password, stored && *stored ? stored : decoy, &legacy) && stored && *stored;
	if (!ok) {
		rc = jcs_err_set(err, JCS_EPERM, "wrong name or password");
		goto out;
	}
	actor_from(&r, out);
	snprintf(id, sizeof(id), "%lld", out->id);
	if (legacy) { /* replace the old hash, unless another login already did */
		if ((rc = pw_hash(password, rehash, sizeof(rehash)))) {
			rc = jcs_err_set(err, rc, "cannot hash the password");
			goto out;
		}
		p[0] = rehash;
		p[1] = id;
		p[2] = stored;
		rc = jcs_store_exec(db, q_upgrade, 3, p, NULL, err);
		OPENSSL_cleanse(rehash, sizeof(rehash));
		if (rc)
			goto out;
	}
	if (jcs_reg_random_hex(session_out, 32) || jcs_reg_random_hex(csrf_out, 32)) {
		rc = jcs_err_set(err, JCS_ECRYPTO, "random source failed");
		goto out;
	}
	jcs_reg_sha256_hex(session_out, strlen(session_out), sh);
	snprintf(exp, sizeof(exp), "%lld", (long long)now + JCS_REG_SESSION_SECONDS);
	snprintf(nowb, sizeof(nowb), "%lld", (long long)now);
	p[0] = nowb;
	if ((rc = jcs_store_exec(db, q_gc, 1, p, NULL, err)))
		goto out;
	p[0] = sh;
	p[1] = id;
	p[2] = csrf_out;
	p[3] = exp;
	rc = jcs_store_exec(db, q_sess, 4, p, NULL, err);
out:
	jcs_rows_free(&r);
	return rc;
}

int jcs_reg_user_token(struct jcs_store *db, const char *name, char *token_out, struct jcs_err *err)
{
	static const char sql[] = "UPDATE users SET token_hash = $1 WHERE name = $2";
	static const char sql_revoke[] = "UPDATE users SET token_hash = NULL WHERE name = $1";
	char th[65];
	const char *p[] = {th, name};
	struct jcs_rows r = {0};
	int rc;

	if (token_out) {
		if (jcs_reg_random_hex(token_out, 32))
			return jcs_err_set(err, JCS_ECRYPTO, "random source failed");
		jcs_reg_sha256_hex(token_out, strlen(token_out), th);
		rc = jcs_store_exec(db, sql, 2, p, &r, err);
	} else {
		rc = jcs_store_exec(db, sql_revoke, 1, p + 1, &r, err);
	}
	if (!rc && r.changes != 1)
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no account '%s'", name);
	jcs_rows_free(&r);
	return rc;
}

int jcs_reg_user_disable(struct jcs_store *db, const char *name, bool disabled, struct jcs_err *err)
{
	static const char sql[] = "UPDATE users SET disabled = $1 WHERE name = $2";
	static const char q_sess[] = "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE name = $1)";
	const char *p[] = {disabled ? "1" : "0", name};
	struct jcs_rows r = {0};
	int rc;

	if ((rc = jcs_store_begin(db, err)))
		return rc;
	if ((rc = jcs_store_exec(db, sql, 2, p, &r, err)))
		goto out;
	if (r.changes != 1) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no account '%s'", name);
		goto out;
	}
	if ((!disabled || !(rc = jcs_store_exec(db, q_sess, 1, p + 1, NULL, err))))
		rc = jcs_store_commit(db, err);
out:
	if (rc)
		jcs_store_rollback(db);
	jcs_rows_free(&r);
	return rc;
}

int jcs_reg_users(struct jcs_store *db, json_t **out, struct jcs_err *err)
{
	static const char sql[] = "SELECT name, role, org, disabled, token_hash IS NOT NULL FROM users ORDER BY name";
	struct jcs_rows r;
	int rc;

	if ((rc = jcs_store_exec(db, sql, 0, NULL, &r, err)))
		return rc;
	*out = json_array();
	for (size_t i = 0; *out && i < r.nrows; i++) {
		const char *t = jcs_rows_get(&r, i, 4);

		json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:b, s:b}", "name", jcs_rows_get(&r, i, 0),
			"role", jcs_rows_get(&r, i, 1), "org", jcs_rows_get(&r, i, 2), "disabled",
			jcs_rows_int(&r, i, 3) != 0, "token", t && (strcmp(t, "1") == 0 || strcmp(t, "t") == 0)));
	}
	jcs_rows_free(&r);
	return *out ? 0 : JCS_ENOMEM;
}

int jcs_reg_session(struct jcs_store *db, const char *session, time_t now, struct jcs_actor *out,
		    char *csrf_out, struct jcs_err *err)
{
	static const char sql[] = "SELECT u.id, u.name, u.role, u.org, s.csrf FROM sessions s"
				  " JOIN users u ON u.id = s.user_id WHERE s.hash = $1 AND s.expires > $2 AND u.disabled = 0";
	char sh[65], nowb[24];
	const char *p[] = {sh, nowb};
	struct jcs_rows r;
	int rc;

	if (strlen(session) != JCS_REG_TOKEN_HEX)
		return jcs_err_set(err, JCS_EPERM, "no session");
	jcs_reg_sha256_hex(session, strlen(session), sh);
	snprintf(nowb, sizeof(nowb), "%lld", (long long)now);
	if ((rc = jcs_store_exec(db, sql, 2, p, &r, err)))
		return rc;
	if (r.nrows == 1) {
		actor_from(&r, out);
		snprintf(csrf_out, JCS_REG_TOKEN_HEX + 1, "%s", jcs_rows_get(&r, 0, 4));
	} else {
		rc = jcs_err_set(err, JCS_EPERM, "no session");
	}
	jcs_rows_free(&r);
	return rc;
}

int jcs_reg_logout(struct jcs_store *db, const char *session, struct jcs_err *err)
{
	static const char sql[] = "DELETE FROM sessions WHERE hash = $1";
	char sh[65];
	const char *p[] = {sh};

	jcs_reg_sha256_hex(session, strlen(session), sh);
	return jcs_store_exec(db, sql, 1, p, NULL, err);
}

/* --------------------------------------------------------- applications */

#define APP_COLS "id, app_no, vendor_id, vendor_org, lab_org, state, level, product, category, models," \
		 " firmware, support_end, contact, update_info, question, answer, reason, created, updated"

static const char *const app_keys[] = {
	"id", "app_no", "vendor_id", "vendor", "lab", "state", "level", "product", "category", "models",
	"firmware", "support_end", "contact", "update_info", "question", "answer", "reason", "created",
	"updated",
};

static json_t *models_json(const char *s)
{
	json_t *a = json_array();

	while (a && s && *s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		json_array_append_new(a, json_stringn(s, n));
		s += n + (e != NULL);
	}
	return a;
}

static json_t *app_json(const struct jcs_rows *r, size_t row)
{
	json_t *o = json_object();

	for (size_t c = 0; o && c < sizeof(app_keys) / sizeof(app_keys[0]); c++) {
		const char *v = jcs_rows_get(r, row, c);
		json_t *j;

		if (c == 0 || c == 2 || c == 6 || c == 17 || c == 18)
			j = json_integer(jcs_rows_int(r, row, c));
		else if (c == 9)
			j = models_json(v);
		else
			j = v ? json_string(v) : json_null();
		json_object_set_new(o, app_keys[c], j ? j : json_null());
	}
	return o;
}

int jcs_reg_app_row(struct jcs_store *db, long long id, json_t **out, struct jcs_err *err)
{
	static const char sql[] = "SELECT " APP_COLS " FROM applications WHERE id = $1";
	char idb[24];
	const char *p[] = {idb};
	struct jcs_rows r;
	int rc;

	snprintf(idb, sizeof(idb), "%lld", id);
	if ((rc = jcs_store_exec(db, sql, 1, p, &r, err)))
		return rc;
	if (r.nrows != 1)
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no application %lld", id);
	else if (!(*out = app_json(&r, 0)))
		rc = JCS_ENOMEM;
	jcs_rows_free(&r);
	return rc;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

bool jcs_reg_app_visible(const struct jcs_actor *a, const json_t *app)
{
	switch (a->role) {
	case JCS_ROLE_REVIEWER:
	case JCS_ROLE_ADMIN:
	case JCS_ROLE_SYSTEM:
		return true;
	case JCS_ROLE_VENDOR:
		return json_integer_value(json_object_get(app, "vendor_id")) == a->id;
	case JCS_ROLE_LAB:
		return json_integer_value(json_object_get(app, "level")) >= 3 &&
		       strcmp(jstr(app, "lab"), a->org) == 0;
	case JCS_ROLE_LIAISON:
		return *jstr(app, "question") != 0;
	default:
		return false;
	}
}

static int text_field(const json_t *f, const char *key, bool required, bool lines, char **out,
		      struct jcs_err *err)
{
	const json_t *v = json_object_get(f, key);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return jcs_err_set(err, JCS_ESCHEMA, "'%s' is required", key);
		*out = strdup("");
		return *out ? 0 : JCS_ENOMEM;
	}
	if (!json_is_string(v) || !jcs_reg_text_ok(json_string_value(v), JCS_REG_TEXT_MAX, lines) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return jcs_err_set(err, JCS_ESCHEMA, "'%s' must be text of at most %d bytes", key, JCS_REG_TEXT_MAX);
	if (required && !*json_string_value(v))
		return jcs_err_set(err, JCS_ESCHEMA, "'%s' must not be empty", key);
	*out = strdup(json_string_value(v));
	return *out ? 0 : JCS_ENOMEM;
}

/* models[]: 1..JCS_REG_MODELS_MAX distinct model numbers, each a single line. */
static int models_field(const json_t *f, struct jcs_buf *joined, struct jcs_err *err)
{
	const json_t *m = json_object_get(f, "models");
	size_t n = json_array_size(m);

	if (!json_is_array(m) || n == 0 || n > JCS_REG_MODELS_MAX)
		return jcs_err_set(err, JCS_ESCHEMA, "'models' must list 1-%d model numbers", JCS_REG_MODELS_MAX);
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(m, i));

		if (!s || !*s || strlen(s) > 128 || !jcs_reg_text_ok(s, 128, false) ||
		    strlen(s) != json_string_length(json_array_get(m, i)))
			return jcs_err_set(err, JCS_ESCHEMA, "model number %zu: 1-128 bytes of text", i + 1);
		for (size_t k = 0; k < i; k++)
			if (strcmp(s, json_string_value(json_array_get(m, k))) == 0)
				return jcs_err_set(err, JCS_ESCHEMA, "model number '%s' listed twice", s);
		if ((i && jcs_buf_putc(joined, '\n')) || jcs_buf_puts(joined, s))
			return JCS_ENOMEM;
	}
	return 0;
}

/* What filing accepts, signing must accept too: the label statement carries vendor,
 * product and models, JSON-escaped, and must stay within JCS_STMT_MAX. LABEL_FIXED bounds
 * everything else in the envelope (field names, dates, number, registry, URL, key id,
 * signature). */
#define LABEL_FIXED 2048

static int label_fits(const char *vendor, const char *product, const json_t *fields, struct jcs_err *err)
{
	json_t *o = json_pack("{s:s, s:s, s:O}", "vendor", vendor, "product", product, "models",
			      json_object_get(fields, "models"));
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	size_t n = s ? strlen(s) : 0;
	int rc = 0;

	if (!s)
		rc = JCS_ENOMEM;
	else if (n + LABEL_FIXED > JCS_STMT_MAX)
		rc = jcs_err_set(err, JCS_ESCHEMA, "the label would exceed %d bytes: shorten the product name or the"
				 " model numbers (%zu bytes of text after JSON escaping)", JCS_STMT_MAX, n);
	free(s);
	json_decref(o);
	return rc;
}

int jcs_reg_app_create(struct jcs_store *db, const struct jcs_actor *a, const json_t *fields,
		       long long *id, struct jcs_err *err)
{
	static const char sql[] = "INSERT INTO applications (id, vendor_id, vendor_org, lab_org, state, level,"
				  " product, category, models, firmware, support_end, contact, update_info, created,"
				  " updated) VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)";
	static const char *const keys[] = {"product", "category", "firmware", "support_end", "contact",
					   "update_info", "lab"};
	char *v[7] = {0}, idb[24], vid[24], lvl[8], now[24];
	struct jcs_buf models = JCS_BUF_INIT;
	json_int_t level;
	long long n;
	int rc = 0;

	if (a->role != JCS_ROLE_VENDOR)
		return jcs_err_set(err, JCS_EPERM, "only vendor accounts file applications");
	if (!json_is_object(fields))
		return jcs_err_set(err, JCS_ESCHEMA, "application must be a JSON object");
	level = json_integer_value(json_object_get(fields, "level"));
	if (!json_is_integer(json_object_get(fields, "level")) || level < 1 || level > 4)
		return jcs_err_set(err, JCS_ESCHEMA, "'level' must be 1, 2, 3 or 4");
	for (size_t i = 0; i < 7; i++)
		if ((rc = text_field(fields, keys[i], i < 5 || (i == 6 && level >= 3), i == 5, &v[i], err)))
			goto out;
	if (!jcs_date_valid(v[3])) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "'support_end' must be a date YYYY-MM-DD");
		goto out;
	}
	if ((rc = models_field(fields, &models, err)) || (rc = label_fits(a->org, v[0], fields, err)))
		goto out;
	if ((rc = jcs_store_begin(db, err)) || (rc = jcs_reg_counter_next(db, "app", &n, err)))
		goto fail;
	snprintf(idb, sizeof(idb), "%lld", n);
	snprintf(vid, sizeof(vid), "%lld", a->id);
	snprintf(lvl, sizeof(lvl), "%d", (int)level);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	{
		const char *p[] = {idb, vid, a->org, v[6], lvl, v[0], v[1], models.data, v[2], v[3], v[4], v[5], now};

		if ((rc = jcs_store_exec(db, sql, 13, p, NULL, err)) ||
		    (rc = jcs_reg_audit(db, n, a, "create", "", "draft", "", err)) ||
		    (rc = jcs_store_commit(db, err)))
			goto fail;
	}
	*id = n;
	goto out;
fail:
	jcs_store_rollback(db);
out:
	for (size_t i = 0; i < 7; i++)
		free(v[i]);
	jcs_buf_free(&models);
	return rc;
}

static int add_details(struct jcs_store *db, const struct jcs_actor *a, json_t *app, struct jcs_err *err)
{
	static const char q_att[] = "SELECT id, kind, name, ctype, size, sha256, uploader, created"
				    " FROM attachments WHERE app_id = $1 ORDER BY id";
	static const char q_audit[] = "SELECT actor, role, action, from_state, to_state, reason, at FROM audit"
				      " WHERE app_id = $1 ORDER BY id";
	static const char q_reg[] = "SELECT reg_no, issued, expires, status FROM registrations WHERE app_id = $1";
	static const char *const ak[] = {"id", "kind", "name", "ctype", "size", "sha256", "uploader", "created"};
	static const char *const uk[] = {"actor", "role", "action", "from", "to", "reason", "at"};
	char idb[24];
	const char *p[] = {idb};
	struct jcs_rows r;
	json_t *arr;
	int rc;
	bool owner;

	snprintf(idb, sizeof(idb), "%lld", (long long)json_integer_value(json_object_get(app, "id")));
	if ((rc = jcs_store_exec(db, q_att, 1, p, &r, err)))
		return rc;
	arr = json_array();
	for (size_t i = 0; i < r.nrows; i++) {
		json_t *o = json_object();

		for (size_t c = 0; c < 8; c++)
			json_object_set_new(o, ak[c], (c == 0 || c == 4 || c == 7)
				? json_integer(jcs_rows_int(&r, i, c)) : json_string(jcs_rows_get(&r, i, c)));
		json_array_append_new(arr, o);
	}
	json_object_set_new(app, "attachments", arr);
	jcs_rows_free(&r);
	if ((rc = jcs_store_exec(db, q_audit, 1, p, &r, err)))
		return rc;
	arr = json_array();
	for (size_t i = 0; i < r.nrows; i++) {
		json_t *o = json_object();

		for (size_t c = 0; c < 7; c++)
			json_object_set_new(o, uk[c], c == 6 ? json_integer(jcs_rows_int(&r, i, c))
							     : json_string(jcs_rows_get(&r, i, c)));
		json_array_append_new(arr, o);
	}
	json_object_set_new(app, "audit", arr);
	jcs_rows_free(&r);
	if ((rc = jcs_store_exec(db, q_reg, 1, p, &r, err)))
		return rc;
	if (r.nrows == 1)
		json_object_set_new(app, "registration", json_pack("{s:s, s:s, s:s, s:s}",
			"reg_no", jcs_rows_get(&r, 0, 0), "issued", jcs_rows_get(&r, 0, 1),
			"expires", jcs_rows_get(&r, 0, 2), "status", jcs_rows_get(&r, 0, 3)));
	jcs_rows_free(&r);
	owner = jcs_reg_app_visible(a, app);
	json_object_set_new(app, "actions", jcs_reg_actions_for(a, jstr(app, "state"), owner));
	{
		/* what the reviewer decides on: the report's verdicts and how it differs */
		struct jcs_err why = {0};
		json_t *rev = NULL;

		if (jcs_reg_app_review(db, app, &rev, &why))
			rev = json_pack("{s:s}", "error", why.msg);
		json_object_set_new(app, "review", rev ? rev : json_null());
	}
	return 0;
}

int jcs_reg_app_get(struct jcs_store *db, const struct jcs_actor *a, long long id, json_t **out,
		    struct jcs_err *err)
{
	json_t *app = NULL;
	int rc;

	*out = NULL;
	if ((rc = jcs_reg_app_row(db, id, &app, err)))
		return rc;
	if (!jcs_reg_app_visible(a, app)) {
		json_decref(app);
		return jcs_err_set(err, JCS_ENOTFOUND, "no application %lld", id);
	}
	if ((rc = add_details(db, a, app, err))) {
		json_decref(app);
		return rc;
	}
	*out = app;
	return 0;
}

int jcs_reg_app_list(struct jcs_store *db, const struct jcs_actor *a, const char *state, json_t **out,
		     struct jcs_err *err)
{
	/* one statement per relation; $1 = '' means every state */
	static const char q_all[] = "SELECT " APP_COLS " FROM applications WHERE ($1 = '' OR state = $1)"
				    " ORDER BY id DESC LIMIT 1000";
	static const char q_vendor[] = "SELECT " APP_COLS " FROM applications WHERE ($1 = '' OR state = $1)"
				       " AND vendor_id = $2 ORDER BY id DESC LIMIT 1000";
	static const char q_lab[] = "SELECT " APP_COLS " FROM applications WHERE ($1 = '' OR state = $1)"
				    " AND lab_org = $2 AND level >= 3 ORDER BY id DESC LIMIT 1000";
	static const char q_liaison[] = "SELECT " APP_COLS " FROM applications WHERE ($1 = '' OR state = $1)"
					" AND question <> '' ORDER BY id DESC LIMIT 1000";
	char idb[24];
	const char *p[2] = {state ? state : "", idb};
	const char *sql;
	size_t np = 2;
	struct jcs_rows r;
	json_t *arr;
	int rc;

	switch (a->role) {
	case JCS_ROLE_VENDOR:
		sql = q_vendor;
		snprintf(idb, sizeof(idb), "%lld", a->id);
		break;
	case JCS_ROLE_LAB:
		sql = q_lab;
		p[1] = a->org;
		break;
	case JCS_ROLE_LIAISON:
		sql = q_liaison;
		np = 1;
		break;
	case JCS_ROLE_REVIEWER:
	case JCS_ROLE_ADMIN:
		sql = q_all;
		np = 1;
		break;
	default:
		return jcs_err_set(err, JCS_EPERM, "sign in to see applications");
	}
	if ((rc = jcs_store_exec(db, sql, np, p, &r, err)))
		return rc;
	arr = json_array();
	for (size_t i = 0; arr && i < r.nrows; i++) {
		json_t *app = app_json(&r, i);

		json_object_set_new(app, "actions", jcs_reg_actions_for(a, jstr(app, "state"), true));
		json_array_append_new(arr, app);
	}
	jcs_rows_free(&r);
	*out = arr;
	return arr ? 0 : JCS_ENOMEM;
}

/* Which document kinds an actor may attach in which states. */
static const struct attach_rule {
	const char *kind;
	enum jcs_role role;
	const char *states; /* space-separated */
	int min_level;
} attach_rules[] = {
	{"report", JCS_ROLE_VENDOR, "draft submitted under_review issued", 1}, /* issued: for a firmware change */
	{"checklist", JCS_ROLE_VENDOR, "draft submitted under_review", 1},
	{"form", JCS_ROLE_VENDOR, "draft submitted under_review", 1},
	{"sbom", JCS_ROLE_VENDOR, "draft submitted under_review issued", 1}, /* issued: with a change notice */
	{"evaluation", JCS_ROLE_LAB, "draft submitted under_review inquiry inquiry_answered", 3},
};

static bool word_in(const char *word, const char *list)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
			return true;
	return false;
}

/* The documents must be what they claim: a valid jcstar report whose product is the
 * application's (review.c), a checklist with criterion rows. A report attached to an issued
 * label is for the change notice of its firmware, which reviews it in full (workflow.c):
 * here only its firmware may differ. */
static int check_document(const char *kind, const void *data, size_t len, const json_t *app, struct jcs_err *err)
{
	json_t *rev = NULL, *d;
	struct jcs_buf why = JCS_BUF_INIT;
	size_t i;
	int rc = 0;

	if (strcmp(kind, "checklist") == 0)
		return jcs_reg_check_checklist(data, len, err);
	if (strcmp(kind, "sbom") == 0)
		return jcs_reg_check_sbom(data, len, err);
	if (strcmp(kind, "report") != 0 || (rc = jcs_reg_review_report(data, len, app, &rev, err)))
		return rc;
	json_array_foreach(json_object_get(rev, "differences"), i, d)
		if (strcmp(jstr(app, "state"), "issued") != 0 || strcmp(jstr(d, "field"), "firmware") != 0)
			jcs_buf_printf(&why, "%s%s: application '%s', report '%s'", why.len ? "; " : "",
				       jstr(d, "field"), jstr(d, "application"), jstr(d, "report"));
	if (why.len)
		rc = jcs_err_set(err, JCS_ESCHEMA, "report: it is about another product (%s)", why.data);
	jcs_buf_free(&why);
	json_decref(rev);
	return rc;
}

int jcs_reg_attach(struct jcs_store *db, const struct jcs_actor *a, long long id, const char *kind,
		   const char *name, const char *ctype, const void *data, size_t len, long long *att_id,
		   struct jcs_err *err)
{
	static const char sql[] = "INSERT INTO attachments (id, app_id, kind, name, ctype, size, sha256,"
				  " content, uploader, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
	const struct attach_rule *rule = NULL;
	char idb[24], app[24], size[24], sha[65], now[24], *b64 = NULL;
	json_t *row = NULL;
	long long n;
	int rc;

	for (size_t i = 0; i < sizeof(attach_rules) / sizeof(attach_rules[0]); i++)
		if (kind && strcmp(kind, attach_rules[i].kind) == 0)
			rule = &attach_rules[i];
	if (!rule)
		return jcs_err_set(err, JCS_ESCHEMA, "attachment kind must be report, checklist, sbom, form or evaluation");
	if (len > JCS_REG_ATTACH_MAX)
		return jcs_err_set(err, JCS_ELIMIT, "attachment larger than %u bytes", JCS_REG_ATTACH_MAX);
	if (!name || !*name || !jcs_reg_text_ok(name, 200, false) || strchr(name, '/') || strchr(name, '\\'))
		return jcs_err_set(err, JCS_ESCHEMA, "attachment name: 1-200 bytes, no path separators");
	if (!ctype || !jcs_reg_text_ok(ctype, 100, false))
		return jcs_err_set(err, JCS_ESCHEMA, "bad content type");
	if ((rc = check_document(kind, data, len, NULL, err)))
		return rc;
	if ((rc = jcs_store_begin(db, err)) || (rc = jcs_reg_app_row(db, id, &row, err)))
		goto out;
	if (!jcs_reg_app_visible(a, row)) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no application %lld", id);
		goto out;
	}
	if ((rc = check_document(kind, data, len, row, err)))
		goto out;
	if (a->role != rule->role) {
		rc = jcs_err_set(err, JCS_EPERM, "only %s accounts attach %s documents", jcs_role_name(rule->role), kind);
		goto out;
	}
	if (json_integer_value(json_object_get(row, "level")) < rule->min_level) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "%s documents are for ★%d and above", kind, rule->min_level);
		goto out;
	}
	if (!word_in(jstr(row, "state"), rule->states)) {
		rc = jcs_err_set(err, JCS_ECONFLICT, "cannot attach %s documents in state %s", kind, jstr(row, "state"));
		goto out;
	}
	if (!(b64 = malloc(4 * ((len + 2) / 3) + 1))) {
		rc = JCS_ENOMEM;
		goto out;
	}
	EVP_EncodeBlock((unsigned char *)b64, data, (int)len);
	jcs_reg_sha256_hex(data, len, sha);
	if ((rc = jcs_reg_counter_next(db, "att", &n, err)))
		goto out;
	snprintf(idb, sizeof(idb), "%lld", n);
	snprintf(app, sizeof(app), "%lld", id);
	snprintf(size, sizeof(size), "%zu", len);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	{
		const char *p[] = {idb, app, kind, name, ctype, size, sha, b64, a->name, now};
		char what[64];

		snprintf(what, sizeof(what), "attach:%s", kind);
		if ((rc = jcs_store_exec(db, sql, 10, p, NULL, err)) ||
		    (rc = jcs_reg_audit(db, id, a, what, jstr(row, "state"), jstr(row, "state"), name, err)) ||
		    (rc = jcs_store_commit(db, err)))
			goto out;
	}
	*att_id = n;
out:
	if (rc)
		jcs_store_rollback(db);
	free(b64);
	json_decref(row);
	return rc;
}

int jcs_reg_attachment(struct jcs_store *db, const struct jcs_actor *a, long long id, long long att_id,
		       char **name, char **ctype, char **data, size_t *len, struct jcs_err *err)
{
	static const char sql[] = "SELECT name, ctype, content, size FROM attachments WHERE app_id = $1 AND id = $2";
	char app[24], att[24];
	const char *p[] = {app, att};
	struct jcs_rows r = {0};
	json_t *row = NULL;
	const char *b64;
	int rc, n;

	*name = *ctype = *data = NULL;
	if ((rc = jcs_reg_app_row(db, id, &row, err)))
		return rc;
	if (!jcs_reg_app_visible(a, row)) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no application %lld", id);
		goto out;
	}
	snprintf(app, sizeof(app), "%lld", id);
	snprintf(att, sizeof(att), "%lld", att_id);
	if ((rc = jcs_store_exec(db, sql, 2, p, &r, err)))
		goto out;
	if (r.nrows != 1) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no attachment %lld", att_id);
		goto out;
	}
	b64 = jcs_rows_get(&r, 0, 2);
	*data = malloc(strlen(b64) / 4 * 3 + 1);
	*name = strdup(jcs_rows_get(&r, 0, 0));
	*ctype = strdup(jcs_rows_get(&r, 0, 1));
	if (!*data || !*name || !*ctype) {
		rc = JCS_ENOMEM;
		goto out;
	}
	n = EVP_DecodeBlock((unsigned char *)*data, (const unsigned char *)b64, (int)strlen(b64));
	if (n < 0 || jcs_rows_int(&r, 0, 3) > n) {
		rc = jcs_err_set(err, JCS_EDB, "attachment %lld: stored content is damaged", att_id);
		goto out;
	}
	*len = (size_t)jcs_rows_int(&r, 0, 3); /* DecodeBlock counts base64 padding as zero bytes */
out:
	if (rc) {
		free(*name);
		free(*ctype);
		free(*data);
		*name = *ctype = *data = NULL;
	}
	jcs_rows_free(&r);
	json_decref(row);
	return rc;
}

/* --------------------------------------------------------- public list */

#define OPEN_CASE "c.reg_no = registrations.reg_no AND c.state IN ('open', 'assessing', 'affected')"
#define PRODUCT_COLS "reg_no, level, vendor_org, product, category, models, firmware, support_end, contact," \
		     " update_info, status, issued, expires, reason, app_id," \
		     " (SELECT count(*) FROM cases c WHERE " OPEN_CASE ")," \
		     " (SELECT count(*) FROM cases c WHERE " OPEN_CASE " AND c.overdue = 1)"
static const char *const product_keys[] = {
	"reg_no", "level", "vendor", "product", "category", "models", "firmware", "support_end",
	"contact", "update_info", "status", "issued", "expires", "reason",
};

static json_t *product_json(const struct jcs_rows *r, size_t row)
{
	json_t *o = json_object();
	enum jcs_reg_status st;

	for (size_t c = 0; o && c < sizeof(product_keys) / sizeof(product_keys[0]); c++) {
		const char *v = jcs_rows_get(r, row, c);

		json_object_set_new(o, product_keys[c], c == 1 ? json_integer(jcs_rows_int(r, row, c))
					: c == 5 ? models_json(v) : json_string(v ? v : ""));
	}
	/* living labels (monitor.h): open vulnerability cases; a known-exploited one past its
	 * deadline puts the label under review */
	if (o) {
		json_object_set_new(o, "open_cases", json_integer(jcs_rows_int(r, row, 15)));
		json_object_set_new(o, "under_review", json_boolean(jcs_rows_int(r, row, 16) > 0));
	}
	/* IPA's word for the status (有効 / 失効猶予 / 失効 / 取消し, 一時停止) */
	if (o)
		json_object_set_new(o, "status_ja", json_string(jcs_reg_status_parse(json_string_value(json_object_get(o,
				    "status")), &st) ? "?" : jcs_reg_status_ja(st)));
	return o;
}

/* "%needle%" lower-cased with LIKE metacharacters escaped; "" for no filter. */
static int like_pattern(const char *s, struct jcs_buf *b)
{
	jcs_buf_reset(b);
	if (!s || !*s)
		return jcs_buf_puts(b, "");
	if (jcs_buf_putc(b, '%'))
		return JCS_ENOMEM;
	for (; *s; s++) {
		char c = (*s >= 'A' && *s <= 'Z') ? (char)(*s + 32) : *s;

		if ((c == '%' || c == '_' || c == '\\') && jcs_buf_putc(b, '\\'))
			return JCS_ENOMEM;
		if (jcs_buf_putc(b, c))
			return JCS_ENOMEM;
	}
	return jcs_buf_putc(b, '%');
}

/* The same conditions without an index, for needles the trigram index cannot serve. */
static const char *const text_scan[] = {
	"lower(vendor_org || ' ' || product || ' ' || models) LIKE ", "lower(vendor_org) LIKE ", "lower(models) LIKE ",
};

/* Characters (code points) of the needle in a "%needle%" pattern. */
static size_t needle_chars(const char *pattern)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)pattern; *p; p++)
		n += (*p & 0xc0) != 0x80 && *p != '%';
	return n;
}

/* " AND <condition on $N>" for one filter; params[*np] = value. text: enum jcs_store_text
 * for a LIKE pattern through the store's trigram index (3 characters or more; shorter
 * ones scan), or -1 for "column = value". */
static int add_filter(struct jcs_store *db, struct jcs_buf *sql, const char **params, size_t *np, int text,
		      const char *column, const char *value)
{
	char ph[32];

	if (!value || !*value)
		return 0;
	params[(*np)++] = value;
	/* only a pattern with escaped metacharacters needs ESCAPE (which bypasses the index) */
	snprintf(ph, sizeof(ph), "$%zu%s", *np, text >= 0 && strchr(value, '\\') ? " ESCAPE '\\'" : "");
	if (jcs_buf_puts(sql, " AND "))
		return JCS_ENOMEM;
	if (text < 0)
		return jcs_buf_printf(sql, "%s = %s", column, ph);
	if (needle_chars(value) < 3)
		return jcs_buf_printf(sql, "%s%s", text_scan[text], ph);
	return jcs_store_text_match(db, (enum jcs_store_text)text, ph, sql);
}

int jcs_reg_products(struct jcs_store *db, const struct jcs_reg_filter *f, json_t **out, struct jcs_err *err)
{
	/* Only the filters given become conditions, so the planner sees each pattern and uses
	 * the store's trigram index (FTS5 / pg_trgm). The window count gives the total before
	 * LIMIT; "reg_no || ''" keeps SQLite from walking the primary-key index. */
	struct jcs_buf pq = JCS_BUF_INIT, pv = JCS_BUF_INIT, pm = JCS_BUF_INIT, sql = JCS_BUF_INIT,
		       where = JCS_BUF_INIT;
	char lvl[8], lim[24], off[24];
	const char *params[8];
	size_t np = 0;
	struct jcs_rows r = {0}, c = {0};
	json_t *items = NULL;
	long long total;
	int rc;

	*out = NULL;
	if (like_pattern(f->q, &pq) || like_pattern(f->vendor, &pv) || like_pattern(f->model, &pm)) {
		rc = JCS_ENOMEM;
		goto out;
	}
	snprintf(lvl, sizeof(lvl), "%d", f->level);
	snprintf(lim, sizeof(lim), "%lld", f->limit > 0 && f->limit <= JCS_REG_LIST_MAX ? f->limit : 50);
	snprintf(off, sizeof(off), "%lld", f->offset > 0 ? f->offset : 0);
	if (jcs_buf_puts(&where, " FROM registrations WHERE 1 = 1") ||
	    add_filter(db, &where, params, &np, JCS_TEXT_ALL, NULL, pq.data) ||
	    add_filter(db, &where, params, &np, JCS_TEXT_VENDOR, NULL, pv.data) ||
	    add_filter(db, &where, params, &np, JCS_TEXT_MODELS, NULL, pm.data) ||
	    add_filter(db, &where, params, &np, -1, "category", f->category) ||
	    add_filter(db, &where, params, &np, -1, "level", f->level ? lvl : NULL) ||
	    add_filter(db, &where, params, &np, -1, "status", f->status) ||
	    jcs_buf_printf(&sql, "SELECT " PRODUCT_COLS ", count(*) OVER ()%s ORDER BY reg_no || '' LIMIT $%zu"
			   " OFFSET $%zu", where.data, np + 1, np + 2)) {
		rc = JCS_ENOMEM;
		goto out;
	}
	params[np] = lim;
	params[np + 1] = off;
	if ((rc = jcs_store_exec_once(db, sql.data, np + 2, params, &r, err)))
		goto out;
	/* past the last page the window count is not seen: count separately */
	if (r.nrows == 0 && f->offset > 0) {
		jcs_buf_reset(&sql);
		if (jcs_buf_printf(&sql, "SELECT count(*)%s", where.data)) {
			rc = JCS_ENOMEM;
			goto out;
		}
		if ((rc = jcs_store_exec_once(db, sql.data, np, params, &c, err)))
			goto out;
	}
	total = r.nrows ? jcs_rows_int(&r, 0, 17) : c.nrows ? jcs_rows_int(&c, 0, 0) : 0;
	items = json_array();
	for (size_t i = 0; items && i < r.nrows; i++)
		json_array_append_new(items, product_json(&r, i));
	*out = json_pack("{s:I, s:o}", "total", (json_int_t)total, "items", items);
	rc = *out ? 0 : JCS_ENOMEM;
out:
	jcs_rows_free(&r);
	jcs_rows_free(&c);
	jcs_buf_free(&pq);
	jcs_buf_free(&pv);
	jcs_buf_free(&pm);
	jcs_buf_free(&sql);
	jcs_buf_free(&where);
	return rc;
}

int jcs_reg_product(struct jcs_store *db, const char *reg_no, json_t **out, struct jcs_err *err)
{
	static const char sql[] = "SELECT " PRODUCT_COLS " FROM registrations WHERE reg_no = $1";
	static const char q_hist[] = "SELECT action, to_state, reason, at FROM audit WHERE app_id = $1 AND"
				     " action IN ('issue', 'notify_change', 'renew', 'suspend', 'reinstate', 'revoke',"
				     " 'expire', 'lapse') ORDER BY id";
	const char *p[1] = {reg_no};
	struct jcs_rows r = {0}, h = {0};
	json_t *hist;
	int rc;

	*out = NULL;
	if (!reg_no || jcs_regno_parse(reg_no, NULL, NULL, NULL))
		return jcs_err_set(err, JCS_ENOTFOUND, "no registration '%s'", reg_no);
	if ((rc = jcs_store_exec(db, sql, 1, p, &r, err)))
		return rc;
	if (r.nrows != 1) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no registration '%s'", reg_no);
		goto out;
	}
	p[0] = jcs_rows_get(&r, 0, 14);
	if ((rc = jcs_store_exec(db, q_hist, 1, p, &h, err)))
		goto out;
	*out = product_json(&r, 0);
	hist = json_array();
	for (size_t i = 0; i < h.nrows; i++)
		json_array_append_new(hist, json_pack("{s:s, s:s, s:s, s:I}", "action", jcs_rows_get(&h, i, 0),
			"status", jcs_rows_get(&h, i, 1), "note", jcs_rows_get(&h, i, 2),
			"at", (json_int_t)jcs_rows_int(&h, i, 3)));
	json_object_set_new(*out, "history", hist);
	{
		json_t *mon;
		if ((rc = jcs_mon_public(db, reg_no, &mon, err)))
			goto out;
		json_object_set_new(*out, "monitoring", mon);
	}
out:
	jcs_rows_free(&r);
	jcs_rows_free(&h);
	return rc;
}

int jcs_reg_public_generation(struct jcs_store *db, long long *gen, struct jcs_err *err)
{
	static const char sql[] = "SELECT v FROM counters WHERE name = 'public'";
	struct jcs_rows r;
	int rc = jcs_store_exec(db, sql, 0, NULL, &r, err);

	if (rc)
		return rc;
	*gen = jcs_rows_int(&r, 0, 0);
	jcs_rows_free(&r);
	return 0;
}

int jcs_reg_label(struct jcs_store *db, const char *reg_no, char **out, struct jcs_err *err)
{
	static const char sql[] = "SELECT statement FROM label_statements WHERE reg_no = $1";
	const char *p[] = {reg_no};
	struct jcs_rows r;
	int rc = jcs_store_exec(db, sql, 1, p, &r, err);

	if (rc)
		return rc;
	if (r.nrows != 1)
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no registration '%s'", reg_no);
	else if (!(*out = strdup(jcs_rows_get(&r, 0, 0))))
		rc = JCS_ENOMEM;
	jcs_rows_free(&r);
	return rc;
}

/* --------------------------------------------------------- procurement */

int jcs_reg_procure(struct jcs_store *db, const char *importance, const char *const *models, size_t n,
		    const char *today, json_t **out, struct jcs_err *err)
{
	static const char sql[] = "SELECT r.reg_no, r.level, r.status, r.expires, (SELECT count(*) FROM cases c"
				  " WHERE c.reg_no = r.reg_no AND c.state IN ('open', 'assessing', 'affected') AND"
				  " c.vuln IN (SELECT cve FROM kev)) FROM models m JOIN"
				  " registrations r ON r.reg_no = m.reg_no WHERE m.model = $1"
				  " ORDER BY r.level DESC, r.expires DESC";
	const struct jcs_catalog *cat = jcs_catalog_get(err);
	json_t *arr = NULL;
	int min, rc = 0;

	*out = NULL;
	if (!cat)
		return err ? err->code : JCS_EINVAL;
	min = importance ? jcs_catalog_min_level(cat, importance) : JCS_ENOTFOUND;
	if (min < 0)
		return jcs_err_set(err, JCS_ESCHEMA, "importance must be low, medium or high");
	if (n > JCS_REG_PROCURE_MAX)
		return jcs_err_set(err, JCS_ELIMIT, "at most %d model numbers per query", JCS_REG_PROCURE_MAX);
	arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		const char *p[] = {models[i]};
		struct jcs_rows r;
		size_t best = (size_t)-1;
		json_t *o;

		if (!jcs_reg_text_ok(models[i], 128, false)) {
			rc = jcs_err_set(err, JCS_ESCHEMA, "model number %zu: 1-128 bytes of text", i + 1);
			goto out;
		}
		if ((rc = jcs_store_exec(db, sql, 1, p, &r, err)))
			goto out;
		for (size_t k = 0; k < r.nrows && best == (size_t)-1; k++)
			if (strcmp(jcs_rows_get(&r, k, 2), "valid") == 0 && strcmp(jcs_rows_get(&r, k, 3), today) >= 0)
				best = k;
		if (best != (size_t)-1) {
			int level = (int)jcs_rows_int(&r, best, 1);
			bool meets = level >= min;

			o = json_pack("{s:s, s:b, s:s, s:i, s:s, s:s, s:b, s:s}", "model", models[i],
				"labelled", 1, "reg_no", jcs_rows_get(&r, best, 0), "level", level,
				"status", "valid", "valid_until", jcs_rows_get(&r, best, 3), "meets", meets,
				"note", meets ? "holds a valid label at or above the required level"
					      : "holds a valid label below the required level");
			if (o)
				json_object_set_new(o, "open_kev", json_integer(jcs_rows_int(&r, best, 4)));
		} else {
			/* a registration still marked valid whose date has passed is expired for the buyer */
			const char *st = !r.nrows ? "not_registered"
				       : strcmp(jcs_rows_get(&r, 0, 2), "valid") == 0 ? "expired"
				       : jcs_rows_get(&r, 0, 2);
			o = json_pack("{s:s, s:b, s:n, s:n, s:s, s:n, s:b, s:s}", "model", models[i],
				"labelled", 0, "reg_no", "level", "status", st, "valid_until", "meets", 0,
				"note", r.nrows ? "no valid label (expired, suspended or revoked)"
						: "no label registered for this model number");
			if (o)
				json_object_set_new(o, "open_kev", json_null());
		}
		jcs_rows_free(&r);
		json_array_append_new(arr, o);
	}
	*out = json_pack("{s:s, s:i, s:o, s:s}", "importance", importance, "required_level", min,
			 "results", arr, "disclaimer",
			 "A label states conformity with the JC-STAR requirements of its level at the time of "
			 "assessment; it does not mean a product is free of vulnerabilities.");
	arr = NULL;
	rc = *out ? 0 : JCS_ENOMEM;
out:
	json_decref(arr);
	return rc;
}
