/* SHA-256 of bytes and of files, as lowercase hex (OpenSSL EVP): ties a report to the exact
 * declaration, evidence files and firmware image it was made from, and a label to the report
 * and SBOM it binds. */
#ifndef JCSTAR_DIGEST_H
#define JCSTAR_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "jcstar/jcstar.h"

#define JCS_SHA256_HEX 65 /* 64 hex digits and the NUL */

JCS_API_BEGIN

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void jcs_hex(const void *p, size_t n, char *out);
/* SHA-256 of n bytes. 0 or JCS_ECRYPTO. */
int jcs_sha256_hex(const void *p, size_t n, char out[JCS_SHA256_HEX]);
/* SHA-256 of a regular file, read in chunks; *size (may be NULL) gets its length. */
int jcs_sha256_file(const char *path, char out[JCS_SHA256_HEX], uint64_t *size, struct jcs_err *err);

JCS_API_END

#endif
