/* Software bill of materials of a firmware image: components found in package databases
 * (pkgdb.h) and by version strings in binaries (sigmatch.h, data/firmware/components.yaml);
 * evidence components[] and a CycloneDX 1.5 writer. */
#ifndef JCS_FIRMWARE_SBOM_H
#define JCS_FIRMWARE_SBOM_H

#include <jansson.h>

#include "firmware/audit/audit.h"
#include "firmware/fwfile.h"

#define JCS_SBOM_MAX_FILES 64 /* files listed per component */

struct jcs_sbom;

struct jcs_component {
	char *name;
	char *version;     /* upstream version ("1.18.5"); what vulnerability ranges compare */
	char *pkg_version; /* full version from a package database ("1:1.18.5-1ubuntu4") or NULL */
	char *purl;
	char *cpe;         /* CPE 2.3 of the first vendor:product, or NULL */
	const char *type;  /* CycloneDX component type */
	char *pkg_type;    /* purl type of the database it came from ("deb", "apk", "opkg") or NULL */
	char *pkg_name;    /* the package's name in that database ("libssl3") or NULL */
	char *src_name;    /* its source package ("openssl"), as advisories name it, or NULL */
	const char *provides; /* a generic package name ("libc") waiting for its upstream, or NULL */
	const char *const *cpes; /* "part:vendor:product" list, NULL-terminated (never NULL) */
	struct jcs_strv files;
	struct jcs_strv sources; /* how it was identified */
};

/* Load and compile data/firmware/components.yaml. */
int jcs_sbom_new(struct jcs_sbom **out, struct jcs_err *err);
void jcs_sbom_free(struct jcs_sbom *s);
/* Look at one file of the stream. */
int jcs_sbom_file(struct jcs_sbom *s, const struct jcs_fw_file *f, struct jcs_err *err);
/* The signature scan of jcs_sbom_file over a file's bytes alone, for a jcs_fw_prescan hook
 * (ctx: the struct jcs_sbom, only read): jcs_sbom_file takes its result from f->prescan
 * instead of scanning. NULL when out of memory. */
void *jcs_sbom_prescan(void *ctx, const uint8_t *data, size_t len);
void jcs_sbom_prescan_free(void *note);

/* After the last file: merge components whose versions refine each other. */
int jcs_sbom_finish(struct jcs_sbom *s);

size_t jcs_sbom_count(const struct jcs_sbom *s);
const struct jcs_component *jcs_sbom_get(const struct jcs_sbom *s, size_t i);
/* Canonical component name for a package name (its own name if the table does not know it). */
const char *jcs_sbom_canonical(const struct jcs_sbom *s, const char *pkgname);

/* The distribution of the root filesystem (os-release, openwrt_release, alpine-release,
 * debian_version): id "debian", "alpine", "openwrt" ... and version "12", "3.19.1", or ""
 * when not seen. codename: "bookworm" or "". */
struct jcs_distro {
	char id[32], version[32], codename[32];
};
const struct jcs_distro *jcs_sbom_distro(const struct jcs_sbom *s);

/* evidence components[] entries (new reference). */
json_t *jcs_sbom_json(const struct jcs_sbom *s);
/* CycloneDX 1.5 document; vulns = evidence vulnerabilities[] (may be NULL). New reference. */
json_t *jcs_sbom_cyclonedx(const struct jcs_sbom *s, const char *subject, const json_t *vulns);

#endif
