/* SARIF 2.1.0 for code scanning in CI (GitHub code scanning among others). Rule ids are finding
 * ids and criterion ids; the JC-STAR criteria a result bears on are in its properties.
 *
 * Every result has a physical location with a file path, so that code scanning accepts it:
 * - a firmware finding at a path in the image: that path relative to the image root
 *   (uriBaseId FIRMWARE_ROOT), with the line when the finding names one;
 * - a device finding (or a firmware finding about the whole image): the evidence file that
 *   records it (relative to the directory jcstar assess ran in, uriBaseId %SRCROOT%), with the
 *   endpoint ("tcp/554 (rtsp)" on the device under test) as a logical location;
 * - a criterion the declaration decides (needs evidence, or nonconform without a failed
 *   finding): the declaration at the answer's line, with the local documents it cites as
 *   related locations.
 * Failed findings are errors (warnings for low severity), inconclusive ones notes; passes
 * are not results. run.artifacts lists the declaration and evidence files with their SHA-256. */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jcstar/catalog.h"
#include "report/report.h"

#define SRCROOT "%SRCROOT%"
#define FIRMWARE_ROOT "FIRMWARE_ROOT"

static const char *level_of(const json_t *f)
{
	const char *res = jcs_rs(f, "result"), *sev = jcs_rs(f, "severity");

	if (strcmp(res, "fail") == 0)
		return strcmp(sev, "low") == 0 || strcmp(sev, "none") == 0 ? "warning" : "error";
	return "note";
}

/* A URI reference for a file path (n bytes of it): unreserved characters and '/' as they
 * are, everything else (':' included, so a relative path never reads as a scheme)
 * percent-encoded. An absolute path becomes a file: URI. */
static json_t *uri_of(const char *path, size_t n)
{
	struct jcs_buf b = JCS_BUF_INIT;
	json_t *s;

	if (n && path[0] == '/')
		jcs_buf_puts(&b, "file://");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];
		if (isalnum(c) || strchr("-._~/", c))
			jcs_buf_putc(&b, (char)c);
		else
			jcs_buf_printf(&b, "%%%02X", c);
	}
	s = jcs_buf_error(&b) ? NULL : json_string(b.data ? b.data : "");
	jcs_buf_free(&b);
	return s;
}

/* artifactLocation for a file path as given on the command line (relative to the directory
 * jcstar ran in, or absolute). */
static json_t *artifact(const char *path)
{
	json_t *a = json_pack("{s:o}", "uri", uri_of(path, strlen(path)));

	if (path[0] != '/')
		json_object_set_new(a, "uriBaseId", json_string(SRCROOT));
	return a;
}

static json_t *physical(json_t *artifact_location, long line)
{
	json_t *p = json_pack("{s:o}", "artifactLocation", artifact_location);

	if (line > 0)
		json_object_set_new(p, "region", json_pack("{s:I}", "startLine", (json_int_t)line));
	return p;
}

/* The length of a firmware location's path part and its line: "/etc/x.key:12" → 12, 12. */
static size_t split_line(const char *loc, long *line)
{
	const char *colon = strrchr(loc, ':');
	size_t n = strlen(loc);

	*line = 0;
	if (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    strlen(colon + 1) > 9)
		return n;
	*line = strtol(colon + 1, NULL, 10);
	return (size_t)(colon - loc);
}

static const char *subject_of(const json_t *report, const char *source)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(report, "evidence"), i, e)
		if (strcmp(jcs_rs(e, "file"), source) == 0)
			return jcs_rs(e, "subject");
	return "";
}

static json_t *finding_location(const json_t *report, const json_t *f)
{
	const char *loc = jcs_rs(f, "location"), *source = jcs_rs(f, "source");
	long line;
	size_t n = split_line(loc, &line);
	char fqn[1024];

	if (loc[0] == '/' && n > 1) /* a path inside the firmware image */
		return json_pack("{s:o}", "physicalLocation",
				 physical(json_pack("{s:o, s:s}", "uri", uri_of(loc + 1, n - 1), "uriBaseId",
						    FIRMWARE_ROOT), line));
	snprintf(fqn, sizeof(fqn), "%s %s", subject_of(report, source), *loc ? loc : "(whole subject)");
	return json_pack("{s:o, s:[{s:s, s:s, s:s}]}", "physicalLocation", physical(artifact(source), 0),
			 "logicalLocations", "name", *loc ? loc : "(whole subject)", "fullyQualifiedName", fqn,
			 "kind", "resource");
}

static json_t *finding_result(const json_t *report, const json_t *f)
{
	const char *res = jcs_rs(f, "result");
	char msg[1024], fp[1024];

	snprintf(msg, sizeof(msg), "%s (%s, %s) — %s", jcs_rs(f, "title"), res, jcs_rs(f, "severity"),
		 jcs_rs(f, "location"));
	snprintf(fp, sizeof(fp), "%s|%s|%s", jcs_rs(f, "id"), subject_of(report, jcs_rs(f, "source")),
		 jcs_rs(f, "location"));
	return json_pack("{s:s, s:s, s:{s:s}, s:[o], s:{s:s}, s:{s:O?, s:s, s:s, s:s}}", "ruleId", jcs_rs(f, "id"),
			 "level", level_of(f), "message", "text", msg, "locations", finding_location(report, f),
			 "partialFingerprints", "jcstarFinding/v1", fp, "properties", "jcstar-criteria",
			 json_object_get(f, "criteria"), "result", res, "severity", jcs_rs(f, "severity"),
			 "source", jcs_rs(f, "source"));
}

static bool has_failed_finding(const json_t *c)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(c, "findings"), i, f)
		if (strcmp(jcs_rs(f, "result"), "fail") == 0)
			return true;
	return false;
}

/* A criterion that the declaration decides: needs evidence, or nonconform with no failed
 * finding to point at (the failed findings are results of their own). */
static bool declaration_decides(const json_t *c)
{
	const char *verdict = jcs_rs(c, "verdict");

	return strcmp(verdict, "needs-evidence") == 0 || (strcmp(verdict, "nonconform") == 0 && !has_failed_finding(c));
}

static json_t *criterion_result(const json_t *report, const json_t *c)
{
	const char *verdict = jcs_rs(c, "verdict"), *reason;
	const json_t *d = json_object_get(c, "declaration"), *e;
	json_t *related = json_array(), *r;
	char msg[2048];
	size_t i;

	reason = json_string_value(json_array_get(json_object_get(c, "reasons"), 0));
	snprintf(msg, sizeof(msg), "%s %s: %s — %s", jcs_rs(c, "criterion"), verdict,
		 jcs_rs(json_object_get(c, "title"), "en"), reason ? reason : "");
	json_array_foreach(json_object_get(d, "evidence"), i, e)
		if (*jcs_rs(e, "file"))
			json_array_append_new(related, json_pack("{s:I, s:o, s:{s:s}}", "id", (json_int_t)i,
								 "physicalLocation", physical(artifact(jcs_rs(e, "file")), 0),
								 "message", "text",
								 *jcs_rs(e, "title") ? jcs_rs(e, "title") : jcs_rs(e, "file")));
	r = json_pack("{s:s, s:s, s:{s:s}, s:[{s:o}], s:{s:s}, s:{s:[s], s:s}}", "ruleId", jcs_rs(c, "criterion"),
		      "level", strcmp(verdict, "nonconform") == 0 ? "error" : "warning", "message", "text", msg,
		      "locations", "physicalLocation",
		      physical(artifact(jcs_rs(report, "declaration")),
			       (long)json_integer_value(json_object_get(d, "line"))),
		      "partialFingerprints", "jcstarCriterion/v1", jcs_rs(c, "criterion"), "properties",
		      "jcstar-criteria", jcs_rs(c, "criterion"), "verdict", verdict);
	if (r && json_array_size(related))
		json_object_set(r, "relatedLocations", related);
	json_decref(related);
	return r;
}

static json_t *rules_of(const struct jcs_catalog *cat)
{
	json_t *rules = json_array();

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
	for (size_t k = 0; k < cat->ncriteria; k++) {
		const struct jcs_criterion *c = &cat->criteria[k];
		json_array_append_new(rules, json_pack("{s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:[s], s:[s, s]}}",
						       "id", c->id, "shortDescription", "text", c->title.en,
						       "fullDescription", "text", c->title.ja, "help", "text",
						       c->supply.en, "properties", "jcstar-criteria", c->id,
						       "tags", "security", "jc-star"));
	}
	return rules;
}

/* The declaration and the evidence files, with the SHA-256 of the bytes assessed. */
static json_t *artifacts_of(const json_t *report)
{
	json_t *arts = json_array(), *a;
	const json_t *e;
	size_t i;

	a = json_pack("{s:o, s:[s]}", "location", artifact(jcs_rs(report, "declaration")), "roles", "analysisTarget");
	if (*jcs_rs(report, "declaration_sha256"))
		json_object_set_new(a, "hashes", json_pack("{s:s}", "sha-256", jcs_rs(report, "declaration_sha256")));
	json_array_append_new(arts, a);
	json_array_foreach(json_object_get(report, "evidence"), i, e) {
		a = json_pack("{s:o, s:[s], s:{s:s}}", "location", artifact(jcs_rs(e, "file")), "roles",
			      "analysisTarget", "description", "text", jcs_rs(e, "subject"));
		if (*jcs_rs(e, "sha256"))
			json_object_set_new(a, "hashes", json_pack("{s:s}", "sha-256", jcs_rs(e, "sha256")));
		json_array_append_new(arts, a);
	}
	return arts;
}

static int render(const json_t *r, struct jcs_buf *out, struct jcs_err *err)
{
	const struct jcs_catalog *cat = jcs_catalog_get(err);
	json_t *results, *doc, *f, *c;
	size_t i;
	char *s;

	if (!cat)
		return err->code;
	/* a result that cannot be built fails the whole log: never a silently shorter one */
	results = json_array();
	json_array_foreach(json_object_get(r, "findings"), i, f)
		if ((strcmp(jcs_rs(f, "result"), "fail") == 0 || strcmp(jcs_rs(f, "result"), "inconclusive") == 0) &&
		    json_array_append_new(results, finding_result(r, f)))
			goto oom;
	json_array_foreach(json_object_get(r, "criteria"), i, c)
		if (declaration_decides(c) && json_array_append_new(results, criterion_result(r, c)))
			goto oom;
	doc = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:o}}, s:o, s:o, s:{s:{s:{s:s}}, s:{s:{s:s}}}}]}",
			"$schema", "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs",
			"tool", "driver", "name", "jcstar", "version", jcs_rs(json_object_get(r, "tool"), "version"),
			"rules", rules_of(cat),
			"artifacts", artifacts_of(r), "results", results, "originalUriBaseIds", FIRMWARE_ROOT,
			"description", "text", "root of the analysed firmware image", SRCROOT, "description",
			"text", "the directory jcstar assess ran in (file names in the report are relative to it)");
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
oom:
	json_decref(results);
	return jcs_err_set(err, JCS_ENOMEM, "out of memory building SARIF");
}

const struct jcs_report_writer jcs_writer_sarif = {.name = "sarif", .render = render};
