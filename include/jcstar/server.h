/* The registry's HTTP server (libmicrohttpd): JSON API under /api/v1 (docs/registry-api.md)
 * and the server-rendered web UI, over a pool of store handles. */
#ifndef JCS_REGISTRY_SERVER_H
#define JCS_REGISTRY_SERVER_H

#include <stdbool.h>

#include "jcstar/jcstar.h"
#include "jcstar/label.h"

JCS_API_BEGIN

struct jcs_server_opts {
	const char *db_url;        /* sqlite:PATH or postgresql://... */
	const char *listen;        /* "ADDR:PORT" (IPv4; port 0 = any free port) */
	const struct jcs_key *key; /* registry signing key (borrowed, must outlive the server) */
	const char *public_url;    /* base of QR/page URLs; NULL = http://ADDR:PORT */
	unsigned threads;          /* worker threads = store handles (0 = 2) */
	unsigned sweep_seconds;    /* expiry sweep and self-audit interval (0 = 60) */
	unsigned per_client;       /* connections per client address (0 = 32) */
	unsigned request_seconds;  /* deadline for a request's headers and body (0 = 30) */
	void (*log)(const char *line); /* where self-audit failures are reported (NULL = nowhere) */
	const char *feeds_dir;     /* vulnerability feed directory watched (NULL = none) */
	unsigned feeds_seconds;    /* its scan interval (0 = 60) */
	int kev_days;              /* days a KEV-listed case may stay unresolved (< 0: 14) */
};

struct jcs_server;

int jcs_server_start(const struct jcs_server_opts *o, struct jcs_server **out, struct jcs_err *err);
/* "http://127.0.0.1:8080" */
const char *jcs_server_url(const struct jcs_server *s);
/* Whether labels will carry a loopback URL (no --public-url, or a loopback one). */
bool jcs_server_public_url_loopback(const struct jcs_server *s);
/* Create the first admin account if none exists; token (65 bytes) set when *created. */
int jcs_server_bootstrap(struct jcs_server *s, char *token, bool *created, struct jcs_err *err);
void jcs_server_stop(struct jcs_server *s);
/* Run the self-audit now (also done at start and every sweep); *ok = its verdict. */
int jcs_server_audit(struct jcs_server *s, bool *ok, struct jcs_err *err);

JCS_API_END

#endif
