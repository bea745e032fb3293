/* SquashFS 4.0 (little-endian, every compressor) via libsquashfs from squashfs-tools-ng,
 * reading from the mapped image through a bounds-checked sqfs_file_t. Directories are walked
 * one at a time (never the whole tree in memory); loops and depth are capped.
 * File data is decompressed on all cores (lim->jobs): worker threads, each with its own
 * decompressor and data reader, read the files of the current directory ahead of the walk
 * into a bounded window (READ_AHEAD_FILES files, READ_AHEAD_BYTES bytes), while the walk
 * hands them to the sink in directory order, so the stream is the same for any thread count
 * and memory stays bounded whatever the image size. Each worker has its own queue: the files
 * whose tails share a fragment block go to the same worker (fragment index modulo the
 * workers), whose data reader keeps that block decompressed; spread round-robin, every worker
 * decompressed every fragment block again (a third more CPU than unsquashfs on /usr). Files
 * without a fragment go to the worker with the fewest queued bytes. The worker that read a file
 * also runs the sink's prescan on it (the SBOM signature scan, fwfile.h), so that per-file
 * analysis runs on every core while the sink still sees the files in order. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
#include <sqfs/dir.h>
#include <sqfs/error.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_reader.h>
#include <sqfs/super.h>

#include "core/ckd.h"
#include "core/cur.h"
#include "firmware/audit/audit.h"
#include "firmware/unpack/unpack.h"

#define SQ_DEPTH_MAX 64
#define READ_AHEAD_FILES 64
#define READ_AHEAD_BYTES ((size_t)32 << 20)
#define MAX_WORKERS 64

struct memfile {
	sqfs_file_t base;
	const uint8_t *p;
	size_t len;
};

static int mem_read_at(sqfs_file_t *f, sqfs_u64 off, void *buf, size_t size)
{
	struct memfile *m = (struct memfile *)f;

	if (off > m->len || size > m->len - off)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	memcpy(buf, m->p + off, size);
	return 0;
}

static int mem_write_at(sqfs_file_t *f, sqfs_u64 off, const void *buf, size_t size)
{
	(void)f; (void)off; (void)buf; (void)size;
	return SQFS_ERROR_IO;
}

static sqfs_u64 mem_size(const sqfs_file_t *f)
{
	return ((const struct memfile *)f)->len;
}

static int mem_truncate(sqfs_file_t *f, sqfs_u64 size)
{
	(void)f; (void)size;
	return SQFS_ERROR_IO;
}

static void mem_destroy(sqfs_object_t *o)
{
	(void)o; /* lives on the stack */
}

/* Decompressor for ids libsquashfs was built without (Debian's lacks lzo). */
struct owncmp {
	sqfs_compressor_t base;
	enum jcs_fw_comp comp;
};

static sqfs_s32 own_do_block(sqfs_compressor_t *c, const sqfs_u8 *in, sqfs_u32 size, sqfs_u8 *out,
			     sqfs_u32 outsize)
{
	long n = jcs_fw_decompress(((struct owncmp *)c)->comp, in, size, out, outsize);
	return n < 0 ? SQFS_ERROR_COMPRESSOR : (sqfs_s32)n;
}

static int own_options(sqfs_compressor_t *c, sqfs_file_t *f)
{
	(void)c; (void)f;
	return 0;
}

static void own_destroy(sqfs_object_t *o)
{
	free(o);
}

static sqfs_compressor_t *own_compressor(unsigned id)
{
	static const enum jcs_fw_comp map[] = {[1] = JCS_FW_ZLIB, [2] = JCS_FW_LZMA_ALONE, [3] = JCS_FW_LZO,
					       [4] = JCS_FW_XZ, [5] = JCS_FW_LZ4, [6] = JCS_FW_ZSTD};
	struct owncmp *c;

	if (id < 1 || id > 6 || !(c = calloc(1, sizeof(*c))))
		return NULL;
	c->base.base.destroy = own_destroy;
	c->base.read_options = own_options;
	c->base.do_block = own_do_block;
	c->comp = map[id];
	return &c->base;
}

/* One file read by a worker. */
struct job {
	unsigned lane; /* the worker whose queue holds it */
	const sqfs_inode_generic_t *in;
	uint8_t *buf;
	size_t size;
	sqfs_s32 got; /* bytes read or a negative SQFS_ERROR */
	void *note;   /* the sink's prescan of the bytes, or NULL */
	bool done;
	struct job *next;
};

/* Worker threads reading file data ahead of the walk. */
struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct job *head[MAX_WORKERS], *tail[MAX_WORKERS]; /* one FIFO per worker */
	size_t queued[MAX_WORKERS]; /* bytes in each queue (and in the worker's hands) */
	bool quit;
	pthread_t tids[MAX_WORKERS];
	struct lane_arg {
		struct pool *p;
		unsigned lane;
	} args[MAX_WORKERS];
	unsigned n;
	/* what a worker needs to make its own decompressor and data reader */
	sqfs_file_t *file;
	const sqfs_super_t *super;
	const struct jcs_fw_prescan *pre; /* run on the bytes read, or NULL */
};

struct sq {
	struct jcs_fw_walk *w;
	const sqfs_super_t *super;
	sqfs_meta_reader_t *im, *dm; /* inode table, directory table */
	sqfs_data_reader_t *data;
	sqfs_id_table_t *ids;
	struct pool *pool; /* NULL = read on the walking thread */
	size_t inflight;   /* bytes read ahead and not yet consumed, over every open directory */
	uint8_t *buf;
	size_t bufcap;
	uint32_t stack[SQ_DEPTH_MAX];
	int depth;
	char path[4096];
};

struct child {
	sqfs_inode_generic_t *inode;
	char *name;
	struct job *job; /* read ahead, or NULL */
};

/* libsquashfs's decompressor for id, or ours for the ones it was built without. */
static sqfs_compressor_t *make_compressor(const sqfs_super_t *super)
{
	sqfs_compressor_config_t cfg;
	sqfs_compressor_t *cmp = NULL;

	if (sqfs_compressor_config_init(&cfg, (SQFS_COMPRESSOR)super->compression_id, super->block_size,
					SQFS_COMP_FLAG_UNCOMPRESS) ||
	    sqfs_compressor_create(&cfg, &cmp))
		cmp = own_compressor(super->compression_id);
	return cmp;
}

static bool is_file(const sqfs_inode_generic_t *in)
{
	return in->base.type == SQFS_INODE_FILE || in->base.type == SQFS_INODE_EXT_FILE;
}

static void *worker(void *arg)
{
	struct pool *p = ((struct lane_arg *)arg)->p;
	unsigned me = ((struct lane_arg *)arg)->lane;
	sqfs_compressor_t *cmp = make_compressor(p->super);
	sqfs_data_reader_t *dr = cmp ? sqfs_data_reader_create(p->file, p->super->block_size, cmp, 0) : NULL;
	bool ok = dr && sqfs_data_reader_load_fragment_table(dr, p->super) == 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct job *j;
		while (!p->head[me] && !p->quit)
			pthread_cond_wait(&p->work, &p->mu);
		if (!p->head[me])
			break;
		j = p->head[me];
		p->head[me] = j->next;
		if (!p->head[me])
			p->tail[me] = NULL;
		pthread_mutex_unlock(&p->mu);
		j->got = !ok ? SQFS_ERROR_ALLOC
			 : j->size ? sqfs_data_reader_read(dr, j->in, 0, j->buf, (sqfs_u32)j->size) : 0;
		if (p->pre && j->got >= 0 && (size_t)j->got == j->size)
			j->note = p->pre->fn(p->pre->ctx, j->buf, j->size);
		pthread_mutex_lock(&p->mu);
		p->queued[me] -= j->size;
		j->done = true;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	sqfs_destroy(dr);
	sqfs_destroy(cmp);
	return NULL;
}

static void pool_free(struct pool *p);

/* n workers, or NULL (no thread could be started: the walk reads on its own thread). */
static struct pool *pool_new(unsigned n, sqfs_file_t *file, const sqfs_super_t *super,
			     const struct jcs_fw_prescan *pre)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->file = file;
	p->super = super;
	p->pre = pre;
	for (unsigned i = 0; i < n && i < MAX_WORKERS; i++) {
		p->args[p->n] = (struct lane_arg){p, p->n};
		if (pthread_create(&p->tids[p->n], NULL, worker, &p->args[p->n]) == 0)
			p->n++;
	}
	if (p->n == 0) {
		pool_free(p);
		return NULL;
	}
	return p;
}

static void pool_free(struct pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->n; i++)
		pthread_join(p->tids[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* The fragment block holding the file's tail, or UINT32_MAX. */
static uint32_t fragment_of(const sqfs_inode_generic_t *in)
{
	return in->base.type == SQFS_INODE_FILE ? in->data.file.fragment_index : in->data.file_ext.fragment_idx;
}

static void job_submit(struct pool *p, struct job *j)
{
	uint32_t frag = fragment_of(j->in);
	unsigned l = 0;

	pthread_mutex_lock(&p->mu);
	if (frag != UINT32_MAX)
		l = frag % p->n;
	else
		for (unsigned i = 1; i < p->n; i++)
			if (p->queued[i] < p->queued[l])
				l = i;
	j->lane = l;
	p->queued[l] += j->size;
	if (p->tail[l])
		p->tail[l]->next = j;
	else
		p->head[l] = j;
	p->tail[l] = j;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
}

static void job_wait(struct pool *p, struct job *j)
{
	pthread_mutex_lock(&p->mu);
	while (!j->done)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

/* Wait for a read-ahead job (a worker may still be on it), free it, give its bytes back. */
static void job_release(struct sq *s, struct job **jp)
{
	struct job *j = *jp;

	if (!j)
		return;
	job_wait(s->pool, j);
	s->inflight -= j->size;
	if (j->note)
		s->pool->pre->free(j->note);
	free(j->buf);
	free(j);
	*jp = NULL;
}

/* Queue reads of the files in kids[from..] while the window has room (the window is shared
 * by the directories open above this one, so memory stays bounded at any depth). */
static void read_ahead(struct sq *s, struct child *kids, size_t n, size_t from, size_t *next)
{
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(s->w);

	for (; *next < n && *next < from + READ_AHEAD_FILES; (*next)++) {
		struct child *k = &kids[*next];
		sqfs_u64 size = 0;
		struct job *j;
		if (!is_file(k->inode))
			continue;
		sqfs_inode_get_file_size(k->inode, &size);
		if (size > lim->max_file_in_memory || size == 0)
			continue;
		if (s->inflight && s->inflight + size > READ_AHEAD_BYTES)
			break;
		j = calloc(1, sizeof(*j));
		if (j)
			j->buf = malloc((size_t)size);
		if (!j || !j->buf) {
			free(j);
			break; /* read on the walking thread instead */
		}
		j->in = k->inode;
		j->size = (size_t)size;
		k->job = j;
		s->inflight += (size_t)size;
		job_submit(s->pool, j);
	}
}

static const char *sqerr(int e)
{
	switch (e) {
	case SQFS_ERROR_ALLOC: return "out of memory";
	case SQFS_ERROR_COMPRESSOR: return "decompression failed";
	case SQFS_ERROR_CORRUPTED: return "corrupted structure";
	case SQFS_ERROR_UNSUPPORTED: return "unsupported feature";
	case SQFS_ERROR_OVERFLOW: return "numeric overflow";
	case SQFS_ERROR_OUT_OF_BOUNDS: return "reference outside the image";
	case SQFS_ERROR_LINK_LOOP: return "link loop";
	default: return "read error";
	}
}

static int emit_inode(struct sq *s, const sqfs_inode_generic_t *in, struct job *job)
{
	struct jcs_fw_file f = {.path = s->path, .mode = in->base.mode & 07777};
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(s->w);
	char *target = NULL;
	int rc;

	sqfs_id_table_index_to_id(s->ids, in->base.uid_idx, &f.uid);
	sqfs_id_table_index_to_id(s->ids, in->base.gid_idx, &f.gid);
	switch (in->base.type) {
	case SQFS_INODE_DIR:
	case SQFS_INODE_EXT_DIR:
		f.type = JCS_FW_DIR;
		break;
	case SQFS_INODE_FILE:
	case SQFS_INODE_EXT_FILE: {
		sqfs_u64 size = 0;
		f.type = JCS_FW_FILE;
		sqfs_inode_get_file_size(in, &size);
		f.size = size;
		if (job) {
			job_wait(s->pool, job);
			if (job->got < 0 || (sqfs_u64)job->got != size) {
				jcs_fw_problem(s->w, 0, "file %.300s: %s", s->path, job->got < 0 ? sqerr(job->got) : "short read");
				return 0;
			}
			f.data = job->buf;
			f.len = (size_t)size;
			f.prescan = job->note;
		} else if (size <= lim->max_file_in_memory) {
			sqfs_s32 n;
			if (size > s->bufcap) {
				uint8_t *nb = realloc(s->buf, size);
				if (!nb)
					return JCS_ENOMEM;
				s->buf = nb;
				s->bufcap = size;
			}
			n = size ? sqfs_data_reader_read(s->data, in, 0, s->buf, (sqfs_u32)size) : 0;
			if (n < 0 || (sqfs_u64)n != size) {
				jcs_fw_problem(s->w, 0, "file %.300s: %s", s->path, n < 0 ? sqerr(n) : "short read");
				return 0;
			}
			f.data = s->buf;
			f.len = (size_t)size;
		} else {
			jcs_fw_problem(s->w, 0, "file %.300s (%llu bytes) larger than the in-memory cap: not analysed",
				       s->path, (unsigned long long)size);
		}
		break;
	}
	case SQFS_INODE_SLINK:
	case SQFS_INODE_EXT_SLINK: {
		uint32_t n = in->base.type == SQFS_INODE_SLINK ? in->data.slink.target_size
							       : in->data.slink_ext.target_size;
		if (n > in->payload_bytes_used)
			n = in->payload_bytes_used;
		target = malloc(n + 1);
		if (!target)
			return JCS_ENOMEM;
		memcpy(target, in->extra, n);
		target[n] = 0;
		f.type = JCS_FW_SYMLINK;
		f.link = target;
		f.size = n;
		break;
	}
	case SQFS_INODE_BDEV: case SQFS_INODE_CDEV: case SQFS_INODE_EXT_BDEV: case SQFS_INODE_EXT_CDEV:
		f.type = JCS_FW_DEVICE;
		break;
	default:
		f.type = JCS_FW_OTHER;
		break;
	}
	rc = jcs_fw_emit(s->w, &f, JCS_FW_EMIT_LEAF);
	free(target);
	return rc;
}

enum { SQ_TOO_BIG = 1, SQ_SPENT = 2 }; /* read_inode's refusals; positive: never an SQFS_ERROR */

/* Read the inode at iref (block << 16 | offset in the inode table). libsquashfs allocates a
 * file's block list from the size the inode claims (one word per block) before reading it,
 * so the claim is read here first: a size beyond what the image can expand to (max_ratio
 * times its size) is refused before any allocation (SQ_TOO_BIG, the size in *claimed), and
 * the list's length is charged to the work budget (SQ_SPENT once it is spent). Otherwise
 * 0 or a negative SQFS_ERROR. */
static int read_inode(struct sq *s, sqfs_u64 iref, sqfs_inode_generic_t **in, uint64_t *claimed)
{
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(s->w);
	uint8_t raw[16 + 40]; /* the common header, then a file's fixed part (extended: 40 bytes) */
	struct jcs_cur c = jcs_cur_make(raw, sizeof(raw));
	uint64_t size = 0, cap, blocks;
	uint32_t frag_idx = 0, frag_off = 0;
	uint16_t type;
	int r;

	if ((r = sqfs_meta_reader_seek(s->im, s->super->inode_table_start + (iref >> 16), iref & 0xffff)) ||
	    (r = sqfs_meta_reader_read(s->im, raw, 16)))
		return r;
	type = jcs_cur_u16le(&c);
	jcs_cur_seek(&c, 16);
	if (type == SQFS_INODE_FILE) {
		if ((r = sqfs_meta_reader_read(s->im, raw + 16, 16)))
			return r;
		jcs_cur_skip(&c, 4); /* blocks_start */
		frag_idx = jcs_cur_u32le(&c);
		frag_off = jcs_cur_u32le(&c);
		size = jcs_cur_u32le(&c);
	} else if (type == SQFS_INODE_EXT_FILE) {
		if ((r = sqfs_meta_reader_read(s->im, raw + 16, 40)))
			return r;
		jcs_cur_skip(&c, 8); /* blocks_start */
		size = jcs_cur_u64le(&c);
		jcs_cur_skip(&c, 12); /* sparse, nlink */
		frag_idx = jcs_cur_u32le(&c);
		frag_off = jcs_cur_u32le(&c);
	}
	if (jcs_mul_overflow(s->super->bytes_used, (uint64_t)lim->max_ratio, &cap))
		cap = UINT64_MAX;
	*claimed = size;
	if (size > cap)
		return SQ_TOO_BIG;
	blocks = size / s->super->block_size + (size % s->super->block_size && (frag_idx == 0xffffffff ||
										  frag_off == 0xffffffff));
	if (jcs_fw_charge(s->w, jcs_fw_bytes_steps(blocks * 4)))
		return SQ_SPENT;
	return sqfs_meta_reader_read_inode(s->im, s->super, iref >> 16, iref & 0xffff, in);
}

static int walk_dir(struct sq *s, const sqfs_inode_generic_t *dir)
{
	struct child *kids = NULL;
	size_t n = 0, cap = 0, base = strlen(s->path), ahead = 0;
	sqfs_readdir_state_t st;
	sqfs_dir_entry_t *ent;
	sqfs_u64 iref;
	uint64_t claimed;
	int rc = 0, r;

	if (s->depth >= SQ_DEPTH_MAX) {
		jcs_fw_problem(s->w, 0, "directory %.300s nested too deep: not descended", s->path);
		return 0;
	}
	for (int i = 0; i < s->depth; i++)
		if (s->stack[i] == dir->base.inode_number) {
			jcs_fw_problem(s->w, 0, "directory loop at %.300s (inode %u)", s->path, dir->base.inode_number);
			return 0;
		}
	s->stack[s->depth++] = dir->base.inode_number;
	if ((r = sqfs_readdir_state_init(&st, s->super, dir)) != 0) {
		jcs_fw_problem(s->w, 0, "directory %.300s: %s", s->path, sqerr(r));
		goto out;
	}
	/* collect this directory's entries first: the reader holds one directory at a time */
	while ((r = sqfs_meta_reader_readdir(s->dm, &st, &ent, NULL, &iref)) == 0) {
		sqfs_inode_generic_t *in = NULL;
		if ((rc = jcs_fw_charge(s->w, 1))) { /* work budget: a shared directory listed everywhere */
			sqfs_free(ent);
			goto out;
		}
		if (n == cap) {
			struct child *nk = realloc(kids, (cap = cap ? cap * 2 : 32) * sizeof(*kids));
			if (!nk) {
				sqfs_free(ent);
				rc = JCS_ENOMEM;
				goto out;
			}
			kids = nk;
		}
		r = read_inode(s, iref, &in, &claimed);
		if (r == SQ_SPENT) {
			sqfs_free(ent);
			rc = JCS_ELIMIT;
			goto out;
		}
		if (r) {
			if (r == SQ_TOO_BIG)
				jcs_fw_problem(s->w, 0, "%.300s/%.*s claims %llu bytes, more than the image can expand to: "
					       "not read", s->path, (int)ent->size + 1, (const char *)ent->name,
					       (unsigned long long)claimed);
			else
				jcs_fw_problem(s->w, 0, "inode of %.300s/%.*s: %s", s->path, (int)ent->size + 1,
					       (const char *)ent->name, sqerr(r));
			sqfs_free(ent);
			continue;
		}
		kids[n].name = strndup((const char *)ent->name, (size_t)ent->size + 1);
		kids[n].inode = in;
		kids[n].job = NULL;
		sqfs_free(ent);
		if (!kids[n].name) {
			sqfs_free(in);
			rc = JCS_ENOMEM;
			goto out;
		}
		n++;
		if (jcs_fw_stopped(s->w))
			goto out;
	}
	if (r < 0)
		jcs_fw_problem(s->w, 0, "directory %.300s: %s", s->path, sqerr(r));
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (s->pool)
			read_ahead(s, kids, n, i, &ahead);
		if (snprintf(s->path + base, sizeof(s->path) - base, "/%s", kids[i].name) >=
		    (int)(sizeof(s->path) - base)) {
			jcs_fw_problem(s->w, 0, "path too long under %.300s", s->path);
			continue;
		}
		rc = emit_inode(s, kids[i].inode, kids[i].job);
		job_release(s, &kids[i].job); /* its bytes are consumed: room in the window */
		if (rc == 0 && (kids[i].inode->base.type == SQFS_INODE_DIR ||
				kids[i].inode->base.type == SQFS_INODE_EXT_DIR))
			rc = walk_dir(s, kids[i].inode);
		s->path[base] = 0;
	}
out:
	for (size_t i = 0; i < n; i++) {
		job_release(s, &kids[i].job); /* a worker may still be reading it */
		free(kids[i].name);
		sqfs_free(kids[i].inode);
	}
	free(kids);
	s->depth--;
	return rc;
}

static int squashfs4_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct memfile mf = {{{mem_destroy, NULL}, mem_read_at, mem_write_at, mem_size, mem_truncate}, p, len};
	struct jcs_cur c = jcs_cur_make(p, len);
	sqfs_compressor_t *cmp = NULL;
	sqfs_inode_generic_t *root = NULL;
	struct sq s = {.w = w};
	sqfs_super_t super;
	uint64_t claimed;
	uint16_t major;
	int rc = 0, r;

	jcs_cur_skip(&c, 28);
	major = jcs_cur_u16le(&c);
	if (c.bad || memcmp(p, "hsqs", 4) || major != 4)
		return JCS_ENOTFOUND; /* v2/v3 and big-endian: squashfs3.c */
	if ((r = sqfs_super_read(&super, &mf.base)) != 0)
		return jcs_err_set(err, JCS_EPARSE, "SquashFS 4 superblock: %s", sqerr(r));
	if (super.bytes_used > len) {
		*used = len;
		return jcs_err_set(err, JCS_EPARSE, "SquashFS truncated: %llu bytes used, %zu present",
				   (unsigned long long)super.bytes_used, len);
	}
	/* libsquashfs sizes its tables from these counts: a count the image cannot hold is corrupt */
	if ((uint64_t)super.id_count * 4 > super.bytes_used || (uint64_t)super.fragment_entry_count * 16 > super.bytes_used ||
	    (uint64_t)super.inode_count * 16 > super.bytes_used * 64 || super.id_table_start >= super.bytes_used ||
	    super.inode_table_start >= super.bytes_used || super.directory_table_start >= super.bytes_used) {
		*used = (size_t)super.bytes_used;
		return jcs_err_set(err, JCS_EPARSE, "SquashFS 4 superblock: counts or table offsets beyond the image");
	}
	*used = (size_t)super.bytes_used;
	mf.len = (size_t)super.bytes_used;
	cmp = make_compressor(&super);
	if (!cmp) {
		return jcs_err_set(err, JCS_EUNSUPPORTED, "SquashFS compressor %u not supported",
				   super.compression_id);
	}
	rc = JCS_ENOMEM;
	s.super = &super;
	if (!(s.ids = sqfs_id_table_create(0)) ||
	    !(s.im = sqfs_meta_reader_create(&mf.base, cmp, super.inode_table_start, super.directory_table_start)) ||
	    !(s.dm = sqfs_meta_reader_create(&mf.base, cmp, super.directory_table_start, super.bytes_used)) ||
	    !(s.data = sqfs_data_reader_create(&mf.base, super.block_size, cmp, 0))) {
		jcs_err_set(err, rc, "out of memory");
		goto out;
	}
	if ((r = sqfs_id_table_read(s.ids, &mf.base, &super, cmp)) != 0 ||
	    (r = sqfs_data_reader_load_fragment_table(s.data, &super)) != 0 ||
	    (r = read_inode(&s, super.root_inode_ref, &root, &claimed)) != 0) {
		rc = jcs_err_set(err, JCS_EPARSE, "SquashFS tables: %s", sqerr(r));
		goto out;
	}
	s.path[0] = 0;
	{
		unsigned threads = jcs_audit_threads(jcs_fw_walk_limits(w)->jobs);
		if (threads > 1)
			s.pool = pool_new(threads, &mf.base, &super, jcs_fw_walk_prescan(w));
	}
	rc = walk_dir(&s, root);
	if (rc < 0 && rc != JCS_ENOMEM && !jcs_fw_stopped(w))
		rc = 0;
	else if (rc == JCS_ENOMEM)
		jcs_err_set(err, rc, "out of memory");
out:
	pool_free(s.pool);
	sqfs_free(root);
	free(s.buf);
	sqfs_destroy(s.data);
	sqfs_destroy(s.dm);
	sqfs_destroy(s.im);
	sqfs_destroy(s.ids);
	sqfs_destroy(cmp);
	return rc;
}

const struct jcs_fw_unpacker jcs_fw_unpack_squashfs4 = {
	.name = "squashfs",
	.sigs = {{"hsqs", 4, 0}},
	.unpack = squashfs4_unpack,
};
