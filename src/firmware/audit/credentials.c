/* Rule "credentials": fw.secret.hardcoded-credential — passwords, pre-shared keys and API
 * secrets written into configuration files and the web UI (UCI option password/key, conf
 * key=value, JSON/YAML/XML, JavaScript/Lua/PHP string literals) and user:password@ in URLs,
 * which are looked for in every text file of the image (shell scripts in /usr/bin as much as
 * configuration), documentation excepted. Values that are variables, placeholders or empty
 * are not credentials. Values are masked in the evidence. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "firmware/audit/audit.h"

#define MAX_PER_FILE 32

struct state {
	size_t found, files;
};

static const char *const keys[] = {"password", "passwd", "pass", "pwd", "passphrase", "wpa_passphrase",
				   "psk", "secret", "api_key", "apikey", "secret_key", "access_key",
				   "auth_token", "client_secret", NULL};
/* in OpenWrt's wireless config "option key" is the Wi-Fi pre-shared key */
static const char *const wifi_keys[] = {"key", NULL};

static bool code_file(const char *p)
{
	return jcs_audit_has_suffix(p, (const char *const[]){".js", ".lua", ".php", ".asp", ".htm", ".html",
							      ".sh", ".cgi", ".py", NULL});
}

static bool config_file(const char *p)
{
	return jcs_audit_under(p, "/etc/") || jcs_audit_under(p, "/www/") ||
	       jcs_audit_under(p, "/var/www/") || jcs_audit_under(p, "/usr/lib/lua/") ||
	       jcs_audit_under(p, "/usr/share/") || jcs_audit_under(p, "/opt/") ||
	       jcs_audit_has_suffix(p, (const char *const[]){".conf", ".cfg", ".ini", ".json", ".xml",
							      ".yaml", ".yml", ".js", ".lua", ".php",
							      ".asp", ".htm", ".html", ".cgi", NULL});
}

/* Not a credential: a variable, a placeholder, an expression. */
static bool placeholder(const struct jcs_kv *kv, bool code)
{
	static const char *const words[] = {"none", "null", "nil", "true", "false", "yes", "no", "on",
					    "off", "undefined", "required", "optional", "string", "text",
					    "hidden", "empty", "disabled", "enabled", NULL};
	const char *v = kv->value;
	size_t n = strlen(v);

	if (n < 3 || (code && !kv->quoted) || strchr("$%<{@`(&*[", v[0]) || strchr(v, '(') ||
	    strstr(v, "${") || strstr(v, "{{"))
		return true;
	if (strspn(v, "x*.#-_?0") == n || strspn(v, v[0] == 'X' ? "X" : "x") == n)
		return true;
	for (size_t i = 0; words[i]; i++)
		if (strcasecmp(v, words[i]) == 0)
			return true;
	return false;
}

static void mask(const char *v, char *out, size_t cap)
{
	size_t n = strlen(v);
	snprintf(out, cap, "%.2s%s (%zu chars)", v, n > 2 ? "***" : "", n);
}

static int report(struct state *st, struct jcs_audit *au, const struct jcs_fw_file *f, unsigned line,
		  const char *what, const char *key, const char *value)
{
	char loc[512], masked[64];
	json_t *d = jcs_audit_details(f, line);

	st->found++;
	mask(value, masked, sizeof(masked));
	json_object_set_new(d, "key", json_string(key));
	json_object_set_new(d, "value", json_string(masked));
	return jcs_audit_add(au, "fw.secret.hardcoded-credential", JCS_FAIL, JCS_SEV_HIGH,
			     jcs_audit_loc(loc, sizeof(loc), f->path, line), d, "Hard-coded %s '%s' in %s",
			     what, key, f->path);
}

/* Every scheme://user:password@host in the line (the password is not a variable). */
static int url_credentials(struct state *st, struct jcs_audit *au, const struct jcs_fw_file *f,
			   unsigned lineno, const char *line, int *hits)
{
	const char *p = line;
	int rc = 0;

	while (rc == 0 && *hits < MAX_PER_FILE && (p = strstr(p, "://")) != NULL) {
		const char *auth = p + 3, *end = auth + strcspn(auth, "/ \t\"'?#"), *at, *colon;
		char user[64], pw[128];

		p = auth;
		at = memchr(auth, '@', (size_t)(end - auth));
		colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		if (!colon || colon == auth || colon + 1 >= at || at - colon - 1 >= (long)sizeof(pw) ||
		    colon - auth >= (long)sizeof(user) || strchr("$%<{[", colon[1]) || strchr("$%<{[", auth[0]))
			continue;
		snprintf(user, sizeof(user), "%.*s", (int)(colon - auth), auth);
		snprintf(pw, sizeof(pw), "%.*s", (int)(at - colon - 1), colon + 1);
		if (strlen(pw) < 3 || strspn(pw, "x*.#-_?0") == strlen(pw))
			continue;
		(*hits)++;
		rc = report(st, au, f, lineno, "password in a URL for user", user, pw);
	}
	return rc;
}

static int credentials_file(void *state, const struct jcs_fw_file *f, struct jcs_audit *au)
{
	struct state *st = state;
	const char *base = jcs_audit_basename(f->path);
	bool code, wifi, conf;
	struct jcs_lines it;
	const char *s;
	size_t n;
	int rc = 0, hits = 0;

	if (!jcs_audit_is_text(f) || jcs_audit_is_doc(f->path) || strstr(base, "passwd") ||
	    strstr(base, "shadow") || strstr(base, "htpasswd"))
		return 0;
	conf = config_file(f->path) || code_file(f->path);
	code = code_file(f->path);
	wifi = strcmp(f->path, "/etc/config/wireless") == 0;
	st->files++;
	jcs_lines_init(&it, f->data, f->len);
	while (rc == 0 && hits < MAX_PER_FILE && jcs_lines_next(&it, &s, &n)) {
		char line[1024];
		struct jcs_kv kv;
		size_t from = 0;

		jcs_audit_line(line, sizeof(line), s, n);
		if (!line[0] || line[0] == '#' || line[0] == ';' || strncmp(line, "//", 2) == 0)
			continue;
		while (conf && rc == 0 && jcs_audit_kv_find(line, wifi ? wifi_keys : keys, &from, &kv)) {
			if ((wifi && strncmp(line, "option", 6)) || placeholder(&kv, code))
				continue;
			hits++;
			rc = report(st, au, f, it.lineno, wifi ? "Wi-Fi key" : "credential", kv.key, kv.value);
		}
		if (rc == 0)
			rc = url_credentials(st, au, f, it.lineno, line, &hits);
	}
	return rc;
}

static int credentials_finish(void *state, struct jcs_audit *au)
{
	struct state *st = state;

	if (st->found || st->files == 0)
		return 0;
	return jcs_audit_add(au, "fw.secret.hardcoded-credential", JCS_PASS, JCS_SEV_NONE, "", NULL,
			     "No hard-coded credential in %zu text files (configuration, web UI, scripts)", st->files);
}

const struct jcs_audit_rule jcs_rule_credentials = {
	.name = "credentials",
	.state_size = sizeof(struct state),
	.file = credentials_file,
	.finish = credentials_finish,
};
