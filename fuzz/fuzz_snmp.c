/* SNMP v1/v2c GetResponse and SNMPv3 discovery Report (BER). */
#include <stdint.h>

#include "probe/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char community[64], value[160], engine[72];
	int version;

	jcs_snmp_parse(data, size, &version, community, sizeof(community), value, sizeof(value));
	jcs_snmp3_parse(data, size, engine, sizeof(engine));
	return 0;
}
