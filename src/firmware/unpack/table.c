/* The unpacker table: one line per format (src/firmware/unpack/NAME.c). Order matters only
 * when two signatures match at the same offset: the first that accepts the bytes wins. */
#include "firmware/unpack/unpack.h"

#define U(n) extern const struct jcs_fw_unpacker jcs_fw_unpack_##n;
#include "firmware/unpack/table.def"
#undef U

const struct jcs_fw_unpacker *const jcs_fw_unpackers[] = {
#define U(n) &jcs_fw_unpack_##n,
#include "firmware/unpack/table.def"
#undef U
};
const size_t jcs_fw_nunpackers = sizeof(jcs_fw_unpackers) / sizeof(jcs_fw_unpackers[0]);
