/* TLS assessment of one endpoint: protocol versions, cipher suites against CRYPTREC, and the
 * certificate (findings probe.tls.protocol, probe.tls.cipher, probe.tls.certificate). Used by
 * `jcstar probe` for every port that speaks TLS and by `jcstar tls HOST:PORT`. Format of the
 * findings and the service object: docs/tls.md. Every connection has a deadline and the whole
 * run a time and a connection budget. */
#ifndef JCSTAR_TLS_H
#define JCSTAR_TLS_H

#include <jansson.h>

#include "jcstar/evidence.h"

JCS_API_BEGIN

struct jcs_tls_opts {
	int timeout_ms;      /* one connection, connect + handshake (absolute); 0 = 4000 */
	int budget_ms;       /* the whole assessment; 0 = 30000 */
	int max_connections; /* 0 = 300 */
	int parallel;        /* concurrent handshakes; 0 = 8 */
	const char *sni;     /* name sent as SNI and checked against the certificate;
	                        NULL = host when host is a name, none when it is an address */
	/* Called after each handshake job with the jobs done and the jobs known so far (the total
	 * grows when an offered version's cipher enumeration is queued); may be NULL. Called from
	 * the worker threads, one at a time. */
	void (*progress)(void *arg, long done, long total);
	void *progress_arg;
};

/* Assess host:port. Adds probe.tls.protocol, probe.tls.cipher and probe.tls.certificate to
 * ev (location "tcp/PORT"), and sets in service (a JSON object, may be NULL) "tls": true|false
 * and "tls_assessment": {versions, ciphers, certificate, connections, elapsed_ms}.
 * When no handshake completes at all (not TLS, garbage, timeouts), adds one inconclusive
 * probe.tls.protocol finding with the reasons, sets "tls": false and returns 0.
 * Returns a negative JCS_E* only for bad arguments, an unresolvable host or no memory. */
int jcs_tls_assess(const char *host, int port, const struct jcs_tls_opts *opts,
		   struct jcs_evidence *ev, json_t *service, struct jcs_err *err);

JCS_API_END

#endif
