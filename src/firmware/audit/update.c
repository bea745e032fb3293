/* Rule "update": fw.update.mechanism (S1.1-06) and fw.update.signature (S1.1-08).
 * Each known update mechanism is a row of the table below: the programs that show it is
 * installed, the configuration files that show it just as well (read whether or not the
 * program was recognised: a stripped or renamed opkg still reads /etc/opkg.conf), the files
 * where its verification is configured, the lines that show the verification (all words of
 * one "a && b" entry on one line) or, for tools that verify unless told not to, the lines
 * that turn verification off, and where its public keys live. Every finding names the files
 * that decided it. */
#include <stdio.h>
#include <string.h>

#include "firmware/audit/audit.h"

#define N(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct mechanism {
	const char *name;
	const char *const *present;   /* programs: any of these paths */
	const char *const *configured; /* its own configuration files: they show it too */
	const char *const *config;    /* files (or directory prefixes ending in /) to search */
	const char *const *verify;    /* line patterns: "word && word"; NULL = verifies by default */
	const char *const *off;       /* line patterns that turn verification off */
	const char *const *keys;      /* a file under one of these prefixes = a public key */
	enum jcs_result unverified;   /* when no verification is found */
} mechanisms[] = {
	{"sysupgrade", N("/sbin/sysupgrade"), N("/lib/upgrade/common.sh", "/lib/upgrade/platform.sh"),
	 N("/sbin/sysupgrade", "/lib/upgrade/", "/etc/sysupgrade.conf"),
	 N("usign && -V", "signify && -V", "openssl && -verify", "gpg && --verify", "ucert && -V",
	   "REQUIRE_IMAGE_SIGNATURE=1"),
	 N(""), N("/etc/opkg/keys/", "/etc/sysupgrade/keys/", "/etc/signify/"), JCS_FAIL},
	{"opkg", N("/bin/opkg", "/usr/bin/opkg"), N("/etc/opkg.conf", "/etc/opkg/distfeeds.conf"),
	 N("/etc/opkg.conf", "/etc/opkg/"), N("option && check_signature"), N(""), N("/etc/opkg/keys/"),
	 JCS_FAIL},
	{"apk", N("/sbin/apk", "/usr/bin/apk"), N("/etc/apk/repositories", "/etc/apk/world"),
	 N("/etc/apk/", "/etc/init.d/", "/etc/periodic/"), NULL, N("--allow-untrusted"),
	 N("/etc/apk/keys/", "/usr/share/apk/keys/"), JCS_FAIL},
	{"SWUpdate", N("/usr/bin/swupdate", "/usr/sbin/swupdate"), N("/etc/swupdate.cfg"),
	 N("/etc/swupdate.cfg", "/etc/swupdate/", "/etc/default/swupdate", "/etc/init.d/",
	   "/lib/systemd/system/", "/etc/systemd/system/"),
	 N("public-key-file", "swupdate && -k", "SWUPDATE_ARGS && -k"), N(""), N(""), JCS_INCONCLUSIVE},
	{"RAUC", N("/usr/bin/rauc", "/usr/sbin/rauc"), N("/etc/rauc/system.conf"), N("/etc/rauc/system.conf"),
	 N("[keyring]"), N(""), N(""), JCS_INCONCLUSIVE},
	{"Mender", N("/usr/bin/mender", "/usr/bin/mender-update"), N("/etc/mender/mender.conf"),
	 N("/etc/mender/mender.conf"), N("ArtifactVerifyKey"), N(""), N(""), JCS_FAIL},
	{"fwupd", N("/usr/libexec/fwupd/fwupd", "/usr/bin/fwupdmgr"), N("/etc/fwupd/fwupd.conf"),
	 N("/etc/fwupd/remotes.d/"), N("Keyring && jcat", "Keyring && gpg", "Keyring && pkcs7"), N(""),
	 N("/etc/pki/fwupd/", "/etc/pki/fwupd-metadata/"), JCS_INCONCLUSIVE},
};

#define NMECH (sizeof(mechanisms) / sizeof(mechanisms[0]))

struct mstate {
	char present[256];  /* the program that showed it */
	char configured[256]; /* its configuration file that showed it */
	char verify[512];   /* "file:line" of the verification, "" if none */
	char off[512];      /* "file:line" that turns verification off, "" if none */
	char key[256];      /* a public key file */
	struct jcs_strv read; /* configuration files read */
};

struct state {
	struct mstate m[NMECH];
};

static bool listed(const char *path, const char *const *list)
{
	for (size_t i = 0; list[i]; i++) {
		size_t n = strlen(list[i]);
		if (n == 0)
			continue;
		if (list[i][n - 1] == '/' ? strncmp(path, list[i], n) == 0 : strcmp(path, list[i]) == 0)
			return true;
	}
	return false;
}

/* Every "&&"-separated word of pattern occurs in line. */
static bool line_has(const char *line, const char *pattern)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", pattern);
	for (char *w = strtok_r(buf, "&", &save); w; w = strtok_r(NULL, "&", &save)) {
		char *s = w, *e = w + strlen(w);
		while (*s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			*--e = 0;
		if (*s && !strstr(line, s))
			return false;
	}
	return true;
}

/* The first line of the file matching one of patterns, as "file:line" into out. */
static void find_line(const struct jcs_fw_file *f, const char *const *patterns, char *out, size_t cap)
{
	struct jcs_lines it;
	const char *s;
	size_t n;

	jcs_lines_init(&it, f->data, f->len);
	while (!out[0] && jcs_lines_next(&it, &s, &n)) {
		char line[1024];
		jcs_audit_line(line, sizeof(line), s, n);
		if (!line[0] || line[0] == '#')
			continue;
		for (size_t k = 0; patterns[k]; k++)
			if (patterns[k][0] && line_has(line, patterns[k])) {
				jcs_audit_loc(out, cap, f->path, it.lineno);
				break;
			}
	}
}

static int update_file(void *state, const struct jcs_fw_file *f, struct jcs_audit *au)
{
	struct state *st = state;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < NMECH; i++) {
		const struct mechanism *m = &mechanisms[i];
		struct mstate *ms = &st->m[i];
		if (!ms->present[0] && f->type != JCS_FW_DIR && listed(f->path, m->present))
			snprintf(ms->present, sizeof(ms->present), "%s", f->path);
		if (!ms->configured[0] && f->type == JCS_FW_FILE && listed(f->path, m->configured))
			snprintf(ms->configured, sizeof(ms->configured), "%s", f->path);
		if (!ms->key[0] && f->type == JCS_FW_FILE && listed(f->path, m->keys))
			snprintf(ms->key, sizeof(ms->key), "%s", f->path);
		if (listed(f->path, m->config) && jcs_audit_is_text(f)) {
			if (ms->read.n < 16 && !jcs_strv_has(&ms->read, f->path))
				rc = jcs_strv_add(&ms->read, f->path);
			if (m->verify && !ms->verify[0])
				find_line(f, m->verify, ms->verify, sizeof(ms->verify));
			if (!ms->off[0])
				find_line(f, m->off, ms->off, sizeof(ms->off));
		}
	}
	return rc ? jcs_err_set(au->err, rc, "out of memory") : 0;
}

static int update_finish(void *state, struct jcs_audit *au)
{
	struct state *st = state;
	json_t *found = json_array();
	char names[256] = "";
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < NMECH; i++) {
		const struct mechanism *m = &mechanisms[i];
		struct mstate *ms = &st->m[i];
		bool needs_key = m->keys[0][0] != 0, ok;
		const char *shown = ms->present[0] ? ms->present : ms->configured;
		json_t *d;
		if (!shown[0])
			continue;
		if (!m->verify && !ms->off[0]) /* verifies unless turned off */
			snprintf(ms->verify, sizeof(ms->verify), "%s (verifies by default)", shown);
		json_array_append_new(found, json_pack("{s:s, s:s}", "mechanism", m->name, "file", shown));
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", names[0] ? ", " : "",
			 m->name);
		ok = ms->verify[0] && !ms->off[0] && (!needs_key || ms->key[0]);
		d = json_pack("{s:s, s:s, s:o}", "mechanism", m->name, "installed", shown,
			      "config_read", jcs_strv_json(&ms->read));
		if (ms->verify[0])
			json_object_set_new(d, "verification", json_string(ms->verify));
		if (ms->key[0])
			json_object_set_new(d, "public_key", json_string(ms->key));
		if (ms->off[0]) {
			json_object_set_new(d, "verification_off", json_string(ms->off));
			rc = jcs_audit_add(au, "fw.update.signature", JCS_FAIL, JCS_SEV_HIGH, ms->off, d,
					   "%s: signature verification turned off (%s)", m->name, ms->off);
		} else if (ok)
			rc = jcs_audit_add(au, "fw.update.signature", JCS_PASS, JCS_SEV_NONE, ms->verify, d,
					   "%s verifies update signatures (%s%s%s)", m->name, ms->verify,
					   ms->key[0] ? ", key " : "", ms->key);
		else if (ms->verify[0])
			rc = jcs_audit_add(au, "fw.update.signature", JCS_INCONCLUSIVE, JCS_SEV_MEDIUM,
					   ms->verify, d,
					   "%s calls a signature check (%s) but no public key was found",
					   m->name, ms->verify);
		else
			rc = jcs_audit_add(au, "fw.update.signature", m->unverified,
					   m->unverified == JCS_FAIL ? JCS_SEV_HIGH : JCS_SEV_MEDIUM, shown,
					   d, "%s (%s): %s", m->name, shown,
					   m->unverified == JCS_FAIL
						   ? "no signature verification of updates found"
						   : "signature verification not visible in its configuration");
	}
	if (rc == 0 && json_array_size(found))
		rc = jcs_audit_add(au, "fw.update.mechanism", JCS_PASS, JCS_SEV_NONE,
				   json_string_value(json_object_get(json_array_get(found, 0), "file")),
				   json_pack("{s:O}", "mechanisms", found), "Software update mechanism: %s",
				   names);
	else if (rc == 0) {
		rc = jcs_audit_add(au, "fw.update.mechanism", JCS_INCONCLUSIVE, JCS_SEV_NONE, "", NULL,
				   "No known update mechanism (sysupgrade, opkg, apk, SWUpdate, RAUC, Mender, "
				   "fwupd) in the image; a vendor-specific one needs evidence");
		if (rc == 0)
			rc = jcs_audit_add(au, "fw.update.signature", JCS_INCONCLUSIVE, JCS_SEV_NONE, "",
					   NULL, "No known update mechanism whose signature check could be read");
	}
	json_decref(found);
	return rc;
}

static void update_cleanup(void *state)
{
	struct state *st = state;
	for (size_t i = 0; i < NMECH; i++)
		jcs_strv_free(&st->m[i].read);
}

const struct jcs_audit_rule jcs_rule_update = {
	.name = "update",
	.state_size = sizeof(struct state),
	.file = update_file,
	.finish = update_finish,
	.cleanup = update_cleanup,
};
