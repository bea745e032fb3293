/* Fuzz target: the gzip unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_gzip
#include "fw_fuzz.h"
