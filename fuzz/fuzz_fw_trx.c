/* Fuzz target: the trx unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_trx
#include "fw_fuzz.h"
