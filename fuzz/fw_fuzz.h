/* Shared body of the firmware fuzz targets: fuzz_fw_NAME.c defines FW_UNPACKER (an unpacker
 * from src/firmware/unpack/table.def) or nothing (the whole carving walk), then includes this.
 * Small limits (and a work budget of 2^18 steps) keep each input fast; the sink touches
 * every byte it is given so ASan sees out-of-bounds data pointers. */
#include <stdint.h>
#include <string.h>

#include "firmware/unpack/unpack.h"

static volatile uint8_t fw_fuzz_acc; /* keeps the reads below from being optimised away */

static int fw_fuzz_file(void *ctx, const struct jcs_fw_file *f)
{
	uint8_t acc = 0;

	(void)ctx;
	for (size_t i = 0; f->data && i < f->len; i += 61)
		acc ^= f->data[i];
	if (f->data && f->len)
		acc ^= f->data[f->len - 1];
	acc ^= (uint8_t)strlen(f->path) ^ (uint8_t)strlen(f->container) ^ (uint8_t)(f->link ? strlen(f->link) : 0);
	fw_fuzz_acc ^= acc;
	return 0;
}

static void fw_fuzz_problem(void *ctx, const struct jcs_fw_problem *p)
{
	(void)ctx;
	(void)p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct jcs_fw_limits lim = {.max_total = 64u << 20, .max_files = 20000, .max_ratio = 1000,
						 .max_depth = 3, .max_file_in_memory = 16u << 20,
						 .max_steps = 1u << 18};
	struct jcs_fw_sink sink = {fw_fuzz_file, fw_fuzz_problem, NULL, NULL};
	struct jcs_err err;

#ifdef FW_UNPACKER
	extern const struct jcs_fw_unpacker FW_UNPACKER;
	jcs_fw_walk_one(&FW_UNPACKER, data, size, &lim, &sink, &err);
#else
	jcs_fw_walk_mem(data, size, &lim, &sink, &err);
#endif
	return 0;
}
