/* Android Debug Bridge over TCP (usually 5555): a CNXN hello; a CNXN answer means a shell
 * without any authentication, AUTH means the device wants an RSA key. */
#include <string.h>

#include "core/cur.h"
#include "probe/probe.h"

#define A_CNXN 0x4e584e43u
#define A_AUTH 0x48545541u

/* The command of an ADB message header (24 bytes, little-endian, magic = ~command) or 0. */
static uint32_t adb_command(const uint8_t *b, size_t n)
{
	struct jcs_cur c = jcs_cur_make(b, n);
	uint32_t cmd = jcs_cur_u32le(&c);

	jcs_cur_skip(&c, 16);
	if (c.bad || jcs_cur_u32le(&c) != (cmd ^ 0xffffffffu) || c.bad)
		return 0;
	return cmd == A_CNXN || cmd == A_AUTH ? cmd : 0;
}

static int adb_match(const uint8_t *b, size_t n)
{
	return adb_command(b, n) ? 100 : 0;
}

/* CNXN(version 0x01000000, maxdata 4096, "host::\0") */
static const char hello[] = "CNXN\x00\x00\x00\x01\x00\x10\x00\x00\x07\x00\x00\x00\x32\x02\x00\x00\xbc\xb1\xa7\xb1host::";

static int adb_anon(struct jcs_probe *p, struct jcs_service *s, struct jcs_buf *note)
{
	struct jcs_tr t;
	struct jcs_buf in = JCS_BUF_INIT;
	int rc = jcs_probe_open(p, s->port, s->tls, &t, NULL);
	uint32_t cmd = 0;

	if (!rc)
		rc = jcs_tr_write(&t, hello, sizeof(hello));
	if (!rc) {
		jcs_tr_read_until(&t, &in, 4096, NULL, NULL);
		cmd = adb_command((const uint8_t *)in.data, in.len);
	}
	jcs_tr_close(&t);
	jcs_buf_free(&in);
	if (rc)
		return rc;
	if (cmd == A_CNXN) {
		jcs_buf_puts(note, "device answered CNXN: shell access without authentication\n");
		return 1;
	}
	jcs_buf_puts(note, cmd == A_AUTH ? "device demands AUTH (RSA key)\n" : "no ADB answer\n");
	return cmd == A_AUTH ? 0 : -1;
}

const struct jcs_proto jcs_proto_adb = {
	.name = "adb",
	.risky = true,
	.hello = hello,
	.hello_len = sizeof(hello),
	.match = adb_match,
	.anon = adb_anon,
};
