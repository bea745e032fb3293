#include "firmware/unpack/header.h"

int jcs_fw_emit_part(struct jcs_fw_walk *w, const char *name, const uint8_t *p, size_t len, uint64_t off,
		     uint64_t size)
{
	struct jcs_fw_file f = {.path = name, .type = JCS_FW_FILE, .mode = 0644, .size = size};

	if (off > len) {
		jcs_fw_problem(w, off, "%s at 0x%llx lies beyond the end of the image (0x%zx)", name,
			       (unsigned long long)off, len);
		return 0;
	}
	if (size > len - off) {
		jcs_fw_problem(w, off, "%s truncated: %llu bytes declared, %llu present", name,
			       (unsigned long long)size, (unsigned long long)(len - off));
		size = len - off;
	}
	f.data = p + off;
	f.len = (size_t)size;
	return jcs_fw_emit(w, &f, JCS_FW_EMIT_CARVE);
}
