/* Fuzz target: the lzma unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_lzma
#include "fw_fuzz.h"
