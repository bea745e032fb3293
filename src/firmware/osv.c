/* OSV records (vulnmatch.h): affected[] packages of an ecosystem we can see in firmware
 * package databases (Alpine apk, Debian dpkg) compared by name and version with the
 * ECOSYSTEM/SEMVER range events (introduced, fixed, last_affected) and the versions[] list.
 * GIT ranges name commits, which a binary image does not carry: skipped. Withdrawn records
 * are ignored. */
#include <stdio.h>
#include <string.h>

#include "firmware/version.h"
#include "firmware/vulnmatch.h"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* purl type of the components an ecosystem speaks of, or NULL. */
static const char *eco_type(const char *eco)
{
	if (!eco)
		return NULL;
	if (strncmp(eco, "Alpine", 6) == 0)
		return "apk";
	if (strncmp(eco, "Debian", 6) == 0)
		return "deb";
	if (strncmp(eco, "OpenWrt", 7) == 0)
		return "opkg";
	return NULL;
}

/* Is v inside the range's events? rule gets a description. */
static bool in_range(const char *v, const json_t *range, char *rule, size_t cap)
{
	const json_t *events = json_object_get(range, "events"), *e;
	bool affected = false;
	size_t i, off = 0;

	json_array_foreach(events, i, e) {
		const char *intro = str(e, "introduced"), *fixed = str(e, "fixed"),
			   *last = str(e, "last_affected"), *val = intro ? intro : fixed ? fixed : last;
		if (val && off < cap)
			off += (size_t)snprintf(rule + off, cap - off, " %s %s",
						intro ? "introduced" : fixed ? "fixed" : "last_affected", val);
		if (intro && (strcmp(intro, "0") == 0 || jcs_version_cmp(v, intro) >= 0))
			affected = true;
		else if (fixed && jcs_version_cmp(v, fixed) >= 0)
			affected = false;
		else if (last && jcs_version_cmp(v, last) > 0)
			affected = false;
	}
	return affected;
}

static json_t *osv_cvss(const json_t *rec)
{
	const json_t *sev = json_object_get(rec, "severity"), *s;
	size_t i;

	json_array_foreach(sev, i, s) {
		const char *type = str(s, "type"), *score = str(s, "score");
		if (type && score && strncmp(type, "CVSS_V", 6) == 0)
			return json_pack("{s:s, s:s}", "version",
					 strncmp(score, "CVSS:3.1", 8) == 0 ? "3.1"
					 : strncmp(score, "CVSS:3.0", 8) == 0 ? "3.0"
					 : strncmp(score, "CVSS:4", 6) == 0   ? "4.0"
									      : "2.0",
					 "vector", score);
	}
	return NULL;
}

int jcs_osv_record(struct jcs_vulnmatch *vm, const json_t *rec)
{
	const char *id = str(rec, "id");
	const json_t *aff = json_object_get(rec, "affected"), *a;
	size_t i;
	int rc = 0;

	vm->records++;
	if (!id || json_object_get(rec, "withdrawn"))
		return 0;
	json_array_foreach(aff, i, a) {
		const json_t *pkg = json_object_get(a, "package"), *r, *vv;
		const char *eco = str(pkg, "ecosystem"), *name = str(pkg, "name"), *type = eco_type(eco);
		if (!type || !name)
			continue;
		for (size_t c = 0; rc == 0 && c < jcs_sbom_count(vm->sbom); c++) {
			const struct jcs_component *comp = jcs_sbom_get(vm->sbom, c);
			const char *v = comp->pkg_version;
			char rule[512];
			size_t k;
			bool hit = false;
			if (!comp->pkg_type || strcmp(comp->pkg_type, type) || !v ||
			    (strcmp(comp->name, name) && strcmp(comp->pkg_name, name)))
				continue;
			json_array_foreach(json_object_get(a, "versions"), k, vv)
				if (!hit && json_is_string(vv) && strcmp(json_string_value(vv), v) == 0) {
					hit = true;
					snprintf(rule, sizeof(rule), "OSV %s %s versions[] lists %s", eco, name, v);
				}
			json_array_foreach(json_object_get(a, "ranges"), k, r) {
				const char *rt = str(r, "type");
				int off;
				if (hit || !rt || (strcmp(rt, "ECOSYSTEM") && strcmp(rt, "SEMVER")))
					continue;
				off = snprintf(rule, sizeof(rule), "OSV %s %s %s", eco, name, rt);
				hit = in_range(v, r, rule + off, sizeof(rule) - (size_t)off);
			}
			if (hit)
				rc = jcs_vulnmatch_add(vm, id, "OSV", c, osv_cvss(rec), rule, true,
						       json_deep_copy(json_object_get(rec, "aliases")));
		}
	}
	return rc;
}
