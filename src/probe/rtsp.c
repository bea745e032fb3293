/* RTSP (cameras): OPTIONS identification, DESCRIBE without and with credentials (libcurl) on
 * the stream paths cameras and streaming servers commonly use. */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "probe/probe.h"

static int rtsp_match(const uint8_t *b, size_t n)
{
	return n >= 8 && memcmp(b, "RTSP/1.", 7) == 0 ? 100 : 0;
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr, (void)arg;
	return size * nmemb;
}

/* Stream paths tried in turn until one exists (answers anything but 404). */
static const char *const stream_paths[] = {"/", "/stream", "/live", "/live.sdp", "/h264", "/ch0", "/video1",
					   "/cam/realmonitor", "/Streaming/Channels/101", "/11", NULL};

/* DESCRIBE rtsp://host:port/path ; returns the RTSP status or a negative JCS_E*. */
static int describe(struct jcs_probe *p, struct jcs_service *s, const char *path, const char *user, const char *pass)
{
	CURL *h;
	char url[300];
	long code = 0;
	CURLcode cc;

	if (jcs_probe_take_slot(p))
		return JCS_ELIMIT;
	if (!(h = curl_easy_init()))
		return JCS_ENOMEM;
	snprintf(url, sizeof(url), "rtsp://%s:%d%s", p->host, s->port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_RTSP_STREAM_URI, url);
	curl_easy_setopt(h, CURLOPT_RTSP_REQUEST, (long)CURL_RTSPREQ_DESCRIBE);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "rtsp");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)p->o.timeout_ms * 3);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, discard);
	if (user) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)(CURLAUTH_BASIC | CURLAUTH_DIGEST));
		curl_easy_setopt(h, CURLOPT_USERNAME, user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, pass);
	}
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	if (!code)
		return cc == CURLE_OPERATION_TIMEDOUT ? JCS_ETIMEOUT : JCS_ENET;
	return (int)code;
}

static int rtsp_anon(struct jcs_probe *p, struct jcs_service *s, struct jcs_buf *note)
{
	int st = JCS_ENOTFOUND;

	for (size_t i = 0; stream_paths[i] && jcs_probe_left_ms(p) > 0; i++) {
		st = describe(p, s, stream_paths[i], NULL, NULL);
		if (st < 0)
			return st;
		jcs_buf_printf(note, "DESCRIBE %s without credentials answered %d\n", stream_paths[i], st);
		if (st != 404) {
			json_object_set_new(s->facts, "rtsp_path", json_string(stream_paths[i]));
			break;
		}
	}
	if (st == 401)
		json_object_set_new(s->facts, "auth", json_string("rtsp"));
	return st == 200 ? 1 : st == 401 || st == 403 ? 0 : -1;
}

static int rtsp_login(struct jcs_probe *p, struct jcs_service *s, const char *user, const char *pass,
		      struct jcs_login_result *r)
{
	int st;

	const char *path = json_string_value(json_object_get(s->facts, "rtsp_path"));

	if (!json_object_get(s->facts, "auth") || !path)
		return JCS_EUNSUPPORTED;
	st = describe(p, s, path, user, pass);
	snprintf(r->note, sizeof(r->note), "DESCRIBE %.60s as %.40s answered %d", path, user, st);
	jcs_transcript_add(&r->transcript, ">", r->note, strlen(r->note));
	r->outcome = st == 200 ? JCS_LOGIN_OK
		     : st == 401 || st == 403 ? JCS_LOGIN_DENIED
		     : st == 503 || st == 429 || st == JCS_ENET ? JCS_LOGIN_THROTTLED
		     : JCS_LOGIN_ERROR;
	return 0;
}

const struct jcs_proto jcs_proto_rtsp = {
	.name = "rtsp",
	.cleartext = true,
	.hello = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n",
	.hello_len = 31,
	.match = rtsp_match,
	.anon = rtsp_anon,
	.login = rtsp_login,
};
