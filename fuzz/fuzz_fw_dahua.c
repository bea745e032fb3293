/* Fuzz target: the dahua unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_dahua
#include "fw_fuzz.h"
