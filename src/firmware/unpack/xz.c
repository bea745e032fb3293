/* xz and legacy lzma ("LZMA alone", 13-byte header) streams via liblzma. */
#include <string.h>

#include <lzma.h>

#include "core/cur.h"
#include "firmware/unpack/stream.h"

/* Encoders write 2^n or 2^n + 2^(n-1) byte dictionaries. */
static bool lzma_dict_ok(uint32_t d)
{
	if (d < 4096 || d > (1u << 30))
		return false;
	if ((d & (d - 1)) == 0)
		return true;
	return __builtin_popcount(d) == 2 && (d & (d >> 1));
}

static int lzma_family(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err,
		       bool xz)
{
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(w);
	struct jcs_fw_out o = {.max = lim->max_file_in_memory};
	lzma_stream s = LZMA_STREAM_INIT;
	bool truncated = false;
	lzma_ret r = LZMA_OK;
	int rc = 0;

	if (!xz) { /* props byte, dictionary, size unknown or plausible, range coder starts with 0 */
		struct jcs_cur c = jcs_cur_make(p, len);
		uint8_t props = jcs_cur_u8(&c);
		uint32_t dict = jcs_cur_u32le(&c);
		uint64_t size = jcs_cur_u64le(&c);
		if (jcs_cur_u8(&c) != 0 || c.bad || props > 224 || !lzma_dict_ok(dict) ||
		    (size != UINT64_MAX && size > (4ULL << 30)))
			return JCS_ENOTFOUND;
	}
	if ((xz ? lzma_stream_decoder(&s, 256u << 20, 0)
		: lzma_alone_decoder(&s, 256u << 20)) != LZMA_OK)
		return jcs_err_set(err, JCS_ENOMEM, "liblzma init failed");
	s.next_in = p;
	s.avail_in = len;
	while (r == LZMA_OK) {
		if ((rc = jcs_fw_out_reserve(&o, 64 << 10, err)) < 0) {
			if (rc == JCS_ELIMIT && o.len > 0) {
				truncated = true;
				rc = 0;
				break;
			}
			goto out;
		}
		s.next_out = o.data + o.len;
		s.avail_out = o.cap - o.len;
		r = lzma_code(&s, LZMA_FINISH);
		o.len = o.cap - s.avail_out;
		if ((rc = jcs_fw_account(w, s.total_in, o.len, err)) < 0)
			goto out;
		if (r == LZMA_BUF_ERROR && s.avail_out > 0)
			break;
	}
	*used = s.total_in;
	if (!truncated && r != LZMA_STREAM_END) {
		if (!xz && o.len < 4096) { /* lzma has no real magic: a short failed decode is a false hit */
			rc = JCS_ENOTFOUND;
			goto out;
		}
		rc = jcs_err_set(err, JCS_EPARSE, "corrupt or truncated %s stream after %llu bytes (liblzma error %d)",
				 xz ? "xz" : "lzma", (unsigned long long)s.total_in, (int)r);
		goto out;
	}
	rc = jcs_fw_stream_emit(w, xz ? "xz" : "lzma", NULL, &o, truncated);
out:
	lzma_end(&s);
	jcs_fw_out_free(&o);
	return rc;
}

static int xz_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	return lzma_family(w, p, len, used, err, true);
}

static int lzma_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	return lzma_family(w, p, len, used, err, false);
}

const struct jcs_fw_unpacker jcs_fw_unpack_xz = {
	.name = "xz",
	.sigs = {{"\xfd" "7zXZ\x00", 6, 0}},
	.unpack = xz_unpack,
};

/* lzma alone: the common properties byte 0x5d and a power-of-two-ish dictionary */
const struct jcs_fw_unpacker jcs_fw_unpack_lzma = {
	.name = "lzma",
	.sigs = {{"\x5d\x00\x00", 3, 0}},
	.unpack = lzma_unpack,
};
