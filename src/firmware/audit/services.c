/* Rule "services": fw.service.risky-enabled — risky daemons (telnet, ftp, tftp, adb, r-services)
 * started at boot, and dropbear with password logins allowed. Boot paths: inittab, rc.local and
 * rcS, inetd.conf, xinetd.d, init.d scripts that are enabled (an rc?.d / rc.d S-link to them,
 * or a buildroot-style S?? name), systemd units that are wanted by a target, OpenWrt's
 * dropbear UCI config. Decided at the end, when every link is known. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/audit/audit.h"

#define MAX_WORDS 48
#define MAX_CANDIDATES 4096

static const struct daemon {
	const char *prog, *service;
	enum jcs_severity sev;
} daemons[] = {
	{"telnetd", "telnet", JCS_SEV_HIGH},   {"utelnetd", "telnet", JCS_SEV_HIGH},
	{"in.telnetd", "telnet", JCS_SEV_HIGH}, {"ftpd", "ftp", JCS_SEV_MEDIUM},
	{"vsftpd", "ftp", JCS_SEV_MEDIUM},     {"proftpd", "ftp", JCS_SEV_MEDIUM},
	{"pure-ftpd", "ftp", JCS_SEV_MEDIUM},  {"bftpd", "ftp", JCS_SEV_MEDIUM},
	{"in.ftpd", "ftp", JCS_SEV_MEDIUM},    {"tftpd", "tftp", JCS_SEV_MEDIUM},
	{"in.tftpd", "tftp", JCS_SEV_MEDIUM},  {"atftpd", "tftp", JCS_SEV_MEDIUM},
	{"adbd", "adb", JCS_SEV_HIGH},         {"rlogind", "rlogin", JCS_SEV_HIGH},
	{"in.rlogind", "rlogin", JCS_SEV_HIGH}, {"rshd", "rsh", JCS_SEV_HIGH},
	{"in.rshd", "rsh", JCS_SEV_HIGH},      {"rexecd", "rexec", JCS_SEV_HIGH},
	{"in.rexecd", "rexec", JCS_SEV_HIGH},
};

enum how { ALWAYS, INITD, UNIT };

struct cand {
	char *file, *container, *text;
	unsigned line;
	const struct daemon *d; /* NULL = dropbear with password logins */
	enum how how;
};

struct state {
	struct cand *v;
	size_t n, cap;
	struct jcs_strv links;  /* "linkpath\ttarget" of symlinks under rc dirs and *.wants */
	struct jcs_strv boot;   /* boot files looked at */
	bool dropbear_uci_pw;   /* OpenWrt dropbear config allows passwords */
	char dropbear_uci_loc[512];
	bool dropbear_uci_seen;
};

static const struct daemon *risky(const char *word)
{
	const char *b = jcs_audit_basename(word);

	for (size_t i = 0; i < sizeof(daemons) / sizeof(daemons[0]); i++)
		if (strcmp(b, daemons[i].prog) == 0)
			return &daemons[i];
	return NULL;
}

static bool always_file(const char *p)
{
	static const char *const f[] = {"/etc/inittab", "/etc/rc.local", "/etc/init.d/rcS",
					"/etc/rc.d/rcS", "/etc/rcS", "/etc/init.d/rc.local",
					"/etc/rc.d/rc.local", "/etc/inetd.conf", "/etc/rc", NULL};
	for (size_t i = 0; f[i]; i++)
		if (strcmp(p, f[i]) == 0)
			return true;
	return jcs_audit_under(p, "/etc/xinetd.d/");
}

static bool unit_file(const char *p)
{
	return (jcs_audit_under(p, "/etc/systemd/system/") || jcs_audit_under(p, "/lib/systemd/system/") ||
		jcs_audit_under(p, "/usr/lib/systemd/system/")) &&
	       jcs_audit_has_suffix(p, (const char *const[]){".service", ".socket", NULL});
}

static int add_cand(struct state *st, const struct jcs_fw_file *f, unsigned line, const char *text,
		    const struct daemon *d, enum how how)
{
	struct cand *c;

	for (size_t i = 0; i < st->n; i++) /* one per daemon service and file */
		if (strcmp(st->v[i].file, f->path) == 0 &&
		    (st->v[i].d == d || (d && st->v[i].d && strcmp(st->v[i].d->service, d->service) == 0)))
			return 0;
	if (st->n == MAX_CANDIDATES)
		return 0;
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct cand *v = realloc(st->v, cap * sizeof(*v));
		if (!v)
			return JCS_ENOMEM;
		st->v = v;
		st->cap = cap;
	}
	c = &st->v[st->n];
	c->file = strdup(f->path);
	c->container = strdup(f->container ? f->container : "");
	c->text = strdup(text);
	c->line = line;
	c->d = d;
	c->how = how;
	if (!c->file || !c->container || !c->text) {
		free(c->file);
		free(c->container);
		free(c->text);
		return JCS_ENOMEM;
	}
	st->n++;
	return 0;
}

/* Words that stop or test a daemon rather than start it. */
static bool stopping(char **w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w[i], "killall") == 0 || strcmp(w[i], "pkill") == 0 || strcmp(w[i], "kill") == 0 ||
		    strcmp(w[i], "--stop") == 0 || strcmp(w[i], "-K") == 0 || strcmp(w[i], "stop") == 0)
			return true;
	return false;
}

static int scan_lines(struct state *st, const struct jcs_fw_file *f, enum how how)
{
	struct jcs_lines it;
	const char *s;
	size_t n;
	bool xinetd = jcs_audit_under(f->path, "/etc/xinetd.d/");
	int rc = 0;

	if (xinetd) { /* a service with "disable = yes" is off */
		jcs_lines_init(&it, f->data, f->len);
		while (jcs_lines_next(&it, &s, &n)) {
			char line[512], *w[MAX_WORDS];
			size_t nw = jcs_audit_words(jcs_audit_line(line, sizeof(line), s, n), w, MAX_WORDS);
			if (nw >= 2 && strcmp(w[0], "disable") == 0 && strcmp(w[1], "yes") == 0)
				return 0;
		}
	}
	jcs_lines_init(&it, f->data, f->len);
	while (rc == 0 && jcs_lines_next(&it, &s, &n)) {
		char line[1024], copy[1024], *w[MAX_WORDS];
		size_t nw;

		jcs_audit_line(line, sizeof(line), s, n);
		if (!line[0] || line[0] == '#')
			continue;
		if (how == UNIT && strncmp(line, "ExecStart", 9) != 0)
			continue;
		memcpy(copy, line, sizeof(copy));
		nw = jcs_audit_words(copy, w, MAX_WORDS);
		if (stopping(w, nw))
			continue;
		for (size_t i = 0; rc == 0 && i < nw; i++) {
			const struct daemon *d = risky(w[i]);
			if (d) {
				rc = add_cand(st, f, it.lineno, line, d, how);
				continue;
			}
			if (strcmp(jcs_audit_basename(w[i]), "dropbear") == 0 && i + 1 < nw &&
			    w[i][0] != '$') {
				/* dropbear started with explicit options: -s disables password logins */
				bool nopw = false, vars = false;
				for (size_t k = i + 1; k < nw; k++) {
					nopw |= strcmp(w[k], "-s") == 0 || (w[k][0] == '-' && w[k][1] != '-' && strchr(w[k], 's'));
					vars |= w[k][0] == '$';
				}
				if (!nopw && !vars)
					rc = add_cand(st, f, it.lineno, line, NULL, how);
			}
		}
	}
	return rc;
}

static int services_file(void *state, const struct jcs_fw_file *f, struct jcs_audit *au)
{
	struct state *st = state;
	int rc = 0;

	if (f->type == JCS_FW_SYMLINK && f->link &&
	    (jcs_audit_under(f->path, "/etc/rc") || strstr(f->path, ".wants/"))) {
		char buf[1024];
		snprintf(buf, sizeof(buf), "%s\t%s", f->path, f->link);
		rc = jcs_strv_add(&st->links, buf);
	} else if (jcs_audit_is_text(f)) {
		enum how how = ALWAYS;
		bool boot = true;
		if (strcmp(f->path, "/etc/config/dropbear") == 0) {
			struct jcs_lines it;
			const char *s;
			size_t n;
			st->dropbear_uci_seen = true;
			st->dropbear_uci_pw = true; /* PasswordAuth defaults to on */
			jcs_lines_init(&it, f->data, f->len);
			while (jcs_lines_next(&it, &s, &n)) {
				char line[512], *w[8];
				size_t nw = jcs_audit_words(jcs_audit_line(line, sizeof(line), s, n), w, 8);
				if (nw >= 3 && strcmp(w[0], "option") == 0 && strcmp(w[1], "PasswordAuth") == 0) {
					st->dropbear_uci_pw = strcmp(w[2], "on") == 0 || strcmp(w[2], "1") == 0;
					jcs_audit_loc(st->dropbear_uci_loc, sizeof(st->dropbear_uci_loc), f->path,
						      it.lineno);
				}
			}
			if (!st->dropbear_uci_loc[0])
				snprintf(st->dropbear_uci_loc, sizeof(st->dropbear_uci_loc), "%s", f->path);
			boot = false;
		} else if (always_file(f->path))
			how = ALWAYS;
		else if (jcs_audit_under(f->path, "/etc/init.d/") || jcs_audit_under(f->path, "/etc/rc.d/init.d/"))
			how = INITD;
		else if (unit_file(f->path))
			how = UNIT;
		else
			boot = false;
		if (boot) {
			rc = jcs_strv_add(&st->boot, f->path);
			if (rc == 0)
				rc = scan_lines(st, f, how);
		}
	}
	return rc ? jcs_err_set(au->err, rc, "services: %s", jcs_strerror(rc)) : 0;
}

/* Is the init script / unit enabled? Names the deciding link into why. */
static bool enabled(const struct state *st, const struct cand *c, char *why, size_t cap)
{
	const char *base = jcs_audit_basename(c->file);

	if (c->how == ALWAYS) {
		snprintf(why, cap, "run at boot by %s", c->file);
		return true;
	}
	if (c->how == INITD && base[0] == 'S' && base[1] >= '0' && base[1] <= '9') {
		snprintf(why, cap, "init.d script %s runs at boot (S?? name)", c->file);
		return true;
	}
	for (size_t i = 0; i < st->links.n; i++) {
		const char *l = st->links.v[i], *tab = strchr(l, '\t');
		char lpath[512];
		size_t ln = (size_t)(tab - l);
		const char *lbase, *target = tab + 1;
		if (ln >= sizeof(lpath))
			continue;
		memcpy(lpath, l, ln);
		lpath[ln] = 0;
		lbase = jcs_audit_basename(lpath);
		if (c->how == INITD && lbase[0] == 'S' && strcmp(jcs_audit_basename(target), base) == 0) {
			snprintf(why, cap, "enabled by %s -> %s", lpath, target);
			return true;
		}
		if (c->how == UNIT && strstr(lpath, ".wants/") && strcmp(lbase, base) == 0) {
			snprintf(why, cap, "enabled by %s", lpath);
			return true;
		}
	}
	if (c->how == UNIT && strstr(c->file, ".wants/")) {
		snprintf(why, cap, "unit in %s", c->file);
		return true;
	}
	return false;
}

static int services_finish(void *state, struct jcs_audit *au)
{
	struct state *st = state;
	size_t fails = 0;
	char loc[512], why[768];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < st->n; i++) {
		const struct cand *c = &st->v[i];
		json_t *d;
		if (!enabled(st, c, why, sizeof(why)))
			continue;
		fails++;
		d = json_pack("{s:s, s:s, s:s, s:I, s:s}", "service", c->d ? c->d->service : "ssh-password",
			      "started", why, "file", c->file, "line", (json_int_t)c->line, "command", c->text);
		if (*c->container)
			json_object_set_new(d, "container", json_string(c->container));
		jcs_audit_loc(loc, sizeof(loc), c->file, c->line);
		if (c->d)
			rc = jcs_audit_add(au, "fw.service.risky-enabled", JCS_FAIL, c->d->sev, loc, d,
					   "%s (%s) is started at boot: %s", c->d->prog, c->d->service, why);
		else
			rc = jcs_audit_add(au, "fw.service.risky-enabled", JCS_FAIL, JCS_SEV_LOW, loc, d,
					   "dropbear SSH allows password logins (started without -s): %s", why);
	}
	if (rc == 0 && st->dropbear_uci_seen && st->dropbear_uci_pw) {
		fails++;
		rc = jcs_audit_add(au, "fw.service.risky-enabled", JCS_FAIL, JCS_SEV_LOW, st->dropbear_uci_loc,
				   json_pack("{s:s, s:s}", "service", "ssh-password", "file", "/etc/config/dropbear"),
				   "dropbear SSH allows password logins (OpenWrt PasswordAuth on)");
	}
	if (rc == 0 && fails == 0 && st->boot.n)
		rc = jcs_audit_add(au, "fw.service.risky-enabled", JCS_PASS, JCS_SEV_NONE, st->boot.v[0],
				   json_pack("{s:o}", "boot_files", jcs_strv_json(&st->boot)),
				   "No telnet/ftp/tftp/adb/r-service started at boot (%zu boot file(s) read)",
				   st->boot.n);
	return rc;
}

static void services_cleanup(void *state)
{
	struct state *st = state;

	for (size_t i = 0; i < st->n; i++) {
		free(st->v[i].file);
		free(st->v[i].container);
		free(st->v[i].text);
	}
	free(st->v);
	jcs_strv_free(&st->links);
	jcs_strv_free(&st->boot);
}

const struct jcs_audit_rule jcs_rule_services = {
	.name = "services",
	.state_size = sizeof(struct state),
	.file = services_file,
	.finish = services_finish,
	.cleanup = services_cleanup,
};
