/* Broadcom TRX v1/v2: "HDR0", length, CRC32 (from offset 12), flags/version, 3 or 4 partition
 * offsets (loader/kernel, rootfs, ...). */
#include <stdio.h>

#include <zlib.h>

#include "core/cur.h"
#include "firmware/unpack/header.h"

static int trx_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct jcs_cur c = jcs_cur_make(p, len);
	uint32_t total, crc, off[4] = {0};
	uint16_t version;
	int nparts, rc = 0;

	jcs_cur_skip(&c, 4);
	total = jcs_cur_u32le(&c);
	crc = jcs_cur_u32le(&c);
	jcs_cur_skip(&c, 2);
	version = jcs_cur_u16le(&c);
	nparts = version == 2 ? 4 : 3;
	for (int i = 0; i < nparts; i++)
		off[i] = jcs_cur_u32le(&c);
	if (c.bad || (version != 1 && version != 2) || total < 28 || off[0] > total)
		return JCS_ENOTFOUND;
	if (total > len) {
		*used = len;
		jcs_fw_problem(w, 0, "TRX truncated: %u bytes declared, %zu present", total, len);
		total = (uint32_t)len;
	} else {
		*used = total;
		struct jcs_cur body = jcs_cur_at(&c, 12, total - 12); /* 28 <= total <= len */
		if ((~crc32(0, body.p, (uInt)body.len) & 0xffffffffu) != crc)
			jcs_fw_problem(w, 8, "TRX CRC32 mismatch (image corrupt or modified)");
	}
	for (int i = 0; i < nparts && rc == 0; i++) {
		uint32_t end = total;
		char name[32];
		if (off[i] == 0 && i > 0)
			continue;
		for (int j = i + 1; j < nparts; j++)
			if (off[j] > off[i]) {
				end = off[j];
				break;
			}
		if (off[i] < 28 || off[i] >= end) {
			jcs_fw_problem(w, 16 + 4 * (uint64_t)i, "TRX partition %d offset 0x%x invalid", i, off[i]);
			continue;
		}
		snprintf(name, sizeof(name), "/partition%d", i);
		rc = jcs_fw_emit_part(w, name, p, total, off[i], end - off[i]);
	}
	(void)err;
	return rc;
}

const struct jcs_fw_unpacker jcs_fw_unpack_trx = {
	.name = "trx",
	.sigs = {{"HDR0", 4, 0}},
	.unpack = trx_unpack,
};
