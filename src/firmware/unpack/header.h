/* Helper for header/container formats (uImage, TRX, TP-Link, FIT, vendor headers): report a
 * payload slice as a blob that is carved in turn; a slice past the end of the image is
 * clamped and reported. */
#ifndef JCS_FIRMWARE_UNPACK_HEADER_H
#define JCS_FIRMWARE_UNPACK_HEADER_H

#include "firmware/unpack/unpack.h"

int jcs_fw_emit_part(struct jcs_fw_walk *w, const char *name, const uint8_t *p, size_t len, uint64_t off,
		     uint64_t size);

#endif
