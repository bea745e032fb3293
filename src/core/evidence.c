/* jcstar.evidence/1: building (producers), serializing and validating (jcstar assess). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jcstar/catalog.h"
#include "jcstar/evidence.h"
#include "jcstar/buf.h"
#include "jcstar/digest.h"

#define MAX_EVIDENCE_BYTES ((size_t)256 << 20)

struct jcs_evidence {
	json_t *root;     /* the document */
	json_t *findings; /* borrowed from root */
	char sha256[JCS_SHA256_HEX]; /* of the parsed bytes; "" when built in memory */
};

static const char *const result_names[] = {"pass", "fail", "info", "inconclusive"};
static const char *const severity_names[] = {"none", "low", "medium", "high", "critical"};
static const char *const sections[] = {"services", "components", "vulnerabilities"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *jcs_result_name(enum jcs_result r)
{
	return (unsigned)r < NELEM(result_names) ? result_names[r] : "?";
}

const char *jcs_severity_name(enum jcs_severity s)
{
	return (unsigned)s < NELEM(severity_names) ? severity_names[s] : "?";
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return JCS_EINVAL;
}

int jcs_result_parse(const char *s)
{
	return name_index(result_names, NELEM(result_names), s);
}

int jcs_severity_parse(const char *s)
{
	return name_index(severity_names, NELEM(severity_names), s);
}

bool jcs_criteria_name(const json_t *criteria, const char *id)
{
	size_t i;
	json_t *c;

	json_array_foreach(criteria, i, c)
		if (json_is_string(c) && strcmp(json_string_value(c), id) == 0)
			return true;
	return false;
}

void jcs_utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct jcs_evidence *jcs_evidence_new(const char *kind, const char *subject)
{
	struct jcs_evidence *ev = calloc(1, sizeof(*ev));
	char now[32];

	if (!ev)
		return NULL;
	jcs_utc_now(now, sizeof(now));
	ev->root = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:[]}", "schema", JCS_SCHEMA_EVIDENCE,
			     "kind", kind, "subject", subject, "tool", "name", "jcstar", "version",
			     jcs_version(), "started", now, "findings");
	if (!ev->root) {
		free(ev);
		return NULL;
	}
	ev->findings = json_object_get(ev->root, "findings");
	return ev;
}

void jcs_evidence_free(struct jcs_evidence *ev)
{
	if (!ev)
		return;
	json_decref(ev->root);
	free(ev);
}

int jcs_evidence_add(struct jcs_evidence *ev, const char *id, enum jcs_result result,
		     enum jcs_severity severity, const char *location, const char *title,
		     json_t *details, struct jcs_err *err)
{
	const struct jcs_catalog *cat = jcs_catalog_get(err);
	const struct jcs_finding_def *def;
	json_t *f, *crit;

	if (!cat) {
		json_decref(details);
		return err ? err->code : JCS_EINVAL;
	}
	def = jcs_catalog_finding(cat, id);
	if (!def) {
		json_decref(details);
		return jcs_err_set(err, JCS_EINVAL, "unknown finding id '%s'", id);
	}
	crit = json_array();
	for (size_t i = 0; crit && def->criteria[i]; i++)
		json_array_append_new(crit, json_string(def->criteria[i]));
	f = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s}", "id", def->id, "criteria", crit, "result",
		      jcs_result_name(result), "severity", jcs_severity_name(severity), "location",
		      location ? location : "", "title", title ? title : def->title.en);
	if (f && details)
		json_object_set_new(f, "evidence", details);
	else
		json_decref(details);
	if (!f || json_array_append_new(ev->findings, f))
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	return 0;
}

json_t *jcs_evidence_section(struct jcs_evidence *ev, const char *section)
{
	json_t *a;

	if (name_index(sections, NELEM(sections), section) < 0)
		return NULL;
	a = json_object_get(ev->root, section);
	if (!a) {
		a = json_array();
		if (!a || json_object_set_new(ev->root, section, a))
			return NULL;
	}
	return a;
}

int jcs_evidence_set_image(struct jcs_evidence *ev, const char *path, struct jcs_err *err)
{
	char hex[JCS_SHA256_HEX];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	uint64_t size = 0;
	json_t *img;
	int rc = jcs_sha256_file(path, hex, &size, err);

	if (rc)
		return rc;
	img = json_pack("{s:s, s:I, s:s}", "file", *base ? base : path, "size", (json_int_t)size, "sha256", hex);
	if (!img || json_object_set_new(ev->root, "image", img))
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	return 0;
}

const char *jcs_evidence_sha256(const struct jcs_evidence *ev)
{
	return ev->sha256;
}

int jcs_evidence_set_coverage(struct jcs_evidence *ev, json_t *coverage)
{
	return coverage && json_object_set_new(ev->root, "coverage", coverage) == 0 ? 0 : JCS_ENOMEM;
}

bool jcs_evidence_complete(const struct jcs_evidence *ev)
{
	return !json_is_false(json_object_get(json_object_get(ev->root, "coverage"), "complete"));
}

size_t jcs_evidence_unfinished(struct jcs_evidence *ev, size_t from, const char *why)
{
	size_t n = 0;

	for (size_t i = from; i < json_array_size(ev->findings); i++) {
		json_t *f = json_array_get(ev->findings, i), *d;

		if (strcmp(json_string_value(json_object_get(f, "result")), "pass") != 0)
			continue;
		json_object_set_new(f, "result", json_string(jcs_result_name(JCS_INCONCLUSIVE)));
		json_object_set_new(f, "title", json_sprintf("Unfinished: %s", json_string_value(json_object_get(f, "title"))));
		if (!json_is_object(d = json_object_get(f, "evidence"))) {
			d = json_object();
			json_object_set_new(f, "evidence", d);
		}
		json_object_set_new(d, "unfinished", json_string(why));
		n++;
	}
	return n;
}

void jcs_evidence_finish(struct jcs_evidence *ev)
{
	char now[32];

	jcs_utc_now(now, sizeof(now));
	json_object_set_new(ev->root, "finished", json_string(now));
}

char *jcs_evidence_dumps(const struct jcs_evidence *ev)
{
	return json_dumps(ev->root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

int jcs_evidence_write(const struct jcs_evidence *ev, const char *path, struct jcs_err *err)
{
	char *s = jcs_evidence_dumps(ev);
	int rc;

	if (!s)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	rc = jcs_write_file_atomic(path, s, strlen(s), err);
	if (rc == 0 && strcmp(path, "-") == 0)
		rc = jcs_write_file_atomic(path, "\n", 1, err);
	free(s);
	return rc;
}

/* --- validation --- */

static int need_string(const json_t *o, const char *key, const char *where, const char *name,
		       bool optional, struct jcs_err *err)
{
	const json_t *v = json_object_get(o, key);

	if (!v && optional)
		return 0;
	if (!json_is_string(v))
		return jcs_err_set(err, JCS_ESCHEMA, "%s: %s: '%s' must be a string", name, where, key);
	return 0;
}

static int validate_finding(const json_t *f, size_t i, const char *name, struct jcs_err *err)
{
	const struct jcs_catalog *cat = jcs_catalog_get(err);
	char where[64];
	const json_t *crit, *c;
	size_t j;
	int rc;

	if (!cat)
		return err ? err->code : JCS_EINVAL;
	snprintf(where, sizeof(where), "findings[%zu]", i);
	if (!json_is_object(f))
		return jcs_err_set(err, JCS_ESCHEMA, "%s: %s must be an object", name, where);
	if ((rc = need_string(f, "id", where, name, false, err)) ||
	    (rc = need_string(f, "result", where, name, false, err)) ||
	    (rc = need_string(f, "severity", where, name, true, err)) ||
	    (rc = need_string(f, "location", where, name, true, err)) ||
	    (rc = need_string(f, "title", where, name, true, err)))
		return rc;
	if (!jcs_catalog_finding(cat, json_string_value(json_object_get(f, "id"))))
		return jcs_err_set(err, JCS_ESCHEMA, "%s: %s: unknown finding id '%s'", name, where,
				   json_string_value(json_object_get(f, "id")));
	if (jcs_result_parse(json_string_value(json_object_get(f, "result"))) < 0)
		return jcs_err_set(err, JCS_ESCHEMA,
				   "%s: %s: result must be pass, fail, info or inconclusive, not '%s'", name,
				   where, json_string_value(json_object_get(f, "result")));
	if (json_object_get(f, "severity") &&
	    jcs_severity_parse(json_string_value(json_object_get(f, "severity"))) < 0)
		return jcs_err_set(err, JCS_ESCHEMA,
				   "%s: %s: severity must be none, low, medium, high or critical", name, where);
	crit = json_object_get(f, "criteria");
	if (crit && !json_is_array(crit))
		return jcs_err_set(err, JCS_ESCHEMA, "%s: %s: 'criteria' must be an array", name, where);
	json_array_foreach(crit, j, c)
		if (!json_is_string(c) || !jcs_catalog_criterion(cat, json_string_value(c)))
			return jcs_err_set(err, JCS_ESCHEMA, "%s: %s: criteria[%zu] is not a known criterion id",
					   name, where, j);
	if (json_object_get(f, "evidence") && !json_is_object(json_object_get(f, "evidence")))
		return jcs_err_set(err, JCS_ESCHEMA, "%s: %s: 'evidence' must be an object", name, where);
	return 0;
}

static bool is_sha256(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* Firmware evidence: the image analysed, {"file", "size", "sha256"} (all optional but typed). */
static int validate_image(const json_t *img, const char *name, struct jcs_err *err)
{
	const json_t *size = json_object_get(img, "size"), *sha = json_object_get(img, "sha256");
	int rc;

	if (!img)
		return 0;
	if (!json_is_object(img))
		return jcs_err_set(err, JCS_ESCHEMA, "%s: 'image' must be an object", name);
	if ((rc = need_string(img, "file", "image", name, true, err)))
		return rc;
	if (size && (!json_is_integer(size) || json_integer_value(size) < 0))
		return jcs_err_set(err, JCS_ESCHEMA, "%s: image: 'size' must be a byte count", name);
	if (sha && !is_sha256(json_string_value(sha)))
		return jcs_err_set(err, JCS_ESCHEMA, "%s: image: 'sha256' must be 64 lowercase hex digits", name);
	return 0;
}

/* Fill criteria from the catalogue when a hand-written file leaves them out, so the
 * verdict engine can rely on them. */
static int normalize_finding(json_t *f)
{
	const struct jcs_catalog *cat = jcs_catalog_get(NULL);
	const struct jcs_finding_def *def;
	json_t *crit;

	if (json_object_get(f, "criteria"))
		return 0;
	def = jcs_catalog_finding(cat, json_string_value(json_object_get(f, "id")));
	crit = json_array();
	for (size_t i = 0; crit && def->criteria[i]; i++)
		json_array_append_new(crit, json_string(def->criteria[i]));
	return crit && json_object_set_new(f, "criteria", crit) == 0 ? 0 : JCS_ENOMEM;
}

int jcs_evidence_parse(const char *text, size_t len, const char *name, struct jcs_evidence **out,
		       struct jcs_err *err)
{
	struct jcs_evidence *ev = NULL;
	json_error_t je;
	json_t *root, *f;
	const char *kind;
	size_t i;
	int rc = 0;

	*out = NULL;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root && je.column <= 0)
		jcs_json_where(text, len, (size_t)je.position, &je.line, &je.column);
	if (!root)
		return jcs_err_set(err, JCS_EPARSE, "%s:%d:%d: invalid JSON: %s", name, je.line, je.column,
				   je.text);
	if (!json_is_object(root)) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "%s: evidence must be a JSON object", name);
		goto out;
	}
	if (!json_is_string(json_object_get(root, "schema")) ||
	    strcmp(json_string_value(json_object_get(root, "schema")), JCS_SCHEMA_EVIDENCE) != 0) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "%s: not a %s file ('schema' is missing or different)",
				 name, JCS_SCHEMA_EVIDENCE);
		goto out;
	}
	if ((rc = need_string(root, "kind", "document", name, false, err)) ||
	    (rc = need_string(root, "subject", "document", name, false, err)))
		goto out;
	kind = json_string_value(json_object_get(root, "kind"));
	if (strcmp(kind, "probe") && strcmp(kind, "firmware") && strcmp(kind, "manual")) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "%s: kind must be probe, firmware or manual, not '%s'",
				 name, kind);
		goto out;
	}
	if (!json_is_array(json_object_get(root, "findings"))) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "%s: 'findings' must be an array", name);
		goto out;
	}
	for (size_t s = 0; s < NELEM(sections); s++) {
		const json_t *a = json_object_get(root, sections[s]);
		if (a && !json_is_array(a)) {
			rc = jcs_err_set(err, JCS_ESCHEMA, "%s: '%s' must be an array", name, sections[s]);
			goto out;
		}
	}
	if ((rc = validate_image(json_object_get(root, "image"), name, err)))
		goto out;
	if (json_object_get(root, "coverage") &&
	    (!json_is_object(json_object_get(root, "coverage")) ||
	     (json_object_get(json_object_get(root, "coverage"), "complete") &&
	      !json_is_boolean(json_object_get(json_object_get(root, "coverage"), "complete"))))) {
		rc = jcs_err_set(err, JCS_ESCHEMA, "%s: 'coverage' must be an object whose 'complete' is a boolean", name);
		goto out;
	}
	json_array_foreach(json_object_get(root, "findings"), i, f) {
		if ((rc = validate_finding(f, i, name, err)))
			goto out;
		if ((rc = normalize_finding(f))) {
			jcs_err_set(err, rc, "%s: out of memory", name);
			goto out;
		}
	}
	ev = calloc(1, sizeof(*ev));
	if (!ev) {
		rc = jcs_err_set(err, JCS_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	ev->root = root;
	ev->findings = json_object_get(root, "findings");
	if (jcs_sha256_hex(text, len, ev->sha256)) {
		rc = jcs_err_set(err, JCS_ECRYPTO, "%s: SHA-256 failed", name);
		jcs_evidence_free(ev);
		root = NULL;
		goto out;
	}
	root = NULL;
	*out = ev;
out:
	json_decref(root);
	return rc;
}

int jcs_evidence_load(const char *path, struct jcs_evidence **out, struct jcs_err *err)
{
	struct jcs_buf b = JCS_BUF_INIT;
	int rc = jcs_read_file(path, MAX_EVIDENCE_BYTES, &b, err);

	if (rc == 0)
		rc = jcs_evidence_parse(b.data ? b.data : "", b.len, path, out, err);
	jcs_buf_free(&b);
	return rc;
}

const char *jcs_evidence_kind(const struct jcs_evidence *ev)
{
	return json_string_value(json_object_get(ev->root, "kind"));
}

const char *jcs_evidence_subject(const struct jcs_evidence *ev)
{
	return json_string_value(json_object_get(ev->root, "subject"));
}

const json_t *jcs_evidence_json(const struct jcs_evidence *ev)
{
	return ev->root;
}

size_t jcs_evidence_count(const struct jcs_evidence *ev)
{
	return json_array_size(ev->findings);
}

void jcs_evidence_get(const struct jcs_evidence *ev, size_t i, struct jcs_finding *out)
{
	const json_t *f = json_array_get(ev->findings, i);
	const char *s;

	out->id = json_string_value(json_object_get(f, "id"));
	out->result = (enum jcs_result)jcs_result_parse(json_string_value(json_object_get(f, "result")));
	s = json_string_value(json_object_get(f, "severity"));
	out->severity = s ? (enum jcs_severity)jcs_severity_parse(s) : JCS_SEV_NONE;
	s = json_string_value(json_object_get(f, "location"));
	out->location = s ? s : "";
	s = json_string_value(json_object_get(f, "title"));
	out->title = s ? s : out->id;
	out->criteria = json_object_get(f, "criteria");
	out->details = json_object_get(f, "evidence");
}
