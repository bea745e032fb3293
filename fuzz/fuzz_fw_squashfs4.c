/* Fuzz target: the squashfs4 unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_squashfs4
#include "fw_fuzz.h"
