/* Fuzz target: the squashfs3 unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_squashfs3
#include "fw_fuzz.h"
