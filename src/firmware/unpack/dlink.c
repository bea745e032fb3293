/* D-Link "MH01" container: the payload is AES-encrypted (OpenSSL "Salted__") with a
 * device-specific key jcstar does not have: reported as unsupported, never skipped. */
#include <string.h>

#include "core/cur.h"
#include "firmware/unpack/unpack.h"

static int dlink_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct jcs_cur c = jcs_cur_make(p, len);
	uint32_t hlen, plen;

	(void)w;
	jcs_cur_skip(&c, 4);
	hlen = jcs_cur_u32le(&c);
	plen = jcs_cur_u32le(&c);
	if (c.bad || hlen > len || plen > len)
		return JCS_ENOTFOUND;
	*used = len < (size_t)hlen + 16 + plen ? len : (size_t)hlen + 16 + plen;
	return jcs_err_set(err, JCS_EUNSUPPORTED, "D-Link MH01 image: payload encrypted (%s), key not available",
			   memmem(p, len < 256 ? len : 256, "Salted__", 8) ? "OpenSSL AES" : "unknown cipher");
}

const struct jcs_fw_unpacker jcs_fw_unpack_dlink = {
	.name = "dlink-mh01",
	.sigs = {{"MH01", 4, 0}},
	.unpack = dlink_unpack,
};
