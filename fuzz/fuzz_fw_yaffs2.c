/* Fuzz target: the yaffs2 unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_yaffs2
#include "fw_fuzz.h"
