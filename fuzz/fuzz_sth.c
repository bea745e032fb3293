/* Signed tree heads. */
#include <stdint.h>

#include "label_key.h"
#include "jcstar/tlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_sth sth;
	struct jcs_err err;

	if (jcs_sth_verify((const char *)data, size, fuzz_label_key(), &sth, &err) == 0 &&
	    sth.tree_size > JCS_TLOG_MAX_SIZE)
		__builtin_trap();
	return 0;
}
