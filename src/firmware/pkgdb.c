/* opkg / dpkg status and apk installed databases (pkgdb.h). */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "firmware/audit/audit.h"
#include "firmware/pkgdb.h"

enum jcs_pkgdb_kind jcs_pkgdb_kind_of(const char *path)
{
	static const struct {
		const char *path;
		enum jcs_pkgdb_kind kind;
	} dbs[] = {
		{"/usr/lib/opkg/status", JCS_PKGDB_OPKG},
		{"/var/lib/opkg/status", JCS_PKGDB_OPKG},
		{"/etc/opkg/status", JCS_PKGDB_OPKG},
		{"/var/lib/dpkg/status", JCS_PKGDB_DPKG},
		{"/lib/apk/db/installed", JCS_PKGDB_APK},
	};
	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++)
		if (strcmp(path, dbs[i].path) == 0)
			return dbs[i].kind;
	return JCS_PKGDB_NONE;
}

const char *jcs_pkgdb_purl_type(enum jcs_pkgdb_kind k)
{
	return k == JCS_PKGDB_DPKG ? "deb" : k == JCS_PKGDB_APK ? "apk" : "opkg";
}

static bool copy_field(char *dst, size_t cap, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]))
			return false;
	memcpy(dst, s, n);
	dst[n] = 0;
	return true;
}

static bool field(const char *s, size_t n, const char *key, const char **val, size_t *vlen)
{
	size_t k = strlen(key);

	if (n < k || strncmp(s, key, k))
		return false;
	*val = s + k;
	*vlen = n - k;
	return true;
}

int jcs_pkgdb_parse(enum jcs_pkgdb_kind kind, const void *data, size_t len, size_t max,
		    int (*cb)(void *ctx, const struct jcs_pkg *p), void *ctx)
{
	struct jcs_lines it;
	struct jcs_pkg p;
	bool installed = true, have_name = false, have_ver = false, more = true;
	const char *s, *v;
	size_t n, vn, count = 0;
	int rc = 0;

	if (kind == JCS_PKGDB_NONE)
		return 0;
	memset(&p, 0, sizeof(p));
	jcs_lines_init(&it, data, len);
	while (rc == 0 && more) {
		more = jcs_lines_next(&it, &s, &n);
		if (!more || n == 0) { /* end of a stanza */
			if (have_name && have_ver && installed) {
				if (++count > max)
					return 0;
				rc = cb(ctx, &p);
			}
			memset(&p, 0, sizeof(p));
			installed = true;
			have_name = have_ver = false;
			continue;
		}
		if (kind == JCS_PKGDB_APK) {
			if (field(s, n, "P:", &v, &vn))
				have_name = copy_field(p.name, sizeof(p.name), v, vn);
			else if (field(s, n, "V:", &v, &vn))
				have_ver = copy_field(p.version, sizeof(p.version), v, vn);
			else if (field(s, n, "o:", &v, &vn))
				copy_field(p.source, sizeof(p.source), v, vn);
			continue;
		}
		if (field(s, n, "Package:", &v, &vn))
			have_name = copy_field(p.name, sizeof(p.name), v, vn);
		else if (field(s, n, "Version:", &v, &vn))
			have_ver = copy_field(p.version, sizeof(p.version), v, vn);
		else if (field(s, n, "Source:", &v, &vn)) {
			/* "Source: curl" or "Source: curl (7.88.1-10)": the name only */
			const char *sp = memchr(v, '(', vn);
			copy_field(p.source, sizeof(p.source), v, sp ? (size_t)(sp - v) : vn);
		} else if (field(s, n, "Status:", &v, &vn)) {
			/* "install ok installed" / "install user installed"; not "deinstall ok
			 * config-files" or "... not-installed" */
			installed = vn >= 10 && memcmp(v + vn - 10, " installed", 10) == 0;
		}
	}
	return rc;
}
