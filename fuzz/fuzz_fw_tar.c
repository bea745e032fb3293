/* Fuzz target: the tar unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_tar
#include "fw_fuzz.h"
