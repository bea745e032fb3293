/* Rule "reset": fw.reset.mechanism (S1.1-15) — a way to wipe user data and settings:
 * OpenWrt firstboot/jffs2reset, factory-reset tools and targets, and reset-button handlers that
 * call them. Pass names the tools and handlers; nothing found is inconclusive (the bootloader
 * or a vendor UI may do it). */
#include <stdio.h>
#include <string.h>

#include "firmware/audit/audit.h"

static const char *const tools[] = {"/sbin/firstboot", "/usr/sbin/firstboot", "/sbin/jffs2reset",
				    "/usr/sbin/jffs2reset", "/sbin/jffs2mark", "/usr/sbin/factory_reset",
				    "/usr/sbin/factory-reset", "/usr/bin/factory-reset",
				    "/lib/systemd/system/factory-reset.target",
				    "/usr/lib/systemd/system/factory-reset.target",
				    "/lib/systemd/system/systemd-factory-reset.service", NULL};
/* what a handler calls to wipe */
static const char *const wipes[] = {"firstboot", "jffs2reset", "factory_reset", "factory-reset",
				    "mtd -r erase", "mtd erase", "factory-reset.target", NULL};

struct state {
	struct jcs_strv tools, handlers;
};

static bool handler_file(const char *p)
{
	return jcs_audit_under(p, "/etc/rc.button/") || jcs_audit_under(p, "/etc/hotplug.d/button/") ||
	       jcs_audit_under(p, "/etc/triggerhappy/") || jcs_audit_under(p, "/etc/acpi/") ||
	       jcs_audit_under(p, "/www/cgi-bin/") || jcs_audit_under(p, "/usr/lib/lua/luci/");
}

static int reset_file(void *state, const struct jcs_fw_file *f, struct jcs_audit *au)
{
	struct state *st = state;
	int rc = 0;

	for (size_t i = 0; tools[i]; i++)
		if (strcmp(f->path, tools[i]) == 0 && f->type != JCS_FW_DIR)
			rc = jcs_strv_add(&st->tools, f->path);
	if (rc == 0 && handler_file(f->path) && jcs_audit_is_text(f) && st->handlers.n < 16) {
		struct jcs_lines it;
		const char *s;
		size_t n;
		bool hit = false;
		jcs_lines_init(&it, f->data, f->len);
		while (!hit && jcs_lines_next(&it, &s, &n)) {
			char line[1024], loc[512];
			jcs_audit_line(line, sizeof(line), s, n);
			if (line[0] == '#')
				continue;
			for (size_t k = 0; wipes[k] && !hit; k++)
				if (strstr(line, wipes[k])) {
					hit = true;
					rc = jcs_strv_add(&st->handlers, jcs_audit_loc(loc, sizeof(loc), f->path, it.lineno));
				}
		}
	}
	return rc ? jcs_err_set(au->err, rc, "out of memory") : 0;
}

static int reset_finish(void *state, struct jcs_audit *au)
{
	struct state *st = state;

	if (st->tools.n == 0 && st->handlers.n == 0)
		return jcs_audit_add(au, "fw.reset.mechanism", JCS_INCONCLUSIVE, JCS_SEV_NONE, "", NULL,
				     "No factory-reset tool or reset-button handler found in the image");
	return jcs_audit_add(au, "fw.reset.mechanism", JCS_PASS, JCS_SEV_NONE,
			     st->handlers.n ? st->handlers.v[0] : st->tools.v[0],
			     json_pack("{s:o, s:o}", "tools", jcs_strv_json(&st->tools), "handlers",
				       jcs_strv_json(&st->handlers)),
			     "Factory reset: %s%s%s", st->tools.n ? st->tools.v[0] : "",
			     st->tools.n && st->handlers.n ? ", triggered by " : "",
			     st->handlers.n ? st->handlers.v[0] : "");
}

static void reset_cleanup(void *state)
{
	struct state *st = state;
	jcs_strv_free(&st->tools);
	jcs_strv_free(&st->handlers);
}

const struct jcs_audit_rule jcs_rule_reset = {
	.name = "reset",
	.state_size = sizeof(struct state),
	.file = reset_file,
	.finish = reset_finish,
	.cleanup = reset_cleanup,
};
