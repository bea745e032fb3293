/* Fuzz the NVD CVE API 2.0 and OSV readers and the configuration matcher against a small SBOM
 * (busybox, kernel, openssh from opkg; openssl from apk). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "firmware/vulnmatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct jcs_sbom *sbom(void)
{
	static const char opkg[] = "Package: busybox\nVersion: 1.24.2-1\nStatus: install ok installed\n\n"
				   "Package: kernel\nVersion: 5.10.176-1\nStatus: install ok installed\n\n"
				   "Package: openssh-server\nVersion: 6.7p1-5\nStatus: install ok installed\n";
	static const char apk[] = "P:openssl\nV:1.0.2p-r0\n";
	struct jcs_sbom *s = NULL;
	struct jcs_err err;
	struct jcs_fw_file f = {0};

	if (jcs_sbom_new(&s, &err))
		return NULL;
	f.type = JCS_FW_FILE;
	f.path = "/usr/lib/opkg/status";
	f.data = (const uint8_t *)opkg;
	f.len = f.size = strlen(opkg);
	jcs_sbom_file(s, &f, &err);
	f.path = "/lib/apk/db/installed";
	f.data = (const uint8_t *)apk;
	f.len = f.size = strlen(apk);
	jcs_sbom_file(s, &f, &err);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jcs_sbom *s;
	struct jcs_vulnmatch vm;
	struct jcs_err err;

	if (!s)
		s = sbom();
	if (!s)
		return 0;
	vm = (struct jcs_vulnmatch){s, json_array(), 0, 0};
	jcs_vulndb_doc(&vm, (const char *)data, size, "fuzz", &err);
	json_decref(vm.out);
	return 0;
}
