/* Dahua firmware: a ZIP whose first local-header magic "PK" is replaced by "DH". The two
 * bytes are restored in a private copy, which is then read as a ZIP. */
#include <stdlib.h>
#include <string.h>

#include "firmware/unpack/archive.h"

static int dahua_zip_enable(struct archive *a)
{
	return archive_read_support_format_zip_streamable(a);
}

static const struct jcs_fw_archive_fmt fmt = {dahua_zip_enable, NULL, NULL};

static int dahua_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	uint8_t *copy;
	int rc;

	if (len < 30) /* a ZIP local header */
		return JCS_ENOTFOUND;
	if (len > jcs_fw_walk_limits(w)->max_file_in_memory)
		return jcs_err_set(err, JCS_ELIMIT, "Dahua image larger than the in-memory cap");
	copy = malloc(len);
	if (!copy)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	memcpy(copy, p, len);
	copy[0] = 'P';
	copy[1] = 'K';
	rc = jcs_fw_archive_unpack(w, &fmt, copy, len, used, err);
	free(copy);
	if (rc == 0)
		*used = len;
	return rc;
}

const struct jcs_fw_unpacker jcs_fw_unpack_dahua = {
	.name = "dahua",
	.sigs = {{"DH\x03\x04", 4, 0}},
	.unpack = dahua_unpack,
};
