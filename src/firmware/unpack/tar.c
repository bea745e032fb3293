/* tar (ustar, GNU, pax) via libarchive. */
#include "core/ckd.h"
#include "firmware/unpack/archive.h"

/* The last header, its data in 512-byte records, the two zero records that end the archive
 * (a size the image cannot hold gives the whole image). */
static size_t tar_extent(const uint8_t *p, size_t len, int64_t last, int64_t size)
{
	uint64_t data, end;

	(void)p;
	if (last < 0)
		return 0;
	if (size < 0 || jcs_add_overflow((uint64_t)size, 511, &data) ||
	    jcs_add_overflow((uint64_t)last, 512 + (data & ~(uint64_t)511) + 1024, &end) || end > len)
		return len;
	return (size_t)end;
}

static const struct jcs_fw_archive_fmt fmt = {archive_read_support_format_tar, NULL, tar_extent};

static int tar_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	return jcs_fw_archive_unpack(w, &fmt, p, len, used, err);
}

const struct jcs_fw_unpacker jcs_fw_unpack_tar = {
	.name = "tar",
	.sigs = {{"ustar", 5, 257}},
	.unpack = tar_unpack,
};
