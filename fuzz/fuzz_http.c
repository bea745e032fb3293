/* HTTP replies: the status line and header parser, and a GET read through the transport. */
#include <stdint.h>

#include "probe/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_http_reply r;
	struct jcs_buf body = JCS_BUF_INIT;
	struct jcs_tr t;

	if (jcs_http_parse(data, size, &r) == 0 && r.header_len > size)
		__builtin_trap();
	jcs_tr_init_replay(&t, data, size, 97);
	jcs_http_get(&t, "device", "/", &r, &body);
	jcs_tr_close(&t);
	jcs_buf_free(&body);
	return 0;
}
