/* Label credentials: signed statements of the registry (docs/label-credential.md).
 *
 * Every statement the registry signs (a label, a revocation/suspension, a signed tree head
 * of the transparency log) is a JSON "envelope"
 *
 *     {"payload":{...},"signature":"BASE64"}
 *
 * whose signature is Ed25519 over the canonical form of the payload: RFC 8785 JSON
 * (keys sorted, no whitespace, minimal string escaping) restricted to strings, arrays of
 * strings and non-negative integers below 2^53. A verifier never trusts the file's bytes:
 * it parses, checks the payload against the statement's schema (exact key set, types,
 * formats, caps) and re-canonicalizes before checking the signature. The log leaf of a
 * statement is the canonical form of the whole envelope.
 *
 * Keys are Ed25519 (OpenSSL 3 EVP). The key id is the lowercase hex SHA-256 of the
 * DER SubjectPublicKeyInfo (as RFC 6962's log id); every payload carries it. */
#ifndef JCS_REGISTRY_LABEL_H
#define JCS_REGISTRY_LABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "jcstar/jcstar.h"
#include "core/buf.h"

#define JCS_SCHEMA_LABEL      "jcstar.label/1"
#define JCS_SCHEMA_REVOCATION "jcstar.revocation/1"
#define JCS_SCHEMA_STH        "jcstar.sth/1"
#define JCS_SCHEMA_STATUS     "jcstar.status/1"

#define JCS_KEY_ID_HEX     64    /* hex chars of a key id (SHA-256) */
#define JCS_SIG_LEN        64    /* Ed25519 signature bytes */
#define JCS_REGNO_MAX      24    /* buffer size for a registration number incl. NUL */
#define JCS_STMT_MAX       65536 /* cap on one envelope file (bytes) */
#define JCS_REVLIST_MAX    (64u << 20) /* cap on a revocation list file (bytes) */
#define JCS_LABEL_MAX_MODELS 256 /* model numbers per label */
#define JCS_TEXT_MAX       512   /* cap on one text field (bytes of UTF-8) */

/* ---------------------------------------------------------------- keys */

struct jcs_key; /* an Ed25519 key: private (can sign) or public only */

/* A fresh private key. */
int jcs_key_generate(struct jcs_key **out, struct jcs_err *err);
/* Write the private key as PKCS#8 PEM to path, created with mode 0600; fails with
 * JCS_ECONFLICT if path exists (keys are never overwritten). */
int jcs_key_save(const struct jcs_key *k, const char *path, struct jcs_err *err);
/* Load a PEM file holding an Ed25519 private key (PKCS#8) or public key (SPKI). A private
 * key file readable by group or others is refused (JCS_EPERM). */
int jcs_key_load(const char *path, struct jcs_key **out, struct jcs_err *err);
/* The same from PEM text in memory. */
int jcs_key_load_pem(const char *pem, size_t len, struct jcs_key **out, struct jcs_err *err);
/* The public key as SPKI PEM text (caller frees), NULL on ENOMEM. */
char *jcs_key_public_pem(const struct jcs_key *k);
/* Key id: lowercase hex SHA-256 of the DER SubjectPublicKeyInfo, NUL-terminated. */
const char *jcs_key_id(const struct jcs_key *k);
bool jcs_key_is_private(const struct jcs_key *k);
void jcs_key_free(struct jcs_key *k);

/* Raw Ed25519 over msg (the key must be private) / check a signature (0 or JCS_ECRYPTO). */
int jcs_key_sign(const struct jcs_key *k, const void *msg, size_t len, uint8_t sig[JCS_SIG_LEN],
		 struct jcs_err *err);
int jcs_key_verify(const struct jcs_key *k, const void *msg, size_t len, const uint8_t sig[JCS_SIG_LEN]);

/* ------------------------------------------------- registration numbers */

/* "JCS-<level>-<year>-<serial, 6 digits>", e.g. JCS-1-2026-000123: level 1..4, year
 * 2000..9999, serial 1..999999 (unique per year across levels). buf >= JCS_REGNO_MAX. */
int jcs_regno_format(int level, int year, uint32_t serial, char *buf, size_t len);
/* Strict parse of the same; any out pointer may be NULL. JCS_EPARSE if malformed. */
int jcs_regno_parse(const char *s, int *level, int *year, uint32_t *serial);

/* ------------------------------------------------------------- labels */

enum jcs_label_status { JCS_LSTAT_VALID, JCS_LSTAT_SUSPENDED, JCS_LSTAT_REVOKED };
const char *jcs_label_status_name(enum jcs_label_status s); /* "valid", "suspended", "revoked" */

/* The content of a label credential. For signing the caller fills it (strings borrowed);
 * from jcs_label_parse/verify all strings are owned by the struct (jcs_label_free). */
struct jcs_label {
	const char *registration_number; /* JCS-1-2026-000123 */
	const char *vendor;              /* supplier's name */
	const char *product;             /* product name */
	const char *const *models;       /* model numbers, 1..JCS_LABEL_MAX_MODELS, distinct */
	size_t nmodels;
	int level;                       /* 1..4, must match the registration number */
	const char *issued;              /* YYYY-MM-DD */
	const char *expires;             /* YYYY-MM-DD (issued + 2 years; see jcs_date_add_years) */
	enum jcs_label_status status;
	const char *registry;            /* registry id, e.g. "jcstar.example.org" */
	const char *url;                 /* the product's public page (https://... or http://...) */
	const char *signed_at;           /* YYYY-MM-DDTHH:MM:SSZ; NULL when signing = now */
	const char *key_id;              /* set by parse; ignored by sign (taken from the key) */
};

/* Sign: validates l (same rules as the parser) and returns the envelope as canonical JSON
 * followed by "\n" in *out (caller frees). */
int jcs_label_sign(const struct jcs_label *l, const struct jcs_key *k, char **out, struct jcs_err *err);

/* Parse and check a label envelope against pub: JCS_EPARSE/JCS_ESCHEMA for malformed input,
 * JCS_ECRYPTO for a bad signature or a key id that is not pub's. On success *out (caller
 * frees with jcs_label_free) holds the label. */
int jcs_label_verify(const char *text, size_t len, const struct jcs_key *pub, struct jcs_label **out,
		     struct jcs_err *err);
/* Parse without checking the signature (rendering, inspection only). */
int jcs_label_parse(const char *text, size_t len, struct jcs_label **out, struct jcs_err *err);
void jcs_label_free(struct jcs_label *l);

/* ------------------------------------------------------- revocations */

/* A signed revocation or suspension of one label. A revocation is final; a suspension
 * applies to credentials signed before it (a credential re-signed later lifts it). */
struct jcs_revocation {
	const char *registration_number;
	enum jcs_label_status status;    /* JCS_LSTAT_REVOKED or JCS_LSTAT_SUSPENDED */
	const char *reason;              /* non-empty free text */
	const char *effective;           /* YYYY-MM-DD */
	const char *registry;
	const char *signed_at;           /* NULL when signing = now */
	const char *key_id;              /* set by parse */
};

int jcs_revocation_sign(const struct jcs_revocation *r, const struct jcs_key *k, char **out,
			struct jcs_err *err);
/* One revocation envelope; errors as jcs_label_verify. *out freed with jcs_revocation_free. */
int jcs_revocation_verify(const char *text, size_t len, const struct jcs_key *pub,
			  struct jcs_revocation **out, struct jcs_err *err);
void jcs_revocation_free(struct jcs_revocation *r);

/* A revocation list file: one envelope, or a JSON array of envelopes (the registry serves
 * the array). Every entry must verify against pub, else the whole list is rejected. */
struct jcs_revlist;
int jcs_revlist_verify(const char *text, size_t len, const struct jcs_key *pub, struct jcs_revlist **out,
		       struct jcs_err *err);
size_t jcs_revlist_count(const struct jcs_revlist *rl);
const struct jcs_revocation *jcs_revlist_get(const struct jcs_revlist *rl, size_t i);
void jcs_revlist_free(struct jcs_revlist *rl);

/* -------------------------------------------------------- status statements */

/* Status of a registration as the registry's log says (docs/label-credential.md): IPA's
 * 有効 / 失効猶予 / 失効 / 取消し plus suspension (一時停止). */
enum jcs_reg_status {
	JCS_RSTAT_VALID,
	JCS_RSTAT_SUSPENDED,
	JCS_RSTAT_REVOKED,
	JCS_RSTAT_EXPIRY_GRACE,  /* past expiry, still renewable */
	JCS_RSTAT_EXPIRED,
};
#define JCS_RSTAT_COUNT 5
/* "valid", "suspended", "revoked", "expiry_grace", "expired" / 有効 一時停止 取消し 失効猶予 失効 */
const char *jcs_reg_status_name(enum jcs_reg_status s);
const char *jcs_reg_status_ja(enum jcs_reg_status s);
/* JCS_EPARSE for anything but the five names. */
int jcs_reg_status_parse(const char *s, enum jcs_reg_status *out);

#define JCS_HASH_HEX 64
#define JCS_STATUS_SKEW_MS (5 * 60 * 1000) /* a statement may be this much "from the future" */

/* A short-lived signed status statement (jcstar.status/1), like a stapled OCSP response:
 * at the tree head (tree_size, root_hash) the newest label credential of the registration
 * is leaf label_index (leaf hash label_hash) and the newest log entry of any kind for it is
 * status_index; the registration's status is status. Valid from produced until next_update
 * (milliseconds since the epoch). */
struct jcs_status {
	char registration_number[JCS_REGNO_MAX];
	char registry[256];
	enum jcs_reg_status status;
	uint64_t label_index, status_index, tree_size;
	uint64_t produced, next_update;
	char label_hash[JCS_HASH_HEX + 1], root_hash[JCS_HASH_HEX + 1]; /* lowercase hex */
	char key_id[JCS_KEY_ID_HEX + 1];  /* set by verify; ignored by sign */
};

/* Sign (checks label_index <= status_index < tree_size, produced < next_update). */
int jcs_status_sign(const struct jcs_status *s, const struct jcs_key *k, char **out, struct jcs_err *err);
/* Parse and verify against pub (errors as jcs_label_verify). */
int jcs_status_verify(const char *text, size_t len, const struct jcs_key *pub, struct jcs_status *out,
		      struct jcs_err *err);

/* Deriving a registration's status from its log entries, in log order (never by clock):
 * a label credential sets "valid" (or its own status) and becomes the current credential,
 * a suspension sets "suspended", a revocation "revoked" for good. Then dates: past the
 * current credential's expiry the status is "expiry_grace" for JCS_STATUS_GRACE_DAYS, then
 * "expired". The registry and `jcstar label log` both build status statements this way. */
#define JCS_STATUS_GRACE_DAYS 30
#define JCS_STATUS_TTL_MS (24u * 3600 * 1000) /* a status statement is good for a day */

struct jcs_status_acc {
	struct jcs_status st;  /* registration_number set by the caller; registry = the current credential's */
	char expires[11];      /* of the current credential */
	size_t entries;
	bool revoked;
};
/* Feed the entry at log index (ascending) with its envelope: its signature is checked
 * against pub and it must concern st.registration_number (else JCS_ECRYPTO / JCS_ESCHEMA).
 * leaf_hash is its leaf hash in hex. */
int jcs_status_acc_add(struct jcs_status_acc *a, uint64_t index, const char *envelope, size_t len,
		       const char *leaf_hash, const struct jcs_key *pub, struct jcs_err *err);
/* Fill in the dates-based status on today (YYYY-MM-DD), the tree head and the validity
 * window from now_ms; JCS_ENOTFOUND when no label credential was fed. */
int jcs_status_acc_finish(struct jcs_status_acc *a, const char *today, uint64_t tree_size, const char *root_hex,
			  uint64_t now_ms, struct jcs_err *err);

/* -------------------------------------------------------- verdicts */

enum jcs_label_verdict {
	JCS_VERDICT_VALID,
	JCS_VERDICT_NOT_YET_VALID,  /* date before issue */
	JCS_VERDICT_EXPIRED,        /* date after expiry */
	JCS_VERDICT_SUSPENDED,
	JCS_VERDICT_REVOKED,
	JCS_VERDICT_EXPIRY_GRACE,   /* expired, the registry still allows renewal */
	JCS_VERDICT_SUPERSEDED,     /* a newer credential of the registration is in the log */
	JCS_VERDICT_UNCHECKED,      /* nothing against it, but no fresh status: "status not checked" */
};
const char *jcs_label_verdict_name(enum jcs_label_verdict v); /* "valid", "not yet valid", ... */

/* The status evidence for one credential: a verified status statement, the leaf hash of the
 * credential (lowercase hex, jcs_envelope_canonical + jcs_tlog_leaf_hash) and the time
 * (ms since the epoch) at which freshness is judged. */
struct jcs_sth;
struct jcs_status_check {
	const struct jcs_status *status;
	const char *leaf_hash;
	uint64_t now_ms;
	const struct jcs_sth *sth;  /* when given, the statement must be bound to this tree head */
};

struct jcs_label_state {
	enum jcs_label_verdict verdict;  /* the most severe of the facts below */
	bool revoked, suspended, expired, not_yet_valid, grace, superseded;
	bool status_checked;             /* a fresh status statement for this credential was used */
	const char *unchecked_why;       /* why not (static text), when !status_checked */
	const struct jcs_revocation *by; /* the revocation/suspension that applies, or NULL */
};

/* Status of a verified label on date (YYYY-MM-DD; the label is valid from issued through
 * expires inclusive), given an optional verified revocation list and an optional status
 * check (NULL = none). Evidence can only make a verdict worse, except that "valid" needs a
 * fresh status statement for this very credential: without one the verdict is at best
 * JCS_VERDICT_UNCHECKED (a revocation list cannot prove that nothing was left out of it).
 * A list revocation applies when the number matches; a list suspension when signed in the
 * same second as the label or later (seconds cannot order them; the status statement,
 * ordered by log index, can). The credential's own status field counts too. A revoked or
 * suspended status statement applies even when stale. */
int jcs_label_state(const struct jcs_label *l, const char *date, const struct jcs_revlist *rl,
		    const struct jcs_status_check *sc, struct jcs_label_state *out, struct jcs_err *err);

/* ------------------------------------------------------------ helpers */

/* Canonical form of a whole envelope (the transparency-log leaf data) into out, after
 * checking it is a well-formed envelope of a known schema (signature not checked). */
int jcs_envelope_canonical(const char *text, size_t len, struct jcs_buf *out, struct jcs_err *err);

/* Date helpers: strict YYYY-MM-DD validation (a real calendar date) and adding years
 * (Feb 29 + n years → Feb 28 when not a leap year). out >= 11 bytes. */
bool jcs_date_valid(const char *s);
int jcs_date_add_years(const char *date, int years, char *out, size_t len);
/* Today's UTC date from t (time(NULL) for now). out >= 11 bytes. */
void jcs_date_of(time_t t, char *out, size_t len);

/* ------------------------------------------------------------- images */

/* The label image for l (uses level, registration_number, url): "JC-STAR", level stars,
 * a QR code of the url (libqrencode, error correction M) and the registration number.
 * SVG: a self-contained, well-formed SVG document appended to out. */
int jcs_label_svg(const struct jcs_label *l, struct jcs_buf *out, struct jcs_err *err);
/* PNG for print: that SVG drawn by librsvg, 8-bit greyscale, width_mm wide (10..200) at no
 * less than dpi (72..2400). QR modules fall on whole pixels, so the resolution is rounded
 * up; the PNG's pHYs chunk records it. Appended to out. */
int jcs_label_png(const struct jcs_label *l, int dpi, double width_mm, struct jcs_buf *out, struct jcs_err *err);
#define JCS_LABEL_DPI 300     /* print resolution of label PNGs */
#define JCS_LABEL_WIDTH_MM 30 /* printed label width: a QR module of about 0.7 mm */

#endif
