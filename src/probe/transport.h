/* Byte transport for probe protocol modules: every module talks to a device only through
 * this interface, so unit tests and fuzzers can feed recorded bytes (jcs_tr_replay) and the
 * real probe uses TCP or TLS (jcs_tr_tcp, jcs_tr_tls). Every operation is bounded by the
 * per-operation timeout and by the transport's absolute deadline. */
#ifndef JCS_PROBE_TRANSPORT_H
#define JCS_PROBE_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "jcstar/jcstar.h"
#include "jcstar/buf.h"

struct jcs_tr;

struct jcs_tr_ops {
	const char *name;
	/* Open the connection (TLS: and finish the handshake). */
	int (*connect)(struct jcs_tr *t, const char *host, int port, struct jcs_err *err);
	/* Up to len bytes: > 0 bytes read, 0 end of stream, < 0 JCS_ETIMEOUT / JCS_ENET. */
	long (*read)(struct jcs_tr *t, void *buf, size_t len);
	/* All of buf, or a negative JCS_E* code. */
	int (*write)(struct jcs_tr *t, const void *buf, size_t len);
	void (*close)(struct jcs_tr *t);
};

struct jcs_tr {
	const struct jcs_tr_ops *ops;
	int timeout_ms;      /* per read/write/connect */
	int64_t deadline;    /* absolute jcs_now_ms() limit for the whole session; 0 = none */
	uint64_t bytes_in;   /* counted across reads */
	const atomic_int *stop; /* when set and non-zero, every wait ends at once (the run stops) */
	/* tcp / tls */
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	/* replay: server bytes served in chunks of `chunk` bytes, client writes kept in tx */
	const uint8_t *rx;
	size_t rxlen, rxoff, chunk;
	struct jcs_buf tx;
	/* scripted replay: the server pauses at each cut until the client has written */
	size_t *cuts, ncuts, cut_i;
	size_t tx_at_cut;
	struct jcs_buf script;
};

extern const struct jcs_tr_ops jcs_tr_tcp, jcs_tr_tls, jcs_tr_replay;

/* Monotonic milliseconds. */
int64_t jcs_now_ms(void);

/* Initialise t for ops with a per-operation timeout and an overall budget (0 = none). */
void jcs_tr_init(struct jcs_tr *t, const struct jcs_tr_ops *ops, int timeout_ms, int budget_ms);
/* A replay transport serving rx (borrowed) in chunks of `chunk` bytes (0 = all at once). */
void jcs_tr_init_replay(struct jcs_tr *t, const void *rx, size_t rxlen, size_t chunk);
/* A replay of a recorded dialogue: segment i+1 is served only after the client wrote
 * something following segment i (lens[i] bytes each; a read in a pause times out). */
int jcs_tr_init_script(struct jcs_tr *t, const char *const *segs, const size_t *lens, size_t n, size_t chunk);

static inline int jcs_tr_connect(struct jcs_tr *t, const char *host, int port, struct jcs_err *err)
{
	return t->ops->connect(t, host, port, err);
}
static inline long jcs_tr_read(struct jcs_tr *t, void *buf, size_t len)
{
	return t->ops->read(t, buf, len);
}
static inline int jcs_tr_write(struct jcs_tr *t, const void *buf, size_t len)
{
	return t->ops->write(t, buf, len);
}
int jcs_tr_puts(struct jcs_tr *t, const char *s);
/* Close and release everything; safe to call twice. */
void jcs_tr_close(struct jcs_tr *t);

/* Milliseconds left for the next operation: min(timeout, deadline - now), >= 0. */
int jcs_tr_wait_ms(const struct jcs_tr *t);

/* Read into b until done(b) returns true, the stream ends, max bytes are held or the time runs
 * out. Returns 0 when done() said so, JCS_ETIMEOUT / JCS_ELIMIT / JCS_ENET otherwise
 * (0-byte end of stream = JCS_ENET). b keeps what was read in every case. */
int jcs_tr_read_until(struct jcs_tr *t, struct jcs_buf *b, size_t max,
		      bool (*done)(const struct jcs_buf *b, void *arg), void *arg);

/* A client SSL_CTX that speaks every protocol version the local OpenSSL can (security level
 * 0) and verifies nothing: the probe observes, trust is judged elsewhere. */
SSL_CTX *jcs_tls_client_ctx(void);
/* Attach socket fd to s (not owned) through a BIO that writes with MSG_NOSIGNAL, so a peer that
 * closed its end gives an error instead of SIGPIPE. 1 on success, 0 out of memory. */
int jcs_tls_set_fd(SSL *s, int fd);

#endif
