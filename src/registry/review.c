/* Review on evidence: the attached jcstar.report/1 (docs/report.md) and IPA checklist are
 * parsed and checked when they are attached, compared with the application, and their
 * verdicts decide whether a label may be issued without a recorded override. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "jcstar/digest.h"
#include "registry/registry.h"

#define REPORT_MAX_CRITERIA 1000

static const char *const verdicts[] = {"conform", "nonconform", "needs-evidence", "not-applicable"};

static int verdict_index(const char *v)
{
	for (int i = 0; v && i < 4; i++)
		if (strcmp(v, verdicts[i]) == 0)
			return i;
	return -1;
}

/* A criterion id as the catalogue writes them: "S1.1-01", at most 32 of [A-Za-z0-9.-]. */
static bool criterion_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= 32 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-") == n;
}

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void difference(json_t *diffs, const char *field, const char *app, const char *report)
{
	json_array_append_new(diffs, json_pack("{s:s, s:s, s:s}", "field", field, "application", app ? app : "",
					       "report", report ? report : ""));
}

/* The report's products against the application's: vendor, model numbers, firmware, level. */
static json_t *compare(const json_t *rep, const json_t *app)
{
	const json_t *prod = json_object_get(rep, "product"), *models = json_object_get(app, "models"), *m;
	json_t *diffs = json_array();
	char lv_app[8], lv_rep[8];
	bool model_found = false;
	size_t i, k;

	if (!app)
		return diffs;
	if (strcasecmp(sget(prod, "vendor"), sget(app, "vendor") ? sget(app, "vendor") : "") != 0)
		difference(diffs, "vendor", sget(app, "vendor"), sget(prod, "vendor"));
	json_array_foreach(models, i, m) {
		const json_t *rm;
		model_found |= strcmp(json_string_value(m), sget(prod, "model")) == 0;
		json_array_foreach(json_object_get(prod, "models"), k, rm)
			model_found |= json_is_string(rm) && strcmp(json_string_value(m), json_string_value(rm)) == 0;
	}
	if (!model_found) {
		char *am = json_dumps(models, JSON_COMPACT);
		difference(diffs, "model", am, sget(prod, "model"));
		free(am);
	}
	if (strcmp(sget(prod, "firmware_version"), sget(app, "firmware") ? sget(app, "firmware") : "") != 0)
		difference(diffs, "firmware", sget(app, "firmware"), sget(prod, "firmware_version"));
	snprintf(lv_app, sizeof(lv_app), "%lld", (long long)json_integer_value(json_object_get(app, "level")));
	snprintf(lv_rep, sizeof(lv_rep), "%lld", (long long)json_integer_value(json_object_get(rep, "level")));
	if (strcmp(lv_app, lv_rep) != 0)
		difference(diffs, "level", lv_app, lv_rep);
	return diffs;
}

int jcs_reg_review_report(const char *text, size_t len, const json_t *app, json_t **out, struct jcs_err *err)
{
	json_error_t je;
	json_t *rep = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je), *table = NULL, *c;
	const json_t *prod, *sum, *crit, *counts;
	long long tally[4] = {0};
	bool all_ok = true;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!rep)
		return jcs_err_set(err, JCS_EPARSE, "report: not JSON (line %d: %s)", je.line, je.text);
	prod = json_object_get(rep, "product");
	sum = json_object_get(rep, "summary");
	crit = json_object_get(rep, "criteria");
	counts = json_object_get(sum, "counts");
	if (!json_is_object(rep) || !sget(rep, "schema") || strcmp(sget(rep, "schema"), JCS_SCHEMA_REPORT) != 0) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "report: not a %s document", JCS_SCHEMA_REPORT);
		goto out;
	}
	if (!json_is_integer(json_object_get(rep, "level")) || json_integer_value(json_object_get(rep, "level")) < 1 ||
	    json_integer_value(json_object_get(rep, "level")) > 4 || !sget(prod, "vendor") || !sget(prod, "model") ||
	    !sget(prod, "firmware_version") || !json_is_boolean(json_object_get(sum, "ready")) ||
	    !sget(sum, "statement") || !json_is_array(crit) || json_array_size(crit) == 0 ||
	    json_array_size(crit) > REPORT_MAX_CRITERIA) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "report: needs level 1-4, product {vendor, model, firmware_version}, "
				 "summary {ready, statement} and 1-%d criteria (docs/report.md)", REPORT_MAX_CRITERIA);
		goto out;
	}
	table = json_array();
	json_array_foreach(crit, i, c) {
		int v = verdict_index(sget(c, "verdict"));

		if (!criterion_ok(sget(c, "criterion")) || v < 0) {
			rc = jcs_err_set(err, JCS_ESCHEMA, "report: criterion %zu needs an id and a verdict "
					 "(conform, nonconform, needs-evidence, not-applicable)", i + 1);
			goto out;
		}
		tally[v]++;
		all_ok &= v == 0 || v == 3;
		json_array_append_new(table, json_pack("{s:s, s:s}", "criterion", sget(c, "criterion"), "verdict",
						       verdicts[v]));
	}
	/* the summary must follow from the verdicts (docs/report.md §Verdict rules) */
	if (json_is_true(json_object_get(sum, "ready")) != all_ok) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "report: summary.ready contradicts the criteria's verdicts");
		goto out;
	}
	for (int v = 0; json_is_object(counts) && v < 4; v++)
		if (json_object_get(counts, verdicts[v]) && json_integer_value(json_object_get(counts, verdicts[v])) != tally[v]) {
			rc = jcs_err_set(err, JCS_ESCHEMA, "report: summary.counts.%s is not the number of %s criteria",
					 verdicts[v], verdicts[v]);
			goto out;
		}
	*out = json_pack("{s:b, s:s, s:I, s:{s:I, s:I, s:I, s:I}, s:o, s:o}", "ready", all_ok, "statement",
			 sget(sum, "statement"), "level", json_integer_value(json_object_get(rep, "level")), "counts",
			 "conform", (json_int_t)tally[0], "nonconform", (json_int_t)tally[1], "needs-evidence",
			 (json_int_t)tally[2], "not-applicable", (json_int_t)tally[3], "verdicts", table, "differences",
			 compare(rep, app));
	table = NULL;
	if (!*out)
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
out:
	json_decref(table);
	json_decref(rep);
	return rc;
}

/* IPA's checklist as CSV (jcstar assess --checklist, or the vendor's own): UTF-8 text, a
 * header row naming the criterion column, and every other row starting with an item number
 * or criterion id. Refuses anything else, e.g. "not,a,checklist". */
int jcs_reg_check_checklist(const char *text, size_t len, struct jcs_err *err)
{
	char *s = strndup(text, len), *line, *save = NULL;
	size_t rows = 0;
	int rc = 0;

	if (!s || strlen(s) != len || !jcs_reg_text_ok(s, JCS_REG_ATTACH_MAX, true)) {
		free(s);
		return jcs_err_set(err, JCS_ESCHEMA, "checklist: must be UTF-8 CSV text");
	}
	line = strtok_r(s, "\r\n", &save);
	if (line && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
		line += 3;
	if (!line || (!strstr(line, "適合基準ID") && strncasecmp(line, "criterion", 9) != 0))
		rc = jcs_err_set(err, JCS_ESCHEMA, "checklist: the header must name the criterion column "
				 "(\"適合基準ID\" or \"criterion\"), as jcstar assess --checklist writes it");
	while (!rc && (line = strtok_r(NULL, "\r\n", &save))) {
		char first[40];
		size_t n = strcspn(line, ",");

		if (n == 0 || n >= sizeof(first))
			continue; /* continuation of a quoted multi-line field */
		memcpy(first, line, n);
		first[n] = 0;
		rows += criterion_ok(first);
	}
	if (!rc && rows == 0)
		rc = jcs_err_set(err, JCS_ESCHEMA, "checklist: no criterion rows");
	free(s);
	return rc;
}

int jcs_reg_check_sbom(const char *text, size_t len, struct jcs_err *err)
{
	json_error_t je;
	json_t *bom = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je), *comps, *c;
	const char *fmt;
	size_t i;
	int rc = 0;

	if (!bom)
		return jcs_err_set(err, JCS_ESCHEMA, "sbom: not JSON (line %d, column %d: %s)", je.line, je.column,
				   je.text);
	fmt = json_string_value(json_object_get(bom, "bomFormat"));
	comps = json_object_get(bom, "components");
	if (!fmt || strcmp(fmt, "CycloneDX") != 0 || !json_is_string(json_object_get(bom, "specVersion")))
		rc = jcs_err_set(err, JCS_ESCHEMA, "sbom: must be a CycloneDX JSON document (bomFormat, specVersion)");
	else if (!json_is_array(comps))
		rc = jcs_err_set(err, JCS_ESCHEMA, "sbom: no components array");
	json_array_foreach(comps, i, c)
		if (!rc && !json_is_string(json_object_get(c, "name")))
			rc = jcs_err_set(err, JCS_ESCHEMA, "sbom: component %zu has no name", i);
	json_decref(bom);
	return rc;
}

/* The newest attachment of kind of the application (id in app): its content decoded into
 * *data (caller frees) and checked against the recorded size and SHA-256, its name into
 * name. JCS_ENOTFOUND when it has none; JCS_EDB when the stored content is damaged. */
static int newest_attachment(struct jcs_store *db, const json_t *app, const char *kind, char **data, size_t *len,
			     char name[JCS_REG_TEXT_MAX + 1], struct jcs_err *err)
{
	static const char sql[] = "SELECT content, size, sha256, name FROM attachments WHERE app_id = $1 AND"
				  " kind = $2 ORDER BY id DESC LIMIT 1";
	char id[24], sha[JCS_SHA256_HEX];
	const char *p[] = {id, kind};
	struct jcs_rows r;
	int rc, n;

	*data = NULL;
	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(app, "id")));
	if ((rc = jcs_store_exec(db, sql, 2, p, &r, err)))
		return rc;
	if (r.nrows == 0) {
		rc = JCS_ENOTFOUND;
		goto out;
	}
	if (!(*data = malloc(strlen(jcs_rows_get(&r, 0, 0)) / 4 * 3 + 1))) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	n = EVP_DecodeBlock((unsigned char *)*data, (const unsigned char *)jcs_rows_get(&r, 0, 0),
			    (int)strlen(jcs_rows_get(&r, 0, 0)));
	*len = (size_t)jcs_rows_int(&r, 0, 1);
	if (n < 0 || jcs_rows_int(&r, 0, 1) < 0 || jcs_rows_int(&r, 0, 1) > n ||
	    jcs_sha256_hex(*data, *len, sha) || strcmp(sha, jcs_rows_get(&r, 0, 2)) != 0) {
		rc = jcs_err_set(err, JCS_EDB, "%s attachment: stored content is damaged", kind);
		goto out;
	}
	snprintf(name, JCS_REG_TEXT_MAX + 1, "%s", jcs_rows_get(&r, 0, 3));
out:
	if (rc) {
		free(*data);
		*data = NULL;
	}
	jcs_rows_free(&r);
	return rc;
}

/* The newest report attachment of application id, reviewed against app; *out NULL if none. */
int jcs_reg_app_review(struct jcs_store *db, const json_t *app, json_t **out, struct jcs_err *err)
{
	char name[JCS_REG_TEXT_MAX + 1], sha[JCS_SHA256_HEX], *data = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((rc = newest_attachment(db, app, "report", &data, &len, name, err)))
		return rc == JCS_ENOTFOUND ? 0 : rc;
	if (!(rc = jcs_reg_review_report(data, len, app, out, err))) {
		jcs_sha256_hex(data, len, sha);
		json_object_set_new(*out, "sha256", json_string(sha));
		json_object_set_new(*out, "file", json_string(name));
	}
	free(data);
	return rc;
}

int jcs_reg_app_doc_sha256(struct jcs_store *db, const json_t *app, const char *kind, char out[JCS_SHA256_HEX],
			   struct jcs_err *err)
{
	char name[JCS_REG_TEXT_MAX + 1], *data = NULL;
	size_t len = 0;
	int rc = newest_attachment(db, app, kind, &data, &len, name, err);

	if (!rc)
		jcs_sha256_hex(data, len, out);
	free(data);
	return rc;
}

int jcs_reg_prefill(const char *text, size_t len, json_t **out, struct jcs_err *err)
{
	const json_t *prod, *m;
	json_t *rev = NULL, *rep = NULL, *f, *models;
	const char *type, *model, *v;
	size_t i;
	int rc;

	*out = NULL;
	/* the same checks as a report attachment: a prefill never starts from a broken report */
	if ((rc = jcs_reg_review_report(text, len, NULL, &rev, err)))
		return rc;
	json_decref(rev);
	if (!(rep = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL)))
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	prod = json_object_get(rep, "product");
	model = sget(prod, "model");
	type = sget(prod, "type");
	f = json_pack("{s:s, s:s, s:I}", "vendor", sget(prod, "vendor"), "firmware", sget(prod, "firmware_version"),
		      "level", json_integer_value(json_object_get(rep, "level")));
	models = json_pack("[s]", model);
	if (!f || !models) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	/* the product name as jcstar assess prints it: "NC-200 (network camera)" */
	json_object_set_new(f, "product", type && *type ? json_sprintf("%s (%s)", model, type) : json_string(model));
	if (type && *type)
		json_object_set_new(f, "category", json_string(type));
	json_array_foreach(json_object_get(prod, "models"), i, m)
		if (json_is_string(m) && strcmp(json_string_value(m), model) != 0)
			json_array_append_new(models, json_string(json_string_value(m)));
	json_object_set(f, "models", models);
	if ((v = sget(prod, "support_end")) && jcs_date_valid(v))
		json_object_set_new(f, "support_end", json_string(v));
	if ((v = sget(prod, "security_contact")) && *v)
		json_object_set_new(f, "contact", json_string(v));
	*out = f;
	f = NULL;
out:
	json_decref(f);
	json_decref(models);
	json_decref(rep);
	return rc;
}
