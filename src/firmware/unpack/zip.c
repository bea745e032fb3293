/* zip via libarchive (streaming reader, so a zip embedded in an image works); the extent
 * comes from the end-of-central-directory record. */
#include <string.h>

#include "core/cur.h"
#include "firmware/unpack/archive.h"

static size_t zip_extent(const uint8_t *p, size_t len, int64_t last, int64_t size)
{
	const uint8_t *e = p + (last > 0 ? (size_t)last : 0);
	size_t left = len - (size_t)(e - p);

	(void)size;
	while (left >= 22) {
		const uint8_t *h = memmem(e, left, "PK\x05\x06", 4);
		struct jcs_cur c;
		if (!h)
			break;
		c = jcs_cur_make(h, len - (size_t)(h - p));
		jcs_cur_skip(&c, 20);
		{
			size_t clen = jcs_cur_u16le(&c);
			if (!c.bad && clen <= jcs_cur_left(&c))
				return (size_t)(h - p) + 22 + clen;
		}
		left -= (size_t)(h - e) + 4;
		e = h + 4;
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
