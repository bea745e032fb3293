/* ext2/ext3/ext4 (our reader): superblock, group descriptors (32/64-bit), inodes with block
 * maps (direct/indirect) or extent trees, linear directory blocks (htree directories read
 * linearly too). Journal replay is not done: the image is read as last checkpointed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cur.h"
#include "firmware/unpack/unpack.h"

#define E_DEPTH_MAX 64
#define E_EXTENT_DEPTH_MAX 5
#define E_DIR_MAX (16u << 20)
#define EXT4_EXTENTS_FL 0x80000u
#define EXT4_INLINE_DATA_FL 0x10000000u
#define INCOMPAT_64BIT 0x80u

struct ext {
	struct jcs_fw_walk *w;
	const uint8_t *p;
	size_t len;
	uint32_t bs, ipg, isize, ninodes, ngroups, desc_size;
	uint64_t nblocks, gdt;
	uint32_t stack[E_DEPTH_MAX];
	int depth;
	char path[4096];
};

struct einode {
	uint16_t mode;
	uint32_t uid, gid, flags;
	uint64_t size;
	uint8_t block[60];
};

static bool read_inode(const struct ext *e, uint32_t ino, struct einode *in)
{
	uint32_t g, idx;
	uint64_t table, off;
	struct jcs_cur c;

	if (ino == 0 || ino > e->ninodes)
		return false;
	g = (ino - 1) / e->ipg;
	idx = (ino - 1) % e->ipg;
	c = jcs_cur_make(e->p, e->len);
	if (!jcs_cur_seek(&c, (size_t)(e->gdt + (uint64_t)g * e->desc_size + 8)))
		return false;
	table = jcs_cur_u32le(&c);
	if (e->desc_size >= 64) {
		jcs_cur_seek(&c, (size_t)(e->gdt + (uint64_t)g * e->desc_size + 0x28));
		table |= (uint64_t)jcs_cur_u32le(&c) << 32;
	}
	off = table * e->bs + (uint64_t)idx * e->isize;
	if (c.bad || table >= e->nblocks || off + 128 > e->len)
		return false;
	c = jcs_cur_make(e->p + off, 128);
	in->mode = jcs_cur_u16le(&c);
	in->uid = jcs_cur_u16le(&c);
	in->size = jcs_cur_u32le(&c);
	jcs_cur_seek(&c, 24);
	in->gid = jcs_cur_u16le(&c);
	jcs_cur_seek(&c, 32);
	in->flags = jcs_cur_u32le(&c);
	jcs_cur_seek(&c, 40);
	memcpy(in->block, jcs_cur_take(&c, 60), 60);
	jcs_cur_seek(&c, 108);
	in->size |= (uint64_t)jcs_cur_u32le(&c) << 32;
	jcs_cur_seek(&c, 120);
	in->uid |= (uint32_t)jcs_cur_u16le(&c) << 16;
	in->gid |= (uint32_t)jcs_cur_u16le(&c) << 16;
	return !c.bad;
}

/* Copy physical block phys into out (want bytes); false when outside the image. */
static bool copy_block(const struct ext *e, uint64_t phys, uint8_t *out, size_t want)
{
	if (phys == 0) {
		memset(out, 0, want);
		return true;
	}
	if (phys >= e->nblocks || (phys + 1) * e->bs > e->len)
		return false;
	memcpy(out, e->p + phys * e->bs, want);
	return true;
}

struct fill {
	uint8_t *buf;
	uint64_t size;
	bool bad;
};

static void put(const struct ext *e, struct fill *f, uint64_t lblk, uint64_t phys)
{
	uint64_t at = lblk * e->bs;
	if (at >= f->size)
		return;
	if (!copy_block(e, phys, f->buf + at, (size_t)(f->size - at < e->bs ? f->size - at : e->bs)))
		f->bad = true;
}

static void walk_extents(const struct ext *e, const uint8_t *node, size_t nlen, int depth, struct fill *f)
{
	struct jcs_cur c = jcs_cur_make(node, nlen);
	uint16_t magic = jcs_cur_u16le(&c), n = jcs_cur_u16le(&c), tree_depth;

	jcs_cur_skip(&c, 2);
	tree_depth = jcs_cur_u16le(&c);
	jcs_cur_skip(&c, 4);
	if (c.bad || magic != 0xf30a || depth > E_EXTENT_DEPTH_MAX || tree_depth > E_EXTENT_DEPTH_MAX) {
		f->bad = true;
		return;
	}
	for (uint16_t i = 0; i < n && !f->bad; i++) {
		uint32_t lblk = jcs_cur_u32le(&c);
		if (tree_depth == 0) {
			uint16_t elen = jcs_cur_u16le(&c), hi = jcs_cur_u16le(&c);
			uint64_t start = (uint64_t)hi << 32 | jcs_cur_u32le(&c);
			bool uninit = elen > 32768;
			if (uninit)
				elen -= 32768;
			for (uint32_t k = 0; k < elen && !c.bad; k++) {
				if ((uint64_t)(lblk + k) * e->bs >= f->size)
					break;
				put(e, f, lblk + k, uninit ? 0 : start + k);
			}
		} else {
			uint64_t leaf = jcs_cur_u32le(&c);
			leaf |= (uint64_t)jcs_cur_u16le(&c) << 32;
			jcs_cur_skip(&c, 2);
			if (c.bad || leaf >= e->nblocks || (leaf + 1) * e->bs > e->len) {
				f->bad = true;
				return;
			}
			walk_extents(e, e->p + leaf * e->bs, e->bs, depth + 1, f);
		}
	}
	if (c.bad)
		f->bad = true;
}

/* Indirect block map: level 0 = data block. Returns the next logical block. */
static uint64_t walk_map(const struct ext *e, uint64_t blk, int level, uint64_t lblk, struct fill *f)
{
	uint64_t per = e->bs / 4, span = 1;

	for (int i = 0; i < level; i++)
		span *= per;
	if (lblk * e->bs >= f->size)
		return lblk;
	if (level == 0) {
		put(e, f, lblk, blk);
		return lblk + 1;
	}
	if (blk == 0)
		return lblk + span; /* sparse: zeros (buffer is zeroed) */
	if (blk >= e->nblocks || (blk + 1) * e->bs > e->len) {
		f->bad = true;
		return lblk + span;
	}
	for (uint64_t i = 0; i < per && !f->bad && lblk * e->bs < f->size; i++) {
		const uint8_t *q = e->p + blk * e->bs + 4 * i;
		lblk = walk_map(e, (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24,
				level - 1, lblk, f);
	}
	return lblk;
}

/* Read an inode's contents into a new buffer (caller frees). */
static uint8_t *read_data(const struct ext *e, const struct einode *in, uint64_t size, const char **why)
{
	struct fill f = {calloc(1, size ? size : 1), size, false};

	if (!f.buf) {
		*why = "out of memory";
		return NULL;
	}
	if (in->flags & EXT4_INLINE_DATA_FL) {
		if (size > 60) {
			*why = "inline data beyond i_block (extended attribute part) not supported";
			free(f.buf);
			return NULL;
		}
		memcpy(f.buf, in->block, size);
	} else if (in->flags & EXT4_EXTENTS_FL) {
		walk_extents(e, in->block, 60, 0, &f);
	} else {
		uint64_t l = 0;
		for (int i = 0; i < 12; i++)
			l = walk_map(e, (uint32_t)in->block[4 * i] | (uint32_t)in->block[4 * i + 1] << 8 |
						(uint32_t)in->block[4 * i + 2] << 16 | (uint32_t)in->block[4 * i + 3] << 24,
				     0, l, &f);
		for (int lv = 1; lv <= 3; lv++) {
			const uint8_t *q = in->block + 4 * (11 + lv);
			l = walk_map(e, (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24,
				     lv, l, &f);
		}
	}
	if (f.bad) {
		*why = "block map or extent tree points outside the filesystem";
		free(f.buf);
		return NULL;
	}
	return f.buf;
}

static int walk_dir(struct ext *e, uint32_t ino, const struct einode *dir);

static int emit(struct ext *e, uint32_t ino)
{
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(e->w);
	struct einode in;
	struct jcs_fw_file f = {.path = e->path};
	uint8_t *buf = NULL;
	char target[61];
	const char *why = NULL;
	int rc;

	if (!read_inode(e, ino, &in)) {
		jcs_fw_problem(e->w, 0, "%.300s: inode %u outside the filesystem", e->path, ino);
		return 0;
	}
	f.mode = in.mode & 07777;
	f.uid = in.uid;
	f.gid = in.gid;
	f.size = in.size;
	switch (in.mode & 0170000) {
	case 0040000: f.type = JCS_FW_DIR; f.size = 0; break;
	case 0100000:
		f.type = JCS_FW_FILE;
		if (in.size > lim->max_file_in_memory) {
			jcs_fw_problem(e->w, 0, "file %.300s (%llu bytes) larger than the in-memory cap: not analysed",
				       e->path, (unsigned long long)in.size);
			break;
		}
		buf = read_data(e, &in, in.size, &why);
		if (!buf) {
			jcs_fw_problem(e->w, 0, "file %.300s: %s", e->path, why);
			return 0;
		}
		f.data = buf;
		f.len = (size_t)in.size;
		break;
	case 0120000:
		f.type = JCS_FW_SYMLINK;
		if (in.size < 60 && !(in.flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL))) { /* fast symlink */
			memcpy(target, in.block, (size_t)in.size);
			target[in.size] = 0;
			f.link = target;
		} else if (in.size < 4096 && (buf = read_data(e, &in, in.size + 1, &why))) {
			buf[in.size] = 0;
			f.link = (const char *)buf;
		} else {
			f.link = "";
		}
		break;
	case 0020000: case 0060000: f.type = JCS_FW_DEVICE; f.size = 0; break;
	default: f.type = JCS_FW_OTHER; f.size = 0; break;
	}
	rc = jcs_fw_emit(e->w, &f, JCS_FW_EMIT_LEAF);
	free(buf);
	if (rc == 0 && f.type == JCS_FW_DIR)
		rc = walk_dir(e, ino, &in);
	return rc;
}

static int walk_dir(struct ext *e, uint32_t ino, const struct einode *dir)
{
	size_t base = strlen(e->path);
	const char *why = NULL;
	uint8_t *d;
	int rc = 0;

	for (int i = 0; i < e->depth; i++)
		if (e->stack[i] == ino) {
			jcs_fw_problem(e->w, 0, "directory loop at %.300s (inode %u)", e->path, ino);
			return 0;
		}
	if (e->depth >= E_DEPTH_MAX) {
		jcs_fw_problem(e->w, 0, "directory %.300s nested too deep: not descended", e->path);
		return 0;
	}
	if (dir->size > E_DIR_MAX) {
		jcs_fw_problem(e->w, 0, "directory %.300s over %u bytes: not read", e->path, E_DIR_MAX);
		return 0;
	}
	if (!(d = read_data(e, dir, dir->size, &why))) {
		jcs_fw_problem(e->w, 0, "directory %.300s: %s", e->path, why);
		return 0;
	}
	e->stack[e->depth++] = ino;
	for (size_t off = 0; off + 8 <= dir->size && rc == 0;) {
		struct jcs_cur c = jcs_cur_make(d + off, (size_t)dir->size - off);
		uint32_t child = jcs_cur_u32le(&c);
		uint16_t rec = jcs_cur_u16le(&c);
		uint8_t nlen = jcs_cur_u8(&c);
		const uint8_t *name;
		jcs_cur_skip(&c, 1);
		name = jcs_cur_take(&c, nlen);
		if (rec < 8 || rec % 4 || rec > dir->size - off || !name || (size_t)8 + nlen > rec) {
			jcs_fw_problem(e->w, 0, "directory %.300s: corrupt entry at offset %zu", e->path, off);
			break;
		}
		off += rec;
		if (child == 0 || (nlen == 1 && name[0] == '.') || (nlen == 2 && name[0] == '.' && name[1] == '.'))
			continue;
		snprintf(e->path + base, sizeof(e->path) - base, "/%.*s", (int)nlen, (const char *)name);
		rc = emit(e, child);
		e->path[base] = 0;
	}
	e->depth--;
	free(d);
	return rc;
}

static int ext_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct jcs_cur c = jcs_cur_make(p, len);
	struct ext e = {.w = w, .p = p};
	uint32_t first_data, log_bs, bpg, rev, incompat;
	struct einode root;

	jcs_cur_seek(&c, 1024);
	e.ninodes = jcs_cur_u32le(&c);
	e.nblocks = jcs_cur_u32le(&c);
	jcs_cur_seek(&c, 1024 + 20);
	first_data = jcs_cur_u32le(&c);
	log_bs = jcs_cur_u32le(&c);
	jcs_cur_skip(&c, 4);
	bpg = jcs_cur_u32le(&c);
	jcs_cur_skip(&c, 4);
	e.ipg = jcs_cur_u32le(&c);
	jcs_cur_seek(&c, 1024 + 76);
	rev = jcs_cur_u32le(&c);
	jcs_cur_seek(&c, 1024 + 88);
	e.isize = jcs_cur_u16le(&c);
	jcs_cur_seek(&c, 1024 + 96);
	incompat = jcs_cur_u32le(&c);
	jcs_cur_seek(&c, 1024 + 254);
	e.desc_size = jcs_cur_u16le(&c);
	jcs_cur_seek(&c, 1024 + 0x150);
	if (incompat & INCOMPAT_64BIT)
		e.nblocks |= (uint64_t)jcs_cur_u32le(&c) << 32;
	if (c.bad || log_bs > 6 || bpg == 0 || e.ipg == 0 || rev > 1 || e.nblocks == 0 || e.ninodes == 0 ||
	    first_data > 1)
		return JCS_ENOTFOUND;
	if (rev == 0)
		e.isize = 128;
	if (e.isize < 128 || (e.isize & (e.isize - 1)))
		return JCS_ENOTFOUND;
	e.bs = 1024u << log_bs;
	e.desc_size = (incompat & INCOMPAT_64BIT) && e.desc_size >= 64 ? e.desc_size : 32;
	e.ngroups = (uint32_t)((e.nblocks - first_data + bpg - 1) / bpg);
	if ((uint64_t)e.ngroups * e.ipg < e.ninodes)
		return JCS_ENOTFOUND;
	if (e.nblocks * e.bs > len) {
		*used = len;
		jcs_fw_problem(w, 0, "ext filesystem truncated: %llu bytes declared, %zu present",
			       (unsigned long long)(e.nblocks * e.bs), len);
	} else {
		*used = (size_t)(e.nblocks * e.bs);
	}
	e.len = *used;
	e.gdt = (uint64_t)(first_data + 1) * e.bs;
	if (!read_inode(&e, 2, &root) || (root.mode & 0170000) != 0040000)
		return jcs_err_set(err, JCS_EPARSE, "ext root directory inode unreadable");
	return walk_dir(&e, 2, &root);
}

const struct jcs_fw_unpacker jcs_fw_unpack_ext = {
	.name = "ext",
	.sigs = {{"\x53\xef", 2, 1080}},
	.unpack = ext_unpack,
};
