/* Vendor VEX statements (CycloneDX VEX or OpenVEX JSON): a CVE marked not affected (with a
 * justification) for some or all components of the image. */
#ifndef JCS_FIRMWARE_VEX_H
#define JCS_FIRMWARE_VEX_H

#include <jansson.h>

#include "firmware/sbom.h"

struct jcs_vex;

/* Load a VEX document (either format, detected by its fields). */
int jcs_vex_load(const char *path, struct jcs_vex **out, struct jcs_err *err);
/* The same over JSON text (fuzz target, tests); name labels errors. */
int jcs_vex_parse(const char *text, size_t len, const char *name, struct jcs_vex **out,
		  struct jcs_err *err);
void jcs_vex_free(struct jcs_vex *v);

/* The statement about vulnerability id (or one of aliases) and component c, or NULL. The
 * statement is {"status": "not_affected"|"affected"|..., "justification": s, "detail": s,
 * "usable": bool, "file": s}; usable is false when a not-affected claim gives no reason. */
const json_t *jcs_vex_lookup(const struct jcs_vex *v, const char *id, const json_t *aliases,
			     const struct jcs_component *c);

#endif
