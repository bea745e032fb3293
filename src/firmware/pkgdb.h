/* Package databases inside firmware: opkg status (OpenWrt), dpkg status (Debian), apk
 * installed (Alpine). Exposed for the SBOM and the fuzz target. */
#ifndef JCS_FIRMWARE_PKGDB_H
#define JCS_FIRMWARE_PKGDB_H

#include <stddef.h>

enum jcs_pkgdb_kind { JCS_PKGDB_NONE, JCS_PKGDB_OPKG, JCS_PKGDB_DPKG, JCS_PKGDB_APK };

struct jcs_pkg {
	char name[128];
	char version[128];
	char source[128]; /* source package (dpkg "Source:", apk "o:"), "" if not given */
};

/* Which database a path is (JCS_PKGDB_NONE if none). */
enum jcs_pkgdb_kind jcs_pkgdb_kind_of(const char *path);
/* purl type of a database ("opkg", "deb", "apk"). */
const char *jcs_pkgdb_purl_type(enum jcs_pkgdb_kind k);
/* Parse a database; cb gets each installed package (returns 0 to go on); at most max. */
int jcs_pkgdb_parse(enum jcs_pkgdb_kind kind, const void *data, size_t len, size_t max,
		    int (*cb)(void *ctx, const struct jcs_pkg *p), void *ctx);

#endif
