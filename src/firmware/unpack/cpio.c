/* cpio (newc, crc, odc, binary) via libarchive: initramfs images. */
#include "firmware/unpack/archive.h"

static size_t cpio_extent(const uint8_t *p, size_t len, int64_t last, int64_t size)
{
	(void)p;
	(void)len;
	(void)size;
	return last < 0 ? 0 : (size_t)last + 1; /* the rest is scanned again (the trailer is harmless) */
}

static const struct jcs_fw_archive_fmt fmt = {archive_read_support_format_cpio, NULL, cpio_extent};

static int cpio_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	return jcs_fw_archive_unpack(w, &fmt, p, len, used, err);
}

const struct jcs_fw_unpacker jcs_fw_unpack_cpio = {
	.name = "cpio",
	.sigs = {{"070701", 6, 0}, {"070702", 6, 0}, {"070707", 6, 0}, {"\xc7\x71", 2, 0}},
	.unpack = cpio_unpack,
};
