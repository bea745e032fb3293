/* Files under data/, embedded at build time by cmake/embed.cmake. */
#ifndef JCS_CORE_BLOB_H
#define JCS_CORE_BLOB_H

#include <stddef.h>

struct jcs_blob {
	const char *name;          /* path relative to data/, e.g. "catalog/criteria.yaml" */
	const unsigned char *data; /* NUL-terminated for convenience; len excludes the NUL */
	size_t len;
};

extern const struct jcs_blob jcs_blobs[]; /* ends with {NULL, NULL, 0} */

/* The embedded file `name`, or NULL. */
const struct jcs_blob *jcs_blob_get(const char *name);

#endif
