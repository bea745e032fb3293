/* Telnet replies: the IAC filter and a whole login dialogue fed with these bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "probe/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_telnet st = {0};
	struct jcs_buf out = JCS_BUF_INIT, reply = JCS_BUF_INIT;
	struct jcs_login_result r = {0};
	struct jcs_tr t;

	jcs_telnet_filter(&st, data, size, &out, &reply);
	jcs_buf_free(&out);
	jcs_buf_free(&reply);
	/* the same bytes as a device's side of a login (read in 13-byte pieces) */
	jcs_tr_init_replay(&t, data, size, 13);
	jcs_telnet_session(&t, "root", "root", 7, 100, &r);
	jcs_tr_close(&t);
	jcs_buf_free(&r.transcript);
	return 0;
}
