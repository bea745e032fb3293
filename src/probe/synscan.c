/* The SYN sweep from a raw socket, as zmap and masscan do it: one fixed source port (held by a
 * bound, non-listening TCP socket, so the kernel neither hands it to another connection nor
 * lets a SYN-ACK open anything: it answers each SYN-ACK with a reset), a keyed cookie of the
 * port in each sequence number, SYN-ACK (open) and RST (closed) read back on the same raw
 * socket through a BPF filter and accepted only when they acknowledge that port's cookie.
 * Rounds: every port once, then the silent ones again after the operation timeout, at most
 * SYN_TRIES SYNs per port; still silent then: no answer. IPv4; needs CAP_NET_RAW. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "core/cur.h"
#include "probe/probe.h"

#define SYN_TRIES 3  /* SYNs a silent port gets */
#define BATCH 64     /* packets per sendmmsg / recvmmsg */
#define TCP_HDR 24   /* 20 bytes + the MSS option */
#define RCV_MAX 128  /* bytes kept of each received packet (IP + TCP headers) */

enum { UNLISTED, PENDING, ANSWERED };

struct syn {
	int raw, hold;
	uint32_t src, dst;    /* network byte order */
	uint16_t sport;       /* host byte order */
	uint64_t key[2];
	uint8_t *state;       /* per port */
	size_t pending;
	struct jcs_scan_stats *st;
	void (*on_open)(void *arg, int port);
	void *arg;
};

static uint32_t cookie(const void *key, uint16_t port)
{
	const uint64_t *k = key;
	uint64_t x = k[0] ^ port;

	/* a keyed 64-bit finaliser (murmur3's), enough to tell our answers from stray packets */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x ^= k[1];
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

int jcs_syn_parse(const uint8_t *b, size_t n, uint32_t src, uint16_t sport,
		  uint32_t (*ck)(const void *key, uint16_t port), const void *key, int *port, bool *open)
{
	struct jcs_cur c = jcs_cur_make(b, n), ip, tcp;
	uint8_t vihl = jcs_cur_u8(&c), flags;
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	uint16_t total, from, to;
	uint32_t ack, from_ip;

	jcs_cur_skip(&c, 1);
	total = jcs_cur_u16be(&c);
	jcs_cur_skip(&c, 5);
	if (jcs_cur_u8(&c) != IPPROTO_TCP || c.bad || vihl >> 4 != 4 || ihl < 20 || total < ihl)
		return JCS_EPARSE;
	jcs_cur_skip(&c, 2);
	from_ip = htonl(jcs_cur_u32be(&c));
	ip = jcs_cur_at(&c, 0, total < n ? total : n); /* what arrived of the datagram */
	tcp = jcs_cur_at(&ip, ihl, jcs_cur_left(&ip) > ihl ? jcs_cur_left(&ip) - ihl : 0);
	from = jcs_cur_u16be(&tcp);
	to = jcs_cur_u16be(&tcp);
	jcs_cur_skip(&tcp, 4); /* their sequence number */
	ack = jcs_cur_u32be(&tcp);
	jcs_cur_skip(&tcp, 1);
	flags = jcs_cur_u8(&tcp);
	if (c.bad || ip.bad || tcp.bad)
		return JCS_EPARSE;
	if (from_ip != src || to != sport || from == 0 || !(flags & 0x10) || ack != ck(key, from) + 1)
		return JCS_ENOTFOUND; /* not an answer to one of our SYNs */
	if (flags & 0x04)
		*open = false; /* RST (+ACK): closed */
	else if ((flags & 0x12) == 0x12)
		*open = true;  /* SYN+ACK: open */
	else
		return JCS_ENOTFOUND;
	*port = from;
	return 0;
}

static uint16_t csum(const uint8_t *b, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void build(const struct syn *s, uint16_t port, uint8_t *t)
{
	uint32_t seq = cookie(s->key, port), sum = 0;
	const uint8_t *a = (const uint8_t *)&s->src, *d = (const uint8_t *)&s->dst;
	uint16_t c;

	memset(t, 0, TCP_HDR);
	t[0] = (uint8_t)(s->sport >> 8), t[1] = (uint8_t)s->sport;
	t[2] = (uint8_t)(port >> 8), t[3] = (uint8_t)port;
	t[4] = (uint8_t)(seq >> 24), t[5] = (uint8_t)(seq >> 16), t[6] = (uint8_t)(seq >> 8), t[7] = (uint8_t)seq;
	t[12] = (TCP_HDR / 4) << 4;
	t[13] = 0x02;                      /* SYN */
	t[14] = 0x04, t[15] = 0x00;        /* window 1024, as nmap */
	t[20] = 2, t[21] = 4, t[22] = 0x05, t[23] = 0xb4; /* MSS 1460 */
	/* pseudo header: source, destination, protocol, TCP length */
	sum += (uint32_t)(a[0] << 8 | a[1]) + (uint32_t)(a[2] << 8 | a[3]);
	sum += (uint32_t)(d[0] << 8 | d[1]) + (uint32_t)(d[2] << 8 | d[3]);
	sum += IPPROTO_TCP + TCP_HDR;
	c = csum(t, TCP_HDR, sum);
	t[16] = (uint8_t)(c >> 8), t[17] = (uint8_t)c;
}

/* Read every packet waiting on the raw socket; record the answers. */
static void drain(struct syn *s)
{
	static __thread uint8_t bufs[BATCH][RCV_MAX];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	int k;

	do {
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){bufs[i], RCV_MAX};
			m[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
		}
		k = recvmmsg(s->raw, m, BATCH, MSG_DONTWAIT, NULL);
		for (int i = 0; i < k; i++) {
			int port;
			bool open;

			if (jcs_syn_parse(bufs[i], m[i].msg_len, s->dst, s->sport, cookie, s->key, &port, &open) ||
			    s->state[port] != PENDING)
				continue;
			s->state[port] = ANSWERED;
			s->pending--;
			s->st->swept++;
			if (open) {
				s->st->open++;
				s->on_open(s->arg, port);
			} else {
				s->st->closed++;
			}
		}
	} while (k == BATCH);
}

static int flush(struct syn *s, uint8_t (*pkt)[TCP_HDR], int k, struct jcs_err *err)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = s->dst};
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	int sent = 0;

	for (int i = 0; i < k; i++) {
		iov[i] = (struct iovec){pkt[i], TCP_HDR};
		m[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov[i],
						      .msg_iovlen = 1}};
	}
	while (sent < k) {
		int r = sendmmsg(s->raw, m + sent, (unsigned)(k - sent), 0);

		if (r < 0 && errno == ENOBUFS) {
			/* the queue towards the device is full: let it drain */
			struct pollfd pf = {s->raw, POLLIN, 0};
			poll(&pf, 1, 1);
			drain(s);
			continue;
		}
		if (r < 0 && (errno == EHOSTUNREACH || errno == ENETUNREACH || errno == EHOSTDOWN || errno == EPERM ||
			      errno == ECONNREFUSED)) {
			/* no neighbour, no route, our own firewall, or an ICMP error reported on the
			 * socket: that SYN goes nowhere, its port stays silent */
			sent++;
			continue;
		}
		if (r < 0 && errno != EINTR)
			return jcs_err_set(err, JCS_ENET, "raw send: %s", strerror(errno));
		sent += r > 0 ? r : 0;
	}
	return 0;
}

static int setup(struct syn *s, const struct sockaddr_in *dst, struct jcs_err *err)
{
	struct sockaddr_in a = *dst;
	socklen_t al = sizeof(a);
	int u, big = 8 << 20;

	s->dst = dst->sin_addr.s_addr;
	s->raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s->raw < 0)
		return errno == EPERM || errno == EACCES ? JCS_EPERM : jcs_err_set(err, JCS_ENET, "raw socket: %s", strerror(errno));
	/* the source address the kernel would use towards the target */
	a.sin_port = htons(9);
	u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u < 0 || connect(u, (struct sockaddr *)&a, sizeof(a)) < 0 || getsockname(u, (struct sockaddr *)&a, &al) < 0) {
		if (u >= 0)
			close(u);
		return jcs_err_set(err, JCS_ENET, "no route to %s", inet_ntoa(dst->sin_addr));
	}
	close(u);
	s->src = a.sin_addr.s_addr;
	/* hold the source port: bound, never listening */
	a.sin_port = 0;
	al = sizeof(a);
	s->hold = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->hold < 0 || bind(s->hold, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(s->hold, (struct sockaddr *)&a, &al) < 0)
		return jcs_err_set(err, JCS_ENET, "cannot hold a source port: %s", strerror(errno));
	s->sport = ntohs(a.sin_port);
	{
		struct sock_filter code[] = {
			{BPF_LD | BPF_W | BPF_ABS, 0, 0, 12},                  /* IP source */
			{BPF_JMP | BPF_JEQ | BPF_K, 0, 4, ntohl(s->dst)},
			{BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0},                  /* X = IP header length */
			{BPF_LD | BPF_H | BPF_IND, 0, 0, 2},                   /* TCP destination port */
			{BPF_JMP | BPF_JEQ | BPF_K, 0, 1, s->sport},
			{BPF_RET | BPF_K, 0, 0, RCV_MAX},
			{BPF_RET | BPF_K, 0, 0, 0},
		};
		struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};

		if (setsockopt(s->raw, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
			return jcs_err_set(err, JCS_ENET, "raw socket filter: %s", strerror(errno));
	}
	if (setsockopt(s->raw, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(s->raw, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (getrandom(s->key, sizeof(s->key), 0) != sizeof(s->key))
		return jcs_err_set(err, JCS_ENET, "getrandom: %s", strerror(errno));
	/* packets that came before the filter; the cookie would refuse them anyway */
	drain(s);
	return 0;
}

/* Wait up to ms for answers (less once every port answered or the run stops). */
static void listen_for(struct jcs_probe *p, struct syn *s, int ms)
{
	int64_t end = jcs_now_ms() + ms;

	for (int64_t now = jcs_now_ms(); now < end && s->pending && jcs_probe_left_ms(p) > 0; now = jcs_now_ms()) {
		struct pollfd pf = {s->raw, POLLIN, 0};
		int left = (int)(end - now);

		if (poll(&pf, 1, left < 100 ? left : 100) > 0)
			drain(s);
	}
}

int jcs_syn_scan(struct jcs_probe *p, const struct sockaddr_in *dst, const int *list, size_t n,
		 void (*on_open)(void *arg, int port), void *arg, struct jcs_scan_stats *st, struct jcs_err *err)
{
	struct syn s = {.raw = -1, .hold = -1, .st = st, .on_open = on_open, .arg = arg};
	static __thread uint8_t pkt[BATCH][TCP_HDR];
	struct jcs_pace pace = {.rate = jcs_sweep_rate(p)};
	int rc, tries = 0;

	if ((rc = setup(&s, dst, err)))
		goto out;
	if (!(s.state = calloc(65536, 1))) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	st->engine = "syn";
	for (size_t i = 0; i < n; i++)
		if (list[i] > 0 && list[i] < 65536 && s.state[list[i]] == UNLISTED)
			s.state[list[i]] = PENDING, s.pending++;
	pace.t0_us = jcs_now_us();
	while (s.pending && tries < SYN_TRIES) {
		int k = 0;

		tries++;
		for (size_t i = 0; i < n; i++) {
			if (s.state[list[i]] != PENDING)
				continue;
			if (tries == 1 && atomic_fetch_add(&p->connections, 1) >= p->o.max_connections) {
				rc = jcs_err_set(err, JCS_ELIMIT, "connection budget spent after %zu of %zu ports", i, n);
				goto out;
			}
			build(&s, (uint16_t)list[i], pkt[k++]);
			pace.sent++;
			if (k == BATCH || i + 1 == n || !jcs_pace_allowed(&pace, jcs_now_us())) {
				if ((rc = flush(&s, pkt, k, err)))
					goto out;
				k = 0;
				drain(&s);
				if (jcs_probe_left_ms(p) <= 0) {
					rc = jcs_err_set(err, JCS_ETIMEOUT, "time budget spent after %zu of %zu ports", i + 1, n);
					goto out;
				}
				listen_for(p, &s, jcs_pace_wait_ms(&pace, jcs_now_us()));
			}
			if (p->o.progress && tries == 1 && i % 4096 == 4095)
				p->o.progress(p->o.progress_arg, "tcp scan", (long)i + 1, (long)n);
		}
		if (k && (rc = flush(&s, pkt, k, err)))
			goto out;
		listen_for(p, &s, p->o.timeout_ms);
	}
	rc = 0;
out:
	st->tries = tries;
	for (size_t i = 0; s.state && rc == 0 && i < n; i++)
		if (s.state[list[i]] == PENDING) { /* SYN_TRIES SYNs and never an answer */
			s.state[list[i]] = ANSWERED;
			st->filtered++;
			st->swept++;
			st->silent[list[i] / 8] |= (uint8_t)(1u << (list[i] % 8));
		}
	free(s.state);
	if (s.raw >= 0)
		close(s.raw);
	if (s.hold >= 0)
		close(s.hold);
	return rc;
}
