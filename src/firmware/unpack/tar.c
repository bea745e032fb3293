/* tar (ustar, GNU, pax) via libarchive. */
#include "firmware/unpack/archive.h"

static size_t tar_extent(const uint8_t *p, size_t len, int64_t last, int64_t size)
{
	(void)p;
	(void)len;
	return last < 0 ? 0 : (size_t)last + 512 + (((size_t)size + 511) & ~(size_t)511) + 1024;
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
