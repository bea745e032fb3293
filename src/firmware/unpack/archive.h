/* libarchive-backed unpackers (tar, cpio, zip, 7z, bzip2): entries are read into memory
 * (capped) and reported; libarchive never writes to disk here. */
#ifndef JCS_FIRMWARE_UNPACK_ARCHIVE_H
#define JCS_FIRMWARE_UNPACK_ARCHIVE_H

#include <archive.h>

#include "firmware/unpack/unpack.h"

struct jcs_fw_archive_fmt {
	int (*enable)(struct archive *a);  /* archive_read_support_format_tar, ... */
	int (*filter)(struct archive *a);  /* optional compression filter (bzip2) */
	/* bytes the archive occupies, from the last header position and size (may be 0) */
	size_t (*extent)(const uint8_t *p, size_t len, int64_t last_header, int64_t last_size);
};

int jcs_fw_archive_unpack(struct jcs_fw_walk *w, const struct jcs_fw_archive_fmt *fmt, const uint8_t *p,
			  size_t len, size_t *used, struct jcs_err *err);

#endif
