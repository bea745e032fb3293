/* The verdict engine: per criterion, facts from the declaration and evidence, then ONE
 * ordered rule table decides (first matching rule gives the verdict; every matching rule
 * adds its explanation). A false "conform" is the worst error this tool can make, so
 * conform is the last rule and only reached when nothing argues against it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jcstar/assess.h"
#include "jcstar/catalog.h"

static const char *const verdict_names[] = {"conform", "nonconform", "needs-evidence", "not-applicable"};

const char *jcs_verdict_name(enum jcs_verdict v)
{
	return (unsigned)v < 4 ? verdict_names[v] : "?";
}

/* Everything the rules look at for one criterion. */
struct facts {
	const struct jcs_criterion *c;
	const struct jcs_answer *answer;  /* NULL: not answered */
	const struct jcs_declaration *decl;
	const char *today;
	json_t *findings;                 /* the mapped findings (copies with "source") */
	size_t nfail, npass, ninconclusive;
	size_t npass_device;              /* passes from a device test (probe or manual evidence) */
	size_t nunresolved;               /* inconclusive with no pass or fail of the same check */
	bool has_document;                /* an evidence item with url or file */
};

struct reasons {
	json_t *en, *ja;
};

static void __attribute__((format(printf, 2, 0)))
vadd(json_t *arr, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	json_array_append_new(arr, json_string(buf));
}

/* Add one reason in English and Japanese; both formats take the same arguments. */
static void __attribute__((format(printf, 2, 4))) __attribute__((format(printf, 3, 4)))
say(struct reasons *r, const char *en, const char *ja, ...)
{
	va_list ap;

	va_start(ap, ja);
	vadd(r->en, en, ap);
	va_end(ap);
	va_start(ap, ja);
	vadd(r->ja, ja, ap);
	va_end(ap);
}

static void say_text(struct reasons *r, const char *en, const char *ja)
{
	json_array_append_new(r->en, json_string(en));
	json_array_append_new(r->ja, json_string(ja));
}

static const char *finding_str(const json_t *f, const char *key)
{
	const char *s = json_string_value(json_object_get(f, key));
	return s ? s : "";
}

/* The finding's Japanese title from the catalogue (the evidence's own title is English). */
static const char *ja_title(const json_t *f)
{
	const struct jcs_finding_def *d = jcs_catalog_finding(jcs_catalog_get(NULL), finding_str(f, "id"));

	return d && d->title.ja && *d->title.ja ? d->title.ja : finding_str(f, "title");
}

/* Cite each finding with a given result: "probe.auth.none fail at tcp/23 (telnet): ... [probe.json]";
 * in Japanese with the catalogue's Japanese title. */
static void cite(const struct facts *F, struct reasons *r, const char *result, const char *en_lead,
		 const char *ja_lead)
{
	size_t i;
	json_t *f;

	json_array_foreach(F->findings, i, f) {
		if (strcmp(finding_str(f, "result"), result))
			continue;
		char en[1024], ja[1024];

		snprintf(en, sizeof(en), "%s: %s at %s — %s [%s]", en_lead, finding_str(f, "id"),
			 finding_str(f, "location"), finding_str(f, "title"), finding_str(f, "source"));
		snprintf(ja, sizeof(ja), "%s：%s（%s）— %s [%s]", ja_lead, finding_str(f, "id"),
			 finding_str(f, "location"), ja_title(f), finding_str(f, "source"));
		say_text(r, en, ja);
	}
}

/* --- rule predicates and explanations --- */

static bool has_failed_finding(const struct facts *F)
{
	return F->nfail > 0;
}

static void explain_failed(const struct facts *F, struct reasons *r)
{
	if (F->answer && F->answer->answer == JCS_ANSWER_NOT_APPLICABLE)
		say(r, "Declared not applicable (line %d), but the tests found the function and it failed.",
		    "該当なし（%d 行目）と宣言されていますが、試験で該当機能が見つかり不適合でした。",
		    F->answer->line);
	cite(F, r, "fail", "failed", "不適合");
}

static bool support_ended(const struct facts *F)
{
	return strcmp(F->c->id, "S1.1-16") == 0 && F->decl->support_end &&
	       strcmp(F->decl->support_end, F->today) < 0;
}

static void explain_support_ended(const struct facts *F, struct reasons *r)
{
	say(r, "The declared support period ended on %s (today is %s).",
	    "宣言されたサポート期間は %s に終了しています（本日 %s）。", F->decl->support_end, F->today);
}

static bool declared_na(const struct facts *F)
{
	return F->answer && F->answer->answer == JCS_ANSWER_NOT_APPLICABLE;
}

static void explain_na(const struct facts *F, struct reasons *r)
{
	say(r, "Declared not applicable (line %d): %s", "該当なしと宣言（%d 行目）：%s", F->answer->line,
	    F->answer->reason ? F->answer->reason : "");
}

static bool not_answered(const struct facts *F)
{
	return !F->answer;
}

static void explain_not_answered(const struct facts *F, struct reasons *r)
{
	char en[1024], ja[1024];

	snprintf(en, sizeof(en), "The declaration does not answer %s; it must state conformity and give: %s",
		 F->c->id, F->c->supply.en);
	snprintf(ja, sizeof(ja), "宣言書に %s の回答がありません。適合を宣言し、次を示す必要があります：%s",
		 F->c->id, F->c->supply.ja);
	say_text(r, en, ja);
}

static bool no_documents(const struct facts *F)
{
	return F->answer && F->answer->nevidence == 0;
}

static void explain_no_documents(const struct facts *F, struct reasons *r)
{
	char en[1024], ja[1024];

	snprintf(en, sizeof(en), "Conformity is claimed (line %d) but no evidence is cited; needed: %s",
		 F->answer->line, F->c->supply.en);
	snprintf(ja, sizeof(ja), "適合と宣言されています（%d 行目）が根拠が示されていません。必要なもの：%s",
		 F->answer->line, F->c->supply.ja);
	say_text(r, en, ja);
}

static bool vdp_incomplete(const struct facts *F)
{
	const struct jcs_vdp_check *v = &F->decl->vdp;

	return strcmp(F->c->id, "S1.1-05") == 0 && v->checked &&
	       (!v->contact || !v->ack_timeline || !v->update_timeline || v->expired);
}

static void explain_vdp(const struct facts *F, struct reasons *r)
{
	const struct jcs_vdp_check *v = &F->decl->vdp;

	if (!v->contact)
		say(r, "No cited local copy of the disclosure policy names a contact for reporting vulnerabilities.",
		    "引用された脆弱性開示ポリシーの写しに脆弱性の報告先（連絡先）がありません。");
	if (!v->ack_timeline)
		say(r, "No cited local copy of the disclosure policy gives a timeline for acknowledging a report.",
		    "引用された脆弱性開示ポリシーの写しに報告の受領通知までの期限がありません。");
	if (!v->update_timeline)
		say(r, "No cited local copy of the disclosure policy gives a timeline for status updates until resolution.",
		    "引用された脆弱性開示ポリシーの写しに解決までの状況更新の期限がありません。");
	if (v->expired)
		say(r, "The cited security.txt has expired (Expires: is in the past).",
		    "引用された security.txt は有効期限（Expires:）が切れています。");
	if (v->contact)
		say(r, "Contact found: %s line %d.", "連絡先：%s %d 行目。", v->contact_file ? v->contact_file : v->file,
		    v->contact_line);
	if (v->ack_timeline)
		say(r, "Acknowledgement timeline found: %s line %d.", "受領通知の期限：%s %d 行目。",
		    v->ack_file ? v->ack_file : v->file, v->ack_line);
	if (v->update_timeline)
		say(r, "Status-update timeline found: %s line %d.", "状況更新の期限：%s %d 行目。",
		    v->update_file ? v->update_file : v->file, v->update_line);
}

static bool test_missing(const struct facts *F)
{
	return F->c->needs_test && F->npass_device == 0;
}

static void explain_test_missing(const struct facts *F, struct reasons *r)
{
	if (F->ninconclusive)
		cite(F, r, "inconclusive", "inconclusive", "判定不能");
	say(r, "%s is evaluated on the device: it needs a passing %s finding from a device test (jcstar probe evidence, or a lab's result recorded as manual evidence); a document alone is not enough.",
	    "%s は実機で評価する要件です：機器試験（jcstar probe の証跡、または試験機関の結果を記録した manual 証跡）で %s の合格が必要です。文書だけでは足りません。",
	    F->c->id, F->c->findings[0] ? F->c->findings[0] : "test");
}

/* A test that was run but could not conclude (no host, incomplete list, unreadable image, run
 * stopped) leaves its check open: the declaration cannot make up for a result that is missing. */
static bool unresolved(const struct facts *F)
{
	return F->nunresolved > 0;
}

static void explain_unresolved(const struct facts *F, struct reasons *r)
{
	cite(F, r, "inconclusive", "inconclusive", "判定不能");
	say(r, "%zu check(s) bearing on %s could not conclude and no other result of the same check covers them: run the test again where it can finish.",
	    "%zu 件の検査が結論に至らず、同じ検査の他の結果もありません（%s）。完了できる条件で試験をやり直してください。",
	    F->nunresolved, F->c->id);
}

static bool always(const struct facts *F)
{
	(void)F;
	return true;
}

static void explain_conform(const struct facts *F, struct reasons *r)
{
	say(r, "Conformity declared (line %d) with %zu evidence item(s).", "適合を宣言（%d 行目）、根拠 %zu 件。",
	    F->answer->line, F->answer->nevidence);
	for (size_t i = 0; i < F->answer->nevidence; i++) {
		const struct jcs_docref *d = &F->answer->evidence[i];
		const char *where = d->url ? d->url : d->file ? d->file : "text";
		say(r, "Evidence: %s (%s)", "根拠：%s（%s）", d->title ? d->title : d->text ? d->text : "", where);
	}
	cite(F, r, "pass", "passed", "合格");
	cite(F, r, "inconclusive", "inconclusive (covered by another result of the same check)",
	     "判定不能（同じ検査の他の結果で確認済み）");
	if (json_array_size(F->findings) == 0 && F->c->findings[0])
		say(r, "No automated test result bears on it; the verdict rests on the declaration.",
		    "自動試験の結果はなく、宣言内容に基づく判定です。");
}

static const struct rule {
	enum jcs_verdict verdict;
	bool (*applies)(const struct facts *);
	void (*explain)(const struct facts *, struct reasons *);
} rules[] = {
	{JCS_NONCONFORM, has_failed_finding, explain_failed},
	{JCS_NONCONFORM, support_ended, explain_support_ended},
	{JCS_NOT_APPLICABLE, declared_na, explain_na},
	{JCS_NEEDS_EVIDENCE, not_answered, explain_not_answered},
	{JCS_NEEDS_EVIDENCE, no_documents, explain_no_documents},
	{JCS_NEEDS_EVIDENCE, vdp_incomplete, explain_vdp},
	{JCS_NEEDS_EVIDENCE, test_missing, explain_test_missing},
	{JCS_NEEDS_EVIDENCE, unresolved, explain_unresolved},
	{JCS_CONFORM, always, explain_conform},
};

/* Verdicts that end the explanation: after "not applicable" or "conform" nothing else is said. */
static bool final_rule(const struct rule *r)
{
	return r->verdict == JCS_CONFORM || r->verdict == JCS_NOT_APPLICABLE;
}

static enum jcs_verdict decide(const struct facts *F, struct reasons *r)
{
	const struct rule *first = NULL;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct rule *ru = &rules[i];
		if (!ru->applies(F))
			continue;
		if (first && final_rule(ru))
			continue; /* a decided verdict is never followed by "conform" talk */
		if (!first)
			first = ru;
		ru->explain(F, r);
		if (final_rule(first))
			break;
	}
	return first->verdict;
}

/* --- facts --- */

static const struct jcs_answer *find_answer(const struct jcs_declaration *d, const char *id)
{
	for (size_t i = 0; i < d->nanswers; i++)
		if (strcmp(d->answers[i].criterion, id) == 0)
			return &d->answers[i];
	return NULL;
}

/* Does ev hold a pass or fail of finding id at location? */
static bool concluded(const struct jcs_evidence *ev, const char *id, const char *location)
{
	for (size_t i = 0; i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		jcs_evidence_get(ev, i, &f);
		if ((f.result == JCS_PASS || f.result == JCS_FAIL) && strcmp(f.id, id) == 0 &&
		    strcmp(f.location, location) == 0)
			return true;
	}
	return false;
}

static void collect(const struct jcs_assess_input *in, struct facts *F)
{
	F->answer = find_answer(in->decl, F->c->id);
	F->findings = json_array();
	for (size_t e = 0; e < in->nevidence; e++) {
		for (size_t i = 0; i < jcs_evidence_count(in->evidence[e]); i++) {
			struct jcs_finding f;
			jcs_evidence_get(in->evidence[e], i, &f);
			if (!jcs_criteria_name(f.criteria, F->c->id))
				continue;
			json_array_append_new(F->findings,
					      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", f.id, "result",
							jcs_result_name(f.result), "severity",
							jcs_severity_name(f.severity), "location", f.location,
							"title", f.title, "source", in->evidence_names[e]));
			F->nfail += f.result == JCS_FAIL;
			F->npass += f.result == JCS_PASS;
			F->ninconclusive += f.result == JCS_INCONCLUSIVE;
			F->npass_device += f.result == JCS_PASS && strcmp(jcs_evidence_kind(in->evidence[e]), "firmware") != 0;
			F->nunresolved += f.result == JCS_INCONCLUSIVE && !concluded(in->evidence[e], f.id, f.location);
		}
	}
	for (size_t i = 0; F->answer && i < F->answer->nevidence; i++) {
		const struct jcs_docref *d = &F->answer->evidence[i];
		F->has_document |= d->url || d->file;
	}
}

static json_t *text_pair(struct jcs_text t)
{
	return json_pack("{s:s, s:s}", "ja", t.ja, "en", t.en);
}

static json_t *declaration_json(const struct jcs_answer *a)
{
	json_t *ev;

	if (!a)
		return json_null();
	ev = json_array();
	for (size_t i = 0; i < a->nevidence; i++) {
		const struct jcs_docref *d = &a->evidence[i];
		json_t *o = json_object();
		if (d->title)
			json_object_set_new(o, "title", json_string(d->title));
		if (d->type)
			json_object_set_new(o, "type", json_string(d->type));
		if (d->url)
			json_object_set_new(o, "url", json_string(d->url));
		if (d->file)
			json_object_set_new(o, "file", json_string(d->file));
		if (d->text)
			json_object_set_new(o, "text", json_string(d->text));
		json_array_append_new(ev, o);
	}
	return json_pack("{s:s, s:s?, s:s?, s:i, s:o}", "answer",
			 a->answer == JCS_ANSWER_CONFORM ? "conform" : "not-applicable", "reason", a->reason,
			 "notes", a->notes, "line", a->line, "evidence", ev);
}

/* --- other schemes --- */

static enum jcs_verdict verdict_of(const json_t *criteria, const char *id)
{
	size_t i;
	json_t *c;

	json_array_foreach(criteria, i, c)
		if (strcmp(json_string_value(json_object_get(c, "criterion")), id) == 0)
			for (int v = 0; v < 4; v++)
				if (strcmp(json_string_value(json_object_get(c, "verdict")), verdict_names[v]) == 0)
					return (enum jcs_verdict)v;
	return JCS_NEEDS_EVIDENCE;
}

static json_t *scheme_json(const struct jcs_catalog *cat, const struct jcs_scheme *s, const json_t *criteria)
{
	json_t *prov = json_array(), *unmet = json_array(), *uncovered = json_array();
	char statement[2048];
	size_t nmand = 0;
	bool all_official = true;

	for (size_t p = 0; p < s->nprovisions; p++) {
		const struct jcs_provision *pv = &s->provisions[p];
		json_t *by = json_array(), *open = json_array();
		bool official = false;
		const char *status;

		for (size_t i = 0; i < cat->ncriteria; i++) {
			const struct jcs_criterion *c = &cat->criteria[i];
			for (size_t k = 0; k < c->nxrefs; k++) {
				enum jcs_verdict v;
				if (strcmp(c->xrefs[k].scheme, s->id) || strcmp(c->xrefs[k].ref, pv->ref))
					continue;
				json_array_append_new(by, json_string(c->id));
				official |= c->xrefs[k].official;
				v = verdict_of(criteria, c->id);
				if (v != JCS_CONFORM && v != JCS_NOT_APPLICABLE)
					json_array_append_new(open, json_string(c->id));
			}
		}
		status = json_array_size(by) == 0 ? "not-covered" : json_array_size(open) ? "not-met" : "met";
		if (pv->mandatory) {
			nmand++;
			if (strcmp(status, "not-met") == 0)
				json_array_append_new(unmet, json_string(pv->ref));
			else if (strcmp(status, "not-covered") == 0)
				json_array_append_new(uncovered, json_string(pv->ref));
			if (json_array_size(by))
				all_official &= official;
		}
		json_array_append_new(prov, json_pack("{s:s, s:s, s:b, s:s, s:o, s:b, s:o}", "ref", pv->ref,
						      "title", pv->title, "mandatory", pv->mandatory, "status",
						      status, "criteria", by, "official", official, "open", open));
	}
	{
		size_t nu = json_array_size(unmet), nc = json_array_size(uncovered), len = 0;
		size_t i;
		json_t *r;

		if (nu == 0 && nc == 0)
			len = (size_t)snprintf(statement, sizeof(statement), "%s: ready (%zu mandatory provisions met through the ★1 criteria%s)",
					       s->name, nmand, all_official ? ", official correspondence" : ", correspondence inferred by jcstar");
		else
			len = (size_t)snprintf(statement, sizeof(statement), "%s: not ready", s->name);
		if (nu) {
			len += (size_t)snprintf(statement + len, sizeof(statement) - len, "; %zu provision%s not met:", nu, nu > 1 ? "s" : "");
			json_array_foreach(unmet, i, r)
				if (len < sizeof(statement))
					len += (size_t)snprintf(statement + len, sizeof(statement) - len, "%s %s", i ? "," : "", json_string_value(r));
		}
		if (nc && len < sizeof(statement)) {
			len += (size_t)snprintf(statement + len, sizeof(statement) - len, "; %zu provision%s not covered by ★1:", nc, nc > 1 ? "s" : "");
			json_array_foreach(uncovered, i, r)
				if (len < sizeof(statement))
					len += (size_t)snprintf(statement + len, sizeof(statement) - len, "%s %s", i ? "," : "", json_string_value(r));
		}
	}
	return json_pack("{s:s, s:s, s:b, s:s, s:o, s:o, s:o}", "id", s->id, "name", s->name, "ready",
			 json_array_size(unmet) == 0 && json_array_size(uncovered) == 0, "statement", statement,
			 "not_met", unmet, "not_covered", uncovered, "provisions", prov);
}

/* --- the report --- */

static json_t *product_json(const struct jcs_declaration *d)
{
	json_t *models = json_array();

	for (size_t i = 0; d->models && d->models[i]; i++)
		json_array_append_new(models, json_string(d->models[i]));
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s?}", "vendor", d->vendor, "model", d->model,
			 "models", models, "type", d->product_type, "firmware_version", d->firmware_version,
			 "support_end", d->support_end, "security_contact", d->security_contact);
}

int jcs_assess(const struct jcs_assess_input *in, json_t **out, struct jcs_err *err)
{
	const struct jcs_catalog *cat = jcs_catalog_get(err);
	const struct jcs_profile *profile = NULL;
	json_t *criteria, *schemes, *sources, *all, *report;
	size_t counts[4] = {0};
	char today[16], now[32], statement[512];

	*out = NULL;
	if (!cat)
		return err->code;
	for (size_t i = 0; i < cat->nprofiles; i++)
		if (cat->profiles[i].level == in->decl->level && cat->profiles[i].published)
			profile = &cat->profiles[i];
	if (!profile)
		return jcs_err_set(err, JCS_EUNSUPPORTED, "%s: no published criteria for level %d",
				   in->decl->path, in->decl->level);
	jcs_utc_now(now, sizeof(now));
	snprintf(today, sizeof(today), "%.10s", in->today ? in->today : now);

	criteria = json_array();
	for (size_t i = 0; profile->criteria[i]; i++) {
		struct facts F = {.c = jcs_catalog_criterion(cat, profile->criteria[i]), .decl = in->decl, .today = today};
		struct reasons r = {json_array(), json_array()};
		enum jcs_verdict v;

		collect(in, &F);
		v = decide(&F, &r);
		counts[v]++;
		json_array_append_new(criteria,
				      json_pack("{s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "criterion", F.c->id,
						"title", text_pair(F.c->title), "method", F.c->method, "target",
						F.c->target == JCS_TARGET_VENDOR ? "vendor" : "product", "verdict",
						jcs_verdict_name(v), "reasons", r.en, "reasons_ja", r.ja, "findings",
						F.findings, "declaration", declaration_json(F.answer)));
	}

	schemes = json_array();
	for (size_t i = 0; i < cat->nschemes; i++)
		json_array_append_new(schemes, scheme_json(cat, &cat->schemes[i], criteria));

	sources = json_array();
	all = json_array();
	for (size_t e = 0; e < in->nevidence; e++) {
		const json_t *root = jcs_evidence_json(in->evidence[e]);
		size_t i;
		json_t *f;

		const char *sha = jcs_evidence_sha256(in->evidence[e]);
		json_t *src = json_pack("{s:s, s:s?, s:s, s:s, s:O?, s:O?, s:i, s:b, s:O?}", "file",
					in->evidence_names[e], "sha256", *sha ? sha : NULL, "kind",
					jcs_evidence_kind(in->evidence[e]), "subject", jcs_evidence_subject(in->evidence[e]),
					"started", json_object_get(root, "started"), "finished",
					json_object_get(root, "finished"), "findings", (int)jcs_evidence_count(in->evidence[e]),
					"complete", jcs_evidence_complete(in->evidence[e]), "coverage",
					json_object_get(root, "coverage"));

		if (src && json_object_get(root, "image")) /* firmware: the image analysed */
			json_object_set(src, "image", json_object_get(root, "image"));
		json_array_append_new(sources, src);
		json_array_foreach(json_object_get(root, "findings"), i, f) {
			json_t *copy = json_deep_copy(f);
			json_object_set_new(copy, "source", json_string(in->evidence_names[e]));
			json_array_append_new(all, copy);
		}
	}

	if (counts[JCS_NONCONFORM] == 0 && counts[JCS_NEEDS_EVIDENCE] == 0)
		snprintf(statement, sizeof(statement), "Ready to declare ★%d: every criterion conforms or is not applicable.",
			 in->decl->level);
	else
		snprintf(statement, sizeof(statement), "Not ready to declare ★%d: %zu nonconform, %zu need evidence.",
			 in->decl->level, counts[JCS_NONCONFORM], counts[JCS_NEEDS_EVIDENCE]);

	report = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s?, s:i, s:o, s:o, s:{s:b, s:s, s:{s:i, s:i, s:i, s:i}}, s:o, s:o, s:o}",
			   "schema", JCS_SCHEMA_REPORT, "generated", now, "tool", "name", "jcstar", "version",
			   jcs_version(), "declaration", in->decl->path, "declaration_sha256", in->decl->sha256, "level", in->decl->level, "product",
			   product_json(in->decl), "evidence", sources, "summary", "ready",
			   counts[JCS_NONCONFORM] == 0 && counts[JCS_NEEDS_EVIDENCE] == 0, "statement", statement,
			   "counts", "conform", (int)counts[JCS_CONFORM], "nonconform", (int)counts[JCS_NONCONFORM],
			   "needs-evidence", (int)counts[JCS_NEEDS_EVIDENCE], "not-applicable",
			   (int)counts[JCS_NOT_APPLICABLE], "criteria", criteria, "schemes", schemes, "findings", all);
	if (!report)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory building the report");
	*out = report;
	return 0;
}
