/* The TCP sweep: the SYN engine (synscan.c) when it may run, else non-blocking connects on
 * epoll. Connect engine: up to `concurrency` connects in flight, paced (JCS_SWEEP_GENTLE_RATE
 * by default, --rate, or unpaced with --fast), each bounded by the operation timeout (the
 * kernel retransmits the SYN once within it). Unpaced, a socket serves port after port: on Linux
 * the connect() after a failed one reports that failure and resets the socket, and the next
 * connect() starts a new attempt, so a closed port costs two connect() calls instead of
 * socket, connect, epoll_ctl, getsockopt and close. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <pthread.h>

#include "probe/probe.h"

struct slot {
	int fd;
	int port;        /* 0: not in flight */
	int64_t started;
};

struct sweep {
	struct jcs_probe *p;
	const int *list;
	size_t n, first, stride;  /* this sweep's ports: list[first], list[first + stride], ... */
	int rc;
	bool reuse;               /* unpaced: sockets go from port to port (paced: an idle socket
				   * would keep reporting its closed state to epoll) */
	struct jcs_err err;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct slot *slots;
	int *freel, nfree, inflight, ep;
	size_t done;
	struct jcs_scan_stats *st;
	void (*on_open)(void *arg, int port);
	void *arg;
};

int64_t jcs_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t jcs_pace_allowed(const struct jcs_pace *pc, int64_t now_us)
{
	uint64_t due;

	if (pc->rate <= 0)
		return UINT64_MAX;
	due = (uint64_t)(now_us - pc->t0_us) * (uint64_t)pc->rate / 1000000 + 1;
	return due > pc->sent ? due - pc->sent : 0;
}

int jcs_pace_wait_ms(const struct jcs_pace *pc, int64_t now_us)
{
	int64_t at_us;

	if (jcs_pace_allowed(pc, now_us))
		return 0;
	at_us = pc->t0_us + (int64_t)(pc->sent * 1000000 / (uint64_t)pc->rate);
	return at_us > now_us ? (int)((at_us - now_us + 999) / 1000) : 0;
}

static int resolve(const char *host, struct sockaddr_storage *ss, socklen_t *sl, struct jcs_err *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;

	if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai)
		return jcs_err_set(err, JCS_ENET, "cannot resolve %s", host);
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sl = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static void set_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

/* The result of one port. errno-style: 0 open, ECONNREFUSED closed, anything else no answer
 * (timeout, host or net unreachable). keep: the socket may serve the next port. */
static void finish(struct sweep *w, int i, int result, bool keep)
{
	struct slot *s = &w->slots[i];

	if (result == 0) {
		w->st->open++;
		w->on_open(w->arg, s->port); /* examined at once, while the sweep goes on */
	} else if (result == ECONNREFUSED) {
		w->st->closed++;
	} else {
		w->st->filtered++;
		w->st->silent[s->port / 8] |= (uint8_t)(1u << (s->port % 8));
	}
	if (!keep || !w->reuse) {
		close(s->fd); /* closes the epoll registration too */
		s->fd = -1;
	}
	s->port = 0;
	w->freel[w->nfree++] = i;
	w->done++;
}

int jcs_sweep_rate(const struct jcs_probe *p)
{
	return p->o.rate > 0 ? p->o.rate : p->o.fast ? 0 : JCS_SWEEP_GENTLE_RATE;
}

/* Start port on slot i: 0, or a JCS_E* for a local failure (no socket). */
static int start(struct sweep *w, int i, int port, struct jcs_err *err)
{
	struct slot *s = &w->slots[i];

	if (s->fd < 0) {
		struct epoll_event e = {.events = EPOLLOUT, .data.u32 = (uint32_t)i};

		s->fd = socket(w->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s->fd < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, s->fd, &e) < 0)
			return jcs_err_set(err, JCS_ENET, "socket: %s", strerror(errno));
	}
	s->port = port;
	s->started = jcs_now_ms();
	set_port(&w->ss, port);
	if (connect(s->fd, (struct sockaddr *)&w->ss, w->sl) == 0) {
		finish(w, i, 0, false);
	} else if (errno == EINPROGRESS) {
		w->inflight++;
	} else if (errno == EADDRNOTAVAIL || errno == ENOBUFS) {
		/* out of local ports or buffers: our limit, not the device's answer */
		close(s->fd);
		s->fd = -1;
		return jcs_err_set(err, JCS_ENET, "connect to port %d: %s", port, strerror(errno));
	} else {
		finish(w, i, errno, errno == ECONNREFUSED);
	}
	return 0;
}

/* A socket epoll reported: connected, or the connect failed (the next connect() says how). */
static void reap(struct sweep *w, int i, uint32_t events)
{
	struct slot *s = &w->slots[i];

	if (!s->port)
		return; /* an idle socket after its last port */
	w->inflight--;
	if (!(events & (EPOLLERR | EPOLLHUP))) {
		finish(w, i, 0, false);
		return;
	}
	if (connect(s->fd, (struct sockaddr *)&w->ss, w->sl) == 0)
		finish(w, i, 0, false);
	else
		finish(w, i, errno == ECONNREFUSED ? ECONNREFUSED : EHOSTUNREACH, errno == ECONNREFUSED);
}

static int connect_scan(struct sweep *w, struct jcs_err *err)
{
	struct jcs_probe *p = w->p;
	const int *list = w->list;
	size_t n = w->n;
	struct epoll_event *evs = NULL;
	struct jcs_pace pace = {.rate = jcs_sweep_rate(p)};
	int rc, conc = p->o.concurrency / (int)w->stride;
	size_t next = w->first, reported = 0;
	int64_t last_sweep = 0;
	struct rlimit rl;

	/* never more sockets in flight than the descriptor limit allows */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)conc * w->stride + 64 > rl.rlim_cur)
		conc = rl.rlim_cur > 128 + 64 * w->stride ? (int)((rl.rlim_cur - 64) / w->stride) : 64;
	conc = conc > 0 ? conc : 1;
	w->slots = calloc((size_t)conc, sizeof(*w->slots));
	evs = calloc((size_t)conc, sizeof(*evs));
	w->freel = calloc((size_t)conc, sizeof(*w->freel));
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!w->slots || !evs || !w->freel || w->ep < 0) {
		rc = jcs_err_set(err, JCS_ENOMEM, "scan setup failed");
		goto out;
	}
	for (int i = 0; i < conc; i++) {
		w->slots[i].fd = -1;
		w->freel[w->nfree++] = conc - 1 - i;
	}
	w->reuse = pace.rate == 0;
	pace.t0_us = jcs_now_us();
	while (next < n || w->inflight) {
		int64_t now;
		uint64_t allowed = jcs_pace_allowed(&pace, jcs_now_us());
		int k, wait_ms;

		if (jcs_probe_left_ms(p) <= 0) {
			rc = jcs_err_set(err, JCS_ETIMEOUT, "time budget spent after %zu of %zu ports", w->done, n);
			goto out;
		}
		while (w->nfree && next < n && allowed) {
			if (atomic_fetch_add(&p->connections, 1) >= p->o.max_connections) {
				rc = jcs_err_set(err, JCS_ELIMIT, "connection budget spent after %zu of %zu ports",
						 w->done, n);
				goto out;
			}
			rc = start(w, w->freel[--w->nfree], list[next], err);
			next += w->stride;
			if (rc)
				goto out;
			pace.sent++;
			allowed--;
		}
		if (next >= n) /* sockets left idle would report their closed state forever */
			for (int i = 0; i < w->nfree; i++)
				if (w->slots[w->freel[i]].fd >= 0) {
					close(w->slots[w->freel[i]].fd);
					w->slots[w->freel[i]].fd = -1;
				}
		if (!w->inflight && next >= n)
			break;
		/* timeouts are checked every 100 ms, so a connect may live up to 100 ms longer */
		wait_ms = next < n && w->nfree ? jcs_pace_wait_ms(&pace, jcs_now_us()) : 100;
		k = epoll_wait(w->ep, evs, conc, wait_ms < 100 ? wait_ms : 100);
		for (int j = 0; j < k; j++)
			reap(w, (int)evs[j].data.u32, evs[j].events);
		now = jcs_now_ms();
		if (now - last_sweep >= 100) {
			last_sweep = now;
			for (int i = 0; i < conc; i++)
				if (w->slots[i].port && now - w->slots[i].started >= p->o.timeout_ms) {
					w->inflight--;
					finish(w, i, ETIMEDOUT, false);
				}
		}
		if (p->o.progress && w->first == 0 && w->done - reported >= 1024) {
			reported = w->done;
			p->o.progress(p->o.progress_arg, "tcp scan", (long)(w->done * w->stride), (long)n);
		}
	}
	rc = 0;
out:
	for (int i = 0; w->slots && i < conc; i++)
		if (w->slots[i].fd >= 0)
			close(w->slots[i].fd);
	if (w->ep >= 0)
		close(w->ep);
	free(w->slots);
	free(evs);
	free(w->freel);
	return rc;
}

static void *sweep_thread(void *arg)
{
	struct sweep *w = arg;

	w->rc = connect_scan(w, &w->err);
	return NULL;
}

/* Unpaced connect sweeps run one loop per core (at most SWEEP_THREADS): the kernel's connect
 * path is the cost, and it runs in the calling thread. */
#define SWEEP_THREADS 4

int jcs_tcp_scan(struct jcs_probe *p, const int *list, size_t n, void (*on_open)(void *arg, int port),
		 void *arg, struct jcs_scan_stats *st, struct jcs_err *err)
{
	struct sweep w[SWEEP_THREADS];
	struct jcs_scan_stats part[SWEEP_THREADS];
	pthread_t th[SWEEP_THREADS];
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	const char *engine = p->o.sweep ? p->o.sweep : "auto";
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nth = jcs_sweep_rate(p) || n < 4096 || cores < 2 ? 1 : cores < SWEEP_THREADS ? (size_t)cores : SWEEP_THREADS;
	int64_t t0 = jcs_now_ms();
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = resolve(p->host, &ss, &sl, err)))
		return rc;
	if (strcmp(engine, "connect") != 0) {
		if (ss.ss_family == AF_INET) {
			rc = jcs_syn_scan(p, (const struct sockaddr_in *)&ss, list, n, on_open, arg, st, err);
			st->duration_ms = jcs_now_ms() - t0;
			if ((rc != JCS_EPERM && rc != JCS_EUNSUPPORTED) || strcmp(engine, "syn") == 0)
				return rc == JCS_EPERM ? jcs_err_set(err, rc, "--sweep syn needs CAP_NET_RAW") : rc;
			memset(st, 0, sizeof(*st));
			st->duration_ms = 0;
			st->fallback = rc == JCS_EPERM ? "no CAP_NET_RAW: connect sweep" : "raw sweep not possible: connect sweep";
		} else if (strcmp(engine, "syn") == 0) {
			return jcs_err_set(err, JCS_EUNSUPPORTED, "the SYN sweep is IPv4 only");
		} else {
			st->fallback = "IPv6 target: the SYN sweep is IPv4 only, connect sweep";
		}
		if (err) {
			err->code = 0;
			err->msg[0] = '\0';
		}
	}
	st->engine = "connect";
	st->tries = 2; /* the kernel's SYN and one retransmission within the 1 s initial RTO */
	for (size_t t = 0; t < nth; t++) {
		memset(&part[t], 0, sizeof(part[t]));
		w[t] = (struct sweep){.p = p, .list = list, .n = n, .first = t, .stride = nth, .ss = ss, .sl = sl,
				      .ep = -1, .st = &part[t], .on_open = on_open, .arg = arg};
	}
	for (size_t t = 1; t < nth; t++)
		if (pthread_create(&th[t], NULL, sweep_thread, &w[t]) != 0)
			w[t].rc = jcs_err_set(&w[t].err, JCS_ENOMEM, "cannot start a sweep thread"), w[t].stride = 0;
	sweep_thread(&w[0]);
	rc = 0;
	for (size_t t = 0; t < nth; t++) {
		if (t && w[t].stride)
			pthread_join(th[t], NULL);
		st->swept += w[t].done;
		st->open += part[t].open;
		st->closed += part[t].closed;
		st->filtered += part[t].filtered;
		for (size_t b = 0; b < sizeof(st->silent); b++)
			st->silent[b] |= part[t].silent[b];
		if (w[t].rc && !rc) {
			rc = w[t].rc;
			if (err)
				*err = w[t].err;
		}
	}
	st->duration_ms = jcs_now_ms() - t0;
	return rc;
}
