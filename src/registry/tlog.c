/* RFC 6962 Merkle tree, proofs (verification per RFC 9162), signed tree heads. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "jcstar/digest.h"
#include "registry/stmt.h"
#include "jcstar/tlog.h"

#define SCHEMA_INCLUSION   "jcstar.inclusion/1"
#define SCHEMA_CONSISTENCY "jcstar.consistency/1"

/* SHA-256 fetched once: SHA256() would look the algorithm up on every call, which costs
 * more than hashing 65 bytes. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_md ? sha256_md : EVP_sha256();
}

int jcs_tlog_leaf_hash(const void *data, size_t len, jcs_hash out)
{
	static const uint8_t zero = 0x00;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, sha256(), NULL) && EVP_DigestUpdate(c, &zero, 1) &&
		 EVP_DigestUpdate(c, data, len) && EVP_DigestFinal_ex(c, out, NULL);

	EVP_MD_CTX_free(c);
	return ok ? 0 : JCS_ENOMEM;
}

void jcs_tlog_node_hash(const jcs_hash left, const jcs_hash right, jcs_hash out)
{
	uint8_t buf[1 + 2 * JCS_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, left, JCS_HASH_LEN);
	memcpy(buf + 1 + JCS_HASH_LEN, right, JCS_HASH_LEN);
	if (!EVP_Digest(buf, sizeof(buf), out, NULL, sha256(), NULL))
		SHA256(buf, sizeof(buf), out);
}

/* Largest power of two smaller than n (n >= 2). */
static uint64_t split(uint64_t n)
{
	uint64_t k = 1;
	while (k << 1 < n)
		k <<= 1;
	return k;
}

#define LEAF(leaves, i) ((leaves) + (size_t)(i) * JCS_HASH_LEN)

void jcs_tlog_root(const uint8_t *leaves, uint64_t n, jcs_hash out)
{
	jcs_hash l, r;
	uint64_t k;

	if (n == 0) {
		SHA256((const uint8_t *)"", 0, out);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves, JCS_HASH_LEN);
		return;
	}
	k = split(n);
	jcs_tlog_root(leaves, k, l);
	jcs_tlog_root(LEAF(leaves, k), n - k, r);
	jcs_tlog_node_hash(l, r, out);
}

static int path_push(struct jcs_tlog_path *p, const jcs_hash h)
{
	if (p->n >= JCS_TLOG_MAX_PATH)
		return JCS_ELIMIT;
	memcpy(p->h[p->n++], h, JCS_HASH_LEN);
	return 0;
}

/* PATH(m, D[start:start+n]) appended to out (RFC 6962 §2.1.1). */
static int path(const struct jcs_tlog_src *src, uint64_t start, uint64_t n, uint64_t m, struct jcs_tlog_path *out)
{
	jcs_hash h;
	uint64_t k;
	int rc;

	if (n <= 1)
		return 0;
	k = split(n);
	if (m < k) {
		rc = path(src, start, k, m, out);
		src->mth(src->ctx, start + k, n - k, h);
	} else {
		rc = path(src, start + k, n - k, m - k, out);
		src->mth(src->ctx, start, k, h);
	}
	return rc ? rc : path_push(out, h);
}

int jcs_tlog_inclusion_proof_src(const struct jcs_tlog_src *src, uint64_t n, uint64_t index,
				 struct jcs_tlog_path *out)
{
	out->n = 0;
	if (index >= n || n > JCS_TLOG_MAX_SIZE)
		return JCS_EINVAL;
	return path(src, 0, n, index, out);
}

/* SUBPROOF(m, D[start:start+n], b) appended to out (RFC 6962 §2.1.2). */
static int subproof(const struct jcs_tlog_src *src, uint64_t start, uint64_t n, uint64_t m, bool b,
		    struct jcs_tlog_path *out)
{
	jcs_hash h;
	uint64_t k;
	int rc;

	if (m == n) {
		if (b)
			return 0;
		src->mth(src->ctx, start, n, h);
		return path_push(out, h);
	}
	k = split(n);
	if (m <= k) {
		rc = subproof(src, start, k, m, b, out);
		src->mth(src->ctx, start + k, n - k, h);
	} else {
		rc = subproof(src, start + k, n - k, m - k, false, out);
		src->mth(src->ctx, start, k, h);
	}
	return rc ? rc : path_push(out, h);
}

int jcs_tlog_consistency_proof_src(const struct jcs_tlog_src *src, uint64_t n, uint64_t m,
				   struct jcs_tlog_path *out)
{
	out->n = 0;
	if (m == 0 || m > n || n > JCS_TLOG_MAX_SIZE)
		return JCS_EINVAL;
	return subproof(src, 0, n, m, true, out);
}

/* The source over an array of leaf hashes: every subtree hash recomputed, O(n). */
static void array_mth(const void *ctx, uint64_t start, uint64_t n, jcs_hash out)
{
	jcs_tlog_root(LEAF((const uint8_t *)ctx, start), n, out);
}

int jcs_tlog_inclusion_proof(const uint8_t *leaves, uint64_t n, uint64_t index, struct jcs_tlog_path *out)
{
	const struct jcs_tlog_src src = {array_mth, leaves};

	return jcs_tlog_inclusion_proof_src(&src, n, index, out);
}

int jcs_tlog_consistency_proof(const uint8_t *leaves, uint64_t n, uint64_t m, struct jcs_tlog_path *out)
{
	const struct jcs_tlog_src src = {array_mth, leaves};

	return jcs_tlog_consistency_proof_src(&src, n, m, out);
}

static bool hash_eq(const jcs_hash a, const jcs_hash b)
{
	return CRYPTO_memcmp(a, b, JCS_HASH_LEN) == 0;
}

/* RFC 9162 §2.1.3.2 */
int jcs_tlog_inclusion_verify(const jcs_hash leaf, uint64_t index, uint64_t size,
			      const struct jcs_tlog_path *p, const jcs_hash root)
{
	uint64_t fn = index, sn = size - 1;
	jcs_hash r;

	if (index >= size || p->n > JCS_TLOG_MAX_PATH)
		return JCS_EINVAL;
	memcpy(r, leaf, JCS_HASH_LEN);
	for (size_t i = 0; i < p->n; i++) {
		if (sn == 0)
			return JCS_ECRYPTO;
		if ((fn & 1) || fn == sn) {
			jcs_tlog_node_hash(p->h[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			jcs_tlog_node_hash(r, p->h[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && hash_eq(r, root) ? 0 : JCS_ECRYPTO;
}

/* RFC 9162 §2.1.4.2 */
int jcs_tlog_consistency_verify(uint64_t m, uint64_t n, const jcs_hash old_root, const jcs_hash new_root,
				const struct jcs_tlog_path *p)
{
	const uint8_t *c[JCS_TLOG_MAX_PATH + 1];
	size_t nc = 0;
	uint64_t fn, sn;
	jcs_hash fr, sr;

	if (m == 0 || m > n || p->n > JCS_TLOG_MAX_PATH)
		return JCS_EINVAL;
	if (m == n)
		return p->n == 0 && hash_eq(old_root, new_root) ? 0 : JCS_ECRYPTO;
	if (p->n == 0)
		return JCS_ECRYPTO;
	if ((m & (m - 1)) == 0) /* first is a power of two: the old root is the first node */
		c[nc++] = old_root;
	for (size_t i = 0; i < p->n; i++)
		c[nc++] = p->h[i];
	fn = m - 1;
	sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, c[0], JCS_HASH_LEN);
	memcpy(sr, c[0], JCS_HASH_LEN);
	for (size_t i = 1; i < nc; i++) {
		if (sn == 0)
			return JCS_ECRYPTO;
		if ((fn & 1) || fn == sn) {
			jcs_tlog_node_hash(c[i], fr, fr);
			jcs_tlog_node_hash(c[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			jcs_tlog_node_hash(sr, c[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && hash_eq(fr, old_root) && hash_eq(sr, new_root) ? 0 : JCS_ECRYPTO;
}

/* ------------------------------------------------------------ hex */

void jcs_hash_hex(const jcs_hash h, char *out)
{
	jcs_hex(h, JCS_HASH_LEN, out);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int jcs_hash_from_hex(const char *s, jcs_hash out)
{
	for (int i = 0; i < JCS_HASH_LEN; i++) {
		int hi, lo;
		if (!s[2 * i] || (hi = hexval(s[2 * i])) < 0 || !s[2 * i + 1] || (lo = hexval(s[2 * i + 1])) < 0)
			return JCS_EPARSE;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return s[2 * JCS_HASH_LEN] ? JCS_EPARSE : 0;
}

/* ------------------------------------------------------------ signed tree heads */

int jcs_sth_sign(const struct jcs_sth *sth, const struct jcs_key *k, char **out, struct jcs_err *err)
{
	char root[2 * JCS_HASH_LEN + 1];
	uint64_t ts = sth->timestamp;
	json_t *p;
	int rc;

	*out = NULL;
	if (ts == 0) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		ts = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
	}
	if (sth->tree_size > JCS_TLOG_MAX_SIZE || ts > JCS_TLOG_MAX_SIZE)
		return jcs_err_set(err, JCS_EINVAL, "tree size or timestamp out of range");
	jcs_hash_hex(sth->root, root);
	p = json_pack("{s:s, s:s, s:s, s:I, s:I}", "schema", JCS_SCHEMA_STH, "registry", sth->registry, "root_hash",
		      root, "timestamp", (json_int_t)ts, "tree_size", (json_int_t)sth->tree_size);
	if (!p)
		return jcs_err_set(err, JCS_ESCHEMA, "tree head: registry id is not valid UTF-8");
	rc = stmt_seal(p, k, NULL, out, err);
	json_decref(p);
	return rc;
}

int jcs_sth_verify(const char *text, size_t len, const struct jcs_key *pub, struct jcs_sth *out,
		   struct jcs_err *err)
{
	json_t *p;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = stmt_verify(text, len, JCS_SCHEMA_STH, pub, &p, err);
	if (rc)
		return rc;
	out->tree_size = (uint64_t)json_integer_value(json_object_get(p, "tree_size"));
	out->timestamp = (uint64_t)json_integer_value(json_object_get(p, "timestamp"));
	jcs_hash_from_hex(json_string_value(json_object_get(p, "root_hash")), out->root);
	snprintf(out->registry, sizeof(out->registry), "%s", json_string_value(json_object_get(p, "registry")));
	snprintf(out->key_id, sizeof(out->key_id), "%s", json_string_value(json_object_get(p, "key_id")));
	json_decref(p);
	return 0;
}

/* ------------------------------------------------------------ proof files */

static char *proof_json(const char *schema, const char *k1, uint64_t v1, const char *k2, uint64_t v2,
			const char *kpath, const struct jcs_tlog_path *path)
{
	struct jcs_buf b = JCS_BUF_INIT;
	json_t *arr = json_array(), *o;
	char hex[2 * JCS_HASH_LEN + 1];

	for (size_t i = 0; arr && i < path->n; i++) {
		jcs_hash_hex(path->h[i], hex);
		json_array_append_new(arr, json_string(hex));
	}
	o = json_pack("{s:s, s:I, s:I, s:o}", "schema", schema, k1, (json_int_t)v1, k2, (json_int_t)v2, kpath, arr);
	if (!o || stmt_canonical(o, &b) || jcs_buf_putc(&b, '\n'))
		jcs_buf_free(&b);
	json_decref(o);
	return jcs_buf_steal(&b);
}

char *jcs_inclusion_json(const struct jcs_inclusion *p)
{
	return proof_json(SCHEMA_INCLUSION, "leaf_index", p->leaf_index, "tree_size", p->tree_size, "audit_path",
			  &p->path);
}

char *jcs_consistency_json(const struct jcs_consistency *p)
{
	return proof_json(SCHEMA_CONSISTENCY, "first", p->first, "second", p->second, "consistency", &p->path);
}

static int proof_parse(const char *text, size_t len, const char *schema, const char *k1, uint64_t *v1,
		       const char *k2, uint64_t *v2, const char *kpath, struct jcs_tlog_path *path,
		       struct jcs_err *err)
{
	json_t *o, *a, *x;
	const char *what = strcmp(schema, SCHEMA_INCLUSION) == 0 ? "inclusion proof" : "consistency proof";
	int rc = stmt_parse_json(text, len, JCS_STMT_MAX, what, &o, err);

	path->n = 0;
	if (rc)
		return rc;
	x = json_object_get(o, "schema");
	a = json_object_get(o, kpath);
	if (!json_is_object(o) || json_object_size(o) != 4 || !json_is_string(x) ||
	    strcmp(json_string_value(x), schema) != 0 || !json_is_array(a)) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "%s: want {\"schema\":\"%s\",\"%s\",\"%s\",\"%s\"}", what, schema, k1,
				 k2, kpath);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		json_t *v = json_object_get(o, i ? k2 : k1);
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    (uint64_t)json_integer_value(v) > JCS_TLOG_MAX_SIZE) {
			rc = jcs_err_set(err, JCS_ESCHEMA, "%s: \"%s\" is not an integer in 0..2^53", what, i ? k2 : k1);
			goto out;
		}
		*(i ? v2 : v1) = (uint64_t)json_integer_value(v);
	}
	if (json_array_size(a) > JCS_TLOG_MAX_PATH) {
		rc = jcs_err_set(err, JCS_ELIMIT, "%s: more than %d hashes", what, JCS_TLOG_MAX_PATH);
		goto out;
	}
	for (size_t i = 0; i < json_array_size(a); i++) {
		x = json_array_get(a, i);
		if (!json_is_string(x) || jcs_hash_from_hex(json_string_value(x), path->h[i])) {
			rc = jcs_err_set(err, JCS_ESCHEMA, "%s: \"%s\"[%zu] is not 64 lowercase hex digits", what, kpath, i);
			goto out;
		}
		path->n++;
	}
out:
	json_decref(o);
	return rc;
}

int jcs_inclusion_parse(const char *text, size_t len, struct jcs_inclusion *out, struct jcs_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = proof_parse(text, len, SCHEMA_INCLUSION, "leaf_index", &out->leaf_index, "tree_size", &out->tree_size,
			 "audit_path", &out->path, err);
	if (!rc && out->leaf_index >= out->tree_size)
		rc = jcs_err_set(err, JCS_ESCHEMA, "inclusion proof: leaf_index %llu is not below tree_size %llu",
				 (unsigned long long)out->leaf_index, (unsigned long long)out->tree_size);
	return rc;
}

int jcs_consistency_parse(const char *text, size_t len, struct jcs_consistency *out, struct jcs_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = proof_parse(text, len, SCHEMA_CONSISTENCY, "first", &out->first, "second", &out->second,
			 "consistency", &out->path, err);
	if (!rc && (out->first == 0 || out->first > out->second))
		rc = jcs_err_set(err, JCS_ESCHEMA, "consistency proof: need 0 < first <= second");
	return rc;
}

int jcs_tlog_check_inclusion(const char *envelope, size_t len, const struct jcs_inclusion *proof,
			     const struct jcs_sth *sth, struct jcs_err *err)
{
	struct jcs_buf leaf = JCS_BUF_INIT;
	jcs_hash h;
	int rc = jcs_envelope_canonical(envelope, len, &leaf, err);

	if (rc)
		goto out;
	rc = jcs_tlog_leaf_hash(leaf.data, leaf.len, h);
	if (rc)
		jcs_err_set(err, rc, "out of memory");
	else if (proof->tree_size != sth->tree_size)
		rc = jcs_err_set(err, JCS_ECRYPTO, "proof is for tree size %llu, the tree head is for %llu",
				 (unsigned long long)proof->tree_size, (unsigned long long)sth->tree_size);
	else if (jcs_tlog_inclusion_verify(h, proof->leaf_index, proof->tree_size, &proof->path, sth->root))
		rc = jcs_err_set(err, JCS_ECRYPTO, "inclusion proof does not lead to the tree head's root");
out:
	jcs_buf_free(&leaf);
	return rc;
}
