/* Distribution advisories (vulnmatch.h).
 * OSV records: affected[] packages of an ecosystem we can see in firmware package databases
 * (Debian dpkg, Alpine apk, OpenWrt opkg), for the release of the image when the record names
 * one ("Debian:12", "Alpine:v3.19") and the image's release is known, compared by binary or
 * source package name and version (dpkg ordering for Debian) with the ECOSYSTEM/SEMVER range
 * events (introduced, fixed, last_affected) and the versions[] list. A record that covers an
 * installed package whose version is outside its ranges is a fix of that package. GIT ranges
 * name commits, which a binary image does not carry: skipped. Withdrawn records are ignored.
 * Debian security tracker JSON ({source package: {CVE: {releases: {codename: {status,
 * fixed_version}}}}}): for the image's Debian release, "open"/"undetermined" = affected,
 * "resolved" = fixed in fixed_version ("0": never affected). */
#include <stdio.h>
#include <stdlib.h>
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

/* Does the ecosystem's release ("Debian:12", "Alpine:v3.19") fit the image's distribution?
 * An ecosystem without a release, or an image whose release is unknown, fits. */
static bool release_fits(const char *eco, const struct jcs_distro *d)
{
	const char *rel = strchr(eco, ':');
	size_t n;

	if (!rel || !d->version[0])
		return true;
	rel++;
	if (*rel == 'v')
		rel++;
	n = strlen(rel);
	/* "3.19" fits "3.19.1"; "12" fits "12" */
	return strncmp(d->version, rel, n) == 0 && (d->version[n] == 0 || d->version[n] == '.');
}

static int vcmp(const char *type, const char *a, const char *b)
{
	return strcmp(type, "deb") == 0 ? jcs_version_cmp_deb(a, b) : jcs_version_cmp(a, b);
}

/* Is v inside the range's events? rule gets a description; *informative = the range says
 * something about versions (a fix or a last affected version). */
static bool in_range(const char *type, const char *v, const json_t *range, char *rule, size_t cap,
		     bool *informative)
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
		if (fixed || last)
			*informative = true;
		if (intro && (strcmp(intro, "0") == 0 || vcmp(type, v, intro) >= 0))
			affected = true;
		else if (fixed && vcmp(type, v, fixed) >= 0)
			affected = false;
		else if (last && vcmp(type, v, last) > 0)
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

/* The record's other ids: aliases[] and upstream[] (Debian's DEBIAN-CVE-* name the CVE there). */
static json_t *other_ids(const json_t *rec)
{
	json_t *a = json_array(), *x;
	const char *keys[] = {"aliases", "upstream"};
	size_t i;

	for (size_t k = 0; a && k < 2; k++)
		json_array_foreach(json_object_get(rec, keys[k]), i, x)
			if (json_is_string(x))
				json_array_append(a, x);
	return a;
}

static bool names_package(const struct jcs_component *c, const char *name)
{
	return strcmp(c->name, name) == 0 || (c->pkg_name && strcmp(c->pkg_name, name) == 0) ||
	       (c->src_name && strcmp(c->src_name, name) == 0);
}

static int osv_affected(struct jcs_vulnmatch *vm, const json_t *rec, const json_t *a, const json_t *ids)
{
	const json_t *pkg = json_object_get(a, "package"), *r, *vv;
	const char *eco = str(pkg, "ecosystem"), *name = str(pkg, "name"), *type = eco_type(eco);
	const char *id = str(rec, "id");
	int rc = 0;

	if (!type || !name)
		return 0;
	vm->ecosystems |= jcs_eco_bit(type);
	if (!release_fits(eco, jcs_sbom_distro(vm->sbom)))
		return 0;
	for (size_t c = 0; rc == 0 && c < jcs_sbom_count(vm->sbom); c++) {
		const struct jcs_component *comp = jcs_sbom_get(vm->sbom, c);
		const char *v = comp->pkg_version;
		char rule[512] = "", src[64];
		size_t k;
		bool hit = false, informative = false;
		if (!comp->pkg_type || strcmp(comp->pkg_type, type) || !v || !names_package(comp, name))
			continue;
		json_array_foreach(json_object_get(a, "versions"), k, vv) {
			informative = true;
			if (!hit && json_is_string(vv) && strcmp(json_string_value(vv), v) == 0) {
				hit = true;
				snprintf(rule, sizeof(rule), "OSV %s %s versions[] lists %s", eco, name, v);
			}
		}
		json_array_foreach(json_object_get(a, "ranges"), k, r) {
			const char *rt = str(r, "type");
			int off;
			if (hit || !rt || (strcmp(rt, "ECOSYSTEM") && strcmp(rt, "SEMVER")))
				continue;
			off = snprintf(rule, sizeof(rule), "OSV %s %s %s", eco, name, rt);
			hit = in_range(type, v, r, rule + off, sizeof(rule) - (size_t)off, &informative);
		}
		snprintf(src, sizeof(src), "OSV %.*s", (int)strcspn(eco, ":"), eco);
		if (hit)
			rc = jcs_vulnmatch_add(vm, id, src, c, osv_cvss(rec), rule, true, json_deep_copy(ids));
		else if (informative) {
			char why[600];
			/* rule = "OSV ECOSYSTEM NAME TYPE events…" of the last range, or "" (versions[]) */
			snprintf(why, sizeof(why), "%s %s installed, %s%s", comp->pkg_name, v,
				 rule[0] ? "outside" : "not among the listed versions",
				 rule[0] && strchr(rule + 4, ' ') ? strchr(rule + 4, ' ') : "");
			snprintf(src, sizeof(src), "OSV %s advisory %s", eco, id);
			rc = jcs_vulnmatch_fixed(vm, id, ids, c, src, why);
		}
	}
	return rc;
}

int jcs_osv_record(struct jcs_vulnmatch *vm, const json_t *rec)
{
	const char *id = str(rec, "id");
	const json_t *aff = json_object_get(rec, "affected"), *a;
	json_t *ids;
	size_t i;
	int rc = 0;

	vm->records++;
	if (!id || json_object_get(rec, "withdrawn"))
		return 0;
	ids = other_ids(rec);
	if (!ids)
		return JCS_ENOMEM;
	json_array_foreach(aff, i, a)
		if (rc == 0)
			rc = osv_affected(vm, rec, a, ids);
	json_decref(ids);
	return rc;
}

/* {package: {id: {"releases": {...}}}}: judged by the first entry of the first package. */
bool jcs_debian_tracker_doc(const json_t *doc)
{
	void *it = json_object_iter((json_t *)doc);
	const json_t *pkg = it ? json_object_iter_value(it) : NULL;
	void *it2 = json_is_object(pkg) ? json_object_iter((json_t *)pkg) : NULL;

	return it2 && json_is_object(json_object_get(json_object_iter_value(it2), "releases"));
}

int jcs_debian_tracker(struct jcs_vulnmatch *vm, const json_t *doc)
{
	const struct jcs_distro *d = jcs_sbom_distro(vm->sbom);
	const char *pkg, *cve;
	const json_t *cves, *e;
	int rc = 0;

	vm->ecosystems |= JCS_ECO_DEB;
	json_object_foreach((json_t *)doc, pkg, cves) {
		json_object_foreach((json_t *)cves, cve, e) {
			const json_t *rel = json_object_get(json_object_get(e, "releases"), d->codename);
			const char *status = str(rel, "status"), *fixed = str(rel, "fixed_version");
			vm->records++;
			if (!d->codename[0] || !status || strncmp(cve, "CVE-", 4))
				continue;
			for (size_t c = 0; rc == 0 && c < jcs_sbom_count(vm->sbom); c++) {
				const struct jcs_component *comp = jcs_sbom_get(vm->sbom, c);
				char rule[512], src[96];
				bool open = strcmp(status, "open") == 0 || strcmp(status, "undetermined") == 0;
				if (!comp->pkg_type || strcmp(comp->pkg_type, "deb") || !comp->pkg_version ||
				    !names_package(comp, pkg))
					continue;
				snprintf(src, sizeof(src), "Debian security tracker (%s)", d->codename);
				if (!open && !(strcmp(status, "resolved") == 0 && fixed))
					continue;
				if (open || jcs_version_cmp_deb(comp->pkg_version, fixed) < 0) {
					snprintf(rule, sizeof(rule), "Debian tracker %s %s %s: %s%s%s", d->codename, pkg,
						 cve, status, fixed ? ", fixed in " : "", fixed ? fixed : "");
					rc = jcs_vulnmatch_add(vm, cve, src, c, NULL, rule, true, NULL);
				} else {
					snprintf(rule, sizeof(rule), "%s %s installed, %s %s", comp->pkg_name,
						 comp->pkg_version, strcmp(fixed, "0") == 0 ? "never affected"
											 : "fixed in",
						 strcmp(fixed, "0") == 0 ? "" : fixed);
					rc = jcs_vulnmatch_fixed(vm, cve, NULL, c, src, rule);
				}
			}
		}
	}
	return rc;
}
