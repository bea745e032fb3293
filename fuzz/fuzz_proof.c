/* Inclusion and consistency proof files; a parsed proof is run through its verifier. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jcstar/tlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_inclusion in;
	struct jcs_consistency c;
	struct jcs_err err;
	jcs_hash a, b;

	memset(a, 0x5a, sizeof(a));
	memset(b, 0xa5, sizeof(b));
	if (jcs_inclusion_parse((const char *)data, size, &in, &err) == 0) {
		if (in.leaf_index >= in.tree_size || in.path.n > JCS_TLOG_MAX_PATH)
			__builtin_trap();
		jcs_tlog_inclusion_verify(a, in.leaf_index, in.tree_size, &in.path, b);
		free(jcs_inclusion_json(&in));
	}
	if (jcs_consistency_parse((const char *)data, size, &c, &err) == 0) {
		if (c.first == 0 || c.first > c.second)
			__builtin_trap();
		jcs_tlog_consistency_verify(c.first, c.second, a, b, &c.path);
		free(jcs_consistency_json(&c));
	}
	return 0;
}
