/* Credential checks of one identified service, the same for every protocol module:
 * access without credentials, the default-credential list (parallel workers, stop at the
 * first confirmed success), then the brute-force observation (bruteforce.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe/probe.h"

#define CRED_WORKERS 32     /* parallel logins, as a botnet would: a per-connection delay is no defence */
#define CRED_START 4        /* workers at first; one more per definite answer (a short listen queue
			     * drops the handshakes of a burst: busybox telnetd listens with a backlog of 1) */
#define CRED_TRIES 4        /* tries of one pair that gets errors (timeouts, protocol errors) */
#define BACKOFF_MAX_MS 8000 /* longest common pause after a refusal, reset or "slow down" */
#define BAN_SILENCE_MS 30000 /* no definite answer for this long after answers came: banned */
#define UNANSWERED_MAX 32    /* pairs without a definite answer named in the evidence */
#define CRED_FIELD_MAX 512   /* longest user name or password tried (+1); longer lines are not pairs */

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* The i-th "user:pass" line of the list into user/pass; false past the end. */
static bool cred_at(const char *list, size_t i, char *user, size_t ul, char *pass, size_t pl)
{
	const char *l = list;

	for (size_t k = 0; l && *l; k++) {
		const char *end = strchr(l, '\n'), *colon;
		size_t n = end ? (size_t)(end - l) : strlen(l);

		if (n && l[n - 1] == '\r')
			n--;
		colon = memchr(l, ':', n);
		if (!colon || l[0] == '#' || (size_t)(colon - l) >= ul || n - (size_t)(colon - l) - 1 >= pl) {
			k--; /* not a credential line (or one too long to try) */
		} else if (k == i) {
			size_t u = (size_t)(colon - l), q = n - u - 1;
			memcpy(user, l, u);
			user[u] = 0;
			memcpy(pass, colon + 1, q);
			pass[q] = 0;
			return true;
		}
		l = end ? end + 1 : NULL;
	}
	return false;
}

static size_t cred_count(const char *list)
{
	char u[CRED_FIELD_MAX], pw[CRED_FIELD_MAX];
	size_t n = 0;

	while (cred_at(list, n, u, sizeof(u), pw, sizeof(pw)))
		n++;
	return n;
}

/* --- default credentials --- */

struct cred_run {
	struct jcs_probe *p;
	struct jcs_service *s;
	size_t limit;
	atomic_size_t next;
	atomic_bool found, banned;
	atomic_int tried, throttled, errors, answered, retried;
	/* the device throttles: every worker waits until pause_until, and only the first `window`
	 * workers go on; each definite answer widens the window by one again */
	atomic_int window, ids;       /* workers allowed to log in now (halved at each refusal) */
	atomic_llong pause_until, last_answer;
	pthread_mutex_t lock;
	char user[CRED_FIELD_MAX], pass[CRED_FIELD_MAX], note[160];
	struct jcs_buf transcript;
	json_t *unanswered;           /* pairs without a definite answer: user, password, last note */
};

/* Wait for the common pause. */
static void wait_pause(struct cred_run *c)
{
	long long until = atomic_load(&c->pause_until), now = jcs_now_ms();

	if (until > now && jcs_probe_left_ms(c->p) > until - now)
		sleep_ms((int)(until - now));
}

/* Before taking a pair: wait while this worker is outside the current window (holding no
 * pair, so the others finish the list whatever happens to this one). */
static void wait_turn(struct cred_run *c, int id)
{
	for (;;) {
		wait_pause(c);
		if (id < atomic_load(&c->window) || jcs_probe_left_ms(c->p) <= 0 || atomic_load(&c->banned) ||
		    atomic_load(&c->found) || atomic_load(&c->next) >= c->limit)
			return;
		sleep_ms(200);
	}
}

/* No definite answer: fewer workers, a common pause (1 s while answers still come, longer as
 * the silence grows), and a ban when the silence lasts. */
static void no_answer(struct cred_run *c)
{
	long long now = jcs_now_ms(), silent = now - atomic_load(&c->last_answer);
	long long until = now + (silent < 2000 ? 1000 : silent < BACKOFF_MAX_MS ? silent : BACKOFF_MAX_MS);
	long long cur = atomic_load(&c->pause_until);
	int w = atomic_load(&c->window);

	while (w > 1 && !atomic_compare_exchange_weak(&c->window, &w, w / 2))
		;
	while (cur < until && !atomic_compare_exchange_weak(&c->pause_until, &cur, until))
		;
	if (atomic_load(&c->answered) > 0 && silent > BAN_SILENCE_MS)
		atomic_store(&c->banned, true);
}

/* One login of the list: over the worker's kept connection where the module allows several
 * tries per connection, else on a connection of its own. */
static int cred_login(struct cred_run *c, void **conn, const char *user, const char *pass, struct jcs_login_result *r)
{
	const struct jcs_proto *m = c->s->proto;

	return m->login_conn ? m->login_conn(c->p, c->s, conn, user, pass, r) : m->login(c->p, c->s, user, pass, r);
}

static void *cred_worker(void *arg)
{
	struct cred_run *c = arg;
	int id = atomic_fetch_add(&c->ids, 1);
	void *conn = NULL;

	for (;;) {
		char user[CRED_FIELD_MAX], pass[CRED_FIELD_MAX];
		struct jcs_login_result r = {0};
		int tries = 0;
		size_t i;

		wait_turn(c, id);
		if (atomic_load(&c->found) || atomic_load(&c->banned) || jcs_probe_left_ms(c->p) <= 0)
			break;
		i = atomic_fetch_add(&c->next, 1);
		if (i >= c->limit || !cred_at(c->p->creds, i, user, sizeof(user), pass, sizeof(pass)))
			break;
		if (c->s->anon == 1 && (strcmp(user, "anonymous") == 0 || strcmp(user, "ftp") == 0)) {
			atomic_fetch_add(&c->tried, 1); /* anonymous access is reported as probe.auth.none */
			continue;
		}
		/* a pair without a definite answer (refused, reset, timeout, "slow down") is tried again
		 * after the common pause: the list only counts when every pair got a yes or a no */
		for (;;) {
			jcs_buf_reset(&r.transcript);
			if (cred_login(c, &conn, user, pass, &r))
				r.outcome = JCS_LOGIN_ERROR;
			if (r.outcome == JCS_LOGIN_OK || r.outcome == JCS_LOGIN_DENIED)
				break;
			atomic_fetch_add(r.outcome == JCS_LOGIN_THROTTLED ? &c->throttled : &c->retried, 1);
			no_answer(c);
			/* "slow down" is an answer of a live device: only silence and errors use up tries */
			if ((r.outcome != JCS_LOGIN_THROTTLED && ++tries >= CRED_TRIES) || atomic_load(&c->banned) ||
			    atomic_load(&c->found) || jcs_probe_left_ms(c->p) <= 0)
				break;
			wait_pause(c);
		}
		atomic_fetch_add(&c->tried, 1);
		if (r.outcome == JCS_LOGIN_ERROR || r.outcome == JCS_LOGIN_THROTTLED) {
			atomic_fetch_add(&c->errors, 1);
			pthread_mutex_lock(&c->lock);
			if (json_array_size(c->unanswered) < UNANSWERED_MAX)
				json_array_append_new(c->unanswered, json_pack("{s:s, s:s, s:s}", "user", user, "password",
									       pass, "last", r.note));
			pthread_mutex_unlock(&c->lock);
		} else {
			atomic_fetch_add(&c->answered, 1);
			atomic_store(&c->last_answer, jcs_now_ms());
			if (atomic_load(&c->window) < CRED_WORKERS)
				atomic_fetch_add(&c->window, 1);
		}
		if (r.outcome == JCS_LOGIN_OK) {
			pthread_mutex_lock(&c->lock);
			if (!atomic_load(&c->found)) {
				snprintf(c->user, sizeof(c->user), "%s", user);
				snprintf(c->pass, sizeof(c->pass), "%s", pass);
				snprintf(c->note, sizeof(c->note), "%s", r.note);
				jcs_buf_append(&c->transcript, r.transcript.data ? r.transcript.data : "", r.transcript.len);
				atomic_store(&c->found, true);
			}
			pthread_mutex_unlock(&c->lock);
		}
		jcs_buf_free(&r.transcript);
	}
	if (conn)
		c->s->proto->conn_close(conn);
	return NULL;
}

static void default_creds(struct jcs_probe *p, struct jcs_service *s)
{
	struct cred_run c = {.p = p, .s = s, .last_answer = jcs_now_ms(), .window = CRED_START};
	size_t total = cred_count(p->creds);
	pthread_t th[CRED_WORKERS];
	int nth = 0;
	int64_t t0 = jcs_now_ms();

	c.limit = total < (size_t)p->o.login_budget ? total : (size_t)p->o.login_budget;
	c.unanswered = json_array();
	pthread_mutex_init(&c.lock, NULL);
	for (int i = 0; i < CRED_WORKERS && (size_t)i < c.limit; i++)
		if (pthread_create(&th[nth], NULL, cred_worker, &c) == 0)
			nth++;
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&c.lock);
	s->cred = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:b, s:i, s:I}", "tried", atomic_load(&c.tried),
			    "list_size", (int)total, "limit", (int)c.limit, "answered", atomic_load(&c.answered),
			    "throttled", atomic_load(&c.throttled), "errors", atomic_load(&c.errors), "retries",
			    atomic_load(&c.retried), "banned", (int)atomic_load(&c.banned), "parallel", nth,
			    "duration_ms", (json_int_t)(jcs_now_ms() - t0));
	json_object_set_new(s->cred, "unanswered", c.unanswered);
	if (c.found) {
		json_object_set_new(s->cred, "accepted",
				    json_pack("{s:s, s:s}", "user", c.user, "password", c.pass));
		json_object_set_new(s->cred, "confirmation", json_string(c.note));
		json_object_set_new(s->cred, "transcript", json_string(c.transcript.data ? c.transcript.data : ""));
	}
	jcs_buf_free(&c.transcript);
}

void jcs_auth_service(struct jcs_probe *p, struct jcs_service *s)
{
	const struct jcs_proto *m = s->proto;
	struct jcs_login_result canary = {0};
	char user[CRED_FIELD_MAX] = "admin", pass[CRED_FIELD_MAX] = "";
	int rc;

	s->bf_result = -1;
	s->anon = -1;
	/* a refused or reset connection may be a rate limit: back off and ask again */
	for (int tries = 0; m->anon && s->anon < 0 && tries < 3 && jcs_probe_left_ms(p) > 0; tries++) {
		if (tries)
			sleep_ms(1000 * tries);
		jcs_buf_reset(&s->anon_note);
		rc = m->anon(p, s, &s->anon_note);
		s->anon = rc > 0 ? 1 : rc == 0 ? 0 : -1;
		if (rc < 0 && rc != JCS_ENET)
			break;
	}
	if (!m->login || jcs_probe_left_ms(p) <= 0)
		return;
	/* a made-up account: if it gets in, nothing below means anything */
	snprintf(user, sizeof(user), "jcs%u", p->nonce);
	snprintf(pass, sizeof(pass), "x-%u-nope", p->nonce);
	rc = m->login(p, s, user, pass, &canary);
	jcs_buf_free(&canary.transcript);
	if (rc == JCS_EUNSUPPORTED) {
		/* no password login: nothing to guess (S1.1-04 not applicable, no default password);
		 * said only when the service's authentication was seen, never for one that did not
		 * answer (throttled, timed out) */
		if (s->anon < 0)
			return;
		s->bf_result = s->anon == 1 ? JCS_INFO : JCS_PASS;
		s->bf = json_pack("{s:s, s:i, s:b, s:s}", "service", m->name, "port", s->port, "applicable", 0, "reason",
				  s->anon == 1 ? "the service asks for no password at all (see probe.auth.none): nothing to guess"
					       : "the service offers no password login (e.g. public keys only): nothing to guess");
		return;
	}
	if (canary.outcome == JCS_LOGIN_OK) {
		s->accepts_any = true;
		return;
	}
	default_creds(p, s);
	snprintf(user, sizeof(user), "admin");
	pass[0] = 0;
	if (json_object_get(s->cred, "accepted")) {
		json_t *a = json_object_get(s->cred, "accepted");
		snprintf(user, sizeof(user), "%s", json_string_value(json_object_get(a, "user")));
		snprintf(pass, sizeof(pass), "%s", json_string_value(json_object_get(a, "password")));
	}
	if (json_integer_value(json_object_get(s->cred, "throttled")))
		sleep_ms(2000); /* let a rate limiter drain before timing the series */
	jcs_bruteforce(p, s, user, pass[0] ? pass : NULL);
}
