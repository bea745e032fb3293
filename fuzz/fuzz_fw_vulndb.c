/* Fuzz the NVD CVE API 2.0, OSV and Debian tracker readers, the configuration matcher and
 * the decision between sources against a small SBOM (busybox, kernel, openssh from opkg;
 * openssl from apk; libcurl4 from dpkg). */
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
	static const char dpkg[] = "Package: libcurl4\nStatus: install ok installed\nSource: curl\n"
				   "Version: 7.88.1-10+deb12u4\n";
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
	f.path = "/var/lib/dpkg/status";
	f.data = (const uint8_t *)dpkg;
	f.len = f.size = strlen(dpkg);
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
	vm = (struct jcs_vulnmatch){.sbom = s, .out = json_array(), .fixed = json_array()};
	if (jcs_vulndb_doc(&vm, (const char *)data, size, "fuzz", &err) == 0)
		json_decref(jcs_vulnmatch_resolve(&vm, NULL));
	json_decref(vm.out);
	json_decref(vm.fixed);
	return 0;
}
