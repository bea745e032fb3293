/* The component signature matcher: every byte pattern of data/firmware/components.yaml
 * compiled into one Aho-Corasick automaton over the patterns' longest literals; a hit is then
 * verified around its position (boundaries, wildcard, the version). One pass per file. */
#ifndef JCS_FIRMWARE_SIGMATCH_H
#define JCS_FIRMWARE_SIGMATCH_H

#include <stddef.h>

#include "jcstar/jcstar.h"

#define JCS_SIG_MAX_VERSION 32

struct jcs_sigmatch;

struct jcs_sig_hit {
	size_t component; /* index in the signature table */
	size_t pattern;   /* global pattern index (lower = listed earlier = more trusted) */
	char version[JCS_SIG_MAX_VERSION + 1];
	size_t offset;    /* where the anchor literal was found */
};

/* Compile patterns: comp[i] is the component index of pat[i]. */
int jcs_sigmatch_new(const char *const *pat, const size_t *comp, size_t n,
		     struct jcs_sigmatch **out, struct jcs_err *err);
void jcs_sigmatch_free(struct jcs_sigmatch *m);

/* Scan bytes; cb returns 0 to go on. */
int jcs_sigmatch_scan(const struct jcs_sigmatch *m, const void *data, size_t len,
		      int (*cb)(void *ctx, const struct jcs_sig_hit *h), void *ctx);

/* Match a file-name pattern ("libuClibc-{v}.so") against a base name; version into ver. */
int jcs_sigmatch_name(const char *pattern, const char *name, char *ver, size_t cap);

/* True if s is a plausible version (digit first, a dot, [0-9A-Za-z.] only). */
int jcs_sig_version_ok(const char *s, size_t n);

#endif
