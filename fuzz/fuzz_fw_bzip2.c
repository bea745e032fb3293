/* Fuzz target: the bzip2 unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_bzip2
#include "fw_fuzz.h"
