/* Telnet: option negotiation (RFC 854/855), login dialogue, and a confirmed shell: a login
 * only counts when the shell evaluated our arithmetic echo (echo JCS$((a+b))Z printed
 * JCS<sum>Z), so a prompt-looking banner or a terminal echoing our input is never success. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probe/probe.h"

enum { IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250, SE = 240 };
enum { OPT_ECHO = 1, OPT_SGA = 3 };
enum { S_DATA, S_IAC, S_OPT, S_SB, S_SB_IAC };

#define SB_MAX 4096 /* longest subnegotiation accepted */

size_t jcs_telnet_filter(struct jcs_telnet *st, const uint8_t *in, size_t n, struct jcs_buf *out,
			 struct jcs_buf *reply)
{
	size_t cmds = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];

		switch (st->state) {
		case S_DATA:
			if (c == IAC)
				st->state = S_IAC;
			else
				jcs_buf_putc(out, (char)c);
			break;
		case S_IAC:
			cmds++;
			if (c == IAC) {
				jcs_buf_putc(out, (char)IAC);
				st->state = S_DATA;
			} else if (c >= WILL && c <= DONT) {
				st->cmd = c;
				st->state = S_OPT;
			} else if (c == SB) {
				st->sb_len = 0;
				st->state = S_SB;
			} else {
				st->state = S_DATA; /* NOP, GA, AYT...: no option byte */
			}
			break;
		case S_OPT:
			if (reply) {
				/* accept the server echoing and suppressing go-ahead; refuse the rest */
				uint8_t ans[3] = {IAC, 0, c};
				if (st->cmd == WILL)
					ans[1] = (c == OPT_ECHO || c == OPT_SGA) ? DO : DONT;
				else if (st->cmd == DO)
					ans[1] = c == OPT_SGA ? WILL : WONT;
				if (ans[1])
					jcs_buf_append(reply, ans, sizeof(ans));
			}
			st->state = S_DATA;
			break;
		case S_SB:
			if (c == IAC)
				st->state = S_SB_IAC;
			else if (++st->sb_len > SB_MAX)
				st->state = S_DATA; /* runaway subnegotiation: resync on data */
			break;
		case S_SB_IAC:
			st->state = c == SE ? S_DATA : S_SB;
			break;
		}
	}
	return cmds;
}

struct session {
	struct jcs_tr *t;
	struct jcs_telnet st;
	struct jcs_buf text;   /* negotiated-away data since the last send */
	struct jcs_login_result *r;
	uint64_t iac_total;
	bool nudged;           /* a NOP went out on a connection that had sent nothing */
};

/* The last non-blank characters of the text (what a prompt would end with). */
static const char *tail(const struct jcs_buf *b, size_t want)
{
	size_t n = b->len;

	while (n && isspace((unsigned char)b->data[n - 1]))
		n--;
	return b->data + (n > want ? n - want : 0);
}

static bool ci_contains(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

static bool ends_with_prompt(const struct jcs_buf *b, const char *const *words)
{
	const char *t;

	if (!b->len)
		return false;
	t = tail(b, 24);
	for (size_t i = 0; words[i]; i++)
		if (ci_contains(t, strlen(t), words[i]))
			return true;
	return false;
}

static const char *const login_words[] = {"login:", "username:", "user name:", "user:", NULL};
static const char *const pass_words[] = {"password:", "passwd:", NULL};

static bool shell_prompt(const struct jcs_buf *b)
{
	size_t n = b->len;

	while (n && isspace((unsigned char)b->data[n - 1]))
		n--;
	return n && strchr("#$>%", b->data[n - 1]) != NULL;
}

/* Read until pred(text) or the wait ends; negotiation answered along the way. */
static int wait_for(struct session *s, bool (*pred)(const struct jcs_buf *, void *), void *arg, int wait_ms)
{
	int64_t end = jcs_now_ms() + wait_ms;
	uint8_t raw[2048];

	while (!pred(&s->text, arg)) {
		struct jcs_buf reply = JCS_BUF_INIT;
		int saved = s->t->timeout_ms, left = (int)(end - jcs_now_ms());
		long n;

		if (left <= 0 || s->text.len > JCS_REPLY_MAX || s->t->bytes_in > 16 * JCS_REPLY_MAX)
			return JCS_ETIMEOUT; /* time, or an endless stream without what we wait for */
		s->t->timeout_ms = left < saved ? left : saved;
		n = jcs_tr_read(s->t, raw, sizeof(raw));
		s->t->timeout_ms = saved;
		if (n == 0)
			return JCS_ENET;
		if (n < 0) {
			/* Not a byte yet: a daemon with a short listen queue (busybox telnetd's is 1)
			 * may have dropped the end of our handshake, so that the connection exists on
			 * our side only and nothing will ever come. A NOP (harmless to telnet) draws a
			 * reset from such a connection, or completes its handshake. */
			if (n == JCS_ETIMEOUT && !s->t->bytes_in && !s->nudged) {
				static const uint8_t nop[2] = {IAC, 241};
				s->nudged = true;
				if (jcs_tr_write(s->t, nop, sizeof(nop)))
					return JCS_ENET;
			}
			if (n == JCS_ETIMEOUT && jcs_tr_wait_ms(s->t) > 0)
				continue; /* else the session's deadline passed or the run stopped */
			return (int)n;
		}
		s->iac_total += jcs_telnet_filter(&s->st, raw, (size_t)n, &s->text, &reply);
		if (reply.len && jcs_tr_write(s->t, reply.data, reply.len)) {
			jcs_buf_free(&reply);
			return JCS_ENET;
		}
		jcs_buf_free(&reply);
	}
	return 0;
}

static bool pred_words(const struct jcs_buf *b, void *arg)
{
	return ends_with_prompt(b, arg);
}

static bool pred_first_prompt(const struct jcs_buf *b, void *arg)
{
	(void)arg;
	return ends_with_prompt(b, login_words) || ends_with_prompt(b, pass_words) || shell_prompt(b);
}

static bool pred_after_pass(const struct jcs_buf *b, void *arg)
{
	(void)arg;
	return b->len && (ci_contains(b->data, b->len, "incorrect") || ends_with_prompt(b, login_words) ||
			  ends_with_prompt(b, pass_words) || shell_prompt(b) ||
			  ci_contains(b->data, b->len, "denied") || ci_contains(b->data, b->len, "failed"));
}

static bool pred_marker(const struct jcs_buf *b, void *arg)
{
	return b->len && memmem(b->data, b->len, arg, strlen(arg)) != NULL;
}

static int send_line(struct session *s, const char *line, bool secret)
{
	struct jcs_buf l = JCS_BUF_INIT;
	int rc;

	jcs_transcript_add(&s->r->transcript, "<", s->text.data ? s->text.data : "", s->text.len);
	jcs_buf_reset(&s->text);
	jcs_buf_printf(&l, "%s\r\n", line);
	jcs_transcript_add(&s->r->transcript, ">", secret ? "********" : line, strlen(secret ? "********" : line));
	rc = jcs_buf_error(&l) ? jcs_buf_error(&l) : jcs_tr_write(s->t, l.data, l.len);
	jcs_buf_wipe(&l);
	jcs_buf_free(&l);
	return rc;
}

/* Prove a shell: it must compute a sum we chose. */
static int confirm_shell(struct session *s, unsigned nonce, int wait_ms)
{
	char cmd[64], marker[32];
	unsigned a = 1000 + nonce % 8000, b = 17 + nonce % 83;
	int rc;

	snprintf(cmd, sizeof(cmd), "echo JCS$((%u+%u))Z", a, b);
	snprintf(marker, sizeof(marker), "JCS%uZ", a + b);
	if ((rc = send_line(s, cmd, false)))
		return rc;
	rc = wait_for(s, pred_marker, marker, wait_ms);
	jcs_transcript_add(&s->r->transcript, "<", s->text.data ? s->text.data : "", s->text.len);
	return rc;
}

/* One login dialogue over s: a fresh connection, or one a refused login left at its next
 * prompt. */
static void dialogue(struct session *s, const char *user, const char *pass, unsigned nonce, int wait_ms)
{
	struct jcs_login_result *r = s->r;
	const char *lock;
	int rc;

	r->outcome = JCS_LOGIN_ERROR;
	rc = wait_for(s, pred_first_prompt, NULL, wait_ms);
	if (rc) {
		snprintf(r->note, sizeof(r->note), "no login prompt (%s)", jcs_strerror(rc));
		if (rc == JCS_ENET && !s->text.len)
			r->outcome = JCS_LOGIN_THROTTLED; /* connection closed before any prompt */
		goto out;
	}
	if (!user) {
		/* anonymous: only a shell that runs our command counts */
		if (!shell_prompt(&s->text)) {
			r->outcome = JCS_LOGIN_DENIED;
			snprintf(r->note, sizeof(r->note), "login required");
			goto out;
		}
		goto confirm;
	}
	if (ends_with_prompt(&s->text, login_words)) {
		if ((rc = send_line(s, user, false)) || (rc = wait_for(s, pred_words, (void *)pass_words, wait_ms))) {
			snprintf(r->note, sizeof(r->note), "no password prompt (%s)", jcs_strerror(rc));
			goto out;
		}
	} else if (!ends_with_prompt(&s->text, pass_words)) {
		goto confirm; /* a shell at once: try it */
	}
	if ((rc = send_line(s, pass, true)) || (rc = wait_for(s, pred_after_pass, NULL, wait_ms))) {
		snprintf(r->note, sizeof(r->note), "no answer to the password (%s)", jcs_strerror(rc));
		goto out;
	}
	if (!shell_prompt(&s->text)) {
		r->outcome = JCS_LOGIN_DENIED;
		snprintf(r->note, sizeof(r->note), "login refused");
		if ((lock = jcs_lockout_word(s->text.data, s->text.len))) {
			r->outcome = JCS_LOGIN_THROTTLED;
			snprintf(r->note, sizeof(r->note), "device says '%s'", lock);
		}
		goto out;
	}
confirm:
	rc = confirm_shell(s, nonce, wait_ms);
	if (rc == 0) {
		r->outcome = JCS_LOGIN_OK;
		snprintf(r->note, sizeof(r->note), "shell evaluated our echo command");
	} else {
		snprintf(r->note, sizeof(r->note), "prompt-like text but no command ran (%s)", jcs_strerror(rc));
	}
	goto done;
out:
	jcs_transcript_add(&r->transcript, "<", s->text.data ? s->text.data : "", s->text.len);
done:
	return;
}

int jcs_telnet_session(struct jcs_tr *t, const char *user, const char *pass, unsigned nonce,
		       int wait_ms, struct jcs_login_result *r)
{
	struct session s = {.t = t, .r = r};

	dialogue(&s, user, pass, nonce, wait_ms);
	jcs_buf_free(&s.text);
	return 0;
}

static int telnet_match(const uint8_t *b, size_t n)
{
	if (n >= 3 && b[0] == IAC && b[1] >= WILL && b[1] <= DONT)
		return 100;
	if (n >= 3 && b[0] == IAC && b[1] == SB)
		return 90;
	for (size_t i = 0; i + 6 <= n; i++)
		if (strncasecmp((const char *)b + i, "login:", 6) == 0)
			return 40;
	return 0;
}

static int login_wait(const struct jcs_probe *p)
{
	return p->o.timeout_ms * 4 > 8000 ? p->o.timeout_ms * 4 : 8000;
}

/* A connection kept between the login attempts of one credential worker: busybox and most
 * getty-style logins prompt again after a refusal (busybox: 3 tries, then it hangs up). */
struct tconn {
	struct jcs_tr t;
	struct session s;
	int logins; /* dialogues over this connection */
};

static void telnet_conn_close(void *conn)
{
	struct tconn *c = conn;

	if (!c)
		return;
	jcs_tr_close(&c->t);
	jcs_buf_free(&c->s.text);
	free(c);
}

static int telnet_login_conn(struct jcs_probe *p, struct jcs_service *sv, void **conn, const char *user,
			     const char *pass, struct jcs_login_result *r)
{
	struct tconn *c = *conn;
	int rc;

	for (;;) {
		int64_t cap = jcs_now_ms() + 3 * login_wait(p);
		bool reused = c != NULL;

		if (!c) {
			if (!(c = calloc(1, sizeof(*c)))) {
				r->outcome = JCS_LOGIN_ERROR;
				snprintf(r->note, sizeof(r->note), "out of memory");
				break;
			}
			if ((rc = jcs_probe_open(p, sv->port, sv->tls, &c->t, NULL))) {
				r->outcome = rc == JCS_ELIMIT ? JCS_LOGIN_ERROR : JCS_LOGIN_THROTTLED;
				snprintf(r->note, sizeof(r->note), "connect: %s", jcs_strerror(rc));
				telnet_conn_close(c);
				c = NULL;
				break;
			}
			c->s.t = &c->t;
		}
		c->t.deadline = cap < p->deadline ? cap : p->deadline;
		c->s.r = r;
		dialogue(&c->s, user, pass, p->nonce, login_wait(p));
		c->logins++;
		if (!reused || r->outcome == JCS_LOGIN_OK || r->outcome == JCS_LOGIN_DENIED)
			break;
		/* no answer on a connection that earlier tries used: the device hung up (its limit of
		 * tries per connection), went quiet, or its login failed on a second round (busybox
		 * login may die with "bad salt"); nothing about this pair, so a fresh connection */
		telnet_conn_close(c);
		c = NULL;
		jcs_buf_reset(&r->transcript);
	}
	if (c && r->outcome != JCS_LOGIN_DENIED) {
		telnet_conn_close(c); /* only a refused login leaves the dialogue at a prompt */
		c = NULL;
	}
	*conn = c;
	return 0;
}

static int telnet_login(struct jcs_probe *p, struct jcs_service *sv, const char *user, const char *pass,
			struct jcs_login_result *r)
{
	void *conn = NULL;
	int rc = telnet_login_conn(p, sv, &conn, user, pass, r);

	telnet_conn_close(conn);
	return rc;
}

static int telnet_anon(struct jcs_probe *p, struct jcs_service *sv, struct jcs_buf *note)
{
	struct jcs_login_result r = {0};
	int rc = telnet_login(p, sv, NULL, NULL, &r);

	if (!rc) {
		rc = r.outcome == JCS_LOGIN_OK ? 1 : r.outcome == JCS_LOGIN_DENIED ? 0 : -1;
		jcs_buf_printf(note, "%s\n%s", r.note, r.transcript.data ? r.transcript.data : "");
	}
	jcs_buf_free(&r.transcript);
	return rc;
}

const struct jcs_proto jcs_proto_telnet = {
	.name = "telnet",
	.risky = true,
	.cleartext = true,
	.match = telnet_match,
	.anon = telnet_anon,
	.login = telnet_login,
	.login_conn = telnet_login_conn,
	.conn_close = telnet_conn_close,
};
