/* Internals shared by server.c (transport, routing, auth), api.c (JSON API) and web.c
 * (HTML UI). Not a public interface. */
#ifndef JCS_REGISTRY_SERVER_INT_H
#define JCS_REGISTRY_SERVER_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>

#include "jcstar/buf.h"
#include "registry/httpparse.h"
#include "registry/registry.h"
#include "jcstar/server.h"

#define SRV_JSON_MAX   (256u << 10)               /* JSON and urlencoded bodies */
#define SRV_UPLOAD_MAX (JCS_REG_ATTACH_MAX + (64u << 10)) /* multipart uploads */
#define SRV_MAX_SEG    8
#define SRV_QUERY_MAX  512                         /* one query-string value */

#define SRV_FORM_MAX   (16u << 10)                /* sign-in and small web forms */
#define SRV_URI_MAX    2048                        /* raw request URIs kept for the cache key */
#define SRV_PER_CLIENT 32                          /* default connections per client address */
#define SRV_REQUEST_SECONDS 30                     /* default deadline for headers + body */
#define SRV_LOGIN_FAILS 5                          /* failed sign-ins per client before a pause */
#define SRV_LOGIN_PAUSE 300                        /* seconds */
#define SRV_THROTTLE_SLOTS 1024

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

/* Failed sign-ins per client address (direct-mapped; a collision only resets a count). */
struct srv_throttle {
	pthread_mutex_t mu;
	struct {
		char client[48];
		unsigned fails;
		time_t until;     /* paused until */
	} slot[SRV_THROTTLE_SLOTS];
};

struct conn_track;
struct req;

struct jcs_server {
	struct MHD_Daemon *d;
	struct jcs_registry reg;
	char url[128];
	struct jcs_store **pool;
	bool *busy;
	size_t npool;
	pthread_mutex_t mu;
	pthread_cond_t cv;       /* a pool handle was returned */
	pthread_cond_t stop_cv;  /* the housekeeper's wake-up */
	pthread_t housekeeper;
	bool housekeeper_started, stopping;
	struct srv_cache cache;
	unsigned sweep_seconds, per_client, request_seconds;
	void (*log)(const char *line);
	bool cookie_secure;      /* public URL is https: cookies get Secure */
	/* open connections (absolute request deadline, enforced by the housekeeper) */
	pthread_mutex_t conns_mu;
	struct conn_track *conns;
	/* slow work (cache misses, exports, procurement) runs here, never on the I/O threads */
	pthread_mutex_t jobs_mu;
	pthread_cond_t jobs_cv;
	struct req *jobs_head, *jobs_tail;
	pthread_t *workers;
	size_t nworkers;
	bool jobs_stop;
	struct srv_throttle throttle;
	/* the last self-audit (jcs_reg_self_audit): while it failed nothing is signed and the
	 * registrations it names are shown as unverified */
	pthread_mutex_t audit_mu;
	json_t *audit;
	bool audit_failed;
	/* living labels (monitor.h): one matcher, used under monitor_mu */
	pthread_mutex_t monitor_mu;
	struct jcs_monitor *monitor;
	char feeds_dir[1024];     /* "" = no feed directory */
	unsigned feeds_seconds;
	int kev_days;
};

enum srv_lang { LANG_EN, LANG_JA };

struct route;

struct req {
	struct jcs_server *srv;
	struct MHD_Connection *conn;
	const char *method, *url;
	char *raw_uri;             /* as received, still percent-encoded (cache key) */
	char client[48];           /* peer address */
	const struct route *rt;    /* matched on the first call, before any body byte */
	struct jcs_buf body;
	size_t cap;
	bool started, too_big, answered, must_close;
	bool deferred;             /* running on a slow-work thread: srv_send keeps the answer */
	struct MHD_Response *pending;
	unsigned pending_status;
	struct req *next_job;
	char set_cookie[192];      /* extra Set-Cookie for the answer, or "" */
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
/* HTTP status of an error (JCS_ELIMIT: 413, or 429 for a "rate limit: ..." message). */
int srv_status_of(const struct jcs_err *err);
int srv_redirect(struct req *r, const char *location, const char *set_cookie);
/* Query-string value (capped at SRV_QUERY_MAX, NULL if absent or too long). */
const char *srv_query(struct req *r, const char *key);
/* Header value or NULL. */
const char *srv_header(struct req *r, const char *key);
/* JSON request body (object), or NULL with err set. */
json_t *srv_body_json(struct req *r, struct jcs_err *err);
/* Parse the body as form or multipart (by Content-Type) into r->form / r->mp. */
int srv_parse_body(struct req *r, struct jcs_err *err);
/* Sign-in throttling per client address: true while the client is paused. */
bool srv_login_paused(struct req *r);
void srv_login_result(struct req *r, bool ok);
/* "; Secure" when the public URL is https, else "". */
const char *srv_cookie_secure(const struct req *r);
/* Constant-time comparison of a presented token with the expected one. */
bool srv_token_eq(const char *given, size_t len, const char *want);
/* Canonical positive integer from a path segment, or -1. */
long long srv_id(const char *s);
/* Today's date (UTC) YYYY-MM-DD. */
void srv_today(char *out);
/* The last self-audit report (a new reference; caller json_decref()s), NULL before the first. */
json_t *srv_audit_report(struct jcs_server *s);
/* Run the self-audit on db now and publish its result (logs and clears caches on failure). */
int srv_audit_run(struct jcs_server *s, struct jcs_store *db, struct jcs_err *err);
/* While the self-audit fails: every object in j (recursively) whose "reg_no" the audit
 * names, or every one when the log itself is damaged, gets status "unverified" (and
 * "meets": false, "valid_until": ""), so that nothing tampered shows as valid. */
void srv_vet(struct req *r, json_t *j);

/* Import a feed document (name, text) and match it, under the monitor's lock; then sweep
 * the KEV deadlines. */
struct jcs_mon_stats;
int srv_monitor_run(struct jcs_server *s, struct jcs_store *db, const char *name, const char *text, size_t len,
		    struct jcs_mon_stats *st, struct jcs_err *err);

/* Handlers: api_monitor.c */
int api_cases(struct req *r);
int api_case(struct req *r);
int api_case_transition(struct req *r);
int api_case_workflow(struct req *r);
int api_feed_upload(struct req *r);
int api_product_vex(struct req *r);
int api_webhook_set(struct req *r);
int api_webhook_deliveries(struct req *r);

/* Handlers: api.c */
int api_me(struct req *r);
int api_users_create(struct req *r);
int api_users_list(struct req *r);
int api_user_token(struct req *r);
int api_user_status(struct req *r);
int api_workflow(struct req *r);
int api_apps_list(struct req *r);
int api_apps_create(struct req *r);
int api_apps_prefill(struct req *r);
int api_app_get(struct req *r);
int api_app_attach(struct req *r);
int api_app_attachment(struct req *r);
int api_app_transition(struct req *r);
int api_products(struct req *r);
int api_product(struct req *r);
int api_product_label(struct req *r);
int api_product_bundle(struct req *r);
int api_product_status(struct req *r);
int api_product_svg(struct req *r);
int api_product_png(struct req *r);
int api_procurement(struct req *r);
int api_revocations(struct req *r);
int api_key(struct req *r);
int api_log_sth(struct req *r);
int api_log_inclusion(struct req *r);
int api_log_consistency(struct req *r);
int api_log_entry(struct req *r);
int api_audit(struct req *r);
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
int web_app_prefill(struct req *r);
int web_app_create(struct req *r);
int web_app(struct req *r);
int web_app_action(struct req *r);
int web_app_attach(struct req *r);
int web_users(struct req *r);
int web_user_action(struct req *r);
int web_admin(struct req *r);

#endif
