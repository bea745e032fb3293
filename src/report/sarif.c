/* SARIF 2.1.0 for code-scanning in CI: rule ids are finding ids, the JC-STAR criteria they
 * bear on are in the rule and result properties. Failed findings are errors (or warnings
 * for low severity), inconclusive ones notes; passes are not results. */
#include <stdlib.h>
#include <string.h>

#include "jcstar/catalog.h"
#include "report/report.h"

static const char *level_of(const json_t *f)
{
	const char *res = jcs_rs(f, "result"), *sev = jcs_rs(f, "severity");

	if (strcmp(res, "fail") == 0)
		return strcmp(sev, "low") == 0 || strcmp(sev, "none") == 0 ? "warning" : "error";
	return "note";
}

static json_t *location_of(const json_t *f)
{
	const char *loc = jcs_rs(f, "location");

	if (loc[0] == '/') {
		char path[1024];
		const char *colon = strrchr(loc, ':');
		long line = colon ? strtol(colon + 1, NULL, 10) : 0;
		size_t n = colon && line > 0 ? (size_t)(colon - loc) : strlen(loc);
		json_t *phys;

		snprintf(path, sizeof(path), "%.*s", (int)n, loc + 1);
		phys = json_pack("{s:{s:s, s:s}}", "artifactLocation", "uri", path, "uriBaseId", "FIRMWARE_ROOT");
		if (line > 0)
			json_object_set_new(phys, "region", json_pack("{s:I}", "startLine", (json_int_t)line));
		return json_pack("{s:o}", "physicalLocation", phys);
	}
	return json_pack("{s:[{s:s, s:s}]}", "logicalLocations", "name", loc, "kind", "resource");
}

static int render(const json_t *r, struct jcs_buf *out, struct jcs_err *err)
{
	const struct jcs_catalog *cat = jcs_catalog_get(err);
	json_t *rules = json_array(), *results = json_array(), *doc, *f;
	size_t i;
	char *s;

	if (!cat)
		return err->code;
	for (size_t k = 0; k < cat->nfindings; k++) {
		const struct jcs_finding_def *d = &cat->findings[k];
		json_t *crit = json_array();
		for (size_t j = 0; d->criteria[j]; j++)
			json_array_append_new(crit, json_string(d->criteria[j]));
		json_array_append_new(rules, json_pack("{s:s, s:{s:s}, s:{s:s}, s:{s:o, s:[s]}}", "id", d->id,
						       "shortDescription", "text", d->title.en, "fullDescription",
						       "text", d->title.ja, "properties", "jcstar-criteria", crit,
						       "tags", "security"));
	}
	json_array_foreach(json_object_get(r, "findings"), i, f) {
		const char *res = jcs_rs(f, "result");
		char msg[1024];

		if (strcmp(res, "fail") && strcmp(res, "inconclusive"))
			continue;
		snprintf(msg, sizeof(msg), "%s (%s, %s) — %s", jcs_rs(f, "title"), res, jcs_rs(f, "severity"),
			 jcs_rs(f, "location"));
		json_array_append_new(results,
				      json_pack("{s:s, s:s, s:{s:s}, s:[o], s:{s:O, s:s, s:s, s:s}}", "ruleId",
						jcs_rs(f, "id"), "level", level_of(f), "message", "text", msg,
						"locations", location_of(f), "properties", "jcstar-criteria",
						json_object_get(f, "criteria"), "result", res, "severity",
						jcs_rs(f, "severity"), "source", jcs_rs(f, "source")));
	}
	doc = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:o}}, s:o, s:{s:{s:{s:s}}}}]}", "$schema",
			"https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs", "tool",
			"driver", "name", "jcstar", "version", jcs_rs(json_object_get(r, "tool"), "version"),
			"rules", rules, "results", results, "originalUriBaseIds", "FIRMWARE_ROOT", "description",
			"text", "root of the analysed firmware image");
	if (!doc)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory building SARIF");
	s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!s)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	jcs_buf_puts(out, s); /* a failure is sticky in out: jcs_report_render checks it */
	jcs_buf_putc(out, '\n');
	free(s);
	return 0;
}

const struct jcs_report_writer jcs_writer_sarif = {.name = "sarif", .render = render};
