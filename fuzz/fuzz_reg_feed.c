/* Fuzz the registry's feed intake (monitor.h): a feed document split into records
 * (NVD, OSV, KEV, Debian tracker) and the index keys of each; and the CycloneDX SBOM reader
 * (purls with percent-encoding and qualifiers) that fills the component index. */
#include <stddef.h>
#include <stdint.h>

#include "firmware/sbom.h"
#include "registry/monitor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_record(void *ctx, enum jcs_feed_kind kind, const json_t *rec)
{
	struct jcs_strv keys = {0};
	int rc = jcs_mon_record_keys(kind, rec, &keys);

	(void)ctx;
	jcs_strv_free(&keys);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jcs_sbom *s;
	struct jcs_err err = {0};
	json_t *doc;

	if (size > (1u << 20))
		return 0;
	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!doc)
		return 0;
	jcs_feed_records(doc, on_record, NULL);
	if (!s && jcs_sbom_new(&s, &err))
		s = NULL;
	if (s) {
		jcs_sbom_reset(s);
		if (jcs_sbom_read_cyclonedx(s, doc, &err) == 0)
			jcs_sbom_finish(s);
	}
	json_decref(doc);
	return 0;
}
