/* Rule "tls": fw.tls.verification-disabled — TLS peer verification switched off in scripts
 * and configuration: curl -k/--insecure, wget/uclient-fetch --no-check-certificate, settings
 * like verify=0, ssl_verify: false, CURLOPT_SSL_VERIFYPEER 0, mosquitto tls_insecure true. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "firmware/audit/audit.h"

#define MAX_WORDS 64
#define MAX_PER_FILE 32

struct state {
	size_t found, files;
};

/* verification is off when these are false */
static const char *const verify_keys[] = {"verify", "ssl_verify", "sslverify", "verify_ssl",
					  "verify_peer", "verifypeer", "ssl_verify_peer", "tls_verify",
					  "check_certificate", "verify_certificate", "verifyhost",
					  "ssl_verify_host", "CURLOPT_SSL_VERIFYPEER",
					  "CURLOPT_SSL_VERIFYHOST", "tls_check_cert", "validate_certs", NULL};
/* ... and when these are true */
static const char *const insecure_keys[] = {"insecure", "tls_insecure", "insecureskipverify",
					    "allow_insecure", "ssl_insecure", NULL};

static bool falsy(const char *v)
{
	static const char *const f[] = {"0", "0L", "false", "no", "off", "none", "disable", "disabled", NULL};
	for (size_t i = 0; f[i]; i++)
		if (strcasecmp(v, f[i]) == 0)
			return true;
	return false;
}

static bool truthy(const char *v)
{
	static const char *const t[] = {"1", "1L", "true", "yes", "on", "enable", "enabled", NULL};
	for (size_t i = 0; t[i]; i++)
		if (strcasecmp(v, t[i]) == 0)
			return true;
	return false;
}

/* curl -k / --insecure, wget --no-check-certificate: the offending option or NULL. */
static const char *command(char **w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *b = jcs_audit_basename(w[i]);
		bool curl = strcmp(b, "curl") == 0;
		bool wget = strcmp(b, "wget") == 0 || strcmp(b, "uclient-fetch") == 0;
		if (!curl && !wget)
			continue;
		for (size_t k = i + 1; k < n; k++) {
			if (wget && strcmp(w[k], "--no-check-certificate") == 0)
				return "--no-check-certificate";
			if (curl && strcmp(w[k], "--insecure") == 0)
				return "--insecure";
			/* -k alone or in a group of short flags (-sk, -kfsSL) */
			if (curl && w[k][0] == '-' && w[k][1] != '-' && strchr(w[k], 'k') &&
			    strspn(w[k] + 1, "ksSfLvIiOgGRqNZ#") == strlen(w[k] + 1))
				return "-k";
		}
	}
	return NULL;
}

static int report(struct state *st, struct jcs_audit *au, const struct jcs_fw_file *f, unsigned line,
		  const char *what, const char *text)
{
	char loc[512];
	json_t *d = jcs_audit_details(f, line);

	st->found++;
	json_object_set_new(d, "setting", json_string(what));
	json_object_set_new(d, "text", json_string(text));
	return jcs_audit_add(au, "fw.tls.verification-disabled", JCS_FAIL, JCS_SEV_HIGH,
			     jcs_audit_loc(loc, sizeof(loc), f->path, line), d,
			     "TLS certificate verification disabled (%s) in %s", what, f->path);
}

static int tls_file(void *state, const struct jcs_fw_file *f, struct jcs_audit *au)
{
	struct state *st = state;
	struct jcs_lines it;
	const char *s;
	size_t n;
	int rc = 0, hits = 0;

	if (!jcs_audit_is_text(f) || jcs_audit_is_doc(f->path))
		return 0;
	st->files++;
	jcs_lines_init(&it, f->data, f->len);
	while (rc == 0 && hits < MAX_PER_FILE && jcs_lines_next(&it, &s, &n)) {
		char line[1024], copy[1024], *w[MAX_WORDS], what[400];
		const char *opt;
		struct jcs_kv kv;
		size_t from = 0;

		jcs_audit_line(line, sizeof(line), s, n);
		if (!line[0] || line[0] == '#' || line[0] == ';' || strncmp(line, "//", 2) == 0)
			continue;
		memcpy(copy, line, sizeof(copy));
		opt = command(w, jcs_audit_words(copy, w, MAX_WORDS));
		if (opt) {
			hits++;
			snprintf(what, sizeof(what), "%s", opt);
			rc = report(st, au, f, it.lineno, what, line);
			continue;
		}
		if (jcs_audit_kv_find(line, verify_keys, &from, &kv) && falsy(kv.value)) {
			hits++;
			snprintf(what, sizeof(what), "%s %s", kv.key, kv.value);
			rc = report(st, au, f, it.lineno, what, line);
			continue;
		}
		from = 0;
		if (jcs_audit_kv_find(line, insecure_keys, &from, &kv) && truthy(kv.value)) {
			hits++;
			snprintf(what, sizeof(what), "%s %s", kv.key, kv.value);
			rc = report(st, au, f, it.lineno, what, line);
		}
	}
	return rc;
}

static int tls_finish(void *state, struct jcs_audit *au)
{
	struct state *st = state;

	if (st->found || st->files == 0)
		return 0;
	return jcs_audit_add(au, "fw.tls.verification-disabled", JCS_PASS, JCS_SEV_NONE, "", NULL,
			     "No script or configuration disables TLS verification (%zu text files)",
			     st->files);
}

const struct jcs_audit_rule jcs_rule_tls = {
	.name = "tls",
	.state_size = sizeof(struct state),
	.file = tls_file,
	.finish = tls_finish,
};
