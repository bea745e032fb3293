/* SSDP replies, UPnP / TR-064 device description XML and IGD control replies. */
#include <stdint.h>

#include "probe/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_upnp_desc d;
	struct jcs_http_reply r;
	char control[256], type[128];

	jcs_upnp_parse((const char *)data, size, &d);
	jcs_upnp_wan_service((const char *)data, size, control, sizeof(control), type, sizeof(type));
	jcs_http_parse(data, size, &r);
	return 0;
}
