/* Cached Merkle tree of the transparency log (logtree.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry/logtree.h"

#define LEVELS 64

struct jcs_logtree {
	pthread_mutex_t mu;
	uint8_t *lv[LEVELS];   /* lv[k]: cnt[k] hashes of subtrees [j * 2^k, (j + 1) * 2^k) */
	uint64_t cnt[LEVELS], cap[LEVELS];
	char *sth;             /* signed head of sth_size leaves, made at sth_at */
	uint64_t sth_size;
	time_t sth_at;
};

int jcs_logtree_new(struct jcs_logtree **out)
{
	struct jcs_logtree *t = calloc(1, sizeof(*t));

	*out = t;
	if (!t)
		return JCS_ENOMEM;
	pthread_mutex_init(&t->mu, NULL);
	return 0;
}

void jcs_logtree_free(struct jcs_logtree *t)
{
	if (!t)
		return;
	for (size_t k = 0; k < LEVELS; k++)
		free(t->lv[k]);
	free(t->sth);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

static int push(struct jcs_logtree *t, size_t k, const jcs_hash h)
{
	if (t->cnt[k] == t->cap[k]) {
		uint64_t cap = t->cap[k] ? t->cap[k] * 2 : 64;
		uint8_t *p = realloc(t->lv[k], (size_t)cap * JCS_HASH_LEN);

		if (!p)
			return JCS_ENOMEM;
		t->lv[k] = p;
		t->cap[k] = cap;
	}
	memcpy(t->lv[k] + (size_t)t->cnt[k]++ * JCS_HASH_LEN, h, JCS_HASH_LEN);
	return 0;
}

/* Append one leaf and every subtree it completes. */
static int append(struct jcs_logtree *t, const jcs_hash leaf)
{
	int rc = push(t, 0, leaf);

	for (size_t k = 1; !rc && k < LEVELS && t->cnt[k - 1] % 2 == 0 && t->cnt[k - 1] / 2 > t->cnt[k]; k++) {
		jcs_hash h;
		const uint8_t *l = t->lv[k - 1] + (size_t)(t->cnt[k - 1] - 2) * JCS_HASH_LEN;

		jcs_tlog_node_hash(l, l + JCS_HASH_LEN, h);
		rc = push(t, k, h);
	}
	return rc;
}

/* Read the leaves appended since the last sync (caller holds t->mu). */
static int sync_locked(struct jcs_logtree *t, struct jcs_store *db, struct jcs_err *err)
{
	static const char sql[] = "SELECT idx, leaf_hash FROM tlog WHERE idx >= $1 ORDER BY idx";
	char from[24];
	const char *p[] = {from};
	struct jcs_rows r;
	int rc;

	snprintf(from, sizeof(from), "%llu", (unsigned long long)t->cnt[0]);
	if ((rc = jcs_store_exec(db, sql, 1, p, &r, err)))
		return rc;
	for (size_t i = 0; i < r.nrows && !rc; i++) {
		jcs_hash h;

		if (jcs_rows_int(&r, i, 0) != (long long)t->cnt[0] || jcs_hash_from_hex(jcs_rows_get(&r, i, 1), h))
			rc = jcs_err_set(err, JCS_ECRYPTO, "transparency log damaged at leaf %llu",
					 (unsigned long long)t->cnt[0]);
		else
			rc = append(t, h);
	}
	jcs_rows_free(&r);
	return rc;
}

/* MTH(D[start:start+n]): a stored node when the range is a complete aligned subtree, else
 * split as RFC 6962 does (the left part always is one). */
static void tree_mth(const void *ctx, uint64_t start, uint64_t n, jcs_hash out)
{
	const struct jcs_logtree *t = ctx;
	jcs_hash l, r;
	uint64_t k = 1;
	size_t lvl = 0;

	if (n == 0) {
		jcs_tlog_root(NULL, 0, out);
		return;
	}
	if ((n & (n - 1)) == 0 && start % n == 0) {
		while (((uint64_t)1 << lvl) < n)
			lvl++;
		memcpy(out, t->lv[lvl] + (size_t)(start >> lvl) * JCS_HASH_LEN, JCS_HASH_LEN);
		return;
	}
	while (k << 1 < n)
		k <<= 1;
	tree_mth(t, start, k, l);
	tree_mth(t, start + k, n - k, r);
	jcs_tlog_node_hash(l, r, out);
}

int jcs_logtree_with(struct jcs_logtree *t, struct jcs_store *db, jcs_logtree_fn fn, void *arg, struct jcs_err *err)
{
	const struct jcs_tlog_src src = {tree_mth, t};
	int rc;

	pthread_mutex_lock(&t->mu);
	if (!(rc = sync_locked(t, db, err)))
		rc = fn(arg, &src, t->cnt[0], err);
	pthread_mutex_unlock(&t->mu);
	return rc;
}

int jcs_logtree_sth(struct jcs_logtree *t, struct jcs_store *db, const struct jcs_registry *reg,
		    jcs_logtree_fn guard, void *arg, char **sth, uint64_t *size, struct jcs_err *err)
{
	const struct jcs_tlog_src src = {tree_mth, t};
	time_t now = time(NULL);
	int rc;

	*sth = NULL;
	pthread_mutex_lock(&t->mu);
	if ((rc = sync_locked(t, db, err)) || (guard && (rc = guard(arg, &src, t->cnt[0], err))))
		goto out;
	if (!t->sth || t->sth_size != t->cnt[0] || now - t->sth_at >= JCS_LOGTREE_STH_SECONDS || now < t->sth_at) {
		struct jcs_sth h = {0};
		char *s;

		h.tree_size = t->cnt[0];
		tree_mth(t, 0, t->cnt[0], h.root);
		snprintf(h.registry, sizeof(h.registry), "%s", reg->registry_id);
		if ((rc = jcs_sth_sign(&h, reg->key, &s, err)))
			goto out;
		free(t->sth);
		t->sth = s;
		t->sth_size = t->cnt[0];
		t->sth_at = now;
	}
	*size = t->sth_size;
	if (!(*sth = strdup(t->sth)))
		rc = JCS_ENOMEM;
out:
	pthread_mutex_unlock(&t->mu);
	return rc;
}

int jcs_logtree_inclusion(struct jcs_logtree *t, struct jcs_store *db, uint64_t index, uint64_t size,
			  struct jcs_inclusion *out, struct jcs_err *err)
{
	const struct jcs_tlog_src src = {tree_mth, t};
	int rc;

	pthread_mutex_lock(&t->mu);
	if ((rc = sync_locked(t, db, err)))
		goto out;
	if (size == 0)
		size = t->cnt[0];
	if (size > t->cnt[0] || index >= size) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no leaf %llu in a tree of size %llu (log has %llu)",
				 (unsigned long long)index, (unsigned long long)size, (unsigned long long)t->cnt[0]);
		goto out;
	}
	out->leaf_index = index;
	out->tree_size = size;
	rc = jcs_tlog_inclusion_proof_src(&src, size, index, &out->path);
out:
	pthread_mutex_unlock(&t->mu);
	return rc;
}

int jcs_logtree_consistency(struct jcs_logtree *t, struct jcs_store *db, uint64_t m, uint64_t n,
			    struct jcs_consistency *out, struct jcs_err *err)
{
	const struct jcs_tlog_src src = {tree_mth, t};
	int rc;

	pthread_mutex_lock(&t->mu);
	if ((rc = sync_locked(t, db, err)))
		goto out;
	if (n == 0)
		n = t->cnt[0];
	if (m < 1 || m > n || n > t->cnt[0]) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no consistency proof %llu..%llu (log has %llu)",
				 (unsigned long long)m, (unsigned long long)n, (unsigned long long)t->cnt[0]);
		goto out;
	}
	out->first = m;
	out->second = n;
	rc = jcs_tlog_consistency_proof_src(&src, n, m, &out->path);
out:
	pthread_mutex_unlock(&t->mu);
	return rc;
}

void jcs_logtree_compare(struct jcs_logtree *t, const uint8_t *leaves, uint64_t n, uint64_t *first, uint64_t *held)
{
	uint64_t i, m;

	pthread_mutex_lock(&t->mu);
	m = t->cnt[0] < n ? t->cnt[0] : n;
	for (i = 0; i < m && memcmp(t->lv[0] + (size_t)i * JCS_HASH_LEN, leaves + (size_t)i * JCS_HASH_LEN,
				    JCS_HASH_LEN) == 0; i++)
		;
	*first = i;
	*held = t->cnt[0];
	pthread_mutex_unlock(&t->mu);
}
