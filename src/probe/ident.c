/* The protocol module table, connection budget/rate limiting, and identification of open
 * ports by what they speak (never by their number). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "probe/probe.h"

extern const struct jcs_proto jcs_proto_telnet, jcs_proto_ssh, jcs_proto_ftp, jcs_proto_http,
	jcs_proto_rtsp, jcs_proto_mqtt, jcs_proto_adb, jcs_proto_sip, jcs_proto_modbus,
	jcs_proto_echonet;

/* One line per protocol module. Order matters only for the hello probes sent to silent ports. */
const struct jcs_proto *const jcs_protos[] = {
	&jcs_proto_telnet,
	&jcs_proto_ssh,
	&jcs_proto_ftp,
	&jcs_proto_http,
	&jcs_proto_mqtt,
	&jcs_proto_rtsp,
	&jcs_proto_sip,
	&jcs_proto_adb,
	&jcs_proto_modbus,
	&jcs_proto_echonet,
	NULL,
};

#define BANNER_WAIT_MS 1200 /* how long a server-first protocol may take to greet */
#define QUIET_MS 250        /* silence that ends a banner */
#define SESSION_TIMEOUTS 8 /* lifetime of one connection, in operation timeouts */
#define GREETING_MAX_MS 2000 /* a banner trickling in slower than this is cut off */

const struct jcs_proto *jcs_proto_find(const char *name)
{
	for (size_t i = 0; jcs_protos[i]; i++)
		if (strcmp(jcs_protos[i]->name, name) == 0)
			return jcs_protos[i];
	return NULL;
}

int64_t jcs_probe_left_ms(const struct jcs_probe *p)
{
	int64_t left = p->deadline - jcs_now_ms();

	if (p->o.stop && atomic_load(p->o.stop))
		return 0;
	return left > 0 ? left : 0;
}

int jcs_probe_take_slot(struct jcs_probe *p)
{
	if (jcs_probe_left_ms(p) <= 0)
		return JCS_ELIMIT;
	if (atomic_fetch_add(&p->connections, 1) >= p->o.max_connections)
		return JCS_ELIMIT;
	if (p->o.rate > 0) {
		struct timespec ts;
		int64_t now_us, wait_us;

		pthread_mutex_lock(&p->rate_lock);
		now_us = jcs_now_ms() * 1000;
		if (p->next_slot_us < now_us)
			p->next_slot_us = now_us;
		wait_us = p->next_slot_us - now_us;
		p->next_slot_us += 1000000 / p->o.rate;
		pthread_mutex_unlock(&p->rate_lock);
		if (wait_us > 0) {
			ts.tv_sec = wait_us / 1000000;
			ts.tv_nsec = (wait_us % 1000000) * 1000;
			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

int jcs_probe_open(struct jcs_probe *p, int port, bool tls, struct jcs_tr *t, struct jcs_err *err)
{
	int64_t left = jcs_probe_left_ms(p);
	int rc;

	/* one connection lives at most SESSION_TIMEOUTS operation timeouts (modules may shorten
	 * or, for slow logins, extend it), never past the run's budget */
	if (left > (int64_t)p->o.timeout_ms * SESSION_TIMEOUTS)
		left = (int64_t)p->o.timeout_ms * SESSION_TIMEOUTS;
	jcs_tr_init(t, tls ? &jcs_tr_tls : &jcs_tr_tcp, p->o.timeout_ms, (int)(left > 0 ? left : 1));
	t->stop = p->o.stop;
	if ((rc = jcs_probe_take_slot(p)))
		return jcs_err_set(err, rc, "connection or time budget spent");
	return jcs_tr_connect(t, p->host, port, err);
}

void jcs_printable(const uint8_t *b, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < outlen; i++) {
		if (b[i] >= 0x20 && b[i] < 0x7f)
			out[o++] = (char)b[i];
		else if (b[i] == '\n' || b[i] == '\r' || b[i] == '\t')
			out[o++] = ' ';
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", b[i]);
	}
	/* trim trailing blanks */
	while (o && out[o - 1] == ' ')
		o--;
	if (outlen)
		out[o < outlen ? o : outlen - 1] = 0;
}

const char *jcs_lockout_word(const char *text, size_t n)
{
	static const char *const words[] = {"locked", "too many", "try again later", "blocked", "ロック", NULL};

	for (size_t i = 0; words[i]; i++)
		for (size_t k = strlen(words[i]), j = 0; j + k <= n; j++)
			if (strncasecmp(text + j, words[i], k) == 0)
				return words[i];
	return NULL;
}

void jcs_transcript_add(struct jcs_buf *t, const char *dir, const void *b, size_t n)
{
	char tmp[512];

	if (t->len >= JCS_TRANSCRIPT_MAX)
		return;
	jcs_printable(b, n < 160 ? n : 160, tmp, sizeof(tmp));
	jcs_buf_printf(t, "%s %s%s\n", dir, tmp, n > 160 ? " …" : "");
}

/* Read what a server sends unprompted (or in reply to a hello): wait up to first_ms for the
 * first bytes, then until QUIET_MS of silence or 4 KiB. */
static void read_greeting(struct jcs_tr *t, struct jcs_buf *b, int first_ms)
{
	int saved = t->timeout_ms;
	int64_t end = jcs_now_ms() + first_ms + GREETING_MAX_MS;
	char tmp[1024];

	t->timeout_ms = first_ms;
	while (b->len < 4096 && jcs_now_ms() < end) {
		long n = jcs_tr_read(t, tmp, sizeof(tmp));
		if (n <= 0 || jcs_buf_append(b, tmp, (size_t)n))
			break;
		t->timeout_ms = QUIET_MS;
	}
	t->timeout_ms = saved;
}

static const struct jcs_proto *best_match(const struct jcs_buf *b, int *best_score)
{
	const struct jcs_proto *best = NULL;
	int score = 0;

	for (size_t i = 0; b->len && jcs_protos[i]; i++) {
		int sc = jcs_protos[i]->match ? jcs_protos[i]->match((const uint8_t *)b->data, b->len) : 0;
		if (sc > score) {
			score = sc;
			best = jcs_protos[i];
		}
	}
	if (best_score)
		*best_score = score;
	return best;
}

static void set_banner(struct jcs_service *s, const struct jcs_buf *b)
{
	struct jcs_buf clean = JCS_BUF_INIT;

	/* telnet negotiation bytes are not banner text */
	if (b->len && (uint8_t)b->data[0] == 0xff) {
		struct jcs_telnet st = {0};
		jcs_telnet_filter(&st, (const uint8_t *)b->data, b->len, &clean, NULL);
		jcs_printable((const uint8_t *)clean.data, clean.len, s->banner, sizeof(s->banner));
	} else {
		/* text greetings end at the first binary byte (SSH's KEXINIT follows its banner) */
		size_t n = b->len;
		for (size_t i = 4; i < b->len; i++)
			if (((uint8_t)b->data[i] < 0x20 && (!b->data[i] || !strchr("\r\n\t", b->data[i]))) ||
			    (uint8_t)b->data[i] >= 0x7f) {
				n = (uint8_t)b->data[0] >= 0x20 && (uint8_t)b->data[0] < 0x7f ? i : b->len;
				break;
			}
		jcs_printable((const uint8_t *)b->data, n, s->banner, sizeof(s->banner));
	}
	jcs_buf_free(&clean);
}

/* Send hello over a fresh connection and read the reply into b. */
static int hello_reply(struct jcs_probe *p, struct jcs_service *s, bool tls, const char *hello,
		       size_t hlen, struct jcs_buf *b)
{
	struct jcs_tr t;
	int rc = jcs_probe_open(p, s->port, tls, &t, NULL);

	if (!rc && hlen)
		rc = jcs_tr_write(&t, hello, hlen);
	if (!rc)
		read_greeting(&t, b, hlen ? p->o.timeout_ms : BANNER_WAIT_MS);
	jcs_tr_close(&t);
	return rc;
}

int jcs_identify(struct jcs_probe *p, struct jcs_service *s)
{
	struct jcs_buf b = JCS_BUF_INIT;
	int rc;

	/* 1. server-first protocols greet on their own */
	if ((rc = hello_reply(p, s, false, NULL, 0, &b)))
		goto out;
	if (b.len) {
		set_banner(s, &b);
		s->proto = best_match(&b, NULL);
		goto out;
	}
	/* 2. silent: does it speak TLS? (a full handshake by the local OpenSSL) */
	{
		struct jcs_tr t;
		s->tls = jcs_probe_open(p, s->port, true, &t, NULL) == 0;
		jcs_tr_close(&t);
	}
	if (s->tls) {
		/* a server-first protocol inside TLS (FTPS, telnets) */
		if ((rc = hello_reply(p, s, true, NULL, 0, &b)))
			goto out;
		if (b.len && (s->proto = best_match(&b, NULL))) {
			set_banner(s, &b);
			goto out;
		}
	}
	/* 3. client-first protocols: send each module's hello until one is answered with certainty;
	 * a doubtful answer (an HTTP 404 from an RTSP server such as VLC's) lets the others try */
	for (size_t i = 0, best = 0; jcs_protos[i] && best < 100; i++) {
		const struct jcs_proto *m = jcs_protos[i], *got;
		int score = 0;

		if (!m->hello || m->udp)
			continue;
		jcs_buf_reset(&b);
		if ((rc = hello_reply(p, s, s->tls, m->hello, m->hello_len, &b)))
			goto out;
		if (!b.len)
			continue;
		got = best_match(&b, &score);
		if (!s->banner[0] || (got && (size_t)score > best))
			set_banner(s, &b);
		if (got && (size_t)score > best) {
			best = (size_t)score;
			s->proto = got;
		}
	}
out:
	jcs_buf_free(&b);
	return rc;
}
