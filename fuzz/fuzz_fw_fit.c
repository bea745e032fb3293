/* Fuzz target: the fit unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_fit
#include "fw_fuzz.h"
