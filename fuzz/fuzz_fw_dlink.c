/* Fuzz target: the dlink unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_dlink
#include "fw_fuzz.h"
