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

/* n ASCII digits in base 8 or 16; *ok cleared on anything else (libarchive trusts them). */
static uint64_t field(struct jcs_cur *c, int n, int base, bool *ok)
{
	const uint8_t *p = jcs_cur_take(c, (size_t)n);
	uint64_t v = 0;

	if (!p) {
		*ok = false;
		return 0;
	}
	for (int i = 0; i < n; i++) {
		int d = p[i] >= '0' && p[i] <= '9' ? p[i] - '0'
			: base == 16 && p[i] >= 'a' && p[i] <= 'f' ? p[i] - 'a' + 10
			: base == 16 && p[i] >= 'A' && p[i] <= 'F' ? p[i] - 'A' + 10 : -1;
		if (d < 0 || d >= base)
			*ok = false;
		v = v * (uint64_t)base + (uint64_t)(d < 0 ? 0 : d);
	}
	return v;
}

struct entry {
	uint32_t mode;
	uint64_t filesize;
	const uint8_t *name;
	size_t namesize; /* with its NUL */
	size_t align;    /* header + name, and data, are padded to this (from the archive start) */
};

/* Read the header at c (newc/crc, odc, old binary in either byte order) and its name,
 * advancing c (the padding after the name is the caller's): 1, 0 when no cpio magic is there
 * (c unmoved), -1 when it is malformed or runs past the end. Every field of the ASCII
 * headers must be a number. */
static int header(struct jcs_cur *c, struct entry *e)
{
	struct jcs_cur m = *c;
	const uint8_t *magic = jcs_cur_take(&m, 2);
	bool ok = true;

	if (!magic)
		return 0;
	if (magic[0] == '0' && magic[1] == '7') {
		const uint8_t *rest = jcs_cur_take(&m, 4);
		if (!rest || memcmp(rest, "070", 3) || rest[3] < '1' || (rest[3] > '2' && rest[3] != '7'))
			return 0;
		if (rest[3] == '7') { /* odc: dev ino mode uid gid nlink rdev mtime namesize filesize, octal */
			static const uint8_t width[] = {6, 6, 6, 6, 6, 6, 6, 11, 6, 11};
			uint64_t v[10];
			for (int i = 0; i < 10; i++)
				v[i] = field(&m, width[i], 8, &ok);
			e->mode = (uint32_t)v[2];
			e->namesize = (size_t)v[8];
			e->filesize = v[9];
			e->align = 1;
		} else { /* newc/crc: ino mode uid gid nlink mtime filesize devmaj devmin rdevmaj rdevmin namesize check */
			uint64_t v[13];
			for (int i = 0; i < 13; i++)
				v[i] = field(&m, 8, 16, &ok);
			e->mode = (uint32_t)v[1];
			e->filesize = v[6];
			e->namesize = (size_t)v[11];
			e->align = 4;
		}
	} else if ((magic[0] == 0xc7 && magic[1] == 0x71) || (magic[0] == 0x71 && magic[1] == 0xc7)) {
		bool be = magic[0] == 0x71;
		uint16_t hi;
		jcs_cur_skip(&m, 4); /* dev, ino */
		e->mode = jcs_cur_u16e(&m, be);
		jcs_cur_skip(&m, 12); /* uid, gid, nlink, rdev, mtime */
		e->namesize = jcs_cur_u16e(&m, be);
		hi = jcs_cur_u16e(&m, be); /* the 32-bit size is stored high half first */
		e->filesize = (uint64_t)hi << 16 | jcs_cur_u16e(&m, be);
		e->align = 2;
	} else {
		return 0;
	}
	e->name = jcs_cur_take(&m, e->namesize);
	if (!ok || !e->name)
		return -1;
	*c = m;
	return 1;
}

static bool plausible(const uint8_t *p, size_t len)
{
	struct jcs_cur c = jcs_cur_make(p, len);
	struct entry e;

	return header(&c, &e) == 1 && plausible_mode(e.mode) && plausible_name(e.name, e.namesize);
}

/* Walk every header up to the trailer: each entry must fit in the bytes left. Returns the
 * extent of the verified entries (0: a bad one); libarchive is given only that much, so it
 * never sizes a buffer (names, symlink bodies) from a length the image does not hold, nor
 * resynchronises on a magic in the bytes that follow. */
static size_t entries_fit(const uint8_t *p, size_t len)
{
	struct jcs_cur c = jcs_cur_make(p, len);

	for (int n = 0; n < 1000000 && jcs_cur_left(&c); n++) {
		struct entry e;
		int r = header(&c, &e);
		if (r == 0)
			return c.off; /* data after the last entry: not ours */
		if (r < 0 || !jcs_cur_align(&c, e.align) || e.filesize > jcs_cur_left(&c) ||
		    !jcs_cur_skip(&c, (size_t)e.filesize) || !jcs_cur_align(&c, e.align))
			return 0;
		if (e.namesize >= 11 && !memcmp(e.name, "TRAILER!!!", 11))
			return c.off;
	}
	return c.off;
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
