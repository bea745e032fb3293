/* Signed statements (internal to src/registry/): the envelope {"payload":{...},
 * "signature":"BASE64"}, the canonical JSON form (RFC 8785 restricted to strings, string
 * arrays and non-negative integers < 2^53) and the schema table that validates payloads.
 * Format: docs/label-credential.md. */
#ifndef JCS_REGISTRY_STMT_H
#define JCS_REGISTRY_STMT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "jcstar/buf.h"
#include "jcstar/label.h"

enum stmt_ftype { STMT_STR, STMT_INT, STMT_STRARR };

/* One payload field: strings and array items are checked with check(); integers lie in
 * [0, max]; arrays hold 1..max items. */
struct stmt_field {
	const char *key;
	enum stmt_ftype type;
	bool (*check)(const char *s);
	uint64_t max;
};

/* A statement kind: its schema name and fields, sorted by key. */
struct stmt_schema {
	const char *name;
	const struct stmt_field *fields;
	size_t nfields;
};

/* The schema of a statement kind by name (JCS_SCHEMA_*), or NULL. */
const struct stmt_schema *stmt_schema_get(const char *name);

/* Field checks shared with label.c and tlog.c. */
bool stmt_is_text(const char *s);      /* 1..JCS_TEXT_MAX bytes, no control characters */
bool stmt_is_date(const char *s);      /* YYYY-MM-DD, a real date */
bool stmt_is_time(const char *s);      /* YYYY-MM-DDTHH:MM:SSZ */
bool stmt_is_hex64(const char *s);     /* 64 lowercase hex digits */
bool stmt_is_registry(const char *s);  /* [A-Za-z0-9._:-]{1,253} */
bool stmt_is_url(const char *s);      /* http(s)://, RFC 3986 characters, <= 512 bytes */

/* Canonical form of v (objects, strings, integers >= 0, arrays) appended to out. */
int stmt_canonical(const json_t *v, struct jcs_buf *out);

/* Validate a payload against its schema (found from its "schema" member, which must equal
 * want when want is non-NULL). Returns the schema through *schema_out when non-NULL. */
int stmt_validate(const json_t *payload, const char *want, const struct stmt_schema **schema_out,
		  struct jcs_err *err);

/* Sign payload (key_id is set here from k; validated first, then cross(), if non-NULL,
 * checks rules across fields) and return the envelope as canonical JSON + "\n" (caller
 * frees). payload is not stolen. */
int stmt_seal(json_t *payload, const struct jcs_key *k, int (*cross)(const json_t *, struct jcs_err *),
	      char **out, struct jcs_err *err);

/* Parse an envelope of schema want (NULL = any known schema): well-formed, validated
 * payload, a 64-byte signature. If pub is non-NULL the signature and key id must match pub
 * (else JCS_ECRYPTO). *payload gets a new reference. */
int stmt_open_json(const json_t *env, const char *want, const struct jcs_key *pub, json_t **payload,
		   struct jcs_err *err);
/* The same from text, without a key: the signature is decoded but not checked (rendering,
 * inspection). */
int stmt_open(const char *text, size_t len, const char *want, json_t **payload, struct jcs_err *err);
/* JCS_EINVAL ("no key to verify with") when pub is NULL: every verifier asks this first,
 * before anything about the input is looked at, so that nothing is ever "verified" against
 * no key and a missing key is never reported as a bad statement. */
int stmt_need_key(const struct jcs_key *pub, struct jcs_err *err);
/* Where every jcs_*_verify starts: stmt_need_key, then stmt_parse_json. */
int stmt_verify_json(const char *text, size_t len, size_t max, const char *what, const struct jcs_key *pub,
		     json_t **doc, struct jcs_err *err);
/* stmt_verify_json of one envelope (at most JCS_STMT_MAX bytes), then stmt_open_json with pub. */
int stmt_verify(const char *text, size_t len, const char *want, const struct jcs_key *pub, json_t **payload,
		struct jcs_err *err);

/* Parse JSON text with the caps every statement parser applies (size <= max, duplicate
 * keys rejected, no NUL). */
int stmt_parse_json(const char *text, size_t len, size_t max, const char *what, json_t **out,
		    struct jcs_err *err);

/* RFC 3339 UTC time of t into out (>= 21 bytes). */
void stmt_time_of(time_t t, char *out, size_t len);

#endif
