/* ext2/ext3/ext4 (our reader): superblock, group descriptors (32/64-bit), inodes with block
 * maps (direct/indirect) or extent trees, linear directory blocks (htree directories read
 * linearly too). Journal replay is not done: the image is read as last checkpointed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ckd.h"
#include "core/cur.h"
#include "firmware/unpack/unpack.h"

#define E_DEPTH_MAX 64
#define E_EXTENT_DEPTH_MAX 5
#define E_INDEX_MAX 4096 /* index blocks of one file's extent tree */
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
	uint64_t have; /* blocks present in the image (len / bs): every block number is checked against it */
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
	if (c.bad || table >= e->have)
		return false;
	off = table * e->bs + (uint64_t)idx * e->isize; /* < 2^64: table * bs <= len, idx * isize < 2^48 */
	c = jcs_cur_at(&c, off, 128);
	if (c.bad)
		return false;
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

/* A cursor over block phys of the image, bad when it lies outside (checked against the
 * block count first, so phys * bs cannot wrap). */
static struct jcs_cur block_at(const struct ext *e, uint64_t phys)
{
	struct jcs_cur img = jcs_cur_make(e->p, e->len);

	return jcs_cur_at(&img, phys < e->have ? phys * e->bs : UINT64_MAX, e->bs);
}

struct fill {
	uint8_t *buf;
	uint64_t size;
	bool bad;
	int rc;                      /* JCS_ELIMIT: work budget spent */
	uint64_t seen[E_INDEX_MAX]; /* extent index blocks visited (a block is never shared) */
	size_t nseen;
};

static bool charge(const struct ext *e, struct fill *f, uint64_t n)
{
	if (!f->rc && (f->rc = jcs_fw_charge(e->w, n)))
		f->bad = true;
	return !f->rc;
}

/* Copy physical block phys (0 = sparse: zeros) to logical block lblk. */
static void put(const struct ext *e, struct fill *f, uint64_t lblk, uint64_t phys)
{
	uint64_t at = lblk * e->bs; /* lblk < 2^44 (extents: 2^33), bs <= 2^16 */
	struct jcs_cur src = block_at(e, phys);
	size_t want;

	if (at >= f->size || !charge(e, f, 1))
		return;
	want = (size_t)(f->size - at < e->bs ? f->size - at : e->bs);
	if (phys == 0)
		memset(f->buf + at, 0, want);
	else if (!src.bad)
		memcpy(f->buf + at, jcs_cur_take(&src, want), want);
	else
		f->bad = true;
}

/* Record extent index block blk as visited: false when seen before (a loop or shared subtree,
 * which a real extent tree never has) or when the tree has too many index blocks. */
static bool first_visit(struct fill *f, uint64_t blk)
{
	for (size_t i = 0; i < f->nseen; i++)
		if (f->seen[i] == blk)
			return false;
	if (f->nseen == E_INDEX_MAX)
		return false;
	f->seen[f->nseen++] = blk;
	return true;
}

static void walk_extents(const struct ext *e, struct jcs_cur c, int depth, struct fill *f)
{
	uint16_t magic = jcs_cur_u16le(&c), n = jcs_cur_u16le(&c), tree_depth;

	jcs_cur_skip(&c, 2);
	tree_depth = jcs_cur_u16le(&c);
	jcs_cur_skip(&c, 4);
	if (c.bad || magic != 0xf30a || depth > E_EXTENT_DEPTH_MAX || tree_depth > E_EXTENT_DEPTH_MAX ||
	    !charge(e, f, 1)) {
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
			for (uint32_t k = 0; k < elen && !c.bad && !f->bad; k++) {
				if (((uint64_t)lblk + k) * e->bs >= f->size)
					break;
				put(e, f, (uint64_t)lblk + k, uninit ? 0 : start + k);
			}
		} else {
			uint64_t leaf = jcs_cur_u32le(&c);
			leaf |= (uint64_t)jcs_cur_u16le(&c) << 32;
			jcs_cur_skip(&c, 2);
			if (c.bad || block_at(e, leaf).bad || !first_visit(f, leaf)) {
				f->bad = true;
				return;
			}
			walk_extents(e, block_at(e, leaf), depth + 1, f);
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
	struct jcs_cur c = block_at(e, blk);

	if (c.bad || !charge(e, f, 1)) {
		f->bad = true;
		return lblk + span;
	}
	for (uint64_t i = 0; i < per && !f->bad && lblk * e->bs < f->size; i++)
		lblk = walk_map(e, jcs_cur_u32le(&c), level - 1, lblk, f);
	return lblk;
}

/* Read an inode's contents into a new buffer *out (caller frees). 0, JCS_ENOMEM, JCS_ELIMIT
 * (work budget: stops the unpacker) or JCS_EPARSE with *why. */
static int read_data(const struct ext *e, const struct einode *in, uint64_t size, uint8_t **out, const char **why)
{
	struct fill f = {.buf = calloc(1, size ? size : 1), .size = size};

	*out = NULL;
	*why = "out of memory";
	if (!f.buf)
		return JCS_ENOMEM;
	if (!charge(e, &f, jcs_fw_bytes_steps(size))) { /* the buffer is filled, zeros included */
		free(f.buf);
		return f.rc;
	}
	if (in->flags & EXT4_INLINE_DATA_FL) {
		if (size > 60) {
			*why = "inline data beyond i_block (extended attribute part) not supported";
			free(f.buf);
			return JCS_EPARSE;
		}
		memcpy(f.buf, in->block, size);
	} else if (in->flags & EXT4_EXTENTS_FL) {
		walk_extents(e, jcs_cur_make(in->block, sizeof(in->block)), 0, &f);
	} else {
		struct jcs_cur c = jcs_cur_make(in->block, sizeof(in->block));
		uint64_t l = 0;
		for (int i = 0; i < 15; i++) /* 12 direct blocks, then single, double, triple indirect */
			l = walk_map(e, jcs_cur_u32le(&c), i < 12 ? 0 : i - 11, l, &f);
	}
	if (f.bad) {
		*why = "block map or extent tree points outside the filesystem or revisits a block";
		free(f.buf);
		return f.rc ? f.rc : JCS_EPARSE;
	}
	*out = f.buf;
	return 0;
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
		if ((rc = read_data(e, &in, in.size, &buf, &why)) == JCS_EPARSE) {
			jcs_fw_problem(e->w, 0, "file %.300s: %s", e->path, why);
			return 0;
		}
		if (rc)
			return rc;
		f.data = buf;
		f.len = (size_t)in.size;
		break;
	case 0120000:
		f.type = JCS_FW_SYMLINK;
		if (in.size < 60 && !(in.flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL))) { /* fast symlink */
			memcpy(target, in.block, (size_t)in.size);
			target[in.size] = 0;
			f.link = target;
		} else if (in.size < 4096 && (rc = read_data(e, &in, in.size + 1, &buf, &why)) == 0) {
			buf[in.size] = 0;
			f.link = (const char *)buf;
		} else if (in.size < 4096 && rc != JCS_EPARSE) {
			return rc;
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
	if ((rc = read_data(e, dir, dir->size, &d, &why)) == JCS_EPARSE) {
		jcs_fw_problem(e->w, 0, "directory %.300s: %s", e->path, why);
		return 0;
	}
	if (rc)
		return rc;
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
	uint64_t ngroups, size;
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
	ngroups = (e.nblocks - first_data) / bpg + ((e.nblocks - first_data) % bpg != 0);
	if (ngroups > UINT32_MAX || ngroups * e.ipg < e.ninodes)
		return JCS_ENOTFOUND;
	e.ngroups = (uint32_t)ngroups;
	if (jcs_mul_overflow(e.nblocks, (uint64_t)e.bs, &size) || size > len) {
		*used = len;
		jcs_fw_problem(w, 0, "ext filesystem truncated: %llu blocks of %u bytes declared, %zu bytes present",
			       (unsigned long long)e.nblocks, e.bs, len);
	} else {
		*used = (size_t)size;
	}
	e.len = *used;
	e.have = e.len / e.bs;
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
