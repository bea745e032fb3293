/* Walk an already extracted root filesystem: every entry is reported with its path relative
 * to the root; symlinks are read with readlinkat and never followed; directories are
 * descended through dirfds with O_NOFOLLOW (depth-capped). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jcstar/firmware.h"

#define DIR_DEPTH_MAX 64

struct dwalk {
	const struct jcs_fw_sink *sink;
	struct jcs_fw_limits lim;
	uint64_t nfiles;
	struct jcs_err *err;
	char path[4096];
};

static int report(struct dwalk *d, int dfd, const char *name, const struct stat *st)
{
	struct jcs_fw_file f = {.path = d->path, .container = "dir", .mode = st->st_mode & 07777,
				.uid = st->st_uid, .gid = st->st_gid, .size = (uint64_t)st->st_size};
	char link[4096];
	void *map = NULL;
	int rc, fd;

	if (++d->nfiles > d->lim.max_files)
		return jcs_err_set(d->err, JCS_ELIMIT, "more than %llu files", (unsigned long long)d->lim.max_files);
	if (S_ISREG(st->st_mode)) {
		f.type = JCS_FW_FILE;
		if (st->st_size > 0 && (uint64_t)st->st_size <= d->lim.max_file_in_memory &&
		    (fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
			map = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
			close(fd);
			if (map == MAP_FAILED)
				map = NULL;
			f.data = map;
			f.len = map ? (size_t)st->st_size : 0;
		}
	} else if (S_ISDIR(st->st_mode)) {
		f.type = JCS_FW_DIR;
		f.size = 0;
	} else if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlinkat(dfd, name, link, sizeof(link) - 1);
		f.type = JCS_FW_SYMLINK;
		link[n < 0 ? 0 : n] = 0;
		f.link = link;
	} else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		f.type = JCS_FW_DEVICE;
		f.size = 0;
	} else {
		f.type = JCS_FW_OTHER;
		f.size = 0;
	}
	rc = d->sink->file(d->sink->ctx, &f);
	if (map)
		munmap(map, (size_t)st->st_size);
	if (rc < 0)
		return jcs_err_set(d->err, rc, "stopped by the consumer at %s", d->path);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct dirent *const *)a)->d_name, (*(struct dirent *const *)b)->d_name);
}

static int walk(struct dwalk *d, int dfd, int depth)
{
	struct dirent **ents = NULL;
	size_t base = strlen(d->path);
	int n, rc = 0, fd;

	if (depth > DIR_DEPTH_MAX) {
		if (d->sink->problem)
			d->sink->problem(d->sink->ctx, &(struct jcs_fw_problem){"dir", 0, "dir", "directory nesting too deep: not descended"});
		return 0;
	}
	fd = dup(dfd);
	if (fd < 0)
		return jcs_err_set(d->err, JCS_EIO, "dup: %s", strerror(errno));
	{
		DIR *dir = fdopendir(fd);
		struct dirent *e;
		size_t cap = 0, cnt = 0;
		if (!dir) {
			close(fd);
			return jcs_err_set(d->err, JCS_EIO, "%s: %s", d->path, strerror(errno));
		}
		while ((e = readdir(dir))) { /* sorted afterwards: deterministic order */
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (cnt == cap) {
				struct dirent **ne = realloc(ents, (cap = cap ? cap * 2 : 64) * sizeof(*ents));
				if (!ne) {
					rc = jcs_err_set(d->err, JCS_ENOMEM, "out of memory");
					break;
				}
				ents = ne;
			}
			ents[cnt] = malloc(sizeof(*e));
			if (!ents[cnt]) {
				rc = jcs_err_set(d->err, JCS_ENOMEM, "out of memory");
				break;
			}
			memcpy(ents[cnt++], e, sizeof(*e));
		}
		closedir(dir);
		n = (int)cnt;
	}
	if (n > 1)
		qsort(ents, (size_t)n, sizeof(*ents), by_name);
	for (int i = 0; i < n && rc == 0; i++) {
		const char *name = ents[i]->d_name;
		struct stat st;
		if (snprintf(d->path + base, sizeof(d->path) - base, "/%s", name) >= (int)(sizeof(d->path) - base))
			continue;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		rc = report(d, dfd, name, &st);
		if (rc == 0 && S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				rc = walk(d, sub, depth + 1);
				close(sub);
			}
		}
		d->path[base] = 0;
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return rc;
}

int jcs_fw_walk_dir(const char *dir, const struct jcs_fw_sink *sink, struct jcs_err *err)
{
	static const struct jcs_fw_limits defaults = JCS_FW_LIMITS_DEFAULT;
	struct dwalk *d;
	int fd, rc;

	if (!sink || !sink->file)
		return jcs_err_set(err, JCS_EINVAL, "firmware walk needs a sink");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return jcs_err_set(err, JCS_EIO, "%s: %s", dir, strerror(errno));
	d = calloc(1, sizeof(*d));
	if (!d) {
		close(fd);
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	}
	d->sink = sink;
	d->lim = defaults;
	d->err = err;
	rc = walk(d, fd, 0);
	close(fd);
	free(d);
	return rc;
}
