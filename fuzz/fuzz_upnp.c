/* SSDP replies and UPnP / TR-064 device description XML. */
#include <stdint.h>

#include "probe/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_upnp_desc d;
	struct jcs_http_reply r;

	jcs_upnp_parse((const char *)data, size, &d);
	jcs_http_parse(data, size, &r);
	return 0;
}
