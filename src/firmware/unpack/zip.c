/* zip via libarchive (streaming reader, so a zip embedded in an image works); the extent
 * comes from the end-of-central-directory record. */
#include <string.h>

#include "core/cur.h"
#include "firmware/unpack/archive.h"

/* The end of the end-of-central-directory record ("PK\5\6", 18 bytes, a comment of the
 * length it gives) first found after the last entry's header; 0 when there is none. */
static size_t zip_extent(const uint8_t *p, size_t len, int64_t last, int64_t size)
{
	struct jcs_cur c = jcs_cur_make(p, len);

	(void)size;
	if (!jcs_cur_seek(&c, last > 0 && (uint64_t)last <= len ? (size_t)last : 0))
		return 0;
	while (jcs_cur_left(&c) >= 22) {
		const uint8_t *h = memmem(c.p + c.off, jcs_cur_left(&c), "PK\x05\x06", 4);
		struct jcs_cur e;
		size_t clen;
		if (!h || !jcs_cur_seek(&c, (size_t)(h - p)))
			break;
		e = jcs_cur_at(&c, c.off, jcs_cur_left(&c));
		jcs_cur_skip(&e, 20);
		clen = jcs_cur_u16le(&e);
		if (jcs_cur_skip(&e, clen))
			return c.off + e.off;
		jcs_cur_skip(&c, 4);
	}
	return 0;
}

static int zip_enable(struct archive *a)
{
	return archive_read_support_format_zip_streamable(a);
}

static const struct jcs_fw_archive_fmt fmt = {zip_enable, NULL, zip_extent};

static int zip_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	return jcs_fw_archive_unpack(w, &fmt, p, len, used, err);
}

const struct jcs_fw_unpacker jcs_fw_unpack_zip = {
	.name = "zip",
	.sigs = {{"PK\x03\x04", 4, 0}},
	.unpack = zip_unpack,
};
