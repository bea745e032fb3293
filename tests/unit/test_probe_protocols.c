/* Protocol modules on recorded replies (fuzz/corpus holds the captured bytes). */
#include "t.h"
#include "jcstar/buf.h"
#include "core/blob.h"
#include "probe/probe.h"

static struct jcs_buf load(const char *path)
{
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_err err;

	if (jcs_read_file(path, 0, &b, &err))
		T_FAIL("%s: %s", path, err.msg);
	return b;
}

/* Which module claims these first bytes. */
static const char *identify(const void *b, size_t n)
{
	const struct jcs_proto *best = NULL;
	int score = 0;

	for (size_t i = 0; jcs_protos[i]; i++) {
		int s = jcs_protos[i]->match ? jcs_protos[i]->match(b, n) : 0;
		if (s > score)
			score = s, best = jcs_protos[i];
	}
	return best ? best->name : "none";
}

T_TEST(identification_by_content)
{
	struct jcs_buf b = load("fuzz/corpus/http/lighttpd-401");
	T_EQ_STR(identify(b.data, b.len), "http");
	jcs_buf_free(&b);
	b = load("fuzz/corpus/telnet/busybox-greeting");
	T_EQ_STR(identify(b.data, b.len), "telnet");
	jcs_buf_free(&b);
	b = load("fuzz/corpus/http/vsftpd-banner-not-http");
	T_EQ_STR(identify(b.data, b.len), "ftp");
	jcs_buf_free(&b);
	b = load("fuzz/corpus/mqtt/mosquitto-connack-accepted");
	T_EQ_STR(identify(b.data, b.len), "mqtt");
	jcs_buf_free(&b);
	b = load("fuzz/corpus/rtsp/options-200");
	T_EQ_STR(identify(b.data, b.len), "rtsp");
	jcs_buf_free(&b);
	b = load("fuzz/corpus/rtsp/sip-200");
	T_EQ_STR(identify(b.data, b.len), "sip");
	jcs_buf_free(&b);
	T_EQ_STR(identify("SSH-2.0-dropbear_2022.83\r\n", 26), "ssh");
	T_EQ_STR(identify("220 mail.example ESMTP Postfix\r\n", 32), "none");
	/* ADB: CNXN answer (device offers a shell) and AUTH (wants a key) */
	T_EQ_STR(identify("CNXN\x00\x00\x00\x01\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xbc\xb1\xa7\xb1", 24), "adb");
	T_EQ_STR(identify("AUTH\x01\x00\x00\x00\x00\x00\x00\x00\x14\x00\x00\x00\x00\x00\x00\x00\xbe\xaa\xab\xb7", 24), "adb");
	T_EQ_STR(identify("AUTH\x01\x00\x00\x00\x00\x00\x00\x00\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 24), "none");
}

T_TEST(http_reply)
{
	struct jcs_buf b = load("fuzz/corpus/http/lighttpd-401");
	struct jcs_http_reply r;

	T_EQ_INT(jcs_http_parse((const uint8_t *)b.data, b.len, &r), 0);
	T_EQ_INT(r.status, 401);
	T_EQ_STR(r.proto, "HTTP/1.0");
	T_CONTAINS(r.auth, "Basic realm=\"device\"");
	T_CONTAINS(r.server, "lighttpd");
	T_ASSERT(r.header_len > 0 && r.header_len < b.len);
	/* incomplete header block: not an error, not finished */
	T_EQ_INT(jcs_http_parse((const uint8_t *)b.data, 40, &r), JCS_ELIMIT);
	T_EQ_INT(jcs_http_parse((const uint8_t *)"220 (vsFTPd 3.0.3)\r\n", 20, &r), JCS_EPARSE);
	jcs_buf_free(&b);
	b = load("fuzz/corpus/rtsp/describe-401-digest");
	T_EQ_INT(jcs_http_parse((const uint8_t *)b.data, b.len, &r), 0);
	T_EQ_STR(r.proto, "RTSP/1.0");
	T_EQ_INT(r.status, 401);
	T_CONTAINS(r.auth, "Digest realm=\"IP Camera(21388)\"");
	jcs_buf_free(&b);
}

T_TEST(http_get_through_transport)
{
	struct jcs_buf b = load("fuzz/corpus/http/lighttpd-200");
	struct jcs_buf body = JCS_BUF_INIT;
	struct jcs_http_reply r;
	struct jcs_tr t;

	jcs_tr_init_replay(&t, b.data, b.len, 11);
	T_EQ_INT(jcs_http_get(&t, "10.77.1.2", "/", &r, &body), 0);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(body.data, "admin page");
	T_CONTAINS(t.tx.data, "GET / HTTP/1.0\r\nHost: 10.77.1.2\r\n");
	jcs_tr_close(&t);
	jcs_buf_free(&body);
	jcs_buf_free(&b);
}

T_TEST(http_too_many_headers)
{
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_http_reply r;

	jcs_buf_puts(&b, "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i < 500; i++)
		jcs_buf_puts(&b, "X-Pad: a\r\n");
	jcs_buf_puts(&b, "\r\n");
	T_EQ_INT(jcs_http_parse((const uint8_t *)b.data, b.len, &r), JCS_EPARSE);
	jcs_buf_free(&b);
}

T_TEST(mqtt_sessions)
{
	static const char *const anon[] = {"\x20\x02\x00\x00", "\x90\x03\x00\x01\x00"};
	static const size_t anon_len[] = {4, 5};
	struct jcs_buf b = load("fuzz/corpus/mqtt/connack-not-authorised"), tr = JCS_BUF_INIT;
	struct jcs_tr t;
	int sub = -1;

	T_EQ_INT(jcs_mqtt_connack((const uint8_t *)b.data, b.len), 5);
	T_EQ_INT(jcs_mqtt_connack((const uint8_t *)"\x20\x02\x00", 3), JCS_EPARSE);
	T_EQ_INT(jcs_mqtt_connack((const uint8_t *)"\x30\x02\x00\x00", 4), JCS_EPARSE);
	/* anonymous broker: CONNECT accepted, SUBSCRIBE '#' granted at QoS 0 */
	T_EQ_INT(jcs_tr_init_script(&t, anon, anon_len, 2, 1), 0);
	T_EQ_INT(jcs_mqtt_session(&t, NULL, NULL, true, &sub, &tr), 0);
	T_EQ_INT(sub, 0);
	/* what we sent: CONNECT (no credentials flags) then SUBSCRIBE # */
	T_ASSERT(t.tx.len > 26 && (uint8_t)t.tx.data[0] == 0x10 && (uint8_t)t.tx.data[9] == 0x02);
	T_ASSERT((uint8_t)t.tx.data[26] == 0x82);
	T_CONTAINS(tr.data, "SUBACK granted");
	jcs_tr_close(&t);
	/* credentials refused */
	jcs_tr_init_replay(&t, b.data, b.len, 0);
	T_EQ_INT(jcs_mqtt_session(&t, "admin", "admin", false, &sub, &tr), 5);
	T_ASSERT((uint8_t)t.tx.data[9] == 0xc2); /* user name + password + clean session */
	jcs_tr_close(&t);
	jcs_buf_free(&tr);
	jcs_buf_free(&b);
}

T_TEST(snmp_response)
{
	struct jcs_buf b = load("fuzz/corpus/snmp/getresponse-v2c");
	char comm[64], val[160];
	int ver = -1;

	T_EQ_INT(jcs_snmp_parse((const uint8_t *)b.data, b.len, &ver, comm, sizeof(comm), val, sizeof(val)), 0);
	T_EQ_INT(ver, 1);
	T_EQ_STR(comm, "public");
	T_EQ_STR(val, "Linux camera 4.9.37");
	jcs_buf_free(&b);
	b = load("fuzz/corpus/snmp/error-nosuchname");
	T_EQ_INT(jcs_snmp_parse((const uint8_t *)b.data, b.len, &ver, comm, sizeof(comm), val, sizeof(val)),
		 JCS_ENOTFOUND);
	T_EQ_INT(jcs_snmp_parse((const uint8_t *)b.data, b.len - 3, &ver, comm, sizeof(comm), val, sizeof(val)),
		 JCS_EPARSE);
	jcs_buf_free(&b);
	/* a v3-only net-snmp agent's answer to the engine discovery (a Report) */
	b = load("fuzz/corpus/snmp/report-v3-discovery");
	char engine[72];
	T_EQ_INT(jcs_snmp3_parse((const uint8_t *)b.data, b.len, engine, sizeof(engine)), 0);
	T_EQ_STR(engine, "80001f8880a90e4c658984116b00000000");
	T_EQ_INT(jcs_snmp3_parse((const uint8_t *)b.data, b.len - 5, engine, sizeof(engine)), JCS_EPARSE);
	T_ASSERT(jcs_snmp_parse((const uint8_t *)b.data, b.len, &ver, comm, sizeof(comm), val, sizeof(val)) != 0);
	jcs_buf_free(&b);
	b = load("fuzz/corpus/snmp/getresponse-v2c");
	T_EQ_INT(jcs_snmp3_parse((const uint8_t *)b.data, b.len, engine, sizeof(engine)), JCS_EPARSE);
	jcs_buf_free(&b);
}

T_TEST(upnp_description)
{
	struct jcs_buf b = load("fuzz/corpus/upnp/rootdesc.xml");
	struct jcs_upnp_desc d;

	T_EQ_INT(jcs_upnp_parse(b.data, b.len, &d), 0);
	T_EQ_STR(d.model_name, "XR-500");
	T_EQ_STR(d.model_number, "XR500-JP");
	T_EQ_STR(d.manufacturer, "ExampleCorp");
	T_CONTAINS(d.device_type, "InternetGatewayDevice");
	jcs_buf_free(&b);
	b = load("fuzz/corpus/upnp/tr64desc.xml");
	T_EQ_INT(jcs_upnp_parse(b.data, b.len, &d), 0);
	T_CONTAINS(d.device_type, "dslforum-org");
	T_EQ_STR(d.model_number, "8245H");
	jcs_buf_free(&b);
	T_EQ_INT(jcs_upnp_parse("<root><device>", 14, &d), JCS_EPARSE);
	/* miniupnpd's IGD: the WAN connection service and its control URL */
	char control[256], type[128];
	b = load("fuzz/corpus/upnp/miniupnpd-rootdesc.xml");
	T_EQ_INT(jcs_upnp_wan_service(b.data, b.len, control, sizeof(control), type, sizeof(type)), 0);
	T_EQ_STR(control, "/ctl/IPConn");
	T_EQ_STR(type, "urn:schemas-upnp-org:service:WANIPConnection:2");
	jcs_buf_free(&b);
	b = load("fuzz/corpus/upnp/tr64desc.xml");
	T_EQ_INT(jcs_upnp_wan_service(b.data, b.len, control, sizeof(control), type, sizeof(type)), JCS_ENOTFOUND);
	jcs_buf_free(&b);
}

T_TEST(modbus_frames)
{
	struct jcs_buf b = load("fuzz/corpus/modbus/pymodbus-read-holding");
	const uint8_t *d;
	size_t dl;
	uint8_t fc;

	T_EQ_INT(jcs_modbus_parse((const uint8_t *)b.data, b.len, 1, &fc, &d, &dl), 0);
	T_EQ_INT(fc, 3);
	T_ASSERT(dl == 3 && d[0] == 2 && d[2] == 17);
	T_EQ_INT(jcs_modbus_parse((const uint8_t *)b.data, b.len, 2, &fc, &d, &dl), JCS_EPARSE); /* other id */
	T_EQ_INT(jcs_modbus_parse((const uint8_t *)b.data, b.len - 1, 1, &fc, &d, &dl), JCS_EPARSE); /* cut */
	jcs_buf_free(&b);
	b = load("fuzz/corpus/modbus/pymodbus-write-exception");
	T_EQ_INT(jcs_modbus_parse((const uint8_t *)b.data, b.len, 3, &fc, &d, &dl), 0);
	T_ASSERT(fc == 0x86 && dl == 1 && d[0] == 2);
	jcs_buf_free(&b);
}

/* Replies recorded from the echonet-lite npm node of tests/integration/probe_echonet.sh (asked
 * with the node profile 0x0EF001 as the sender). */
T_TEST(echonet_frames)
{
	struct jcs_buf b = load("fuzz/corpus/echonet/node-profile-get-res");
	struct jcs_el_frame f;
	const struct jcs_el_prop *pr;
	uint8_t epcs[128];

	T_EQ_INT(jcs_echonet_parse((const uint8_t *)b.data, b.len, &f), (int)b.len);
	T_ASSERT(f.tid == 1 && f.esv == 0x72 && f.opc == 3 && f.seoj == 0x0ef001 && f.deoj == 0x0ef001);
	T_ASSERT(jcs_echonet_valid((const uint8_t *)b.data, b.len));
	pr = jcs_echonet_prop(&f, 0xd6);
	T_ASSERT(pr && pr->pdc == 7 && pr->edt[0] == 2 && pr->edt[1] == 0x02 && pr->edt[2] == 0x7d);
	pr = jcs_echonet_prop(&f, 0x8a);
	T_ASSERT(pr && pr->pdc == 3 && pr->edt[2] == 0x77);
	T_EQ_INT(jcs_echonet_parse((const uint8_t *)b.data, b.len - 1, &f), JCS_EPARSE); /* cut */
	jcs_buf_free(&b);
	/* Set property maps: a list, an empty list, a bitmap */
	b = load("fuzz/corpus/echonet/battery-get-res-9e-80");
	T_ASSERT(jcs_echonet_parse((const uint8_t *)b.data, b.len, &f) > 0);
	T_EQ_INT(jcs_echonet_propmap(jcs_echonet_prop(&f, 0x9e), epcs), 1);
	T_EQ_INT(epcs[0], 0x80);
	T_ASSERT(!jcs_echonet_valid((const uint8_t *)b.data, b.len)); /* TID 2: not the identification */
	jcs_buf_free(&b);
	b = load("fuzz/corpus/echonet/readonly-battery-get-res-empty-9e");
	T_ASSERT(jcs_echonet_parse((const uint8_t *)b.data, b.len, &f) > 0);
	T_EQ_INT(jcs_echonet_propmap(jcs_echonet_prop(&f, 0x9e), epcs), 0);
	jcs_buf_free(&b);
	b = load("fuzz/corpus/echonet/constructed-getmap-bitmap");
	T_ASSERT(jcs_echonet_parse((const uint8_t *)b.data, b.len, &f) > 0);
	T_EQ_INT(jcs_echonet_propmap(jcs_echonet_prop(&f, 0x9f), epcs), 16);
	T_ASSERT(epcs[0] == 0x80 && epcs[15] == 0x8f);
	jcs_buf_free(&b);
	/* the answers to SetC: accepted and refused */
	b = load("fuzz/corpus/echonet/battery-setc-set-res");
	T_ASSERT(jcs_echonet_parse((const uint8_t *)b.data, b.len, &f) > 0 && f.esv == 0x71 && f.props[0].pdc == 0);
	jcs_buf_free(&b);
	b = load("fuzz/corpus/echonet/readonly-battery-setc-sna");
	T_ASSERT(jcs_echonet_parse((const uint8_t *)b.data, b.len, &f) > 0 && f.esv == 0x51 && f.props[0].edt[0] == 0x30);
	jcs_buf_free(&b);
	/* frames one after the other (TCP) */
	b = load("fuzz/corpus/echonet/tcp-stream-three-frames");
	T_EQ_INT(jcs_echonet_parse((const uint8_t *)b.data, b.len, &f), 32);
	T_EQ_INT(jcs_echonet_parse((const uint8_t *)b.data + 32, b.len - 32, &f), 19);
	T_ASSERT(f.tid == 2 && f.seoj == 0x027d01);
	jcs_buf_free(&b);
	/* SetGet answers (two lists) and more properties than the budget are refused */
	T_EQ_INT(jcs_echonet_parse((const uint8_t *)"\x10\x81\x00\x01\x0e\xf0\x01\x05\xff\x01\x7e\x00\x00", 13, &f), JCS_EPARSE);
	T_EQ_INT(jcs_echonet_parse((const uint8_t *)"\x10\x81\x00\x01\x0e\xf0\x01\x05\xff\x01\x72\x21", 12, &f), JCS_EPARSE);
}

T_TEST(needed_ports)
{
	struct jcs_needed_port *v;
	size_t n;
	struct jcs_err err;

	T_EQ_INT(jcs_needed_ports_parse("80/tcp,443,161/udp", &v, &n, &err), 0);
	T_EQ_INT(n, 3);
	T_ASSERT(v[0].port == 80 && !v[0].udp && v[1].port == 443 && !v[1].udp && v[2].port == 161 && v[2].udp);
	free(v);
	T_EQ_INT(jcs_needed_ports_parse("80/sctp", &v, &n, &err), JCS_EINVAL);
	T_EQ_INT(jcs_needed_ports_parse("70000", &v, &n, &err), JCS_EINVAL);
}

/* The bundled list in attack order: Mirai first, the declared vendor's defaults next, no pair
 * twice (a vendor default that is also a Mirai pair keeps its Mirai place). */
T_TEST(credential_order)
{
	const struct jcs_blob *b = jcs_blob_get("creds/default.txt");
	struct jcs_buf out = JCS_BUF_INIT, plain = JCS_BUF_INIT;
	const char *hik, *rest;

	T_ASSERT(b != NULL);
	T_ASSERT(strncmp((const char *)b->data, "root:xc3511\n", 12) == 0); /* Mirai's first pair */
	jcs_creds_ordered((const char *)b->data, "ZyXEL Communications Corp.", &out);
	T_ASSERT(strncmp(out.data, "\nroot:xc3511\n", 13) == 0);
	T_ASSERT(!strstr(out.data, "\n#"));
	hik = strstr(out.data, "\n1234:1234\n");          /* a ZyXEL default, far down the bundled list */
	rest = strstr(out.data, "\napc:apc\n");           /* first pair after the Mirai block */
	T_ASSERT(hik && rest && hik < rest);
	T_ASSERT(strstr(hik + 1, "\n1234:1234\n") == NULL); /* once */
	T_ASSERT(strstr(out.data, "\nadmin:12345\n") < hik); /* the Mirai pairs stay ahead of the vendor's */
	/* another vendor: the ZyXEL default keeps its place after the rest's first pair */
	jcs_creds_ordered((const char *)b->data, "Nobody Such Vendor", &plain);
	T_ASSERT(strstr(plain.data, "\n1234:1234\n") > strstr(plain.data, "\napc:apc\n"));
	jcs_buf_free(&out);
	jcs_buf_free(&plain);
}

T_MAIN(T_CASE(identification_by_content), T_CASE(http_reply), T_CASE(http_get_through_transport),
       T_CASE(http_too_many_headers), T_CASE(mqtt_sessions), T_CASE(snmp_response), T_CASE(upnp_description),
       T_CASE(modbus_frames), T_CASE(echonet_frames), T_CASE(needed_ports), T_CASE(credential_order))
