#include <stdio.h>

#include "firmware/unpack/stream.h"

int jcs_fw_stream_emit(struct jcs_fw_walk *w, const char *fmt, const char *name, struct jcs_fw_out *o,
		       bool truncated)
{
	struct jcs_fw_file f = {0};
	char path[300];

	snprintf(path, sizeof(path), "/%s%s", name && *name ? name : fmt, name && *name ? "" : ".out");
	if (truncated)
		jcs_fw_problem(w, 0, "stream larger than the in-memory cap (%zu bytes): only the start is analysed",
			       o->max);
	f.path = path;
	f.type = JCS_FW_FILE;
	f.mode = 0644;
	f.size = o->len;
	f.data = o->data;
	f.len = o->len;
	return jcs_fw_emit(w, &f, JCS_FW_EMIT_CARVE);
}
