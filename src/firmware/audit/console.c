/* Rule "console": fw.console.unauthenticated — a shell on a console or a network port
 * without login: inittab entries that run a shell directly (::askfirst:-/bin/sh,
 * ::respawn:/bin/sh), gettys with autologin (getty -a, agetty --autologin, -n -l /bin/sh),
 * OpenWrt's login.sh with ttylogin off (its default), telnetd -l /bin/sh. */
#include <stdio.h>
#include <string.h>

#include "firmware/audit/audit.h"

#define MAX_WORDS 32

struct state {
	struct jcs_strv consoles; /* files that define consoles (for the pass finding) */
	int fails;
	/* OpenWrt: /usr/libexec/login.sh asks for a password only if system.ttylogin is 1 */
	bool login_sh;
	char login_sh_loc[512];
	bool ttylogin_set, ttylogin;
	char ttylogin_loc[512];
};

static bool is_shell(const char *w)
{
	static const char *const shells[] = {"sh", "ash", "bash", "hush", "msh", "dash", "zsh", "ksh", NULL};
	const char *b;

	if (*w == '-')
		w++;
	b = jcs_audit_basename(w);
	for (size_t i = 0; shells[i]; i++)
		if (strcmp(b, shells[i]) == 0)
			return true;
	return false;
}

static bool word_is(const char *w, const char *name)
{
	return strcmp(jcs_audit_basename(*w == '-' ? w + 1 : w), name) == 0;
}

/* Why a command line gives a shell without login, or NULL. */
static const char *unauthenticated(char **w, size_t n)
{
	if (n == 0)
		return NULL;
	if (is_shell(w[0]))
		return "a shell is started on the console without login";
	if (word_is(w[0], "getty") || word_is(w[0], "agetty") || word_is(w[0], "mingetty")) {
		for (size_t i = 1; i < n; i++) {
			if (strcmp(w[i], "--autologin") == 0 || strcmp(w[i], "-a") == 0)
				return "getty logs a user in automatically (autologin)";
			if ((strcmp(w[i], "-l") == 0 || strcmp(w[i], "--login-program") == 0) && i + 1 < n &&
			    is_shell(w[i + 1]))
				return "getty runs a shell as its login program";
		}
	}
	if (word_is(w[0], "telnetd") || word_is(w[0], "utelnetd"))
		for (size_t k = 1; k + 1 < n; k++)
			if (strcmp(w[k], "-l") == 0 && is_shell(w[k + 1]))
				return "telnetd serves a shell without login (-l shell)";
	return NULL;
}

static int fail(struct jcs_audit *au, const struct jcs_fw_file *f, unsigned line, const char *why,
		const char *text, struct state *st)
{
	char loc[512];
	json_t *d = jcs_audit_details(f, line);

	st->fails++;
	json_object_set_new(d, "entry", json_string(text));
	return jcs_audit_add(au, "fw.console.unauthenticated", JCS_FAIL, JCS_SEV_CRITICAL,
			     jcs_audit_loc(loc, sizeof(loc), f->path, line), d, "%s (%s)", why, text);
}

static bool boot_file(const char *p)
{
	static const char *const dirs[] = {"/etc/init.d/", "/etc/rc.d/", "/etc/systemd/system/",
					   "/lib/systemd/system/", "/usr/lib/systemd/system/", NULL};
	if (strcmp(p, "/etc/inittab") == 0 || strcmp(p, "/etc/rc.local") == 0 ||
	    strcmp(p, "/etc/preinit") == 0)
		return true;
	for (size_t i = 0; dirs[i]; i++)
		if (jcs_audit_under(p, dirs[i]))
			return true;
	return false;
}

static int console_file(void *state, const struct jcs_fw_file *f, struct jcs_audit *au)
{
	struct state *st = state;
	struct jcs_lines it;
	const char *s;
	size_t n;
	bool inittab = strcmp(f->path, "/etc/inittab") == 0;
	bool uci = strcmp(f->path, "/etc/config/system") == 0;
	int rc = 0;

	if (!jcs_audit_is_text(f) || !(boot_file(f->path) || uci))
		return 0;
	jcs_lines_init(&it, f->data, f->len);
	while (rc == 0 && jcs_lines_next(&it, &s, &n)) {
		char line[1024], copy[1024], *w[MAX_WORDS], *cmd;
		size_t nw;
		const char *why;

		jcs_audit_line(line, sizeof(line), s, n);
		if (!line[0] || line[0] == '#')
			continue;
		if (uci) { /* option ttylogin '0' */
			memcpy(copy, line, sizeof(copy));
			nw = jcs_audit_words(copy, w, MAX_WORDS);
			if (nw >= 3 && strcmp(w[0], "option") == 0 && strcmp(w[1], "ttylogin") == 0) {
				st->ttylogin_set = true;
				st->ttylogin = strcmp(w[2], "1") == 0;
				jcs_audit_loc(st->ttylogin_loc, sizeof(st->ttylogin_loc), f->path, it.lineno);
			}
			continue;
		}
		cmd = line;
		if (inittab) { /* id:runlevels:action:process */
			char *p = line;
			for (int k = 0; k < 3 && p; k++)
				p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
			if (!p)
				continue;
			cmd = p;
			if (!jcs_strv_has(&st->consoles, f->path))
				rc = jcs_strv_add(&st->consoles, f->path);
		} else if (strncmp(line, "ExecStart=", 10) == 0) {
			cmd = line + 10;
			while (*cmd == '-' || *cmd == '@' || *cmd == '+' || *cmd == '!')
				cmd++;
		}
		memcpy(copy, cmd, strlen(cmd) + 1);
		nw = jcs_audit_words(copy, w, MAX_WORDS);
		if (nw && word_is(w[0], "login.sh")) {
			st->login_sh = true;
			jcs_audit_loc(st->login_sh_loc, sizeof(st->login_sh_loc), f->path, it.lineno);
			continue;
		}
		why = inittab || cmd != line ? unauthenticated(w, nw) : NULL;
		for (size_t k = 0; !why && k < nw; k++) /* telnetd -l /bin/sh in a boot script */
			if (word_is(w[k], "telnetd") || word_is(w[k], "utelnetd"))
				why = unauthenticated(w + k, nw - k);
		if (why)
			rc = fail(au, f, it.lineno, why, line, st);
	}
	if (rc == 0 && strstr(f->path, "getty") && !jcs_strv_has(&st->consoles, f->path))
		rc = jcs_strv_add(&st->consoles, f->path);
	return rc == JCS_ENOMEM ? jcs_err_set(au->err, rc, "out of memory") : rc;
}

static int console_finish(void *state, struct jcs_audit *au)
{
	struct state *st = state;
	int rc = 0;

	/* OpenWrt: the console runs login.sh, which asks for a password only when
	 * system.ttylogin is 1 (default 0) */
	if ((st->login_sh && !(st->ttylogin_set && st->ttylogin)) || (st->ttylogin_set && !st->ttylogin)) {
		json_t *d = json_object();
		st->fails++;
		if (st->login_sh)
			json_object_set_new(d, "console", json_string(st->login_sh_loc));
		if (st->ttylogin_set)
			json_object_set_new(d, "ttylogin", json_string(st->ttylogin_loc));
		rc = jcs_audit_add(au, "fw.console.unauthenticated", JCS_FAIL, JCS_SEV_CRITICAL,
				   st->ttylogin_set ? st->ttylogin_loc : st->login_sh_loc, d,
				   "Serial console gives a root shell without password (OpenWrt system.ttylogin %s)",
				   st->ttylogin_set ? "is 0" : "unset, default 0");
	}
	if (rc == 0 && st->fails == 0 && st->consoles.n)
		rc = jcs_audit_add(au, "fw.console.unauthenticated", JCS_PASS, JCS_SEV_NONE, st->consoles.v[0],
				   json_pack("{s:o}", "files", jcs_strv_json(&st->consoles)),
				   "Consoles ask for a login (%zu console definition file(s))", st->consoles.n);
	return rc;
}

static void console_cleanup(void *state)
{
	struct state *st = state;
	jcs_strv_free(&st->consoles);
}

const struct jcs_audit_rule jcs_rule_console = {
	.name = "console",
	.state_size = sizeof(struct state),
	.file = console_file,
	.finish = console_finish,
	.cleanup = console_cleanup,
};
