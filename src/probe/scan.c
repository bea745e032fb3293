/* TCP connect scan on epoll: up to `concurrency` non-blocking connects in flight, new
 * connects paced by the per-target rate limiter, each bounded by the operation timeout. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "probe/probe.h"

struct slot {
	int fd;
	int port;
	int64_t started;
};

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

int jcs_tcp_scan(struct jcs_probe *p, const int *list, size_t n, void (*on_open)(void *arg, int port),
		 void *arg, struct jcs_scan_stats *st, struct jcs_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	struct slot *slots = NULL;
	struct epoll_event *evs = NULL;
	int ep = -1, rc, conc = p->o.concurrency, inflight = 0, nfree = 0, *freel = NULL;
	size_t next = 0, done = 0, reported = 0;
	int64_t last_sweep = 0;
	struct rlimit rl;

	memset(st, 0, sizeof(*st));
	if ((rc = resolve(p->host, &ss, &sl, err)))
		return rc;
	/* never more sockets in flight than the descriptor limit allows */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (rlim_t)conc + 64 > rl.rlim_cur)
		conc = rl.rlim_cur > 128 ? (int)rl.rlim_cur - 64 : 64;
	slots = calloc((size_t)conc, sizeof(*slots));
	evs = calloc((size_t)conc, sizeof(*evs));
	freel = calloc((size_t)conc, sizeof(*freel));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!slots || !evs || !freel || ep < 0) {
		rc = jcs_err_set(err, JCS_ENOMEM, "scan setup failed");
		goto out;
	}
	for (int i = 0; i < conc; i++) {
		slots[i].fd = -1;
		freel[nfree++] = conc - 1 - i;
	}
	while (next < n || inflight) {
		int64_t now = jcs_now_ms();
		int k, wait_ms = p->o.timeout_ms;

		if (jcs_probe_left_ms(p) <= 0) {
			rc = jcs_err_set(err, JCS_ETIMEOUT, "time budget spent after %zu of %zu ports", done, n);
			goto out;
		}
		/* fill free slots */
		while (nfree && next < n) {
			struct epoll_event e = {.events = EPOLLOUT};
			int i = freel[--nfree];

			if (jcs_probe_take_slot(p)) {
				rc = jcs_err_set(err, JCS_ELIMIT, "connection budget spent after %zu of %zu ports",
						 done, n);
				goto out;
			}
			slots[i].fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (slots[i].fd < 0) {
				rc = jcs_err_set(err, JCS_ENET, "socket: %s", strerror(errno));
				goto out;
			}
			slots[i].port = list[next++];
			slots[i].started = jcs_now_ms();
			set_port(&ss, slots[i].port);
			if (connect(slots[i].fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
				if (errno == ECONNREFUSED)
					st->closed++; /* refused at once: closed */
				else
					st->filtered++;
				close(slots[i].fd);
				slots[i].fd = -1;
				freel[nfree++] = i;
				done++;
				continue;
			}
			e.data.u32 = (uint32_t)i;
			epoll_ctl(ep, EPOLL_CTL_ADD, slots[i].fd, &e);
			inflight++;
		}
		if (!inflight)
			continue;
		/* timeouts are checked every 100 ms, so a connect may live up to 100 ms longer */
		k = epoll_wait(ep, evs, conc, next < n && nfree ? 0 : (wait_ms < 100 ? wait_ms : 100));
		for (int j = 0; j < k; j++) {
			struct slot *s = &slots[evs[j].data.u32];
			int soerr = 0;
			socklen_t el = sizeof(soerr);

			/* a reset is a closed port on a host that answers; an unreachable host or net
			 * (no ARP answer, ICMP) is no answer at all */
			if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &el) != 0)
				soerr = EIO;
			if (!soerr && !(evs[j].events & (EPOLLERR | EPOLLHUP))) {
				st->open++;
				on_open(arg, s->port); /* examined at once, while the sweep goes on */
			} else if (soerr == ECONNREFUSED) {
				st->closed++;
			} else {
				st->filtered++;
			}
			close(s->fd); /* closes the epoll registration too */
			s->fd = -1;
			freel[nfree++] = (int)evs[j].data.u32;
			inflight--;
			done++;
		}
		now = jcs_now_ms();
		if (now - last_sweep >= 100) {
			last_sweep = now;
			for (int i = 0; i < conc; i++)
				if (slots[i].fd >= 0 && now - slots[i].started >= p->o.timeout_ms) {
					close(slots[i].fd); /* filtered */
					slots[i].fd = -1;
					freel[nfree++] = i;
					inflight--;
					done++;
					st->filtered++;
				}
		}
		if (p->o.progress && done - reported >= 1024) {
			reported = done;
			p->o.progress(p->o.progress_arg, "tcp scan", (long)done, (long)n);
		}
	}
	rc = 0;
out:
	st->swept = done;
	for (int i = 0; slots && i < conc; i++)
		if (slots[i].fd >= 0)
			close(slots[i].fd);
	if (ep >= 0)
		close(ep);
	free(slots);
	free(evs);
	free(freel);
	return rc;
}
