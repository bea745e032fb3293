/* Account databases in firmware: passwd, shadow, htpasswd and password files of daemons,
 * also when embedded in binary blobs. Parser and hash verifier of the accounts rule, exposed
 * for the unit tests and the fuzz target. */
#ifndef JCS_FIRMWARE_AUDIT_ACCOUNTS_H
#define JCS_FIRMWARE_AUDIT_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

enum jcs_hash_type {
	JCS_HASH_NONE,      /* not a password hash (locked, shadowed, garbage) */
	JCS_HASH_EMPTY,     /* empty password field: login without password */
	JCS_HASH_DES,       /* traditional crypt(3) */
	JCS_HASH_MD5,       /* $1$ */
	JCS_HASH_APR1,      /* $apr1$ (Apache htpasswd) */
	JCS_HASH_SHA256,    /* $5$ */
	JCS_HASH_SHA512,    /* $6$ */
	JCS_HASH_BCRYPT,    /* $2a$ $2b$ $2y$ */
	JCS_HASH_YESCRYPT,  /* $y$ */
	JCS_HASH_SHA1_B64,  /* {SHA} (htpasswd) */
	JCS_HASH_MOSQUITTO, /* $6$ with base64 salt and hash = sha512(password || salt) */
};

struct jcs_account {
	char user[64];
	char hash[256];
	enum jcs_hash_type type;
	unsigned line;     /* 1-based line (or record) number */
	int nfields;       /* colon-separated fields of the record */
	long uid;          /* passwd records: uid; -1 if unknown */
};

const char *jcs_hash_type_name(enum jcs_hash_type t);
/* Classify a password field; nfields = fields of its record (traditional DES and empty
 * passwords are only believed in records shaped like passwd (7) or shadow (9) lines). */
enum jcs_hash_type jcs_hash_classify(const char *field, int nfields);

/* Scan a file's bytes for account records ("user:field[:...]"), split at newlines and at
 * non-printable bytes. cb returns 0 to go on. At most max records are reported. */
int jcs_accounts_scan(const void *data, size_t len, size_t max,
		      int (*cb)(void *ctx, const struct jcs_account *a), void *ctx);

/* Relative cost of one guess against this hash (1 = md5-crypt); 0 if it cannot be checked. */
unsigned jcs_hash_cost(const struct jcs_account *a);
/* True if password produces the account's hash. */
bool jcs_hash_verify(const struct jcs_account *a, const char *password);

#endif
