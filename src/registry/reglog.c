/* The registry's side of the transparency log: leaves persisted in the store (table tlog,
 * gapless indexes from the 'log' counter row inside the issuing transaction), tree heads
 * and proofs computed with tlog.h over the stored leaf hashes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
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

/* All leaf hashes, in order, as n * 32 bytes (caller frees). */
static int load_leaves(struct jcs_store *db, uint8_t **leaves, uint64_t *n, struct jcs_err *err)
{
	static const char sql[] = "SELECT idx, leaf_hash FROM tlog ORDER BY idx";
	struct jcs_rows r;
	int rc;

	*leaves = NULL;
	if ((rc = jcs_store_exec(db, sql, 0, NULL, &r, err)))
		return rc;
	*n = r.nrows;
	if (r.nrows && !(*leaves = malloc(r.nrows * JCS_HASH_LEN))) {
		rc = JCS_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < r.nrows; i++)
		if (jcs_rows_int(&r, i, 0) != (long long)i || jcs_hash_from_hex(jcs_rows_get(&r, i, 1),
									 *leaves + i * JCS_HASH_LEN)) {
			rc = jcs_err_set(err, JCS_ECRYPTO, "transparency log damaged at leaf %zu", i);
			goto out;
		}
out:
	if (rc) {
		free(*leaves);
		*leaves = NULL;
	}
	jcs_rows_free(&r);
	return rc;
}

static int sth_of(const struct jcs_registry *reg, const uint8_t *leaves, uint64_t n, char **out,
		  struct jcs_err *err)
{
	struct jcs_sth sth = {0};

	sth.tree_size = n;
	jcs_tlog_root(leaves, n, sth.root);
	snprintf(sth.registry, sizeof(sth.registry), "%s", reg->registry_id);
	return jcs_sth_sign(&sth, reg->key, out, err);
}

int jcs_reg_log_sth(struct jcs_store *db, const struct jcs_registry *reg, char **out, struct jcs_err *err)
{
	uint8_t *leaves;
	uint64_t n;
	int rc = load_leaves(db, &leaves, &n, err);

	if (rc)
		return rc;
	rc = sth_of(reg, leaves, n, out, err);
	free(leaves);
	return rc;
}

int jcs_reg_log_inclusion(struct jcs_store *db, long long index, long long size, char **out,
			  struct jcs_err *err)
{
	struct jcs_inclusion p = {0};
	uint8_t *leaves;
	uint64_t n;
	int rc = load_leaves(db, &leaves, &n, err);

	if (rc)
		return rc;
	if (size == 0)
		size = (long long)n;
	if (index < 0 || size < 1 || (uint64_t)size > n || index >= size) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no leaf %lld in a tree of size %lld (log has %llu)", index,
				 size, (unsigned long long)n);
		goto out;
	}
	p.leaf_index = (uint64_t)index;
	p.tree_size = (uint64_t)size;
	if ((rc = jcs_tlog_inclusion_proof(leaves, p.tree_size, p.leaf_index, &p.path)))
		goto out;
	if (!(*out = jcs_inclusion_json(&p)))
		rc = JCS_ENOMEM;
out:
	free(leaves);
	return rc;
}

int jcs_reg_log_consistency(struct jcs_store *db, long long m, long long n2, char **out, struct jcs_err *err)
{
	struct jcs_consistency p = {0};
	uint8_t *leaves;
	uint64_t n;
	int rc = load_leaves(db, &leaves, &n, err);

	if (rc)
		return rc;
	if (n2 == 0)
		n2 = (long long)n;
	if (m < 1 || m > n2 || (uint64_t)n2 > n) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no consistency proof %lld..%lld (log has %llu)", m, n2,
				 (unsigned long long)n);
		goto out;
	}
	p.first = (uint64_t)m;
	p.second = (uint64_t)n2;
	if ((rc = jcs_tlog_consistency_proof(leaves, p.second, p.first, &p.path)))
		goto out;
	if (!(*out = jcs_consistency_json(&p)))
		rc = JCS_ENOMEM;
out:
	free(leaves);
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

/* The status statement of reg_no over the first n leaves (the tree whose root is root). */
static int status_of(struct jcs_store *db, const struct jcs_registry *reg, const char *reg_no, uint64_t n,
		     const jcs_hash root, char **out, struct jcs_err *err)
{
	static const char sql[] = "SELECT idx, leaf_hash, entry FROM tlog WHERE reg_no = $1 AND idx < $2 ORDER BY idx";
	struct jcs_status_acc acc = {0};
	struct timespec now;
	char size[24], today[11], roothex[JCS_HASH_HEX + 1];
	const char *p[] = {reg_no, size};
	struct jcs_rows r;
	int rc;

	*out = NULL;
	snprintf(size, sizeof(size), "%llu", (unsigned long long)n);
	if ((rc = jcs_store_exec(db, sql, 2, p, &r, err)))
		return rc;
	snprintf(acc.st.registration_number, sizeof(acc.st.registration_number), "%s", reg_no);
	snprintf(acc.st.registry, sizeof(acc.st.registry), "%s", reg->registry_id);
	for (size_t i = 0; i < r.nrows && !rc; i++) {
		const char *e = jcs_rows_get(&r, i, 2);
		rc = jcs_status_acc_add(&acc, (uint64_t)jcs_rows_int(&r, i, 0), e, strlen(e), jcs_rows_get(&r, i, 1),
					reg->key, err);
	}
	jcs_rows_free(&r);
	if (rc)
		return rc;
	clock_gettime(CLOCK_REALTIME, &now);
	jcs_date_of(now.tv_sec, today, sizeof(today));
	jcs_hash_hex(root, roothex);
	if ((rc = jcs_status_acc_finish(&acc, today, n, roothex,
					(uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000, err)))
		return rc == JCS_ENOTFOUND ? jcs_err_set(err, rc, "no registration '%s'", reg_no) : rc;
	return jcs_status_sign(&acc.st, reg->key, out, err);
}

int jcs_reg_status(struct jcs_store *db, const struct jcs_registry *reg, const char *reg_no, char **out,
		   struct jcs_err *err)
{
	uint8_t *leaves;
	uint64_t n;
	jcs_hash root;
	int rc = load_leaves(db, &leaves, &n, err);

	if (rc)
		return rc;
	jcs_tlog_root(leaves, n, root);
	rc = status_of(db, reg, reg_no, n, root, out, err);
	free(leaves);
	return rc;
}

int jcs_reg_label_bundle(struct jcs_store *db, const struct jcs_registry *reg, const char *reg_no, char **out,
			 struct jcs_err *err)
{
	static const char sql[] = "SELECT idx, entry FROM tlog WHERE reg_no = $1 AND kind = 'label'"
				  " ORDER BY idx DESC LIMIT 1";
	const char *p[] = {reg_no};
	struct jcs_rows r = {0};
	struct jcs_inclusion inc = {0};
	uint8_t *leaves = NULL;
	uint64_t n;
	char *sth = NULL, *proof = NULL, *status = NULL;
	json_t *o = NULL, *jl = NULL, *jp = NULL, *js = NULL, *jst = NULL;
	struct jcs_sth head = {0};
	int rc;

	*out = NULL;
	if ((rc = jcs_store_exec(db, sql, 1, p, &r, err)))
		return rc;
	if (r.nrows != 1) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no registration '%s'", reg_no);
		goto out;
	}
	if ((rc = load_leaves(db, &leaves, &n, err)))
		goto out;
	inc.leaf_index = (uint64_t)jcs_rows_int(&r, 0, 0);
	inc.tree_size = n;
	jcs_tlog_root(leaves, n, head.root);
	if ((rc = jcs_tlog_inclusion_proof(leaves, n, inc.leaf_index, &inc.path)) ||
	    (rc = sth_of(reg, leaves, n, &sth, err)) || (rc = status_of(db, reg, reg_no, n, head.root, &status, err)))
		goto out;
	if (!(proof = jcs_inclusion_json(&inc))) {
		rc = JCS_ENOMEM;
		goto out;
	}
	jl = json_loads(jcs_rows_get(&r, 0, 1), 0, NULL);
	jp = json_loads(proof, 0, NULL);
	js = json_loads(sth, 0, NULL);
	jst = json_loads(status, 0, NULL);
	if (!jl || !jp || !js || !jst) {
		rc = jcs_err_set(err, JCS_EDB, "stored statement of %s is not JSON", reg_no);
		goto out;
	}
	o = json_pack("{s:s, s:O, s:O, s:O, s:O}", "schema", "jcstar.label-bundle/1", "label", jl, "inclusion", jp,
		      "sth", js, "status", jst);
	if (!o || !(*out = json_dumps(o, JSON_COMPACT)))
		rc = JCS_ENOMEM;
out:
	json_decref(o);
	json_decref(jl);
	json_decref(jp);
	json_decref(js);
	json_decref(jst);
	free(sth);
	free(status);
	free(proof);
	free(leaves);
	jcs_rows_free(&r);
	return rc;
}
