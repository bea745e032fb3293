/* Fuzz target: the ubi unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_ubi
#include "fw_fuzz.h"
