/* Malicious devices on loopback (ephemeral ports): an endless banner, a slowloris reply, huge
 * headers, an IAC flood, invalid TLS and a port that accepts and closes at once (SIGPIPE: the
 * test keeps the default disposition, so a write to it must not kill the process). The probe must finish inside its budget, stay within
 * its memory caps and report the ports without crashing. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "t.h"
#include "probe/probe.h"

enum kind { ENDLESS_BANNER, SLOWLORIS, HUGE_HEADERS, IAC_FLOOD, BAD_TLS, ACCEPT_CLOSE, NKINDS };

struct server {
	enum kind kind;
	int lfd, port;
	pthread_t th;
};

static atomic_bool stop;

struct conn {
	enum kind kind;
	int fd;
};

static bool send_all(int fd, const void *b, size_t n)
{
	return send(fd, b, n, MSG_NOSIGNAL) == (ssize_t)n;
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	char junk[8192];
	size_t sent = 0;

	memset(junk, 'A', sizeof(junk));
	for (int i = 0; !atomic_load(&stop) && sent < (256u << 20); i++) {
		bool ok = true;
		switch (c->kind) {
		case ENDLESS_BANNER:
			ok = send_all(c->fd, i ? junk : "220 ", i ? sizeof(junk) : 4);
			break;
		case SLOWLORIS:
			ok = send_all(c->fd, &"HTTP/1.1 401 Unauthorized\r\nX: "[i < 31 ? i : 30], 1);
			usleep(200000);
			break;
		case HUGE_HEADERS: {
			static const char pad[] = "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
			if (i == 0) {
				char req[256];
				(void)!recv(c->fd, req, sizeof(req), 0); /* a client-first protocol: wait for it */
				ok = send_all(c->fd, "HTTP/1.1 401 Unauthorized\r\n", 27);
			} else {
				ok = send_all(c->fd, pad, sizeof(pad) - 1);
			}
			break;
		}
		case IAC_FLOOD:
			ok = send_all(c->fd, "\xff\xfb\x18\xff\xfd\x1f\xff\xfa\x18", 9);
			break;
		case BAD_TLS:
			if (i == 0) {
				char req[512];
				(void)!recv(c->fd, req, sizeof(req), 0);
			}
			ok = send_all(c->fd, "\x16\x03\x01\xff\xff\x02garbage", 13);
			usleep(1000);
			break;
		case ACCEPT_CLOSE: /* the hello or handshake the probe writes next meets a closed socket */
		default:
			ok = false;
		}
		if (!ok)
			break;
		sent += 8;
	}
	close(c->fd);
	free(c);
	return NULL;
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	while (!atomic_load(&stop)) {
		struct pollfd p = {s->lfd, POLLIN, 0};
		if (poll(&p, 1, 100) == 1) {
			struct conn *c = malloc(sizeof(*c));
			pthread_t th;
			c->kind = s->kind;
			c->fd = accept(s->lfd, NULL, NULL);
			if (c->fd < 0 || pthread_create(&th, NULL, conn_main, c)) {
				if (c->fd >= 0)
					close(c->fd);
				free(c);
				continue;
			}
			pthread_detach(th);
		}
	}
	close(s->lfd);
	return NULL;
}

static int listen_any(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)&a, &l))
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

T_TEST(hostile_devices)
{
	struct server srv[NKINDS];
	char ports[128] = "";
	struct jcs_probe_opts o = {.profile = "quick", .budget_s = 25, .timeout_ms = 500, .max_attempts = 5};
	struct jcs_evidence *ev = jcs_evidence_new("probe", "127.0.0.1");
	struct jcs_err err = {0};
	long rss0 = maxrss_kb();
	json_t *services;
	size_t i;
	json_t *s;

	for (int k = 0; k < NKINDS; k++) {
		srv[k].kind = (enum kind)k;
		srv[k].lfd = listen_any(&srv[k].port);
		T_ASSERT(srv[k].lfd >= 0);
		snprintf(ports + strlen(ports), sizeof(ports) - strlen(ports), "%s%d", k ? "," : "", srv[k].port);
		pthread_create(&srv[k].th, NULL, server_main, &srv[k]);
	}
	o.ports = ports;
	T_EQ_INT(jcs_probe_run("127.0.0.1", &o, ev, &err), 0);
	atomic_store(&stop, true);
	for (int k = 0; k < NKINDS; k++)
		pthread_join(srv[k].th, NULL);

	services = jcs_evidence_section(ev, "services");
	T_EQ_INT(json_array_size(services), NKINDS); /* every hostile port reported */
	json_array_foreach(services, i, s) {
		const char *banner = json_string_value(json_object_get(s, "banner"));
		T_ASSERT(banner && strlen(banner) < 160 * 4 + 1);
		if (json_integer_value(json_object_get(s, "port")) == srv[IAC_FLOOD].port)
			T_EQ_STR(json_string_value(json_object_get(s, "service")), "telnet");
		if (json_integer_value(json_object_get(s, "port")) == srv[ENDLESS_BANNER].port)
			T_EQ_STR(json_string_value(json_object_get(s, "service")), "ftp");
	}
	/* caps: far less than the hundreds of MiB the servers try to push */
	T_ASSERT(maxrss_kb() - rss0 < 200 * 1024);
	jcs_evidence_free(ev);
}

T_MAIN(T_CASE(hostile_devices))
