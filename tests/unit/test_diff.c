/* jcstar diff: criteria and findings matched and classified; regressions flagged only when
 * something got worse; a clean twin (identical sides) gives an empty diff. */
#include <stdlib.h>

#include "t.h"

#include "jcstar/diff.h"

static json_t *finding(const char *id, const char *loc, const char *res, const char *sev, const char *title)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "location", loc, "result", res, "severity", sev,
			 "title", title);
}

/* A report side with S1.1-01 and S1.1-04 verdicts and the given findings (stolen). */
static json_t *report(const char *file, const char *v01, const char *v04, json_t *findings)
{
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:{s:s, s:s, s:s}, s:[{s:s, s:s}, {s:s, s:s}], s:o}}", "file",
			 file, "sha256", "00", "kind", "report", "document", "schema", "jcstar.report/1", "generated",
			 "2026-11-26T00:00:00Z", "product", "vendor", "Acme", "model", "NC-200", "firmware_version",
			 "2.4.1", "criteria", "criterion", "S1.1-01", "verdict", v01, "criterion", "S1.1-04",
			 "verdict", v04, "findings", findings);
}

static const json_t *entry(const json_t *d, const char *section, const char *key, const char *value)
{
	size_t i;
	json_t *x;

	json_array_foreach(json_object_get(d, section), i, x)
		if (strcmp(json_string_value(json_object_get(x, key)), value) == 0)
			return x;
	return NULL;
}

static long long sum(const json_t *d, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(d, "summary"), k));
}

T_TEST(identical_sides_no_change)
{
	json_t *a = report("a.json", "conform", "needs-evidence",
			   json_pack("[o, o]", finding("probe.auth.none", "tcp/23 (telnet)", "fail", "high", "t"),
				     finding("probe.auth.none", "tcp/80 (http)", "pass", "none", "t")));
	json_t *d = NULL;
	char *text;

	T_EQ_INT(jcs_diff(a, a, &d, NULL), 0);
	T_EQ_INT(json_array_size(json_object_get(d, "criteria")), 0);
	T_EQ_INT(json_array_size(json_object_get(d, "findings")), 0);
	T_ASSERT(!jcs_diff_regression(d));
	text = jcs_diff_text(d);
	T_CONTAINS(text, "regression: no");
	free(text);
	json_decref(d);
	json_decref(a);
}

T_TEST(worse_and_new_failure_regress)
{
	json_t *a = report("a.json", "conform", "needs-evidence",
			   json_pack("[o, o, o]", finding("probe.auth.none", "tcp/80 (http)", "pass", "none", "ok"),
				     finding("probe.auth.bruteforce", "tcp/80 (http)", "inconclusive", "none", "?"),
				     finding("fw.secret.private-key", "/etc/a.key:1", "fail", "high", "key")));
	/* the title of the first changes only (a measurement): not a change */
	json_t *b = report("b.json", "nonconform", "conform",
			   json_pack("[o, o, o]", finding("probe.auth.none", "tcp/80 (http)", "pass", "none", "ok 12 ms"),
				     finding("probe.auth.bruteforce", "tcp/80 (http)", "pass", "none", "throttled"),
				     finding("probe.auth.none", "tcp/23 (telnet)", "fail", "critical", "open")));
	const json_t *x;
	json_t *d = NULL;
	char *text;

	T_EQ_INT(jcs_diff(a, b, &d, NULL), 0);
	x = entry(d, "criteria", "criterion", "S1.1-01");
	T_ASSERT(x && strcmp(json_string_value(json_object_get(x, "change")), "worse") == 0);
	x = entry(d, "criteria", "criterion", "S1.1-04");
	T_ASSERT(x && strcmp(json_string_value(json_object_get(x, "change")), "better") == 0);
	T_EQ_INT(sum(d, "criteria_worse"), 1);
	T_EQ_INT(sum(d, "criteria_better"), 1);
	T_EQ_INT(sum(d, "findings_added"), 1);
	T_EQ_INT(sum(d, "findings_removed"), 1);
	T_EQ_INT(sum(d, "findings_changed"), 1);
	T_EQ_INT(sum(d, "findings_regressed"), 1);
	T_EQ_INT(json_array_size(json_object_get(d, "findings")), 3);
	x = entry(d, "findings", "location", "tcp/23 (telnet)");
	T_ASSERT(x && json_is_true(json_object_get(x, "regression")) && json_is_null(json_object_get(x, "old")));
	x = entry(d, "findings", "location", "/etc/a.key:1");
	T_ASSERT(x && strcmp(json_string_value(json_object_get(x, "change")), "removed") == 0 &&
		 !json_is_true(json_object_get(x, "regression")));
	T_ASSERT(jcs_diff_regression(d));
	text = jcs_diff_text(d);
	T_CONTAINS(text, "S1.1-01   conform        → nonconform      worse");
	T_CONTAINS(text, "+ -→fail");
	T_CONTAINS(text, "regression: yes");
	free(text);
	json_decref(d);

	/* the other way round: S1.1-04 conform → needs-evidence is worse, the key is a new failure */
	T_EQ_INT(jcs_diff(b, a, &d, NULL), 0);
	T_EQ_INT(sum(d, "criteria_worse"), 1);
	T_EQ_INT(sum(d, "criteria_better"), 1);
	T_EQ_INT(sum(d, "findings_regressed"), 1);
	T_ASSERT(json_is_true(json_object_get(entry(d, "findings", "location", "/etc/a.key:1"), "regression")));
	T_ASSERT(jcs_diff_regression(d));
	json_decref(d);
	json_decref(a);
	json_decref(b);
}

T_TEST(improvements_only)
{
	json_t *a = report("a.json", "nonconform", "needs-evidence",
			   json_pack("[o]", finding("probe.auth.none", "tcp/23 (telnet)", "fail", "critical", "open")));
	json_t *b = report("b.json", "conform", "not-applicable",
			   json_pack("[o]", finding("probe.auth.none", "tcp/23 (telnet)", "pass", "none", "closed")));
	json_t *d = NULL;

	T_EQ_INT(jcs_diff(a, b, &d, NULL), 0);
	T_EQ_INT(sum(d, "criteria_better"), 2);
	T_EQ_INT(sum(d, "findings_changed"), 1);
	T_ASSERT(!jcs_diff_regression(d));
	json_decref(d);
	/* conform → not applicable is a change, not an improvement or a regression */
	json_decref(a);
	json_decref(b);
	a = report("a.json", "conform", "conform", json_array());
	b = report("b.json", "not-applicable", "conform", json_array());
	T_EQ_INT(jcs_diff(a, b, &d, NULL), 0);
	T_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(d, "criteria"), 0), "change")), "changed");
	T_ASSERT(!jcs_diff_regression(d));
	json_decref(d);
	json_decref(a);
	json_decref(b);
}

/* Failing more severely is a regression; several findings with one id and location (one per
 * vulnerability) pair by vulnerability id, not by position. */
T_TEST(severity_and_vulnerability_ids)
{
	json_t *a = report("a.json", "conform", "conform",
			   json_pack("[o, o]", finding("fw.component.vulnerable", "/bin/busybox", "fail", "low", "CVE-1"),
				     finding("fw.component.vulnerable", "/bin/busybox", "fail", "medium", "CVE-2")));
	json_t *b = report("b.json", "conform", "conform",
			   json_pack("[o, o]", finding("fw.component.vulnerable", "/bin/busybox", "fail", "medium", "CVE-2"),
				     finding("fw.component.vulnerable", "/bin/busybox", "fail", "high", "CVE-1")));
	size_t i;
	json_t *f, *d = NULL;

	json_array_foreach(json_object_get(json_object_get(a, "document"), "findings"), i, f)
		json_object_set_new(f, "evidence", json_pack("{s:s}", "id", json_string_value(json_object_get(f, "title"))));
	json_array_foreach(json_object_get(json_object_get(b, "document"), "findings"), i, f)
		json_object_set_new(f, "evidence", json_pack("{s:s}", "id", json_string_value(json_object_get(f, "title"))));
	T_EQ_INT(jcs_diff(a, b, &d, NULL), 0);
	T_EQ_INT(json_array_size(json_object_get(d, "findings")), 1);
	T_EQ_STR(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(d, "findings"), 0), "new"), "title")), "CVE-1");
	T_ASSERT(jcs_diff_regression(d));
	json_decref(d);
	json_decref(a);
	json_decref(b);
}

T_TEST(kinds_must_match)
{
	json_t *a = report("a.json", "conform", "conform", json_array());
	json_t *e = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:[]}}", "file", "e.json", "sha256", "00", "kind",
			      "evidence", "document", "schema", "jcstar.evidence/1", "kind", "probe", "subject", "x",
			      "findings");
	struct jcs_err err = {0};
	json_t *d = NULL;

	T_EQ_INT(jcs_diff(a, e, &d, &err), JCS_EINVAL);
	T_ASSERT(d == NULL);
	T_CONTAINS(err.msg, "a.json is a report but e.json is evidence");
	json_decref(a);
	json_decref(e);
}

T_TEST(load_rejects)
{
	struct jcs_err err = {0};
	json_t *s = NULL;

	T_EQ_INT(jcs_diff_load("examples/camera/declaration.yaml", &s, &err), JCS_EPARSE);
	T_EQ_INT(jcs_diff_load("docs/../tests/sarif/package.json", &s, &err), JCS_ESCHEMA);
	T_CONTAINS(err.msg, "not a jcstar.report/1 or jcstar.evidence/1 file");
	T_EQ_INT(jcs_diff_load("examples/camera/evidence/probe.json", &s, &err), 0);
	T_EQ_STR(json_string_value(json_object_get(s, "kind")), "evidence");
	T_EQ_INT(strlen(json_string_value(json_object_get(s, "sha256"))), 64);
	json_decref(s);
}

T_MAIN(T_CASE(identical_sides_no_change), T_CASE(worse_and_new_failure_regress), T_CASE(improvements_only),
       T_CASE(severity_and_vulnerability_ids), T_CASE(kinds_must_match), T_CASE(load_rejects))
