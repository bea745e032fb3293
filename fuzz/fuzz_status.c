/* Status statements (jcstar.status/1) and the verdict they give a credential. */
#include <stdint.h>
#include <string.h>

#include "label_key.h"
#include "jcstar/label.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_status st;
	struct jcs_err err;

	if (jcs_status_verify((const char *)data, size, fuzz_label_key(), &st, &err) == 0 &&
	    (st.label_index > st.status_index || st.status_index >= st.tree_size || st.produced >= st.next_update ||
	     strlen(st.label_hash) != JCS_HASH_HEX))
		__builtin_trap();
	return 0;
}
