/* SSH: banner identification, "none" authentication and password logins with libssh. */
#include <stdio.h>
#include <string.h>

#include <libssh/libssh.h>

#include "probe/probe.h"

static int ssh_match(const uint8_t *b, size_t n)
{
	return n >= 4 && memcmp(b, "SSH-", 4) == 0 ? 100 : 0;
}

/* Connect and authenticate (user NULL: the "none" method as "root"). SSH_AUTH_* or -1. */
static int ssh_try(struct jcs_probe *p, struct jcs_service *s, const char *user, const char *pass, char *why,
		   size_t wlen)
{
	ssh_session h;
	long tmo = (p->o.timeout_ms * 3 + 999) / 1000;
	unsigned port = (unsigned)s->port;
	int rc = -1, log = SSH_LOG_NOLOG;

	snprintf(why, wlen, "no answer");
	if (jcs_probe_take_slot(p)) {
		snprintf(why, wlen, "budget spent");
		return -1;
	}
	if (!(h = ssh_new())) {
		snprintf(why, wlen, "out of memory");
		return -1;
	}
	ssh_options_set(h, SSH_OPTIONS_HOST, p->host);
	ssh_options_set(h, SSH_OPTIONS_PORT, &port);
	ssh_options_set(h, SSH_OPTIONS_USER, user ? user : "root");
	ssh_options_set(h, SSH_OPTIONS_TIMEOUT, &tmo);
	ssh_options_set(h, SSH_OPTIONS_LOG_VERBOSITY, &log);
	ssh_options_set(h, SSH_OPTIONS_PROCESS_CONFIG, &(int){0});
	if (ssh_connect(h) != SSH_OK) {
		snprintf(why, wlen, "%s", ssh_get_error(h));
		rc = -2;
		goto out;
	}
	rc = user ? ssh_userauth_password(h, NULL, pass) : ssh_userauth_none(h, NULL);
	snprintf(why, wlen, "%s", rc == SSH_AUTH_SUCCESS ? "authenticated" : ssh_get_error(h));
	ssh_disconnect(h);
out:
	ssh_free(h);
	return rc;
}

static int ssh_anon(struct jcs_probe *p, struct jcs_service *s, struct jcs_buf *note)
{
	char why[160] = "";
	int rc = ssh_try(p, s, NULL, NULL, why, sizeof(why));

	jcs_buf_printf(note, "ssh 'none' authentication: %s\n", why);
	if (rc == SSH_AUTH_SUCCESS)
		return 1;
	return rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL ? 0 : -1;
}

static int ssh_login(struct jcs_probe *p, struct jcs_service *s, const char *user, const char *pass,
		     struct jcs_login_result *r)
{
	char why[160] = "";
	int rc = ssh_try(p, s, user, pass, why, sizeof(why));

	snprintf(r->note, sizeof(r->note), "password auth as %.40s: %.100s", user, why);
	jcs_transcript_add(&r->transcript, ">", r->note, strlen(r->note));
	r->outcome = rc == SSH_AUTH_SUCCESS ? JCS_LOGIN_OK
		     : rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL ? JCS_LOGIN_DENIED
		     : rc == -2 ? JCS_LOGIN_THROTTLED
		     : JCS_LOGIN_ERROR;
	return 0;
}

const struct jcs_proto jcs_proto_ssh = {
	.name = "ssh",
	.match = ssh_match,
	.anon = ssh_anon,
	.login = ssh_login,
};
