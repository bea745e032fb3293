/* Extraction sink: writes the walked tree under a root directory without ever leaving it.
 * Every path is created component by component from a directory fd with O_NOFOLLOW, so a
 * symlink planted by the image (or by a concurrent process) can never redirect a write;
 * names are checked again here ("..", "/" inside a component are refused, not trusted). */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "firmware/firmware.h"

#define MAX_COMPONENTS 128

struct extract {
	struct jcs_fw_sink sink; /* first member: the public handle is &x->sink */
	const struct jcs_fw_sink *next;
	struct jcs_fw_limits lim;
	int rootfd;
	struct jcs_fw_extract_stats st;
};

static void refuse(struct extract *x, const struct jcs_fw_file *f, const char *why)
{
	char msg[1024];

	x->st.refused++;
	if (x->next && x->next->problem) {
		snprintf(msg, sizeof(msg), "not extracted: %s: %s", f->path, why);
		x->next->problem(x->next->ctx, &(struct jcs_fw_problem){f->container, 0, "extract", msg});
	}
}

/* Split "a/b/c" into components in buf; false if any is empty, "." or "..". */
static bool split(char *buf, char **comp, size_t *n)
{
	char *save = NULL, *t;

	for (t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (!strcmp(t, ".") || !strcmp(t, "..") || *n >= 2 * MAX_COMPONENTS)
			return false;
		comp[(*n)++] = t;
	}
	return true;
}

/* Open (creating) the directory comp[0..n) under rootfd without following any symlink. */
static int open_dirs(int rootfd, char **comp, size_t n, struct extract *x)
{
	int fd = dup(rootfd);

	for (size_t i = 0; i < n && fd >= 0; i++) {
		int nfd = openat(fd, comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT) {
			if (mkdirat(fd, comp[i], 0755) == 0)
				x->st.dirs++;
			nfd = openat(fd, comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		close(fd);
		fd = nfd;
	}
	return fd;
}

/* Does symlink target t, placed in directory depth `depth` of its filesystem, stay inside it? */
static bool link_stays_inside(const char *t, size_t depth)
{
	long d = (long)depth;
	const char *p = t;

	if (*t == '/')
		return false; /* rewritten by the caller */
	while (*p) {
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (--d < 0)
				return false;
		} else if (l && !(l == 1 && p[0] == '.')) {
			d++;
		}
		p += l;
		while (*p == '/')
			p++;
	}
	return true;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int extract_one(struct extract *x, const struct jcs_fw_file *f)
{
	char cbuf[4096], pbuf[4096], tbuf[4096];
	char *comp[2 * MAX_COMPONENTS];
	size_t nc = 0, ncont, nfs;
	const char *name;
	int dfd = -1, fd = -1;

	if (snprintf(cbuf, sizeof(cbuf), "%s", f->container) >= (int)sizeof(cbuf) ||
	    snprintf(pbuf, sizeof(pbuf), "%s", f->path) >= (int)sizeof(pbuf)) {
		refuse(x, f, "name too long");
		return 0;
	}
	if (!split(cbuf, comp, &nc)) {
		refuse(x, f, "bad container name");
		return 0;
	}
	ncont = nc;
	if (!split(pbuf, comp, &nc) || nc - ncont > (size_t)x->lim.max_depth * 16) {
		refuse(x, f, "path with '..' or too deep");
		return 0;
	}
	nfs = nc - ncont; /* components within the firmware's own filesystem */
	if (f->type == JCS_FW_DIR) {
		dfd = open_dirs(x->rootfd, comp, nc, x);
		if (dfd < 0)
			refuse(x, f, "a path component is not a plain directory (symlink?)");
		goto out;
	}
	if (nfs == 0) {
		refuse(x, f, "empty name");
		goto out;
	}
	name = comp[nc - 1];
	dfd = open_dirs(x->rootfd, comp, nc - 1, x);
	if (dfd < 0) {
		refuse(x, f, "a path component is not a plain directory (symlink?)");
		goto out;
	}
	switch (f->type) {
	case JCS_FW_FILE: {
		mode_t mode = (f->mode & 0777) | 0600; /* setuid/setgid/sticky dropped */
		if (!f->data && f->size) {
			refuse(x, f, "contents not in memory (larger than the in-memory cap)");
			goto out;
		}
		if (x->st.files >= x->lim.max_files || x->st.bytes + f->len > x->lim.max_total) {
			refuse(x, f, "extraction limit reached (files or bytes)");
			goto out;
		}
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0 && errno == EEXIST && unlinkat(dfd, name, 0) == 0) /* a later version of the file */
			fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0) {
			refuse(x, f, strerror(errno));
			goto out;
		}
		if (write_all(fd, f->data, f->len) < 0) {
			refuse(x, f, strerror(errno));
			goto out;
		}
		x->st.files++;
		x->st.bytes += f->len;
		break;
	}
	case JCS_FW_SYMLINK: {
		const char *t = f->link ? f->link : "";
		if (*t == '/') { /* absolute within the firmware: make it relative to this directory */
			size_t n = 0;
			tbuf[0] = 0;
			for (size_t i = 1; i < nfs && n + 3 < sizeof(tbuf); i++)
				n += (size_t)snprintf(tbuf + n, sizeof(tbuf) - n, "../");
			while (*t == '/')
				t++;
			if (n + strlen(t) + 2 >= sizeof(tbuf)) {
				refuse(x, f, "symlink target too long");
				goto out;
			}
			snprintf(tbuf + n, sizeof(tbuf) - n, "%s", *t ? t : ".");
			t = tbuf;
		}
		if (!*t || !link_stays_inside(t, nfs - 1)) {
			refuse(x, f, "symlink target points outside the filesystem root");
			goto out;
		}
		if (symlinkat(t, dfd, name) < 0 && !(errno == EEXIST && unlinkat(dfd, name, 0) == 0 &&
						     symlinkat(t, dfd, name) == 0)) {
			refuse(x, f, strerror(errno));
			goto out;
		}
		x->st.symlinks++;
		break;
	}
	case JCS_FW_HARDLINK:
		refuse(x, f, "hard links are not created");
		break;
	case JCS_FW_DEVICE:
		refuse(x, f, "device nodes are not created");
		break;
	default:
		refuse(x, f, "fifos and sockets are not created");
		break;
	}
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return 0;
}

static int extract_file(void *ctx, const struct jcs_fw_file *f)
{
	struct extract *x = ctx;

	extract_one(x, f);
	return x->next ? x->next->file(x->next->ctx, f) : 0;
}

static void extract_problem(void *ctx, const struct jcs_fw_problem *p)
{
	struct extract *x = ctx;

	if (x->next && x->next->problem)
		x->next->problem(x->next->ctx, p);
}

struct jcs_fw_sink *jcs_fw_extract_sink_new(const char *dir, const struct jcs_fw_limits *lim,
					    const struct jcs_fw_sink *next, struct jcs_err *err)
{
	static const struct jcs_fw_limits defaults = JCS_FW_LIMITS_DEFAULT;
	struct extract *x;

	char tmp[4096];

	/* create missing parents too (like mkdir -p) */
	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *q = tmp + 1; *q; q++)
		if (*q == '/') {
			*q = 0;
			mkdir(tmp, 0755);
			*q = '/';
		}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		jcs_err_set(err, JCS_EIO, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		jcs_err_set(err, JCS_ENOMEM, "out of memory");
		return NULL;
	}
	x->rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->rootfd < 0) {
		jcs_err_set(err, JCS_EIO, "%s: %s", dir, strerror(errno));
		free(x);
		return NULL;
	}
	x->lim = lim ? *lim : defaults;
	x->next = next;
	x->sink = (struct jcs_fw_sink){extract_file, extract_problem, x, next ? next->prescan : NULL};
	return &x->sink;
}

void jcs_fw_extract_sink_stats(const struct jcs_fw_sink *s, struct jcs_fw_extract_stats *st)
{
	const struct extract *x = s->ctx;

	*st = x->st;
}

void jcs_fw_extract_sink_free(struct jcs_fw_sink *s)
{
	struct extract *x;

	if (!s)
		return;
	x = s->ctx;
	close(x->rootfd);
	free(x);
}
