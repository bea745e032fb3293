/* FTP: banner identification, anonymous login and password logins through libcurl. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "probe/probe.h"

static int ftp_match(const uint8_t *b, size_t n)
{
	if (n < 4 || memcmp(b, "220", 3) != 0)
		return 0;
	for (size_t i = 0; i + 3 <= n && i < 200; i++)
		if (strncasecmp((const char *)b + i, "FTP", 3) == 0)
			return 90;
	for (size_t i = 0; i + 4 <= n && i < 200; i++)
		if (strncasecmp((const char *)b + i, "SMTP", 4) == 0)
			return 0;
	return 50;
}

/* Server replies seen during the login (curl hands FTP responses to the header callback). */
struct replies {
	bool pass_asked;     /* 331: the server wanted a password */
	bool anonymous_only; /* 530 ... anonymous only (vsftpd and others) */
};

static size_t on_reply(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct replies *r = arg;
	size_t n = size * nmemb;
	char line[128];

	jcs_printable((const uint8_t *)ptr, n < 100 ? n : 100, line, sizeof(line));
	if (strncmp(line, "331", 3) == 0)
		r->pass_asked = true;
	if (strncmp(line, "530", 3) == 0 && strcasestr(line, "anonymous only"))
		r->anonymous_only = true;
	return n;
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
	size_t *total = arg;

	(void)ptr;
	*total += size * nmemb;
	return *total > JCS_REPLY_MAX ? 0 : size * nmemb;
}

/* Log in and list the root directory; returns the CURLcode (or -1 budget spent). */
static int ftp_try(struct jcs_probe *p, struct jcs_service *s, const char *user, const char *pass, long *resp,
		   struct replies *rep)
{
	CURL *h;
	char url[300];
	size_t total = 0;
	CURLcode cc;

	if (jcs_probe_take_slot(p))
		return -1;
	if (!(h = curl_easy_init()))
		return -1;
	snprintf(url, sizeof(url), "%s://%s:%d/", s->tls ? "ftps" : "ftp", p->host, s->port);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "ftp,ftps");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)p->o.timeout_ms * 4);
	/* curl's connect phase of FTP includes USER/PASS: room for a server's delay after a
	 * wrong password (PAM waits about 2 s) */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)p->o.timeout_ms * 3);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(h, CURLOPT_USERNAME, user);
	curl_easy_setopt(h, CURLOPT_PASSWORD, pass);
	curl_easy_setopt(h, CURLOPT_DIRLISTONLY, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &total);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_reply);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, rep);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, resp);
	curl_easy_cleanup(h);
	return (int)cc;
}

static int ftp_anon(struct jcs_probe *p, struct jcs_service *s, struct jcs_buf *note)
{
	long resp = 0;
	struct replies rep = {0};
	int cc = ftp_try(p, s, "anonymous", "jcstar@example.org", &resp, &rep);

	if (cc == CURLE_OK) {
		jcs_buf_puts(note, "USER anonymous accepted and the root directory listed\n");
		return 1;
	}
	jcs_buf_printf(note, "anonymous login: %s (reply %ld)\n", curl_easy_strerror((CURLcode)cc), resp);
	return cc == CURLE_LOGIN_DENIED ? 0 : -1;
}

static int ftp_login(struct jcs_probe *p, struct jcs_service *s, const char *user, const char *pass,
		     struct jcs_login_result *r)
{
	long resp = 0;
	struct replies rep = {0};
	int cc = ftp_try(p, s, user, pass, &resp, &rep);
	char line[160];

	if (cc == CURLE_LOGIN_DENIED && rep.anonymous_only && !rep.pass_asked)
		return JCS_EUNSUPPORTED; /* no password login at all: only anonymous */
	snprintf(line, sizeof(line), "USER %s / PASS ******** → %ld", user, resp);
	jcs_transcript_add(&r->transcript, ">", line, strlen(line));
	if (cc == CURLE_OK) {
		r->outcome = JCS_LOGIN_OK;
		snprintf(r->note, sizeof(r->note), "logged in and listed the root directory");
	} else if (cc == CURLE_LOGIN_DENIED) {
		r->outcome = resp == 421 ? JCS_LOGIN_THROTTLED : JCS_LOGIN_DENIED;
		snprintf(r->note, sizeof(r->note), "reply %ld", resp);
	} else if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_RECV_ERROR || cc == CURLE_WEIRD_SERVER_REPLY ||
		   resp == 421) {
		r->outcome = JCS_LOGIN_THROTTLED;
		snprintf(r->note, sizeof(r->note), "%s", curl_easy_strerror((CURLcode)cc));
	} else {
		r->outcome = JCS_LOGIN_ERROR;
		snprintf(r->note, sizeof(r->note), "%s", cc < 0 ? "budget spent" : curl_easy_strerror((CURLcode)cc));
	}
	return 0;
}

const struct jcs_proto jcs_proto_ftp = {
	.name = "ftp",
	.risky = true,
	.cleartext = true,
	.match = ftp_match,
	.anon = ftp_anon,
	.login = ftp_login,
};
