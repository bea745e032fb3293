/* 7-Zip via libarchive; extent from the start header (next-header offset + size). */
#include "core/ckd.h"
#include "core/cur.h"
#include "firmware/unpack/archive.h"

static size_t sevenzip_extent(const uint8_t *p, size_t len, int64_t last, int64_t size)
{
	struct jcs_cur c = jcs_cur_make(p, len);
	uint64_t off, n, end;

	(void)last;
	(void)size;
	jcs_cur_skip(&c, 12);
	off = jcs_cur_u64le(&c);
	n = jcs_cur_u64le(&c);
	if (c.bad || jcs_add_overflow(off, n, &end) || jcs_add_overflow(end, 32, &end) || end > len)
		return 0;
	return (size_t)end; /* the 32-byte start header, the packed streams, the header */
}

static const struct jcs_fw_archive_fmt fmt = {archive_read_support_format_7zip, NULL, sevenzip_extent};

static int sevenzip_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	return jcs_fw_archive_unpack(w, &fmt, p, len, used, err);
}

const struct jcs_fw_unpacker jcs_fw_unpack_sevenzip = {
	.name = "7z",
	.sigs = {{"7z\xbc\xaf\x27\x1c", 6, 0}},
	.unpack = sevenzip_unpack,
};
