/* Verdict engine rules (DESIGN.md §Verdict rules) on hand-built declarations and evidence. */
#include "t.h"

#include "jcstar/assess.h"
#include "jcstar/catalog.h"

static const struct jcs_docref doc = {.title = "Manual", .url = "https://example.com/manual.pdf", .line = 3};
static const struct jcs_docref test_report = {.title = "Brute-force test", .type = "test-report",
					      .file = "docs/bf.pdf", .file_exists = true};

static struct jcs_answer answers[16];

/* A declaration answering every ★1 criterion "conform" with one document. */
static struct jcs_declaration full_decl(void)
{
	const struct jcs_catalog *cat = jcs_catalog_get(NULL);
	struct jcs_declaration d = {.path = "decl.yaml", .vendor = "Acme", .model = "NC-200",
				    .product_type = "network camera", .firmware_version = "1.0",
				    .support_end = "2030-03-31", .level = 1};

	for (size_t i = 0; i < 16; i++)
		answers[i] = (struct jcs_answer){.criterion = cat->criteria[i].id, .answer = JCS_ANSWER_CONFORM,
						 .evidence = &doc, .nevidence = 1, .line = (int)(10 + i)};
	d.answers = answers;
	d.nanswers = 16;
	return d;
}

static json_t *run(const struct jcs_declaration *d, struct jcs_evidence *ev)
{
	struct jcs_evidence *evs[1] = {ev};
	const char *names[1] = {"probe.json"};
	struct jcs_assess_input in = {d, evs, names, ev ? 1 : 0, "2026-11-26"};
	struct jcs_err err = {0};
	json_t *r = NULL;

	T_EQ_INT(jcs_assess(&in, &r, &err), 0);
	return r;
}

static const json_t *crit(const json_t *r, const char *id)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(r, "criteria"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "criterion")), id) == 0)
			return c;
	return NULL;
}

static const char *verdict(const json_t *r, const char *id)
{
	return json_string_value(json_object_get(crit(r, id), "verdict"));
}

static const char *reasons(const json_t *r, const char *id)
{
	static char buf[8192];
	size_t i, n = 0;
	json_t *s;

	buf[0] = 0;
	json_array_foreach(json_object_get(crit(r, id), "reasons"), i, s)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s|", json_string_value(s));
	return buf;
}

static struct jcs_evidence *ev_with(const char *id, enum jcs_result res, const char *loc)
{
	struct jcs_evidence *ev = jcs_evidence_new("probe", "10.0.0.1");
	T_EQ_INT(jcs_evidence_add(ev, id, res, JCS_SEV_HIGH, loc, NULL, NULL, NULL), 0);
	return ev;
}

T_TEST(all_conform_is_ready)
{
	struct jcs_declaration d = full_decl();
	struct jcs_evidence *ev = ev_with("probe.auth.bruteforce", JCS_PASS, "tcp/80 (http)");
	json_t *r = run(&d, ev);

	/* S1.1-13 needs a test result too: give it one via a passing scan finding */
	json_decref(r);
	T_EQ_INT(jcs_evidence_add(ev, "probe.interface.risky", JCS_PASS, JCS_SEV_NONE, "tcp", NULL, NULL, NULL), 0);
	r = run(&d, ev);
	for (size_t i = 0; i < 16; i++)
		T_EQ_STR(verdict(r, answers[i].criterion), "conform");
	T_ASSERT(json_is_true(json_object_get(json_object_get(r, "summary"), "ready")));
	T_CONTAINS(json_string_value(json_object_get(json_object_get(r, "summary"), "statement")), "Ready to declare ★1");
	json_decref(r);
	jcs_evidence_free(ev);
}

T_TEST(unanswered_needs_evidence)
{
	struct jcs_declaration d = full_decl();
	json_t *r;

	d.nanswers = 2; /* only S1.1-01 and -02 answered */
	r = run(&d, NULL);
	T_EQ_STR(verdict(r, "S1.1-01"), "conform");
	T_EQ_STR(verdict(r, "S1.1-03"), "needs-evidence");
	T_CONTAINS(reasons(r, "S1.1-03"), "does not answer S1.1-03");
	T_ASSERT(json_is_false(json_object_get(json_object_get(r, "summary"), "ready")));
	json_decref(r);
}

T_TEST(failed_finding_is_nonconform_and_cited)
{
	struct jcs_declaration d = full_decl();
	struct jcs_evidence *ev = ev_with("probe.auth.none", JCS_FAIL, "tcp/23 (telnet)");
	json_t *r = run(&d, ev);

	T_EQ_STR(verdict(r, "S1.1-01"), "nonconform");
	T_CONTAINS(reasons(r, "S1.1-01"), "probe.auth.none at tcp/23 (telnet)");
	T_CONTAINS(reasons(r, "S1.1-01"), "[probe.json]");
	/* automated passes never override: the declaration claims conform, the test failed */
	T_EQ_INT(json_array_size(json_object_get(crit(r, "S1.1-01"), "findings")), 1);
	json_decref(r);
	jcs_evidence_free(ev);
}

T_TEST(not_applicable)
{
	struct jcs_declaration d = full_decl();
	struct jcs_evidence *ev;
	json_t *r;

	answers[0].answer = JCS_ANSWER_NOT_APPLICABLE;
	answers[0].reason = "no network login";
	r = run(&d, NULL);
	T_EQ_STR(verdict(r, "S1.1-01"), "not-applicable");
	T_CONTAINS(reasons(r, "S1.1-01"), "no network login");
	json_decref(r);
	/* a failing test contradicts "not applicable" */
	ev = ev_with("probe.auth.none", JCS_FAIL, "tcp/23 (telnet)");
	r = run(&d, ev);
	T_EQ_STR(verdict(r, "S1.1-01"), "nonconform");
	T_CONTAINS(reasons(r, "S1.1-01"), "Declared not applicable");
	json_decref(r);
	jcs_evidence_free(ev);
}

T_TEST(device_test_required_for_bruteforce)
{
	struct jcs_declaration d = full_decl();
	struct jcs_evidence *ev;
	json_t *r = run(&d, NULL);

	T_EQ_STR(verdict(r, "S1.1-04"), "needs-evidence");
	T_CONTAINS(reasons(r, "S1.1-04"), "evaluated on the device");
	json_decref(r);

	ev = ev_with("probe.auth.bruteforce", JCS_INCONCLUSIVE, "tcp/22 (ssh)");
	r = run(&d, ev);
	T_EQ_STR(verdict(r, "S1.1-04"), "needs-evidence");
	T_CONTAINS(reasons(r, "S1.1-04"), "inconclusive");
	json_decref(r);
	jcs_evidence_free(ev);

	/* a document, even one called a test report, is not a device test result */
	answers[3].evidence = &test_report;
	r = run(&d, NULL);
	T_EQ_STR(verdict(r, "S1.1-04"), "needs-evidence");
	T_CONTAINS(reasons(r, "S1.1-04"), "a document alone is not enough");
	json_decref(r);
	/* a lab's result recorded as manual evidence is */
	ev = jcs_evidence_new("manual", "lab report 42");
	T_EQ_INT(jcs_evidence_add(ev, "probe.auth.bruteforce", JCS_PASS, JCS_SEV_NONE, "tcp/443", NULL, NULL, NULL), 0);
	r = run(&d, ev);
	T_EQ_STR(verdict(r, "S1.1-04"), "conform");
	json_decref(r);
	jcs_evidence_free(ev);

	answers[3].evidence = &doc;
	ev = ev_with("probe.auth.bruteforce", JCS_FAIL, "tcp/80 (http)");
	r = run(&d, ev);
	T_EQ_STR(verdict(r, "S1.1-04"), "nonconform");
	json_decref(r);
	jcs_evidence_free(ev);
}

/* Absence of evidence is not evidence: an inconclusive check (incomplete credential list, no
 * host, unreadable image) never lets the declaration alone make the criterion conform. */
T_TEST(inconclusive_only_is_never_conform)
{
	struct jcs_declaration d = full_decl();
	struct jcs_evidence *ev = ev_with("probe.auth.default-credential", JCS_INCONCLUSIVE, "tcp/23 (telnet)");
	json_t *r = run(&d, ev);

	/* planted: S1.1-02 is a document criterion, conform by declaration until now */
	T_EQ_STR(verdict(r, "S1.1-02"), "needs-evidence");
	T_CONTAINS(reasons(r, "S1.1-02"), "inconclusive: probe.auth.default-credential at tcp/23 (telnet)");
	T_CONTAINS(reasons(r, "S1.1-02"), "could not conclude");
	json_decref(r);
	/* a pass elsewhere does not cover the open check */
	T_EQ_INT(jcs_evidence_add(ev, "probe.auth.default-credential", JCS_PASS, JCS_SEV_NONE, "tcp/22 (ssh)", NULL,
				  NULL, NULL), 0);
	r = run(&d, ev);
	T_EQ_STR(verdict(r, "S1.1-02"), "needs-evidence");
	json_decref(r);
	jcs_evidence_free(ev);

	/* clean twin: the same check concluded at the same place (a rerun in the same file) */
	ev = ev_with("probe.auth.default-credential", JCS_INCONCLUSIVE, "tcp/23 (telnet)");
	T_EQ_INT(jcs_evidence_add(ev, "probe.auth.default-credential", JCS_PASS, JCS_SEV_NONE, "tcp/23 (telnet)", NULL,
				  NULL, NULL), 0);
	r = run(&d, ev);
	T_EQ_STR(verdict(r, "S1.1-02"), "conform");
	json_decref(r);
	jcs_evidence_free(ev);

	/* no host: the probe's inconclusive findings on the device-test ids, nothing else */
	ev = ev_with("probe.interface.risky", JCS_INCONCLUSIVE, "192.0.2.10");
	T_EQ_INT(jcs_evidence_add(ev, "probe.auth.none", JCS_INCONCLUSIVE, JCS_SEV_NONE, "192.0.2.10", NULL, NULL, NULL), 0);
	r = run(&d, ev);
	T_EQ_STR(verdict(r, "S1.1-13"), "needs-evidence");
	T_EQ_STR(verdict(r, "S1.1-01"), "needs-evidence");
	T_ASSERT(json_is_false(json_object_get(json_object_get(r, "summary"), "ready")));
	json_decref(r);
	jcs_evidence_free(ev);
}

T_TEST(firmware_checks_need_a_result)
{
	struct jcs_declaration d = full_decl();
	struct jcs_evidence *ev = jcs_evidence_new("firmware", "photo.jpg");
	json_t *r;

	/* a JPEG: the secret scan could not read anything */
	T_EQ_INT(jcs_evidence_add(ev, "fw.secret.private-key", JCS_INCONCLUSIVE, JCS_SEV_NONE, "", NULL, NULL, NULL), 0);
	r = run(&d, ev);
	T_EQ_STR(verdict(r, "S1.1-11"), "needs-evidence");
	json_decref(r);
	jcs_evidence_free(ev);

	/* a firmware pass is no device test: S1.1-13 still needs the sweep */
	ev = jcs_evidence_new("firmware", "fw.bin");
	T_EQ_INT(jcs_evidence_add(ev, "fw.service.risky-enabled", JCS_PASS, JCS_SEV_NONE, "", NULL, NULL, NULL), 0);
	T_EQ_INT(jcs_evidence_add(ev, "fw.secret.private-key", JCS_PASS, JCS_SEV_NONE, "", NULL, NULL, NULL), 0);
	r = run(&d, ev);
	T_EQ_STR(verdict(r, "S1.1-13"), "needs-evidence");
	T_EQ_STR(verdict(r, "S1.1-11"), "conform"); /* clean twin of the JPEG */
	json_decref(r);
	jcs_evidence_free(ev);
}

T_TEST(no_evidence_cited)
{
	struct jcs_declaration d = full_decl();
	json_t *r;

	answers[2].nevidence = 0;
	r = run(&d, NULL);
	T_EQ_STR(verdict(r, "S1.1-03"), "needs-evidence");
	T_CONTAINS(reasons(r, "S1.1-03"), "no evidence is cited");
	json_decref(r);
}

T_TEST(support_period_ended)
{
	struct jcs_declaration d = full_decl();
	json_t *r;

	d.support_end = "2026-01-31";
	r = run(&d, NULL);
	T_EQ_STR(verdict(r, "S1.1-16"), "nonconform");
	T_CONTAINS(reasons(r, "S1.1-16"), "ended on 2026-01-31");
	json_decref(r);
}

T_TEST(vdp_missing_timeline)
{
	struct jcs_declaration d = full_decl();
	json_t *r;

	d.vdp = (struct jcs_vdp_check){.checked = true, .file = "docs/vdp.txt", .contact = true, .ack_timeline = true,
				       .contact_line = 3, .ack_line = 7};
	r = run(&d, NULL);
	T_EQ_STR(verdict(r, "S1.1-05"), "needs-evidence");
	T_CONTAINS(reasons(r, "S1.1-05"), "gives a timeline for status updates until resolution");
	T_ASSERT(!strstr(reasons(r, "S1.1-05"), "names a contact"));
	T_CONTAINS(reasons(r, "S1.1-05"), "Acknowledgement timeline found: docs/vdp.txt line 7");
	json_decref(r);
}

static const json_t *scheme(const json_t *r, const char *id)
{
	size_t i;
	json_t *s;

	json_array_foreach(json_object_get(r, "schemes"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "id")), id) == 0)
			return s;
	return NULL;
}

T_TEST(scheme_readiness)
{
	struct jcs_declaration d = full_decl();
	struct jcs_evidence *ev = ev_with("fw.account.default-password", JCS_FAIL, "/etc/shadow:1");
	json_t *r = run(&d, ev);

	/* PSTI: S1.1-02 fails → psti-1 not met */
	T_ASSERT(json_is_false(json_object_get(scheme(r, "psti"), "ready")));
	T_CONTAINS(json_string_value(json_object_get(scheme(r, "psti"), "statement")), "psti-1");
	/* CLS L1 has provisions ★1 does not cover (5.1-3) */
	T_CONTAINS(json_string_value(json_object_get(scheme(r, "cls"), "statement")), "not covered by ★1: 5.1-3");
	json_decref(r);
	jcs_evidence_free(ev);

	r = run(&d, NULL);
	T_ASSERT(json_is_true(json_object_get(scheme(r, "psti"), "ready")));
	T_CONTAINS(json_string_value(json_object_get(scheme(r, "psti"), "statement")), "official correspondence");
	json_decref(r);
}

T_TEST(renderers)
{
	struct jcs_declaration d = full_decl();
	struct jcs_evidence *ev = ev_with("probe.auth.none", JCS_FAIL, "tcp/23 (telnet)");
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_err err;
	json_t *r = run(&d, ev), *sarif;
	size_t lines = 0;

	T_EQ_INT(jcs_report_render(r, "html", &b, &err), 0);
	T_CONTAINS(b.data, "<section class=\"crit\" id=\"S1.1-16\">");
	T_CONTAINS(b.data, "不適合 / nonconform");
	T_ASSERT(!strstr(b.data, "<script"));
	jcs_buf_reset(&b);
	T_EQ_INT(jcs_report_render(r, "csv", &b, &err), 0);
	for (size_t i = 0; i < b.len; i++)
		lines += b.data[i] == '\n' && i > 0 && b.data[i - 1] == '\r';
	T_EQ_INT(lines, 17); /* header + 16 criteria */
	T_CONTAINS(b.data, "S1.1-01,適切な認証に基づくアクセス制御");
	jcs_buf_reset(&b);
	T_EQ_INT(jcs_report_render(r, "sarif", &b, &err), 0);
	sarif = json_loads(b.data, 0, NULL);
	T_ASSERT(sarif != NULL);
	T_EQ_STR(json_string_value(json_object_get(sarif, "version")), "2.1.0");
	T_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(
		 json_object_get(sarif, "runs"), 0), "results"), 0), "ruleId")), "probe.auth.none");
	json_decref(sarif);
	T_EQ_INT(jcs_report_render(r, "pdf", &b, &err), JCS_EINVAL);
	jcs_buf_free(&b);
	json_decref(r);
	jcs_evidence_free(ev);
}

T_TEST(html_shows_coverage)
{
	struct jcs_declaration d = full_decl();
	struct jcs_evidence *ev = ev_with("probe.interface.risky", JCS_INCONCLUSIVE, "192.0.2.10");
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_err err;
	json_t *r;

	T_EQ_INT(jcs_evidence_set_coverage(ev, json_pack("{s:b, s:{s:i, s:i, s:i, s:i, s:i, s:b}, s:s, s:[{s:s, s:s}]}",
							 "complete", 0, "tcp", "ports_listed", 65535, "ports_swept",
							 65535, "open", 0, "closed", 0, "no_answer", 65535,
							 "full_range", 1, "udp", "probed", "not_tested", "where",
							 "192.0.2.10", "why", "no answer from the host")), 0);
	T_ASSERT(!jcs_evidence_complete(ev));
	r = run(&d, ev);
	T_ASSERT(json_is_false(json_object_get(json_array_get(json_object_get(r, "evidence"), 0), "complete")));
	T_EQ_INT(jcs_report_render(r, "html", &b, &err), 0);
	T_CONTAINS(b.data, "不完全 / incomplete");
	T_CONTAINS(b.data, "TCP: 65535 / 65535 ports swept (full range) — 0 open, 0 closed, 65535 no answer");
	T_CONTAINS(b.data, "no answer from the host");
	jcs_buf_free(&b);
	json_decref(r);
	jcs_evidence_free(ev);
}

/* A report that does not fit (a size limit standing in for an allocation failure) is an
 * error from the renderer, never a short report: the sticky buffer error reaches the result. */
T_TEST(renderer_output_failure_is_an_error)
{
	static const char *const formats[] = {"html", "csv", "text", "json", "sarif"};
	struct jcs_declaration d = full_decl();
	struct jcs_evidence *ev = ev_with("probe.auth.none", JCS_FAIL, "tcp/23 (telnet)");
	json_t *r = run(&d, ev);

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct jcs_buf b = JCS_BUF_INIT;
		struct jcs_err err = {0};

		b.max = 200;
		T_EQ_INT(jcs_report_render(r, formats[i], &b, &err), JCS_ELIMIT);
		T_EQ_INT(jcs_buf_error(&b), JCS_ELIMIT);
		T_CONTAINS(err.msg, formats[i]);
		T_ASSERT(b.len <= 200);
		T_ASSERT(jcs_buf_steal(&b) == NULL); /* a prefix is never handed over */
		jcs_buf_free(&b);
	}
	json_decref(r);
	jcs_evidence_free(ev);
}

/* The buffer itself: after a failure every append is a no-op returning the first error;
 * reset clears it. */
T_TEST(buffer_error_is_sticky)
{
	struct jcs_buf b = JCS_BUF_INIT;

	b.max = 8;
	T_EQ_INT(jcs_buf_puts(&b, "12345"), 0);
	T_EQ_INT(jcs_buf_printf(&b, "%s", "67890"), JCS_ELIMIT);
	T_EQ_INT(jcs_buf_putc(&b, 'x'), JCS_ELIMIT); /* would fit, but the buffer already failed */
	T_EQ_INT(jcs_buf_put_html(&b, "<"), JCS_ELIMIT);
	T_EQ_STR(b.data, "12345");
	T_EQ_INT(jcs_buf_error(&b), JCS_ELIMIT);
	jcs_buf_reset(&b);
	T_EQ_INT(jcs_buf_error(&b), 0);
	T_EQ_INT(jcs_buf_puts(&b, "ok"), 0);
	T_EQ_STR(b.data, "ok");
	jcs_buf_free(&b);
}

T_MAIN(T_CASE(all_conform_is_ready), T_CASE(unanswered_needs_evidence), T_CASE(failed_finding_is_nonconform_and_cited),
       T_CASE(not_applicable), T_CASE(device_test_required_for_bruteforce), T_CASE(inconclusive_only_is_never_conform),
       T_CASE(firmware_checks_need_a_result), T_CASE(no_evidence_cited), T_CASE(support_period_ended),
       T_CASE(vdp_missing_timeline), T_CASE(scheme_readiness), T_CASE(renderers), T_CASE(html_shows_coverage),
       T_CASE(renderer_output_failure_is_an_error), T_CASE(buffer_error_is_sticky))
