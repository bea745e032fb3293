/* HTTP/HTTPS: reply parser (shared with RTSP and SIP), identification, admin pages open
 * without authentication, and logins through libcurl (basic and digest, and the common
 * HTML form login). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "core/cur.h"
#include "probe/probe.h"

#define MAX_HEADERS 128
#define MAX_LINE 8192

/* Next line of c (without CR LF) into *line and *len; false at the end of the data. */
static bool next_line(struct jcs_cur *c, const char **line, size_t *len)
{
	size_t start = c->off, n = 0;

	while (jcs_cur_left(c)) {
		const uint8_t *b = jcs_cur_take(c, 1);
		if (*b == '\n') {
			*line = (const char *)c->p + start;
			*len = n && (*line)[n - 1] == '\r' ? n - 1 : n;
			return true;
		}
		n++;
	}
	return false;
}

static void copy_trim(char *dst, size_t dlen, const char *src, size_t n)
{
	while (n && isspace((unsigned char)*src))
		src++, n--;
	while (n && isspace((unsigned char)src[n - 1]))
		n--;
	jcs_printable((const uint8_t *)src, n, dst, dlen);
}

int jcs_http_parse(const uint8_t *b, size_t n, struct jcs_http_reply *r)
{
	struct jcs_cur c = jcs_cur_make(b, n);
	const char *line;
	size_t len, i;

	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	if (!next_line(&c, &line, &len))
		return n > MAX_LINE ? JCS_EPARSE : JCS_ELIMIT;
	/* PROTO/x.y SSS reason */
	for (i = 0; i < len && i < sizeof(r->proto) - 1 && line[i] != ' '; i++)
		if (!isalnum((unsigned char)line[i]) && line[i] != '/' && line[i] != '.')
			return JCS_EPARSE;
	if (i == 0 || i >= len || !memchr(line, '/', i) || len < i + 4)
		return JCS_EPARSE;
	memcpy(r->proto, line, i);
	r->proto[i] = 0;
	if (!isdigit((unsigned char)line[i + 1]) || !isdigit((unsigned char)line[i + 2]) ||
	    !isdigit((unsigned char)line[i + 3]))
		return JCS_EPARSE;
	r->status = (line[i + 1] - '0') * 100 + (line[i + 2] - '0') * 10 + (line[i + 3] - '0');
	for (;;) {
		const char *colon;
		size_t klen;

		if (!next_line(&c, &line, &len))
			return JCS_ELIMIT; /* header block not complete (yet) */
		if (len == 0)
			break;
		if (++r->nheaders > MAX_HEADERS || len > MAX_LINE)
			return JCS_EPARSE;
		if (!(colon = memchr(line, ':', len)))
			continue;
		klen = (size_t)(colon - line);
		colon++;
		len -= klen + 1;
		if (klen == 6 && strncasecmp(line, "server", 6) == 0)
			copy_trim(r->server, sizeof(r->server), colon, len);
		else if (klen == 16 && strncasecmp(line, "www-authenticate", 16) == 0 && !r->auth[0])
			copy_trim(r->auth, sizeof(r->auth), colon, len);
		else if (klen == 8 && strncasecmp(line, "location", 8) == 0)
			copy_trim(r->location, sizeof(r->location), colon, len);
		else if (klen == 14 && strncasecmp(line, "content-length", 14) == 0) {
			char num[24];
			copy_trim(num, sizeof(num), colon, len);
			r->content_length = isdigit((unsigned char)num[0]) ? strtol(num, NULL, 10) : -1;
		}
	}
	r->header_len = c.off;
	return 0;
}

static bool head_done(const struct jcs_buf *b, void *arg)
{
	struct jcs_http_reply *r = arg;
	return jcs_http_parse((const uint8_t *)b->data, b->len, r) != JCS_ELIMIT;
}

int jcs_http_get(struct jcs_tr *t, const char *host, const char *path, struct jcs_http_reply *r,
		 struct jcs_buf *body)
{
	return jcs_http_request(t, host, "GET", path, "", NULL, r, body);
}

int jcs_http_request(struct jcs_tr *t, const char *host, const char *method, const char *path,
		     const char *headers, const char *data, struct jcs_http_reply *r, struct jcs_buf *body)
{
	struct jcs_buf req = JCS_BUF_INIT, in = JCS_BUF_INIT;
	int rc;

	memset(r, 0, sizeof(*r));
	jcs_buf_printf(&req, "%s %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: jcstar-probe\r\nConnection: close\r\n%s",
		       method, path, host, headers);
	if (data)
		jcs_buf_printf(&req, "Content-Length: %zu\r\n\r\n%s", strlen(data), data);
	else
		jcs_buf_puts(&req, "\r\n");
	if ((rc = jcs_buf_error(&req)) || (rc = jcs_tr_write(t, req.data, req.len)))
		goto out;
	rc = jcs_tr_read_until(t, &in, JCS_REPLY_MAX, head_done, r);
	if (rc && !in.len)
		goto out;
	{
		int prc = jcs_http_parse((const uint8_t *)in.data, in.len, r);
		if (prc) {
			rc = prc == JCS_ELIMIT && rc ? rc : prc; /* incomplete: say why reading stopped */
			goto out;
		}
	}
	if (body) {
		size_t max = r->content_length >= 0 && (size_t)r->content_length + r->header_len < JCS_REPLY_MAX
				     ? (size_t)r->content_length + r->header_len
				     : JCS_REPLY_MAX;
		jcs_tr_read_until(t, &in, max, NULL, NULL); /* until close, cap or time */
		jcs_buf_append(body, in.data + r->header_len, in.len - r->header_len);
	}
out:
	jcs_buf_free(&req);
	jcs_buf_free(&in);
	return rc;
}

/* --- the module --- */

/* HTTP for certain, unless the status says the request was not understood or not found: a
 * server of another protocol may answer an HTTP request that way (VLC's RTSP server) */
static int http_match(const uint8_t *b, size_t n)
{
	if (n < 12 || memcmp(b, "HTTP/1.", 7) != 0)
		return 0;
	return memcmp(b + 9, "400", 3) == 0 || memcmp(b + 9, "404", 3) == 0 || memcmp(b + 9, "405", 3) == 0 ||
		       memcmp(b + 9, "501", 3) == 0
		       ? 60
		       : 100;
}

/* GET path over a fresh connection to the service. */
static int svc_get(struct jcs_probe *p, struct jcs_service *s, const char *path, struct jcs_http_reply *r,
		   struct jcs_buf *body)
{
	struct jcs_tr t;
	int rc = jcs_probe_open(p, s->port, s->tls, &t, NULL);
	int64_t cap = jcs_now_ms() + 3 * p->o.timeout_ms;

	if (t.deadline > cap)
		t.deadline = cap; /* one request: a slowloris reply is cut off */
	if (!rc)
		rc = jcs_http_get(&t, p->host, path, r, body);
	jcs_tr_close(&t);
	return rc;
}

/* Password inputs in a page (type="password", 'password' or bare). */
static size_t password_fields(const struct jcs_buf *b)
{
	static const char *const pats[] = {"type=\"password\"", "type='password'", "type=password"};
	size_t n = 0;

	for (size_t i = 0; b->len && i < sizeof(pats) / sizeof(pats[0]); i++)
		for (const char *at = strcasestr(b->data, pats[i]); at; at = strcasestr(at + 1, pats[i]))
			n++;
	return n;
}

static bool has_password_field(const struct jcs_buf *b)
{
	return password_fields(b) > 0;
}

/* Paths of device admin pages (and "/"). */
static const char *const admin_paths[] = {"/", "/admin", "/admin/", "/cgi-bin/luci", "/setup.cgi",
					  "/config", "/settings", "/system.html", NULL};

static int http_anon(struct jcs_probe *p, struct jcs_service *s, struct jcs_buf *note)
{
	int granted = 0, asked = 0;

	for (size_t i = 0; admin_paths[i]; i++) {
		struct jcs_http_reply r;
		struct jcs_buf body = JCS_BUF_INIT;
		int rc = svc_get(p, s, admin_paths[i], &r, &body);

		/* 401 or a password form asks for credentials; a bare 403 asks for nothing we could give */
		if (rc == 0 && (r.status == 401 || (r.status == 200 && has_password_field(&body)))) {
			asked++;
			if (!json_object_get(s->facts, "auth_path")) {
				json_object_set_new(s->facts, "auth_path", json_string(admin_paths[i]));
				json_object_set_new(s->facts, "auth", json_string(r.status == 401 ? r.auth : "form"));
			}
		} else if (rc == 0 && r.status == 200 && i > 0) {
			jcs_buf_printf(note, "GET %s answered %d without credentials (%zu bytes)\n", admin_paths[i],
				       r.status, body.len);
			granted++;
		}
		jcs_buf_free(&body);
		if (jcs_probe_left_ms(p) <= 0 || rc == JCS_ETIMEOUT)
			break; /* out of time, or a device too slow to be asked eight times */
	}
	if (granted)
		return 1;
	return asked ? 0 : -1;
}

/* libcurl collects at most this much of a body. */
struct sink {
	struct jcs_buf b;
};

static size_t sink_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (s->b.len < JCS_REPLY_MAX)
		jcs_buf_append(&s->b, ptr, n < JCS_REPLY_MAX - s->b.len ? n : JCS_REPLY_MAX - s->b.len);
	return n;
}

/* One request with libcurl. Returns the HTTP status, or a negative JCS_E* code. */
static int curl_req(struct jcs_probe *p, struct jcs_service *s, const char *path, const char *user,
		    const char *pass, const char *post, struct sink *out)
{
	CURL *h;
	char url[512];
	long status = 0;
	CURLcode cc;
	int rc;

	if ((rc = jcs_probe_take_slot(p)))
		return rc;
	if (!(h = curl_easy_init()))
		return JCS_ENOMEM;
	snprintf(url, sizeof(url), "%s://%s:%d%s", s->tls ? "https" : "http", p->host, s->port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)p->o.timeout_ms * 3);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)p->o.timeout_ms);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "jcstar-probe");
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE, (long)JCS_REPLY_MAX);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (user) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)(CURLAUTH_BASIC | CURLAUTH_DIGEST));
		curl_easy_setopt(h, CURLOPT_USERNAME, user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, pass);
	}
	if (post) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, 3L);
		curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");
	}
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return JCS_ETIMEOUT;
	if (cc != CURLE_OK && !status)
		return JCS_ENET;
	return (int)status;
}

/* name="..." value of the form field whose tag contains `kind` (type=password / type=text). */
static bool form_field(const char *html, const char *kind, char *name, size_t nlen)
{
	for (const char *in = strcasestr(html, "<input"); in; in = strcasestr(in + 6, "<input")) {
		const char *end = strchr(in, '>'), *nm;
		size_t k = 0;
		char q;

		if (!end)
			return false;
		if (!(nm = strcasestr(in, "name=")) || nm > end)
			continue;
		if (!strcasestr(in, kind) || strcasestr(in, kind) > end)
			continue;
		nm += 5;
		q = (*nm == '"' || *nm == '\'') ? *nm++ : ' ';
		while (nm < end && *nm != q && *nm != '>' && k + 1 < nlen && (isalnum((unsigned char)*nm) || strchr("_-.[]", *nm)))
			name[k++] = *nm++;
		name[k] = 0;
		return k > 0;
	}
	return false;
}

static int form_login(struct jcs_probe *p, struct jcs_service *s, const char *path, const char *user,
		      const char *pass, struct jcs_login_result *r)
{
	struct sink page = {JCS_BUF_INIT}, res = {JCS_BUF_INIT};
	char ufield[64], pfield[64], again[64], action[256] = "";
	char *eu = NULL, *ep = NULL;
	const char *lock;
	struct jcs_buf post = JCS_BUF_INIT;
	int st;

	st = curl_req(p, s, path, NULL, NULL, NULL, &page);
	if (st != 200 || !page.b.len || !form_field(page.b.data, "password", pfield, sizeof(pfield))) {
		r->outcome = st == 429 || st == 503 ? JCS_LOGIN_THROTTLED : JCS_LOGIN_ERROR;
		snprintf(r->note, sizeof(r->note), "login form not found (status %d)", st);
		goto out;
	}
	if (!form_field(page.b.data, "type=\"text\"", ufield, sizeof(ufield)) &&
	    !form_field(page.b.data, "type=text", ufield, sizeof(ufield)))
		snprintf(ufield, sizeof(ufield), "username");
	{
		const char *a = strcasestr(page.b.data, "action=");
		size_t k = 0;
		if (a) {
			a += 7;
			char q = (*a == '"' || *a == '\'') ? *a++ : ' ';
			while (*a && *a != q && *a != '>' && k + 1 < sizeof(action) && *a != ':')
				action[k++] = *a++;
			action[k] = 0;
		}
		if (action[0] != '/')
			snprintf(action, sizeof(action), "%s", path);
	}
	eu = curl_easy_escape(NULL, user, 0);
	ep = curl_easy_escape(NULL, pass, 0);
	jcs_buf_printf(&post, "%s=%s&%s=%s", ufield, eu ? eu : "", pfield, ep ? ep : "");
	st = curl_req(p, s, action, NULL, NULL, post.data, &res);
	jcs_transcript_add(&r->transcript, ">", "POST form", 9);
	if (st < 0 || st == 429 || st == 503) {
		r->outcome = st == JCS_ETIMEOUT ? JCS_LOGIN_ERROR : JCS_LOGIN_THROTTLED;
		snprintf(r->note, sizeof(r->note), "form POST: %s", st < 0 ? jcs_strerror(st) : "throttled");
	} else if (st >= 200 && st < 300 && (lock = jcs_lockout_word(res.b.data, res.b.len))) {
		r->outcome = JCS_LOGIN_THROTTLED; /* a lockout page served with 200 */
		snprintf(r->note, sizeof(r->note), "form login answered %d with a page that says '%s'", st, lock);
	} else if (st >= 200 && st < 300 && !has_password_field(&res.b)) {
		r->outcome = JCS_LOGIN_OK;
		snprintf(r->note, sizeof(r->note), "form login answered %d with a page that no longer asks for a password", st);
	} else if ((st >= 200 && st < 300 && password_fields(&res.b) == 1 &&
		    form_field(res.b.data, "password", again, sizeof(again)) && strcmp(again, pfield) == 0) ||
		   st == 401 || st == 403) {
		r->outcome = JCS_LOGIN_DENIED; /* the same login form again (redirects followed), or a refusal */
		snprintf(r->note, sizeof(r->note), "form login answered %d%s", st, st < 300 ? " with the login form again" : "");
	} else {
		/* another page that asks for a password (an admin page with a change-password form
		 * looks like that), a redirect loop, anything else: no definite answer, never a
		 * "denied" that could add up to a false pass */
		r->outcome = JCS_LOGIN_ERROR;
		snprintf(r->note, sizeof(r->note), "form login answered %d with a page that is not the login form: success or failure not told", st);
	}
out:
	curl_free(eu);
	curl_free(ep);
	jcs_buf_wipe(&post);
	jcs_buf_free(&post);
	jcs_buf_free(&page.b);
	jcs_buf_free(&res.b);
	return 0;
}

static int http_login(struct jcs_probe *p, struct jcs_service *s, const char *user, const char *pass,
		      struct jcs_login_result *r)
{
	const char *path = json_string_value(json_object_get(s->facts, "auth_path"));
	const char *auth = json_string_value(json_object_get(s->facts, "auth"));
	struct sink body = {JCS_BUF_INIT};
	char line[160];
	int st;

	if (!path || !auth)
		return JCS_EUNSUPPORTED; /* nothing asks for a password */
	if (strcmp(auth, "form") == 0)
		return form_login(p, s, path, user, pass, r);
	st = curl_req(p, s, path, user, pass, NULL, &body);
	snprintf(line, sizeof(line), "GET %s as %s (%s)", path, user, auth);
	jcs_transcript_add(&r->transcript, ">", line, strlen(line));
	if (st >= 200 && st < 400) {
		r->outcome = JCS_LOGIN_OK;
		snprintf(r->note, sizeof(r->note), "%s answered %d with credentials, 401 without", path, st);
	} else if (st == 401 || st == 403) {
		r->outcome = JCS_LOGIN_DENIED;
		snprintf(r->note, sizeof(r->note), "answered %d", st);
	} else if (st == 429 || st == 503 || st == JCS_ENET) {
		r->outcome = JCS_LOGIN_THROTTLED;
		snprintf(r->note, sizeof(r->note), "%s", st > 0 ? (st == 429 ? "429 Too Many Requests" : "503 (rate limited)")
								: "connection refused or reset");
	} else {
		r->outcome = JCS_LOGIN_ERROR;
		snprintf(r->note, sizeof(r->note), "answered %s%d", st < 0 ? "error " : "", st);
	}
	snprintf(line, sizeof(line), "%d", st);
	jcs_transcript_add(&r->transcript, "<", line, strlen(line));
	jcs_buf_free(&body.b);
	return 0;
}

/* Server header, and TR-064 / UPnP descriptions a device may publish over plain HTTP. */
static void http_describe(struct jcs_probe *p, struct jcs_service *s)
{
	static const char *const desc_paths[] = {"/tr64desc.xml", "/rootDesc.xml", NULL};
	struct jcs_http_reply r;

	for (size_t i = 0; desc_paths[i]; i++) {
		struct jcs_buf body = JCS_BUF_INIT;
		struct jcs_upnp_desc d;
		struct jcs_buf name = JCS_BUF_INIT;

		if (svc_get(p, s, desc_paths[i], &r, &body) == 0 && r.status == 200 && body.len &&
		    jcs_upnp_parse(body.data, body.len, &d) == 0) {
			json_object_set_new(s->facts, "description", json_string(desc_paths[i]));
			json_object_set_new(s->facts, "device_type", json_string(d.device_type));
			if (strstr(d.device_type, "dslforum-org"))
				json_object_set_new(s->facts, "tr064", json_true());
			jcs_buf_printf(&name, "%s%s%s", d.model_name, d.model_number[0] ? " " : "", d.model_number);
			snprintf(s->model, sizeof(s->model), "%.127s", name.data ? name.data : "");
			jcs_buf_free(&name);
		}
		jcs_buf_free(&body);
	}
}

const struct jcs_proto jcs_proto_http = {
	.name = "http",
	.cleartext = true,
	.hello = "GET / HTTP/1.0\r\n\r\n",
	.hello_len = 18,
	.match = http_match,
	.anon = http_anon,
	.login = http_login,
	.describe = http_describe,
};
