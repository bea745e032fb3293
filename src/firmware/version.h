/* Version comparison for component versions (upstream versions as found in binaries and
 * package databases: "1.0.2g", "2.84rc2", "2019.78", "6.7p1", "5.10.0"). */
#ifndef JCS_FIRMWARE_VERSION_H
#define JCS_FIRMWARE_VERSION_H

#include <stddef.h>

/* <0, 0, >0. Numeric runs compare as numbers, separators (. - _ + ~) only separate; a letter
 * run after the last number is a later release ("1.0.2g" > "1.0.2") unless it is a
 * pre-release tag (dev, alpha, beta, pre, rc: "2.84rc2" < "2.84"). */
int jcs_version_cmp(const char *a, const char *b);

/* Upstream part of a package version: drops an epoch ("1:") and a Debian/opkg revision
 * ("-1ubuntu4") or an Alpine release ("-r0"). Writes at most cap-1 bytes; returns out. */
char *jcs_version_upstream(const char *pkgver, char *out, size_t cap);

/* dpkg's ordering of Debian versions ([epoch:]upstream[-revision], '~' before everything,
 * letters before other characters): <0, 0, >0. */
int jcs_version_cmp_deb(const char *a, const char *b);

/* The leading dotted number of a version ("4.14.195-1-3a4d" -> "4.14.195"); returns out. */
char *jcs_version_numeric(const char *v, char *out, size_t cap);

#endif
