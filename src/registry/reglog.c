/* The registry's side of the transparency log: leaves persisted in the store (table tlog,
 * gapless indexes from the 'log' counter row inside the issuing transaction), tree heads
 * and proofs from the cached Merkle tree (logtree.h) over the stored leaf hashes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jcstar/buf.h"
#include "registry/logtree.h"
#include "registry/registry.h"
#include "jcstar/tlog.h"

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

int jcs_reg_may_sign(const struct jcs_registry *reg, struct jcs_err *err)
{
	return reg->may_sign ? reg->may_sign(reg, err) : 0;
}

static int leaves_count(struct jcs_store *db, long long *n, struct jcs_err *err)
{
	static const char sql[] = "SELECT count(*) FROM tlog";
	struct jcs_rows r;
	int rc = jcs_store_exec(db, sql, 0, NULL, &r, err);

	if (!rc)
		*n = jcs_rows_int(&r, 0, 0);
	jcs_rows_free(&r);
	return rc;
}

/* The log must extend the largest tree head ever signed (table tree_heads): same root for
 * that size, never fewer leaves. Records n's root when it is a new largest head (record =
 * true). JCS_ECRYPTO with the reason when not. */
static int head_guard(struct jcs_store *db, const struct jcs_tlog_src *src, uint64_t n, bool record,
		      struct jcs_err *err)
{
	static const char q_top[] = "SELECT tree_size, root_hash FROM tree_heads ORDER BY tree_size DESC LIMIT 1";
	static const char q_add[] = "INSERT INTO tree_heads (tree_size, root_hash, at) VALUES ($1, $2, $3)"
				    " ON CONFLICT (tree_size) DO NOTHING";
	char size[24], hex[JCS_HASH_HEX + 1], at[24];
	const char *p[] = {size, hex, at};
	struct jcs_rows r;
	jcs_hash root;
	long long now_n;
	int rc;

	if ((rc = jcs_store_exec(db, q_top, 0, NULL, &r, err)))
		return rc;
	if (r.nrows == 1) {
		uint64_t m = (uint64_t)jcs_rows_int(&r, 0, 0);

		if (m > n) {
			/* another process may have appended since the leaves were read */
			if (!(rc = leaves_count(db, &now_n, err)) && (uint64_t)now_n < m)
				rc = jcs_err_set(err, JCS_ECRYPTO, "the log has %lld leaves but a tree head of %llu was signed",
						 now_n, (unsigned long long)m);
			jcs_rows_free(&r);
			return rc;
		}
		src->mth(src->ctx, 0, m, root);
		jcs_hash_hex(root, hex);
		if (strcmp(hex, jcs_rows_get(&r, 0, 1)) != 0) {
			jcs_rows_free(&r);
			return jcs_err_set(err, JCS_ECRYPTO, "the first %llu leaves no longer have the root signed for "
					   "them: the log was changed", (unsigned long long)m);
		}
		record &= m < n;
	}
	jcs_rows_free(&r);
	if (!record || n == 0)
		return 0;
	snprintf(size, sizeof(size), "%llu", (unsigned long long)n);
	src->mth(src->ctx, 0, n, root);
	jcs_hash_hex(root, hex);
	snprintf(at, sizeof(at), "%lld", (long long)time(NULL));
	return jcs_store_exec(db, q_add, 3, p, NULL, err);
}

/* head_guard over the stored leaves as an array (the self-audit reads them all afresh) */
static void leaves_mth(const void *ctx, uint64_t start, uint64_t n, jcs_hash out)
{
	jcs_tlog_root((const uint8_t *)ctx + start * JCS_HASH_LEN, n, out);
}

struct guard_arg {
	struct jcs_store *db;
	const struct jcs_registry *reg;
	bool record;
};

/* Before any tree head is signed or handed out: the registry may sign, and the log extends
 * every head it signed before (never a fork). */
static int sth_guard(void *arg, const struct jcs_tlog_src *src, uint64_t n, struct jcs_err *err)
{
	const struct guard_arg *g = arg;
	int rc = jcs_reg_may_sign(g->reg, err);

	return rc ? rc : head_guard(g->db, src, n, g->record, err);
}

int jcs_reg_log_sth(struct jcs_store *db, const struct jcs_registry *reg, char **out, struct jcs_err *err)
{
	struct jcs_logtree *t;
	uint64_t n;
	int rc = tree_get(reg, &t);

	if (!rc) {
		struct guard_arg g = {db, reg, true};

		rc = jcs_logtree_sth(t, db, reg, sth_guard, &g, out, &n, err);
	}
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

/* Feed the log entries of reg_no below index n into acc (registration number and registry
 * set here). */
static int derive_status(struct jcs_store *db, const struct jcs_registry *reg, const char *reg_no, uint64_t n,
			 struct jcs_status_acc *acc, struct jcs_err *err)
{
	static const char sql[] = "SELECT idx, leaf_hash, entry FROM tlog WHERE reg_no = $1 AND idx < $2 ORDER BY idx";
	char size[24];
	const char *p[] = {reg_no, size};
	struct jcs_rows r;
	int rc;

	memset(acc, 0, sizeof(*acc));
	snprintf(size, sizeof(size), "%llu", (unsigned long long)n);
	if ((rc = jcs_store_exec(db, sql, 2, p, &r, err)))
		return rc;
	snprintf(acc->st.registration_number, sizeof(acc->st.registration_number), "%s", reg_no);
	for (size_t i = 0; i < r.nrows && !rc; i++) {
		const char *e = jcs_rows_get(&r, i, 2);
		rc = jcs_status_acc_add(acc, (uint64_t)jcs_rows_int(&r, i, 0), e, strlen(e), jcs_rows_get(&r, i, 1),
					reg->key, err);
	}
	jcs_rows_free(&r);
	return rc;
}

/* The status statement of reg_no over the first n leaves (the tree whose root is root). */
static int status_of(struct jcs_store *db, const struct jcs_registry *reg, const char *reg_no, uint64_t n,
		     const jcs_hash root, char **out, struct jcs_err *err)
{
	struct jcs_status_acc acc;
	struct timespec now;
	char today[11], roothex[JCS_HASH_HEX + 1];
	int rc;

	*out = NULL;
	if ((rc = jcs_reg_may_sign(reg, err)) || (rc = derive_status(db, reg, reg_no, n, &acc, err)))
		return rc;
	clock_gettime(CLOCK_REALTIME, &now);
	jcs_date_of(now.tv_sec, today, sizeof(today));
	jcs_hash_hex(root, roothex);
	if ((rc = jcs_status_acc_finish(&acc, today, n, roothex,
					(uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000, err)))
		return rc == JCS_ENOTFOUND ? jcs_err_set(err, rc, "no registration '%s'", reg_no) : rc;
	return jcs_status_sign(&acc.st, reg->key, out, err);
}

struct status_arg {
	struct jcs_store *db;
	const struct jcs_registry *reg;
	const char *reg_no;
	char **out;
};

static int status_now(void *arg, const struct jcs_tlog_src *src, uint64_t n, struct jcs_err *err)
{
	const struct status_arg *a = arg;
	jcs_hash root;
	int rc = head_guard(a->db, src, n, false, err);

	if (rc)
		return rc;
	src->mth(src->ctx, 0, n, root);
	return status_of(a->db, a->reg, a->reg_no, n, root, a->out, err);
}

int jcs_reg_status(struct jcs_store *db, const struct jcs_registry *reg, const char *reg_no, char **out,
		   struct jcs_err *err)
{
	struct status_arg a = {db, reg, reg_no, out};
	struct jcs_logtree *t;
	int rc;

	*out = NULL;
	if ((rc = tree_get(reg, &t)))
		return rc;
	rc = jcs_logtree_with(t, db, status_now, &a, err);
	tree_done(reg, t);
	return rc;
}

/* The root of the tree of the first n leaves (prefix_root's argument). */
struct prefix_arg {
	uint64_t n;
	jcs_hash root;
};

static int prefix_root(void *arg, const struct jcs_tlog_src *src, uint64_t n, struct jcs_err *err)
{
	struct prefix_arg *a = arg;

	if (a->n > n)
		return jcs_err_set(err, JCS_ENOTFOUND, "no tree of size %llu (log has %llu)", (unsigned long long)a->n,
				   (unsigned long long)n);
	src->mth(src->ctx, 0, a->n, a->root);
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
	char *sth = NULL, *proof = NULL, *status = NULL;
	json_t *o = NULL, *jl = NULL, *jp = NULL, *js = NULL, *jst = NULL;
	struct guard_arg g = {db, reg, true};
	struct prefix_arg head = {0};
	int rc;

	*out = NULL;
	if ((rc = jcs_store_exec(db, sql, 1, p, &r, err)))
		return rc;
	if (r.nrows != 1) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no registration '%s'", reg_no);
		goto out;
	}
	if ((rc = tree_get(reg, &t)) || (rc = jcs_logtree_sth(t, db, reg, sth_guard, &g, &sth, &n, err)))
		goto out;
	/* the proof and the status are for the very tree size the head was signed at */
	head.n = n;
	if ((rc = jcs_logtree_inclusion(t, db, (uint64_t)jcs_rows_int(&r, 0, 0), n, &inc, err)) ||
	    (rc = jcs_logtree_with(t, db, prefix_root, &head, err)) ||
	    (rc = status_of(db, reg, reg_no, n, head.root, &status, err)))
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
	tree_done(reg, t);
	jcs_rows_free(&r);
	return rc;
}

/* ------------------------------------------------------------ self-audit */

#define AUDIT_MAX_PROBLEMS 100

struct audit {
	json_t *problems;
	size_t total;
};

static void problem(struct audit *a, const char *reg_no, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(struct audit *a, const char *reg_no, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	a->total++;
	if (json_array_size(a->problems) >= AUDIT_MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(a->problems, json_pack("{s:s, s:s}", "reg_no", reg_no ? reg_no : "", "problem", msg));
}

/* Every leaf: gapless index, hash of its entry, signature, filed under its own reg_no.
 * Leaves (the stored hashes) into *leaves for the tree-head check. */
static int audit_leaves(struct jcs_store *db, const struct jcs_registry *reg, struct audit *a, uint8_t **leaves,
			uint64_t *n, struct jcs_err *err)
{
	static const char sql[] = "SELECT idx, kind, reg_no, leaf_hash, entry FROM tlog ORDER BY idx";
	struct jcs_buf canon = JCS_BUF_INIT;
	struct jcs_rows r;
	int rc;

	*leaves = NULL;
	if ((rc = jcs_store_exec(db, sql, 0, NULL, &r, err)))
		return rc;
	*n = r.nrows;
	if (r.nrows && !(*leaves = calloc(r.nrows, JCS_HASH_LEN))) {
		jcs_rows_free(&r);
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < r.nrows; i++) {
		const char *kind = jcs_rows_get(&r, i, 1), *reg_no = jcs_rows_get(&r, i, 2), *e = jcs_rows_get(&r, i, 4);
		struct jcs_label *l = NULL;
		struct jcs_revocation *rv = NULL;
		struct jcs_err why = {0};
		char hexh[JCS_HASH_HEX + 1];
		jcs_hash h;

		if (jcs_rows_int(&r, i, 0) != (long long)i)
			problem(a, reg_no, "log leaf %zu is missing (found index %lld)", i, jcs_rows_int(&r, i, 0));
		if (jcs_hash_from_hex(jcs_rows_get(&r, i, 3), *leaves + i * JCS_HASH_LEN))
			problem(a, reg_no, "log leaf %zu: stored leaf hash is not a hash", i);
		jcs_buf_reset(&canon);
		if (jcs_envelope_canonical(e, strlen(e), &canon, &why)) {
			problem(a, reg_no, "log leaf %zu: entry is not a statement: %s", i, why.msg);
			continue;
		}
		jcs_tlog_leaf_hash(canon.data, canon.len, h);
		jcs_hash_hex(h, hexh);
		if (strcmp(hexh, jcs_rows_get(&r, i, 3)) != 0)
			problem(a, reg_no, "log leaf %zu: stored leaf hash does not match its entry", i);
		if (strcmp(kind, "label") == 0 ? jcs_label_verify(e, strlen(e), reg->key, &l, &why)
					       : jcs_revocation_verify(e, strlen(e), reg->key, &rv, &why))
			problem(a, reg_no, "log leaf %zu (%s): %s", i, kind, why.msg);
		else if (strcmp(l ? l->registration_number : rv->registration_number, reg_no) != 0)
			problem(a, reg_no, "log leaf %zu is filed under %s but concerns %s", i, reg_no,
				l ? l->registration_number : rv->registration_number);
		jcs_label_free(l);
		jcs_revocation_free(rv);
	}
	jcs_rows_free(&r);
	jcs_buf_free(&canon);
	return 0;
}

/* One registration (its stored status, expiry and served label) against its log entries:
 * NULL if they agree, else the problem in buf. */
static const char *registration_problem(struct jcs_store *db, const struct jcs_registry *reg, const char *reg_no,
					const char *st, const char *expires, const char *stmt, char *buf, size_t len)
{
	struct jcs_buf canon = JCS_BUF_INIT;
	struct jcs_status_acc acc;
	struct jcs_err why = {0};
	enum jcs_reg_status table;
	char hexh[JCS_HASH_HEX + 1];
	jcs_hash h;

	buf[0] = 0;
	if (derive_status(db, reg, reg_no, JCS_TLOG_MAX_SIZE, &acc, &why) || !acc.expires[0])
		snprintf(buf, len, "registration has no valid log history: %s",
			 why.msg[0] ? why.msg : "no label credential in the log");
	else if (jcs_reg_status_parse(st, &table))
		snprintf(buf, len, "registration status '%s' is unknown", st);
	/* expiry is by date; withdrawals must be what the log says, in log order */
	else if ((table == JCS_RSTAT_EXPIRY_GRACE || table == JCS_RSTAT_EXPIRED ? JCS_RSTAT_VALID : table) !=
		 acc.st.status)
		snprintf(buf, len, "registration says %s, the log says %s (entry %llu)", st,
			 jcs_reg_status_name(acc.st.status), (unsigned long long)acc.st.status_index);
	else if (strcmp(expires, acc.expires) != 0)
		snprintf(buf, len, "registration expires %s, its current credential %s", expires, acc.expires);
	else if (!stmt || jcs_envelope_canonical(stmt, strlen(stmt), &canon, &why))
		snprintf(buf, len, "the served label is missing or not a statement");
	else {
		jcs_tlog_leaf_hash(canon.data, canon.len, h);
		jcs_hash_hex(h, hexh);
		if (strcmp(hexh, acc.st.label_hash) != 0)
			snprintf(buf, len, "the served label is not the current credential in the log (leaf %llu)",
				 (unsigned long long)acc.st.label_index);
	}
	jcs_buf_free(&canon);
	return buf[0] ? buf : NULL;
}

/* Every registration against its log entries; every logged reg_no has a registration.
 * A mismatch is read again before it counts: the registration and the log are read by
 * separate statements, and a change committed in between is not damage. */
static int audit_registrations(struct jcs_store *db, const struct jcs_registry *reg, struct audit *a,
			       long long *count, struct jcs_err *err)
{
	static const char q_regs[] = "SELECT r.reg_no, r.status, r.expires, s.statement FROM registrations r"
				     " LEFT JOIN label_statements s ON s.reg_no = r.reg_no ORDER BY r.reg_no";
	static const char q_one[] = "SELECT r.reg_no, r.status, r.expires, s.statement FROM registrations r"
				    " LEFT JOIN label_statements s ON s.reg_no = r.reg_no WHERE r.reg_no = $1";
	static const char q_orphans[] = "SELECT DISTINCT reg_no FROM tlog WHERE reg_no NOT IN"
					" (SELECT reg_no FROM registrations) ORDER BY reg_no";
	struct jcs_rows r, o;
	char buf[1400];
	int rc;

	if ((rc = jcs_store_exec(db, q_regs, 0, NULL, &r, err)))
		return rc;
	*count = (long long)r.nrows;
	for (size_t i = 0; i < r.nrows && !rc; i++) {
		const char *reg_no = jcs_rows_get(&r, i, 0);
		const char *p[] = {reg_no};

		if (!registration_problem(db, reg, reg_no, jcs_rows_get(&r, i, 1), jcs_rows_get(&r, i, 2),
					  jcs_rows_get(&r, i, 3), buf, sizeof(buf)))
			continue;
		if ((rc = jcs_store_exec(db, q_one, 1, p, &o, err)))
			break;
		if (o.nrows == 1 && registration_problem(db, reg, reg_no, jcs_rows_get(&o, 0, 1), jcs_rows_get(&o, 0, 2),
							 jcs_rows_get(&o, 0, 3), buf, sizeof(buf)))
			problem(a, reg_no, "%s", buf);
		jcs_rows_free(&o);
	}
	jcs_rows_free(&r);
	if (rc || (rc = jcs_store_exec(db, q_orphans, 0, NULL, &o, err)))
		return rc;
	for (size_t i = 0; i < o.nrows; i++)
		problem(a, jcs_rows_get(&o, i, 0), "log entries for a registration that does not exist");
	jcs_rows_free(&o);
	return 0;
}

int jcs_reg_self_audit(struct jcs_store *db, const struct jcs_registry *reg, json_t **out, struct jcs_err *err)
{
	struct audit a = {json_array(), 0};
	struct jcs_err why = {0};
	uint8_t *leaves = NULL;
	uint64_t n = 0;
	long long nreg = 0;
	int rc;

	*out = NULL;
	if (!a.problems)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	if ((rc = audit_leaves(db, reg, &a, &leaves, &n, err)))
		goto out;
	if (reg && reg->tree) {
		/* a running server holds the leaves it appended or read: the store must still have
		 * them, else its cached tree signs a root the stored log no longer has */
		uint64_t first, held;
		long long now_n = (long long)n;

		jcs_logtree_compare(reg->tree, leaves, n, &first, &held);
		if (first < (n < held ? n : held))
			problem(&a, NULL, "log leaf %llu in the database is not the leaf this server appended or read: "
				"the log was changed under the running server", (unsigned long long)first);
		/* the tree may have read leaves appended after the audit read them: count again */
		if (n < held && !(rc = leaves_count(db, &now_n, err)) && (uint64_t)now_n < held)
			problem(&a, NULL, "the database has %lld log leaves, this server has seen %llu: leaves were removed",
				now_n, (unsigned long long)held);
		if (rc)
			goto out;
	}
	if (head_guard(db, &(const struct jcs_tlog_src){leaves_mth, leaves}, n, false, &why)) {
		if (why.code != JCS_ECRYPTO) {
			rc = jcs_err_set(err, why.code, "%s", why.msg);
			goto out;
		}
		problem(&a, NULL, "tree head: %s", why.msg);
	}
	if ((rc = audit_registrations(db, reg, &a, &nreg, err)))
		goto out;
	*out = json_pack("{s:b, s:I, s:I, s:I, s:O, s:I}", "ok", a.total == 0, "checked_at", (json_int_t)time(NULL),
			 "tree_size", (json_int_t)n, "registrations", (json_int_t)nreg, "problems", a.problems,
			 "problems_total", (json_int_t)a.total);
	if (!*out)
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
out:
	json_decref(a.problems);
	free(leaves);
	return rc;
}
