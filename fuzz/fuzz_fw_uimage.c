/* Fuzz target: the uimage unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_uimage
#include "fw_fuzz.h"
