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

	if (len < 26) /* the smallest header (old binary) */
		return false;
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

/* Walk every header up to the trailer: each entry must fit in the bytes left. Returns the
 * extent of the verified entries (0: a bad one); libarchive is given only that much, so it
 * never sizes a buffer (names, symlink bodies) from a length the image does not hold, nor
 * resynchronises on a magic in the bytes that follow. */
static size_t entries_fit(const uint8_t *p, size_t len)
{
	size_t off = 0;

	for (int n = 0; n < 1000000 && off < len; n++) {
		const uint8_t *h = p + off;
		unsigned long namesize, filesize;
		size_t hl, need;
		bool ok = true;
		if (len - off >= 6 && !memcmp(h, "07070", 5) && (h[5] == '1' || h[5] == '2')) {
			if (len - off < 110)
				return 0;
			for (int i = 6; i < 110; i += 8) /* every field must be hex (libarchive trusts them) */
				field(h + i, 8, 16, &ok);
			filesize = field(h + 54, 8, 16, &ok);
			namesize = field(h + 94, 8, 16, &ok);
			hl = 110;
			need = ((hl + namesize + 3) & ~(size_t)3) + ((filesize + 3) & ~3ul);
		} else if (len - off >= 6 && !memcmp(h, "070707", 6)) {
			if (len - off < 76)
				return 0;
			for (int i = 6; i < 76; i++)
				field(h + i, 1, 8, &ok);
			namesize = field(h + 59, 6, 8, &ok);
			filesize = field(h + 65, 11, 8, &ok);
			hl = 76;
			need = hl + namesize + filesize;
		} else if (len - off >= 26 && ((h[0] == 0xc7 && h[1] == 0x71) || (h[0] == 0x71 && h[1] == 0xc7))) {
			bool le = h[0] == 0xc7;
			namesize = le ? (unsigned long)(h[20] | h[21] << 8) : (unsigned long)(h[20] << 8 | h[21]);
			filesize = le ? (unsigned long)(h[22] | h[23] << 8) << 16 | (unsigned long)(h[24] | h[25] << 8)
				      : (unsigned long)(h[22] << 8 | h[23]) << 16 | (unsigned long)(h[24] << 8 | h[25]);
			hl = 26;
			need = ((hl + namesize + 1) & ~(size_t)1) + ((filesize + 1) & ~1ul);
		} else {
			return off; /* data after the last entry: not ours */
		}
		if (!ok || namesize > len - off || filesize > len - off || need > len - off)
			return 0;
		off += need;
		if (namesize >= 11 && !memcmp(h + hl, "TRAILER!!!", 11))
			return off;
	}
	return off;
}

static size_t cpio_extent(const uint8_t *p, size_t len, int64_t last, int64_t size)
{
	(void)p;
	(void)size;
	(void)last;
	return len; /* the verified extent handed to libarchive */
}

static const struct jcs_fw_archive_fmt fmt = {archive_read_support_format_cpio, NULL, cpio_extent};

static int cpio_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	size_t extent;

	if (!plausible(p, len))
		return JCS_ENOTFOUND;
	extent = entries_fit(p, len);
	if (extent == 0)
		return jcs_err_set(err, JCS_EPARSE, "cpio entry larger than the bytes left in the image");
	return jcs_fw_archive_unpack(w, &fmt, p, extent, used, err);
}

const struct jcs_fw_unpacker jcs_fw_unpack_cpio = {
	.name = "cpio",
	.sigs = {{"070701", 6, 0}, {"070702", 6, 0}, {"070707", 6, 0}, {"\xc7\x71", 2, 0}},
	.unpack = cpio_unpack,
};
