/* Internals shared by server.c (transport, routing, auth), api.c (JSON API) and web.c
 * (HTML UI). Not a public interface. */
#ifndef JCS_REGISTRY_SERVER_INT_H
#define JCS_REGISTRY_SERVER_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>

#include "core/buf.h"
#include "registry/httpparse.h"
#include "registry/registry.h"
#include "registry/server.h"

#define SRV_JSON_MAX   (256u << 10)               /* JSON and urlencoded bodies */
#define SRV_UPLOAD_MAX (JCS_REG_ATTACH_MAX + (64u << 10)) /* multipart uploads */
#define SRV_MAX_SEG    8
#define SRV_QUERY_MAX  512                         /* one query-string value */

#define SRV_CACHE_SLOTS 4096
#define SRV_CACHE_ENTRY_MAX (256u << 10)
#define SRV_CACHE_BYTES (64u << 20)
#define SRV_CACHE_KEY_MAX 2048

/* Anonymous GET pages of the public list, keyed by language + URL + query, valid while the
 * store's public generation (jcs_reg_public_generation) is unchanged. Direct-mapped. */
struct srv_cache {
	pthread_mutex_t mu;
	long long gen;
	size_t bytes;
	struct {
		char *key;
		char *body;
		size_t len;
		char ctype[48];
	} slot[SRV_CACHE_SLOTS];
};

struct jcs_server {
	struct MHD_Daemon *d;
	struct jcs_registry reg;
	char url[128];
	struct jcs_store **pool;
	bool *busy;
	size_t npool;
	pthread_mutex_t mu;
	pthread_cond_t cv;       /* a pool handle was returned */
	pthread_cond_t stop_cv;  /* the sweeper's wake-up */
	pthread_t sweeper;
	bool sweeper_started, stopping;
	struct srv_cache cache;
	unsigned sweep_seconds;
};

enum srv_lang { LANG_EN, LANG_JA };

struct req {
	struct jcs_server *srv;
	struct MHD_Connection *conn;
	const char *method, *url;
	struct jcs_buf body;
	size_t cap;
	bool too_big, answered;
	struct jcs_store *db;
	struct jcs_actor actor;    /* role JCS_ROLE_PUBLIC when anonymous */
	bool by_session;           /* authenticated with the web session cookie */
	char session[JCS_REG_TOKEN_HEX + 1];
	char csrf[JCS_REG_TOKEN_HEX + 1];
	enum srv_lang lang;
	bool lang_cookie;          /* ?lang= given: remember it */
	char segbuf[1024];
	const char *seg[SRV_MAX_SEG];
	size_t nseg;
	const char *arg[2];        /* ":" segments of the matched route */
	struct jcs_form form;      /* urlencoded POST body (web forms) */
	struct jcs_multipart mp;   /* multipart POST body */
	bool has_form, has_mp;
	char *cache_key;           /* set while a cacheable page is being produced */
	long long cache_gen;
};

typedef int (*srv_handler)(struct req *r);

/* Responses (all return MHD_YES/MHD_NO as int). Bodies are copied. */
int srv_send(struct req *r, unsigned status, const char *ctype, const char *body, size_t len);
/* Send a built body; a buffer with a sticky error (truncated) becomes a 500, never a short 200. */
int srv_send_buf(struct req *r, unsigned status, const char *ctype, const struct jcs_buf *b);
int srv_send_json(struct req *r, unsigned status, json_t *j);        /* steals j */
int srv_send_raw_json(struct req *r, unsigned status, const char *text);
int srv_send_error(struct req *r, const struct jcs_err *err);
int srv_status_of(int code);
int srv_redirect(struct req *r, const char *location, const char *set_cookie);
/* Query-string value (capped at SRV_QUERY_MAX, NULL if absent or too long). */
const char *srv_query(struct req *r, const char *key);
/* Header value or NULL. */
const char *srv_header(struct req *r, const char *key);
/* JSON request body (object), or NULL with err set. */
json_t *srv_body_json(struct req *r, struct jcs_err *err);
/* Parse the body as form or multipart (by Content-Type) into r->form / r->mp. */
int srv_parse_body(struct req *r, struct jcs_err *err);
/* Canonical positive integer from a path segment, or -1. */
long long srv_id(const char *s);
/* Today's date (UTC) YYYY-MM-DD. */
void srv_today(char *out);

/* Handlers: api.c */
int api_me(struct req *r);
int api_users_create(struct req *r);
int api_workflow(struct req *r);
int api_apps_list(struct req *r);
int api_apps_create(struct req *r);
int api_app_get(struct req *r);
int api_app_attach(struct req *r);
int api_app_attachment(struct req *r);
int api_app_transition(struct req *r);
int api_products(struct req *r);
int api_product(struct req *r);
int api_product_label(struct req *r);
int api_product_bundle(struct req *r);
int api_product_svg(struct req *r);
int api_product_png(struct req *r);
int api_procurement(struct req *r);
int api_revocations(struct req *r);
int api_key(struct req *r);
int api_log_sth(struct req *r);
int api_log_inclusion(struct req *r);
int api_log_consistency(struct req *r);
int api_log_entry(struct req *r);
/* Helpers shared with web.c */
void api_filter_from_query(struct req *r, struct jcs_reg_filter *f);
/* Send the public product list matching f as CSV. */
int api_send_products_csv(struct req *r, const struct jcs_reg_filter *f);

/* Handlers: web.c */
int web_index(struct req *r);
int web_export_csv(struct req *r);
int web_export_json(struct req *r);
int web_product(struct req *r);
int web_procurement(struct req *r);
int web_login_form(struct req *r);
int web_login(struct req *r);
int web_logout(struct req *r);
int web_apps(struct req *r);
int web_app_new(struct req *r);
int web_app_create(struct req *r);
int web_app(struct req *r);
int web_app_action(struct req *r);
int web_app_attach(struct req *r);

#endif
