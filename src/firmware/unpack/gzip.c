/* gzip stream (RFC 1952): decompressed with zlib into memory (capped), exact compressed
 * length known, the original name used as the file name. */
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "core/cur.h"
#include "firmware/unpack/stream.h"

/* The stored original name (FNAME), or NULL. */
static void gzip_name(const uint8_t *p, size_t len, char *name, size_t cap)
{
	struct jcs_cur c = jcs_cur_make(p, len);
	uint8_t flg;

	name[0] = 0;
	jcs_cur_skip(&c, 3);
	flg = jcs_cur_u8(&c);
	jcs_cur_skip(&c, 6);
	if (flg & 4)
		jcs_cur_skip(&c, jcs_cur_u16le(&c));
	if (flg & 8) {
		size_t n = 0;
		uint8_t ch;
		while ((ch = jcs_cur_u8(&c)) != 0 && !c.bad) {
			if (n + 1 < cap && ch != '/')
				name[n++] = (char)ch;
		}
		name[n] = 0;
	}
}

static int gzip_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(w);
	struct jcs_fw_out o = {.max = lim->max_file_in_memory};
	char name[256];
	bool truncated = false;
	z_stream z;
	struct jcs_cur c = jcs_cur_make(p, len);
	int rc = 0, zr;

	jcs_cur_skip(&c, 3);
	if (jcs_cur_u8(&c) & 0xe0 || len < 18) /* reserved flag bits set: not gzip */
		return JCS_ENOTFOUND;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + 15) != Z_OK)
		return jcs_err_set(err, JCS_ENOMEM, "zlib init failed");
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
	do {
		if ((rc = jcs_fw_out_reserve(&o, 64 << 10, err)) < 0) {
			if (rc == JCS_ELIMIT && o.len > 0) { /* over the in-memory cap: keep what we have */
				truncated = true;
				rc = 0;
				break;
			}
			goto out;
		}
		z.next_out = o.data + o.len;
		z.avail_out = (uInt)(o.cap - o.len);
		zr = inflate(&z, Z_NO_FLUSH);
		o.len = o.cap - z.avail_out;
		if ((rc = jcs_fw_account(w, z.total_in, o.len, err)) < 0)
			goto out;
	} while (zr == Z_OK);
	if (!truncated && zr != Z_STREAM_END) {
		if (z.total_out == 0) { /* not even one byte: a false signature hit */
			rc = JCS_ENOTFOUND;
			goto out;
		}
		*used = z.total_in;
		rc = jcs_err_set(err, JCS_EPARSE, "corrupt or truncated gzip stream after %lu bytes: %s",
				 (unsigned long)z.total_in, z.msg ? z.msg : "unexpected end");
		goto out; /* the partial output is not reported: it is known corrupt */
	}
	*used = z.total_in;
	gzip_name(p, len, name, sizeof(name));
	rc = jcs_fw_stream_emit(w, "gzip", name, &o, truncated);
out:
	inflateEnd(&z);
	jcs_fw_out_free(&o);
	return rc;
}

const struct jcs_fw_unpacker jcs_fw_unpack_gzip = {
	.name = "gzip",
	.sigs = {{"\x1f\x8b\x08", 3, 0}},
	.unpack = gzip_unpack,
};
