/* Fuzz target: the draytek unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_draytek
#include "fw_fuzz.h"
