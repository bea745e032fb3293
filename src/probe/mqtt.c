/* MQTT 3.1.1 (and MQTTS over the TLS transport): CONNECT / CONNACK for identification and
 * logins, SUBSCRIBE "#" / SUBACK to show what an anonymous client can read. Packets are
 * built and parsed here, through the transport, so recorded replies test and fuzz them. */
#include <stdio.h>
#include <string.h>

#include "core/cur.h"
#include "probe/probe.h"

/* Remaining length (MQTT variable byte integer) at c; -1 when malformed. */
static long remaining_length(struct jcs_cur *c)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		uint8_t b = jcs_cur_u8(c);
		if (c->bad)
			return -1;
		v |= (long)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return v;
	}
	return -1;
}

int jcs_mqtt_connack(const uint8_t *b, size_t n)
{
	struct jcs_cur c = jcs_cur_make(b, n);
	uint8_t type = jcs_cur_u8(&c), rc;
	long len = remaining_length(&c);

	if (c.bad || type != 0x20 || len < 2 || len > 64)
		return JCS_EPARSE;
	(void)jcs_cur_u8(&c); /* session present */
	rc = jcs_cur_u8(&c);
	if (c.bad)
		return JCS_EPARSE;
	return rc;
}

/* SUBACK for packet id 1: its first return code (0-2 granted, 0x80 refused) or JCS_EPARSE. */
static int suback(const uint8_t *b, size_t n)
{
	struct jcs_cur c = jcs_cur_make(b, n);

	while (jcs_cur_left(&c)) {
		uint8_t type = jcs_cur_u8(&c);
		long len = remaining_length(&c);
		struct jcs_cur body;

		if (len < 0)
			return JCS_EPARSE;
		body = jcs_cur_sub(&c, (size_t)len);
		if (body.bad)
			return JCS_EPARSE;
		if (type == 0x90 && len >= 3) {
			jcs_cur_skip(&body, 2);
			return jcs_cur_u8(&body);
		}
	}
	return JCS_EPARSE;
}

static void put_str(struct jcs_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (n > 0xffff)
		n = 0xffff;
	jcs_buf_putc(b, (char)(n >> 8));
	jcs_buf_putc(b, (char)(n & 0xff));
	jcs_buf_append(b, s, n);
}

static void put_packet(struct jcs_buf *out, uint8_t type, const struct jcs_buf *body)
{
	size_t n = body->len;

	jcs_buf_putc(out, (char)type);
	do {
		uint8_t d = n & 0x7f;
		n >>= 7;
		jcs_buf_putc(out, (char)(n ? d | 0x80 : d));
	} while (n);
	jcs_buf_append(out, body->data, body->len);
}

static void connect_packet(struct jcs_buf *out, const char *user, const char *pass)
{
	struct jcs_buf v = JCS_BUF_INIT;

	put_str(&v, "MQTT");
	jcs_buf_putc(&v, 4);
	jcs_buf_putc(&v, (char)(0x02 | (user ? 0x80 : 0) | (pass ? 0x40 : 0)));
	jcs_buf_putc(&v, 0);
	jcs_buf_putc(&v, 30);
	put_str(&v, "jcstar-probe");
	if (user)
		put_str(&v, user);
	if (pass)
		put_str(&v, pass);
	put_packet(out, 0x10, &v);
	jcs_buf_wipe(&v);
	jcs_buf_free(&v);
}

static bool have_connack(const struct jcs_buf *b, void *arg)
{
	(void)arg;
	return b->len >= 4 || (b->len >= 1 && (uint8_t)b->data[0] != 0x20);
}

static bool have_suback(const struct jcs_buf *b, void *arg)
{
	(void)arg;
	return suback((const uint8_t *)b->data, b->len) != JCS_EPARSE;
}

static const char *const connack_text[] = {"accepted", "refused: protocol version", "refused: identifier",
					   "refused: server unavailable", "refused: bad user name or password",
					   "refused: not authorized"};

/* One MQTT session over t: CONNECT, CONNACK, and with subscribe a SUBSCRIBE "#" too.
 * Returns the CONNACK code (and *sub the SUBACK code) or a negative JCS_E*. */
static int session(struct jcs_tr *t, const char *user, const char *pass, bool subscribe, int *sub,
		   struct jcs_buf *transcript)
{
	struct jcs_buf out = JCS_BUF_INIT, in = JCS_BUF_INIT;
	int rc;

	connect_packet(&out, user, pass);
	if ((rc = jcs_buf_error(&out)))
		goto out;
	jcs_transcript_add(transcript, ">", user ? "CONNECT with user name and password" : "CONNECT without credentials",
			   user ? 35 : 27);
	if ((rc = jcs_tr_write(t, out.data, out.len)))
		goto out;
	rc = jcs_tr_read_until(t, &in, 64, have_connack, NULL);
	if (rc && !in.len)
		goto out;
	if ((rc = jcs_mqtt_connack((const uint8_t *)in.data, in.len)) < 0)
		goto out;
	jcs_transcript_add(transcript, "<", rc < 6 ? connack_text[rc] : "CONNACK refused",
			   strlen(rc < 6 ? connack_text[rc] : "CONNACK refused"));
	if (rc != 0 || !subscribe)
		goto out;
	{
		static const uint8_t sub_pkt[] = {0x82, 6, 0, 1, 0, 1, '#', 0};
		jcs_buf_reset(&in);
		jcs_transcript_add(transcript, ">", "SUBSCRIBE #", 11);
		if (jcs_tr_write(t, sub_pkt, sizeof(sub_pkt)) == 0 &&
		    jcs_tr_read_until(t, &in, JCS_REPLY_MAX, have_suback, NULL) == 0) {
			*sub = suback((const uint8_t *)in.data, in.len);
			jcs_transcript_add(transcript, "<", *sub == 0 ? "SUBACK granted" : "SUBACK refused",
					   *sub == 0 ? 14 : 14);
		}
	}
out:
	jcs_buf_free(&out);
	jcs_buf_free(&in);
	return rc;
}

int jcs_mqtt_session(struct jcs_tr *t, const char *user, const char *pass, bool subscribe, int *sub,
		     struct jcs_buf *transcript)
{
	return session(t, user, pass, subscribe, sub, transcript);
}

static int mqtt_match(const uint8_t *b, size_t n)
{
	return jcs_mqtt_connack(b, n) >= 0 ? 100 : 0;
}

static int mqtt_anon(struct jcs_probe *p, struct jcs_service *s, struct jcs_buf *note)
{
	struct jcs_tr t;
	int sub = -1, rc = jcs_probe_open(p, s->port, s->tls, &t, NULL);

	if (!rc)
		rc = session(&t, NULL, NULL, true, &sub, note);
	jcs_tr_close(&t);
	if (rc < 0)
		return rc;
	if (rc == 0 && sub >= 0 && sub <= 2) {
		jcs_buf_puts(note, "anonymous client connected and was granted a subscription to '#'\n");
		return 1;
	}
	return rc == 0 ? 1 : 0; /* connected anonymously even if '#' was refused */
}

static int mqtt_login(struct jcs_probe *p, struct jcs_service *s, const char *user, const char *pass,
		      struct jcs_login_result *r)
{
	struct jcs_tr t;
	int sub = -1, rc = jcs_probe_open(p, s->port, s->tls, &t, NULL);

	if (!rc)
		rc = session(&t, user, pass, false, &sub, &r->transcript);
	jcs_tr_close(&t);
	if (rc == 0) {
		r->outcome = JCS_LOGIN_OK;
		snprintf(r->note, sizeof(r->note), "CONNACK accepted the credentials");
	} else if (rc == 4 || rc == 5) {
		r->outcome = JCS_LOGIN_DENIED;
		snprintf(r->note, sizeof(r->note), "CONNACK %s", connack_text[rc]);
	} else if (rc == 3 || rc == JCS_ENET) {
		r->outcome = JCS_LOGIN_THROTTLED;
		snprintf(r->note, sizeof(r->note), "%s", rc == 3 ? "server unavailable" : "connection refused or closed");
	} else {
		r->outcome = JCS_LOGIN_ERROR;
		snprintf(r->note, sizeof(r->note), "%s", rc > 0 ? "CONNACK refused" : jcs_strerror(rc));
	}
	return 0;
}

const struct jcs_proto jcs_proto_mqtt = {
	.name = "mqtt",
	.cleartext = true,
	.hello = "\x10\x18\x00\x04MQTT\x04\x02\x00\x1e\x00\x0cjcstar-probe",
	.hello_len = 26,
	.match = mqtt_match,
	.anon = mqtt_anon,
	.login = mqtt_login,
};
