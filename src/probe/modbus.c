/* Modbus/TCP (tcp/502; PCS, EMS and gateways of energy equipment): a protocol without any
 * authentication. Identified by the answer to Read Holding Registers; control access is
 * checked by writing holding register 0 with the value it already has (Write Single
 * Register): an echo means anyone on the network can write the device's registers. */
#include <stdio.h>
#include <string.h>

#include "core/cur.h"
#include "probe/probe.h"

#define UNIT 1

/* Read Holding Registers (FC 3), address 0, 1 register; transaction id 1 */
static const char hello[] = "\x00\x01\x00\x00\x00\x06\x01\x03\x00\x00\x00\x01";

int jcs_modbus_parse(const uint8_t *b, size_t n, uint16_t tid, uint8_t *fc, const uint8_t **data, size_t *dlen)
{
	struct jcs_cur c = jcs_cur_make(b, n);
	uint16_t id = jcs_cur_u16be(&c), proto = jcs_cur_u16be(&c), len = jcs_cur_u16be(&c);

	jcs_cur_u8(&c); /* unit */
	*fc = jcs_cur_u8(&c);
	if (c.bad || id != tid || proto != 0 || len < 2 || len > 254 || (size_t)len - 2 > jcs_cur_left(&c))
		return JCS_EPARSE;
	*dlen = (size_t)len - 2;
	*data = jcs_cur_take(&c, *dlen);
	return *data || !*dlen ? 0 : JCS_EPARSE;
}

static int modbus_match(const uint8_t *b, size_t n)
{
	uint8_t fc;
	const uint8_t *d;
	size_t dl;

	return jcs_modbus_parse(b, n, 1, &fc, &d, &dl) == 0 && (fc & 0x7f) == 3 ? 100 : 0;
}

static bool frame_done(const struct jcs_buf *b, void *arg)
{
	(void)arg;
	return b->len >= 6 && b->len >= 6 + (((size_t)(uint8_t)b->data[4] << 8) | (uint8_t)b->data[5]);
}

/* One request/answer over a fresh connection: 0 with the function code and data, or JCS_E*. */
static int request(struct jcs_probe *p, struct jcs_service *s, uint16_t tid, const uint8_t *pdu, size_t plen,
		   uint8_t *fc, uint8_t *data, size_t *dlen)
{
	uint8_t req[32] = {(uint8_t)(tid >> 8), (uint8_t)tid, 0, 0, 0, (uint8_t)(plen + 1), UNIT};
	struct jcs_buf in = JCS_BUF_INIT;
	const uint8_t *d;
	size_t dl;
	struct jcs_tr t;
	int rc = jcs_probe_open(p, s->port, s->tls, &t, NULL);

	memcpy(req + 7, pdu, plen);
	if (!rc)
		rc = jcs_tr_write(&t, req, 7 + plen);
	if (!rc)
		rc = jcs_tr_read_until(&t, &in, 300, frame_done, NULL);
	if (!rc)
		rc = jcs_modbus_parse((const uint8_t *)in.data, in.len, tid, fc, &d, &dl);
	if (!rc) {
		*dlen = dl < *dlen ? dl : *dlen;
		memcpy(data, d, *dlen);
	}
	jcs_tr_close(&t);
	jcs_buf_free(&in);
	return rc;
}

static int modbus_anon(struct jcs_probe *p, struct jcs_service *s, struct jcs_buf *note)
{
	static const uint8_t read0[] = {0x03, 0x00, 0x00, 0x00, 0x01};
	uint8_t fc = 0, d[260], write0[5] = {0x06, 0x00, 0x00, 0, 0};
	size_t dl = sizeof(d);
	int rc = request(p, s, 2, read0, sizeof(read0), &fc, d, &dl);

	if (rc)
		return rc;
	if (fc != 0x03 || dl < 3 || d[0] != 2) {
		jcs_buf_printf(note, "Read Holding Registers 0: exception %u\n", dl ? d[0] : 0);
		return -1;
	}
	jcs_buf_printf(note, "Read Holding Registers 0 without authentication: value %u\n", (unsigned)(d[1] << 8 | d[2]));
	/* the same value back: control access without changing anything */
	write0[3] = d[1];
	write0[4] = d[2];
	dl = sizeof(d);
	rc = request(p, s, 3, write0, sizeof(write0), &fc, d, &dl);
	if (rc == 0 && fc == 0x06 && dl == 4 && memcmp(d, write0 + 1, 4) == 0) {
		jcs_buf_puts(note, "Write Single Register 0 (same value) accepted: control access without authentication\n");
		json_object_set_new(s->facts, "control_write", json_true());
	} else {
		jcs_buf_printf(note, "Write Single Register 0 refused (%s)\n",
			       rc ? jcs_strerror(rc) : fc == 0x86 && dl ? "exception" : "unexpected answer");
		json_object_set_new(s->facts, "control_write", json_false());
	}
	return 1;
}

const struct jcs_proto jcs_proto_modbus = {
	.name = "modbus",
	.hello = hello,
	.hello_len = sizeof(hello) - 1,
	.match = modbus_match,
	.anon = modbus_anon,
};
