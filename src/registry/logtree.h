/* The server's cache of the transparency log's Merkle tree: level k holds the hashes of the
 * complete, aligned subtrees of 2^k leaves, so a tree head or proof needs O(log^2 n) hash
 * look-ups instead of reading and hashing every leaf. Only leaves the cache has not seen are
 * read from the store (the log is append-only; other server processes may append too). The
 * signed tree head is reused while the tree does not grow, for at most
 * JCS_LOGTREE_STH_SECONDS. Thread-safe. */
#ifndef JCS_REGISTRY_LOGTREE_H
#define JCS_REGISTRY_LOGTREE_H

#include <stdint.h>

#include "registry/registry.h"
#include "jcstar/tlog.h"

#define JCS_LOGTREE_STH_SECONDS 60

struct jcs_logtree;

int jcs_logtree_new(struct jcs_logtree **out);
void jcs_logtree_free(struct jcs_logtree *t);

/* Called with the tree's lock held, after it caught up with the store: src gives the root of
 * any prefix of the n leaves. */
typedef int (*jcs_logtree_fn)(void *arg, const struct jcs_tlog_src *src, uint64_t n, struct jcs_err *err);

/* Signed tree head of the whole log as it is now (caller frees *sth); *size = its tree size.
 * guard (may be NULL) runs before every signature and before a cached head is handed out: its
 * error is returned and nothing is signed. */
int jcs_logtree_sth(struct jcs_logtree *t, struct jcs_store *db, const struct jcs_registry *reg,
		    jcs_logtree_fn guard, void *arg, char **sth, uint64_t *size, struct jcs_err *err);
/* fn over the log as it is now. */
int jcs_logtree_with(struct jcs_logtree *t, struct jcs_store *db, jcs_logtree_fn fn, void *arg, struct jcs_err *err);
/* Inclusion proof of leaf index in the tree of size (0 = the whole log now). JCS_ENOTFOUND
 * when there is no such leaf or tree. */
int jcs_logtree_inclusion(struct jcs_logtree *t, struct jcs_store *db, uint64_t index, uint64_t size,
			  struct jcs_inclusion *out, struct jcs_err *err);
/* Consistency proof between the trees of m and n leaves (n 0 = the whole log now). */
int jcs_logtree_consistency(struct jcs_logtree *t, struct jcs_store *db, uint64_t m, uint64_t n,
			    struct jcs_consistency *out, struct jcs_err *err);

/* Compare the n leaf hashes in leaves (as the store has them now, n * JCS_HASH_LEN bytes) with
 * the leaves the tree holds (*held of them): *first = the index of the first leaf that
 * differs, or min(n, *held) when every leaf both have is the same. The self-audit of a
 * running server: leaves changed in the store after this server read them. */
void jcs_logtree_compare(struct jcs_logtree *t, const uint8_t *leaves, uint64_t n, uint64_t *first, uint64_t *held);

#endif
