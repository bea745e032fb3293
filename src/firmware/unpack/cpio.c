/* cpio (newc, crc, odc, old binary LE/BE) via libarchive: initramfs images. The first
 * header is checked here first (the binary magic is only two bytes long). */
#include <string.h>

#include "core/cur.h"
#include "firmware/unpack/archive.h"

static bool plausible_name(const uint8_t *n, size_t size)
{
	if (size == 0 || size > 4096 || n[size - 1] != 0)
		return false;
	for (size_t i = 0; i + 1 < size; i++)
		if (n[i] < 0x20 || n[i] == 0x7f)
			return false;
	return true;
}

static bool plausible_mode(uint32_t mode)
{
	switch (mode & 0170000) {
	case 0010000: case 0020000: case 0040000: case 0060000: case 0100000: case 0120000: case 0140000:
		return true;
	default:
		return mode == 0; /* the trailer */
	}
}

static unsigned long field(const uint8_t *p, int n, int base, bool *ok)
{
	unsigned long v = 0;

	for (int i = 0; i < n; i++) {
		int d = p[i] >= '0' && p[i] <= '9' ? p[i] - '0'
			: base == 16 && p[i] >= 'a' && p[i] <= 'f' ? p[i] - 'a' + 10
			: base == 16 && p[i] >= 'A' && p[i] <= 'F' ? p[i] - 'A' + 10 : -1;
		if (d < 0 || d >= base)
			*ok = false;
		v = v * (unsigned long)base + (unsigned long)(d < 0 ? 0 : d);
	}
	return v;
}

static bool plausible(const uint8_t *p, size_t len)
{
	bool ok = true;

	if (p[0] == '0') {
		if (p[5] == '7') { /* odc: 76-byte octal header */
			unsigned long mode, namesize;
			if (len < 76)
				return false;
			mode = field(p + 18, 6, 8, &ok);
			namesize = field(p + 59, 6, 8, &ok);
			return ok && plausible_mode((uint32_t)mode) && namesize <= len - 76 && plausible_name(p + 76, namesize);
		}
		{ /* newc / crc: 110-byte hex header */
			unsigned long mode, namesize;
			if (len < 110)
				return false;
			mode = field(p + 14, 8, 16, &ok);
			namesize = field(p + 94, 8, 16, &ok);
			return ok && plausible_mode((uint32_t)mode) && namesize <= len - 110 &&
			       plausible_name(p + 110, namesize);
		}
	}
	{ /* old binary, either byte order: 26-byte header */
		struct jcs_cur c = jcs_cur_make(p, len);
		bool le = p[0] == 0xc7;
		uint16_t mode, namesize;
		jcs_cur_skip(&c, 6);
		mode = le ? jcs_cur_u16le(&c) : jcs_cur_u16be(&c);
		jcs_cur_skip(&c, 12);
		namesize = le ? jcs_cur_u16le(&c) : jcs_cur_u16be(&c);
		jcs_cur_skip(&c, 4);
		return !c.bad && plausible_mode(mode) && namesize <= jcs_cur_left(&c) &&
		       plausible_name(p + 26, namesize);
	}
}

static size_t cpio_extent(const uint8_t *p, size_t len, int64_t last, int64_t size)
{
	(void)p;
	(void)len;
	(void)size;
	return last < 0 ? 0 : (size_t)last + 1; /* the rest is scanned again (the trailer is harmless) */
}

static const struct jcs_fw_archive_fmt fmt = {archive_read_support_format_cpio, NULL, cpio_extent};

static int cpio_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	if (!plausible(p, len))
		return JCS_ENOTFOUND;
	return jcs_fw_archive_unpack(w, &fmt, p, len, used, err);
}

const struct jcs_fw_unpacker jcs_fw_unpack_cpio = {
	.name = "cpio",
	.sigs = {{"070701", 6, 0}, {"070702", 6, 0}, {"070707", 6, 0}, {"\xc7\x71", 2, 0}},
	.unpack = cpio_unpack,
};
