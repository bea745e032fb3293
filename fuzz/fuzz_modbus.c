/* Modbus/TCP answer frames (MBAP header + PDU). */
#include <stdint.h>

#include "probe/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t fc;
	const uint8_t *d;
	size_t dl;

	for (uint16_t tid = 1; tid <= 3; tid++)
		if (jcs_modbus_parse(data, size, tid, &fc, &d, &dl) == 0 && dl)
			(void)d[dl - 1];
	return 0;
}
