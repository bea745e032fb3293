/* RTSP (and SIP) replies: identification by every module's matcher and the shared
 * status/header parser they use. */
#include <stdint.h>

#include "probe/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_http_reply r;

	for (size_t i = 0; jcs_protos[i]; i++)
		if (jcs_protos[i]->match)
			jcs_protos[i]->match(data, size);
	jcs_http_parse(data, size, &r);
	return 0;
}
