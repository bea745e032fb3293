/* YAFFS2 (little- and big-endian, no magic): detected by structure — the first chunk must be
 * a plausible object header whose spare area carries packed tags (sequence number, object
 * id, chunk 0). Page size, spare size and tag position are found by trying the common NAND
 * geometries. Objects are indexed (offsets only) and files rebuilt chunk by chunk; the newest
 * headers are sorted by parent once, so listing a directory is a binary search. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ckd.h"
#include "core/cur.h"
#include "firmware/unpack/unpack.h"

#define Y_DEPTH_MAX 64
#define Y_SEQ_MIN 0x1000u
#define Y_SEQ_MAX 0xefffff00u
#define Y_ROOT 1u
#define Y_OBJ_MAX 0x40000u /* object ids are 18 bits */

struct ychunk {
	uint32_t obj, chunk, seq, nbytes;
	uint32_t parent; /* headers: the parent object */
	size_t off; /* chunk data offset */
};

struct yf {
	struct jcs_fw_walk *w;
	const uint8_t *p;
	size_t len;
	bool be;
	size_t page, spare, tagoff;
	struct ychunk *hdr, *dat; /* object headers and data chunks, by object */
	size_t nhdr, ndat;
	const struct ychunk **kids; /* the newest header of each object, by parent */
	size_t nkids;
	uint32_t stack[Y_DEPTH_MAX];
	int depth;
	char path[4096];
};

/* A cursor over the page (data part) of the chunk at off, positioned at at. */
static struct jcs_cur page_at(const struct yf *y, size_t off, size_t at)
{
	struct jcs_cur all = jcs_cur_make(y->p, y->len), c = jcs_cur_at(&all, off, y->page);
	jcs_cur_seek(&c, at);
	return c;
}

static bool tags(const struct yf *y, size_t chunk_off, struct ychunk *t)
{
	struct jcs_cur all = jcs_cur_make(y->p, y->len), s;
	uint32_t obj;

	if (y->tagoff + 16 > y->spare || !jcs_range_ok(chunk_off, y->page + y->spare, y->len))
		return false;
	s = jcs_cur_at(&all, chunk_off + y->page + y->tagoff, 16);
	t->seq = jcs_cur_u32e(&s, y->be);
	obj = jcs_cur_u32e(&s, y->be);
	t->obj = obj & 0x0fffffff; /* top bits: extra header info flags */
	t->chunk = jcs_cur_u32e(&s, y->be);
	t->nbytes = jcs_cur_u32e(&s, y->be);
	t->off = chunk_off;
	t->parent = 0;
	if (obj & 0x80000000u) /* extra-info header tags: chunk id holds parent info */
		t->chunk = 0;
	return !s.bad && t->seq >= Y_SEQ_MIN && t->seq <= Y_SEQ_MAX && t->obj != 0 && t->obj < Y_OBJ_MAX;
}

/* The object header at off: type, parent and name (NUL-terminated inside its 256 bytes). */
static bool plausible_header(const struct yf *y, size_t off, uint32_t *parent)
{
	struct jcs_cur c = page_at(y, off, 0);
	uint32_t type = jcs_cur_u32e(&c, y->be);
	const uint8_t *name;
	size_t n;

	*parent = jcs_cur_u32e(&c, y->be);
	jcs_cur_skip(&c, 2); /* sum */
	name = jcs_cur_take(&c, 256);
	if (!name || type < 1 || type > 5 || *parent == 0 || (n = strnlen((const char *)name, 256)) == 0 || n == 256)
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] < 0x20 || name[i] == '/')
			return false;
	return true;
}

static bool detect(struct yf *y)
{
	static const size_t geo[][2] = {{2048, 64}, {512, 16}, {4096, 128}, {4096, 224}, {8192, 448}, {1024, 32}};

	for (int be = 0; be < 2; be++)
		for (size_t g = 0; g < sizeof(geo) / sizeof(geo[0]); g++)
			for (size_t to = 0; to <= 2; to += 2) {
				struct ychunk t;
				uint32_t parent;
				y->be = be;
				y->page = geo[g][0];
				y->spare = geo[g][1];
				y->tagoff = to;
				if (y->len >= y->page + y->spare && plausible_header(y, 0, &parent) && tags(y, 0, &t) &&
				    t.chunk == 0)
					return true;
			}
	return false;
}

static int by_obj(const void *a, const void *b)
{
	const struct ychunk *x = a, *z = b;
	if (x->obj != z->obj)
		return x->obj < z->obj ? -1 : 1;
	if (x->chunk != z->chunk)
		return x->chunk < z->chunk ? -1 : 1;
	return x->seq < z->seq ? -1 : x->seq > z->seq;
}

static int by_parent(const void *a, const void *b)
{
	const struct ychunk *x = *(const struct ychunk *const *)a, *z = *(const struct ychunk *const *)b;
	if (x->parent != z->parent)
		return x->parent < z->parent ? -1 : 1;
	return x->obj < z->obj ? -1 : x->obj > z->obj;
}

static const struct ychunk *find_hdr(const struct yf *y, uint32_t obj)
{
	size_t lo = 0, hi = y->nhdr;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (y->hdr[mid].obj < obj)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the newest header of obj is the last of its run */
	if (lo == y->nhdr || y->hdr[lo].obj != obj)
		return NULL;
	while (lo + 1 < y->nhdr && y->hdr[lo + 1].obj == obj)
		lo++;
	return &y->hdr[lo];
}

static int walk_dir(struct yf *y, uint32_t dir);

static int emit_obj(struct yf *y, const struct ychunk *h)
{
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(y->w);
	struct jcs_cur o = page_at(y, h->off, 0);
	uint32_t type = jcs_cur_u32e(&o, y->be), mode, size32, equiv;
	struct jcs_fw_file f = {.path = y->path};
	const uint8_t *a;
	uint8_t *buf = NULL;
	char alias[161];
	int rc;

	jcs_cur_seek(&o, 0x10c);
	mode = jcs_cur_u32e(&o, y->be);
	f.mode = mode & 07777;
	f.uid = jcs_cur_u32e(&o, y->be);
	f.gid = jcs_cur_u32e(&o, y->be);
	jcs_cur_seek(&o, 0x124);
	size32 = jcs_cur_u32e(&o, y->be);
	equiv = jcs_cur_u32e(&o, y->be);
	a = jcs_cur_take(&o, 160);
	if (o.bad)
		return 0; /* not reached: pages are at least 512 bytes */
	switch (type) {
	case 1: { /* file: data chunks of this object, newest per chunk id */
		uint64_t size = size32, want = (size + y->page - 1) / y->page, have = 0;
		size_t lo = 0, hi = y->ndat;
		f.type = JCS_FW_FILE;
		f.size = size;
		if (size > lim->max_file_in_memory) {
			jcs_fw_problem(y->w, h->off, "file %.300s (%llu bytes) larger than the in-memory cap: not analysed",
				       y->path, (unsigned long long)size);
			break;
		}
		if (!(buf = calloc(1, size ? size : 1)))
			return JCS_ENOMEM;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (y->dat[mid].obj < h->obj)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < y->ndat && y->dat[i].obj == h->obj; i++) {
			const struct ychunk *d = &y->dat[i];
			uint64_t at = (uint64_t)(d->chunk - 1) * y->page;
			size_t n = d->nbytes > y->page ? y->page : d->nbytes;
			struct jcs_cur dc = page_at(y, d->off, 0);
			if ((rc = jcs_fw_charge(y->w, 1))) {
				free(buf);
				return rc;
			}
			if (at >= size)
				continue;
			if (n > size - at)
				n = (size_t)(size - at);
			memcpy(buf + at, jcs_cur_take(&dc, n), n); /* later (newer) chunks overwrite older ones */
			have += i == lo || y->dat[i - 1].chunk != d->chunk;
		}
		if (have < want)
			jcs_fw_problem(y->w, h->off, "file %.300s: %llu of its %llu data chunks are missing (truncated or "
				       "damaged image)", y->path, (unsigned long long)(want - have), (unsigned long long)want);
		f.data = buf;
		f.len = (size_t)size;
		break;
	}
	case 2: /* symlink */
		memcpy(alias, a, 160);
		alias[160] = 0;
		f.type = JCS_FW_SYMLINK;
		f.link = alias;
		f.size = strlen(alias);
		break;
	case 3: f.type = JCS_FW_DIR; break;
	case 4: { /* hard link to equiv_id */
		const struct ychunk *e = find_hdr(y, equiv);
		struct jcs_cur ec = e ? page_at(y, e->off, 10) : jcs_cur_make(NULL, 0);
		const uint8_t *name = jcs_cur_take(&ec, 256); /* NUL-terminated (plausible_header) */
		f.type = JCS_FW_HARDLINK;
		snprintf(alias, sizeof(alias), "%.150s", name ? (const char *)name : "?");
		f.link = alias;
		break;
	}
	default: f.type = (mode & 0170000) == 0020000 || (mode & 0170000) == 0060000 ? JCS_FW_DEVICE : JCS_FW_OTHER; break;
	}
	rc = jcs_fw_emit(y->w, &f, JCS_FW_EMIT_LEAF);
	free(buf);
	if (rc == 0 && type == 3)
		rc = walk_dir(y, h->obj);
	return rc;
}

static int walk_dir(struct yf *y, uint32_t dir)
{
	size_t base = strlen(y->path), lo = 0, hi = y->nkids;
	int rc = 0;

	for (int i = 0; i < y->depth; i++)
		if (y->stack[i] == dir) {
			jcs_fw_problem(y->w, 0, "directory loop at %.300s (object %u)", y->path, dir);
			return 0;
		}
	if (y->depth >= Y_DEPTH_MAX) {
		jcs_fw_problem(y->w, 0, "directory %.300s nested too deep: not descended", y->path);
		return 0;
	}
	y->stack[y->depth++] = dir;
	while (lo < hi) { /* the first child of dir */
		size_t mid = (lo + hi) / 2;
		if (y->kids[mid]->parent < dir)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < y->nkids && y->kids[i]->parent == dir && rc == 0; i++) {
		const struct ychunk *h = y->kids[i];
		struct jcs_cur c = page_at(y, h->off, 10);
		const uint8_t *name = jcs_cur_take(&c, 256); /* NUL-terminated (plausible_header) */
		if (h->obj == dir || !name)
			continue;
		if ((rc = jcs_fw_charge(y->w, 1)))
			break;
		snprintf(y->path + base, sizeof(y->path) - base, "/%.255s", (const char *)name);
		rc = emit_obj(y, h);
		y->path[base] = 0;
	}
	y->depth--;
	return rc;
}

static int yaffs2_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct yf y = {.w = w, .p = p, .len = len};
	size_t caph = 0, capd = 0, off;
	int rc = 0;

	if (!detect(&y))
		return JCS_ENOTFOUND;
	for (off = 0; off + y.page + y.spare <= len; off += y.page + y.spare) {
		struct ychunk t;
		struct ychunk **arr;
		size_t *n, *cap;
		if ((rc = jcs_fw_charge(w, 1)))
			goto out;
		if (!tags(&y, off, &t))
			continue; /* erased or bad chunk */
		if (t.chunk == 0 && !plausible_header(&y, off, &t.parent)) {
			jcs_fw_problem(w, off, "object header for object %u is corrupt", t.obj);
			continue;
		}
		arr = t.chunk == 0 ? &y.hdr : &y.dat;
		n = t.chunk == 0 ? &y.nhdr : &y.ndat;
		cap = t.chunk == 0 ? &caph : &capd;
		if (*n == *cap) {
			struct ychunk *na = realloc(*arr, (*cap = *cap ? *cap * 2 : 256) * sizeof(*na));
			if (!na) {
				rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
				goto out;
			}
			*arr = na;
		}
		(*arr)[(*n)++] = t;
	}
	/* YAFFS2 declares no size: an image that ends inside a chunk was cut, and objects may be lost */
	for (struct jcs_cur all = jcs_cur_make(p, len), tail = jcs_cur_at(&all, off, len - off); jcs_cur_left(&tail);)
		if (jcs_cur_u8(&tail) != 0xff) {
			jcs_fw_problem(w, off, "YAFFS2 truncated: the image ends %zu bytes into a %zu-byte chunk", len - off,
				       y.page + y.spare);
			break;
		}
	*used = off;
	if (y.nhdr > 1)
		qsort(y.hdr, y.nhdr, sizeof(*y.hdr), by_obj);
	if (y.ndat > 1)
		qsort(y.dat, y.ndat, sizeof(*y.dat), by_obj);
	if (y.nhdr && !(y.kids = malloc(y.nhdr * sizeof(*y.kids)))) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < y.nhdr; i++) /* the newest header of each object ends its run */
		if (i + 1 == y.nhdr || y.hdr[i + 1].obj != y.hdr[i].obj)
			y.kids[y.nkids++] = &y.hdr[i];
	if (y.nkids > 1)
		qsort(y.kids, y.nkids, sizeof(*y.kids), by_parent);
	rc = walk_dir(&y, Y_ROOT);
	if (rc == JCS_ENOMEM)
		jcs_err_set(err, rc, "out of memory");
out:
	free(y.kids);
	free(y.hdr);
	free(y.dat);
	return rc;
}

const struct jcs_fw_unpacker jcs_fw_unpack_yaffs2 = {
	.name = "yaffs2",
	.sigs = {{NULL, 0, 0}},
	.unpack = yaffs2_unpack,
};
