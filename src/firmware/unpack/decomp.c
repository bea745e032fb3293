/* One-shot block decompressors for filesystem readers (SquashFS, CramFS, JFFS2, UBIFS):
 * bounded output, never reads past inlen. */
#include <string.h>

#include <lz4.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <zlib.h>
#include <zstd.h>

#include "firmware/unpack/unpack.h"

static long zlib_raw(const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap, int wbits)
{
	z_stream z;
	long n;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, wbits) != Z_OK)
		return JCS_ENOMEM;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)(inlen > UINT32_MAX ? UINT32_MAX : inlen);
	z.next_out = out;
	z.avail_out = (uInt)(outcap > UINT32_MAX ? UINT32_MAX : outcap);
	rc = inflate(&z, Z_FINISH);
	n = (long)z.total_out;
	inflateEnd(&z);
	if (rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && z.avail_out == 0 && n > 0))
		return JCS_EPARSE;
	return n;
}

static long lzma_run(lzma_stream *s, const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap)
{
	lzma_ret r;
	long n;

	s->next_in = in;
	s->avail_in = inlen;
	s->next_out = out;
	s->avail_out = outcap;
	r = lzma_code(s, LZMA_FINISH);
	n = (long)(outcap - s->avail_out);
	lzma_end(s);
	if (r == LZMA_STREAM_END || (n > 0 && (r == LZMA_OK || r == LZMA_BUF_ERROR)))
		return n;
	return JCS_EPARSE;
}

long jcs_fw_decompress(enum jcs_fw_comp c, const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap)
{
	switch (c) {
	case JCS_FW_ZLIB:
		return zlib_raw(in, inlen, out, outcap, 15);
	case JCS_FW_DEFLATE:
		return zlib_raw(in, inlen, out, outcap, -15);
	case JCS_FW_LZMA_ALONE: {
		lzma_stream s = LZMA_STREAM_INIT;
		if (lzma_alone_decoder(&s, 256u << 20) != LZMA_OK)
			return JCS_ENOMEM;
		return lzma_run(&s, in, inlen, out, outcap);
	}
	case JCS_FW_LZMA_RAW: { /* 5-byte properties header (props, dict) then raw LZMA1 */
		lzma_stream s = LZMA_STREAM_INIT;
		lzma_options_lzma opt;
		lzma_filter f[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
		uint32_t dict;
		if (inlen < 5 || lzma_lzma_preset(&opt, 6))
			return JCS_EPARSE;
		if (in[0] >= 9 * 5 * 5)
			return JCS_EPARSE;
		opt.lc = in[0] % 9;
		opt.lp = (in[0] / 9) % 5;
		opt.pb = in[0] / 45;
		dict = (uint32_t)in[1] | (uint32_t)in[2] << 8 | (uint32_t)in[3] << 16 | (uint32_t)in[4] << 24;
		opt.dict_size = dict < 4096 ? 4096 : dict > (64u << 20) ? (64u << 20) : dict;
		if (lzma_raw_decoder(&s, f) != LZMA_OK)
			return JCS_EPARSE;
		return lzma_run(&s, in + 5, inlen - 5, out, outcap);
	}
	case JCS_FW_XZ: {
		lzma_stream s = LZMA_STREAM_INIT;
		if (lzma_stream_decoder(&s, 256u << 20, 0) != LZMA_OK)
			return JCS_ENOMEM;
		return lzma_run(&s, in, inlen, out, outcap);
	}
	case JCS_FW_LZO: {
		lzo_uint n = outcap;
		if (lzo1x_decompress_safe(in, inlen, out, &n, NULL) != LZO_E_OK)
			return JCS_EPARSE;
		return (long)n;
	}
	case JCS_FW_LZ4: {
		int n = LZ4_decompress_safe((const char *)in, (char *)out, inlen > INT32_MAX ? INT32_MAX : (int)inlen,
					    outcap > INT32_MAX ? INT32_MAX : (int)outcap);
		return n < 0 ? JCS_EPARSE : n;
	}
	case JCS_FW_ZSTD: {
		size_t n = ZSTD_decompress(out, outcap, in, inlen);
		return ZSTD_isError(n) ? JCS_EPARSE : (long)n;
	}
	}
	return JCS_EUNSUPPORTED;
}
