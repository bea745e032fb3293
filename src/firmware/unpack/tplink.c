/* TP-Link firmware header v1 (512 bytes, big-endian): kernel and rootfs offsets/lengths. */
#include "core/cur.h"
#include "firmware/unpack/header.h"

static int tplink_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct jcs_cur c = jcs_cur_make(p, len);
	uint32_t version, fw_len, k_off, k_len, r_off, r_len;
	int rc;

	version = jcs_cur_u32be(&c);
	jcs_cur_seek(&c, 0x7c);
	fw_len = jcs_cur_u32be(&c);
	k_off = jcs_cur_u32be(&c);
	k_len = jcs_cur_u32be(&c);
	r_off = jcs_cur_u32be(&c);
	r_len = jcs_cur_u32be(&c);
	if (c.bad || (version != 1 && version != 0x01000000) || k_off < 0x200)
		return JCS_ENOTFOUND;
	*used = fw_len && fw_len <= len ? fw_len : len;
	rc = jcs_fw_emit_part(w, "/kernel", p, len, k_off, k_len);
	if (rc == 0 && r_len)
		rc = jcs_fw_emit_part(w, "/rootfs", p, len, r_off, r_len);
	(void)err;
	return rc;
}

const struct jcs_fw_unpacker jcs_fw_unpack_tplink = {
	.name = "tplink",
	.sigs = {{"TP-LINK Technologies", 20, 4}},
	.unpack = tplink_unpack,
};
