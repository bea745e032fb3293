/* Fuzz the component signature matcher (as an ELF binary and as a text file, with the
 * debug-link version stamp) and the version comparison. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "firmware/sbom.h"
#include "firmware/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jcs_sbom *s;
	struct jcs_fw_file f = {0};
	struct jcs_err err;
	char a[64], b[64];
	size_t half = size / 2;

	if (!s && jcs_sbom_new(&s, &err))
		return 0;
	f.path = "/usr/sbin/dnsmasq";
	f.type = JCS_FW_FILE;
	f.data = data;
	f.len = f.size = size;
	jcs_sbom_file(s, &f, &err);
	if (jcs_sbom_count(s) > 1000) { /* keep the static SBOM small */
		jcs_sbom_free(s);
		s = NULL;
	}
	/* two NUL-free halves as versions */
	snprintf(a, sizeof(a), "%.*s", (int)(half < 63 ? half : 63), (const char *)data);
	snprintf(b, sizeof(b), "%.*s", (int)(size - half < 63 ? size - half : 63), (const char *)data + half);
	(void)jcs_version_cmp(a, b);
	(void)jcs_version_upstream(a, b, sizeof(b));
	return 0;
}
