/* Known-vulnerability matching of SBOM components against offline feeds: NVD CVE API 2.0
 * JSON (nvd.c: configurations with AND/OR nodes, negate, vulnerable:false platforms, version
 * ranges) and OSV JSON (osv.c). Feeds are streamed record by record: only matches are kept. */
#ifndef JCS_FIRMWARE_VULNMATCH_H
#define JCS_FIRMWARE_VULNMATCH_H

#include <stdbool.h>

#include <jansson.h>

#include "firmware/sbom.h"

#define JCS_VULNDB_MAX_FILE ((size_t)768 << 20) /* one feed file, decompressed */

struct jcs_vulnmatch {
	const struct jcs_sbom *sbom;
	json_t *out;        /* vulnerabilities[]: matches appended here */
	size_t records;     /* records read (NVD CVEs + OSV entries) */
	size_t files;       /* feed files read */
};

/* Three-valued logic of configuration matching. */
enum jcs_tri { JCS_NO, JCS_YES, JCS_UNKNOWN };

/* Read a feed file (.json, .json.gz, .json.xz) or a directory of them (recursively). */
int jcs_vulndb_scan(struct jcs_vulnmatch *vm, const char *path, struct jcs_err *err);
/* One JSON document: an NVD API 2.0 response or record, an OSV record or a list of them. */
int jcs_vulndb_doc(struct jcs_vulnmatch *vm, const char *text, size_t len, const char *name,
		   struct jcs_err *err);

/* Feed readers. */
int jcs_nvd_record(struct jcs_vulnmatch *vm, const json_t *cve);
int jcs_osv_record(struct jcs_vulnmatch *vm, const json_t *rec);

/* Record a match (deduplicated by id and component). cvss (stolen, may be NULL):
 * {version, score, vector}. certain = false when it depends on a platform we cannot see. */
int jcs_vulnmatch_add(struct jcs_vulnmatch *vm, const char *id, const char *source, size_t comp,
		      json_t *cvss, const char *rule, bool certain, json_t *aliases);

#endif
