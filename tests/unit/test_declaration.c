/* Declarations (jcstar.declaration/1): every bad file under tests/data/declarations/bad/ fails
 * with exactly the expected message ("@" stands for the file's path), the good ones parse to
 * the expected structure, and S1.1-05 policies are read through security.txt Policy: links. */
#include <stdio.h>
#include <string.h>

#include "jcstar/declaration.h"
#include "jcstar/buf.h"
#include "t.h"

#define BAD "tests/data/declarations/bad/"
#define GOOD "tests/data/declarations/good/"

static const struct {
	const char *file;
	const char *msg;
} bad_cases[] = {
	{"anchor.yaml",
	 "@:3:3: anchors and aliases are not supported"},
	{"answer-scalar.yaml",
	 "@:10:12: the answer for S1.1-03 must be a mapping such as {answer: conform, evidence: [...]}, not a text value"},
	{"bad-answer.yaml",
	 "@:11:13: answer 'yes' for S1.1-02 must be conform or not-applicable (leave out a criterion you do not claim)"},
	{"bad-date.yaml",
	 "@:7:16: bad date '31/03/2030' for 'support_end' in product (expected YYYY-MM-DD, e.g. 2030-03-31)"},
	{"bad-doc-type.yaml",
	 "@:13:36: type 'brochure' in evidence item 1 of S1.1-02 must be one of manual, policy, design, test-report, security.txt, web-page, other"},
	{"bad-proto.yaml",
	 "@:11:26: proto 'sctp' in network.ports item 1 must be tcp or udp"},
	{"comments-only.yaml",
	 "@:1:1: empty document"},
	{"criterion-typo.yaml",
	 "@:10:3: unknown criterion 'S1.1-2' (did you mean 'S1.1-02'?)"},
	{"date-number.yaml",
	 "@:7:16: 'support_end' in product must be a date YYYY-MM-DD, not the number 2030"},
	{"date-wrong-type.yaml",
	 "@:7:16: 'support_end' in product must be a date YYYY-MM-DD, not a list"},
	{"duplicate-key.yaml",
	 "@:5:3: duplicate key 'model' (first at line 4)"},
	{"duplicate-port.yaml",
	 "@:13:7: port 443/tcp is declared twice (first at line 11)"},
	{"empty.yaml",
	 "@:1:1: empty document"},
	{"evidence-empty-item.yaml",
	 "@:13:9: evidence item 1 of S1.1-02 has neither url, file nor text"},
	{"evidence-no-title.yaml",
	 "@:13:9: missing required field 'title' in evidence item 1 of S1.1-02 (a document needs a title)"},
	{"evidence-not-list.yaml",
	 "@:12:15: 'evidence' in answers.S1.1-02 must be a list of documents, not a mapping"},
	{"firmware-empty.yaml",
	 "@:6:3: 'firmware_version' in product is empty"},
	{"impossible-date.yaml",
	 "@:7:16: impossible date '2025-02-30' for 'support_end' in product: February 2025 has 28 days"},
	{"impossible-month.yaml",
	 "@:7:16: impossible date '2030-13-01' for 'support_end' in product: there is no month 13"},
	{"level-2-unpublished.yaml",
	 "@:8:8: level 2: ★2 criteria not yet published (star2-camera, star2-communication are placeholders in the catalogue); declare a published level such as 1"},
	{"level-5.yaml",
	 "@:8:8: level 5 is out of range: JC-STAR levels are ★1 to ★4"},
	{"level-quoted.yaml",
	 "@:8:9: 'level' must be a whole number from 1 to 4, not '1'"},
	{"missing-file.yaml",
	 "@:13:36: file '../docs/missing-manual.pdf' in evidence item 1 of S1.1-02 does not exist (looked for tests/data/declarations/bad/../docs/missing-manual.pdf)"},
	{"missing-level.yaml",
	 "@:1:1: missing required field 'level' at top level (1 for ★1)"},
	{"missing-product.yaml",
	 "@:1:1: missing required field 'product' at top level"},
	{"missing-schema.yaml",
	 "@:1:1: missing required field 'schema' at top level (expected schema: jcstar.declaration/1)"},
	{"missing-vendor.yaml",
	 "@:3:3: missing required field 'vendor' in product"},
	{"multi-error.yaml",
	 "@:3:12: 'vendor' in product is empty\n"
	 "@:7:16: impossible date '2031-04-31' for 'support_end' in product: April 2031 has 30 days\n"
	 "@:8:8: level 7 is out of range: JC-STAR levels are ★1 to ★4\n"
	 "@:10:12: S1.1-16 is a vendor criterion: answer conform needs a document (an evidence item with url or file)"},
	{"na-without-reason.yaml",
	 "@:11:5: missing required field 'reason' in answers.S1.1-02 (required for answer: not-applicable)"},
	{"not-mapping.yaml",
	 "@:1:1: a declaration must be a mapping with schema, product, level and answers, not a list"},
	{"port-no-purpose.yaml",
	 "@:11:7: missing required field 'purpose' in network.ports item 1"},
	{"port-not-number.yaml",
	 "@:11:14: 'port' in network.ports item 1 must be a whole number from 1 to 65535, not 'https'"},
	{"port-out-of-range.yaml",
	 "@:11:14: port 70000 in network.ports item 1 is out of range (1-65535)"},
	{"reason-with-conform.yaml",
	 "@:12:13: 'reason' in answers.S1.1-02 is only for answer: not-applicable (use 'notes' for remarks)"},
	{"schema-unknown.yaml",
	 "@:1:9: unknown schema 'jcstar.declaration/2' (this jcstar reads jcstar.declaration/1)"},
	{"shift-jis.yaml",
	 "@:3:11: not UTF-8 text (byte 0x8A): save the file as UTF-8"},
	{"unknown-criterion.yaml",
	 "@:10:3: unknown criterion 'S1.1-17' (★1 criteria are S1.1-01 to S1.1-16)"},
	{"unknown-top-key.yaml",
	 "@:9:1: unknown key 'comment' at top level (expected schema, product, level, network, answers)"},
	{"url-not-http.yaml",
	 "@:13:35: url 'ftp://acme.example/manual.pdf' in evidence item 1 of S1.1-02 must be an http:// or https:// address"},
	{"vendor-no-document.yaml",
	 "@:13:7: S1.1-05 is a vendor criterion: answer conform needs a document (an evidence item with url or file)"},
	{"vendor-no-evidence.yaml",
	 "@:11:5: S1.1-16 is a vendor criterion: answer conform needs a document (an evidence item with url or file)"},
	{"vendor-wrong-type.yaml",
	 "@:3:11: 'vendor' in product must be a text value, not a mapping"},
	{"yaml-syntax.yaml",
	 "@:7:20: YAML syntax error: missing comma in flow sequence"},
};

/* msg with every "@" replaced by path */
static void expand(const char *msg, const char *path, char *out, size_t len)
{
	size_t used = 0;

	out[0] = 0;
	for (const char *p = msg; *p && used + strlen(path) + 2 < len; p++) {
		if (*p == '@')
			used += (size_t)snprintf(out + used, len - used, "%s", path);
		else
			out[used++] = *p, out[used] = 0;
	}
}

T_TEST(bad_declarations_fail_with_exact_message)
{
	T_ASSERT(sizeof(bad_cases) / sizeof(bad_cases[0]) >= 20);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct jcs_declaration *d = (struct jcs_declaration *)1;
		struct jcs_err err = {0};
		char path[256], want[2048];
		int rc;

		snprintf(path, sizeof(path), BAD "%s", bad_cases[i].file);
		expand(bad_cases[i].msg, path, want, sizeof(want));
		rc = jcs_declaration_load(path, &d, &err);
		T_ASSERT(rc == JCS_ESCHEMA || rc == JCS_EPARSE);
		T_ASSERT(d == NULL);
		T_EQ_STR(err.msg, want);
	}
}

/* Every file in bad/ is in the table (a new bad file without an expected message fails). */
T_TEST(every_bad_file_has_a_case)
{
	FILE *ls = popen("ls " BAD, "r");
	char name[256];
	size_t files = 0;

	T_ASSERT(ls != NULL);
	while (ls && fgets(name, sizeof(name), ls)) {
		bool found = false;

		name[strcspn(name, "\n")] = 0;
		for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
			found = found || strcmp(bad_cases[i].file, name) == 0;
		if (!found)
			T_FAIL("%s has no expected message", name);
		files++;
	}
	if (ls)
		pclose(ls);
	T_EQ_INT(files, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

static struct jcs_declaration *load_ok(const char *path)
{
	struct jcs_declaration *d = NULL;
	struct jcs_err err = {0};

	if (jcs_declaration_load(path, &d, &err) != 0)
		T_FAIL("%s: %s", path, err.msg);
	return d;
}

T_TEST(minimal)
{
	struct jcs_declaration *d = load_ok(GOOD "minimal.yaml");

	if (!d)
		return;
	T_EQ_STR(d->path, GOOD "minimal.yaml");
	T_EQ_STR(d->vendor, "Tiny Things K.K.");
	T_EQ_STR(d->model, "TT-1");
	T_ASSERT(d->models && d->models[0] == NULL);
	T_EQ_STR(d->product_type, "smart plug");
	T_EQ_STR(d->firmware_version, "1.10"); /* quoted: kept as written, not the number 1.1 */
	T_EQ_STR(d->support_end, "2028-02-29"); /* a leap day */
	T_ASSERT(d->security_contact == NULL);
	T_EQ_INT(d->level, 1);
	T_EQ_INT(d->nanswers, 0);
	T_EQ_INT(d->nports, 0);
	T_ASSERT(!d->vdp.checked);
	T_ASSERT(jcs_declaration_answer(d, "S1.1-01") == NULL);
	jcs_declaration_free(d);
}

T_TEST(full)
{
	struct jcs_declaration *d = load_ok(GOOD "full.yaml");
	const struct jcs_answer *a;

	if (!d)
		return;
	T_EQ_STR(d->vendor, "Vendor Example Co., Ltd.");
	T_EQ_STR(d->models[0], "VR-7W");
	T_EQ_STR(d->models[1], "VR-7E");
	T_ASSERT(d->models[2] == NULL);
	T_EQ_STR(d->product_type, "home router");
	T_EQ_STR(d->security_contact, "psirt@vendor.example");
	T_EQ_INT(d->nports, 3);
	T_EQ_INT(d->ports[0].port, 443);
	T_EQ_STR(d->ports[0].proto, "tcp");
	T_EQ_STR(d->ports[0].service, "https");
	T_EQ_STR(d->ports[0].purpose, "management web UI");
	T_EQ_INT(d->ports[1].port, 53);
	T_EQ_STR(d->ports[1].proto, "udp");
	T_EQ_INT(d->ports[2].port, 53); /* same port, other protocol: not a duplicate */
	T_EQ_STR(d->ports[2].proto, "tcp");
	T_ASSERT(d->ports[2].service == NULL);
	T_EQ_INT(d->nanswers, 4);

	a = jcs_declaration_answer(d, "S1.1-14");
	T_ASSERT(a && a->answer == JCS_ANSWER_NOT_APPLICABLE);
	if (a) {
		T_EQ_STR(a->reason, "The router keeps no credentials or settings in volatile memory; "
				    "there is nothing to restore.\n");
		T_EQ_INT(a->nevidence, 0);
		T_EQ_INT(a->line, 32);
		T_EQ_INT(a->col, 3);
	}
	a = jcs_declaration_answer(d, "S1.1-09");
	T_ASSERT(a && a->answer == JCS_ANSWER_CONFORM);
	if (a && a->nevidence == 1) {
		T_EQ_STR(a->notes, "The PSIRT page covers both disclosure and update priorities.");
		T_EQ_STR(a->evidence[0].title, "PSIRT vulnerability handling");
		T_EQ_STR(a->evidence[0].type, "policy");
		T_EQ_STR(a->evidence[0].url, "https://vendor.example/psirt/vdp.html");
		T_EQ_STR(a->evidence[0].file, GOOD "../docs/vdp.md"); /* resolved, may go upward */
		T_ASSERT(a->evidence[0].file_exists);
		T_EQ_INT(a->evidence[0].line, 28);
	} else {
		T_FAIL("S1.1-09 evidence missing");
	}
	a = jcs_declaration_answer(d, "S1.1-16");
	T_ASSERT(a && a->nevidence == 3);
	if (a && a->nevidence == 3) {
		T_EQ_STR(a->evidence[0].file, GOOD "../docs/manual.pdf");
		T_EQ_STR(a->evidence[1].url, "http://vendor.example/support");
		T_ASSERT(a->evidence[1].file == NULL && !a->evidence[1].file_exists);
		T_EQ_STR(a->evidence[2].text, "The support period is printed on the box.");
		T_ASSERT(a->evidence[2].title == NULL);
	}
	/* S1.1-05 cites only security.txt; its Policy: URI is the url of the local copy cited
	 * under S1.1-09, so that policy is read too and gives the two timelines. */
	T_ASSERT(d->vdp.checked);
	T_EQ_STR(d->vdp.file, GOOD "../docs/security.txt");
	T_ASSERT(d->vdp.contact);
	T_EQ_STR(d->vdp.contact_file, GOOD "../docs/security.txt");
	T_EQ_INT(d->vdp.contact_line, 1);
	T_ASSERT(d->vdp.ack_timeline);
	T_EQ_STR(d->vdp.ack_file, GOOD "../docs/vdp.md");
	T_EQ_INT(d->vdp.ack_line, 5);
	T_ASSERT(d->vdp.update_timeline);
	T_EQ_STR(d->vdp.update_file, GOOD "../docs/vdp.md");
	T_EQ_INT(d->vdp.update_line, 6);
	T_ASSERT(!d->vdp.expired);
	jcs_declaration_free(d);
}

T_TEST(japanese_policy)
{
	struct jcs_declaration *d = load_ok(GOOD "japanese.yaml");

	if (!d)
		return;
	T_EQ_STR(d->vendor, "株式会社エグザンプル");
	T_EQ_STR(d->product_type, "ネットワークカメラ");
	T_ASSERT(d->vdp.checked && d->vdp.contact && d->vdp.ack_timeline && d->vdp.update_timeline);
	T_EQ_INT(d->vdp.contact_line, 6);
	T_EQ_INT(d->vdp.ack_line, 10);
	T_EQ_INT(d->vdp.update_line, 11);
	jcs_declaration_free(d);
}

T_TEST(security_txt_alone_has_no_timelines)
{
	struct jcs_declaration *d = load_ok(GOOD "vdp-security-txt-only.yaml");

	if (!d)
		return;
	T_ASSERT(d->vdp.checked);
	T_ASSERT(d->vdp.contact);
	T_EQ_INT(d->vdp.contact_line, 1);
	T_ASSERT(!d->vdp.ack_timeline && d->vdp.ack_line == 0 && d->vdp.ack_file == NULL);
	T_ASSERT(!d->vdp.update_timeline && d->vdp.update_line == 0);
	T_ASSERT(d->vdp.expired); /* Expires: 2023-03-31 */
	jcs_declaration_free(d);
}

T_TEST(pdf_policy_is_not_read)
{
	struct jcs_declaration *d = load_ok(GOOD "vdp-pdf.yaml");

	if (!d)
		return;
	T_ASSERT(!d->vdp.checked);
	T_ASSERT(!d->vdp.contact && !d->vdp.ack_timeline && !d->vdp.update_timeline);
	jcs_declaration_free(d);
}

T_TEST(camera_example)
{
	struct jcs_declaration *d = load_ok("examples/camera/declaration.yaml");
	const struct jcs_answer *a;

	if (!d)
		return;
	T_EQ_STR(d->vendor, "Acme Corp.");
	T_EQ_STR(d->model, "NC-200");
	T_EQ_STR(d->product_type, "network camera");
	T_EQ_STR(d->support_end, "2030-03-31");
	T_EQ_INT(d->nanswers, 15);
	T_ASSERT(jcs_declaration_answer(d, "S1.1-14") == NULL); /* not claimed */
	T_EQ_INT(d->nports, 3);
	a = jcs_declaration_answer(d, "S1.1-05");
	T_ASSERT(a && a->nevidence == 2);
	/* the demo's policy gives a contact and an acknowledgement timeline but no timeline for
	 * status updates: S1.1-05 is one of the camera's failing criteria */
	T_ASSERT(d->vdp.checked && d->vdp.contact && d->vdp.ack_timeline);
	T_ASSERT(!d->vdp.update_timeline);
	T_EQ_STR(d->vdp.contact_file, "examples/camera/docs/security.txt");
	T_EQ_INT(d->vdp.contact_line, 3);
	T_EQ_STR(d->vdp.ack_file, "examples/camera/docs/disclosure-policy.md");
	T_EQ_INT(d->vdp.ack_line, 14);
	T_ASSERT(!d->vdp.expired);
	jcs_declaration_free(d);
}

/* Parsing from memory: basedir resolves files; "-" style names work; nothing is required
 * of the name beyond appearing in messages. */
T_TEST(parse_from_memory)
{
	static const char text[] =
		"schema: jcstar.declaration/1\n"
		"product: {vendor: V, model: M, type: t, firmware_version: '1', support_end: 2030-01-01}\n"
		"level: 1\n"
		"answers:\n"
		"  S1.1-05:\n"
		"    answer: conform\n"
		"    evidence: [{title: policy, file: policy-ja.txt}]\n";
	struct jcs_declaration *d = NULL;
	struct jcs_err err = {0};
	int rc = jcs_declaration_parse(text, sizeof(text) - 1, "<stdin>", "tests/data/vdp", &d, &err);

	T_EQ_INT(rc, 0);
	if (!d) {
		T_FAIL("%s", err.msg);
		return;
	}
	T_EQ_STR(d->path, "<stdin>");
	T_EQ_STR(d->answers[0].evidence[0].file, "tests/data/vdp/policy-ja.txt");
	T_ASSERT(d->vdp.update_timeline);
	jcs_declaration_free(d);

	rc = jcs_declaration_parse(text, sizeof(text) - 1, "<stdin>", "/nonexistent", &d, &err);
	T_EQ_INT(rc, JCS_ESCHEMA);
	T_EQ_STR(err.msg, "<stdin>:7:38: file 'policy-ja.txt' in evidence item 1 of S1.1-05 does not exist "
			  "(looked for /nonexistent/policy-ja.txt)");
	jcs_declaration_free(NULL);
}

T_TEST(unreadable_path)
{
	struct jcs_declaration *d = NULL;
	struct jcs_err err = {0};

	/* a missing input is bad input (exit 2), not a runtime failure */
	T_EQ_INT(jcs_declaration_load("tests/data/declarations/no-such-file.yaml", &d, &err), JCS_EINVAL);
	T_ASSERT(d == NULL);
	T_EQ_STR(err.msg, "tests/data/declarations/no-such-file.yaml: No such file or directory");
}

T_MAIN(T_CASE(bad_declarations_fail_with_exact_message), T_CASE(every_bad_file_has_a_case), T_CASE(minimal),
       T_CASE(full), T_CASE(japanese_policy), T_CASE(security_txt_alone_has_no_timelines),
       T_CASE(pdf_policy_is_not_read), T_CASE(camera_example), T_CASE(parse_from_memory),
       T_CASE(unreadable_path))
