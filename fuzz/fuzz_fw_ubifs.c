/* Fuzz target: the ubifs unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_ubifs
#include "fw_fuzz.h"
