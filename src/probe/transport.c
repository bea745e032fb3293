/* TCP, TLS and replay transports (transport.h). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <openssl/err.h>

#include "probe/transport.h"

int64_t jcs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void jcs_tr_init(struct jcs_tr *t, const struct jcs_tr_ops *ops, int timeout_ms, int budget_ms)
{
	memset(t, 0, sizeof(*t));
	t->ops = ops;
	t->fd = -1;
	t->timeout_ms = timeout_ms > 0 ? timeout_ms : 1000;
	t->deadline = budget_ms > 0 ? jcs_now_ms() + budget_ms : 0;
}

void jcs_tr_init_replay(struct jcs_tr *t, const void *rx, size_t rxlen, size_t chunk)
{
	jcs_tr_init(t, &jcs_tr_replay, 1000, 0);
	t->rx = rx;
	t->rxlen = rxlen;
	t->chunk = chunk ? chunk : rxlen;
}

int jcs_tr_wait_ms(const struct jcs_tr *t)
{
	int64_t left;

	if (t->stop && atomic_load(t->stop))
		return 0;
	if (!t->deadline)
		return t->timeout_ms;
	left = t->deadline - jcs_now_ms();
	if (left <= 0)
		return 0;
	return left < t->timeout_ms ? (int)left : t->timeout_ms;
}

int jcs_tr_puts(struct jcs_tr *t, const char *s)
{
	return jcs_tr_write(t, s, strlen(s));
}

void jcs_tr_close(struct jcs_tr *t)
{
	if (t->ops)
		t->ops->close(t);
}

int jcs_tr_read_until(struct jcs_tr *t, struct jcs_buf *b, size_t max,
		      bool (*done)(const struct jcs_buf *b, void *arg), void *arg)
{
	char tmp[4096];

	for (;;) {
		size_t want = sizeof(tmp);
		long n;

		if (done && b->len && done(b, arg))
			return 0;
		if (b->len >= max)
			return JCS_ELIMIT;
		if (want > max - b->len)
			want = max - b->len;
		n = jcs_tr_read(t, tmp, want);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return done && b->len && done(b, arg) ? 0 : JCS_ENET;
		if (jcs_buf_append(b, tmp, (size_t)n))
			return JCS_ENOMEM;
	}
}

/* --- TCP --- */

static int wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = {fd, ev, 0};
	int rc;

	if (ms <= 0)
		return JCS_ETIMEOUT;
	do
		rc = poll(&p, 1, ms);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		return JCS_ETIMEOUT;
	return rc < 0 ? JCS_ENET : 0;
}

static int tcp_connect(struct jcs_tr *t, const char *host, int port, struct jcs_err *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *ai = NULL;
	char portstr[8];
	int rc, soerr = 0, one = 1;
	socklen_t sl = sizeof(soerr);

	snprintf(portstr, sizeof(portstr), "%d", port);
	if (getaddrinfo(host, portstr, &hints, &ai) != 0 || !ai)
		return jcs_err_set(err, JCS_ENET, "cannot resolve %s", host);
	t->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0) {
		rc = jcs_err_set(err, JCS_ENET, "socket: %s", strerror(errno));
		goto out;
	}
	setsockopt(t->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(t->fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		rc = jcs_err_set(err, JCS_ENET, "%s:%d: %s", host, port, strerror(errno));
		goto out;
	}
	rc = wait_fd(t->fd, POLLOUT, jcs_tr_wait_ms(t));
	if (rc) {
		jcs_err_set(err, rc, "%s:%d: connect timed out", host, port);
		goto out;
	}
	getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	if (soerr)
		rc = jcs_err_set(err, JCS_ENET, "%s:%d: %s", host, port, strerror(soerr));
out:
	freeaddrinfo(ai);
	if (rc && t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
	return rc;
}

static long tcp_read(struct jcs_tr *t, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = recv(t->fd, buf, len, 0);
		int rc;

		if (n >= 0) {
			t->bytes_in += (uint64_t)n;
			return n;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return JCS_ENET;
		if ((rc = wait_fd(t->fd, POLLIN, jcs_tr_wait_ms(t))))
			return rc;
	}
}

static int tcp_write(struct jcs_tr *t, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(t->fd, p, len, MSG_NOSIGNAL);
		int rc;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return JCS_ENET;
		if ((rc = wait_fd(t->fd, POLLOUT, jcs_tr_wait_ms(t))))
			return rc;
	}
	return 0;
}

static void tcp_close(struct jcs_tr *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

const struct jcs_tr_ops jcs_tr_tcp = {
	.name = "tcp",
	.connect = tcp_connect,
	.read = tcp_read,
	.write = tcp_write,
	.close = tcp_close,
};

/* --- TLS over the TCP socket --- */

SSL_CTX *jcs_tls_client_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		return NULL;
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, 0);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

/* A socket BIO whose writes never raise SIGPIPE: OpenSSL's own writes with write(), and a device
 * that closes its end mid-handshake would kill the process. Everything but write is the stock
 * socket BIO's. */
static BIO_METHOD *nosig_method;
static pthread_once_t nosig_once = PTHREAD_ONCE_INIT;

static int nosig_write(BIO *b, const char *buf, int len)
{
	ssize_t n = send((int)BIO_get_fd(b, NULL), buf, (size_t)(len > 0 ? len : 0), MSG_NOSIGNAL);

	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_write(b);
	return (int)n;
}

static void nosig_init(void)
{
	const BIO_METHOD *sock = BIO_s_socket();
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
				     "socket, MSG_NOSIGNAL");

	if (m && BIO_meth_set_write(m, nosig_write) && BIO_meth_set_read(m, BIO_meth_get_read(sock)) &&
	    BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(sock)) && BIO_meth_set_create(m, BIO_meth_get_create(sock)) &&
	    BIO_meth_set_destroy(m, BIO_meth_get_destroy(sock)))
		nosig_method = m;
	else
		BIO_meth_free(m);
}

int jcs_tls_set_fd(SSL *s, int fd)
{
	BIO *b;

	pthread_once(&nosig_once, nosig_init);
	if (!nosig_method || !(b = BIO_new(nosig_method)))
		return 0;
	BIO_set_fd(b, fd, BIO_NOCLOSE);
	SSL_set_bio(s, b, b);
	return 1;
}

/* Drive one non-blocking SSL call: returns > 0 done, 0 retry, < 0 JCS_E*. */
static int ssl_step(struct jcs_tr *t, int ret)
{
	int e = SSL_get_error(t->ssl, ret);

	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		int rc = wait_fd(t->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, jcs_tr_wait_ms(t));
		return rc ? rc : 0;
	}
	ERR_clear_error();
	return e == SSL_ERROR_ZERO_RETURN ? 1 : JCS_ENET;
}

static int tls_connect(struct jcs_tr *t, const char *host, int port, struct jcs_err *err)
{
	int rc = tcp_connect(t, host, port, err);

	if (rc)
		return rc;
	if (!(t->ctx = jcs_tls_client_ctx()) || !(t->ssl = SSL_new(t->ctx)))
		return jcs_err_set(err, JCS_ENOMEM, "TLS context");
	if (!jcs_tls_set_fd(t->ssl, t->fd))
		return jcs_err_set(err, JCS_ENOMEM, "TLS context");
	SSL_set_tlsext_host_name(t->ssl, host);
	for (;;) {
		int r = SSL_connect(t->ssl);
		if (r == 1)
			return 0;
		rc = ssl_step(t, r);
		if (rc < 0 || (rc > 0))
			return jcs_err_set(err, rc < 0 ? rc : JCS_ENET, "%s:%d: TLS handshake failed", host, port);
	}
}

static long tls_read(struct jcs_tr *t, void *buf, size_t len)
{
	for (;;) {
		size_t n = 0;
		int r = SSL_read_ex(t->ssl, buf, len, &n), rc;

		if (r == 1) {
			t->bytes_in += n;
			return (long)n;
		}
		rc = ssl_step(t, r);
		if (rc > 0)
			return 0;
		if (rc < 0)
			return rc;
	}
}

static int tls_write(struct jcs_tr *t, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		size_t n = 0;
		int r = SSL_write_ex(t->ssl, p, len, &n), rc;

		if (r == 1) {
			p += n;
			len -= n;
			continue;
		}
		rc = ssl_step(t, r);
		if (rc)
			return rc < 0 ? rc : JCS_ENET;
	}
	return 0;
}

static void tls_close(struct jcs_tr *t)
{
	SSL_free(t->ssl);
	SSL_CTX_free(t->ctx);
	t->ssl = NULL;
	t->ctx = NULL;
	tcp_close(t);
}

const struct jcs_tr_ops jcs_tr_tls = {
	.name = "tls",
	.connect = tls_connect,
	.read = tls_read,
	.write = tls_write,
	.close = tls_close,
};

/* --- replay of recorded server bytes --- */

static int replay_connect(struct jcs_tr *t, const char *host, int port, struct jcs_err *err)
{
	(void)t, (void)host, (void)port, (void)err;
	return 0;
}

int jcs_tr_init_script(struct jcs_tr *t, const char *const *segs, const size_t *lens, size_t n, size_t chunk)
{
	jcs_tr_init_replay(t, NULL, 0, chunk ? chunk : 4096);
	if (n && !(t->cuts = calloc(n, sizeof(*t->cuts))))
		return JCS_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (jcs_buf_append(&t->script, segs[i], lens[i]))
			return JCS_ENOMEM;
		t->cuts[t->ncuts++] = t->script.len;
	}
	t->rx = (const uint8_t *)t->script.data;
	t->rxlen = t->script.len;
	return 0;
}

static long replay_read(struct jcs_tr *t, void *buf, size_t len)
{
	size_t n = t->rxlen - t->rxoff;

	while (t->cut_i < t->ncuts && t->rxoff == t->cuts[t->cut_i] && t->rxoff < t->rxlen) {
		if (t->tx.len == t->tx_at_cut)
			return JCS_ETIMEOUT; /* the recorded server waits for us */
		t->tx_at_cut = t->tx.len;
		t->cut_i++;
	}
	if (t->cut_i < t->ncuts && t->cuts[t->cut_i] - t->rxoff < n)
		n = t->cuts[t->cut_i] - t->rxoff;

	if (n > t->chunk)
		n = t->chunk;
	if (n > len)
		n = len;
	if (n)
		memcpy(buf, t->rx + t->rxoff, n);
	t->rxoff += n;
	t->bytes_in += n;
	return (long)n;
}

static int replay_write(struct jcs_tr *t, const void *buf, size_t len)
{
	return jcs_buf_append(&t->tx, buf, len);
}

static void replay_close(struct jcs_tr *t)
{
	jcs_buf_free(&t->tx);
	jcs_buf_free(&t->script);
	free(t->cuts);
	t->cuts = NULL;
	t->ncuts = 0;
}

const struct jcs_tr_ops jcs_tr_replay = {
	.name = "replay",
	.connect = replay_connect,
	.read = replay_read,
	.write = replay_write,
	.close = replay_close,
};
