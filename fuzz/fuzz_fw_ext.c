/* Fuzz target: the ext unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_ext
#include "fw_fuzz.h"
