/* Transparency log (RFC 6962 §2.1 Merkle tree; proof verification per RFC 9162 §2.1.3.2
 * and §2.1.4.2) as pure functions over leaf hashes, plus the signed tree head and the
 * JSON forms of proofs (docs/label-credential.md §Transparency log).
 *
 * The registry appends every issuance, change, suspension and revocation envelope; the
 * leaf data is jcs_envelope_canonical() of it. Hashes are SHA-256:
 *   leaf hash  = SHA-256(0x00 || data)
 *   node hash  = SHA-256(0x01 || left || right)
 *   MTH({})    = SHA-256("") */
#ifndef JCS_REGISTRY_TLOG_H
#define JCS_REGISTRY_TLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jcstar/jcstar.h"
#include "jcstar/label.h"

JCS_API_BEGIN

#define JCS_HASH_LEN 32
#define JCS_TLOG_MAX_PATH 64           /* proof length cap: ceil(log2(2^63)) + 1 */
#define JCS_TLOG_MAX_SIZE (UINT64_C(1) << 53) /* tree sizes must stay exact in JSON */

typedef uint8_t jcs_hash[JCS_HASH_LEN];

/* 0, or JCS_ENOMEM when OpenSSL cannot allocate a digest context. */
int jcs_tlog_leaf_hash(const void *data, size_t len, jcs_hash out);
void jcs_tlog_node_hash(const jcs_hash left, const jcs_hash right, jcs_hash out);

/* Functions taking `leaves` read n consecutive 32-byte leaf hashes (n * JCS_HASH_LEN bytes).
 * Merkle tree hash of the first n leaf hashes. */
void jcs_tlog_root(const uint8_t *leaves, uint64_t n, jcs_hash out);

/* An audit path (inclusion) or consistency proof: up to JCS_TLOG_MAX_PATH hashes. */
struct jcs_tlog_path {
	size_t n;
	jcs_hash h[JCS_TLOG_MAX_PATH];
};

/* Inclusion proof for leaf index (< n) in the tree of the first n leaves (RFC 6962
 * PATH(m, D[n])). JCS_EINVAL if index >= n. */
int jcs_tlog_inclusion_proof(const uint8_t *leaves, uint64_t n, uint64_t index, struct jcs_tlog_path *out);
/* The same proofs from any source of subtree hashes (e.g. a cache of them, which makes a
 * proof O(log^2 n) hash look-ups instead of O(n) hashing): mth(ctx, start, n, out) is the
 * Merkle tree hash of leaves [start, start + n). */
struct jcs_tlog_src {
	void (*mth)(const void *ctx, uint64_t start, uint64_t n, jcs_hash out);
	const void *ctx;
};
int jcs_tlog_inclusion_proof_src(const struct jcs_tlog_src *src, uint64_t n, uint64_t index,
				 struct jcs_tlog_path *out);
int jcs_tlog_consistency_proof_src(const struct jcs_tlog_src *src, uint64_t n, uint64_t m,
				   struct jcs_tlog_path *out);

/* 0 if path proves leaf is at index in a tree of size with that root, else JCS_ECRYPTO
 * (JCS_EINVAL for index >= size). */
int jcs_tlog_inclusion_verify(const jcs_hash leaf, uint64_t index, uint64_t size,
			      const struct jcs_tlog_path *path, const jcs_hash root);

/* Consistency proof between the trees of the first m and n leaves, 0 < m <= n (RFC 6962
 * PROOF(m, D[n]); empty when m == n). JCS_EINVAL for m == 0 or m > n. */
int jcs_tlog_consistency_proof(const uint8_t *leaves, uint64_t n, uint64_t m, struct jcs_tlog_path *out);
/* 0 if path proves the tree (m, old_root) is a prefix of (n, new_root), else JCS_ECRYPTO. */
int jcs_tlog_consistency_verify(uint64_t m, uint64_t n, const jcs_hash old_root, const jcs_hash new_root,
				const struct jcs_tlog_path *path);

/* ------------------------------------------------------- signed tree head */

struct jcs_sth {
	uint64_t tree_size;
	uint64_t timestamp;   /* milliseconds since the epoch (UTC) */
	jcs_hash root;
	char registry[JCS_TEXT_MAX];
	char key_id[JCS_KEY_ID_HEX + 1]; /* set by verify; ignored by sign */
};

/* Sign an STH (timestamp 0 = now) as an envelope (payload schema jcstar.sth/1); *out is
 * canonical JSON + "\n", caller frees. */
int jcs_sth_sign(const struct jcs_sth *sth, const struct jcs_key *k, char **out, struct jcs_err *err);
/* Parse and verify an STH envelope against pub (errors as jcs_label_verify). */
int jcs_sth_verify(const char *text, size_t len, const struct jcs_key *pub, struct jcs_sth *out,
		   struct jcs_err *err);

/* ------------------------------------------------------------ proof files */

/* {"schema":"jcstar.inclusion/1","leaf_index":I,"tree_size":N,"audit_path":["hex",...]} */
struct jcs_inclusion {
	uint64_t leaf_index, tree_size;
	struct jcs_tlog_path path;
};
/* {"schema":"jcstar.consistency/1","first":M,"second":N,"consistency":["hex",...]} */
struct jcs_consistency {
	uint64_t first, second;
	struct jcs_tlog_path path;
};

/* Serialize (canonical JSON + "\n", caller frees; NULL on ENOMEM). */
char *jcs_inclusion_json(const struct jcs_inclusion *p);
char *jcs_consistency_json(const struct jcs_consistency *p);
/* Parse (JCS_EPARSE / JCS_ESCHEMA; at most JCS_STMT_MAX bytes). */
int jcs_inclusion_parse(const char *text, size_t len, struct jcs_inclusion *out, struct jcs_err *err);
int jcs_consistency_parse(const char *text, size_t len, struct jcs_consistency *out, struct jcs_err *err);

/* Check that the envelope text (a label or revocation) is in the log that sth describes:
 * its leaf hash must sit at proof->leaf_index with proof->tree_size == sth->tree_size.
 * 0 or JCS_ECRYPTO (with a reason in err). */
int jcs_tlog_check_inclusion(const char *envelope, size_t len, const struct jcs_inclusion *proof,
			     const struct jcs_sth *sth, struct jcs_err *err);

/* Lowercase hex of a hash into out (>= 65 bytes) / strict parse of 64 hex chars. */
void jcs_hash_hex(const jcs_hash h, char *out);
int jcs_hash_from_hex(const char *s, jcs_hash out);

JCS_API_END

#endif
