/* CramFS (little-endian, v2 and v1): inodes of 12 bytes with packed fields, zlib blocks of
 * 4 KiB addressed by an end-pointer table. Big-endian images are reported unsupported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cur.h"
#include "firmware/unpack/unpack.h"

#define CR_BLOCK 4096
#define CR_DEPTH_MAX 64
#define CR_FLAG_EXT_PTRS 0x800

struct cr {
	struct jcs_fw_walk *w;
	const uint8_t *p;
	size_t len;
	uint32_t stack[CR_DEPTH_MAX];
	int depth;
	uint8_t *buf;
	char path[4096];
};

struct cr_inode {
	uint32_t mode, uid, size, gid, namelen, offset;
};

static struct cr_inode cr_inode(struct jcs_cur *c)
{
	uint32_t a = jcs_cur_u32le(c), b = jcs_cur_u32le(c), d = jcs_cur_u32le(c);
	struct cr_inode in = {a & 0xffff, a >> 16, b & 0xffffff, b >> 24, (d & 0x3f) * 4, (d >> 6) * 4};
	return in;
}

/* Decompress the file at in (size bytes) into s->buf; returns bytes or a negative code. */
static long cr_read(struct cr *s, const struct cr_inode *in, char *why, size_t whylen)
{
	uint32_t nblocks = (in->size + CR_BLOCK - 1) / CR_BLOCK;
	struct jcs_cur c = jcs_cur_make(s->p, s->len);
	size_t start = (size_t)in->offset + 4 * (size_t)nblocks, done = 0;

	if (!jcs_cur_seek(&c, in->offset) || start > s->len) {
		snprintf(why, whylen, "block table outside the image");
		return JCS_EPARSE;
	}
	for (uint32_t i = 0; i < nblocks; i++) {
		uint32_t end = jcs_cur_u32le(&c);
		size_t want = in->size - done > CR_BLOCK ? CR_BLOCK : in->size - done;
		long n;
		if (jcs_fw_charge(s->w, 1))
			return JCS_ELIMIT;
		if (c.bad || end < start || end > s->len) {
			snprintf(why, whylen, "block %u pointer 0x%x invalid", i, end);
			return JCS_EPARSE;
		}
		if (end == start) { /* a hole */
			memset(s->buf + done, 0, want);
			n = (long)want;
		} else {
			struct jcs_cur blk = jcs_cur_at(&c, start, end - start); /* start <= end <= len */
			n = blk.bad ? JCS_EPARSE : jcs_fw_decompress(JCS_FW_ZLIB, blk.p, blk.len, s->buf + done, want);
		}
		if (n != (long)want) {
			snprintf(why, whylen, "block %u does not decompress to %zu bytes", i, want);
			return JCS_EPARSE;
		}
		done += want;
		start = end;
	}
	return (long)done;
}

static int cr_dir(struct cr *s, uint32_t off, uint32_t size)
{
	struct jcs_cur c = jcs_cur_make(s->p, s->len);
	size_t base = strlen(s->path);
	int rc = 0;

	if (s->depth >= CR_DEPTH_MAX) {
		jcs_fw_problem(s->w, off, "directory %.300s nested too deep: not descended", s->path);
		return 0;
	}
	for (int i = 0; i < s->depth; i++)
		if (s->stack[i] == off) {
			jcs_fw_problem(s->w, off, "directory loop at %.300s", s->path);
			return 0;
		}
	if (!jcs_cur_seek(&c, off) || size > jcs_cur_left(&c)) {
		jcs_fw_problem(s->w, off, "directory %.300s outside the image", s->path);
		return 0;
	}
	s->stack[s->depth++] = off;
	c = jcs_cur_sub(&c, size);
	while (jcs_cur_left(&c) > 0 && rc == 0 && !jcs_fw_stopped(s->w)) {
		size_t at = off + c.off;
		struct cr_inode in = cr_inode(&c);
		const uint8_t *name = jcs_cur_take(&c, in.namelen);
		struct jcs_fw_file f = {.path = s->path, .mode = in.mode & 07777, .uid = in.uid, .gid = in.gid,
					.size = in.size};
		char why[200], *target = NULL;
		if (c.bad || in.namelen == 0) {
			jcs_fw_problem(s->w, at, "directory %.300s: truncated entry", s->path);
			break;
		}
		snprintf(s->path + base, sizeof(s->path) - base, "/%.*s", (int)strnlen((const char *)name, in.namelen),
			 (const char *)name);
		switch (in.mode & 0170000) {
		case 0040000: f.type = JCS_FW_DIR; f.size = 0; break;
		case 0100000:
		case 0120000: {
			long n = cr_read(s, &in, why, sizeof(why));
			if (n == JCS_ELIMIT) { /* work budget: the loop ends on rc */
				rc = JCS_ELIMIT;
				s->path[base] = 0;
				continue;
			}
			if (n < 0) {
				jcs_fw_problem(s->w, at, "%.300s: %s", s->path, why);
				s->path[base] = 0;
				continue;
			}
			if ((in.mode & 0170000) == 0100000) {
				f.type = JCS_FW_FILE;
				f.data = s->buf;
				f.len = (size_t)n;
			} else {
				target = strndup((const char *)s->buf, (size_t)n);
				f.type = JCS_FW_SYMLINK;
				f.link = target;
			}
			break;
		}
		case 0020000: case 0060000: f.type = JCS_FW_DEVICE; f.size = 0; break;
		default: f.type = JCS_FW_OTHER; f.size = 0; break;
		}
		rc = jcs_fw_emit(s->w, &f, JCS_FW_EMIT_LEAF);
		free(target);
		if (rc == 0 && f.type == JCS_FW_DIR && in.size)
			rc = cr_dir(s, in.offset, in.size);
		s->path[base] = 0;
	}
	s->depth--;
	return rc;
}

static int cramfs_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct jcs_cur c = jcs_cur_make(p, len);
	struct cr s = {.w = w, .p = p};
	uint32_t magic, size, flags;
	struct cr_inode root;
	int rc;

	magic = jcs_cur_u32le(&c);
	size = jcs_cur_u32le(&c);
	flags = jcs_cur_u32le(&c);
	jcs_cur_skip(&c, 4);
	{
		const uint8_t *sig = jcs_cur_take(&c, 16);
		if (!sig || memcmp(sig, "Compressed ROMFS", 16))
			return JCS_ENOTFOUND;
	}
	if (magic == 0x453dcd28) /* 28 cd 3d 45: the magic stored big-endian */
		return jcs_err_set(err, JCS_EUNSUPPORTED, "big-endian CramFS is not supported");
	jcs_cur_seek(&c, 64);
	root = cr_inode(&c);
	if (c.bad)
		return jcs_err_set(err, JCS_EPARSE, "CramFS superblock truncated");
	if (flags & CR_FLAG_EXT_PTRS)
		return jcs_err_set(err, JCS_EUNSUPPORTED, "CramFS extended block pointers (flags 0x%x)", flags);
	if (size > len || size < 76) {
		*used = len;
		if (size > len)
			jcs_fw_problem(w, 0, "CramFS truncated: %u bytes declared, %zu present", size, len);
		size = (uint32_t)len;
	}
	*used = size;
	s.len = size;
	s.buf = malloc(CR_BLOCK * 4096u > (16u << 20) ? (16u << 20) : CR_BLOCK * 4096u);
	if (!s.buf)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	rc = cr_dir(&s, root.offset, root.size);
	free(s.buf);
	return rc == JCS_ENOMEM ? jcs_err_set(err, rc, "out of memory") : rc;
}

const struct jcs_fw_unpacker jcs_fw_unpack_cramfs = {
	.name = "cramfs",
	.sigs = {{"\x45\x3d\xcd\x28", 4, 0}, {"\x28\xcd\x3d\x45", 4, 0}},
	.unpack = cramfs_unpack,
};
