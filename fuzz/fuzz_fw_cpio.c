/* Fuzz target: the cpio unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_cpio
#include "fw_fuzz.h"
