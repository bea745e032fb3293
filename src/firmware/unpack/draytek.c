/* DrayTek Vigor image: "2RDH" header (256 bytes), payload (SquashFS), trailer
 * "DrayTekImageMD5\n<hex>\n". The payload is reported and carved. */
#include <string.h>

#include "core/cur.h"
#include "firmware/unpack/header.h"

static int draytek_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct jcs_cur c = jcs_cur_make(p, len);
	const uint8_t *t;
	size_t end;

	if (!jcs_cur_skip(&c, 0x100)) /* the header */
		return JCS_ENOTFOUND;
	t = memmem(c.p + c.off, jcs_cur_left(&c), "DrayTekImageMD5\n", 16);
	end = t ? (size_t)(t - p) : len;
	if (!t)
		jcs_fw_problem(w, 0, "DrayTek trailer (DrayTekImageMD5) missing: image truncated?");
	*used = t ? (size_t)(t - p) + 16 + 33 > len ? len : (size_t)(t - p) + 16 + 33 : len;
	(void)err;
	return jcs_fw_emit_part(w, "/payload", p, len, 0x100, end - 0x100);
}

const struct jcs_fw_unpacker jcs_fw_unpack_draytek = {
	.name = "draytek",
	.sigs = {{"2RDH", 4, 0}},
	.unpack = draytek_unpack,
};
