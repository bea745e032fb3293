/* Registry HTTP server: libmicrohttpd transport with capped request bodies, one route
 * table, authentication (API tokens, web sessions with CSRF), the store pool and the
 * expiry sweeper. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "registry/server_int.h"

enum {
	R_CSRF = 1,   /* unsafe method: a session-authenticated request needs the CSRF token */
	R_UPLOAD = 2, /* body may be as large as an attachment upload */
	R_CACHE = 4,  /* public page: anonymous answers are cached (struct srv_cache) */
};

static const struct route {
	const char *method;
	const char *pattern; /* segments; ":" matches one segment (captured in r->arg) */
	srv_handler fn;
	int flags;
} routes[] = {
	{"GET", "/api/v1/me", api_me, 0},
	{"POST", "/api/v1/users", api_users_create, R_CSRF},
	{"GET", "/api/v1/workflow", api_workflow, 0},
	{"GET", "/api/v1/applications", api_apps_list, 0},
	{"POST", "/api/v1/applications", api_apps_create, R_CSRF},
	{"GET", "/api/v1/applications/:", api_app_get, 0},
	{"POST", "/api/v1/applications/:/attachments", api_app_attach, R_CSRF | R_UPLOAD},
	{"GET", "/api/v1/applications/:/attachments/:", api_app_attachment, 0},
	{"POST", "/api/v1/applications/:/transitions", api_app_transition, R_CSRF},
	{"GET", "/api/v1/products", api_products, R_CACHE},
	{"GET", "/api/v1/products/:", api_product, R_CACHE},
	{"GET", "/api/v1/products/:/label", api_product_label, 0},
	{"GET", "/api/v1/products/:/bundle", api_product_bundle, 0},
	{"GET", "/api/v1/products/:/label.svg", api_product_svg, R_CACHE},
	{"GET", "/api/v1/products/:/label.png", api_product_png, R_CACHE},
	{"POST", "/api/v1/procurement", api_procurement, R_UPLOAD},
	{"GET", "/api/v1/revocations", api_revocations, 0},
	{"GET", "/api/v1/key", api_key, 0},
	{"GET", "/api/v1/log/sth", api_log_sth, 0},
	{"GET", "/api/v1/log/inclusion", api_log_inclusion, 0},
	{"GET", "/api/v1/log/consistency", api_log_consistency, 0},
	{"GET", "/api/v1/log/entries/:", api_log_entry, 0},
	{"GET", "/", web_index, R_CACHE},
	{"GET", "/products.csv", web_export_csv, R_CACHE},
	{"GET", "/products.json", web_export_json, R_CACHE},
	{"GET", "/products/:", web_product, R_CACHE},
	{"GET", "/products/:/label.svg", api_product_svg, R_CACHE},
	{"GET", "/products/:/label.png", api_product_png, R_CACHE},
	{"GET", "/procurement", web_procurement, 0},
	{"POST", "/procurement", web_procurement, R_UPLOAD},
	{"GET", "/login", web_login_form, 0},
	{"POST", "/login", web_login, 0},
	{"POST", "/logout", web_logout, R_CSRF},
	{"GET", "/apps", web_apps, 0},
	{"GET", "/apps/new", web_app_new, 0},
	{"POST", "/apps", web_app_create, R_CSRF},
	{"GET", "/apps/:", web_app, 0},
	{"POST", "/apps/:/action", web_app_action, R_CSRF},
	{"POST", "/apps/:/attach", web_app_attach, R_CSRF | R_UPLOAD},
};

/* ------------------------------------------------------------ responses */

int srv_status_of(int code)
{
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
		return MHD_HTTP_CONTENT_TOO_LARGE;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

static void add_common_headers(struct req *r, struct MHD_Response *resp, const char *ctype)
{
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	if (strncmp(ctype, "text/html", 9) == 0) {
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
					"form-action 'self'; frame-ancestors 'none'");
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	}
	if (r->lang_cookie)
		MHD_add_response_header(resp, "Set-Cookie", r->lang == LANG_JA
			? "lang=ja; Path=/; SameSite=Lax; Max-Age=31536000"
			: "lang=en; Path=/; SameSite=Lax; Max-Age=31536000");
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
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	if (r->cache_key && status == 200)
		cache_put(r->srv, r->cache_key, r->cache_gen, ctype, body, len);
	add_common_headers(r, resp, ctype);
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	r->answered = true;
	return ret;
}

static enum MHD_Result key_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	struct jcs_buf *b = cls;

	(void)kind;
	jcs_buf_printf(b, "&%s=%s", k, v ? v : "");
	return MHD_YES;
}

/* Serve from the cache, or arm r->cache_key so the handler's answer is stored. Returns
 * true when answered. */
static bool cache_serve(struct req *r, int *ret)
{
	struct srv_cache *c = &r->srv->cache;
	struct jcs_buf key = JCS_BUF_INIT;
	long long gen;
	bool hit = false;
	size_t i;

	if (jcs_reg_public_generation(r->db, &gen, NULL))
		return false;
	key.max = SRV_CACHE_KEY_MAX;
	jcs_buf_printf(&key, "%d %s %s?", r->lang, r->method, r->url);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, key_arg, &key);
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
			*ret = MHD_queue_response(r->conn, 200, resp);
			MHD_destroy_response(resp);
			r->answered = hit = true;
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
	int status = srv_status_of(code);

	if (code == JCS_ELIMIT && strstr(err->msg, "login"))
		status = MHD_HTTP_TOO_MANY_REQUESTS;
	if (code == JCS_EPERM && r->actor.role == JCS_ROLE_PUBLIC)
		status = MHD_HTTP_UNAUTHORIZED;
	return srv_send_json(r, (unsigned)status, json_pack("{s:s, s:s}", "error", jcs_strerror(code),
							   "message", err->msg[0] ? err->msg : jcs_strerror(code)));
}

int srv_redirect(struct req *r, const char *location, const char *set_cookie)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	add_common_headers(r, resp, "text/plain");
	MHD_add_response_header(resp, "Location", location);
	if (set_cookie)
		MHD_add_response_header(resp, "Set-Cookie", set_cookie);
	ret = MHD_queue_response(r->conn, MHD_HTTP_SEE_OTHER, resp);
	MHD_destroy_response(resp);
	r->answered = true;
	return ret;
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
 * field "csrf" or the X-CSRF-Token header. */
static bool csrf_ok(struct req *r)
{
	const char *t = srv_header(r, "X-CSRF-Token");

	if (!r->by_session)
		return true;
	if (!t && r->has_form)
		t = jcs_form_get(&r->form, "csrf");
	if (!t && r->has_mp) {
		const struct jcs_part *p = jcs_multipart_get(&r->mp, "csrf");
		static const size_t n = JCS_REG_TOKEN_HEX;

		return p && p->len == n && memcmp(p->data, r->csrf, n) == 0;
	}
	return t && strcmp(t, r->csrf) == 0;
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

static int dispatch(struct req *r)
{
	struct jcs_err err = {0};
	const struct route *rt = NULL;
	bool path_known = false;
	int ret;

	pick_lang(r);
	if (!split_path(r)) {
		jcs_err_set(&err, JCS_ENOTFOUND, "no such resource");
		return srv_send_error(r, &err);
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]) && !rt; i++)
		if (route_match(r, &routes[i])) {
			path_known = true;
			if (strcmp(routes[i].method, r->method) == 0 ||
			    (strcmp(r->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
				rt = &routes[i];
		}
	if (!rt) {
		jcs_err_set(&err, JCS_ENOTFOUND, "no such resource");
		if (path_known)
			return srv_send(r, MHD_HTTP_METHOD_NOT_ALLOWED, "application/json",
					"{\"error\":\"method not allowed\"}\n", 31);
		return srv_send_error(r, &err);
	}
	if (r->too_big || (!(rt->flags & R_UPLOAD) && r->body.len > SRV_JSON_MAX)) {
		jcs_err_set(&err, JCS_ELIMIT, "request body too large");
		return srv_send_error(r, &err);
	}
	r->db = pool_get(r->srv);
	if (authenticate(r, &err)) {
		ret = srv_send_error(r, &err);
		goto out;
	}
	if (rt->flags & R_CSRF && r->by_session) {
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
	if (rt->flags & R_CACHE && r->actor.role == JCS_ROLE_PUBLIC && !r->by_session &&
	    cache_serve(r, &ret))
		goto out;
	ret = rt->fn(r);
out:
	pool_put(r->srv, r->db);
	r->db = NULL;
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct jcs_server *s = cls;
	struct req *r = *con_cls;

	(void)version;
	if (!r) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");

		if (!(r = calloc(1, sizeof(*r))))
			return MHD_NO;
		r->srv = s;
		r->conn = conn;
		r->method = method;
		r->url = url;
		r->cap = SRV_UPLOAD_MAX;
		r->body.max = r->cap;
		*con_cls = r;
		if (cl && strtoull(cl, NULL, 10) > r->cap) {
			struct jcs_err err;

			jcs_err_set(&err, JCS_ELIMIT, "request body larger than %zu bytes", r->cap);
			return (enum MHD_Result)srv_send_error(r, &err);
		}
		return MHD_YES;
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
	jcs_buf_free(&r->body);
	jcs_form_free(&r->form);
	free(r->cache_key);
	free(r);
	*con_cls = NULL;
}

/* ----------------------------------------------------------- lifecycle */

static void *sweeper(void *arg)
{
	struct jcs_server *s = arg;
	struct timespec until;

	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += s->sweep_seconds;
		pthread_cond_timedwait(&s->stop_cv, &s->mu, &until);
		if (s->stopping)
			break;
		pthread_mutex_unlock(&s->mu);
		{
			struct jcs_store *db = pool_get(s);
			char today[11];
			int n;

			srv_today(today);
			jcs_reg_expire(db, &s->reg, today, &n, NULL);
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
	s->sweep_seconds = o->sweep_seconds ? o->sweep_seconds : 60;
	s->reg.key = o->key;
	if ((rc = parse_listen(o->listen ? o->listen : "127.0.0.1:8080", &sa, err)))
		goto fail;
	s->npool = threads;
	s->pool = calloc(threads, sizeof(*s->pool));
	s->busy = calloc(threads, sizeof(*s->busy));
	if (!s->pool || !s->busy) {
		rc = JCS_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < threads; i++)
		if ((rc = jcs_store_open(o->db_url, &s->pool[i], err)))
			goto fail;
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO, 0, NULL, NULL,
				on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
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
	{
		/* registry id = host[:port] of the public URL */
		const char *h = strstr(s->reg.base_url, "://");
		h = h ? h + 3 : s->reg.base_url;
		snprintf(s->reg.registry_id, sizeof(s->reg.registry_id), "%.*s", (int)strcspn(h, "/"), h);
	}
	srv_today(today);
	if ((rc = jcs_reg_expire(s->pool[0], &s->reg, today, &n, err)))
		goto fail;
	if (pthread_create(&s->sweeper, NULL, sweeper, s) == 0)
		s->sweeper_started = true;
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
	if (s->d)
		MHD_stop_daemon(s->d);
	if (s->sweeper_started) {
		pthread_mutex_lock(&s->mu);
		s->stopping = true;
		pthread_cond_broadcast(&s->stop_cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->sweeper, NULL);
	}
	for (size_t i = 0; s->pool && i < s->npool; i++)
		jcs_store_close(s->pool[i]);
	free(s->pool);
	free(s->busy);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->stop_cv);
	cache_clear_locked(&s->cache);
	pthread_mutex_destroy(&s->cache.mu);
	free(s);
}
