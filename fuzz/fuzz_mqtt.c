/* MQTT broker replies: CONNACK, and a CONNECT + SUBSCRIBE session fed with these bytes. */
#include <stdint.h>

#include "probe/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_buf transcript = JCS_BUF_INIT;
	struct jcs_tr t;
	int sub = -1;

	jcs_mqtt_connack(data, size);
	jcs_tr_init_replay(&t, data, size, 3);
	jcs_mqtt_session(&t, NULL, NULL, true, &sub, &transcript);
	jcs_tr_close(&t);
	jcs_buf_free(&transcript);
	return 0;
}
