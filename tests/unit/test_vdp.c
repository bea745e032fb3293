/* S1.1-05: contact and the two timelines in real-world-like disclosure policies and
 * security.txt files (tests/data/vdp/), English and Japanese. A line of 0 means "not found". */
#include <string.h>
#include <time.h>

#include "jcstar/declaration.h"
#include "jcstar/buf.h"
#include "core/date.h"
#include "core/vdp.h"
#include "t.h"

static const struct {
	const char *file;
	bool security_txt;
	int contact, ack, update; /* lines */
	bool expired;             /* at 2026-01-01 */
	const char *policy;
} vdp_samples[] = {
	{"security-minimal.txt", true, 1, 0, 0, false, ""},
	{"security-expired.txt", true, 2, 0, 0, true, ""},
	{"security-signed.txt", true, 5, 0, 0, false, "https://example.org/vulnerability-disclosure-policy.html"},
	/* timelines in comments do not count: security.txt has no timeline fields */
	{"security-comment-timelines.txt", true, 3, 0, 0, false, ""},
	{"policy-en-full.md", false, 8, 13, 17, false, ""},
	{"policy-ja.txt", false, 6, 10, 11, false, ""},
	{"policy-html.html", false, 7, 9, 10, false, ""},
	/* "as soon as possible" and "keep you informed" are no timelines; "security updates
	 * within 90 days" is about fixes, not status updates to the reporter */
	{"policy-vague.md", false, 3, 0, 0, false, ""},
	/* sentences wrapped over lines: the line of the time expression is recorded */
	{"policy-wrapped.txt", false, 3, 5, 6, false, ""},
	/* "acknowledge … within 5 business days and keep you informed": one timeline only */
	{"policy-ack-only.md", false, 3, 3, 0, false, ""},
	/* no e-mail: a report URL in a sentence about reporting is the contact */
	{"policy-form-only.md", false, 3, 4, 4, false, ""},
};

T_TEST(samples)
{
	time_t now = (time_t)(jcs_days_from_civil(2026, 1, 1) * 86400);

	for (size_t i = 0; i < sizeof(vdp_samples) / sizeof(vdp_samples[0]); i++) {
		struct jcs_buf b = JCS_BUF_INIT;
		struct jcs_err err;
		struct jcs_vdp_scan s;
		char path[256];

		snprintf(path, sizeof(path), "tests/data/vdp/%s", vdp_samples[i].file);
		if (jcs_read_file(path, 0, &b, &err)) {
			T_FAIL("%s", err.msg);
			continue;
		}
		jcs_vdp_scan(b.data, b.len, now, &s);
		if (s.security_txt != vdp_samples[i].security_txt || s.r.contact_line != vdp_samples[i].contact ||
		    s.r.ack_line != vdp_samples[i].ack || s.r.update_line != vdp_samples[i].update ||
		    s.r.expired != vdp_samples[i].expired || strcmp(s.policy, vdp_samples[i].policy) != 0)
			T_FAIL("%s: security_txt %d contact %d ack %d update %d expired %d policy '%s'", vdp_samples[i].file,
			       s.security_txt, s.r.contact_line, s.r.ack_line, s.r.update_line, s.r.expired, s.policy);
		T_ASSERT(s.r.checked);
		T_EQ_INT(s.r.contact, vdp_samples[i].contact > 0);
		T_EQ_INT(s.r.ack_timeline, vdp_samples[i].ack > 0);
		T_EQ_INT(s.r.update_timeline, vdp_samples[i].update > 0);
		T_ASSERT(!s.r.file && !s.r.contact_file);
		jcs_buf_free(&b);
	}
}

static struct jcs_vdp_check check(const char *text)
{
	struct jcs_vdp_check r;

	jcs_vdp_check_text(text, strlen(text), &r);
	return r;
}

T_TEST(wording)
{
	struct jcs_vdp_check r;

	r = check("We acknowledge within 5 business days.");
	T_ASSERT(r.ack_timeline && !r.update_timeline && !r.contact);
	r = check("受領後5営業日以内に受付の連絡をします。");
	T_ASSERT(r.ack_timeline && !r.update_timeline);
	r = check("状況を30日ごとに報告します。");
	T_ASSERT(r.update_timeline && !r.ack_timeline);
	r = check("対応状況は毎週お知らせします。");
	T_ASSERT(r.update_timeline);
	r = check("進捗は月に1回ご報告します。");
	T_ASSERT(r.update_timeline);
	r = check("We send status updates every week.");
	T_ASSERT(r.update_timeline);
	r = check("Expect an initial response within a day, and progress reports fortnightly.");
	T_ASSERT(r.ack_timeline && r.update_timeline);
	r = check("We will reply within a reasonable time.");
	T_ASSERT(!r.ack_timeline); /* "a reasonable time" is no timeline */
	r = check("We provide status updates. Reports are acknowledged within 3 days.");
	T_ASSERT(r.ack_timeline && !r.update_timeline); /* different sentences */
	r = check("Contact: security@example.com");
	T_ASSERT(r.contact && r.contact_line == 1);
	r = check("Follow us at @example or see https://example.com/blog.");
	T_ASSERT(!r.contact); /* a handle is no address; a URL outside a sentence about reporting */
	r = check("S1.1-05 and 5.2-1 apply.");
	T_ASSERT(!r.ack_timeline && !r.update_timeline);
}

T_TEST(expires)
{
	time_t now = (time_t)(jcs_days_from_civil(2026, 1, 1) * 86400);
	struct jcs_vdp_scan s;
	const char *t;

	t = "Contact: mailto:a@b.example\nExpires: 2025-12-31T23:59:59Z\n";
	jcs_vdp_scan(t, strlen(t), now, &s);
	T_ASSERT(s.security_txt && s.r.expired);
	t = "Contact: mailto:a@b.example\nExpires: 2026-01-01T08:59:59+09:00\n"; /* 23:59:59Z the day before */
	jcs_vdp_scan(t, strlen(t), now, &s);
	T_ASSERT(s.r.expired);
	t = "Contact: mailto:a@b.example\nExpires: 2026-01-01T09:00:01+09:00\n";
	jcs_vdp_scan(t, strlen(t), now, &s);
	T_ASSERT(!s.r.expired);
	t = "Contact: mailto:a@b.example\nExpires: someday\n"; /* unreadable: not claimed expired */
	jcs_vdp_scan(t, strlen(t), now, &s);
	T_ASSERT(s.security_txt && !s.r.expired);
	t = "Expires: 2027-02-29T00:00:00Z\n"; /* no such date */
	jcs_vdp_scan(t, strlen(t), now, &s);
	T_ASSERT(s.security_txt && !s.r.contact && !s.r.expired);
}

T_TEST(edge_inputs)
{
	struct jcs_vdp_check r;
	char nul[] = "Contact: x\0@y.example within 5 days acknowledge";

	jcs_vdp_check_text(NULL, 0, &r);
	T_ASSERT(r.checked && !r.contact && !r.ack_timeline && !r.update_timeline);
	jcs_vdp_check_text("", 0, &r);
	T_ASSERT(!r.contact);
	jcs_vdp_check_text(nul, sizeof(nul) - 1, &r);
	T_ASSERT(r.checked);
	/* only len bytes are read: the timeline after the cut does not count */
	jcs_vdp_check_text("We acknowledge within 5 days.", 18, &r);
	T_ASSERT(!r.ack_timeline);
}

T_MAIN(T_CASE(samples), T_CASE(wording), T_CASE(expires), T_CASE(edge_inputs))
