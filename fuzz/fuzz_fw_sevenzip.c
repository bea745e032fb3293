/* Fuzz target: the sevenzip unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_sevenzip
#include "fw_fuzz.h"
