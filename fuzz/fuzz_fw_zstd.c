/* Fuzz target: the zstd unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_zstd
#include "fw_fuzz.h"
