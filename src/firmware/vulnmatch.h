/* Known-vulnerability matching of SBOM components against offline feeds: NVD CVE API 2.0
 * JSON (nvd.c: configurations with AND/OR nodes, negate, vulnerable:false platforms, version
 * ranges), OSV JSON and the Debian security tracker's JSON (osv.c). Feeds are streamed record
 * by record: only matches (and the distribution's fixes of matched packages) are kept.
 * Who decides: a component from a package database (dpkg, opkg, apk) is judged by its
 * distribution's advisories; NVD CPE ranges decide only for components identified from
 * binaries, and for a package without an advisory they make it "affected-upstream"
 * (inconclusive: the distribution may have backported the fix). A vendor VEX statement
 * with a justification can then mark a match not affected. */
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
	json_t *fixed;      /* distribution fixes of packages in the image (NULL = not kept) */
	unsigned ecosystems; /* JCS_ECO_* bits of the distribution advisories read */
};

#define JCS_ECO_DEB 1u
#define JCS_ECO_APK 2u
#define JCS_ECO_OPKG 4u
/* The JCS_ECO_* bit of a purl type ("deb", "apk", "opkg"), 0 for others. */
unsigned jcs_eco_bit(const char *pkg_type);

/* Three-valued logic of configuration matching. */
enum jcs_tri { JCS_NO, JCS_YES, JCS_UNKNOWN };

/* Read a feed file (.json, .json.gz, .json.xz) or a directory of them (recursively). */
int jcs_vulndb_scan(struct jcs_vulnmatch *vm, const char *path, struct jcs_err *err);
/* One JSON document: an NVD API 2.0 response or record, an OSV record or a list of them. */
int jcs_vulndb_doc(struct jcs_vulnmatch *vm, const char *text, size_t len, const char *name,
		   struct jcs_err *err);

/* The records of one parsed feed document, in order: NVD CVE records (API 2.0 responses,
 * fkie-cad release files or one record), OSV records (one or a list), the Debian tracker's
 * document (whole), CISA KEV catalogue entries. fn's non-zero result stops the walk and is
 * returned; JCS_ESCHEMA when doc is none of these. */
enum jcs_feed_kind { JCS_FEED_NVD, JCS_FEED_OSV, JCS_FEED_DEBIAN, JCS_FEED_KEV };
typedef int (*jcs_feed_fn)(void *ctx, enum jcs_feed_kind kind, const json_t *rec);
int jcs_feed_records(const json_t *doc, jcs_feed_fn fn, void *ctx);
/* Match one record of that kind (KEV entries match nothing). */
int jcs_vulnmatch_record(struct jcs_vulnmatch *vm, enum jcs_feed_kind kind, const json_t *rec);
/* Read a whole feed file (.json or compressed, at most JCS_VULNDB_MAX_FILE) into b. */
struct jcs_buf;
int jcs_vulndb_read(const char *path, struct jcs_buf *b, struct jcs_err *err);
/* Whether a file name is a feed file's (.json, .json.gz, .json.xz, .json.bz2, .json.zst). */
bool jcs_vulndb_name(const char *name);

/* Feed readers. */
int jcs_nvd_record(struct jcs_vulnmatch *vm, const json_t *cve);
int jcs_osv_record(struct jcs_vulnmatch *vm, const json_t *rec);
/* Is doc the Debian security tracker's JSON? Match it. */
bool jcs_debian_tracker_doc(const json_t *doc);
int jcs_debian_tracker(struct jcs_vulnmatch *vm, const json_t *doc);

/* Record a match (deduplicated by id and component). cvss (stolen, may be NULL):
 * {version, score, vector}. certain = false when it depends on a platform we cannot see. */
int jcs_vulnmatch_add(struct jcs_vulnmatch *vm, const char *id, const char *source, size_t comp,
		      json_t *cvss, const char *rule, bool certain, json_t *aliases);

/* The distribution fixed vulnerability id (aliases: its other ids, borrowed) in the installed
 * version of component comp: kept so that an NVD match of the same CVE is overruled. */
int jcs_vulnmatch_fixed(struct jcs_vulnmatch *vm, const char *id, const json_t *aliases, size_t comp,
			const char *source, const char *rule);

struct jcs_vex;
/* After every feed: decide each match (see the top of this file) and apply the VEX (may be
 * NULL). Returns the final vulnerabilities[] (new reference; entries carry "status" and
 * "decided_by") or NULL on ENOMEM. */
json_t *jcs_vulnmatch_resolve(const struct jcs_vulnmatch *vm, const struct jcs_vex *vex);
/* A final status that is not a finding ("fixed" by the distribution, "not_affected" by VEX). */
bool jcs_vuln_status_clear(const char *status);

#endif
