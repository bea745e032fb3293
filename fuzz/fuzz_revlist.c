/* Revocation lists (one envelope or an array of them) and single revocations. */
#include <stdint.h>

#include "label_key.h"
#include "jcstar/label.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_revlist *rl = NULL;
	struct jcs_revocation *r = NULL;
	struct jcs_err err;

	if (jcs_revlist_verify((const char *)data, size, fuzz_label_key(), &rl, &err) == 0) {
		for (size_t i = 0; i < jcs_revlist_count(rl); i++)
			if (!jcs_revlist_get(rl, i)->reason)
				__builtin_trap();
		jcs_revlist_free(rl);
	}
	if (jcs_revocation_verify((const char *)data, size, fuzz_label_key(), &r, &err) == 0)
		jcs_revocation_free(r);
	return 0;
}
