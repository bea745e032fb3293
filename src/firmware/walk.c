/* The firmware walk: one carving pass per blob over every unpacker signature (first-two-bytes
 * filter + dispatch on the first byte), unpack what matches, recurse with a depth limit,
 * normalise names and enforce the global limits. */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "firmware/unpack/unpack.h"

#define CHAIN_MAX 2048
/* After this many bytes handed to the sink, the image's mapped pages are dropped from the
 * process (they stay in the page cache and fault back in when read again), so that the
 * resident size does not grow with the image. */
#define TRIM_BYTES ((uint64_t)32 << 20)
#define PATH_MAX_FW 4096

struct sigref {
	const struct jcs_fw_unpacker *u;
	const struct jcs_fw_sig *s;
};

/* Signatures indexed by their first byte; built once (read-only afterwards). */
struct sigtab {
	uint8_t pair[65536 / 8]; /* bit set when some magic starts with these two bytes */
	struct sigref *by_first[256];
	size_t n_first[256];
	struct sigref all[256];
	size_t nall;
};

struct jcs_fw_walk {
	struct jcs_fw_limits lim;
	const struct jcs_fw_sink *sink;
	struct sigtab *tab;
	uint64_t total_out, nfiles, steps;
	int depth;
	const uint8_t *unpacking; /* start of the structure being unpacked (self-recursion guard) */
	int stop;                /* sticky fatal code */
	struct jcs_err *err;
	const uint8_t *map;      /* the mapped image file (jcs_fw_walk), or NULL */
	size_t maplen;
	uint64_t since_trim;     /* bytes handed to the sink since the pages were last dropped */
	char chain[CHAIN_MAX];   /* current container chain */
};

static void sigtab_build(struct sigtab *t)
{
	size_t counts[256] = {0}, pos[256] = {0}, n = 0;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < jcs_fw_nunpackers; i++)
		for (const struct jcs_fw_sig *s = jcs_fw_unpackers[i]->sigs;
		     s < jcs_fw_unpackers[i]->sigs + JCS_FW_SIGS_MAX && s->magic && n < 256; s++) {
			t->all[n++] = (struct sigref){jcs_fw_unpackers[i], s};
			counts[(uint8_t)s->magic[0]]++;
		}
	t->nall = n;
	/* group by first byte in one array (stable order = table order) */
	static struct sigref grouped[256];
	size_t off = 0;
	for (int b = 0; b < 256; b++) {
		pos[b] = off;
		t->by_first[b] = grouped + off;
		t->n_first[b] = counts[b];
		off += counts[b];
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t b0 = (uint8_t)t->all[i].s->magic[0], b1 = (uint8_t)t->all[i].s->magic[1];
		grouped[pos[b0]++] = t->all[i];
		t->pair[(b0 << 8 | b1) >> 3] |= (uint8_t)(1u << ((b0 << 8 | b1) & 7));
	}
}

static struct sigtab sigtab_once;

static void sigtab_init(void)
{
	sigtab_build(&sigtab_once);
}

static struct sigtab *sigtab_get(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, sigtab_init);
	return &sigtab_once;
}

const struct jcs_fw_limits *jcs_fw_walk_limits(const struct jcs_fw_walk *w)
{
	return &w->lim;
}

const struct jcs_fw_prescan *jcs_fw_walk_prescan(const struct jcs_fw_walk *w)
{
	return w->sink->prescan;
}

bool jcs_fw_stopped(const struct jcs_fw_walk *w)
{
	return w->stop != 0;
}

static int walk_fail(struct jcs_fw_walk *w, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int walk_fail(struct jcs_fw_walk *w, int code, const char *fmt, ...)
{
	va_list ap;

	if (!w->stop) {
		w->stop = code;
		va_start(ap, fmt);
		jcs_err_vset(w->err, code, fmt, ap);
		va_end(ap);
	}
	return code;
}

void jcs_fw_problem(struct jcs_fw_walk *w, uint64_t off, const char *fmt, ...)
{
	char reason[512];
	const char *fmtname = strrchr(w->chain, '/');
	char name[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	fmtname = fmtname ? fmtname + 1 : w->chain;
	{
		size_t n = strcspn(fmtname, "@");
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, fmtname, n);
		name[n] = 0;
	}
	if (w->sink->problem)
		w->sink->problem(w->sink->ctx, &(struct jcs_fw_problem){w->chain[0] ? w->chain : "image", off,
									 name[0] ? name : "image", reason});
}

static void problem_at(struct jcs_fw_walk *w, uint64_t off, const char *format, const char *reason)
{
	if (w->sink->problem)
		w->sink->problem(w->sink->ctx,
				 &(struct jcs_fw_problem){w->chain[0] ? w->chain : "image", off, format, reason});
}

int jcs_fw_charge(struct jcs_fw_walk *w, uint64_t n)
{
	if (n > w->lim.max_steps - w->steps) {
		w->steps = w->lim.max_steps + 1; /* spent: every later charge fails too */
		return JCS_ELIMIT;
	}
	w->steps += n;
	return 0;
}

static bool budget_spent(const struct jcs_fw_walk *w)
{
	return w->steps > w->lim.max_steps;
}

int jcs_fw_account(struct jcs_fw_walk *w, uint64_t in_len, uint64_t out_len, struct jcs_err *err)
{
	/* filesystem images of mostly zeros compress 10000:1: the ratio applies beyond 16 MiB */
	if (out_len > (16u << 20) && in_len && out_len / in_len >= w->lim.max_ratio)
		return jcs_err_set(err, JCS_ELIMIT, "decompression ratio over %u (%llu bytes from %llu): bomb?",
				   w->lim.max_ratio, (unsigned long long)out_len, (unsigned long long)in_len);
	if (w->total_out + out_len > w->lim.max_total) {
		walk_fail(w, JCS_ELIMIT, "total unpacked size over the limit of %llu bytes",
			  (unsigned long long)w->lim.max_total);
		return jcs_err_set(err, JCS_ELIMIT, "total unpacked size over the limit of %llu bytes",
				   (unsigned long long)w->lim.max_total);
	}
	return 0;
}

int jcs_fw_out_reserve(struct jcs_fw_out *o, size_t extra, struct jcs_err *err)
{
	size_t need, ncap;
	uint8_t *p;

	if (extra > o->max || o->len > o->max - extra)
		return jcs_err_set(err, JCS_ELIMIT, "output over the in-memory cap of %zu bytes", o->max);
	need = o->len + extra;
	if (need <= o->cap)
		return 0;
	ncap = o->cap ? o->cap : 4096;
	while (ncap < need)
		ncap = ncap > o->max / 2 ? o->max : ncap * 2;
	p = realloc(o->data, ncap);
	if (!p)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	o->data = p;
	o->cap = ncap;
	return 0;
}

void jcs_fw_out_free(struct jcs_fw_out *o)
{
	free(o->data);
	memset(o, 0, sizeof(*o));
}

/* Normalise a stored name into "/a/b"; returns true when it tried to climb out of the root. */
static bool normalise(const char *in, char *out, size_t cap)
{
	size_t n = 0;
	bool escaped = false;
	const char *p = in;

	out[0] = 0;
	while (*p) {
		const char *e;
		size_t l;
		while (*p == '/')
			p++;
		e = p;
		while (*e && *e != '/')
			e++;
		l = (size_t)(e - p);
		if (l == 0 || (l == 1 && p[0] == '.')) {
			/* nothing */
		} else if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (n == 0)
				escaped = true;
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else if (n + 1 + l < cap) {
			out[n++] = '/';
			memcpy(out + n, p, l);
			n += l;
		}
		out[n] = 0;
		p = e;
	}
	if (n == 0) {
		out[0] = '/';
		out[1] = 0;
	}
	return escaped;
}

static int scan(struct jcs_fw_walk *w, const uint8_t *p, size_t len, bool carve);

int jcs_fw_emit(struct jcs_fw_walk *w, struct jcs_fw_file *f, enum jcs_fw_emit_mode mode)
{
	char path[PATH_MAX_FW];
	const char *raw = f->path ? f->path : "";
	int rc;

	if (w->stop)
		return w->stop;
	if ((rc = jcs_fw_charge(w, 1)))
		return rc;
	if (++w->nfiles > w->lim.max_files)
		return walk_fail(w, JCS_ELIMIT, "more than %llu files in the image",
				 (unsigned long long)w->lim.max_files);
	if (normalise(raw, path, sizeof(path)) || strlen(raw) >= sizeof(path)) {
		char why[PATH_MAX_FW + 64];
		snprintf(why, sizeof(why), "path traversal or oversized name '%.200s' reported as '%.200s'", raw, path);
		problem_at(w, 0, "name", why);
	}
	f->path = path;
	f->container = w->chain[0] ? w->chain : "image";
	if (f->type == JCS_FW_FILE) {
		if (w->total_out + f->len > w->lim.max_total)
			return walk_fail(w, JCS_ELIMIT, "total unpacked size over the limit of %llu bytes",
					 (unsigned long long)w->lim.max_total);
		w->total_out += f->len;
		w->since_trim += f->len;
		if (w->map && w->since_trim >= TRIM_BYTES) {
			madvise((void *)w->map, w->maplen, MADV_DONTNEED);
			w->since_trim = 0;
		}
	}
	rc = w->sink->file(w->sink->ctx, f);
	if (rc < 0)
		return walk_fail(w, rc, "stopped by the consumer at %s:%s", f->container, path);
	if (f->type != JCS_FW_FILE || !f->data || f->len == 0 || w->depth >= w->lim.max_depth ||
	    mode == JCS_FW_EMIT_NONE || f->data == w->unpacking)
		return 0;
	/* recurse: the file becomes a container "CHAIN/PATH!" */
	{
		size_t clen = strlen(w->chain);
		int n = snprintf(w->chain + clen, sizeof(w->chain) - clen, "%s%s!", clen ? "/" : "", path + 1);
		if (n < 0 || (size_t)n >= sizeof(w->chain) - clen) {
			w->chain[clen] = 0;
			problem_at(w, 0, "walk", "container chain too long: not descending");
			return 0;
		}
		w->depth++;
		rc = scan(w, f->data, f->len, mode == JCS_FW_EMIT_CARVE);
		w->depth--;
		w->chain[clen] = 0;
	}
	return rc ? rc : w->stop;
}

/* Try unpacker u on the structure starting at start; returns bytes used (0 = unknown) or -1
 * when it was a false hit. */
static long try_unpack(struct jcs_fw_walk *w, const struct jcs_fw_unpacker *u, const uint8_t *base, size_t start,
		       size_t len)
{
	size_t clen = strlen(w->chain), used = 0;
	const uint8_t *outer = w->unpacking;
	uint64_t files_before = w->nfiles;
	struct jcs_err e = {0};
	int n, rc;

	if (budget_spent(w)) {
		problem_at(w, start, u->name, "work budget exceeded: not unpacked");
		return -1;
	}
	n = snprintf(w->chain + clen, sizeof(w->chain) - clen, "%s%s@0x%zx", clen ? "/" : "", u->name, start);
	if (n < 0 || (size_t)n >= sizeof(w->chain) - clen) {
		w->chain[clen] = 0;
		problem_at(w, start, u->name, "container chain too long: not descending");
		return 0;
	}
	w->unpacking = base + start;
	rc = u->unpack(w, base + start, len - start, &used, &e);
	w->unpacking = outer;
	w->chain[clen] = 0;
	if (rc == JCS_ENOTFOUND)
		return -1;
	if (rc < 0 && !w->stop) {
		char why[1100];
		if (rc == JCS_ELIMIT && budget_spent(w))
			snprintf(why, sizeof(why), "work budget exceeded (%llu steps)%s",
				 (unsigned long long)w->lim.max_steps, w->nfiles > files_before ? " (partly unpacked)" : "");
		else
			snprintf(why, sizeof(why), "%s%s", e.msg[0] ? e.msg : jcs_strerror(rc),
				 w->nfiles > files_before ? " (partly unpacked)" : "");
		problem_at(w, start, u->name, why);
	}
	if (rc < 0)
		return 0; /* failed: its extent is not trusted, the scan goes on after the magic */
	if (used > len - start)
		used = len - start;
	return (long)used;
}

static int scan(struct jcs_fw_walk *w, const uint8_t *p, size_t len, bool carve)
{
	const struct sigtab *t = w->tab;
	bool found_any = false;
	size_t i = 0;

	if (!carve) { /* a file inside a filesystem: only a structure at offset 0 counts */
		for (size_t k = 0; k < t->nall && !w->stop; k++) {
			const struct jcs_fw_sig *s = t->all[k].s;
			if (len >= (size_t)s->at + s->len && memcmp(p + s->at, s->magic, s->len) == 0 &&
			    try_unpack(w, t->all[k].u, p, 0, len) >= 0)
				break;
		}
		return w->stop;
	}
	/* structure-detected formats (no magic) are tried at offset 0 only */
	for (size_t k = 0; k < jcs_fw_nunpackers && !w->stop; k++) {
		const struct jcs_fw_unpacker *u = jcs_fw_unpackers[k];
		long used;
		if (u->sigs[0].magic)
			continue;
		used = try_unpack(w, u, p, 0, len);
		if (used >= 0) {
			found_any = true;
			i = (size_t)used;
			break;
		}
	}
	while (i + 1 < len && !w->stop) {
		uint16_t pair = (uint16_t)(p[i] << 8 | p[i + 1]);
		size_t next = i + 1;
		if (t->pair[pair >> 3] & (1u << (pair & 7))) {
			for (size_t k = 0; k < t->n_first[p[i]]; k++) {
				const struct sigref *r = &t->by_first[p[i]][k];
				size_t start;
				long used;
				if (i < r->s->at || len - i < r->s->len || memcmp(p + i, r->s->magic, r->s->len))
					continue;
				start = i - r->s->at;
				used = try_unpack(w, r->u, p, start, len);
				if (budget_spent(w)) { /* reported by try_unpack: carve no further */
					found_any = true;
					next = len;
					break;
				}
				if (used < 0)
					continue;
				found_any = true;
				if ((size_t)used > i - start) { /* skip what the structure occupies */
					next = start + (size_t)used;
					break;
				}
			}
		}
		i = next;
	}
	if (!found_any && w->depth == 0 && !w->stop)
		problem_at(w, 0, "unknown", "no known container, filesystem or compressed stream found");
	return w->stop;
}

static int walk_run(const struct jcs_fw_unpacker *only, const uint8_t *data, size_t len, bool mapped,
		    const struct jcs_fw_limits *lim, const struct jcs_fw_sink *sink, struct jcs_err *err)
{
	static const struct jcs_fw_limits defaults = JCS_FW_LIMITS_DEFAULT;
	struct jcs_fw_walk *w;
	int rc;

	if (!sink || !sink->file)
		return jcs_err_set(err, JCS_EINVAL, "firmware walk needs a sink");
	w = calloc(1, sizeof(*w));
	if (!w)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	w->lim = lim ? *lim : defaults;
	if (w->lim.max_depth < 1)
		w->lim.max_depth = 1;
	if (w->lim.max_ratio < 2)
		w->lim.max_ratio = 2;
	if (!w->lim.max_steps)
		w->lim.max_steps = JCS_FW_STEPS_DEFAULT;
	w->sink = sink;
	w->err = err;
	w->tab = sigtab_get();
	if (mapped) {
		w->map = data;
		w->maplen = len;
	}
	if (only)
		rc = try_unpack(w, only, data, 0, len) < 0 ? JCS_ENOTFOUND : w->stop;
	else
		rc = scan(w, data, len, true);
	free(w);
	return rc;
}

int jcs_fw_walk_mem(const uint8_t *data, size_t len, const struct jcs_fw_limits *lim,
		    const struct jcs_fw_sink *sink, struct jcs_err *err)
{
	return walk_run(NULL, data, len, false, lim, sink, err);
}

int jcs_fw_walk_one(const struct jcs_fw_unpacker *u, const uint8_t *data, size_t len,
		    const struct jcs_fw_limits *lim, const struct jcs_fw_sink *sink, struct jcs_err *err)
{
	return walk_run(u, data, len, false, lim, sink, err);
}

int jcs_fw_walk(const char *image_path, const struct jcs_fw_limits *lim, const struct jcs_fw_sink *sink,
		struct jcs_err *err)
{
	struct stat st;
	void *map = NULL;
	int fd, rc;

	fd = open(image_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return jcs_err_set(err, JCS_EIO, "%s: %s", image_path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return jcs_err_set(err, JCS_EIO, "%s: not a regular file", image_path);
	}
	if (st.st_size == 0) {
		close(fd);
		return jcs_err_set(err, JCS_EPARSE, "%s: empty file", image_path);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return jcs_err_set(err, JCS_EIO, "%s: mmap: %s", image_path, strerror(errno));
	rc = walk_run(NULL, map, (size_t)st.st_size, true, lim, sink, err);
	munmap(map, (size_t)st.st_size);
	return rc;
}

const char *jcs_fw_type_name(enum jcs_fw_type t)
{
	switch (t) {
	case JCS_FW_FILE: return "file";
	case JCS_FW_DIR: return "dir";
	case JCS_FW_SYMLINK: return "symlink";
	case JCS_FW_HARDLINK: return "hardlink";
	case JCS_FW_DEVICE: return "device";
	default: return "other";
	}
}
