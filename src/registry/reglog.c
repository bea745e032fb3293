/* The registry's side of the transparency log: leaves persisted in the store (table tlog,
 * gapless indexes from the 'log' counter row inside the issuing transaction), tree heads
 * and proofs from the cached Merkle tree (logtree.h) over the stored leaf hashes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "registry/logtree.h"
#include "registry/registry.h"
#include "registry/tlog.h"

int jcs_reg_log_append(struct jcs_store *db, const char *kind, const char *reg_no, const char *envelope,
		       long long *index, struct jcs_err *err)
{
	static const char sql[] = "INSERT INTO tlog (idx, kind, reg_no, leaf_hash, entry, at)"
				  " VALUES ($1, $2, $3, $4, $5, $6)";
	struct jcs_buf canon = JCS_BUF_INIT;
	char idx[24], hexh[65], now[24];
	const char *p[] = {idx, kind, reg_no, hexh, envelope, now};
	jcs_hash h;
	long long n;
	int rc;

	if ((rc = jcs_envelope_canonical(envelope, strlen(envelope), &canon, err)))
		goto out;
	jcs_tlog_leaf_hash(canon.data, canon.len, h);
	jcs_hash_hex(h, hexh);
	if ((rc = jcs_reg_counter_next(db, "log", &n, err)))
		goto out;
	*index = n - 1; /* leaves count from 0 */
	snprintf(idx, sizeof(idx), "%lld", n - 1);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	rc = jcs_store_exec(db, sql, 6, p, NULL, err);
out:
	jcs_buf_free(&canon);
	return rc;
}

/* The server's cached tree, or a fresh one read from the store (freed by tree_done). */
static int tree_get(const struct jcs_registry *reg, struct jcs_logtree **t)
{
	if (reg && reg->tree) {
		*t = reg->tree;
		return 0;
	}
	return jcs_logtree_new(t);
}

static void tree_done(const struct jcs_registry *reg, struct jcs_logtree *t)
{
	if (!reg || t != reg->tree)
		jcs_logtree_free(t);
}

int jcs_reg_log_sth(struct jcs_store *db, const struct jcs_registry *reg, char **out, struct jcs_err *err)
{
	struct jcs_logtree *t;
	uint64_t n;
	int rc = tree_get(reg, &t);

	if (!rc)
		rc = jcs_logtree_sth(t, db, reg, out, &n, err);
	tree_done(reg, t);
	return rc;
}

int jcs_reg_log_inclusion(struct jcs_store *db, const struct jcs_registry *reg, long long index, long long size,
			  char **out, struct jcs_err *err)
{
	struct jcs_inclusion p = {0};
	struct jcs_logtree *t;
	int rc;

	if (index < 0 || size < 0)
		return jcs_err_set(err, JCS_ENOTFOUND, "no leaf %lld in a tree of size %lld", index, size);
	if ((rc = tree_get(reg, &t)))
		return rc;
	if (!(rc = jcs_logtree_inclusion(t, db, (uint64_t)index, (uint64_t)size, &p, err)) &&
	    !(*out = jcs_inclusion_json(&p)))
		rc = JCS_ENOMEM;
	tree_done(reg, t);
	return rc;
}

int jcs_reg_log_consistency(struct jcs_store *db, const struct jcs_registry *reg, long long m, long long n,
			    char **out, struct jcs_err *err)
{
	struct jcs_consistency p = {0};
	struct jcs_logtree *t;
	int rc;

	if (m < 1 || n < 0)
		return jcs_err_set(err, JCS_ENOTFOUND, "no consistency proof %lld..%lld", m, n);
	if ((rc = tree_get(reg, &t)))
		return rc;
	if (!(rc = jcs_logtree_consistency(t, db, (uint64_t)m, (uint64_t)n, &p, err)) &&
	    !(*out = jcs_consistency_json(&p)))
		rc = JCS_ENOMEM;
	tree_done(reg, t);
	return rc;
}

int jcs_reg_log_entry(struct jcs_store *db, long long index, json_t **out, struct jcs_err *err)
{
	static const char sql[] = "SELECT idx, kind, reg_no, leaf_hash, entry, at FROM tlog WHERE idx = $1";
	char idx[24];
	const char *p[] = {idx};
	struct jcs_rows r;
	int rc;

	snprintf(idx, sizeof(idx), "%lld", index);
	if ((rc = jcs_store_exec(db, sql, 1, p, &r, err)))
		return rc;
	if (r.nrows != 1)
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no log entry %lld", index);
	else if (!(*out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "index", (json_int_t)jcs_rows_int(&r, 0, 0),
				    "kind", jcs_rows_get(&r, 0, 1), "reg_no", jcs_rows_get(&r, 0, 2),
				    "leaf_hash", jcs_rows_get(&r, 0, 3), "entry", jcs_rows_get(&r, 0, 4),
				    "at", (json_int_t)jcs_rows_int(&r, 0, 5))))
		rc = JCS_ENOMEM;
	jcs_rows_free(&r);
	return rc;
}

int jcs_reg_log_check(struct jcs_store *db, long long *size, struct jcs_err *err)
{
	static const char sql[] = "SELECT idx, leaf_hash, entry FROM tlog ORDER BY idx";
	struct jcs_buf canon = JCS_BUF_INIT;
	struct jcs_rows r;
	int rc;

	if ((rc = jcs_store_exec(db, sql, 0, NULL, &r, err)))
		return rc;
	for (size_t i = 0; i < r.nrows && !rc; i++) {
		const char *e = jcs_rows_get(&r, i, 2);
		char hexh[65];
		jcs_hash h;

		jcs_buf_reset(&canon);
		if (jcs_rows_int(&r, i, 0) != (long long)i) {
			rc = jcs_err_set(err, JCS_ECRYPTO, "log leaf %zu missing", i);
		} else if ((rc = jcs_envelope_canonical(e, strlen(e), &canon, err)) == 0) {
			jcs_tlog_leaf_hash(canon.data, canon.len, h);
			jcs_hash_hex(h, hexh);
			if (strcmp(hexh, jcs_rows_get(&r, i, 1)) != 0)
				rc = jcs_err_set(err, JCS_ECRYPTO, "log leaf %zu: hash does not match its entry", i);
		}
	}
	*size = (long long)r.nrows;
	jcs_rows_free(&r);
	jcs_buf_free(&canon);
	return rc;
}

int jcs_reg_revocations(struct jcs_store *db, char **out, struct jcs_err *err)
{
	static const char sql[] = "SELECT entry FROM tlog WHERE kind = 'revocation' ORDER BY idx";
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_rows r;
	int rc;

	if ((rc = jcs_store_exec(db, sql, 0, NULL, &r, err)))
		return rc;
	rc = jcs_buf_putc(&b, '[');
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		const char *e = jcs_rows_get(&r, i, 0);
		size_t n = strlen(e);

		while (n && (e[n - 1] == '\n' || e[n - 1] == ' '))
			n--;
		rc = (i && jcs_buf_putc(&b, ',')) || jcs_buf_append(&b, e, n) ? JCS_ENOMEM : 0;
	}
	if (!rc)
		rc = jcs_buf_puts(&b, "]\n");
	jcs_rows_free(&r);
	if (rc) {
		jcs_buf_free(&b);
		return rc;
	}
	*out = jcs_buf_steal(&b);
	return 0;
}

int jcs_reg_label_bundle(struct jcs_store *db, const struct jcs_registry *reg, const char *reg_no, char **out,
			 struct jcs_err *err)
{
	static const char sql[] = "SELECT idx, entry FROM tlog WHERE reg_no = $1 AND kind = 'label'"
				  " ORDER BY idx DESC LIMIT 1";
	const char *p[] = {reg_no};
	struct jcs_rows r = {0};
	struct jcs_inclusion inc = {0};
	struct jcs_logtree *t = NULL;
	uint64_t n;
	char *sth = NULL, *proof = NULL;
	json_t *o = NULL, *jl = NULL, *jp = NULL, *js = NULL;
	int rc;

	*out = NULL;
	if ((rc = jcs_store_exec(db, sql, 1, p, &r, err)))
		return rc;
	if (r.nrows != 1) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no registration '%s'", reg_no);
		goto out;
	}
	/* the proof is for the very tree size the head was signed at */
	if ((rc = tree_get(reg, &t)) || (rc = jcs_logtree_sth(t, db, reg, &sth, &n, err)) ||
	    (rc = jcs_logtree_inclusion(t, db, (uint64_t)jcs_rows_int(&r, 0, 0), n, &inc, err)))
		goto out;
	if (!(proof = jcs_inclusion_json(&inc))) {
		rc = JCS_ENOMEM;
		goto out;
	}
	jl = json_loads(jcs_rows_get(&r, 0, 1), 0, NULL);
	jp = json_loads(proof, 0, NULL);
	js = json_loads(sth, 0, NULL);
	if (!jl || !jp || !js) {
		rc = jcs_err_set(err, JCS_EDB, "stored statement of %s is not JSON", reg_no);
		goto out;
	}
	o = json_pack("{s:s, s:O, s:O, s:O}", "schema", "jcstar.label-bundle/1", "label", jl, "inclusion", jp,
		      "sth", js);
	if (!o || !(*out = json_dumps(o, JSON_COMPACT)))
		rc = JCS_ENOMEM;
out:
	json_decref(o);
	json_decref(jl);
	json_decref(jp);
	json_decref(js);
	free(sth);
	free(proof);
	tree_done(reg, t);
	jcs_rows_free(&r);
	return rc;
}
