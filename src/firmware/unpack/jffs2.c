/* JFFS2 (little- and big-endian): scan the node log (header CRCs checked), keep the dirents
 * and the data nodes per inode (offsets only, not contents), sort both (dirents by parent,
 * name and version: the newest of each name is the last of its run), then rebuild each file
 * in version order. Compressors: none, zero, rtime, zlib, lzo, lzma. Every read goes through
 * a cursor over one node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/cur.h"
#include "firmware/unpack/unpack.h"

#define J_DIRENT 0xe001
#define J_INODE 0xe002
#define J_DEPTH_MAX 64
#define J_GAP_MAX (256u << 10) /* give up after this much non-JFFS2 data */
#define J_NODES_MAX 4000000u

struct jdirent {
	uint32_t pino, version, ino;
	uint8_t type;
	const uint8_t *name; /* inside the node */
	uint8_t nsize;
};

struct jinode {
	uint32_t ino, version;
	size_t off; /* node offset */
	uint32_t totlen;
};

struct jf {
	struct jcs_fw_walk *w;
	const uint8_t *p;
	size_t len;
	bool be;
	struct jdirent *d;
	size_t nd, capd;
	struct jinode *in;
	size_t nin, capin;
	uint32_t stack[J_DEPTH_MAX];
	int depth;
	char path[4096];
};

/* A cursor over the node at o (its header's totlen bytes, already checked by node_at). */
static struct jcs_cur node(const struct jf *j, size_t o, size_t totlen)
{
	struct jcs_cur all = jcs_cur_make(j->p, j->len);
	return jcs_cur_at(&all, o, totlen);
}

/* JFFS2's CRC32: seed 0, no final inversion. */
static uint32_t jcrc(const uint8_t *p, size_t n)
{
	return ~(uint32_t)crc32(0xffffffffu, p, (uInt)n);
}

/* A node with a valid header at o: its length and type. */
static bool node_at(const struct jf *j, size_t o, uint32_t *totlen, uint16_t *type)
{
	struct jcs_cur c = node(j, o, 12);
	const uint8_t *h = c.p;
	uint16_t magic = jcs_cur_u16e(&c, j->be);
	uint32_t crc;

	*type = jcs_cur_u16e(&c, j->be);
	*totlen = jcs_cur_u32e(&c, j->be);
	crc = jcs_cur_u32e(&c, j->be);
	return !c.bad && magic == 0x1985 && *totlen >= 12 && *totlen <= j->len - o && JCS_FW_CRC_OK(crc, jcrc(h, 8));
}

static long rtime(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	size_t pos = 0, outpos = 0, positions[256] = {0};

	while (outpos < outlen) {
		uint8_t value, repeat;
		size_t back;
		if (pos + 2 > inlen)
			return JCS_EPARSE;
		value = in[pos++];
		repeat = in[pos++];
		out[outpos++] = value;
		back = positions[value];
		positions[value] = outpos;
		if (repeat > outlen - outpos)
			return JCS_EPARSE;
		while (repeat--)
			out[outpos++] = out[back++];
	}
	return (long)outpos;
}

static long decompress(uint8_t compr, const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	static uint8_t props[5] = {0, 0, 0x20, 0, 0}; /* lc0 lp0 pb0, 8 KiB dictionary (kernel defaults) */
	switch (compr) {
	case 0: /* none */
		if (inlen < outlen)
			return JCS_EPARSE;
		memcpy(out, in, outlen);
		return (long)outlen;
	case 1: /* zero */
		memset(out, 0, outlen);
		return (long)outlen;
	case 2: return rtime(in, inlen, out, outlen);
	case 6: return jcs_fw_decompress(JCS_FW_ZLIB, in, inlen, out, outlen);
	case 7: return jcs_fw_decompress(JCS_FW_LZO, in, inlen, out, outlen);
	case 8: {
		uint8_t *tmp = malloc(inlen + 5);
		long n;
		if (!tmp)
			return JCS_ENOMEM;
		memcpy(tmp, props, 5);
		memcpy(tmp + 5, in, inlen);
		n = jcs_fw_decompress(JCS_FW_LZMA_RAW, tmp, inlen + 5, out, outlen);
		free(tmp);
		return n;
	}
	default: return JCS_EUNSUPPORTED; /* rubin, dynrubin */
	}
}

static int same_name(const struct jdirent *x, const struct jdirent *y)
{
	if (x->nsize != y->nsize)
		return x->nsize < y->nsize ? -1 : 1;
	return memcmp(x->name, y->name, x->nsize);
}

/* parent, name, version: the newest dirent of each name ends its run */
static int by_pino(const void *a, const void *b)
{
	const struct jdirent *x = a, *y = b;
	int c;
	if (x->pino != y->pino)
		return x->pino < y->pino ? -1 : 1;
	if ((c = same_name(x, y)))
		return c;
	return x->version < y->version ? -1 : x->version > y->version;
}

static int by_ino(const void *a, const void *b)
{
	const struct jinode *x = a, *y = b;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->version < y->version ? -1 : x->version > y->version;
}

/* First index of ino in the sorted inode-node array, or nin. */
static size_t find_ino(const struct jf *j, uint32_t ino)
{
	size_t lo = 0, hi = j->nin;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (j->in[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int emit_ino(struct jf *j, uint32_t ino, uint8_t dtype);

static int walk_dir(struct jf *j, uint32_t pino)
{
	size_t lo = 0, hi = j->nd, base = strlen(j->path);
	int rc = 0;

	for (int i = 0; i < j->depth; i++)
		if (j->stack[i] == pino) {
			jcs_fw_problem(j->w, 0, "directory loop at %.300s (inode %u)", j->path, pino);
			return 0;
		}
	if (j->depth >= J_DEPTH_MAX) {
		jcs_fw_problem(j->w, 0, "directory %.300s nested too deep: not descended", j->path);
		return 0;
	}
	j->stack[j->depth++] = pino;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (j->d[mid].pino < pino)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < j->nd && j->d[i].pino == pino && rc == 0; i++) {
		const struct jdirent *e = &j->d[i];
		/* only the newest dirent of each name counts (ino 0 = deleted) */
		if ((i + 1 < j->nd && j->d[i + 1].pino == pino && same_name(&j->d[i + 1], e) == 0) || e->ino == 0)
			continue;
		if ((rc = jcs_fw_charge(j->w, 1)))
			break;
		snprintf(j->path + base, sizeof(j->path) - base, "/%.*s", (int)e->nsize, (const char *)e->name);
		rc = emit_ino(j, e->ino, e->type);
		j->path[base] = 0;
	}
	j->depth--;
	return rc;
}

static int emit_ino(struct jf *j, uint32_t ino, uint8_t dtype)
{
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(j->w);
	size_t first = find_ino(j, ino), last = first, o;
	struct jcs_fw_file f = {.path = j->path};
	uint8_t *buf = NULL;
	uint32_t isize;
	int rc;

	while (last < j->nin && j->in[last].ino == ino)
		last++;
	if (first == last) { /* directories may have no inode node in old images */
		if (dtype != 4) {
			jcs_fw_problem(j->w, 0, "%.300s: no inode node for inode %u", j->path, ino);
			return 0;
		}
		f.type = JCS_FW_DIR;
		f.mode = 0755;
	} else {
		struct jcs_cur c;
		uint32_t mode;
		o = j->in[last - 1].off; /* newest node: metadata */
		c = node(j, o, 68);
		jcs_cur_seek(&c, 20);
		mode = jcs_cur_u32e(&c, j->be);
		f.mode = mode & 07777;
		f.uid = jcs_cur_u16e(&c, j->be);
		f.gid = jcs_cur_u16e(&c, j->be);
		isize = jcs_cur_u32e(&c, j->be);
		switch (mode & 0170000) {
		case 0040000: f.type = JCS_FW_DIR; break;
		case 0100000: f.type = JCS_FW_FILE; break;
		case 0120000: f.type = JCS_FW_SYMLINK; break;
		case 0020000: case 0060000: f.type = JCS_FW_DEVICE; break;
		default: f.type = JCS_FW_OTHER; break;
		}
		if (f.type == JCS_FW_FILE || f.type == JCS_FW_SYMLINK) {
			f.size = isize;
			if (isize > lim->max_file_in_memory) {
				jcs_fw_problem(j->w, o, "file %.300s (%u bytes) larger than the in-memory cap: not analysed",
					       j->path, isize);
				isize = 0;
			} else if (!(buf = calloc(1, (size_t)isize + 1))) {
				return JCS_ENOMEM;
			}
			for (size_t k = first; k < last && buf; k++) {
				size_t n = j->in[k].off;
				struct jcs_cur dn = node(j, n, j->in[k].totlen);
				uint32_t off, csize, dsize;
				const uint8_t *data;
				uint8_t compr;
				long got;
				jcs_cur_seek(&dn, 44);
				off = jcs_cur_u32e(&dn, j->be);
				csize = jcs_cur_u32e(&dn, j->be);
				dsize = jcs_cur_u32e(&dn, j->be);
				compr = jcs_cur_u8(&dn);
				jcs_cur_seek(&dn, 68);
				data = jcs_cur_take(&dn, csize);
				if (dsize == 0)
					continue;
				if ((rc = jcs_fw_charge(j->w, jcs_fw_bytes_steps(dsize)))) {
					free(buf);
					return rc;
				}
				if (!data || off > isize || dsize > isize - off) {
					if (off < isize) /* nodes past a later truncation are normal */
						jcs_fw_problem(j->w, n, "%.300s: data node out of range", j->path);
					continue;
				}
				got = decompress(compr, data, csize, buf + off, dsize);
				if (got != (long)dsize)
					jcs_fw_problem(j->w, n, "%.300s: data node (compressor %u) %s", j->path, compr,
						       got == JCS_EUNSUPPORTED ? "not supported" : "does not decompress");
			}
			if (f.type == JCS_FW_FILE) {
				f.data = buf;
				f.len = buf ? isize : 0;
			} else {
				f.link = buf ? (const char *)buf : "";
			}
		} else {
			f.size = 0;
		}
	}
	rc = jcs_fw_emit(j->w, &f, JCS_FW_EMIT_LEAF);
	free(buf);
	if (rc == 0 && f.type == JCS_FW_DIR)
		rc = walk_dir(j, ino);
	return rc;
}

static int jffs2_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct jcs_cur m = jcs_cur_make(p, len);
	struct jf j = {.w = w, .p = p, .len = len, .be = jcs_cur_u8(&m) == 0x19}; /* magic 0x1985 stored big-endian */
	size_t o = 0, end = 0, gap_start = 0;
	uint32_t tot;
	uint16_t type;
	int rc = 0;

	if (!node_at(&j, 0, &tot, &type))
		return JCS_ENOTFOUND;
	while (o + 12 <= len) {
		struct jcs_cur c;
		if (!node_at(&j, o, &tot, &type)) {
			o += 4;
			if (o - gap_start > J_GAP_MAX)
				break;
			continue;
		}
		if (j.nd + j.nin >= J_NODES_MAX) {
			rc = jcs_err_set(err, JCS_ELIMIT, "more than %u JFFS2 nodes", J_NODES_MAX);
			goto out;
		}
		if ((rc = jcs_fw_charge(w, 1)))
			goto out;
		c = node(&j, o, tot);
		jcs_cur_seek(&c, 12);
		switch (type) {
		case J_DIRENT:
			if (tot >= 40) {
				struct jdirent d;
				d.pino = jcs_cur_u32e(&c, j.be);
				d.version = jcs_cur_u32e(&c, j.be);
				d.ino = jcs_cur_u32e(&c, j.be);
				jcs_cur_skip(&c, 4); /* mctime */
				d.nsize = jcs_cur_u8(&c);
				d.type = jcs_cur_u8(&c);
				jcs_cur_skip(&c, 10); /* unused, node and name CRCs */
				d.name = jcs_cur_take(&c, d.nsize);
				if (c.bad)
					break;
				if (j.nd == j.capd) {
					struct jdirent *nd = realloc(j.d, (j.capd = j.capd ? j.capd * 2 : 256) * sizeof(*nd));
					if (!nd) {
						rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
						goto out;
					}
					j.d = nd;
				}
				j.d[j.nd++] = d;
			}
			break;
		case J_INODE:
			if (tot >= 68) {
				if (j.nin == j.capin) {
					struct jinode *ni = realloc(j.in, (j.capin = j.capin ? j.capin * 2 : 256) * sizeof(*ni));
					if (!ni) {
						rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
						goto out;
					}
					j.in = ni;
				}
				uint32_t ino = jcs_cur_u32e(&c, j.be);
				j.in[j.nin++] = (struct jinode){ino, jcs_cur_u32e(&c, j.be), o, tot};
			}
			break;
		default: /* cleanmarkers, padding, summaries, xattrs */
			break;
		}
		o += (tot + 3) & ~3u;
		end = o < len ? o : len;
		gap_start = o;
	}
	*used = end;
	if (j.nd == 0 && j.nin == 0)
		goto out;
	if (j.nd > 1)
		qsort(j.d, j.nd, sizeof(*j.d), by_pino);
	if (j.nin > 1)
		qsort(j.in, j.nin, sizeof(*j.in), by_ino);
	rc = walk_dir(&j, 1);
	if (rc == JCS_ENOMEM)
		jcs_err_set(err, rc, "out of memory");
out:
	free(j.d);
	free(j.in);
	return rc;
}

const struct jcs_fw_unpacker jcs_fw_unpack_jffs2 = {
	.name = "jffs2",
	.sigs = {{"\x85\x19", 2, 0}, {"\x19\x85", 2, 0}},
	.unpack = jffs2_unpack,
};
