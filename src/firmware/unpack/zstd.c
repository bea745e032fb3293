/* zstd frames via libzstd's streaming decoder (exact compressed length). */
#include <zstd.h>

#include "firmware/unpack/stream.h"

static int zstd_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(w);
	struct jcs_fw_out o = {.max = lim->max_file_in_memory};
	ZSTD_DStream *d = ZSTD_createDStream();
	ZSTD_inBuffer in = {p, len, 0};
	bool truncated = false, done = false;
	int rc = 0;

	if (!d)
		return jcs_err_set(err, JCS_ENOMEM, "zstd init failed");
	ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 27);
	while (!done) {
		ZSTD_outBuffer out;
		size_t r;
		if ((rc = jcs_fw_out_reserve(&o, 128 << 10, err)) < 0) {
			if (rc == JCS_ELIMIT && o.len > 0) {
				truncated = true;
				rc = 0;
				break;
			}
			goto out;
		}
		out = (ZSTD_outBuffer){o.data, o.cap, o.len};
		r = ZSTD_decompressStream(d, &out, &in);
		o.len = out.pos;
		if (ZSTD_isError(r)) {
			*used = in.pos;
			rc = o.len ? jcs_err_set(err, JCS_EPARSE, "corrupt zstd frame: %s", ZSTD_getErrorName(r))
				   : JCS_ENOTFOUND;
			goto out;
		}
		if ((rc = jcs_fw_account(w, in.pos, o.len, err)) < 0)
			goto out;
		if (r == 0)
			done = true;
		else if (in.pos == in.size && out.pos < out.size) {
			*used = in.pos;
			rc = jcs_err_set(err, JCS_EPARSE, "truncated zstd frame");
			goto out;
		}
	}
	*used = in.pos;
	rc = jcs_fw_stream_emit(w, "zstd", NULL, &o, truncated);
out:
	ZSTD_freeDStream(d);
	jcs_fw_out_free(&o);
	return rc;
}

const struct jcs_fw_unpacker jcs_fw_unpack_zstd = {
	.name = "zstd",
	.sigs = {{"\x28\xb5\x2f\xfd", 4, 0}},
	.unpack = zstd_unpack,
};
