/* SquashFS 2.x and 3.x, little- and big-endian, including the vendor LZMA variants
 * (raw LZMA1 or "LZMA alone" blocks instead of zlib) that Debian's unsquashfs rejects.
 * Our own reader: the on-disk structures are packed C bitfields, which a compiler lays out
 * from the least significant bit on little-endian machines and from the most significant bit
 * on big-endian ones, so every structure is read with one bit reader in the image's order.
 * The inode and directory tables are decompressed once (capped); files one at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ckd.h"
#include "core/cur.h"
#include "firmware/unpack/unpack.h"

#define SQ3_DEPTH_MAX 64
#define SQ3_META 8192
#define SQ3_TABLE_MAX (64u << 20)
#define SQ3_INVALID_FRAG 0xffffffffu

/* A bit reader over a window the cursor checked; sticky bad like the cursor. */
struct bits {
	struct jcs_cur c;
	uint64_t pos; /* in bits */
	bool be, bad;
};

/* The n bytes at off of base[0..len) (bad when not all inside). */
static struct bits bits_at(const uint8_t *base, size_t len, uint64_t off, uint64_t n, bool be)
{
	struct jcs_cur all = jcs_cur_make(base, len);
	struct bits b = {jcs_cur_at(&all, off, n), 0, be, false};

	b.bad = b.c.bad;
	return b;
}

static uint64_t bget(struct bits *b, unsigned n)
{
	const uint8_t *p = b->c.p;
	uint64_t v = 0;

	if (b->bad || n > 64 || b->pos + n > (uint64_t)b->c.len * 8) {
		b->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < n; i++, b->pos++) {
		unsigned bit = b->be ? (p[b->pos / 8] >> (7 - b->pos % 8)) & 1 : (p[b->pos / 8] >> (b->pos % 8)) & 1;
		if (b->be)
			v = v << 1 | bit;
		else
			v |= (uint64_t)bit << i;
	}
	return v;
}

/* The next n whole bytes (the reader must be at a byte boundary), or NULL and bad. */
static const uint8_t *bbytes(struct bits *b, size_t n)
{
	struct jcs_cur c = b->c;
	const uint8_t *p;

	if (b->bad || b->pos % 8 || !jcs_cur_seek(&c, (size_t)(b->pos / 8)) || !(p = jcs_cur_take(&c, n))) {
		b->bad = true;
		return NULL;
	}
	b->pos += 8 * (uint64_t)n;
	return p;
}

/* A decompressed metadata table and the map from each block's image offset to its start. */
struct table {
	uint8_t *data;
	size_t len;
	uint64_t *blk_img; /* image offset (relative to the table start) of block i */
	size_t *blk_pos;   /* its position in data */
	size_t nblk;
};

struct sq3 {
	struct jcs_fw_walk *w;
	const uint8_t *p;
	size_t len;
	bool be, v2, check;
	uint32_t block_size, nfrags;
	uint64_t frag_start, uid_start, guid_start;
	unsigned nuids, nguids;
	struct table inodes, dirs;
	uint8_t *buf, *blk;
	uint32_t stack[SQ3_DEPTH_MAX];
	int depth;
	char path[4096];
};

/* Decompress one block, detecting zlib, LZMA alone or raw LZMA1 (lc3 lp0 pb2). */
static long sq3_block(const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap)
{
	static const uint8_t raw_props[5] = {0x5d, 0, 0, 0x10, 0}; /* 1 MiB dictionary */
	uint8_t *tmp;
	long n;

	if (inlen >= 2 && in[0] == 0x78)
		return jcs_fw_decompress(JCS_FW_ZLIB, in, inlen, out, outcap);
	if (inlen >= 13 && in[0] == 0x5d && in[5 + 7] == 0 &&
	    (n = jcs_fw_decompress(JCS_FW_LZMA_ALONE, in, inlen, out, outcap)) >= 0)
		return n;
	if (inlen < 1 || in[0] != 0)
		return JCS_EPARSE;
	tmp = malloc(inlen + 5); /* raw LZMA1 with the usual properties */
	if (!tmp)
		return JCS_ENOMEM;
	memcpy(tmp, raw_props, 5);
	memcpy(tmp + 5, in, inlen);
	n = jcs_fw_decompress(JCS_FW_LZMA_RAW, tmp, inlen + 5, out, outcap);
	free(tmp);
	return n;
}

/* Read the metadata blocks from image offset start up to end into t. */
static int load_table(struct sq3 *s, uint64_t start, uint64_t end, struct table *t, struct jcs_err *err)
{
	struct jcs_cur c = jcs_cur_make(s->p, end < s->len ? (size_t)end : s->len);
	size_t cap = 0, bcap = 0;

	memset(t, 0, sizeof(*t));
	jcs_cur_seek(&c, start);
	while (jcs_cur_left(&c) >= 2) {
		size_t off = c.off;
		uint16_t h = jcs_cur_u16e(&c, s->be);
		size_t clen = h & 0x7fff;
		const uint8_t *blk;
		long n;
		if (s->check)
			jcs_cur_skip(&c, 1);
		blk = jcs_cur_take(&c, clen);
		if (clen == 0 || !blk)
			break;
		if (jcs_fw_charge(s->w, 1))
			return jcs_err_set(err, JCS_ELIMIT, "work budget exceeded");
		if (t->len + SQ3_META > SQ3_TABLE_MAX)
			return jcs_err_set(err, JCS_ELIMIT, "SquashFS metadata table over %u bytes", SQ3_TABLE_MAX);
		if (t->len + SQ3_META > cap) {
			uint8_t *nd = realloc(t->data, cap = cap ? cap * 2 : 4 * SQ3_META);
			if (!nd)
				return jcs_err_set(err, JCS_ENOMEM, "out of memory");
			t->data = nd;
		}
		if (t->nblk == bcap) {
			uint64_t *ni = realloc(t->blk_img, (bcap = bcap ? bcap * 2 : 16) * sizeof(*ni));
			size_t *np;
			if (!ni)
				return jcs_err_set(err, JCS_ENOMEM, "out of memory");
			t->blk_img = ni;
			np = realloc(t->blk_pos, bcap * sizeof(*np));
			if (!np)
				return jcs_err_set(err, JCS_ENOMEM, "out of memory");
			t->blk_pos = np;
		}
		if (h & 0x8000) {
			if (clen > SQ3_META)
				return jcs_err_set(err, JCS_EPARSE, "metadata block at 0x%llx too long", (unsigned long long)off);
			memcpy(t->data + t->len, blk, clen);
			n = (long)clen;
		} else {
			n = sq3_block(blk, clen, t->data + t->len, SQ3_META);
			if (n < 0)
				return jcs_err_set(err, JCS_EPARSE, "metadata block at 0x%llx does not decompress",
						   (unsigned long long)off);
		}
		t->blk_img[t->nblk] = off - start;
		t->blk_pos[t->nblk++] = t->len;
		t->len += (size_t)n;
	}
	return 0;
}

static void free_table(struct table *t)
{
	free(t->data);
	free(t->blk_img);
	free(t->blk_pos);
}

/* Position in t of (block image offset, offset in block), or SIZE_MAX. */
static size_t tpos(const struct table *t, uint64_t block, uint32_t off)
{
	size_t lo = 0, hi = t->nblk;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->blk_img[mid] < block)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == t->nblk || t->blk_img[lo] != block || t->blk_pos[lo] + off >= t->len)
		return SIZE_MAX;
	return t->blk_pos[lo] + off;
}

struct sq3_inode {
	unsigned type, mode, uid, gid;
	uint64_t start, size;
	uint32_t frag, frag_off, dir_off, nblocks;
	struct bits blocks; /* block list */
	const uint8_t *link;
	uint32_t link_len;
	uint32_t number;
};

static bool read_inode(struct sq3 *s, uint64_t block, uint32_t off, struct sq3_inode *in)
{
	size_t pos = tpos(&s->inodes, block, off);
	struct bits b;

	memset(in, 0, sizeof(*in));
	if (pos == SIZE_MAX)
		return false;
	b = bits_at(s->inodes.data, s->inodes.len, pos, s->inodes.len - pos, s->be);
	in->type = (unsigned)bget(&b, 4);
	in->mode = (unsigned)bget(&b, 12);
	in->uid = (unsigned)bget(&b, 8);
	in->gid = (unsigned)bget(&b, 8);
	if (!s->v2) {
		bget(&b, 32); /* mtime */
		in->number = (uint32_t)bget(&b, 32);
	}
	switch (in->type) {
	case 1: /* dir */
	case 8: /* long dir: the same with a 27-bit size */
		if (!s->v2)
			bget(&b, 32); /* nlink */
		in->size = bget(&b, in->type == 1 ? 19 : 27);
		in->dir_off = (uint32_t)bget(&b, 13);
		if (s->v2) {
			bget(&b, 32);
			in->start = bget(&b, 24);
		} else {
			in->start = bget(&b, 32);
		}
		break;
	case 2: /* file */
	case 9: /* long file (v3) */
		if (s->v2) {
			bget(&b, 32); /* mtime */
			in->start = bget(&b, 32);
		} else {
			if (in->type == 9)
				bget(&b, 32); /* nlink */
			in->start = bget(&b, 64);
		}
		in->frag = (uint32_t)bget(&b, 32);
		in->frag_off = (uint32_t)bget(&b, 32);
		in->size = bget(&b, in->type == 9 ? 64 : 32);
		{
			uint64_t nb = in->frag == SQ3_INVALID_FRAG ? (in->size + s->block_size - 1) / s->block_size
								   : in->size / s->block_size;
			if (nb > (s->inodes.len - pos) / 4 + 1)
				return false;
			in->nblocks = (uint32_t)nb;
		}
		in->blocks = b;
		break;
	case 3: /* symlink */
		if (!s->v2)
			bget(&b, 32);
		in->link_len = (uint32_t)bget(&b, 16);
		if (!(in->link = bbytes(&b, in->link_len)))
			return false;
		in->size = in->link_len;
		break;
	default:
		break;
	}
	return !b.bad;
}

/* The fragment block holding fragment i: image offset and stored size word. */
static bool fragment(struct sq3 *s, uint32_t i, uint64_t *start, uint32_t *size)
{
	size_t esz = s->v2 ? 8 : 16, per = SQ3_META / esz, isz = s->v2 ? 4 : 8;
	uint64_t idx_off = s->frag_start + (uint64_t)(i / per) * isz, blk;
	struct table t;
	struct jcs_err e;
	struct bits b;
	bool ok;

	if (i >= s->nfrags || idx_off < s->frag_start || !jcs_range_ok(idx_off, isz, s->len))
		return false;
	b = bits_at(s->p, s->len, idx_off, isz, s->be);
	blk = s->v2 ? bget(&b, 32) : bget(&b, 64);
	if (blk >= s->len)
		return false;
	if (load_table(s, blk, blk + 2 + 1 + SQ3_META < s->len ? blk + 3 + SQ3_META : s->len, &t, &e)) {
		free_table(&t); /* what was loaded before the failure */
		return false;
	}
	ok = t.nblk > 0 && (i % per + 1) * esz <= t.len;
	if (ok) {
		b = bits_at(t.data, t.len, (i % per) * esz, esz, s->be);
		*start = s->v2 ? bget(&b, 32) : bget(&b, 64);
		*size = (uint32_t)bget(&b, 32);
	}
	free_table(&t);
	return ok;
}

/* Read a file's contents into s->buf (size bytes, already capped by the caller). */
static int read_file(struct sq3 *s, struct sq3_inode *in, char *why, size_t wl)
{
	struct jcs_cur img = jcs_cur_make(s->p, s->len);
	uint64_t pos = in->start, done = 0;

	for (uint32_t i = 0; i < in->nblocks; i++) {
		uint32_t w = (uint32_t)bget(&in->blocks, 32), clen = w & ~(1u << 24);
		size_t want = in->size - done > s->block_size ? s->block_size : (size_t)(in->size - done);
		struct jcs_cur bc = jcs_cur_at(&img, pos, clen);
		const uint8_t *src = jcs_cur_take(&bc, clen);
		long n;
		if (in->blocks.bad) {
			snprintf(why, wl, "block list truncated");
			return JCS_EPARSE;
		}
		if (jcs_fw_charge(s->w, 1))
			return JCS_ELIMIT;
		if (clen == 0) {
			memset(s->buf + done, 0, want);
			n = (long)want;
		} else if (!src || clen > s->block_size + 1024) {
			snprintf(why, wl, "data block %u outside the image", i);
			return JCS_EPARSE;
		} else if (w & (1u << 24)) {
			n = clen < want ? -1 : (long)want;
			if (n >= 0)
				memcpy(s->buf + done, src, want);
		} else {
			n = sq3_block(src, clen, s->buf + done, want);
		}
		if (n != (long)want) {
			snprintf(why, wl, "data block %u at 0x%llx does not decompress", i, (unsigned long long)pos);
			return JCS_EPARSE;
		}
		pos += clen;
		done += want;
	}
	if (in->frag != SQ3_INVALID_FRAG && done < in->size) {
		uint64_t fstart;
		uint32_t fsize, clen;
		const uint8_t *src;
		struct jcs_cur fc;
		long n;
		if (!fragment(s, in->frag, &fstart, &fsize)) {
			snprintf(why, wl, "fragment %u missing", in->frag);
			return JCS_EPARSE;
		}
		clen = fsize & ~(1u << 24);
		fc = jcs_cur_at(&img, fstart, clen);
		src = jcs_cur_take(&fc, clen);
		if (!src || clen > s->block_size + 1024) {
			snprintf(why, wl, "fragment %u outside the image", in->frag);
			return JCS_EPARSE;
		}
		if ((fsize & (1u << 24)) && clen > s->block_size) { /* stored: at most one block */
			snprintf(why, wl, "uncompressed fragment %u larger than the block size", in->frag);
			return JCS_EPARSE;
		}
		if (fsize & (1u << 24)) {
			memcpy(s->blk, src, clen);
			n = clen;
		} else {
			n = sq3_block(src, clen, s->blk, s->block_size);
		}
		if (n < 0 || (uint64_t)in->frag_off + (in->size - done) > (uint64_t)n) {
			snprintf(why, wl, "fragment %u does not decompress or is too short", in->frag);
			return JCS_EPARSE;
		}
		memcpy(s->buf + done, s->blk + in->frag_off, (size_t)(in->size - done));
	}
	return 0;
}

static uint32_t id_lookup(const struct sq3 *s, uint64_t table, unsigned n, unsigned idx)
{
	struct jcs_cur img = jcs_cur_make(s->p, s->len), c = jcs_cur_at(&img, table, 4 * (uint64_t)n);
	uint32_t v;

	if (idx >= n || !jcs_cur_skip(&c, 4 * (size_t)idx))
		return idx;
	v = jcs_cur_u32e(&c, s->be);
	return c.bad ? idx : v;
}

static int walk_dir(struct sq3 *s, const struct sq3_inode *dir);

static int emit(struct sq3 *s, struct sq3_inode *in)
{
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(s->w);
	struct jcs_fw_file f = {.path = s->path, .mode = in->mode, .uid = id_lookup(s, s->uid_start, s->nuids, in->uid),
				.gid = id_lookup(s, s->guid_start, s->nguids, in->gid), .size = in->size};
	char why[200], *target = NULL;
	int rc;

	switch (in->type) {
	case 1: case 8: f.type = JCS_FW_DIR; f.size = 0; break;
	case 2: case 9:
		f.type = JCS_FW_FILE;
		if (in->size > lim->max_file_in_memory) {
			jcs_fw_problem(s->w, 0, "file %.300s (%llu bytes) larger than the in-memory cap: not analysed",
				       s->path, (unsigned long long)in->size);
			break;
		}
		{
			uint8_t *nb = realloc(s->buf, in->size ? in->size : 1);
			if (!nb)
				return JCS_ENOMEM;
			s->buf = nb;
		}
		if ((rc = read_file(s, in, why, sizeof(why))) == JCS_ELIMIT)
			return rc;
		if (rc < 0) {
			jcs_fw_problem(s->w, 0, "file %.300s: %s", s->path, why);
			return 0;
		}
		f.data = s->buf;
		f.len = (size_t)in->size;
		break;
	case 3:
		target = strndup((const char *)in->link, in->link_len);
		if (!target)
			return JCS_ENOMEM;
		f.type = JCS_FW_SYMLINK;
		f.link = target;
		break;
	case 4: case 5: f.type = JCS_FW_DEVICE; f.size = 0; break;
	default: f.type = JCS_FW_OTHER; f.size = 0; break;
	}
	rc = jcs_fw_emit(s->w, &f, JCS_FW_EMIT_LEAF);
	free(target);
	if (rc == 0 && (in->type == 1 || in->type == 8))
		rc = walk_dir(s, in);
	return rc;
}

static int walk_dir(struct sq3 *s, const struct sq3_inode *dir)
{
	size_t pos = tpos(&s->dirs, dir->start, dir->dir_off), end, base = strlen(s->path);
	uint64_t listing = dir->size;
	int rc = 0;

	if (s->depth >= SQ3_DEPTH_MAX) {
		jcs_fw_problem(s->w, 0, "directory %.300s nested too deep: not descended", s->path);
		return 0;
	}
	for (int i = 0; i < s->depth; i++)
		if (s->stack[i] == (uint32_t)(dir->start << 13 | dir->dir_off)) {
			jcs_fw_problem(s->w, 0, "directory loop at %.300s", s->path);
			return 0;
		}
	if (!s->v2 && listing >= 3)
		listing -= 3; /* v3 counts "." and ".." */
	if (listing == 0)
		return 0;
	if (pos == SIZE_MAX || listing > s->dirs.len - pos) {
		jcs_fw_problem(s->w, 0, "directory %.300s: listing outside the directory table", s->path);
		return 0;
	}
	s->stack[s->depth++] = (uint32_t)(dir->start << 13 | dir->dir_off);
	end = pos + (size_t)listing;
	while (pos < end && rc == 0 && !jcs_fw_stopped(s->w)) {
		struct bits b = bits_at(s->dirs.data, s->dirs.len, pos, end - pos, s->be);
		unsigned count = (unsigned)bget(&b, 8) + 1;
		uint64_t start = bget(&b, s->v2 ? 24 : 32);
		if (!s->v2)
			bget(&b, 32);
		if (b.bad)
			break;
		for (unsigned i = 0; i < count && rc == 0; i++) {
			uint32_t ioff = (uint32_t)bget(&b, 13);
			unsigned nlen;
			struct sq3_inode in;
			bget(&b, 3);
			nlen = (unsigned)bget(&b, 8) + 1;
			if (!s->v2)
				bget(&b, 16);
			const uint8_t *name = bbytes(&b, nlen);
			if (!name) {
				jcs_fw_problem(s->w, 0, "directory %.300s: truncated entry", s->path);
				pos = end;
				break;
			}
			snprintf(s->path + base, sizeof(s->path) - base, "/%.*s", (int)nlen, (const char *)name);
			if (!read_inode(s, start, ioff, &in))
				jcs_fw_problem(s->w, 0, "%.300s: inode outside the inode table or corrupt", s->path);
			else
				rc = emit(s, &in);
			s->path[base] = 0;
		}
		pos += b.pos / 8;
	}
	s->depth--;
	return rc;
}

static int squashfs3_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct sq3 s = {.w = w, .p = p};
	struct sq3_inode root;
	struct bits b;
	unsigned major, flags, block_log;
	uint64_t bytes_used, inode_start, dir_start, root_ref, ends[6];
	uint32_t bs16, bs32;
	int rc = 0;

	if (len < 120)
		return JCS_ENOTFOUND;
	s.be = p[0] == 's';
	b = bits_at(p, len, 0, len, s.be);
	b.pos = 28 * 8;
	major = (unsigned)bget(&b, 16);
	bget(&b, 16);
	if (major == 4 && s.be)
		return jcs_err_set(err, JCS_EUNSUPPORTED, "big-endian SquashFS 4 (AVM variant) is not supported");
	if (major != 2 && major != 3)
		return major == 4 ? JCS_ENOTFOUND : jcs_err_set(err, JCS_EUNSUPPORTED, "SquashFS version %u", major);
	s.v2 = major == 2;
	bs16 = (uint32_t)bget(&b, 16);
	block_log = (unsigned)bget(&b, 16);
	flags = (unsigned)bget(&b, 8);
	s.nuids = (unsigned)bget(&b, 8);
	s.nguids = (unsigned)bget(&b, 8);
	bget(&b, 32);
	root_ref = bget(&b, 64);
	bs32 = (uint32_t)bget(&b, 32);
	s.nfrags = (uint32_t)bget(&b, 32);
	s.check = flags & 4;
	if (s.v2) {
		struct bits b2 = bits_at(p, len, 0, len, s.be);

		b2.pos = 8 * 8;
		bytes_used = bget(&b2, 32);
		s.uid_start = bget(&b2, 32);
		s.guid_start = bget(&b2, 32);
		inode_start = bget(&b2, 32);
		dir_start = bget(&b2, 32);
		s.frag_start = bget(&b, 32);
	} else {
		bget(&b, 32);
		bytes_used = bget(&b, 64);
		s.uid_start = bget(&b, 64);
		s.guid_start = bget(&b, 64);
		inode_start = bget(&b, 64);
		dir_start = bget(&b, 64);
		s.frag_start = bget(&b, 64);
	}
	s.block_size = bs32 ? bs32 : bs16 ? bs16 : 1u << (block_log < 21 ? block_log : 20);
	if (b.bad || s.block_size < 4096 || s.block_size > (1u << 20) || block_log > 20 || s.block_size != 1u << block_log)
		return jcs_err_set(err, JCS_EPARSE, "SquashFS %u superblock: bad block size %u", major, s.block_size);
	if (bytes_used > len) {
		*used = len;
		return jcs_err_set(err, JCS_EPARSE, "SquashFS truncated: %llu bytes used, %zu present",
				   (unsigned long long)bytes_used, len);
	}
	*used = (size_t)bytes_used;
	s.len = (size_t)bytes_used;
	if (inode_start >= dir_start || dir_start >= s.len)
		return jcs_err_set(err, JCS_EPARSE, "SquashFS table offsets out of order");
	/* a table ends where the next one after it starts */
	ends[0] = s.frag_start; ends[1] = s.uid_start; ends[2] = s.guid_start; ends[3] = s.len;
	ends[4] = s.len; ends[5] = s.len;
	{
		uint64_t dir_end = s.len;
		for (int i = 0; i < 6; i++)
			if (ends[i] > dir_start && ends[i] < dir_end)
				dir_end = ends[i];
		if (s.nfrags && s.frag_start < s.len) { /* fragment entries sit before their index */
			struct bits fb = bits_at(p, len, s.frag_start, s.len - s.frag_start, s.be);
			uint64_t first = s.v2 ? bget(&fb, 32) : bget(&fb, 64);
			if (!fb.bad && first > dir_start && first < dir_end)
				dir_end = first;
		}
		if ((rc = load_table(&s, inode_start, dir_start, &s.inodes, err)) < 0 ||
		    (rc = load_table(&s, dir_start, dir_end, &s.dirs, err)) < 0)
			goto out;
	}
	s.blk = malloc(s.block_size);
	if (!s.blk) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	if (!read_inode(&s, root_ref >> 16, (uint32_t)(root_ref & 0xffff), &root) || (root.type != 1 && root.type != 8)) {
		rc = jcs_err_set(err, JCS_EPARSE, "SquashFS %u root inode unreadable", major);
		goto out;
	}
	rc = walk_dir(&s, &root);
	if (rc == JCS_ENOMEM)
		jcs_err_set(err, rc, "out of memory");
out:
	free_table(&s.inodes);
	free_table(&s.dirs);
	free(s.buf);
	free(s.blk);
	return rc;
}

const struct jcs_fw_unpacker jcs_fw_unpack_squashfs3 = {
	.name = "squashfs",
	.sigs = {{"hsqs", 4, 0}, {"sqsh", 4, 0}},
	.unpack = squashfs3_unpack,
};
