/* U-Boot legacy image (uImage): 64-byte big-endian header, CRC32 of header and data.
 * The data (kernel, ramdisk, firmware, multi-file) is reported and carved. */
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "core/cur.h"
#include "firmware/unpack/header.h"

static int uimage_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct jcs_cur img = jcs_cur_make(p, len), c = jcs_cur_sub(&img, 64), data;
	uint8_t hdr[64], name[33], type;
	uint32_t hcrc, size, dcrc;
	char path[64];

	if (c.bad)
		return JCS_ENOTFOUND;
	memcpy(hdr, c.p, 64);
	jcs_cur_skip(&c, 4);
	hcrc = jcs_cur_u32be(&c);
	jcs_cur_skip(&c, 4);
	size = jcs_cur_u32be(&c);
	jcs_cur_skip(&c, 8);
	dcrc = jcs_cur_u32be(&c);
	jcs_cur_skip(&c, 2);
	type = jcs_cur_u8(&c);
	jcs_cur_skip(&c, 1);
	memcpy(name, jcs_cur_take(&c, 32), 32); /* the last 32 of the 64 bytes: present */
	name[32] = 0;
	memset(hdr + 4, 0, 4);
	if (crc32(0, hdr, 64) != hcrc)
		return JCS_ENOTFOUND; /* the magic alone is not enough */
	*used = 64 + (size_t)(size > jcs_cur_left(&img) ? jcs_cur_left(&img) : size);
	data = jcs_cur_sub(&img, size);
	if (!data.bad && crc32(0, data.p, size) != dcrc)
		jcs_fw_problem(w, 64, "uImage data CRC mismatch (image '%s' corrupt or modified)", (char *)name);
	for (char *q = (char *)name; *q; q++)
		if (*q == '/' || *q < 0x20 || *q > 0x7e)
			*q = '_';
	snprintf(path, sizeof(path), "/%s", name[0] ? (char *)name : type == 2 ? "kernel" : "data");
	(void)err;
	return jcs_fw_emit_part(w, path, p, len, 64, size);
}

const struct jcs_fw_unpacker jcs_fw_unpack_uimage = {
	.name = "uimage",
	.sigs = {{"\x27\x05\x19\x56", 4, 0}},
	.unpack = uimage_unpack,
};
