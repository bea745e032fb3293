/* Fuzz the opkg/dpkg status and apk installed parsers. */
#include <stddef.h>
#include <stdint.h>

#include "firmware/pkgdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each(void *ctx, const struct jcs_pkg *p)
{
	(void)ctx;
	return p->name[0] ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jcs_pkgdb_parse(JCS_PKGDB_OPKG, data, size, 1000, each, NULL);
	jcs_pkgdb_parse(JCS_PKGDB_DPKG, data, size, 1000, each, NULL);
	jcs_pkgdb_parse(JCS_PKGDB_APK, data, size, 1000, each, NULL);
	return 0;
}
