/* UBIFS: every node of the image is scanned (common header magic and CRC checked); the
 * newest inode, directory-entry and data node per key (by sequence number) rebuild the
 * tree from the root inode 1. The index B-tree is not needed for a read-out; deleted names
 * (dent with inode 0) hide older ones. Compressors: none, lzo, zlib (raw deflate), zstd. */
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

struct unode {
	uint64_t key1;   /* inode number */
	uint64_t key2;   /* block number (data) or name hash (dent) */
	uint64_t sqnum;
	size_t off;
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

static uint32_t le32(const uint8_t *q)
{
	return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
}

static uint64_t le64(const uint8_t *q)
{
	return le32(q) | (uint64_t)le32(q + 4) << 32;
}

static int cmp_node(const void *a, const void *b)
{
	const struct unode *x = a, *y = b;
	if (x->key1 != y->key1)
		return x->key1 < y->key1 ? -1 : 1;
	if (x->key2 != y->key2)
		return x->key2 < y->key2 ? -1 : 1;
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
	const uint8_t *q;
	uint8_t *buf = NULL;
	uint32_t mode, dlen;
	uint64_t size;
	char *link = NULL;
	int rc;

	if (!in) {
		jcs_fw_problem(u->w, 0, "%.300s: inode %llu not found", u->path, (unsigned long long)inum);
		return 0;
	}
	q = u->p + in->off;
	size = le64(q + 48);
	mode = le32(q + 104);
	dlen = le32(q + 112);
	f.mode = mode & 07777;
	f.uid = le32(q + 96);
	f.gid = le32(q + 100);
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
			const uint8_t *dn = u->p + d->off;
			uint64_t at = d->key2 * U_BLOCK;
			uint32_t dsize = le32(dn + 40), nlen = le32(dn + 16);
			long got;
			if (i + 1 < u->ndata && u->data[i + 1].key1 == inum && u->data[i + 1].key2 == d->key2)
				continue; /* a newer copy follows */
			if (at >= size || dsize > U_BLOCK)
				continue; /* beyond a later truncation */
			if (dsize > size - at)
				dsize = (uint32_t)(size - at);
			got = udecompress((uint16_t)(dn[44] | dn[45] << 8), dn + 48, nlen - 48, buf + at, dsize);
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
		if (dlen > le32(q + 16) - 160)
			dlen = 0;
		link = strndup((const char *)q + 160, dlen);
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
		const uint8_t *dn = u->p + u->dent[i].off;
		uint64_t target = le64(dn + 40);
		uint16_t nlen = (uint16_t)(dn[50] | dn[51] << 8);
		bool newer = false;
		/* same hash: the newest entry with the same name wins (ino 0 = deleted) */
		for (size_t k = i + 1; k < u->ndent && u->dent[k].key1 == dir && u->dent[k].key2 == u->dent[i].key2 &&
				       !newer; k++) {
			const uint8_t *o = u->p + u->dent[k].off;
			newer = (uint16_t)(o[50] | o[51] << 8) == nlen && !memcmp(o + 56, dn + 56, nlen);
		}
		if (newer || target == 0)
			continue;
		snprintf(u->path + base, sizeof(u->path) - base, "/%.*s", (int)nlen, (const char *)dn + 56);
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
	int rc = 0;

	if (len < 4096 || p[20] != U_SB || le32(p + 16) < 64 || le32(p + 16) > len ||
	    (~crc32(0, p + 8, le32(p + 16) - 8) & 0xffffffffu) != le32(p + 4))
		return JCS_ENOTFOUND;
	leb_size = le32(p + 36);
	leb_cnt = le32(p + 40);
	if (leb_size < 4096 || leb_size > (16u << 20) || leb_cnt == 0)
		return jcs_err_set(err, JCS_EPARSE, "UBIFS superblock: LEB size %u, count %u", leb_size, leb_cnt);
	u.len = (uint64_t)leb_size * leb_cnt < len ? (size_t)leb_size * leb_cnt : len;
	if ((uint64_t)leb_size * leb_cnt > len)
		jcs_fw_problem(w, 0, "UBIFS truncated: %u LEBs of %u bytes declared, %zu bytes present", leb_cnt, leb_size,
			       len);
	*used = u.len;
	for (size_t o = 0; o + 24 <= u.len;) {
		const uint8_t *q = p + o;
		uint32_t nlen;
		if (le32(q) != 0x06101831) {
			o += 8;
			continue;
		}
		nlen = le32(q + 16);
		if (nlen < 24 || nlen > u.len - o || (~crc32(0, q + 8, nlen - 8) & 0xffffffffu) != le32(q + 4)) {
			o += 8;
			continue;
		}
		if (u.nino + u.ndent + u.ndata >= U_NODES_MAX) {
			rc = jcs_err_set(err, JCS_ELIMIT, "more than %u UBIFS nodes", U_NODES_MAX);
			goto out;
		}
		{
			uint32_t k1 = le32(q + 24), k2 = le32(q + 28);
			struct unode n = {k1, k2 & 0x1fffffff, le64(q + 8), o};
			switch (q[20]) {
			case U_INO:
				if (nlen >= 160)
					rc = push(&u.ino, &u.nino, &cino, n);
				break;
			case U_DENT:
				if (nlen >= 56 && (size_t)56 + (q[50] | q[51] << 8) <= nlen)
					rc = push(&u.dent, &u.ndent, &cdent, n);
				break;
			case U_DATA:
				if (nlen >= 48)
					rc = push(&u.data, &u.ndata, &cdata, n);
				break;
			default:
				break;
			}
		}
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
