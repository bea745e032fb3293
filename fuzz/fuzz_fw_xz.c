/* Fuzz target: the xz unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_xz
#include "fw_fuzz.h"
