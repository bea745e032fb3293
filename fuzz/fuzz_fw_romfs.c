/* Fuzz target: the romfs unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_romfs
#include "fw_fuzz.h"
