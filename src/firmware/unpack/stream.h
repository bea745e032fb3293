/* Helper for compressed-stream unpackers (gzip, xz, lzma, zstd, bzip2): the decompressed
 * bytes become one file, carved in turn. */
#ifndef JCS_FIRMWARE_UNPACK_STREAM_H
#define JCS_FIRMWARE_UNPACK_STREAM_H

#include "firmware/unpack/unpack.h"

/* Report the decompressed stream out as file "/name" (name may be NULL: "/<fmt>.out").
 * truncated: the stream went on past the in-memory cap (reported as a problem). */
int jcs_fw_stream_emit(struct jcs_fw_walk *w, const char *fmt, const char *name, struct jcs_fw_out *o,
		       bool truncated);

#endif
