/* UBIFS: every node of the image is scanned (common header magic and CRC checked); the
 * newest inode, directory-entry and data node per key (by sequence number) rebuild the
 * tree from the root inode 1. The index B-tree is not needed for a read-out; deleted names
 * (dent with inode 0) hide older ones. Compressors: none, lzo, zlib (raw deflate), zstd.
 * Only the node types read here are checksummed, and only up to their largest valid size, so
 * a magic every 8 bytes costs a bounded CRC each (charged to the work budget). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/cur.h"
#include "firmware/unpack/unpack.h"

#define U_INO 0
#define U_DATA 1
#define U_DENT 2
#define U_SB 6
#define U_BLOCK 4096
#define U_DEPTH_MAX 64
#define U_NODES_MAX 8000000u
#define U_INO_MAX (160 + U_BLOCK)  /* UBIFS_MAX_INO_NODE_SZ */
#define U_DATA_MAX (48 + U_BLOCK)  /* UBIFS_MAX_DATA_NODE_SZ */
#define U_DENT_MAX (56 + 255 + 1)  /* UBIFS_MAX_DENT_NODE_SZ */

struct unode {
	uint64_t key1;   /* inode number */
	uint64_t key2;   /* block number (data) or name hash (dent) */
	uint64_t sqnum;
	size_t off;
	uint32_t len;    /* node length (CRC checked) */
	uint16_t nlen;   /* dent: name length */
	const uint8_t *name;
};

struct ufs {
	struct jcs_fw_walk *w;
	const uint8_t *p;
	size_t len;
	struct unode *ino, *dent, *data;
	size_t nino, ndent, ndata;
	uint64_t stack[U_DEPTH_MAX];
	int depth;
	char path[4096];
};

/* A cursor over node n, positioned at field offset at. */
static struct jcs_cur node(const struct ufs *u, const struct unode *n, size_t at)
{
	struct jcs_cur all = jcs_cur_make(u->p, u->len), c = jcs_cur_at(&all, n->off, n->len);
	jcs_cur_seek(&c, at);
	return c;
}

static int same_name(const struct unode *x, const struct unode *y)
{
	if (x->nlen != y->nlen)
		return x->nlen < y->nlen ? -1 : 1;
	return x->nlen ? memcmp(x->name, y->name, x->nlen) : 0;
}

/* key, then name (dents; none for the others), then sequence number: the newest copy of a
 * key (and name) ends its run */
static int cmp_node(const void *a, const void *b)
{
	const struct unode *x = a, *y = b;
	int c;
	if (x->key1 != y->key1)
		return x->key1 < y->key1 ? -1 : 1;
	if (x->key2 != y->key2)
		return x->key2 < y->key2 ? -1 : 1;
	if ((c = same_name(x, y)))
		return c;
	return x->sqnum < y->sqnum ? -1 : x->sqnum > y->sqnum;
}

static int push(struct unode **arr, size_t *n, size_t *cap, struct unode u)
{
	if (*n == *cap) {
		struct unode *na = realloc(*arr, (*cap = *cap ? *cap * 2 : 256) * sizeof(*na));
		if (!na)
			return JCS_ENOMEM;
		*arr = na;
	}
	(*arr)[(*n)++] = u;
	return 0;
}

static long udecompress(uint16_t type, const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	switch (type) {
	case 0:
		if (inlen < outlen)
			return JCS_EPARSE;
		memcpy(out, in, outlen);
		return (long)outlen;
	case 1: return jcs_fw_decompress(JCS_FW_LZO, in, inlen, out, outlen);
	case 2: return jcs_fw_decompress(JCS_FW_DEFLATE, in, inlen, out, outlen);
	case 3: return jcs_fw_decompress(JCS_FW_ZSTD, in, inlen, out, outlen);
	default: return JCS_EUNSUPPORTED;
	}
}

/* The newest inode node of inum, or NULL. */
static const struct unode *find_ino(const struct ufs *u, uint64_t inum)
{
	size_t lo = 0, hi = u->nino;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (u->ino[mid].key1 < inum)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == u->nino || u->ino[lo].key1 != inum)
		return NULL;
	while (lo + 1 < u->nino && u->ino[lo + 1].key1 == inum)
		lo++;
	return &u->ino[lo];
}

static int walk_dir(struct ufs *u, uint64_t dir);

static int emit(struct ufs *u, uint64_t inum)
{
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(u->w);
	const struct unode *in = find_ino(u, inum);
	struct jcs_fw_file f = {.path = u->path};
	struct jcs_cur q;
	uint8_t *buf = NULL;
	const uint8_t *target;
	uint32_t mode, dlen;
	uint64_t size;
	char *link = NULL;
	int rc;

	if (!in) {
		jcs_fw_problem(u->w, 0, "%.300s: inode %llu not found", u->path, (unsigned long long)inum);
		return 0;
	}
	q = node(u, in, 48);
	size = jcs_cur_u64le(&q);
	jcs_cur_seek(&q, 96);
	f.uid = jcs_cur_u32le(&q);
	f.gid = jcs_cur_u32le(&q);
	mode = jcs_cur_u32le(&q);
	jcs_cur_skip(&q, 4); /* flags */
	dlen = jcs_cur_u32le(&q);
	f.mode = mode & 07777;
	f.size = size;
	switch (mode & 0170000) {
	case 0040000: f.type = JCS_FW_DIR; f.size = 0; break;
	case 0100000: {
		size_t lo = 0, hi = u->ndata;
		f.type = JCS_FW_FILE;
		if (size > lim->max_file_in_memory) {
			jcs_fw_problem(u->w, in->off, "file %.300s (%llu bytes) larger than the in-memory cap: not analysed",
				       u->path, (unsigned long long)size);
			break;
		}
		if (!(buf = calloc(1, size ? size : 1)))
			return JCS_ENOMEM;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (u->data[mid].key1 < inum)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < u->ndata && u->data[i].key1 == inum; i++) {
			const struct unode *d = &u->data[i];
			struct jcs_cur dn = node(u, d, 40);
			uint64_t at = d->key2 * U_BLOCK; /* key2 < 2^29 */
			uint32_t dsize = jcs_cur_u32le(&dn);
			uint16_t compr = jcs_cur_u16le(&dn);
			size_t left;
			long got;
			if (i + 1 < u->ndata && u->data[i + 1].key1 == inum && u->data[i + 1].key2 == d->key2)
				continue; /* a newer copy follows */
			if ((rc = jcs_fw_charge(u->w, 1))) {
				free(buf);
				return rc;
			}
			if (at >= size || dsize > U_BLOCK)
				continue; /* beyond a later truncation */
			if (dsize > size - at)
				dsize = (uint32_t)(size - at);
			jcs_cur_seek(&dn, 48);
			left = jcs_cur_left(&dn);
			got = udecompress(compr, jcs_cur_take(&dn, left), left, buf + at, dsize);
			if (got < (long)dsize)
				jcs_fw_problem(u->w, d->off, "%.300s: data block %llu does not decompress", u->path,
					       (unsigned long long)d->key2);
		}
		f.data = buf;
		f.len = (size_t)size;
		break;
	}
	case 0120000:
		f.type = JCS_FW_SYMLINK;
		jcs_cur_seek(&q, 160);
		target = jcs_cur_take(&q, dlen);
		link = target ? strndup((const char *)target, dlen) : strdup("");
		if (!link)
			return JCS_ENOMEM;
		f.link = link;
		break;
	case 0020000: case 0060000: f.type = JCS_FW_DEVICE; f.size = 0; break;
	default: f.type = JCS_FW_OTHER; f.size = 0; break;
	}
	rc = jcs_fw_emit(u->w, &f, JCS_FW_EMIT_LEAF);
	free(buf);
	free(link);
	if (rc == 0 && f.type == JCS_FW_DIR)
		rc = walk_dir(u, inum);
	return rc;
}

static int walk_dir(struct ufs *u, uint64_t dir)
{
	size_t lo = 0, hi = u->ndent, base = strlen(u->path);
	int rc = 0;

	for (int i = 0; i < u->depth; i++)
		if (u->stack[i] == dir) {
			jcs_fw_problem(u->w, 0, "directory loop at %.300s", u->path);
			return 0;
		}
	if (u->depth >= U_DEPTH_MAX) {
		jcs_fw_problem(u->w, 0, "directory %.300s nested too deep: not descended", u->path);
		return 0;
	}
	u->stack[u->depth++] = dir;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (u->dent[mid].key1 < dir)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < u->ndent && u->dent[i].key1 == dir && rc == 0; i++) {
		const struct unode *d = &u->dent[i], *next = i + 1 < u->ndent ? d + 1 : NULL;
		struct jcs_cur dn = node(u, d, 40);
		uint64_t target = jcs_cur_u64le(&dn);
		/* the newest entry of a name ends its run (ino 0 = deleted) */
		if ((next && next->key1 == dir && next->key2 == d->key2 && same_name(next, d) == 0) || target == 0)
			continue;
		if ((rc = jcs_fw_charge(u->w, 1)))
			break;
		snprintf(u->path + base, sizeof(u->path) - base, "/%.*s", (int)d->nlen, (const char *)d->name);
		rc = emit(u, target);
		u->path[base] = 0;
	}
	u->depth--;
	return rc;
}

static int ubifs_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct ufs u = {.w = w, .p = p};
	size_t cino = 0, cdent = 0, cdata = 0;
	uint32_t leb_size, leb_cnt;
	struct jcs_cur c = jcs_cur_make(p, len), sb;
	uint32_t crc, sblen;
	int rc = 0;

	jcs_cur_seek(&c, 4);
	crc = jcs_cur_u32le(&c);
	jcs_cur_seek(&c, 16);
	sblen = jcs_cur_u32le(&c);
	if (len < 4096 || jcs_cur_u8(&c) != U_SB || sblen < 64 || sblen > 4096)
		return JCS_ENOTFOUND;
	sb = jcs_cur_at(&c, 8, sblen - 8); /* the superblock after magic and CRC */
	if (sb.bad || !JCS_FW_CRC_OK(crc, ~crc32(0, sb.p, (uInt)sb.len) & 0xffffffffu))
		return JCS_ENOTFOUND;
	jcs_cur_seek(&c, 36);
	leb_size = jcs_cur_u32le(&c);
	leb_cnt = jcs_cur_u32le(&c);
	if (leb_size < 4096 || leb_size > (16u << 20) || leb_cnt == 0)
		return jcs_err_set(err, JCS_EPARSE, "UBIFS superblock: LEB size %u, count %u", leb_size, leb_cnt);
	u.len = (uint64_t)leb_size * leb_cnt < len ? (size_t)leb_size * leb_cnt : len;
	if ((uint64_t)leb_size * leb_cnt > len)
		jcs_fw_problem(w, 0, "UBIFS truncated: %u LEBs of %u bytes declared, %zu bytes present", leb_cnt, leb_size,
			       len);
	*used = u.len;
	c = jcs_cur_make(p, u.len);
	for (size_t o = 0; o + 24 <= u.len;) {
		struct jcs_cur q = jcs_cur_at(&c, o, 24);
		uint32_t magic = jcs_cur_u32le(&q), ncrc = jcs_cur_u32le(&q), nlen;
		struct unode n = {0};
		uint8_t type;
		n.sqnum = jcs_cur_u64le(&q);
		nlen = jcs_cur_u32le(&q);
		type = jcs_cur_u8(&q);
		/* only inode, dent and data nodes are read: the others (index, padding, orphans,
		 * the superblock) are passed over 8 bytes at a time like free space */
		if (magic != 0x06101831 || nlen > u.len - o ||
		    !(type == U_INO ? nlen >= 160 && nlen <= U_INO_MAX
		      : type == U_DENT ? nlen >= 56 && nlen <= U_DENT_MAX
		      : type == U_DATA ? nlen >= 48 && nlen <= U_DATA_MAX : false)) {
			o += 8;
			continue;
		}
		if ((rc = jcs_fw_charge(w, 1)))
			goto out;
		q = jcs_cur_at(&c, o + 8, nlen - 8); /* the node after magic and CRC (nlen <= u.len - o) */
		if (q.bad || !JCS_FW_CRC_OK(ncrc, ~crc32(0, q.p, (uInt)q.len) & 0xffffffffu)) {
			o += 8;
			continue;
		}
		if (u.nino + u.ndent + u.ndata >= U_NODES_MAX) {
			rc = jcs_err_set(err, JCS_ELIMIT, "more than %u UBIFS nodes", U_NODES_MAX);
			goto out;
		}
		n.off = o;
		n.len = nlen;
		q = jcs_cur_at(&c, o, nlen);
		jcs_cur_seek(&q, 24);
		n.key1 = jcs_cur_u32le(&q);
		n.key2 = jcs_cur_u32le(&q) & 0x1fffffff;
		if (type == U_DENT) {
			jcs_cur_seek(&q, 50);
			n.nlen = jcs_cur_u16le(&q);
			jcs_cur_seek(&q, 56);
			n.name = jcs_cur_take(&q, n.nlen);
		}
		if (q.bad) {
			o += 8;
			continue;
		}
		rc = push(type == U_INO ? &u.ino : type == U_DENT ? &u.dent : &u.data,
			  type == U_INO ? &u.nino : type == U_DENT ? &u.ndent : &u.ndata,
			  type == U_INO ? &cino : type == U_DENT ? &cdent : &cdata, n);
		if (rc < 0) {
			jcs_err_set(err, rc, "out of memory");
			goto out;
		}
		o += (nlen + 7) & ~7u;
	}
	if (u.nino > 1)
		qsort(u.ino, u.nino, sizeof(*u.ino), cmp_node);
	if (u.ndent > 1)
		qsort(u.dent, u.ndent, sizeof(*u.dent), cmp_node);
	if (u.ndata > 1)
		qsort(u.data, u.ndata, sizeof(*u.data), cmp_node);
	rc = walk_dir(&u, 1);
	if (rc == JCS_ENOMEM)
		jcs_err_set(err, rc, "out of memory");
out:
	free(u.ino);
	free(u.dent);
	free(u.data);
	return rc;
}

const struct jcs_fw_unpacker jcs_fw_unpack_ubifs = {
	.name = "ubifs",
	.sigs = {{"\x31\x18\x10\x06", 4, 0}},
	.unpack = ubifs_unpack,
};
