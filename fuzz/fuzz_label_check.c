/* Offline label verification (jcs_label_check) of hostile bytes given as the credential or
 * as a label bundle (jcstar.label-bundle/1 carrying proof, tree head and status statement),
 * against the corpus key at a fixed date and time. "valid" must never come without a label
 * and a fresh status statement. */
#include <stdint.h>

#include "label_key.h"
#include "jcstar/label.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_label_check_in in = {
		.name = "fuzz", .label = (const char *)data, .label_len = size, .date = "2027-01-01",
		.now_ms = UINT64_C(1798761600000), /* 2027-01-01T00:00:00Z */
	};
	struct jcs_label_check *c = NULL;
	struct jcs_err err;

	if (jcs_label_check(fuzz_label_key(), &in, &c, &err) == 0) {
		if (jcs_label_check_outcome(c) == JCS_LABEL_VALID &&
		    (!jcs_label_check_label(c) || !jcs_label_check_status_checked(c, NULL)))
			__builtin_trap();
		if (!jcs_label_check_status(c) || !jcs_label_check_json(c))
			__builtin_trap();
		jcs_label_check_free(c);
	}
	return 0;
}
