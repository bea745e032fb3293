/* Fuzz target: the zip unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_zip
#include "fw_fuzz.h"
