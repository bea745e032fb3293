/* Fuzz target: the tplink unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_tplink
#include "fw_fuzz.h"
