/* Fuzz the VEX reader (OpenVEX, CycloneDX VEX) and its lookup against a small SBOM (Debian
 * libcurl4 and curl from a dpkg status). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "firmware/vex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct jcs_sbom *sbom(void)
{
	static const char dpkg[] = "Package: libcurl4\nStatus: install ok installed\nSource: curl\n"
				   "Version: 7.88.1-10+deb12u4\n\nPackage: curl\nStatus: install ok installed\n"
				   "Version: 7.88.1-10+deb12u4\n";
	struct jcs_sbom *s = NULL;
	struct jcs_err err;
	struct jcs_fw_file f = {0};

	if (jcs_sbom_new(&s, &err))
		return NULL;
	f.type = JCS_FW_FILE;
	f.path = "/var/lib/dpkg/status";
	f.data = (const uint8_t *)dpkg;
	f.len = f.size = strlen(dpkg);
	jcs_sbom_file(s, &f, &err);
	jcs_sbom_finish(s);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jcs_sbom *s;
	struct jcs_vex *v = NULL;
	struct jcs_err err;
	json_t *aliases;

	if (!s)
		s = sbom();
	if (!s || jcs_vex_parse((const char *)data, size, "fuzz", &v, &err))
		return 0;
	aliases = json_pack("[s]", "GHSA-0000-0000-0000");
	for (size_t i = 0; i < jcs_sbom_count(s); i++)
		jcs_vex_lookup(v, "CVE-2023-46218", aliases, jcs_sbom_get(s, i));
	json_decref(aliases);
	jcs_vex_free(v);
	return 0;
}
