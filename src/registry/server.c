/* Registry HTTP server: libmicrohttpd transport with capped request bodies, one route
 * table, authentication (API tokens, web sessions with CSRF), the store pool and the
 * expiry sweeper. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "registry/logtree.h"
#include "registry/monitor.h"
#include "registry/server_int.h"

enum {
	R_CSRF = 1,   /* unsafe method: a session-authenticated request needs the CSRF token */
	R_LOGIN = 2,  /* needs an account: anonymous requests are refused before the body */
	R_CACHE = 4,  /* public page: anonymous answers are cached (struct srv_cache) */
	R_SLOW = 8,   /* database-heavy: runs on the slow-work threads (R_CACHE: on a miss) */
};

#define B_NONE   0u
#define B_JSON   SRV_JSON_MAX
#define B_FORM   SRV_FORM_MAX
#define B_UPLOAD SRV_UPLOAD_MAX

struct route {
	const char *method;
	const char *pattern; /* segments; ":" matches one segment (captured in r->arg) */
	srv_handler fn;
	int flags;
	size_t body_max;     /* refused (413) before buffering when larger */
};

static const struct route routes[] = {
	{"GET", "/api/v1/me", api_me, 0, B_NONE},
	{"GET", "/api/v1/users", api_users_list, 0, B_NONE},
	{"POST", "/api/v1/users", api_users_create, R_CSRF, B_JSON},
	{"POST", "/api/v1/users/:/token", api_user_token, R_CSRF | R_LOGIN, B_JSON},
	{"POST", "/api/v1/users/:/status", api_user_status, R_CSRF | R_LOGIN, B_JSON},
	{"GET", "/api/v1/workflow", api_workflow, 0, B_NONE},
	{"GET", "/api/v1/applications", api_apps_list, 0, B_NONE},
	{"POST", "/api/v1/applications", api_apps_create, R_CSRF, B_JSON},
	{"POST", "/api/v1/applications/prefill", api_apps_prefill, R_LOGIN, B_UPLOAD},
	{"GET", "/api/v1/applications/:", api_app_get, 0, B_NONE},
	{"POST", "/api/v1/applications/:/attachments", api_app_attach, R_CSRF | R_LOGIN, B_UPLOAD},
	{"GET", "/api/v1/applications/:/attachments/:", api_app_attachment, 0, B_NONE},
	{"POST", "/api/v1/applications/:/transitions", api_app_transition, R_CSRF, B_JSON},
	{"GET", "/api/v1/products", api_products, R_CACHE | R_SLOW, B_NONE},
	{"GET", "/api/v1/products/:", api_product, R_CACHE | R_SLOW, B_NONE},
	{"GET", "/api/v1/products/:/label", api_product_label, 0, B_NONE},
	{"GET", "/api/v1/products/:/bundle", api_product_bundle, R_SLOW, B_NONE},
	{"GET", "/api/v1/products/:/status", api_product_status, R_SLOW, B_NONE},
	{"GET", "/api/v1/products/:/label.svg", api_product_svg, R_CACHE | R_SLOW, B_NONE},
	{"GET", "/api/v1/products/:/label.png", api_product_png, R_CACHE | R_SLOW, B_NONE},
	{"POST", "/api/v1/procurement", api_procurement, R_SLOW, B_JSON},
	{"GET", "/api/v1/revocations", api_revocations, R_SLOW, B_NONE},
	{"GET", "/api/v1/key", api_key, 0, B_NONE},
	{"GET", "/api/v1/log/sth", api_log_sth, 0, B_NONE},
	{"GET", "/api/v1/log/inclusion", api_log_inclusion, 0, B_NONE},
	{"GET", "/api/v1/log/consistency", api_log_consistency, 0, B_NONE},
	{"GET", "/api/v1/log/entries/:", api_log_entry, 0, B_NONE},
	{"GET", "/api/v1/admin/audit", api_audit, 0, B_NONE},
	{"POST", "/api/v1/admin/feeds", api_feed_upload, R_CSRF | R_SLOW, B_JSON},
	{"GET", "/api/v1/cases", api_cases, 0, B_NONE},
	{"GET", "/api/v1/cases/workflow", api_case_workflow, 0, B_NONE},
	{"GET", "/api/v1/cases/:", api_case, 0, B_NONE},
	{"POST", "/api/v1/cases/:/transitions", api_case_transition, R_CSRF, B_JSON},
	{"GET", "/api/v1/products/:/vex", api_product_vex, R_SLOW, B_NONE},
	{"POST", "/api/v1/webhook", api_webhook_set, R_CSRF, B_JSON},
	{"GET", "/api/v1/webhook/deliveries", api_webhook_deliveries, 0, B_NONE},
	{"POST", "/api/v1/admin/audit", api_audit, R_CSRF | R_SLOW, B_JSON},
	{"GET", "/", web_index, R_CACHE | R_SLOW, B_NONE},
	{"GET", "/products.csv", web_export_csv, R_CACHE | R_SLOW, B_NONE},
	{"GET", "/products.json", web_export_json, R_CACHE | R_SLOW, B_NONE},
	{"GET", "/products/:", web_product, R_CACHE | R_SLOW, B_NONE},
	{"GET", "/products/:/label.svg", api_product_svg, R_CACHE | R_SLOW, B_NONE},
	{"GET", "/products/:/label.png", api_product_png, R_CACHE | R_SLOW, B_NONE},
	{"GET", "/procurement", web_procurement, 0, B_NONE},
	{"POST", "/procurement", web_procurement, R_SLOW, B_JSON},
	{"GET", "/login", web_login_form, 0, B_NONE},
	{"POST", "/login", web_login, 0, B_FORM},
	{"POST", "/logout", web_logout, R_CSRF, B_FORM},
	{"GET", "/apps", web_apps, 0, B_NONE},
	{"GET", "/apps/new", web_app_new, 0, B_NONE},
	{"POST", "/apps/new", web_app_prefill, R_CSRF | R_LOGIN, B_UPLOAD},
	{"POST", "/apps", web_app_create, R_CSRF, B_JSON},
	{"GET", "/apps/:", web_app, 0, B_NONE},
	{"POST", "/apps/:/action", web_app_action, R_CSRF, B_JSON},
	{"POST", "/apps/:/attach", web_app_attach, R_CSRF | R_LOGIN, B_UPLOAD},
	{"GET", "/admin", web_admin, 0, B_NONE},
	{"GET", "/admin/users", web_users, 0, B_NONE},
	{"POST", "/admin/users/:", web_user_action, R_CSRF | R_LOGIN, B_FORM},
};

/* ------------------------------------------------------------ responses */

int srv_status_of(const struct jcs_err *err)
{
	int code = err->code ? err->code : JCS_EINVAL;

	switch (code) {
	case JCS_EPARSE:
	case JCS_ESCHEMA:
	case JCS_EINVAL:
		return MHD_HTTP_BAD_REQUEST;
	case JCS_EPERM:
		return MHD_HTTP_FORBIDDEN;
	case JCS_ENOTFOUND:
		return MHD_HTTP_NOT_FOUND;
	case JCS_ECONFLICT:
		return MHD_HTTP_CONFLICT;
	case JCS_ELIMIT:
		return strncmp(err->msg, "rate limit", 10) == 0 ? MHD_HTTP_TOO_MANY_REQUESTS
								: MHD_HTTP_CONTENT_TOO_LARGE;
	case JCS_ECRYPTO: /* the self-audit failed: the registry refuses to sign */
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

static void add_common_headers(struct req *r, struct MHD_Response *resp, const char *ctype)
{
	char lang[96];

	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	if (strncmp(ctype, "text/html", 9) == 0)
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
					"form-action 'self'; frame-ancestors 'none'");
	/* only the public pages may be kept by a cache; tokens and sessions never */
	if (strncmp(ctype, "text/html", 9) == 0 || !r->rt || !(r->rt->flags & R_CACHE))
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->lang_cookie) {
		snprintf(lang, sizeof(lang), "lang=%s; Path=/; SameSite=Lax; Max-Age=31536000%s",
			 r->lang == LANG_JA ? "ja" : "en", srv_cookie_secure(r));
		MHD_add_response_header(resp, "Set-Cookie", lang);
	}
	if (r->set_cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	/* refused before its body was read, or an oversized body: close the connection */
	if (r->must_close || r->too_big)
		MHD_add_response_header(resp, "Connection", "close");
}

const char *srv_cookie_secure(const struct req *r)
{
	return r->srv->cookie_secure ? "; Secure" : "";
}

bool srv_token_eq(const char *given, size_t len, const char *want)
{
	size_t n = strlen(want);

	return given && len == n && n && CRYPTO_memcmp(given, want, n) == 0;
}

/* Hand the answer to MHD, or keep it for the I/O thread when produced by a slow-work
 * thread (MHD_queue_response is only valid from the connection's own thread). */
static int queue(struct req *r, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ret = MHD_YES;

	if (r->deferred) {
		r->pending = resp;
		r->pending_status = status;
	} else {
		ret = MHD_queue_response(r->conn, status, resp);
		MHD_destroy_response(resp);
	}
	r->answered = true;
	return ret;
}

static size_t cache_slot(const char *key)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)(h % SRV_CACHE_SLOTS);
}

static void cache_clear_locked(struct srv_cache *c)
{
	for (size_t i = 0; i < SRV_CACHE_SLOTS; i++) {
		free(c->slot[i].key);
		free(c->slot[i].body);
		c->slot[i].key = c->slot[i].body = NULL;
	}
	c->bytes = 0;
}

static void cache_put(struct jcs_server *s, const char *key, long long gen, const char *ctype, const char *body,
		      size_t len)
{
	struct srv_cache *c = &s->cache;
	size_t i = cache_slot(key);
	char *k, *b;

	if (len > SRV_CACHE_ENTRY_MAX || strlen(ctype) >= sizeof(c->slot[0].ctype))
		return;
	pthread_mutex_lock(&c->mu);
	if (gen != c->gen) {
		cache_clear_locked(c);
		c->gen = gen;
	}
	k = strdup(key);
	b = malloc(len ? len : 1);
	if (k && b && c->bytes - (c->slot[i].key ? c->slot[i].len : 0) + len <= SRV_CACHE_BYTES) {
		memcpy(b, body, len);
		if (c->slot[i].key) {
			c->bytes -= c->slot[i].len;
			free(c->slot[i].key);
			free(c->slot[i].body);
		}
		c->slot[i].key = k;
		c->slot[i].body = b;
		c->slot[i].len = len;
		strcpy(c->slot[i].ctype, ctype);
		c->bytes += len;
		k = b = NULL;
	}
	free(k);
	free(b);
	pthread_mutex_unlock(&c->mu);
}

int srv_send(struct req *r, unsigned status, const char *ctype, const char *body, size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);

	if (!resp)
		return MHD_NO;
	if (r->cache_key && status == 200)
		cache_put(r->srv, r->cache_key, r->cache_gen, ctype, body, len);
	add_common_headers(r, resp, ctype);
	return queue(r, status, resp);
}

/* Serve from the cache, or arm r->cache_key so the handler's answer is stored. The key is
 * the raw request URI (still percent-encoded): decoded values could collide ("q=a%26b=c"
 * and "q=a&b=c"). Returns true when answered. */
static bool cache_serve(struct req *r, int *ret)
{
	struct srv_cache *c = &r->srv->cache;
	struct jcs_buf key = JCS_BUF_INIT;
	long long gen;
	bool hit = false;
	size_t i;

	if (!r->raw_uri || r->srv->audit_failed || jcs_reg_public_generation(r->db, &gen, NULL))
		return false;
	key.max = SRV_CACHE_KEY_MAX;
	jcs_buf_printf(&key, "%d %s %s", r->lang, r->method, r->raw_uri);
	if (jcs_buf_error(&key) || !key.data || key.len >= SRV_CACHE_KEY_MAX - 1) {
		jcs_buf_free(&key);
		return false;
	}
	i = cache_slot(key.data);
	pthread_mutex_lock(&c->mu);
	if (c->gen == gen && c->slot[i].key && strcmp(c->slot[i].key, key.data) == 0) {
		struct MHD_Response *resp = MHD_create_response_from_buffer(c->slot[i].len, c->slot[i].body,
									     MHD_RESPMEM_MUST_COPY);
		if (resp) {
			add_common_headers(r, resp, c->slot[i].ctype);
			*ret = queue(r, 200, resp);
			hit = true;
		}
	}
	pthread_mutex_unlock(&c->mu);
	if (hit) {
		jcs_buf_free(&key);
		return true;
	}
	r->cache_key = jcs_buf_steal(&key);
	r->cache_gen = gen;
	return false;
}

int srv_send_buf(struct req *r, unsigned status, const char *ctype, const struct jcs_buf *b)
{
	static const char msg[] = "{\"error\":\"the response could not be built\"}\n";

	if (jcs_buf_error(b))
		return srv_send(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "application/json", msg, sizeof(msg) - 1);
	return srv_send(r, status, ctype, b->data ? b->data : "", b->len);
}

int srv_send_json(struct req *r, unsigned status, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	int ret;

	json_decref(j);
	if (!s)
		return srv_send(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "application/json",
				"{\"error\":\"out of memory\"}\n", 26);
	ret = srv_send_raw_json(r, status, s);
	free(s);
	return ret;
}

int srv_send_raw_json(struct req *r, unsigned status, const char *text)
{
	return srv_send(r, status, "application/json; charset=utf-8", text, strlen(text));
}

int srv_send_error(struct req *r, const struct jcs_err *err)
{
	int code = err->code ? err->code : JCS_EINVAL;
	int status = srv_status_of(err);

	if (code == JCS_EPERM && r->actor.role == JCS_ROLE_PUBLIC)
		status = MHD_HTTP_UNAUTHORIZED;
	return srv_send_json(r, (unsigned)status, json_pack("{s:s, s:s}", "error", jcs_strerror(code),
							   "message", err->msg[0] ? err->msg : jcs_strerror(code)));
}

int srv_redirect(struct req *r, const char *location, const char *set_cookie)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);

	if (!resp)
		return MHD_NO;
	add_common_headers(r, resp, "text/plain");
	MHD_add_response_header(resp, "Location", location);
	if (set_cookie)
		MHD_add_response_header(resp, "Set-Cookie", set_cookie);
	return queue(r, MHD_HTTP_SEE_OTHER, resp);
}

/* -------------------------------------------------------------- request */

const char *srv_query(struct req *r, const char *key)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);

	return v && strlen(v) <= SRV_QUERY_MAX ? v : NULL;
}

const char *srv_header(struct req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, key);
}

json_t *srv_body_json(struct req *r, struct jcs_err *err)
{
	json_error_t je;
	json_t *j;

	if (!r->body.len) {
		jcs_err_set(err, JCS_EPARSE, "empty request body: expected a JSON object");
		return NULL;
	}
	j = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		jcs_err_set(err, JCS_EPARSE, "malformed JSON at line %d: %s", je.line, je.text);
	else if (!json_is_object(j)) {
		json_decref(j);
		j = NULL;
		jcs_err_set(err, JCS_ESCHEMA, "expected a JSON object");
	}
	return j;
}

int srv_parse_body(struct req *r, struct jcs_err *err)
{
	const char *ct = srv_header(r, "Content-Type");
	int rc;

	if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0) {
		if ((rc = jcs_multipart_parse(ct, r->body.data ? r->body.data : "", r->body.len, &r->mp, err)))
			return rc;
		r->has_mp = true;
		return 0;
	}
	if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
		if ((rc = jcs_form_parse(r->body.data ? r->body.data : "", r->body.len, &r->form, err)))
			return rc;
		r->has_form = true;
		return 0;
	}
	return jcs_err_set(err, JCS_EPARSE, "expected a form (urlencoded or multipart) body");
}

long long srv_id(const char *s)
{
	long long v = 0;

	if (!s || !*s || *s == '0' || strlen(s) > 15 || strspn(s, "0123456789") != strlen(s))
		return -1;
	for (; *s; s++)
		v = v * 10 + (*s - '0');
	return v;
}

void srv_today(char *out)
{
	jcs_date_of(time(NULL), out, 11);
}

/* Split the path into segments; NULL-free, no "." or "..", no empty inner segments. */
static bool split_path(struct req *r)
{
	size_t n = strlen(r->url);
	char *p;

	if (n == 0 || n >= sizeof(r->segbuf) || r->url[0] != '/')
		return false;
	memcpy(r->segbuf, r->url + 1, n);
	r->nseg = 0;
	if (!r->segbuf[0])
		return true;
	for (p = r->segbuf;;) {
		char *slash = strchr(p, '/');

		if (slash)
			*slash = 0;
		if (!*p || strcmp(p, ".") == 0 || strcmp(p, "..") == 0 || r->nseg == SRV_MAX_SEG)
			return false;
		r->seg[r->nseg++] = p;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

static bool route_match(struct req *r, const struct route *rt)
{
	const char *p = rt->pattern + 1;
	size_t i = 0, na = 0;

	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (i >= r->nseg)
			return false;
		if (n == 1 && *p == ':') {
			if (na < 2)
				r->arg[na++] = r->seg[i];
		} else if (strlen(r->seg[i]) != n || strncmp(r->seg[i], p, n) != 0) {
			return false;
		}
		i++;
		p += n + (e != NULL);
	}
	return i == r->nseg;
}

static const char *cookie(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

static void pick_lang(struct req *r)
{
	const char *q = srv_query(r, "lang"), *c = cookie(r, "lang"), *al = srv_header(r, "Accept-Language");

	if (q && (strcmp(q, "ja") == 0 || strcmp(q, "en") == 0)) {
		r->lang = strcmp(q, "ja") == 0 ? LANG_JA : LANG_EN;
		r->lang_cookie = true;
	} else if (c && (strcmp(c, "ja") == 0 || strcmp(c, "en") == 0)) {
		r->lang = strcmp(c, "ja") == 0 ? LANG_JA : LANG_EN;
	} else {
		r->lang = al && strncasecmp(al, "ja", 2) == 0 ? LANG_JA : LANG_EN;
	}
}

/* Authenticate: "Authorization: Bearer TOKEN" or the session cookie. A bad token is an
 * error (401); a bad or expired cookie just means anonymous. */
static int authenticate(struct req *r, struct jcs_err *err)
{
	const char *auth = srv_header(r, "Authorization"), *sess = cookie(r, "jcs_session");

	memset(&r->actor, 0, sizeof(r->actor));
	r->actor.role = JCS_ROLE_PUBLIC;
	if (auth) {
		if (strncasecmp(auth, "Bearer ", 7) != 0)
			return jcs_err_set(err, JCS_EPERM, "Authorization must be 'Bearer TOKEN'");
		return jcs_reg_auth_token(r->db, auth + 7, &r->actor, err);
	}
	if (sess && strlen(sess) == JCS_REG_TOKEN_HEX &&
	    jcs_reg_session(r->db, sess, time(NULL), &r->actor, r->csrf, NULL) == 0) {
		r->by_session = true;
		snprintf(r->session, sizeof(r->session), "%s", sess);
	}
	return 0;
}

/* A session-authenticated unsafe request must echo the session's CSRF token, as the form
 * field "csrf" or the X-CSRF-Token header (compared in constant time). */
static bool csrf_ok(struct req *r)
{
	const char *t = srv_header(r, "X-CSRF-Token");

	if (!r->by_session)
		return true;
	if (!t && r->has_form)
		t = jcs_form_get(&r->form, "csrf");
	if (!t && r->has_mp) {
		const struct jcs_part *p = jcs_multipart_get(&r->mp, "csrf");

		return p && srv_token_eq(p->data, p->len, r->csrf);
	}
	return t && srv_token_eq(t, strlen(t), r->csrf);
}

static struct jcs_store *pool_get(struct jcs_server *s)
{
	struct jcs_store *db = NULL;

	pthread_mutex_lock(&s->mu);
	while (!db) {
		for (size_t i = 0; i < s->npool && !db; i++)
			if (!s->busy[i]) {
				s->busy[i] = true;
				db = s->pool[i];
			}
		if (!db)
			pthread_cond_wait(&s->cv, &s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return db;
}

static void pool_put(struct jcs_server *s, struct jcs_store *db)
{
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->npool; i++)
		if (s->pool[i] == db)
			s->busy[i] = false;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------ sign-in throttle */

static size_t throttle_slot(const char *client)
{
	return cache_slot(client) % SRV_THROTTLE_SLOTS;
}

bool srv_login_paused(struct req *r)
{
	struct srv_throttle *t = &r->srv->throttle;
	size_t i = throttle_slot(r->client);
	bool paused;

	pthread_mutex_lock(&t->mu);
	paused = strcmp(t->slot[i].client, r->client) == 0 && t->slot[i].until > time(NULL);
	pthread_mutex_unlock(&t->mu);
	return paused;
}

void srv_login_result(struct req *r, bool ok)
{
	struct srv_throttle *t = &r->srv->throttle;
	size_t i = throttle_slot(r->client);

	pthread_mutex_lock(&t->mu);
	if (strcmp(t->slot[i].client, r->client) != 0) {
		snprintf(t->slot[i].client, sizeof(t->slot[i].client), "%s", r->client);
		t->slot[i].fails = 0;
		t->slot[i].until = 0;
	}
	if (ok) {
		t->slot[i].fails = 0;
	} else if (++t->slot[i].fails >= SRV_LOGIN_FAILS) {
		t->slot[i].fails = 0;
		t->slot[i].until = time(NULL) + SRV_LOGIN_PAUSE;
	}
	pthread_mutex_unlock(&t->mu);
}

/* ------------------------------------------------------------- dispatch */

/* Queue a slow request for the slow-work threads; the connection is suspended until its
 * answer is ready (on_request then queues it). */
static void defer(struct req *r)
{
	struct jcs_server *s = r->srv;

	MHD_suspend_connection(r->conn);
	pthread_mutex_lock(&s->jobs_mu);
	r->next_job = NULL;
	/* after the workers stopped nobody would resume it: answer with 503 (no handler ran) */
	if (s->jobs_stop) {
		pthread_mutex_unlock(&s->jobs_mu);
		r->pending = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		r->pending_status = MHD_HTTP_SERVICE_UNAVAILABLE;
		MHD_resume_connection(r->conn);
		return;
	}
	if (s->jobs_tail)
		s->jobs_tail->next_job = r;
	else
		s->jobs_head = r;
	s->jobs_tail = r;
	pthread_cond_signal(&s->jobs_cv);
	pthread_mutex_unlock(&s->jobs_mu);
}

static void *slow_worker(void *arg)
{
	struct jcs_server *s = arg;

	/* slow work yields the CPU to the I/O threads that serve cached pages */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5);
	for (;;) {
		struct req *r;

		pthread_mutex_lock(&s->jobs_mu);
		while (!s->jobs_head && !s->jobs_stop)
			pthread_cond_wait(&s->jobs_cv, &s->jobs_mu);
		r = s->jobs_head;
		if (r) {
			s->jobs_head = r->next_job;
			if (!s->jobs_head)
				s->jobs_tail = NULL;
		}
		pthread_mutex_unlock(&s->jobs_mu);
		if (!r)
			return NULL;
		r->db = pool_get(s);
		r->rt->fn(r);
		pool_put(s, r->db);
		r->db = NULL;
		if (!r->pending) /* the handler could not build an answer: close */
			r->pending_status = 0;
		MHD_resume_connection(r->conn);
	}
}

static int dispatch(struct req *r)
{
	struct jcs_err err = {0};
	int ret;

	if (r->too_big || r->body.len > r->rt->body_max) {
		jcs_err_set(&err, JCS_ELIMIT, "request body too large");
		return srv_send_error(r, &err);
	}
	r->db = pool_get(r->srv);
	if (r->rt->flags & R_CSRF && r->by_session) {
		const char *ct = srv_header(r, "Content-Type");

		if (ct && (strncasecmp(ct, "multipart/", 10) == 0 ||
			   strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) &&
		    srv_parse_body(r, &err)) {
			ret = srv_send_error(r, &err);
			goto out;
		}
		if (!csrf_ok(r)) {
			jcs_err_set(&err, JCS_EPERM, "missing or wrong CSRF token");
			ret = srv_send_error(r, &err);
			goto out;
		}
	}
	/* a cached public page is answered here, on the I/O thread */
	if (r->rt->flags & R_CACHE && r->actor.role == JCS_ROLE_PUBLIC && !r->by_session && cache_serve(r, &ret))
		goto out;
	if (r->rt->flags & R_SLOW) {
		pool_put(r->srv, r->db);
		r->db = NULL;
		r->deferred = true;
		defer(r);
		return MHD_YES;
	}
	ret = r->rt->fn(r);
out:
	pool_put(r->srv, r->db);
	r->db = NULL;
	return ret;
}

/* The first call, with the headers and before any body byte: route, language, account,
 * and the route's body limit. */
static int route_request(struct req *r)
{
	const char *cl = srv_header(r, "Content-Length"), *te = srv_header(r, "Transfer-Encoding");
	struct jcs_err err = {0};
	bool path_known = false;
	int ret = MHD_YES;

	pick_lang(r);
	if (!split_path(r)) {
		jcs_err_set(&err, JCS_ENOTFOUND, "no such resource");
		return srv_send_error(r, &err);
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]) && !r->rt; i++)
		if (route_match(r, &routes[i])) {
			path_known = true;
			if (strcmp(routes[i].method, r->method) == 0 ||
			    (strcmp(r->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
				r->rt = &routes[i];
		}
	if (!r->rt) {
		jcs_err_set(&err, JCS_ENOTFOUND, "no such resource");
		if (path_known)
			return srv_send(r, MHD_HTTP_METHOD_NOT_ALLOWED, "application/json",
					"{\"error\":\"method not allowed\"}\n", 31);
		return srv_send_error(r, &err);
	}
	r->cap = r->rt->body_max;
	r->body.max = r->cap ? r->cap : 1;
	if ((cl && strtoull(cl, NULL, 10) > r->cap) || (te && !r->cap)) {
		jcs_err_set(&err, JCS_ELIMIT, "request body larger than %zu bytes", r->cap);
		return srv_send_error(r, &err);
	}
	r->db = pool_get(r->srv);
	if (authenticate(r, &err))
		ret = srv_send_error(r, &err);
	else if (r->rt->flags & R_LOGIN && r->actor.role == JCS_ROLE_PUBLIC) {
		jcs_err_set(&err, JCS_EPERM, "authentication required");
		ret = srv_send_error(r, &err);
	}
	pool_put(r->srv, r->db);
	r->db = NULL;
	return ret;
}

/* A request refused here, before its body, has its connection closed: the body is never
 * read, let alone buffered. */
static int begin(struct req *r)
{
	const char *cl = srv_header(r, "Content-Length");
	int ret;

	r->must_close = (cl && strtoull(cl, NULL, 10) > 0) || srv_header(r, "Transfer-Encoding");
	ret = route_request(r);
	r->must_close = false;
	return ret;
}

/* --------------------------------------------------- connection tracking */

/* One open connection. The housekeeper closes a connection whose request (headers and
 * body) is not complete request_seconds after it began, however slowly bytes trickle in:
 * MHD's own timeout restarts with every byte. */
struct conn_track {
	struct conn_track *prev, *next;
	int fd;
	bool receiving;     /* between the start of a request and its dispatch */
	struct timespec since;
};

static void track_phase(struct req *r, bool receiving)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_track *t = ci ? ci->socket_context : NULL;

	if (!t)
		return;
	pthread_mutex_lock(&r->srv->conns_mu);
	t->receiving = receiving;
	clock_gettime(CLOCK_MONOTONIC, &t->since);
	pthread_mutex_unlock(&r->srv->conns_mu);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct jcs_server *s = cls;
	struct conn_track *t = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

		if (!ci || !(t = calloc(1, sizeof(*t))))
			return;
		t->fd = ci->connect_fd;
		t->receiving = true;
		clock_gettime(CLOCK_MONOTONIC, &t->since);
		pthread_mutex_lock(&s->conns_mu);
		t->next = s->conns;
		if (s->conns)
			s->conns->prev = t;
		s->conns = t;
		pthread_mutex_unlock(&s->conns_mu);
		*socket_context = t;
		return;
	}
	if (!t) /* MHD_CONNECTION_NOTIFY_CLOSED: before MHD closes the descriptor */
		return;
	pthread_mutex_lock(&s->conns_mu);
	if (t->prev)
		t->prev->next = t->next;
	else
		s->conns = t->next;
	if (t->next)
		t->next->prev = t->prev;
	pthread_mutex_unlock(&s->conns_mu);
	free(t);
	*socket_context = NULL;
}

/* Shut down the sockets of overdue requests; MHD then sees the end of the stream and
 * closes the connection on its own thread. */
static void reap_overdue(struct jcs_server *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&s->conns_mu);
	for (struct conn_track *t = s->conns; t; t = t->next)
		if (t->receiving && now.tv_sec - t->since.tv_sec >= (time_t)s->request_seconds) {
			shutdown(t->fd, SHUT_RDWR);
			t->receiving = false;
		}
	pthread_mutex_unlock(&s->conns_mu);
}

static void *uri_start(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct req *r = calloc(1, sizeof(*r));
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	if (!r)
		return NULL;
	r->srv = cls;
	r->conn = conn;
	if (uri && strlen(uri) < SRV_URI_MAX)
		r->raw_uri = strdup(uri);
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, r->client,
			  sizeof(r->client));
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)version;
	if (!r)
		return MHD_NO;
	if (!r->started) {
		r->conn = conn;
		r->method = method;
		r->url = url;
		r->started = true;
		return (enum MHD_Result)begin(r);
	}
	if (r->deferred) {
		/* resumed: the slow-work thread left its answer (or none: close) */
		enum MHD_Result ret = MHD_NO;

		if (r->pending) {
			ret = MHD_queue_response(conn, r->pending_status, r->pending);
			MHD_destroy_response(r->pending);
			r->pending = NULL;
		}
		r->deferred = false;
		return ret;
	}
	if (r->answered) {
		*upload_size = 0; /* discard the rest of a refused body */
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->too_big && jcs_buf_append(&r->body, upload, *upload_size))
			r->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	track_phase(r, false);
	return (enum MHD_Result)dispatch(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode t)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)t;
	if (!r)
		return;
	if (r->started)
		track_phase(r, true); /* a kept-alive connection starts its next request */
	if (r->pending)
		MHD_destroy_response(r->pending);
	jcs_buf_free(&r->body);
	jcs_form_free(&r->form);
	free(r->cache_key);
	free(r->raw_uri);
	free(r);
	*con_cls = NULL;
}

/* ----------------------------------------------------------- self-audit */

static void audit_log(struct jcs_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void audit_log(struct jcs_server *s, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	if (!s->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->log(line);
}

static int audit_may_sign(const struct jcs_registry *reg, struct jcs_err *err)
{
	struct jcs_server *s = reg->ctx;
	int rc = 0;

	pthread_mutex_lock(&s->audit_mu);
	if (s->audit_failed) {
		const json_t *p0 = json_array_get(json_object_get(s->audit, "problems"), 0);
		rc = jcs_err_set(err, JCS_ECRYPTO, "the registry's self-audit failed (%lld problems, first: %s%s%s); "
				 "nothing is signed until the database is repaired",
				 (long long)json_integer_value(json_object_get(s->audit, "problems_total")),
				 json_string_value(json_object_get(p0, "reg_no")), json_string_value(json_object_get(p0,
				 "reg_no"))[0] ? ": " : "", json_string_value(json_object_get(p0, "problem")));
	}
	pthread_mutex_unlock(&s->audit_mu);
	return rc;
}

int srv_audit_run(struct jcs_server *s, struct jcs_store *db, struct jcs_err *err)
{
	struct jcs_err e = {0};
	json_t *rep = NULL, *p;
	bool failed, was;
	size_t i;
	int rc = jcs_reg_self_audit(db, &s->reg, &rep, &e);

	if (rc) /* the check could not run: that is a failure too */
		rep = json_pack("{s:b, s:I, s:[{s:s, s:s}], s:I}", "ok", 0, "checked_at", (json_int_t)time(NULL),
				"problems", "reg_no", "", "problem", e.msg, "problems_total", (json_int_t)1);
	if (!rep)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	failed = !json_is_true(json_object_get(rep, "ok"));
	pthread_mutex_lock(&s->audit_mu);
	was = s->audit_failed;
	json_decref(s->audit);
	s->audit = rep;
	s->audit_failed = failed;
	pthread_mutex_unlock(&s->audit_mu);
	if (failed != was) { /* what the public pages show changes */
		pthread_mutex_lock(&s->cache.mu);
		cache_clear_locked(&s->cache);
		pthread_mutex_unlock(&s->cache.mu);
	}
	if (failed) {
		audit_log(s, "SELF-AUDIT FAILED: %lld problem(s); the registry refuses to sign until repaired",
			  (long long)json_integer_value(json_object_get(rep, "problems_total")));
		json_array_foreach(json_object_get(rep, "problems"), i, p) {
			if (i == 20)
				break;
			audit_log(s, "SELF-AUDIT: %s%s%s", json_string_value(json_object_get(p, "reg_no")),
				  json_string_value(json_object_get(p, "reg_no"))[0] ? ": " : "",
				  json_string_value(json_object_get(p, "problem")));
		}
	} else if (was) {
		audit_log(s, "self-audit passed again: signing resumes");
	}
	if (rc)
		jcs_err_set(err, rc, "%s", e.msg);
	return rc;
}

json_t *srv_audit_report(struct jcs_server *s)
{
	json_t *r;

	pthread_mutex_lock(&s->audit_mu);
	r = json_incref(s->audit);
	pthread_mutex_unlock(&s->audit_mu);
	return r;
}

/* Whether the audit report names reg_no, or damage not tied to one registration. */
static bool audit_flags(const json_t *rep, const char *reg_no)
{
	const json_t *probs = json_object_get(rep, "problems"), *p;
	size_t i;

	if ((json_int_t)json_array_size(probs) < json_integer_value(json_object_get(rep, "problems_total")))
		return true; /* more problems than listed: trust none */
	json_array_foreach(probs, i, p) {
		const char *n = json_string_value(json_object_get(p, "reg_no"));
		if (!n || !*n || strcmp(n, reg_no) == 0)
			return true;
	}
	return false;
}

static void vet(const json_t *rep, json_t *j, int depth)
{
	const char *k, *reg_no = json_string_value(json_object_get(j, "reg_no"));
	json_t *v;
	size_t i;

	if (depth > 8)
		return;
	if (json_is_array(j))
		json_array_foreach(j, i, v)
			vet(rep, v, depth + 1);
	if (!json_is_object(j))
		return;
	if (reg_no && audit_flags(rep, reg_no)) {
		json_object_set_new(j, "status", json_string("unverified"));
		json_object_set_new(j, "status_ja", json_string("未検証"));
		if (json_object_get(j, "meets"))
			json_object_set_new(j, "meets", json_false());
		if (json_object_get(j, "valid_until"))
			json_object_set_new(j, "valid_until", json_string(""));
		if (json_object_get(j, "note"))
			json_object_set_new(j, "note", json_string("status unverified: the registry's self-audit found "
								   "a mismatch"));
	}
	json_object_foreach(j, k, v)
		if (json_is_array(v) || json_is_object(v))
			vet(rep, v, depth + 1);
}

void srv_vet(struct req *r, json_t *j)
{
	json_t *rep;

	if (!r->srv->audit_failed || !(rep = srv_audit_report(r->srv)))
		return;
	if (json_is_false(json_object_get(rep, "ok")))
		vet(rep, j, 0);
	json_decref(rep);
}

int jcs_server_audit(struct jcs_server *s, bool *ok, struct jcs_err *err)
{
	struct jcs_store *db = pool_get(s);
	int rc = srv_audit_run(s, db, err);

	pool_put(s, db);
	*ok = !s->audit_failed;
	return rc;
}

/* ----------------------------------------------------------- lifecycle */

int srv_monitor_run(struct jcs_server *s, struct jcs_store *db, const char *name, const char *text, size_t len,
		    struct jcs_mon_stats *st, struct jcs_err *err)
{
	int rc, changed;

	pthread_mutex_lock(&s->monitor_mu);
	rc = name ? jcs_mon_import(db, s->monitor, name, text, len, st, err)
		  : jcs_mon_import_dir(db, s->monitor, s->feeds_dir, st, err);
	pthread_mutex_unlock(&s->monitor_mu);
	if (!rc)
		rc = jcs_mon_sweep(db, s->kev_days, &changed, err);
	return rc;
}

/* The feed directory and the KEV deadlines, then due webhook deliveries. */
static void monitor_tick(struct jcs_server *s, bool scan)
{
	struct jcs_store *db = pool_get(s);
	struct jcs_mon_stats st = {0};
	struct jcs_err err = {0};
	int sent;

	if (scan && s->feeds_dir[0] && srv_monitor_run(s, db, NULL, NULL, 0, &st, &err) && s->log) {
		char line[1100];
		snprintf(line, sizeof(line), "feeds: %s", err.msg);
		s->log(line);
	}
	jcs_mon_deliver(db, 20, &sent, NULL);
	pool_put(s, db);
}

/* Every second: close overdue requests and deliver webhooks; every feeds_seconds: import
 * feeds; every sweep_seconds: expire labels. */
static void *housekeeper(void *arg)
{
	struct jcs_server *s = arg;
	struct timespec until;
	unsigned ticks = 0, feed_ticks = 0;

	monitor_tick(s, true);
	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&s->stop_cv, &s->mu, &until);
		if (s->stopping)
			break;
		pthread_mutex_unlock(&s->mu);
		reap_overdue(s);
		feed_ticks++;
		monitor_tick(s, feed_ticks >= s->feeds_seconds);
		if (feed_ticks >= s->feeds_seconds)
			feed_ticks = 0;
		if (++ticks >= s->sweep_seconds) {
			struct jcs_store *db = pool_get(s);
			char today[11];
			int n;

			ticks = 0;
			srv_today(today);
			jcs_reg_expire(db, &s->reg, today, &n, NULL);
			srv_audit_run(s, db, NULL);
			pool_put(s, db);
		}
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, struct jcs_err *err)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	unsigned long port;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return jcs_err_set(err, JCS_EINVAL, "--listen wants ADDR:PORT, got '%s'", listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end || !colon[1] || port > 65535 || inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return jcs_err_set(err, JCS_EINVAL, "--listen wants an IPv4 ADDR:PORT, got '%s'", listen);
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

/* A loopback public URL is printed into every label and QR code for good: warn about it,
 * and refuse it when the server is reachable from elsewhere. */
static bool is_loopback_url(const char *url)
{
	const char *h = strstr(url, "://");

	h = h ? h + 3 : url;
	return strncmp(h, "127.", 4) == 0 || strncmp(h, "localhost", 9) == 0 || strncmp(h, "[::1]", 5) == 0;
}

int jcs_server_start(const struct jcs_server_opts *o, struct jcs_server **out, struct jcs_err *err)
{
	struct jcs_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	char today[11], host[INET_ADDRSTRLEN];
	unsigned threads = o->threads ? o->threads : 2;
	int rc, n;

	*out = NULL;
	if (!s)
		return JCS_ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_cond_init(&s->stop_cv, NULL);
	pthread_mutex_init(&s->cache.mu, NULL);
	pthread_mutex_init(&s->conns_mu, NULL);
	pthread_mutex_init(&s->jobs_mu, NULL);
	pthread_cond_init(&s->jobs_cv, NULL);
	pthread_mutex_init(&s->throttle.mu, NULL);
	pthread_mutex_init(&s->audit_mu, NULL);
	pthread_mutex_init(&s->monitor_mu, NULL);
	snprintf(s->feeds_dir, sizeof(s->feeds_dir), "%s", o->feeds_dir ? o->feeds_dir : "");
	s->feeds_seconds = o->feeds_seconds ? o->feeds_seconds : 60;
	s->kev_days = o->kev_days >= 0 ? o->kev_days : 14;
	if ((rc = jcs_mon_new(&s->monitor, err)))
		goto fail;
	s->sweep_seconds = o->sweep_seconds ? o->sweep_seconds : 60;
	s->per_client = o->per_client ? o->per_client : SRV_PER_CLIENT;
	s->request_seconds = o->request_seconds ? o->request_seconds : SRV_REQUEST_SECONDS;
	s->reg.key = o->key;
	if ((rc = jcs_logtree_new(&s->reg.tree)))
		goto fail;
	s->reg.may_sign = audit_may_sign;
	s->reg.ctx = s;
	s->log = o->log;
	if ((rc = parse_listen(o->listen ? o->listen : "127.0.0.1:8080", &sa, err)))
		goto fail;
	if (o->public_url && strncmp(o->public_url, "http://", 7) != 0 && strncmp(o->public_url, "https://", 8) != 0) {
		rc = jcs_err_set(err, JCS_EINVAL, "--public-url must start with http:// or https://");
		goto fail;
	}
	if ((!o->public_url || is_loopback_url(o->public_url)) && (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
		rc = jcs_err_set(err, JCS_EINVAL, "listening on %s but labels would carry a loopback URL: give"
				 " --public-url with the address the public reaches", o->listen);
		goto fail;
	}
	/* I/O threads and slow-work threads each hold a handle at most; one for the housekeeper */
	s->npool = 2 * (size_t)threads + 1;
	s->nworkers = threads;
	s->pool = calloc(s->npool, sizeof(*s->pool));
	s->busy = calloc(s->npool, sizeof(*s->busy));
	s->workers = calloc(s->nworkers, sizeof(*s->workers));
	if (!s->pool || !s->busy || !s->workers) {
		rc = JCS_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < s->npool; i++)
		if ((rc = jcs_store_open(o->db_url, &s->pool[i], err)))
			goto fail;
	for (size_t i = 0; i < s->nworkers; i++)
		if (pthread_create(&s->workers[i], NULL, slow_worker, s)) {
			s->nworkers = i;
			rc = jcs_err_set(err, JCS_ENOMEM, "cannot start worker threads");
			goto fail;
		}
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
				MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
				on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
				MHD_OPTION_URI_LOG_CALLBACK, uri_start, s,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)15, MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->per_client,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 << 10), MHD_OPTION_END);
	if (!s->d) {
		rc = jcs_err_set(err, JCS_ENET, "cannot listen on %s: %s", o->listen ? o->listen : "127.0.0.1:8080",
				 strerror(errno));
		goto fail;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	inet_ntop(AF_INET, &sa.sin_addr, host, sizeof(host));
	snprintf(s->url, sizeof(s->url), "http://%s:%u", host, info ? info->port : ntohs(sa.sin_port));
	snprintf(s->reg.base_url, sizeof(s->reg.base_url), "%s", o->public_url ? o->public_url : s->url);
	s->cookie_secure = strncmp(s->reg.base_url, "https://", 8) == 0;
	{
		/* registry id = host[:port] of the public URL */
		const char *h = strstr(s->reg.base_url, "://");
		h = h ? h + 3 : s->reg.base_url;
		snprintf(s->reg.registry_id, sizeof(s->reg.registry_id), "%.*s", (int)strcspn(h, "/"), h);
	}
	/* audit first: a damaged registry must not sign even the expiry sweep's changes */
	srv_audit_run(s, s->pool[0], NULL);
	srv_today(today);
	if (!s->audit_failed && (rc = jcs_reg_expire(s->pool[0], &s->reg, today, &n, err)))
		goto fail;
	if (pthread_create(&s->housekeeper, NULL, housekeeper, s) == 0)
		s->housekeeper_started = true;
	*out = s;
	return 0;
fail:
	jcs_server_stop(s);
	return rc;
}

const char *jcs_server_url(const struct jcs_server *s)
{
	return s->url;
}

bool jcs_server_public_url_loopback(const struct jcs_server *s)
{
	return is_loopback_url(s->reg.base_url);
}

int jcs_server_bootstrap(struct jcs_server *s, char *token, bool *created, struct jcs_err *err)
{
	struct jcs_store *db = pool_get(s);
	int rc = jcs_reg_bootstrap(db, token, created, err);

	pool_put(s, db);
	return rc;
}

void jcs_server_stop(struct jcs_server *s)
{
	if (!s)
		return;
	/* drain the slow work first: its connections are suspended inside the daemon */
	pthread_mutex_lock(&s->jobs_mu);
	s->jobs_stop = true;
	pthread_cond_broadcast(&s->jobs_cv);
	pthread_mutex_unlock(&s->jobs_mu);
	for (size_t i = 0; s->workers && i < s->nworkers; i++)
		pthread_join(s->workers[i], NULL);
	if (s->d)
		MHD_stop_daemon(s->d);
	if (s->housekeeper_started) {
		pthread_mutex_lock(&s->mu);
		s->stopping = true;
		pthread_cond_broadcast(&s->stop_cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->housekeeper, NULL);
	}
	for (size_t i = 0; s->pool && i < s->npool; i++)
		jcs_store_close(s->pool[i]);
	jcs_mon_free(s->monitor);
	pthread_mutex_destroy(&s->monitor_mu);
	free(s->pool);
	free(s->busy);
	free(s->workers);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->stop_cv);
	cache_clear_locked(&s->cache);
	pthread_mutex_destroy(&s->cache.mu);
	jcs_logtree_free(s->reg.tree);
	pthread_mutex_destroy(&s->conns_mu);
	pthread_mutex_destroy(&s->jobs_mu);
	pthread_cond_destroy(&s->jobs_cv);
	pthread_mutex_destroy(&s->throttle.mu);
	json_decref(s->audit);
	pthread_mutex_destroy(&s->audit_mu);
	free(s);
}
