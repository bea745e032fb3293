/* Brute-force protection (S1.1-04) measured as an attacker would: several connections guess
 * wrong passwords in parallel over an observation window long enough for a log watcher
 * (fail2ban and the like) to react, and the device is judged by the aggregate rate of guesses it
 * answers and by the protection it shows (docs/jcstar-probe.1.md, "Brute-force protection").
 *
 * Verdict, in order:
 *   1. a wrong password got in                                    -> fail
 *   2. protection appeared and held (refused, reset or timed-out connections, 429/503,
 *      a lockout message, the correct password refused afterwards)  -> pass when it came within
 *      BF_FAILURE_LIMIT failures, else fail
 *   3. BF_FAILURE_LIMIT failures answered without any sign of protection -> fail
 *   4. the whole window observed: sustained aggregate rate (second half of the window) above
 *      the threshold -> fail, at or below -> pass (delays that grow or a slow login)
 *   5. anything else (budget spent, errors)                        -> inconclusive */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe/probe.h"

#define BF_PACE_MS 200        /* at most 5 new guesses per second in total: far above the threshold */
#define BF_HOLD_MS 3000       /* a block must last this long on fresh connections to count */
#define BF_HOLD_STEP_MS 500
#define BF_FAILURE_LIMIT 100  /* NIST SP 800-63B 5.2.2: at most 100 consecutive failures per account */
#define BF_SERIES_MAX 1024    /* attempts kept for the evidence and the chart */

struct bf_attempt {
	int32_t start_ms, lat_ms; /* from the start of the observation */
	char outcome;             /* d denied, b blocked, e error, a accepted */
};

struct bf_run {
	struct jcs_probe *p;
	struct jcs_service *s;
	const char *user;
	int64_t t0, end, next_start;
	int max_attempts;
	pthread_mutex_t lock;
	struct bf_attempt att[BF_SERIES_MAX];
	int n, started, denied, blocked, errors, nolimit_denied;
	bool stop, holding, accepted;
	int64_t block_t;     /* when the current block was first seen (ms from t0) */
	int block_at;        /* failures answered before it */
	char block_how[160], accepted_note[160];
};

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
	if (ms > 0)
		nanosleep(&ts, NULL);
}

static bool budget_spent(const struct jcs_probe *p)
{
	return jcs_probe_left_ms(p) <= 0 || atomic_load(&p->connections) >= p->o.max_connections;
}

/* One login with a wrong password; records it and returns its outcome class. */
static char attempt(struct bf_run *b, const char *user, int k)
{
	struct jcs_login_result r = {0};
	char pass[64], oc;
	int64_t t = jcs_now_ms();

	snprintf(pass, sizeof(pass), "jcs-wrong-%u-%d", b->p->nonce, k);
	if (b->s->proto->login(b->p, b->s, user, pass, &r))
		r.outcome = JCS_LOGIN_ERROR;
	jcs_buf_free(&r.transcript);
	pthread_mutex_lock(&b->lock);
	/* an error after definite denials is the device closing its door (refused, reset,
	 * timeout); one before any denial says nothing */
	oc = r.outcome == JCS_LOGIN_OK		   ? 'a'
	     : r.outcome == JCS_LOGIN_DENIED	   ? 'd'
	     : r.outcome == JCS_LOGIN_THROTTLED	   ? 'b'
	     : b->denied >= 2 && !budget_spent(b->p) ? 'b'
						   : 'e';
	if (b->n < BF_SERIES_MAX)
		b->att[b->n++] = (struct bf_attempt){(int32_t)(t - b->t0), (int32_t)(jcs_now_ms() - t), oc};
	if (oc == 'a' && !b->accepted) {
		b->accepted = b->stop = true;
		snprintf(b->accepted_note, sizeof(b->accepted_note), "%s", r.note);
	} else if (oc == 'd') {
		b->denied++;
	} else if (oc == 'e') {
		b->errors++;
	} else if (oc == 'b') {
		b->blocked++;
		if (!b->holding) {
			b->holding = true;
			b->block_t = t - b->t0;
			b->block_at = b->denied;
			snprintf(b->block_how, sizeof(b->block_how), "%s", r.note);
		}
	}
	if (!b->blocked && b->denied >= BF_FAILURE_LIMIT)
		b->stop = true;
	pthread_mutex_unlock(&b->lock);
	return oc;
}

/* A guessing connection: paced in total, paused while a block is being checked. */
static void *bf_worker(void *arg)
{
	struct bf_run *b = arg;

	for (;;) {
		int64_t now = jcs_now_ms(), start;
		int k;

		pthread_mutex_lock(&b->lock);
		if (b->stop || now >= b->end || b->started >= b->max_attempts || budget_spent(b->p)) {
			pthread_mutex_unlock(&b->lock);
			break;
		}
		if (b->holding) {
			pthread_mutex_unlock(&b->lock);
			sleep_ms(50);
			continue;
		}
		start = b->next_start > now ? b->next_start : now;
		b->next_start = start + BF_PACE_MS;
		k = b->started++;
		pthread_mutex_unlock(&b->lock);
		sleep_ms(start - now);
		attempt(b, b->user, k);
	}
	return NULL;
}

/* A block was seen: does it hold on fresh connections for BF_HOLD_MS? true when it did
 * (then *scope says whether another user name is blocked too). */
static bool check_hold(struct bf_run *b, const char **scope)
{
	int64_t until = jcs_now_ms() + BF_HOLD_MS;
	char other[64];
	int k = 100000;

	while (jcs_now_ms() < until && !budget_spent(b->p)) {
		char oc;
		sleep_ms(BF_HOLD_STEP_MS);
		oc = attempt(b, b->user, k++);
		if (oc == 'd' || oc == 'a')
			return false; /* answered again: a short throttle, not a ban */
	}
	if (budget_spent(b->p))
		return false;
	snprintf(other, sizeof(other), "jcs%u-other", b->p->nonce);
	*scope = attempt(b, other, k) == 'd' ? "account" : "source";
	return true;
}

static int rate_per_min_x10(int n, int64_t ms)
{
	return ms > 0 ? (int)((int64_t)n * 600000 / ms) : 0;
}

void jcs_bruteforce(struct jcs_probe *p, struct jcs_service *s, const char *user, const char *good_pass)
{
	struct bf_run *b = calloc(1, sizeof(*b));
	int window_ms = p->o.bf_window_s * 1000, par = p->o.bf_parallel, nth = 0, locked = -1;
	int threshold = p->o.bf_max_per_min;
	pthread_t th[64];
	const char *scope = NULL;
	bool held = false, complete;
	int64_t elapsed;
	int tail_n = 0, tail_rate10 = 0, rate10;
	long first_lat = -1, last_lat = -1;
	char reason[320] = "";
	enum jcs_result res;
	json_t *lat, *timeline;

	if (!b)
		return;
	if (par > 64)
		par = 64;
	b->p = p;
	b->s = s;
	b->user = user;
	b->max_attempts = p->o.max_attempts;
	b->t0 = b->next_start = jcs_now_ms();
	b->end = b->t0 + window_ms;
	pthread_mutex_init(&b->lock, NULL);
	for (int i = 0; i < par; i++)
		if (pthread_create(&th[nth], NULL, bf_worker, b) == 0)
			nth++;
	/* the observer: checks every block on fresh connections while the guessers wait */
	for (;;) {
		bool holding, stop;
		pthread_mutex_lock(&b->lock);
		holding = b->holding;
		stop = b->stop;
		pthread_mutex_unlock(&b->lock);
		if (stop || budget_spent(p))
			break;
		if (holding) {
			held = check_hold(b, &scope);
			pthread_mutex_lock(&b->lock);
			if (held)
				b->stop = true;
			else
				b->holding = false;
			pthread_mutex_unlock(&b->lock);
			if (held)
				break;
			continue;
		}
		if (jcs_now_ms() >= b->end || b->started >= b->max_attempts)
			break;
		jcs_service_step(s, "brute-force window (s)", (long)((jcs_now_ms() - b->t0) / 1000), window_ms / 1000);
		sleep_ms(50);
	}
	pthread_mutex_lock(&b->lock);
	b->stop = true;
	pthread_mutex_unlock(&b->lock);
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	elapsed = jcs_now_ms() - b->t0;
	complete = elapsed >= window_ms;
	/* would the right password still work? (only when the test knows one) */
	if (good_pass && !b->accepted && !budget_spent(p)) {
		struct jcs_login_result r = {0};
		if (s->proto->login(p, s, user, good_pass, &r) == 0 &&
		    (r.outcome == JCS_LOGIN_OK || r.outcome == JCS_LOGIN_DENIED))
			locked = r.outcome != JCS_LOGIN_OK;
		jcs_buf_free(&r.transcript);
	}
	lat = json_array();
	timeline = json_array();
	for (int i = 0; i < b->n; i++) {
		const struct bf_attempt *a = &b->att[i];
		json_array_append_new(lat, json_integer(a->lat_ms));
		json_array_append_new(timeline, json_pack("[i, i, s#]", a->start_ms, a->lat_ms, &a->outcome, (size_t)1));
		if (a->outcome == 'd') {
			if (first_lat < 0)
				first_lat = a->lat_ms;
			last_lat = a->lat_ms;
			if (a->start_ms >= elapsed / 2)
				tail_n++;
		}
	}
	rate10 = rate_per_min_x10(b->denied, elapsed);
	tail_rate10 = rate_per_min_x10(tail_n, elapsed - elapsed / 2);
	if (b->accepted) {
		res = JCS_FAIL;
		snprintf(reason, sizeof(reason), "a wrong password was accepted (%s)", b->accepted_note);
	} else if (held || locked == 1) {
		int before = held ? b->block_at : b->denied;
		res = before <= BF_FAILURE_LIMIT ? JCS_PASS : JCS_FAIL;
		if (held)
			snprintf(reason, sizeof(reason),
				 "after %d failed logins (%.1f s) the device blocked further guesses from this %s (%s), still blocked %d s later%s",
				 before, (double)b->block_t / 1000.0, scope, b->block_how, BF_HOLD_MS / 1000,
				 res == JCS_FAIL ? ": too late (limit 100 failures)" : "");
		else
			snprintf(reason, sizeof(reason), "the correct password was refused after %d failures (account locked)%s",
				 before, res == JCS_FAIL ? ": too late (limit 100 failures)" : "");
	} else if (b->denied >= BF_FAILURE_LIMIT && !b->blocked) {
		res = JCS_FAIL;
		snprintf(reason, sizeof(reason),
			 "%d failed logins in %.1f s over %d parallel connections (%.1f guesses/min) without lockout, ban or refusal",
			 b->denied, (double)elapsed / 1000.0, par, rate10 / 10.0);
	} else if (complete && b->denied >= 3) {
		res = tail_rate10 > threshold * 10 ? JCS_FAIL : JCS_PASS;
		snprintf(reason, sizeof(reason),
			 "%d failed logins in %.1f s over %d parallel connections: sustained %.1f guesses/min in the second half of the window (threshold %d/min; login took %ld ms at first, %ld ms at the end)",
			 b->denied, (double)elapsed / 1000.0, par, tail_rate10 / 10.0, threshold, first_lat, last_lat);
	} else {
		res = JCS_INCONCLUSIVE;
		snprintf(reason, sizeof(reason), "observation cut short after %.1f s of %d s: %d denied, %d blocked, %d errors%s",
			 (double)elapsed / 1000.0, window_ms / 1000, b->denied, b->blocked, b->errors,
			 budget_spent(p) ? " (probe budget spent)" : b->started >= b->max_attempts ? " (--max-attempts reached)" : "");
	}
	s->bf_result = (int)res;
	s->bf = json_pack("{s:s, s:i, s:s, s:i, s:i, s:i, s:i, s:I, s:i, s:f, s:f, s:i, s:i, s:o, s:o, s:s}",
			  "service", s->proto->name, "port", s->port, "user", user, "attempts", b->n, "denied",
			  b->denied, "blocked", b->blocked, "errors", b->errors, "elapsed_ms", (json_int_t)elapsed,
			  "parallel", par, "rate_per_min", rate10 / 10.0, "sustained_rate_per_min", tail_rate10 / 10.0,
			  "threshold_per_min", threshold, "window_s", p->o.bf_window_s, "latencies_ms", lat, "timeline",
			  timeline, "reason", reason);
	json_object_set_new(s->bf, "protection",
			    held ? json_pack("{s:s, s:i, s:i, s:s}", "how", b->block_how, "after_failures", b->block_at,
					     "at_ms", (int)b->block_t, "scope", scope)
			    : locked == 1 ? json_pack("{s:s, s:s}", "how", "correct password refused", "scope", "account")
					  : json_null());
	json_object_set_new(s->bf, "throttled_at", held ? json_integer(b->block_at + 1) : json_null());
	json_object_set_new(s->bf, "locked_out", json_boolean(locked == 1));
	json_object_set_new(s->bf, "correct_login_checked", json_boolean(locked >= 0));
	json_object_set_new(s->bf, "window_complete", json_boolean(complete));
	pthread_mutex_destroy(&b->lock);
	free(b);
}
