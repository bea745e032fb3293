/* Fuzz target: the cramfs unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_cramfs
#include "fw_fuzz.h"
