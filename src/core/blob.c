#include <string.h>

#include "core/blob.h"

const struct jcs_blob *jcs_blob_get(const char *name)
{
	for (const struct jcs_blob *b = jcs_blobs; b->name; b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}
