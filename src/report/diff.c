/* jcstar diff: what changed between two reports or two evidence files (jcstar.diff/1).
 * Criteria are matched by id; findings by id, location and (for vulnerability findings) the
 * vulnerability id, in order of appearance when several share that key. Only a change of
 * verdict, result or severity counts: titles carry measurements that differ between runs. */
#include <stdlib.h>
#include <string.h>

#include "jcstar/diff.h"
#include "jcstar/evidence.h"
#include "jcstar/buf.h"
#include "jcstar/digest.h"
#include "report/report.h"

#define MAX_DIFF_INPUT ((size_t)256 << 20)

/* Verdicts from good to bad: conform and not applicable are both fine for a declaration. */
static int verdict_rank(const char *v)
{
	static const char *const names[] = {"conform", "not-applicable", "needs-evidence", "nonconform"};
	static const int rank[] = {0, 0, 1, 2};

	for (size_t i = 0; i < 4; i++)
		if (strcmp(v, names[i]) == 0)
			return rank[i];
	return -1;
}

static int severity_rank(const char *s)
{
	int r = jcs_severity_parse(s);
	return r < 0 ? 0 : r;
}

/* --- loading --- */

static int check_report(const json_t *doc, const char *name, struct jcs_err *err)
{
	const json_t *crit = json_object_get(doc, "criteria"), *f = json_object_get(doc, "findings"), *x;
	json_t *seen;
	size_t i;
	int rc = 0;

	if (!json_is_array(crit) || !json_is_array(f))
		return jcs_err_set(err, JCS_ESCHEMA, "%s: 'criteria' and 'findings' must be arrays", name);
	seen = json_object();
	json_array_foreach(crit, i, x) {
		const char *id = json_string_value(json_object_get(x, "criterion"));
		if (!id || verdict_rank(jcs_rs(x, "verdict")) < 0) {
			rc = jcs_err_set(err, JCS_ESCHEMA, "%s: criteria[%zu] needs a 'criterion' and a known 'verdict'",
					 name, i);
			break;
		}
		if (json_object_get(seen, id)) {
			rc = jcs_err_set(err, JCS_ESCHEMA, "%s: criteria[%zu]: '%s' is listed twice", name, i, id);
			break;
		}
		if (!seen || json_object_set_new(seen, id, json_true())) {
			rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
			break;
		}
	}
	json_decref(seen);
	if (rc)
		return rc;
	json_array_foreach(f, i, x)
		if (!json_is_string(json_object_get(x, "id")) || jcs_result_parse(jcs_rs(x, "result")) < 0)
			return jcs_err_set(err, JCS_ESCHEMA, "%s: findings[%zu] needs an 'id' and a known 'result'",
					   name, i);
	return 0;
}

int jcs_diff_parse(const char *text, size_t len, const char *name, json_t **out, struct jcs_err *err)
{
	struct jcs_evidence *ev = NULL;
	char hex[JCS_SHA256_HEX];
	json_t *root = NULL, *doc = NULL;
	json_error_t je;
	const char *schema, *kind;
	int rc = 0;

	*out = NULL;
	if (jcs_sha256_hex(text, len, hex))
		return jcs_err_set(err, JCS_ECRYPTO, "%s: SHA-256 failed", name);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root && je.column <= 0)
		jcs_json_where(text, len, (size_t)je.position, &je.line, &je.column);
	if (!root)
		return jcs_err_set(err, JCS_EPARSE, "%s:%d:%d: invalid JSON: %s", name, je.line, je.column, je.text);
	schema = json_string_value(json_object_get(root, "schema"));
	if (schema && strcmp(schema, JCS_SCHEMA_EVIDENCE) == 0) {
		rc = jcs_evidence_parse(text, len, name, &ev, err);
		if (rc)
			goto out;
		doc = json_incref((json_t *)jcs_evidence_json(ev));
		kind = "evidence";
	} else if (schema && strcmp(schema, JCS_SCHEMA_REPORT) == 0) {
		rc = check_report(root, name, err);
		if (rc)
			goto out;
		doc = json_incref(root);
		kind = "report";
	} else {
		rc = jcs_err_set(err, JCS_ESCHEMA, "%s: not a %s or %s file ('schema' is missing or different)", name,
				 JCS_SCHEMA_REPORT, JCS_SCHEMA_EVIDENCE);
		goto out;
	}
	*out = json_pack("{s:s, s:s, s:s, s:o}", "file", name, "sha256", hex, "kind", kind, "document", doc);
	if (!*out)
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
out:
	jcs_evidence_free(ev);
	json_decref(root);
	return rc;
}

int jcs_diff_load(const char *path, json_t **out, struct jcs_err *err)
{
	struct jcs_buf b = JCS_BUF_INIT;
	int rc;

	*out = NULL;
	rc = jcs_read_file(path, MAX_DIFF_INPUT, &b, err);
	if (rc == 0)
		rc = jcs_diff_parse(b.data ? b.data : "", b.len, path, out, err);
	jcs_buf_free(&b);
	return rc;
}

/* --- comparing --- */

/* What the header says about one side: file, hash, and what was assessed. */
static json_t *side_json(const json_t *side)
{
	const json_t *d = json_object_get(side, "document"), *p = json_object_get(d, "product");
	json_t *o = json_pack("{s:s, s:s}", "file", jcs_rs(side, "file"), "sha256", jcs_rs(side, "sha256"));

	if (strcmp(jcs_rs(side, "kind"), "report") == 0) {
		json_object_set_new(o, "generated", json_string(jcs_rs(d, "generated")));
		json_object_set_new(o, "product", json_sprintf("%s %s", jcs_rs(p, "vendor"), jcs_rs(p, "model")));
		json_object_set_new(o, "firmware_version", json_string(jcs_rs(p, "firmware_version")));
	} else {
		json_object_set_new(o, "evidence_kind", json_string(jcs_rs(d, "kind")));
		json_object_set_new(o, "subject", json_string(jcs_rs(d, "subject")));
		json_object_set_new(o, "started", json_string(jcs_rs(d, "started")));
		if (*jcs_rs(json_object_get(d, "image"), "sha256"))
			json_object_set_new(o, "image_sha256", json_string(jcs_rs(json_object_get(d, "image"), "sha256")));
	}
	return o;
}

static const json_t *criterion_in(const json_t *criteria, const char *id)
{
	size_t i;
	json_t *c;

	json_array_foreach(criteria, i, c)
		if (strcmp(jcs_rs(c, "criterion"), id) == 0)
			return c;
	return NULL;
}

static json_t *criteria_diff(const json_t *oldc, const json_t *newc)
{
	json_t *out = json_array(), *c;
	size_t i;

	json_array_foreach(newc, i, c) {
		const json_t *o = criterion_in(oldc, jcs_rs(c, "criterion"));
		const char *ov = o ? jcs_rs(o, "verdict") : NULL, *nv = jcs_rs(c, "verdict"), *change;
		if (ov && strcmp(ov, nv) == 0)
			continue;
		if (!ov)
			change = "added";
		else if (verdict_rank(nv) > verdict_rank(ov))
			change = "worse";
		else if (verdict_rank(nv) < verdict_rank(ov))
			change = "better";
		else
			change = "changed";
		json_array_append_new(out, json_pack("{s:s, s:O?, s:s, s:s, s:o}", "criterion", jcs_rs(c, "criterion"),
						     "title", json_object_get(c, "title"), "change",
						     change, "new", nv, "old", ov ? json_string(ov) : json_null()));
	}
	json_array_foreach(oldc, i, c)
		if (!criterion_in(newc, jcs_rs(c, "criterion")))
			json_array_append_new(out, json_pack("{s:s, s:O?, s:s, s:n, s:s}", "criterion",
							     jcs_rs(c, "criterion"), "title", json_object_get(c, "title"), "change",
							     "removed", "new", "old", jcs_rs(c, "verdict")));
	return out;
}

/* The matching key: id, location and, for vulnerability findings, the vulnerability id. */
static void finding_key(const json_t *f, struct jcs_buf *k)
{
	jcs_buf_reset(k);
	jcs_buf_printf(k, "%s\x1f%s\x1f%s", jcs_rs(f, "id"), jcs_rs(f, "location"),
		       jcs_rs(json_object_get(f, "evidence"), "id"));
}

static json_t *finding_side(const json_t *f)
{
	return f ? json_pack("{s:s, s:s, s:s, s:s?}", "result", jcs_rs(f, "result"), "severity",
			     *jcs_rs(f, "severity") ? jcs_rs(f, "severity") : "none", "title", jcs_rs(f, "title"),
			     "source", json_string_value(json_object_get(f, "source")))
		 : json_null();
}

static json_t *finding_entry(const char *change, const json_t *o, const json_t *n)
{
	const json_t *f = n ? n : o;
	bool regression = false;

	if (n && strcmp(jcs_rs(n, "result"), "fail") == 0)
		regression = !o || strcmp(jcs_rs(o, "result"), "fail") ||
			     severity_rank(jcs_rs(n, "severity")) > severity_rank(jcs_rs(o, "severity"));
	return json_pack("{s:s, s:s, s:s, s:b, s:o, s:o}", "id", jcs_rs(f, "id"), "location", jcs_rs(f, "location"),
			 "change", change, "regression", regression, "old", finding_side(o), "new", finding_side(n));
}

static int findings_diff(const json_t *oldf, const json_t *newf, json_t **out)
{
	struct jcs_buf k = JCS_BUF_INIT;
	json_t *pending = json_object(), *res = json_array(), *f, *q;
	const char *key;
	size_t i;
	int rc = JCS_ENOMEM;

	if (!pending || !res)
		goto out;
	/* old findings not yet matched, by key, in order */
	json_array_foreach(oldf, i, f) {
		finding_key(f, &k);
		if (jcs_buf_error(&k) || !k.data)
			goto out;
		q = json_object_get(pending, k.data);
		if (!q && json_object_set_new(pending, k.data, q = json_array()))
			goto out;
		json_array_append_new(q, json_integer((json_int_t)i));
	}
	json_array_foreach(newf, i, f) {
		const json_t *o = NULL;
		finding_key(f, &k);
		if (jcs_buf_error(&k) || !k.data)
			goto out;
		q = json_object_get(pending, k.data);
		if (json_array_size(q)) {
			o = json_array_get(oldf, (size_t)json_integer_value(json_array_get(q, 0)));
			json_array_remove(q, 0);
		}
		if (!o)
			json_array_append_new(res, finding_entry("added", NULL, f));
		else if (strcmp(jcs_rs(o, "result"), jcs_rs(f, "result")) ||
			 severity_rank(jcs_rs(o, "severity")) != severity_rank(jcs_rs(f, "severity")))
			json_array_append_new(res, finding_entry("changed", o, f));
	}
	json_object_foreach(pending, key, q) {
		json_t *idx;
		json_array_foreach(q, i, idx)
			json_array_append_new(res, finding_entry("removed", json_array_get(oldf, (size_t)json_integer_value(idx)), NULL));
	}
	*out = res;
	res = NULL;
	rc = 0;
out:
	jcs_buf_free(&k);
	json_decref(pending);
	json_decref(res);
	return rc;
}

static size_t count(const json_t *arr, const char *key, const char *value)
{
	size_t i, n = 0;
	json_t *x;

	json_array_foreach(arr, i, x)
		n += strcmp(jcs_rs(x, key), value) == 0;
	return n;
}

static size_t count_true(const json_t *arr, const char *key)
{
	size_t i, n = 0;
	json_t *x;

	json_array_foreach(arr, i, x)
		n += json_is_true(json_object_get(x, key));
	return n;
}

int jcs_diff(const json_t *old_side, const json_t *new_side, json_t **out, struct jcs_err *err)
{
	const json_t *od = json_object_get(old_side, "document"), *nd = json_object_get(new_side, "document");
	json_t *crit, *findings = NULL;
	size_t worse, newfail;

	*out = NULL;
	if (strcmp(jcs_rs(old_side, "kind"), jcs_rs(new_side, "kind")))
		return jcs_err_set(err, JCS_EINVAL, "%s is a %s but %s is %s: compare two reports or two evidence files",
				   jcs_rs(old_side, "file"), jcs_rs(old_side, "kind"), jcs_rs(new_side, "file"),
				   jcs_rs(new_side, "kind"));
	crit = criteria_diff(json_object_get(od, "criteria"), json_object_get(nd, "criteria"));
	if (!crit || findings_diff(json_object_get(od, "findings"), json_object_get(nd, "findings"), &findings)) {
		json_decref(crit);
		return jcs_err_set(err, JCS_ENOMEM, "out of memory comparing");
	}
	worse = count(crit, "change", "worse");
	newfail = count_true(findings, "regression");
	*out = json_pack("{s:s, s:s, s:o, s:o, s:{s:b, s:i, s:i, s:i, s:i, s:i, s:i, s:i}, s:o, s:o}", "schema",
			 JCS_SCHEMA_DIFF, "kind", jcs_rs(new_side, "kind"), "old", side_json(old_side), "new",
			 side_json(new_side), "summary", "regression", worse || newfail, "criteria_worse", (int)worse,
			 "criteria_better", (int)count(crit, "change", "better"), "criteria_changed",
			 (int)json_array_size(crit), "findings_added", (int)count(findings, "change", "added"),
			 "findings_removed", (int)count(findings, "change", "removed"), "findings_changed",
			 (int)count(findings, "change", "changed"), "findings_regressed", (int)newfail, "criteria",
			 crit, "findings", findings);
	return *out ? 0 : jcs_err_set(err, JCS_ENOMEM, "out of memory comparing");
}

bool jcs_diff_regression(const json_t *diff)
{
	return json_is_true(json_object_get(json_object_get(diff, "summary"), "regression"));
}

/* --- text --- */

static void side_line(struct jcs_buf *b, const char *label, const json_t *s)
{
	jcs_buf_printf(b, "%s %s (sha256 %.16s…)", label, jcs_rs(s, "file"), jcs_rs(s, "sha256"));
	if (json_object_get(s, "product"))
		jcs_buf_printf(b, ": %s, firmware %s, %s\n", jcs_rs(s, "product"), jcs_rs(s, "firmware_version"),
			       jcs_rs(s, "generated"));
	else
		jcs_buf_printf(b, ": %s %s, %s\n", jcs_rs(s, "evidence_kind"), jcs_rs(s, "subject"), jcs_rs(s, "started"));
}

static const char *res_of(const json_t *side)
{
	return json_is_object(side) ? jcs_rs(side, "result") : "-";
}

char *jcs_diff_text(const json_t *d)
{
	const json_t *sum = json_object_get(d, "summary"), *x;
	struct jcs_buf b = JCS_BUF_INIT;
	size_t i;

	side_line(&b, "old:", json_object_get(d, "old"));
	side_line(&b, "new:", json_object_get(d, "new"));
	if (strcmp(jcs_rs(d, "kind"), "report") == 0) {
		jcs_buf_printf(&b, "\ncriteria: %lld changed (%lld worse, %lld better)\n",
			       (long long)json_integer_value(json_object_get(sum, "criteria_changed")),
			       (long long)json_integer_value(json_object_get(sum, "criteria_worse")),
			       (long long)json_integer_value(json_object_get(sum, "criteria_better")));
		json_array_foreach(json_object_get(d, "criteria"), i, x)
			jcs_buf_printf(&b, "  %-8s  %-14s → %-14s  %-7s  %s\n", jcs_rs(x, "criterion"),
				       json_is_string(json_object_get(x, "old")) ? jcs_rs(x, "old") : "-",
				       json_is_string(json_object_get(x, "new")) ? jcs_rs(x, "new") : "-", jcs_rs(x, "change"),
				       jcs_rs(json_object_get(x, "title"), "en"));
	}
	jcs_buf_printf(&b, "\nfindings: %lld new, %lld removed, %lld changed\n",
		       (long long)json_integer_value(json_object_get(sum, "findings_added")),
		       (long long)json_integer_value(json_object_get(sum, "findings_removed")),
		       (long long)json_integer_value(json_object_get(sum, "findings_changed")));
	json_array_foreach(json_object_get(d, "findings"), i, x) {
		const json_t *o = json_object_get(x, "old"), *n = json_object_get(x, "new");
		const char *mark = strcmp(jcs_rs(x, "change"), "added") == 0 ? "+" :
				   strcmp(jcs_rs(x, "change"), "removed") == 0 ? "-" : "~";
		char res[48];

		snprintf(res, sizeof(res), "%s→%s", res_of(o), res_of(n));
		jcs_buf_printf(&b, "  %s %-19s %-30s %-24s %s%s\n", mark, res, jcs_rs(x, "id"), jcs_rs(x, "location"),
			       jcs_rs(json_is_object(n) ? n : o, "title"),
			       json_is_true(json_object_get(x, "regression")) ? "  [regression]" : "");
	}
	jcs_buf_printf(&b, "\nregression: %s (%lld criteria worse, %lld failing findings new or worse)\n",
		       jcs_diff_regression(d) ? "yes" : "no",
		       (long long)json_integer_value(json_object_get(sum, "criteria_worse")),
		       (long long)json_integer_value(json_object_get(sum, "findings_regressed")));
	return jcs_buf_steal(&b);
}
