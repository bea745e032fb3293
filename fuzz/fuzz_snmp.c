/* SNMP v1/v2c GetResponse (BER). */
#include <stdint.h>

#include "probe/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char community[64], value[160];
	int version;

	jcs_snmp_parse(data, size, &version, community, sizeof(community), value, sizeof(value));
	return 0;
}
