/* Firmware analysis sink (analyze.h). */
#include <stdlib.h>
#include <string.h>

#include "jcstar/catalog.h"
#include "firmware/analyze.h"
#include "firmware/audit/audit.h"
#include "firmware/sbom.h"
#include "firmware/vulnmatch.h"

#define PROGRESS_FILES 1024
#define PROGRESS_BYTES ((uint64_t)64 << 20)
#define MAX_UNREAD 32

struct jcs_fw_analysis {
	struct jcs_evidence *ev;
	struct jcs_fw_analyze_opts opts;
	struct jcs_sbom *sbom;
	void **state; /* per rule */
	size_t nrules;
	struct jcs_err err; /* first error inside the sink */
	struct jcs_fw_analysis_stats stats;
	uint64_t next_files, next_bytes;
	json_t *vulns;
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
	struct jcs_audit au = {a->ev, &a->err, NULL};
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

	a->stats.problems++;
	if (json_array_size(a->unread) < MAX_UNREAD)
		json_array_append_new(a->unread, json_pack("{s:s, s:I, s:s, s:s}", "container",
							   p->container ? p->container : "", "offset",
							   (json_int_t)p->offset, "format", p->format ? p->format : "",
							   "reason", p->reason ? p->reason : ""));
}

struct jcs_fw_sink jcs_fw_analyze_sink(struct jcs_fw_analysis *a)
{
	struct jcs_fw_sink s = {on_file, on_problem, a};
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

static int vulnerabilities(struct jcs_fw_analysis *a, struct jcs_err *err)
{
	struct jcs_vulnmatch vm = {a->sbom, a->vulns, 0, 0};
	struct jcs_audit au = {a->ev, err, a->unread};
	json_t *section = jcs_evidence_section(a->ev, "vulnerabilities"), *v;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < a->opts.nvulndb; i++)
		rc = jcs_vulndb_scan(&vm, a->opts.vulndb[i], err);
	if (rc)
		return rc;
	if (a->opts.nvulndb == 0)
		return jcs_audit_add(&au, "fw.component.vulnerable", JCS_INCONCLUSIVE,
				     JCS_SEV_NONE, "", NULL,
				     "No vulnerability feed given (--vulndb): %zu component(s) not checked",
				     jcs_sbom_count(a->sbom));
	json_array_foreach(a->vulns, i, v) {
		const struct jcs_component *c =
			jcs_sbom_get(a->sbom, (size_t)json_integer_value(json_object_get(v, "component_index")));
		const json_t *score = json_object_get(json_object_get(v, "cvss"), "score");
		bool certain = strcmp(json_string_value(json_object_get(v, "status")), "affected") == 0;
		char cv[32] = "";
		if (json_is_number(score))
			snprintf(cv, sizeof(cv), " (CVSS %.1f)", json_number_value(score));
		rc = jcs_audit_add(&au, "fw.component.vulnerable", certain ? JCS_FAIL : JCS_INCONCLUSIVE,
				   cvss_sev(v), c->files.n ? c->files.v[0] : "", json_deep_copy(v),
				   "%s %s: %s%s%s", c->name, c->version,
				   json_string_value(json_object_get(v, "id")), cv,
				   certain ? "" : " if the device is one of the platforms the record names");
		if (rc == 0 && section)
			rc = json_array_append(section, v) ? jcs_err_set(err, JCS_ENOMEM, "out of memory") : 0;
		if (rc)
			return rc;
	}
	a->stats.vulnerabilities = json_array_size(a->vulns);
	if (json_array_size(a->vulns) == 0 && jcs_sbom_count(a->sbom) == 0)
		rc = jcs_audit_add(&au, "fw.component.vulnerable", JCS_INCONCLUSIVE, JCS_SEV_NONE, "", NULL,
				   "No component identified in the image: nothing to match against %zu "
				   "vulnerability record(s)",
				   vm.records);
	else if (json_array_size(a->vulns) == 0)
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
 * and the evidence incomplete, so no criterion can be judged from it. */
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
	cov = json_pack("{s:b, s:I, s:I, s:I, s:O}", "complete", !nothing, "entries", (json_int_t)a->stats.files,
			"bytes", (json_int_t)a->stats.bytes, "unread_parts", (json_int_t)a->stats.problems, "unread",
			a->unread);
	if (cov && nothing)
		json_object_set_new(cov, "not_tested",
				    json_pack("[{s:s, s:s}]", "where", jcs_evidence_subject(a->ev), "why",
					      "no container, filesystem or archive recognised"));
	return jcs_evidence_set_coverage(a->ev, cov) ? jcs_err_set(err, JCS_ENOMEM, "out of memory") : 0;
}

int jcs_fw_analyze_finish(struct jcs_fw_analysis *a, struct jcs_err *err)
{
	struct jcs_audit au = {a->ev, err, a->unread};
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
	json_decref(a->unread);
	free(a);
}
