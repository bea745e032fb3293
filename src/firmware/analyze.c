/* Firmware analysis sink (analyze.h). */
#include <stdlib.h>
#include <string.h>

#include "jcstar/catalog.h"
#include "firmware/analyze.h"
#include "firmware/audit/audit.h"
#include "firmware/sbom.h"
#include "firmware/vex.h"
#include "firmware/vulnmatch.h"

#define PROGRESS_FILES 1024
#define PROGRESS_BYTES ((uint64_t)64 << 20)
#define MAX_UNREAD 32

struct jcs_fw_analysis {
	struct jcs_evidence *ev;
	struct jcs_fw_analyze_opts opts;
	struct jcs_audit_opts aopts;
	struct jcs_sbom *sbom;
	struct jcs_fw_prescan pre; /* the SBOM's signature scan, run by decompressing workers */
	void **state; /* per rule */
	size_t nrules;
	struct jcs_err err; /* first error inside the sink */
	struct jcs_fw_analysis_stats stats;
	uint64_t next_files, next_bytes;
	json_t *vulns;
	struct jcs_vex *vex;
	json_t *unread; /* unpack problems (at most MAX_UNREAD kept) */
	bool finished;
};

int jcs_fw_analyze_new(struct jcs_evidence *ev, const struct jcs_fw_analyze_opts *opts,
		       struct jcs_fw_analysis **out, struct jcs_err *err)
{
	struct jcs_fw_analysis *a = calloc(1, sizeof(*a));
	int rc;

	*out = NULL;
	if (!a)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	a->ev = ev;
	if (opts)
		a->opts = *opts;
	a->aopts = (struct jcs_audit_opts){a->opts.jobs, a->opts.crack_work, a->opts.crack_seconds};
	while (jcs_audit_rules[a->nrules])
		a->nrules++;
	a->state = calloc(a->nrules, sizeof(*a->state));
	a->vulns = json_array();
	a->unread = json_array();
	if (!a->state || !a->vulns || !a->unread) {
		jcs_fw_analyze_free(a);
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < a->nrules; i++) {
		a->state[i] = calloc(1, jcs_audit_rules[i]->state_size ? jcs_audit_rules[i]->state_size : 1);
		if (!a->state[i]) {
			jcs_fw_analyze_free(a);
			return jcs_err_set(err, JCS_ENOMEM, "out of memory");
		}
	}
	rc = jcs_sbom_new(&a->sbom, err);
	if (rc == 0 && a->opts.vex)
		rc = jcs_vex_load(a->opts.vex, &a->vex, err);
	if (rc) {
		jcs_fw_analyze_free(a);
		return rc;
	}
	a->next_files = PROGRESS_FILES;
	a->next_bytes = PROGRESS_BYTES;
	*out = a;
	return 0;
}

static int on_file(void *ctx, const struct jcs_fw_file *f)
{
	struct jcs_fw_analysis *a = ctx;
	struct jcs_audit au = {a->ev, &a->err, NULL, &a->aopts};
	int rc = 0;

	a->stats.files++;
	if (f->type == JCS_FW_FILE)
		a->stats.bytes += f->len;
	for (size_t i = 0; rc == 0 && i < a->nrules; i++)
		rc = jcs_audit_rules[i]->file(a->state[i], f, &au);
	if (rc == 0)
		rc = jcs_sbom_file(a->sbom, f, &a->err);
	if (a->opts.progress && (a->stats.files >= a->next_files || a->stats.bytes >= a->next_bytes)) {
		a->opts.progress(a->opts.progress_ctx, a->stats.files, a->stats.bytes, f->path);
		a->next_files = a->stats.files + PROGRESS_FILES;
		a->next_bytes = a->stats.bytes + PROGRESS_BYTES;
	}
	return rc;
}

static void on_problem(void *ctx, const struct jcs_fw_problem *p)
{
	struct jcs_fw_analysis *a = ctx;

	if (p->format && strcmp(p->format, "extract") == 0)
		return; /* read and analysed; only writing it to disk was refused */
	a->stats.problems++;
	if (json_array_size(a->unread) < MAX_UNREAD)
		json_array_append_new(a->unread, json_pack("{s:s, s:I, s:s, s:s}", "container",
							   p->container ? p->container : "", "offset",
							   (json_int_t)p->offset, "format", p->format ? p->format : "",
							   "reason", p->reason ? p->reason : ""));
}

struct jcs_fw_sink jcs_fw_analyze_sink(struct jcs_fw_analysis *a)
{
	struct jcs_fw_sink s = {on_file, on_problem, a, &a->pre};

	a->pre = (struct jcs_fw_prescan){jcs_sbom_prescan, jcs_sbom_prescan_free, a->sbom};
	return s;
}

static enum jcs_severity cvss_sev(const json_t *v)
{
	const json_t *s = json_object_get(json_object_get(v, "cvss"), "score");
	double x;

	if (!json_is_number(s))
		return JCS_SEV_MEDIUM; /* unknown score: not "low" by default */
	x = json_number_value(s);
	return x >= 9.0 ? JCS_SEV_CRITICAL : x >= 7.0 ? JCS_SEV_HIGH : x >= 4.0 ? JCS_SEV_MEDIUM
				     : JCS_SEV_LOW;
}

/* One finding per decided match: fail (affected), inconclusive (depends on the platform, or
 * an upstream NVD range on a distribution package without its advisory), info (fixed by the
 * distribution, not affected per the vendor's VEX). */
static int vuln_finding(struct jcs_audit *au, const struct jcs_component *c, json_t *v)
{
	const json_t *score = json_object_get(json_object_get(v, "cvss"), "score");
	const char *status = json_string_value(json_object_get(v, "status"));
	const char *by = json_string_value(json_object_get(v, "decided_by"));
	enum jcs_result r = strcmp(status, "affected") == 0 ? JCS_FAIL
			    : jcs_vuln_status_clear(status) ? JCS_INFO
							    : JCS_INCONCLUSIVE;
	char cv[32] = "";

	if (json_is_number(score))
		snprintf(cv, sizeof(cv), " (CVSS %.1f)", json_number_value(score));
	return jcs_audit_add(au, "fw.component.vulnerable", r, r == JCS_INFO ? JCS_SEV_NONE : cvss_sev(v),
			     c->files.n ? c->files.v[0] : "", json_deep_copy(v), "%s %s: %s%s%s — %s", c->name,
			     c->version, json_string_value(json_object_get(v, "id")), cv,
			     strcmp(status, "affected-if-platform-matches") == 0
				     ? " if the device is one of the platforms the record names"
			     : strcmp(status, "fixed") == 0 ? " fixed by the distribution"
			     : strcmp(status, "not_affected") == 0 ? " not affected"
			     : strcmp(status, "affected-upstream") == 0 ? " in the upstream range, backport unknown"
								     : "",
			     by ? by : "");
}

/* Package components whose distribution's advisories were not among the feeds. */
static size_t unjudged_packages(const struct jcs_sbom *s, unsigned ecosystems, char *types, size_t cap)
{
	size_t n = 0;

	types[0] = 0;
	for (size_t i = 0; i < jcs_sbom_count(s); i++) {
		const struct jcs_component *c = jcs_sbom_get(s, i);
		if (!c->pkg_type || (jcs_eco_bit(c->pkg_type) & ecosystems))
			continue;
		n++;
		if (!strstr(types, c->pkg_type))
			snprintf(types + strlen(types), cap - strlen(types), "%s%s", types[0] ? ", " : "", c->pkg_type);
	}
	return n;
}

static int vulnerabilities(struct jcs_fw_analysis *a, struct jcs_err *err)
{
	struct jcs_vulnmatch vm = {.sbom = a->sbom, .out = a->vulns, .fixed = json_array()};
	struct jcs_audit au = {a->ev, err, a->unread, &a->aopts};
	json_t *section = jcs_evidence_section(a->ev, "vulnerabilities"), *v, *final = NULL;
	size_t i, open = 0, unjudged;
	char types[64];
	int rc = 0;

	if (!vm.fixed)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	for (i = 0; rc == 0 && i < a->opts.nvulndb; i++)
		rc = jcs_vulndb_scan(&vm, a->opts.vulndb[i], err);
	if (rc == 0 && !(final = jcs_vulnmatch_resolve(&vm, a->vex)))
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
	json_decref(vm.fixed);
	if (rc)
		return rc;
	json_decref(a->vulns);
	a->vulns = final;
	if (a->opts.nvulndb == 0)
		return jcs_audit_add(&au, "fw.component.vulnerable", JCS_INCONCLUSIVE,
				     JCS_SEV_NONE, "", NULL,
				     "No vulnerability feed given (--vulndb): %zu component(s) not checked",
				     jcs_sbom_count(a->sbom));
	json_array_foreach(a->vulns, i, v) {
		const struct jcs_component *c =
			jcs_sbom_get(a->sbom, (size_t)json_integer_value(json_object_get(v, "component_index")));
		open += !jcs_vuln_status_clear(json_string_value(json_object_get(v, "status")));
		rc = vuln_finding(&au, c, v);
		if (rc == 0 && section)
			rc = json_array_append(section, v) ? jcs_err_set(err, JCS_ENOMEM, "out of memory") : 0;
		if (rc)
			return rc;
	}
	a->stats.vulnerabilities = open;
	unjudged = unjudged_packages(a->sbom, vm.ecosystems, types, sizeof(types));
	if (open)
		return 0;
	if (jcs_sbom_count(a->sbom) == 0)
		rc = jcs_audit_add(&au, "fw.component.vulnerable", JCS_INCONCLUSIVE, JCS_SEV_NONE, "", NULL,
				   "No component identified in the image: nothing to match against %zu "
				   "vulnerability record(s)",
				   vm.records);
	else if (unjudged)
		rc = jcs_audit_add(&au, "fw.component.vulnerable", JCS_INCONCLUSIVE, JCS_SEV_NONE, "",
				   json_pack("{s:I, s:s}", "unjudged_packages", (json_int_t)unjudged, "package_types", types),
				   "%zu package component(s) (%s) not judged: no advisories of their distribution "
				   "among the feeds (NVD ranges do not decide for distribution packages)",
				   unjudged, types);
	else
		rc = jcs_audit_add(&au, "fw.component.vulnerable", JCS_PASS, JCS_SEV_NONE, "",
				   json_pack("{s:I, s:I}", "feed_files", (json_int_t)vm.files, "records",
					     (json_int_t)vm.records),
				   "%zu component(s) checked against %zu vulnerability record(s): none known "
				   "vulnerable",
				   jcs_sbom_count(a->sbom), vm.records);
	return rc;
}

/* The coverage section. An input in which nothing was recognised (no container, filesystem or
 * archive: a photo, a truncated download) tested nothing: every firmware check is inconclusive
 * and the evidence incomplete, so no criterion can be judged from it. An image with parts that
 * could not be read is incomplete too (its passes are already inconclusive, jcs_audit_add):
 * not_tested names each unread part. */
static int coverage(struct jcs_fw_analysis *a, struct jcs_err *err)
{
	const struct jcs_catalog *cat = jcs_catalog_get(err);
	bool nothing = a->stats.files == 0;
	json_t *cov;

	if (!cat)
		return err->code;
	if (nothing) {
		static const char why[] = "nothing in the input was recognised as firmware (no container, filesystem or archive)";
		const json_t *found = json_object_get(jcs_evidence_json(a->ev), "findings");

		jcs_evidence_unfinished(a->ev, 0, why);
		for (size_t i = 0; i < cat->nfindings; i++) {
			const char *id = cat->findings[i].id;
			bool have = false;
			size_t k;
			json_t *f;

			if (strncmp(id, "fw.", 3) != 0)
				continue;
			json_array_foreach(found, k, f)
				have = have || strcmp(json_string_value(json_object_get(f, "id")), id) == 0;
			if (!have && jcs_evidence_add(a->ev, id, JCS_INCONCLUSIVE, JCS_SEV_NONE, "",
						      "Not checked: no firmware recognised in the input",
						      json_pack("{s:s}", "reason", why), err))
				return err->code;
		}
	}
	cov = json_pack("{s:b, s:I, s:I, s:I, s:O}", "complete", !nothing && a->stats.problems == 0, "entries",
			(json_int_t)a->stats.files,
			"bytes", (json_int_t)a->stats.bytes, "unread_parts", (json_int_t)a->stats.problems, "unread",
			a->unread);
	if (cov && nothing)
		json_object_set_new(cov, "not_tested",
				    json_pack("[{s:s, s:s}]", "where", jcs_evidence_subject(a->ev), "why",
					      "no container, filesystem or archive recognised"));
	else if (cov && a->stats.problems) {
		json_t *nt = json_array(), *u;
		size_t i;

		json_array_foreach(a->unread, i, u)
			json_array_append_new(nt, json_pack("{s:o, s:O}", "where",
							    json_sprintf("%s at 0x%" JSON_INTEGER_FORMAT " (%s)",
									 json_string_value(json_object_get(u, "container")),
									 json_integer_value(json_object_get(u, "offset")),
									 json_string_value(json_object_get(u, "format"))),
							    "why", json_object_get(u, "reason")));
		json_object_set_new(cov, "not_tested", nt);
	}
	return jcs_evidence_set_coverage(a->ev, cov) ? jcs_err_set(err, JCS_ENOMEM, "out of memory") : 0;
}

int jcs_fw_analyze_finish(struct jcs_fw_analysis *a, struct jcs_err *err)
{
	struct jcs_audit au = {a->ev, err, a->unread, &a->aopts};
	json_t *comps, *section;
	int rc = 0;

	if (a->finished)
		return jcs_err_set(err, JCS_EINVAL, "analysis already finished");
	a->finished = true;
	if (a->err.code)
		return jcs_err_set(err, a->err.code, "%s", a->err.msg);
	for (size_t i = 0; rc == 0 && i < a->nrules; i++)
		rc = jcs_audit_rules[i]->finish(a->state[i], &au);
	if (rc)
		return rc;
	rc = jcs_sbom_finish(a->sbom);
	if (rc)
		return jcs_err_set(err, rc, "out of memory");
	comps = jcs_sbom_json(a->sbom);
	section = jcs_evidence_section(a->ev, "components");
	if (!comps || !section || json_array_extend(section, comps)) {
		json_decref(comps);
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	}
	json_decref(comps);
	a->stats.components = jcs_sbom_count(a->sbom);
	if ((rc = vulnerabilities(a, err)))
		return rc;
	return coverage(a, err);
}

json_t *jcs_fw_analyze_cyclonedx(const struct jcs_fw_analysis *a, const char *subject)
{
	return jcs_sbom_cyclonedx(a->sbom, subject, a->vulns);
}

void jcs_fw_analyze_stats(const struct jcs_fw_analysis *a, struct jcs_fw_analysis_stats *out)
{
	*out = a->stats;
}

void jcs_fw_analyze_free(struct jcs_fw_analysis *a)
{
	if (!a)
		return;
	for (size_t i = 0; a->state && i < a->nrules; i++) {
		if (a->state[i] && jcs_audit_rules[i]->cleanup)
			jcs_audit_rules[i]->cleanup(a->state[i]);
		free(a->state[i]);
	}
	free(a->state);
	jcs_sbom_free(a->sbom);
	json_decref(a->vulns);
	jcs_vex_free(a->vex);
	json_decref(a->unread);
	free(a);
}
