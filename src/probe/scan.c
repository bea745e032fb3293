/* TCP connect scan on epoll: up to `concurrency` non-blocking connects in flight, new
 * connects paced by the per-target rate limiter, each bounded by the operation timeout. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
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

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int jcs_tcp_scan(struct jcs_probe *p, const int *list, size_t n, int **open, size_t *nopen,
		 struct jcs_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct slot *slots = NULL;
	struct epoll_event *evs = NULL;
	int ep = -1, rc, conc = p->o.concurrency, inflight = 0;
	size_t next = 0, cap = 64, done = 0;
	int *res = NULL;

	*open = NULL;
	*nopen = 0;
	if ((rc = resolve(p->host, &ss, &sl, err)))
		return rc;
	slots = calloc((size_t)conc, sizeof(*slots));
	evs = calloc((size_t)conc, sizeof(*evs));
	res = malloc(cap * sizeof(*res));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!slots || !evs || !res || ep < 0) {
		rc = jcs_err_set(err, JCS_ENOMEM, "scan setup failed");
		goto out;
	}
	for (int i = 0; i < conc; i++)
		slots[i].fd = -1;
	while (next < n || inflight) {
		int64_t now = jcs_now_ms();
		int k, wait_ms = p->o.timeout_ms;

		if (jcs_probe_left_ms(p) <= 0) {
			rc = jcs_err_set(err, JCS_ETIMEOUT, "time budget spent after %zu of %zu ports", done, n);
			goto out;
		}
		/* fill free slots */
		for (int i = 0; i < conc && next < n; i++) {
			struct epoll_event e = {.events = EPOLLOUT};
			if (slots[i].fd >= 0)
				continue;
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
				close(slots[i].fd); /* refused at once: closed */
				slots[i].fd = -1;
				done++;
				continue;
			}
			e.data.u32 = (uint32_t)i;
			epoll_ctl(ep, EPOLL_CTL_ADD, slots[i].fd, &e);
			inflight++;
		}
		if (!inflight)
			continue;
		/* wake for the oldest connect's timeout at the latest */
		for (int i = 0; i < conc; i++)
			if (slots[i].fd >= 0 && slots[i].started + p->o.timeout_ms - now < wait_ms)
				wait_ms = (int)(slots[i].started + p->o.timeout_ms - now);
		k = epoll_wait(ep, evs, conc, wait_ms < 0 ? 0 : wait_ms);
		for (int j = 0; j < k; j++) {
			struct slot *s = &slots[evs[j].data.u32];
			int soerr = 0;
			socklen_t el = sizeof(soerr);

			getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &el);
			if (!soerr && !(evs[j].events & (EPOLLERR | EPOLLHUP))) {
				if (*nopen == cap) {
					int *bigger = realloc(res, (cap *= 2) * sizeof(*res));
					if (!bigger) {
						rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
						goto out;
					}
					res = bigger;
				}
				res[(*nopen)++] = s->port;
			}
			close(s->fd); /* closes the epoll registration too */
			s->fd = -1;
			inflight--;
			done++;
		}
		now = jcs_now_ms();
		for (int i = 0; i < conc; i++)
			if (slots[i].fd >= 0 && now - slots[i].started >= p->o.timeout_ms) {
				close(slots[i].fd); /* filtered */
				slots[i].fd = -1;
				inflight--;
				done++;
			}
		if (p->o.progress && (done & 1023) == 0)
			p->o.progress(p->o.progress_arg, "tcp scan", (long)done, (long)n);
	}
	qsort(res, *nopen, sizeof(*res), cmp_int);
	*open = res;
	res = NULL;
	rc = 0;
out:
	for (int i = 0; slots && i < conc; i++)
		if (slots[i].fd >= 0)
			close(slots[i].fd);
	if (ep >= 0)
		close(ep);
	free(slots);
	free(evs);
	free(res);
	if (rc)
		*nopen = 0;
	return rc;
}
