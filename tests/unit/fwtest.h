/* Shared by the firmware unit tests: a sink that records entries (path, type, md5, size)
 * and problems, so tests can assert on them. */
#ifndef JCS_TEST_FWTEST_H
#define JCS_TEST_FWTEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/buf.h"
#include "firmware/firmware.h"

#define FWT_MAX 4096

struct fwt_entry {
	char path[512], container[256], md5[33];
	enum jcs_fw_type type;
	uint64_t size;
	uint32_t mode;
};

struct fwt {
	struct fwt_entry e[FWT_MAX];
	size_t n, nfiles;
	char problems[16384];
	size_t nproblems;
};

static inline void fwt_md5(const uint8_t *p, size_t n, char out[33])
{
	unsigned char d[16];
	unsigned int dl = 0;

	EVP_Digest(p, n, d, &dl, EVP_md5(), NULL);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static inline int fwt_file(void *ctx, const struct jcs_fw_file *f)
{
	struct fwt *t = ctx;
	struct fwt_entry *e;

	if (t->n >= FWT_MAX)
		return 0;
	e = &t->e[t->n++];
	snprintf(e->path, sizeof(e->path), "%s", f->path);
	snprintf(e->container, sizeof(e->container), "%s", f->container);
	e->type = f->type;
	e->size = f->size;
	e->mode = f->mode;
	e->md5[0] = 0;
	if (f->type == JCS_FW_FILE) {
		t->nfiles++;
		if (f->data)
			fwt_md5(f->data, f->len, e->md5);
	}
	return 0;
}

static inline void fwt_problem(void *ctx, const struct jcs_fw_problem *p)
{
	struct fwt *t = ctx;
	size_t l = strlen(t->problems);

	t->nproblems++;
	snprintf(t->problems + l, sizeof(t->problems) - l, "%s@0x%llx %s: %s\n", p->container,
		 (unsigned long long)p->offset, p->format, p->reason);
}

static inline struct fwt *fwt_new(void)
{
	return calloc(1, sizeof(struct fwt));
}

static inline struct jcs_fw_sink fwt_sink(struct fwt *t)
{
	return (struct jcs_fw_sink){fwt_file, fwt_problem, t, NULL};
}

/* The entry with this path (first match), or NULL. */
static inline const struct fwt_entry *fwt_find(const struct fwt *t, const char *path)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].path, path))
			return &t->e[i];
	return NULL;
}

#endif
