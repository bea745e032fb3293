/* TLS assessment of one endpoint with OpenSSL 3: versions, cipher suites, certificate.
 *
 * Stage 1 sends one ClientHello per protocol version the local library can speak, in
 * parallel, each offering every suite of that version: it tells which versions the server
 * accepts and yields one suite and the certificate. Stage 2 enumerates the remaining suites
 * of each accepted version by elimination (offer a set, note the server's choice, drop it,
 * repeat until the server refuses), with each version's suites split into chunks that run in
 * parallel: about (accepted suites + chunks) connections in all. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>

#include "jcstar/buf.h"
#include "probe/tls.h"
#include "probe/transport.h"

#define DEF_TIMEOUT_MS 4000
#define DEF_BUDGET_MS 30000
#define DEF_MAX_CONNS 300
#define DEF_PARALLEL 8
#define MAX_PARALLEL 32
#define MAX_CERT_LIST (64 * 1024) /* bytes of certificate chain accepted from the server */
#define CHUNK 24                  /* suites per elimination chunk */
#define MAX_ACCEPTED 400

enum { V_SSL3, V_TLS10, V_TLS11, V_TLS12, V_TLS13, NVER };

static const struct version {
	const char *name;
	int v;
	bool deprecated;
	enum jcs_severity severity; /* when offered */
} versions[NVER] = {
	{"SSLv3", SSL3_VERSION, true, JCS_SEV_HIGH},
	{"TLSv1.0", TLS1_VERSION, true, JCS_SEV_MEDIUM},
	{"TLSv1.1", TLS1_1_VERSION, true, JCS_SEV_MEDIUM},
	{"TLSv1.2", TLS1_2_VERSION, false, JCS_SEV_NONE},
	{"TLSv1.3", TLS1_3_VERSION, false, JCS_SEV_NONE},
};

static const char tls13_suites[] =
	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:"
	"TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256";

enum vstate { VS_UNTESTABLE, VS_PENDING, VS_OFFERED, VS_NOT_OFFERED, VS_ERROR };

struct accepted {
	int ver;
	uint16_t id;     /* IANA code point */
	char iana[64];
	char ossl[48];   /* OpenSSL name, "" when seen only in a raw ServerHello */
	bool raw;
	char group[32];  /* ephemeral key: "X25519", "prime256v1", "DH", "" */
	int group_bits;
};

/* A unit of work: one version, and the suites to offer through OpenSSL (list) or through a
 * hand-made ClientHello (raw, ids). Stage 1 jobs make one connection, stage 2 jobs eliminate. */
struct job {
	int ver;
	bool stage1;
	bool raw;
	const SSL_CIPHER **list; /* owned */
	uint16_t *ids;           /* owned */
	size_t n;
};

struct run {
	const char *sni;      /* SNI to send, or NULL */
	void (*progress)(void *arg, long done, long total);
	void *progress_arg;
	long jobs_done;       /* guarded by mu */
	struct sockaddr_storage addr;
	socklen_t alen;
	int timeout_ms, max_conns;
	struct timespec t0;
	long long deadline;   /* ms since t0 */
	OSSL_LIB_CTX *lib;
	OSSL_PROVIDER *pdef, *pleg;
	X509_STORE *store;    /* trust store shared by the contexts (chain_verify only) */
	SSL_CTX *ctx[NVER];
	STACK_OF(SSL_CIPHER) *supported[NVER];
	pthread_mutex_t mu;
	/* below: guarded by mu while workers run */
	int conns;
	bool budget_hit;
	enum vstate vs[NVER];
	bool raw_version[NVER];    /* version tested by a raw ClientHello (OpenSSL lacks it) */
	size_t raw_offered[NVER];  /* suites offered in raw ClientHellos */
	char verr[NVER][200];      /* why a version is untestable / errored / refused */
	bool incomplete[NVER];     /* enumeration stopped by an error or the budget */
	char enum_err[NVER][200];
	struct accepted acc[MAX_ACCEPTED];
	size_t nacc;
	X509 *cert[NVER];
	int chain_len[NVER];
	long verify[NVER];
	struct job *jobs;          /* preallocated: workers append stage-2 jobs while others run */
	size_t njobs, next_job, jobcap;
	int inflight;              /* jobs being run */
	int pending1[NVER];        /* stage-1 jobs of a version not finished yet */
	bool oom;
	pthread_cond_t cv;         /* a job finished or was added */
};

struct hs {
	const SSL_CIPHER *cipher;
	char group[32];
	int group_bits;
	X509 *cert;
	int chain_len;
	long verify;
	char err[200];
};

static long long elapsed_ms(const struct run *r)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)(t.tv_sec - r->t0.tv_sec) * 1000 + (t.tv_nsec - r->t0.tv_nsec) / 1000000;
}

/* Wait for fd until the connection deadline; 0 ready, JCS_ETIMEOUT. */
static int wait_fd(const struct run *r, int fd, short events, long long until)
{
	for (;;) {
		long long left = until - elapsed_ms(r);
		struct pollfd p = {fd, events, 0};
		int n;

		if (left <= 0)
			return JCS_ETIMEOUT;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return JCS_ENET;
	}
}

static int tcp_connect(const struct run *r, long long until, char *why, size_t whylen)
{
	int fd = socket(r->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), soerr = 0, rc;
	socklen_t len = sizeof(soerr);

	if (fd < 0) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return JCS_ENET;
	}
	if (connect(fd, (const struct sockaddr *)&r->addr, r->alen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		snprintf(why, whylen, "connect: %s", strerror(errno));
		close(fd);
		return JCS_ENET;
	}
	rc = wait_fd(r, fd, POLLOUT, until);
	if (rc == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0)
		return fd;
	snprintf(why, whylen, "connect: %s", rc ? "timed out" : strerror(soerr));
	close(fd);
	return rc ? rc : JCS_ENET;
}

/* Take one connection from the budget; false when it is spent. */
static bool budget_take(struct run *r)
{
	bool ok;

	pthread_mutex_lock(&r->mu);
	ok = r->conns < r->max_conns && elapsed_ms(r) < r->deadline;
	if (ok)
		r->conns++;
	else
		r->budget_hit = true;
	pthread_mutex_unlock(&r->mu);
	return ok;
}

static void ssl_error_text(unsigned long e, int sslerr, char *out, size_t n)
{
	const char *reason = e ? ERR_reason_error_string(e) : NULL;

	if (reason)
		snprintf(out, n, "%s", reason);
	else if (sslerr == SSL_ERROR_SYSCALL || sslerr == SSL_ERROR_ZERO_RETURN)
		snprintf(out, n, "connection closed by the server during the handshake");
	else
		snprintf(out, n, "handshake failed (SSL error %d)", sslerr);
}

/* One handshake at version vi offering `ciphers` (an OpenSSL cipher string, or a TLS 1.3
 * suite list). 1: completed (out filled), 0: refused by the server (out->err says how),
 * JCS_EUNSUPPORTED: the local library cannot speak it, JCS_ETIMEOUT / JCS_ENET / JCS_ELIMIT. */
static int handshake(struct run *r, int vi, const char *ciphers, bool want_cert, struct hs *out)
{
	long long until;
	SSL *s = NULL;
	EVP_PKEY *tk = NULL;
	int fd = -1, rc;

	memset(out, 0, sizeof(*out));
	if (!budget_take(r)) {
		snprintf(out->err, sizeof(out->err), "time or connection budget spent");
		return JCS_ELIMIT;
	}
	until = elapsed_ms(r) + r->timeout_ms;
	if (until > r->deadline)
		until = r->deadline;
	fd = tcp_connect(r, until, out->err, sizeof(out->err));
	if (fd < 0)
		return fd;
	s = SSL_new(r->ctx[vi]);
	if (!s || !(versions[vi].v == TLS1_3_VERSION ? SSL_set_ciphersuites(s, ciphers)
						      : SSL_set_cipher_list(s, ciphers)) ||
	    (r->sni && !SSL_set_tlsext_host_name(s, r->sni)) || !jcs_tls_set_fd(s, fd)) {
		snprintf(out->err, sizeof(out->err), "cannot set up the client: %s",
			 ERR_reason_error_string(ERR_peek_last_error()) ? ERR_reason_error_string(ERR_peek_last_error())
								       : "out of memory");
		rc = JCS_EUNSUPPORTED;
		goto out;
	}
	SSL_set_connect_state(s);
	for (;;) {
		int hr, e;

		ERR_clear_error();
		hr = SSL_do_handshake(s);
		if (hr == 1)
			break;
		e = SSL_get_error(s, hr);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			rc = wait_fd(r, fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, until);
			if (rc) {
				snprintf(out->err, sizeof(out->err), "handshake not finished after %d ms",
					 r->timeout_ms);
				goto out;
			}
			continue;
		}
		{
			unsigned long le = ERR_peek_last_error();
			int reason = ERR_GET_REASON(le);

			ssl_error_text(le, e, out->err, sizeof(out->err));
			rc = (reason == SSL_R_NO_PROTOCOLS_AVAILABLE || reason == SSL_R_NO_CIPHERS_AVAILABLE)
				     ? JCS_EUNSUPPORTED
				     : 0;
		}
		goto out;
	}
	out->cipher = SSL_get_current_cipher(s);
	if (SSL_get_peer_tmp_key(s, &tk) && tk) {
		size_t glen = 0;
		if (EVP_PKEY_get_base_id(tk) != EVP_PKEY_EC ||
		    !EVP_PKEY_get_utf8_string_param(tk, "group", out->group, sizeof(out->group), &glen))
			snprintf(out->group, sizeof(out->group), "%s",
				 EVP_PKEY_get0_type_name(tk) ? EVP_PKEY_get0_type_name(tk) : "");
		out->group_bits = EVP_PKEY_get_bits(tk);
	}
	if (want_cert) {
		STACK_OF(X509) *chain = SSL_get_peer_cert_chain(s);
		out->cert = SSL_get1_peer_certificate(s);
		out->chain_len = chain ? sk_X509_num(chain) : 0;
		out->verify = SSL_get_verify_result(s);
	}
	SSL_shutdown(s); /* one non-blocking close_notify, no wait */
	rc = 1;
out:
	EVP_PKEY_free(tk);
	SSL_free(s);
	if (fd >= 0)
		close(fd);
	ERR_clear_error();
	return rc;
}

/* OpenSSL cipher string / TLS 1.3 suite list of the non-NULL entries of list. */
static int cipher_string(int vi, const SSL_CIPHER **list, size_t n, struct jcs_buf *b)
{
	jcs_buf_reset(b);
	for (size_t i = 0; i < n; i++)
		if (list[i] && jcs_buf_printf(b, "%s%s", b->len ? ":" : "",
					      versions[vi].v == TLS1_3_VERSION ? SSL_CIPHER_standard_name(list[i])
									       : SSL_CIPHER_get_name(list[i])))
			return JCS_ENOMEM;
	return b->len ? 0 : JCS_ENOTFOUND;
}

/* Record a completed handshake (under mu). */
static bool seen(const struct run *r, int vi, uint16_t id)
{
	for (size_t i = 0; i < r->nacc; i++)
		if (r->acc[i].ver == vi && r->acc[i].id == id)
			return true;
	return false;
}

/* Record a suite the server chose (under mu); raw: seen in a raw ServerHello only. */
static void add_accepted(struct run *r, int vi, uint16_t id, const SSL_CIPHER *c, const struct hs *h)
{
	struct accepted *a;
	const char *name = c ? SSL_CIPHER_standard_name(c) : jcs_tls_legacy_name(id);

	if (r->nacc >= MAX_ACCEPTED || seen(r, vi, id))
		return;
	a = &r->acc[r->nacc++];
	memset(a, 0, sizeof(*a));
	a->ver = vi;
	a->id = id;
	a->raw = !c;
	if (name)
		snprintf(a->iana, sizeof(a->iana), "%s", name);
	else
		snprintf(a->iana, sizeof(a->iana), "0x%04X", id);
	if (c)
		snprintf(a->ossl, sizeof(a->ossl), "%s", SSL_CIPHER_get_name(c));
	if (h) {
		snprintf(a->group, sizeof(a->group), "%s", h->group);
		a->group_bits = h->group_bits;
	}
}

static void record(struct run *r, int vi, struct hs *h)
{
	pthread_mutex_lock(&r->mu);
	if (h->cipher)
		add_accepted(r, vi, (uint16_t)SSL_CIPHER_get_protocol_id(h->cipher), h->cipher, h);
	if (h->cert && !r->cert[vi]) {
		r->cert[vi] = h->cert;
		r->chain_len[vi] = h->chain_len;
		r->verify[vi] = h->verify;
		h->cert = NULL;
	}
	pthread_mutex_unlock(&r->mu);
	X509_free(h->cert);
	h->cert = NULL;
}

/* Merge a stage-1 outcome for version vi (under mu): offered beats error beats not offered
 * beats untestable, whichever of the OpenSSL and raw probes reports first. */
static void set_state(struct run *r, int vi, enum vstate st, const char *why)
{
	enum vstate cur = r->vs[vi];

	if (cur == VS_OFFERED || (st == VS_NOT_OFFERED && cur == VS_ERROR) ||
	    (st == VS_UNTESTABLE && cur != VS_PENDING))
		return;
	r->vs[vi] = st;
	if (st != VS_OFFERED && why)
		snprintf(r->verr[vi], sizeof(r->verr[vi]), "%s", why);
}

/* One hand-made ClientHello at version vi offering ids. 1: the server chose *suite at that
 * version; 0: refused (alert, close, another version, not TLS; why says which);
 * JCS_ETIMEOUT / JCS_ENET / JCS_ELIMIT. */
static int raw_hello(struct run *r, int vi, const uint16_t *ids, size_t n, uint16_t *suite, char *why,
		     size_t whylen)
{
	enum { CAP = 5 + 16384 + 2048 };
	uint8_t hello[4096], *buf = NULL;
	size_t hlen, sent = 0, have = 0;
	long long until;
	int fd, rc;

	if (!budget_take(r)) {
		snprintf(why, whylen, "time or connection budget spent");
		return JCS_ELIMIT;
	}
	if ((rc = jcs_tls_client_hello((uint16_t)versions[vi].v, ids, n, r->sni, hello, sizeof(hello), &hlen))) {
		snprintf(why, whylen, "cannot build a ClientHello");
		return rc;
	}
	until = elapsed_ms(r) + r->timeout_ms;
	if (until > r->deadline)
		until = r->deadline;
	fd = tcp_connect(r, until, why, whylen);
	if (fd < 0)
		return fd;
	buf = malloc(CAP);
	if (!buf) {
		rc = JCS_ENOMEM;
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	while (sent < hlen) {
		ssize_t w = send(fd, hello + sent, hlen - sent, MSG_NOSIGNAL);
		if (w > 0) {
			sent += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			snprintf(why, whylen, "send: %s", strerror(errno));
			rc = 0;
			goto out;
		}
		if ((rc = wait_fd(r, fd, POLLOUT, until))) {
			snprintf(why, whylen, "ClientHello not sent after %d ms", r->timeout_ms);
			goto out;
		}
	}
	for (;;) {
		struct jcs_tls_server_hello sh;
		ssize_t got;
		int prc;

		if ((rc = wait_fd(r, fd, POLLIN, until))) {
			snprintf(why, whylen, "no ServerHello after %d ms", r->timeout_ms);
			goto out;
		}
		got = recv(fd, buf + have, CAP - have, 0);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (got <= 0) {
			snprintf(why, whylen, "connection closed by the server during the handshake");
			rc = 0;
			goto out;
		}
		have += (size_t)got;
		prc = jcs_tls_server_hello_parse(buf, have, &sh);
		if (prc == 1 && have < CAP)
			continue;
		rc = 0;
		if (prc == 0 && sh.version == versions[vi].v) {
			bool offered = false;
			for (size_t i = 0; i < n && !offered; i++)
				offered = ids[i] == sh.suite;
			if (offered) {
				*suite = sh.suite;
				rc = 1;
			} else {
				snprintf(why, whylen, "server chose suite 0x%04x, which was not offered", sh.suite);
			}
		} else if (prc == 0) {
			snprintf(why, whylen, "server answered with version 0x%04x", sh.version);
		} else if (prc == JCS_ENOTFOUND) {
			snprintf(why, whylen, "alert %u", sh.alert);
		} else {
			snprintf(why, whylen, "not a TLS ServerHello");
		}
		goto out;
	}
out:
	free(buf);
	close(fd);
	return rc;
}

static void run_raw_job(struct run *r, struct job *j)
{
	char why[200] = "";

	pthread_mutex_lock(&r->mu);
	if (j->n > r->raw_offered[j->ver])
		r->raw_offered[j->ver] = j->n;
	pthread_mutex_unlock(&r->mu);
	for (;;) {
		uint16_t suite = 0;
		bool found = false;
		int rc;

		if (j->n == 0)
			break;
		rc = raw_hello(r, j->ver, j->ids, j->n, &suite, why, sizeof(why));
		pthread_mutex_lock(&r->mu);
		if (j->stage1) {
			set_state(r, j->ver, rc == 1 ? VS_OFFERED : rc == 0 ? VS_NOT_OFFERED : VS_ERROR,
				  r->raw_version[j->ver] ? why : NULL);
		} else if (rc < 0) {
			r->incomplete[j->ver] = true;
			snprintf(r->enum_err[j->ver], sizeof(r->enum_err[j->ver]), "%s", why);
		}
		if (rc == 1)
			add_accepted(r, j->ver, suite, NULL, NULL);
		pthread_mutex_unlock(&r->mu);
		if (rc != 1 || j->stage1)
			break;
		for (size_t i = 0; i < j->n; i++)
			if (j->ids[i] == suite) {
				j->ids[i] = j->ids[--j->n];
				found = true;
				break;
			}
		if (!found) /* the server picked a suite we did not offer */
			break;
	}
}

static void run_job(struct run *r, struct job *j)
{
	struct jcs_buf b = JCS_BUF_INIT;
	struct hs h;
	int rc;

	for (;;) {
		bool want_cert;

		if (cipher_string(j->ver, j->list, j->n, &b))
			break;
		pthread_mutex_lock(&r->mu);
		want_cert = !r->cert[j->ver];
		pthread_mutex_unlock(&r->mu);
		rc = handshake(r, j->ver, b.data, want_cert, &h);
		if (j->stage1) {
			pthread_mutex_lock(&r->mu);
			set_state(r, j->ver, rc == 1 ? VS_OFFERED : rc == 0 ? VS_NOT_OFFERED
					     : rc == JCS_EUNSUPPORTED ? VS_UNTESTABLE : VS_ERROR, h.err);
			pthread_mutex_unlock(&r->mu);
		} else if (rc < 0) {
			pthread_mutex_lock(&r->mu);
			r->incomplete[j->ver] = true;
			snprintf(r->enum_err[j->ver], sizeof(r->enum_err[j->ver]), "%s", h.err);
			pthread_mutex_unlock(&r->mu);
		}
		if (rc != 1)
			break;
		record(r, j->ver, &h);
		if (j->stage1)
			break;
		/* drop the chosen suite and ask again */
		{
			bool found = false;
			for (size_t i = 0; i < j->n; i++)
				if (j->list[i] == h.cipher) {
					j->list[i] = NULL;
					found = true;
				}
			if (!found) /* the server picked a suite we did not offer: stop, do not loop */
				break;
		}
	}
	jcs_buf_free(&b);
}

static int enqueue_stage2(struct run *r, int vi);

/* Take jobs until none is left and none is running (a running stage-1 job may add some). When
 * the last stage-1 job of a version finds it offered, its stage-2 jobs are queued at once:
 * no version waits for the slowest one. */
static void *worker(void *arg)
{
	struct run *r = arg;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		struct job *j;

		while (r->next_job == r->njobs && r->inflight > 0)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->next_job == r->njobs)
			break;
		j = &r->jobs[r->next_job++];
		r->inflight++;
		pthread_mutex_unlock(&r->mu);
		if (j->raw)
			run_raw_job(r, j);
		else
			run_job(r, j);
		pthread_mutex_lock(&r->mu);
		r->inflight--;
		if (j->stage1 && --r->pending1[j->ver] == 0 && r->vs[j->ver] == VS_OFFERED &&
		    enqueue_stage2(r, j->ver))
			r->oom = true;
		r->jobs_done++;
		if (r->progress)
			r->progress(r->progress_arg, r->jobs_done, (long)r->njobs);
		pthread_cond_broadcast(&r->cv);
	}
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void run_jobs(struct run *r, int parallel)
{
	pthread_t th[MAX_PARALLEL];
	int n = 0;

	r->next_job = 0;
	while (n < parallel && pthread_create(&th[n], NULL, worker, r) == 0)
		n++;
	if (n == 0) /* no thread: run here */
		worker(r);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
}

static void free_jobs(struct run *r)
{
	for (size_t i = 0; i < r->njobs; i++) {
		free(r->jobs[i].list);
		free(r->jobs[i].ids);
	}
	free(r->jobs);
	r->jobs = NULL;
	r->njobs = 0;
}

static int add_job(struct run *r, size_t cap, int vi, bool stage1, const SSL_CIPHER **list, size_t n)
{
	struct job *j = &r->jobs[r->njobs];

	if (r->njobs >= cap)
		return JCS_ELIMIT;
	j->list = malloc(n * sizeof(*j->list));
	if (!j->list)
		return JCS_ENOMEM;
	memcpy(j->list, list, n * sizeof(*list));
	j->raw = false;
	j->n = n;
	j->ver = vi;
	j->stage1 = stage1;
	r->njobs++;
	return 0;
}

/* A raw job offering the legacy table's suites that OpenSSL cannot offer at version vi (all
 * of them when the version itself is raw) and that were not seen yet. */
static int add_raw_job(struct run *r, size_t cap, int vi, bool stage1)
{
	struct job *j = &r->jobs[r->njobs];
	size_t n = 0, total = 0;

	if (r->njobs >= cap)
		return JCS_ELIMIT;
	while (jcs_tls_legacy_suites[total].name)
		total++;
	j->ids = malloc(total * sizeof(*j->ids));
	if (!j->ids)
		return JCS_ENOMEM;
	for (size_t i = 0; i < total; i++) {
		uint16_t id = jcs_tls_legacy_suites[i].id;
		bool local = false;
		for (int k = 0; !r->raw_version[vi] && k < sk_SSL_CIPHER_num(r->supported[vi]) && !local; k++)
			local = SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(r->supported[vi], k)) == id;
		if (!local && !seen(r, vi, id))
			j->ids[n++] = id;
	}
	j->n = n;
	j->ver = vi;
	j->stage1 = stage1;
	j->raw = true;
	j->list = NULL;
	r->njobs++;
	return 0;
}

/* Stage 2 for an offered version (under mu): the legacy suites by raw ClientHellos, the rest
 * of OpenSSL's suites in chunks, each eliminated by its own job. */
static int enqueue_stage2(struct run *r, int vi)
{
	const SSL_CIPHER *chunk[CHUNK];
	size_t n = 0;
	int total, rc;

	if (versions[vi].v <= TLS1_2_VERSION && (rc = add_raw_job(r, r->jobcap, vi, false)))
		return rc;
	total = r->raw_version[vi] ? 0 : sk_SSL_CIPHER_num(r->supported[vi]);
	for (int i = 0; i < total; i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(r->supported[vi], i);
		if (!seen(r, vi, (uint16_t)SSL_CIPHER_get_protocol_id(c)))
			chunk[n++] = c;
		if (n == CHUNK || (i == total - 1 && n)) {
			if ((rc = add_job(r, r->jobcap, vi, false, chunk, n)))
				return rc;
			n = 0;
		}
	}
	return 0;
}

static int setup(struct run *r, struct jcs_err *err)
{
	r->lib = OSSL_LIB_CTX_new();
	if (!r->lib || !(r->pdef = OSSL_PROVIDER_load(r->lib, "default")))
		return jcs_err_set(err, JCS_ECRYPTO, "cannot load the OpenSSL default provider");
	r->pleg = OSSL_PROVIDER_load(r->lib, "legacy"); /* optional: RC4, IDEA, SEED, ... */
	/* the system CA directory, looked up lazily (loading the bundle file costs ~0.1 s) */
	r->store = X509_STORE_new();
	if (!r->store)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	X509_STORE_load_path(r->store, X509_get_default_cert_dir());
	ERR_clear_error();
	for (int vi = 0; vi < NVER; vi++) {
		SSL_CTX *c = SSL_CTX_new_ex(r->lib, NULL, TLS_client_method());
		SSL *probe;

		if (!c)
			return jcs_err_set(err, JCS_ECRYPTO, "cannot create an OpenSSL context");
		r->ctx[vi] = c;
		SSL_CTX_set_security_level(c, 0);
		SSL_CTX_set_options(c, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_NO_TICKET);
		SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
		SSL_CTX_set_max_cert_list(c, MAX_CERT_LIST);
		SSL_CTX_set1_cert_store(c, r->store);
		ERR_clear_error();
		if (!SSL_CTX_set_min_proto_version(c, versions[vi].v) ||
		    !SSL_CTX_set_max_proto_version(c, versions[vi].v) ||
		    !SSL_CTX_set_cipher_list(c, "ALL:COMPLEMENTOFALL") ||
		    !SSL_CTX_set_ciphersuites(c, tls13_suites)) {
			r->vs[vi] = VS_UNTESTABLE;
			snprintf(r->verr[vi], sizeof(r->verr[vi]), "the local %s cannot be set to %s",
				 OpenSSL_version(OPENSSL_VERSION), versions[vi].name);
			ERR_clear_error();
			continue;
		}
		probe = SSL_new(c);
		r->supported[vi] = probe ? SSL_get1_supported_ciphers(probe) : NULL;
		SSL_free(probe);
		if (!r->supported[vi] || sk_SSL_CIPHER_num(r->supported[vi]) == 0) {
			r->vs[vi] = VS_UNTESTABLE;
			snprintf(r->verr[vi], sizeof(r->verr[vi]), "the local %s offers no cipher suite for %s (built without it)",
				 OpenSSL_version(OPENSSL_VERSION), versions[vi].name);
		} else {
			r->vs[vi] = VS_PENDING;
		}
		ERR_clear_error();
	}
	return 0;
}

static void teardown(struct run *r)
{
	for (int vi = 0; vi < NVER; vi++) {
		SSL_CTX_free(r->ctx[vi]);
		sk_SSL_CIPHER_free(r->supported[vi]);
		X509_free(r->cert[vi]);
	}
	free_jobs(r);
	X509_STORE_free(r->store);
	if (r->pleg)
		OSSL_PROVIDER_unload(r->pleg);
	if (r->pdef)
		OSSL_PROVIDER_unload(r->pdef);
	OSSL_LIB_CTX_free(r->lib);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
}

static int resolve(const char *host, int port, struct run *r, struct jcs_err *err)
{
	struct addrinfo hints = {0}, *res = NULL;
	char portstr[16];
	int rc;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc || !res || res->ai_addrlen > sizeof(r->addr)) {
		if (res)
			freeaddrinfo(res);
		return jcs_err_set(err, JCS_ENET, "cannot resolve '%s': %s", host, rc ? gai_strerror(rc) : "no address");
	}
	memcpy(&r->addr, res->ai_addr, res->ai_addrlen);
	r->alen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static bool is_ip_literal(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* --- findings --- */

static int finding_protocol(struct run *r, const char *loc, struct jcs_evidence *ev, json_t *versions_json,
			    bool *any_offered, struct jcs_err *err)
{
	json_t *offered = json_array(), *refused = json_array(), *untested = json_array(), *errors = json_array(),
	       *raw = json_array();
	struct jcs_buf title = JCS_BUF_INIT;
	enum jcs_result res = JCS_PASS;
	enum jcs_severity sev = JCS_SEV_NONE;
	bool dep_unknown = false;
	int rc;

	*any_offered = false;
	for (int vi = 0; vi < NVER; vi++) {
		const char *state = "";
		switch (r->vs[vi]) {
		case VS_OFFERED:
			state = "offered";
			*any_offered = true;
			json_array_append_new(offered, json_string(versions[vi].name));
			if (versions[vi].deprecated) {
				res = JCS_FAIL;
				if (sev < versions[vi].severity)
					sev = versions[vi].severity;
				jcs_buf_printf(&title, "%s%s", title.len ? ", " : "", versions[vi].name);
			}
			break;
		case VS_NOT_OFFERED:
			state = "not offered";
			json_array_append_new(refused, json_pack("{s:s, s:s}", "version", versions[vi].name,
								 "server_reply", r->verr[vi]));
			break;
		case VS_UNTESTABLE:
			state = "untested";
			json_array_append_new(untested, json_pack("{s:s, s:s}", "version", versions[vi].name,
								  "reason", r->verr[vi]));
			dep_unknown |= versions[vi].deprecated && vi != V_SSL3;
			break;
		case VS_ERROR:
		case VS_PENDING:
			state = "error";
			json_array_append_new(errors, json_pack("{s:s, s:s}", "version", versions[vi].name,
								"error", r->verr[vi][0] ? r->verr[vi] : "not tried"));
			dep_unknown |= versions[vi].deprecated;
			break;
		}
		json_object_set_new(versions_json, versions[vi].name, json_string(state));
		if (r->raw_version[vi])
			json_array_append_new(raw, json_string(versions[vi].name));
	}
	if (res == JCS_FAIL) {
		jcs_buf_puts(&title, " offered (deprecated)");
	} else if (!*any_offered) {
		res = JCS_INCONCLUSIVE;
		jcs_buf_puts(&title, "no TLS handshake completed");
	} else if (dep_unknown) {
		res = JCS_INCONCLUSIVE;
		jcs_buf_puts(&title, "TLS 1.0/1.1 could not be tested");
	} else {
		jcs_buf_puts(&title, "only TLS 1.2 or later offered");
		if (r->vs[V_SSL3] == VS_UNTESTABLE)
			jcs_buf_puts(&title, " (SSLv3 untested)");
	}
	rc = jcs_evidence_add(ev, "probe.tls.protocol", res, sev, loc, title.data,
			      json_pack("{s:o, s:o, s:o, s:o, s:o, s:s}", "offered", offered, "not_offered", refused,
					"untested", untested, "errors", errors, "raw_clienthello", raw, "note",
					"versions in raw_clienthello were tested with a hand-made ClientHello because the "
					"local OpenSSL lacks them: offered means the server answered with a ServerHello "
					"of that version"),
			      err);
	jcs_buf_free(&title);
	return rc;
}

static int finding_cipher(struct run *r, const char *loc, struct jcs_evidence *ev, json_t *ciphers_json,
			  bool incomplete, struct jcs_err *err)
{
	json_t *offered = json_array(), *offending = json_array(), *accepted = json_array(),
	       *rawjson = json_array(), *incomp = json_array();
	enum jcs_result res = JCS_PASS;
	enum jcs_severity sev = JCS_SEV_NONE;
	char title[160];
	size_t nfail = 0;
	int rc;

	for (int vi = NVER - 1; vi >= 0; vi--)
		for (size_t i = 0; i < r->nacc; i++) {
			const struct accepted *a = &r->acc[i];
			const char *iana = a->iana;
			struct jcs_tls_judgement jd;
			json_t *o;

			if (a->ver != vi)
				continue;
			if ((rc = jcs_tls_suite_judge(iana, &jd, err))) {
				json_decref(offered);
				json_decref(offending);
				json_decref(accepted);
				json_decref(rawjson);
				json_decref(incomp);
				return rc;
			}
			o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "version", versions[vi].name, "name", iana,
				      "openssl", a->ossl, "detected_by", a->raw ? "ServerHello" : "handshake", "verdict",
				      jd.verdict == JCS_TLS_FAIL ? "fail" : jd.verdict == JCS_TLS_ACCEPT ? "accept" : "pass",
				      "reasons", jd.reasons);
			if (o && a->group[0]) {
				json_object_set_new(o, "kx_group", json_string(a->group));
				json_object_set_new(o, "kx_bits", json_integer(a->group_bits));
			}
			/* finite-field DH below 2048 bits: CRYPTREC key-length requirement */
			if (o && !strcmp(a->group, "DH") && a->group_bits < 2048) {
				if (jd.verdict != JCS_TLS_FAIL)
					jd.severity = JCS_SEV_MEDIUM;
				jd.verdict = JCS_TLS_FAIL;
				json_object_set_new(o, "verdict", json_string("fail"));
				json_object_set_new(o, "reasons", json_sprintf("%s%sDH group of %d bits (minimum 2048)",
									       jd.reasons, jd.reasons[0] ? "; " : "",
									       a->group_bits));
			}
			if (jd.verdict == JCS_TLS_FAIL) {
				char line[200];
				snprintf(line, sizeof(line), "%s %s", versions[vi].name, iana);
				json_array_append_new(offending, json_string(line));
				nfail++;
				res = JCS_FAIL;
				if (sev < jd.severity)
					sev = jd.severity;
			} else if (jd.verdict == JCS_TLS_ACCEPT) {
				json_array_append_new(accepted, json_string(iana));
			}
			json_array_append(ciphers_json, o);
			json_array_append_new(offered, o);
		}
	for (int vi = 0; vi < NVER; vi++)
		if (r->raw_offered[vi])
			json_array_append_new(rawjson, json_pack("{s:s, s:I}", "version", versions[vi].name,
								    "suites_offered", (json_int_t)r->raw_offered[vi]));
	for (int vi = 0; vi < NVER; vi++)
		if (r->incomplete[vi])
			json_array_append_new(incomp, json_pack("{s:s, s:s}", "version", versions[vi].name, "error",
								r->enum_err[vi]));
	if (res == JCS_FAIL)
		snprintf(title, sizeof(title), "%zu offered suite%s not on the CRYPTREC list", nfail, nfail == 1 ? "" : "s");
	else if (incomplete || json_array_size(incomp)) {
		res = JCS_INCONCLUSIVE;
		snprintf(title, sizeof(title), "suite enumeration incomplete");
	} else
		snprintf(title, sizeof(title), "all %zu offered suites meet the CRYPTREC list", json_array_size(offered));
	rc = jcs_evidence_add(ev, "probe.tls.cipher", res, sev, loc, title,
			      json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:s}", "policy", jcs_tls_policy_name(), "offered",
					offered, "offending", offending, "accepted_as_equivalent", accepted,
					"raw_clienthello", rawjson, "incomplete", incomp, "note",
					"suites the local OpenSSL cannot offer (RC4, 3DES, DES, export, IDEA) and all SSLv3 "
					"suites are offered in hand-made ClientHellos; detected_by ServerHello means the "
					"server chose the suite (handshake not completed)"),
			      err);
	return rc;
}

static int finding_certificate(struct run *r, const char *loc, const char *name, struct jcs_evidence *ev,
			       json_t *assessment, struct jcs_err *err)
{
	struct jcs_tls_cert c;
	json_t *facts;
	enum jcs_result res;
	char title[600];
	int vi;

	for (vi = NVER - 1; vi >= 0 && !r->cert[vi]; vi--)
		;
	if (vi < 0)
		return jcs_evidence_add(ev, "probe.tls.certificate", JCS_INCONCLUSIVE, JCS_SEV_NONE, loc,
					"no certificate received (only anonymous suites, or only raw ServerHellos)", NULL, err);
	jcs_tls_cert_facts(r->cert[vi], name, time(NULL), &c);
	facts = jcs_tls_cert_json(&c);
	if (!facts)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	json_object_set_new(facts, "chain_length", json_integer(r->chain_len[vi]));
	json_object_set_new(facts, "chain_verify", json_string(X509_verify_cert_error_string(r->verify[vi])));
	json_object_set_new(facts, "seen_with", json_string(versions[vi].name));
	json_object_set(assessment, "certificate", facts);
	if (c.fail) {
		res = JCS_FAIL;
		snprintf(title, sizeof(title), "certificate: %s", c.fail_reasons);
	} else if (c.info_reasons[0]) {
		res = JCS_INFO;
		snprintf(title, sizeof(title), "certificate acceptable but %s", c.info_reasons);
	} else {
		res = JCS_PASS;
		snprintf(title, sizeof(title), "%s %d-bit key, %s signature, valid", c.key_type, c.key_bits,
			 c.sig_hash[0] ? c.sig_hash : c.sig_alg);
	}
	json_object_set_new(facts, "fail_reasons", json_string(c.fail_reasons));
	json_object_set_new(facts, "info_reasons", json_string(c.info_reasons));
	return jcs_evidence_add(ev, "probe.tls.certificate", res, c.fail ? JCS_SEV_MEDIUM : JCS_SEV_NONE, loc, title,
				facts, err);
}

int jcs_tls_assess(const char *host, int port, const struct jcs_tls_opts *opts, struct jcs_evidence *ev,
		   json_t *service, struct jcs_err *err)
{
	struct run *r;
	json_t *assessment = NULL, *vjson = NULL, *cjson = NULL;
	char loc[32];
	const char *name;
	int parallel, rc;
	bool any = false, incomplete;
	size_t cap;

	if (!host || !*host || port < 1 || port > 65535 || !ev)
		return jcs_err_set(err, JCS_EINVAL, "jcs_tls_assess: bad host or port");
	r = calloc(1, sizeof(*r));
	if (!r)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	r->timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : DEF_TIMEOUT_MS;
	r->deadline = opts && opts->budget_ms > 0 ? opts->budget_ms : DEF_BUDGET_MS;
	r->max_conns = opts && opts->max_connections > 0 ? opts->max_connections : DEF_MAX_CONNS;
	parallel = opts && opts->parallel > 0 ? opts->parallel : DEF_PARALLEL;
	if (parallel > MAX_PARALLEL)
		parallel = MAX_PARALLEL;
	r->sni = opts && opts->sni ? opts->sni : is_ip_literal(host) ? NULL : host;
	if (opts) {
		r->progress = opts->progress;
		r->progress_arg = opts->progress_arg;
	}
	name = r->sni ? r->sni : host;
	snprintf(loc, sizeof(loc), "tcp/%d (tls)", port);

	if ((rc = resolve(host, port, r, err)) || (rc = setup(r, err)))
		goto out;

	/* stage 1: one handshake per version; SSLv3 by a raw ClientHello if OpenSSL lacks it.
	 * Room for every job up front: stage 2 adds at most raw + chunks per version. */
	cap = 2 * NVER;
	for (int vi = 0; vi < NVER; vi++)
		cap += (r->supported[vi] ? (size_t)sk_SSL_CIPHER_num(r->supported[vi]) / CHUNK + 1 : 0) + 1;
	r->jobcap = cap;
	r->jobs = calloc(cap, sizeof(*r->jobs));
	if (!r->jobs) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	for (int vi = 0; vi < NVER; vi++) {
		const SSL_CIPHER **list;
		int n;

		if (vi == V_SSL3 && r->vs[vi] == VS_UNTESTABLE) {
			r->raw_version[vi] = true;
			r->vs[vi] = VS_PENDING;
			if ((rc = add_raw_job(r, cap, vi, true))) {
				jcs_err_set(err, rc, "out of memory");
				goto out;
			}
			r->pending1[vi]++;
			continue;
		}
		if (r->vs[vi] != VS_PENDING)
			continue;
		n = sk_SSL_CIPHER_num(r->supported[vi]);
		list = malloc((size_t)n * sizeof(*list));
		if (!list) {
			rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
			goto out;
		}
		for (int i = 0; i < n; i++)
			list[i] = sk_SSL_CIPHER_value(r->supported[vi], i);
		rc = add_job(r, cap, vi, true, list, (size_t)n);
		free(list);
		r->pending1[vi] += !rc;
		/* and the suites OpenSSL cannot offer, so a server with only those is still seen */
		if (!rc && versions[vi].v <= TLS1_2_VERSION) {
			rc = add_raw_job(r, cap, vi, true);
			if (!rc && r->jobs[r->njobs - 1].n == 0)
				free(r->jobs[--r->njobs].ids);
			else if (!rc)
				r->pending1[vi]++;
		}
		if (rc) {
			jcs_err_set(err, rc, "out of memory");
			goto out;
		}
	}
	run_jobs(r, parallel);
	if (r->oom) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	incomplete = r->budget_hit;

	assessment = json_object();
	vjson = json_object();
	cjson = json_array();
	if (!assessment || !vjson || !cjson) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = finding_protocol(r, loc, ev, vjson, &any, err)))
		goto out;
	if (any) {
		if ((rc = finding_cipher(r, loc, ev, cjson, incomplete, err)) ||
		    (rc = finding_certificate(r, loc, name, ev, assessment, err)))
			goto out;
	}
	json_object_set(assessment, "versions", vjson);
	json_object_set(assessment, "ciphers", cjson);
	json_object_set_new(assessment, "connections", json_integer(r->conns));
	json_object_set_new(assessment, "elapsed_ms", json_integer(elapsed_ms(r)));
	json_object_set_new(assessment, "budget_exhausted", json_boolean(r->budget_hit));
	json_object_set_new(assessment, "policy", json_string(jcs_tls_policy_name()));
	if (service) {
		json_object_set_new(service, "tls", json_boolean(any));
		json_object_set(service, "tls_assessment", assessment);
	}
	rc = 0;
out:
	json_decref(assessment);
	json_decref(vjson);
	json_decref(cjson);
	teardown(r);
	free(r);
	return rc;
}
