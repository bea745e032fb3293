/* S1.1-05: reading a vulnerability disclosure policy or a security.txt (RFC 9116).
 * jcs_vdp_check_text (public, jcstar/declaration.h) is the short form of jcs_vdp_scan. */
#ifndef JCS_CORE_VDP_H
#define JCS_CORE_VDP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "jcstar/declaration.h"

#define JCS_VDP_MAX_BYTES ((size_t)1 << 20) /* only the first MiB of a text is read */

struct jcs_vdp_scan {
	struct jcs_vdp_check r;  /* contact, timelines, expiry, lines (file fields left NULL) */
	bool security_txt;       /* the text is a security.txt (only Field: value lines) */
	char policy[512];        /* security.txt: first Policy: URI ("" if none) */
};

/* Scan text; `now` decides whether a security.txt Expires: is in the past. */
void jcs_vdp_scan(const char *text, size_t len, time_t now, struct jcs_vdp_scan *out);

#endif
