/* The whole carving walk over arbitrary bytes. */
#include "fw_fuzz.h"
