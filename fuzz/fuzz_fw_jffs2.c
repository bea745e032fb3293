/* Fuzz target: the jffs2 unpacker alone. */
#define FW_UNPACKER jcs_fw_unpack_jffs2
#include "fw_fuzz.h"
