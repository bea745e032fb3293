/* bzip2 stream via libarchive's filter (raw format): one decompressed file. */
#include "core/cur.h"
#include "firmware/unpack/archive.h"

static const struct jcs_fw_archive_fmt fmt = {archive_read_support_format_empty, archive_read_support_filter_bzip2,
					      NULL};

static int bzip2_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct jcs_cur c = jcs_cur_make(p, len);
	uint8_t level;

	jcs_cur_skip(&c, 3);
	level = jcs_cur_u8(&c); /* block size, '1'..'9' */
	if (len < 10 || level < '1' || level > '9')
		return JCS_ENOTFOUND;
	return jcs_fw_archive_unpack(w, &fmt, p, len, used, err);
}

const struct jcs_fw_unpacker jcs_fw_unpack_bzip2 = {
	.name = "bzip2",
	.sigs = {{"BZh", 3, 0}},
	.unpack = bzip2_unpack,
};
