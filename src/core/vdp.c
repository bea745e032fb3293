/* S1.1-05: does a vulnerability disclosure policy name a contact and the two timelines
 * (acknowledgement of receipt; status updates until resolution)?
 *
 * A security.txt (RFC 9116: nothing but "Field: value" lines, comments and an optional
 * OpenPGP signature) is read field by field: Contact: is the contact, Expires: in the past
 * makes it expired, Policy: names the policy; it has no timeline fields, so a security.txt
 * alone never has the timelines.
 *
 * Any other text (a policy in plain text, Markdown or HTML, English or Japanese) is read
 * sentence by sentence, on a normalised copy with the same byte offsets (ASCII lowercased,
 * line breaks, tabs, Markdown emphasis and HTML tags blanked):
 *   - contact: an e-mail address anywhere, or an http(s) URL in a sentence about reporting;
 *   - acknowledgement: an acknowledgement keyword ("acknowledge", "receipt", "受領", "受付"…)
 *     and a one-off time expression ("within 5 business days", "5営業日以内") in one sentence;
 *   - status updates: an update keyword ("status", "progress", "状況", "進捗"…) and either a
 *     periodic time expression ("every 30 days", "30日ごと", "毎週") in the sentence, or a
 *     one-off one after the keyword with no acknowledgement keyword in between.
 * The line recorded for a timeline is the line of its time expression. Reads never leave the
 * text's bounds (every access goes through `at` or an explicit index < n check). */
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/vdp.h"

#define MAX_HITS 32 /* keyword / time-expression hits kept per sentence */

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(unsigned char c)
{
	return is_digit(c) || is_alpha(c);
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Does s[i..n) start with lit? */
static bool at(const char *s, size_t n, size_t i, const char *lit)
{
	size_t l = strlen(lit);

	return i <= n && l <= n - i && memcmp(s + i, lit, l) == 0;
}

/* Length of the first entry of list that s[i..n) starts with (an ASCII entry must end
 * before a letter when `word`), 0 if none. */
static size_t match_list(const char *s, size_t n, size_t i, const char *const *list, bool word)
{
	for (size_t k = 0; list[k]; k++) {
		size_t l = strlen(list[k]);

		if (at(s, n, i, list[k]) && (!word || i + l == n || !is_alpha((unsigned char)s[i + l])))
			return l;
	}
	return 0;
}

static int line_of(const char *t, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off; i++)
		line += t[i] == '\n';
	return line;
}

/* --- security.txt (RFC 9116) --- */

static int two_digits(const char *s)
{
	return is_digit((unsigned char)s[0]) && is_digit((unsigned char)s[1]) ? (s[0] - '0') * 10 + s[1] - '0' : -1;
}

/* RFC 3339 date-time ("2026-12-31T23:59:59Z", fraction and offset optional) → Unix time. */
static bool parse_expires(const char *v, size_t n, time_t *out)
{
	int y, mo, d, h, mi, s, sign = 0, oh = 0, om = 0;
	size_t i = 19;

	if (n < 20 || jcs_date_parse(v, 10, &y, &mo, &d) || (v[10] != 'T' && v[10] != 't' && v[10] != ' ') ||
	    v[13] != ':' || v[16] != ':')
		return false;
	h = two_digits(v + 11);
	mi = two_digits(v + 14);
	s = two_digits(v + 17);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
		return false;
	if (v[i] == '.') {
		for (i++; i < n && is_digit((unsigned char)v[i]); i++)
			;
	}
	if (i < n && (v[i] == 'Z' || v[i] == 'z')) {
		i++;
	} else if (i + 6 <= n && (v[i] == '+' || v[i] == '-') && v[i + 3] == ':') {
		sign = v[i] == '+' ? 1 : -1;
		oh = two_digits(v + i + 1);
		om = two_digits(v + i + 4);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return false;
		i += 6;
	} else {
		return false;
	}
	if (i != n)
		return false;
	*out = (time_t)(jcs_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s -
			sign * (oh * 3600 + om * 60));
	return true;
}

static bool line_is(const char *l, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(l, lit, n) == 0;
}

static bool field_is(const char *name, size_t n, const char *want)
{
	if (n != strlen(want))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((name[i] | 0x20) != want[i])
			return false;
	return true;
}

/* True (and fields filled in) when text is a security.txt: every line outside the OpenPGP
 * armour is a comment, blank or "Field: value", and Contact: or Expires: is among them. */
static bool scan_security_txt(const char *t, size_t n, time_t now, struct jcs_vdp_scan *out)
{
	bool in_hdr = false, in_sig = false;
	int known = 0, line = 0;

	for (size_t ls = 0; ls < n;) {
		size_t le = ls, name_end, vs, ve;

		while (le < n && t[le] != '\n')
			le++;
		line++;
		{
			size_t a = ls, b = le, next = le < n ? le + 1 : n;
			const char *l;

			while (a < b && is_blank((unsigned char)t[a]))
				a++;
			while (b > a && is_blank((unsigned char)t[b - 1]))
				b--;
			l = t + a;
			ls = next;
			if (in_sig) {
				in_sig = !line_is(l, b - a, "-----END PGP SIGNATURE-----");
				continue;
			}
			if (in_hdr) {
				in_hdr = b > a;
				continue;
			}
			if (line_is(l, b - a, "-----BEGIN PGP SIGNED MESSAGE-----")) {
				in_hdr = true;
				continue;
			}
			if (line_is(l, b - a, "-----BEGIN PGP SIGNATURE-----")) {
				in_sig = true;
				continue;
			}
			if (b - a >= 2 && l[0] == '-' && l[1] == ' ')
				a += 2; /* dash-escaped line of a signed message */
			if (a == b || t[a] == '#')
				continue;
			for (name_end = a; name_end < b && (is_alnum((unsigned char)t[name_end]) || t[name_end] == '-');
			     name_end++)
				;
			if (name_end == a || name_end == b || t[name_end] != ':')
				return false; /* prose: not a security.txt */
			for (vs = name_end + 1; vs < b && is_blank((unsigned char)t[vs]); vs++)
				;
			ve = b;
			if (field_is(t + a, name_end - a, "contact")) {
				known++;
				if (!out->r.contact && ve > vs) {
					out->r.contact = true;
					out->r.contact_line = line;
				}
			} else if (field_is(t + a, name_end - a, "expires")) {
				time_t exp;

				known++;
				if (parse_expires(t + vs, ve - vs, &exp) && exp < now)
					out->r.expired = true;
			} else if (field_is(t + a, name_end - a, "policy") && !out->policy[0] && ve > vs &&
				   ve - vs < sizeof(out->policy)) {
				memcpy(out->policy, t + vs, ve - vs);
				out->policy[ve - vs] = 0;
			}
		}
	}
	return known > 0;
}

/* --- policies in prose --- */

static const char *const ack_kw[] = {
	"acknowledg", "receipt", "initial response", "first response", "respond", "response", "reply",
	"受領", "受付", "受け付け", "受理", "一次回答", "初回回答", "初回の回答", "初回の連絡", "確認の連絡",
	"返信", "応答", NULL};
static const char *const update_kw[] = {
	"status", "progress", "informed", "inform you", "update you", "updates on", "updated on",
	"keep you", "notify you", "状況", "進捗", "経過", NULL};
static const char *const contact_kw[] = {
	"report", "contact", "submit", "send", "e-mail", "email", "form", "連絡", "報告", "窓口", "送信",
	"フォーム", "問い合わせ", NULL};

static const char *const num_words[] = {
	"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
	"fourteen", "fifteen", "twenty", "thirty", "forty", "sixty", "ninety", NULL};
static const char *const articles[] = {"a", "an", NULL};
static const char *const article_ok_after[] = {"within", "every", "each", "once", "per", "in", NULL};
static const char *const kanji_digits[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", NULL};
static const char *const en_qualifiers[] = {"business", "working", "calendar", NULL};
static const char *const en_units[] = {"hours", "hour", "hrs", "hr", "h", "days", "day", "weeks", "week",
				       "months", "month", NULL};
static const char *const ja_units[] = {"営業日", "日間", "日", "時間", "週間", "週", "か月", "ヶ月", "カ月",
				       "ケ月", "ヵ月", "箇月", NULL};
static const char *const en_periodic_before[] = {"every", "each", "once", "per", NULL};
static const char *const en_periodic_words[] = {"weekly", "monthly", "daily", "biweekly", "bi-weekly",
						"fortnightly", NULL};
static const char *const ja_periodic_after[] = {"ごと", "毎", "おき", NULL};
static const char *const ja_periodic_words[] = {"毎週", "毎月", "毎日", "隔週", NULL};
static const char *const ja_per_units[] = {"週", "月", NULL}; /* 週1回, 月に1回 */

struct hit {
	size_t pos;
	bool periodic;
};

static bool word_start(const char *t, size_t s, size_t i)
{
	return i == s || !is_alnum((unsigned char)t[i - 1]);
}

/* The ASCII word just before i (skipping blanks) is in list. */
static bool prev_word_in(const char *t, size_t s, size_t i, const char *const *list)
{
	size_t e = i, b;

	while (e > s && t[e - 1] == ' ')
		e--;
	for (b = e; b > s && is_alpha((unsigned char)t[b - 1]); b--)
		;
	return b < e && match_list(t, e, b, list, true) == e - b;
}

/* A number at i: ASCII or full-width digits, kanji numerals, an English number word, or
 * (article) "a"/"an". Returns its length, 0 if none. */
static size_t number_at(const char *t, size_t s, size_t e, size_t i, bool *article)
{
	size_t j = i, l;

	*article = false;
	if (is_digit((unsigned char)t[i])) {
		if (!word_start(t, s, i))
			return 0;
		while (j < e && is_digit((unsigned char)t[j]) && j - i < 5)
			j++;
		return j < e && is_digit((unsigned char)t[j]) ? 0 : j - i;
	}
	while (j + 3 <= e && (unsigned char)t[j] == 0xEF && (unsigned char)t[j + 1] == 0xBC &&
	       (unsigned char)t[j + 2] >= 0x90 && (unsigned char)t[j + 2] <= 0x99)
		j += 3; /* ０-９ */
	while ((l = match_list(t, e, j, kanji_digits, false)))
		j += l;
	if (j > i)
		return j - i;
	if (!word_start(t, s, i))
		return 0;
	if ((l = match_list(t, e, i, num_words, true)))
		return l;
	if ((l = match_list(t, e, i, articles, true)) && prev_word_in(t, s, i, article_ok_after)) {
		*article = true;
		return l;
	}
	return 0;
}

static size_t skip_seps(const char *t, size_t e, size_t j)
{
	while (j < e && (t[j] == ' ' || t[j] == '-'))
		j++;
	return j;
}

/* A time expression at i; sets *end past it and whether it is periodic. */
static bool time_at(const char *t, size_t s, size_t e, size_t i, size_t *end, bool *periodic)
{
	size_t l, j;
	bool article;

	*periodic = true;
	if (word_start(t, s, i) && (l = match_list(t, e, i, en_periodic_words, true))) {
		*end = i + l;
		return true;
	}
	if ((l = match_list(t, e, i, ja_periodic_words, false))) {
		*end = i + l;
		return true;
	}
	if (word_start(t, s, i) && (l = match_list(t, e, i, en_periodic_before, true))) {
		j = skip_seps(t, e, i + l);
		if ((l = match_list(t, e, j, en_units, true))) { /* "every week" */
			*end = j + l;
			return true;
		}
	}
	if ((l = match_list(t, e, i, ja_per_units, false))) { /* 週1回, 月に1回 */
		j = i + l;
		if (at(t, e, j, "に"))
			j += strlen("に");
		if ((l = number_at(t, s, e, j, &article)) && !article && at(t, e, j + l, "回")) {
			*end = j + l + strlen("回");
			return true;
		}
	}
	if (!(l = number_at(t, s, e, i, &article)))
		return false;
	j = skip_seps(t, e, i + l);
	if ((l = match_list(t, e, j, en_qualifiers, true)))
		j = skip_seps(t, e, j + l);
	if ((l = match_list(t, e, j, en_units, true)) == 0 && (l = match_list(t, e, j, ja_units, false)) == 0)
		return false;
	*end = j + l;
	*periodic = prev_word_in(t, s, i, en_periodic_before) || (i >= 3 && at(t, e, i - 3, "毎")) ||
		    match_list(t, e, *end, ja_periodic_after, false) > 0;
	return true;
}

static size_t find_times(const char *t, size_t s, size_t e, struct hit *out)
{
	size_t cnt = 0;

	for (size_t i = s; i < e && cnt < MAX_HITS;) {
		size_t end;
		bool periodic;

		if (time_at(t, s, e, i, &end, &periodic)) {
			out[cnt].pos = i;
			out[cnt++].periodic = periodic;
			i = end;
		} else {
			i++;
		}
	}
	return cnt;
}

/* Positions of keywords in [s, e) (an ASCII keyword must start a word). */
static size_t find_keywords(const char *t, size_t s, size_t e, const char *const *kw, size_t *out)
{
	size_t cnt = 0;

	for (size_t i = s; i < e && cnt < MAX_HITS; i++) {
		for (size_t k = 0; kw[k]; k++) {
			if (at(t, e, i, kw[k]) && ((unsigned char)kw[k][0] >= 0x80 || word_start(t, s, i))) {
				out[cnt++] = i;
				break;
			}
		}
	}
	return cnt;
}

/* Does the original line containing offset i start with a list, heading or table marker? */
static bool marker_line(const char *o, size_t n, size_t i)
{
	while (i < n && is_blank((unsigned char)o[i]))
		i++;
	if (i >= n)
		return false;
	if (strchr("-*+#|>", o[i]) || at(o, n, i, "・") || at(o, n, i, "■") || at(o, n, i, "●"))
		return true;
	while (i < n && is_digit((unsigned char)o[i]))
		i++;
	return i < n && i > 0 && is_digit((unsigned char)o[i - 1]) && (o[i] == '.' || o[i] == ')');
}

/* Does the line break at o[i] end a sentence? Blank next line, a list item / heading /
 * table row next, or the current line is a heading or table row. */
static bool break_ends_sentence(const char *o, size_t n, size_t i)
{
	size_t j = i + 1, ls = i;

	while (j < n && is_blank((unsigned char)o[j]))
		j++;
	if (j >= n || o[j] == '\n')
		return true;
	if (marker_line(o, n, i + 1))
		return true;
	while (ls > 0 && o[ls - 1] != '\n')
		ls--;
	while (ls < i && is_blank((unsigned char)o[ls]))
		ls++;
	return ls < i && (o[ls] == '#' || o[ls] == '|');
}

/* Next sentence [*s, *e) from *pos; false at the end. o: original text, t: normalised. */
static bool next_sentence(const char *o, const char *t, size_t n, size_t *pos, size_t *s, size_t *e)
{
	size_t i = *pos;

	while (i < n && t[i] == ' ')
		i++;
	if (i >= n)
		return false;
	*s = i;
	for (; i < n; i++) {
		if ((t[i] == '.' || t[i] == '!' || t[i] == '?') && (i + 1 == n || t[i + 1] == ' ')) {
			i++;
			break;
		}
		if (at(o, n, i, "。") || at(o, n, i, "！") || at(o, n, i, "？")) {
			i += strlen("。");
			break;
		}
		if (o[i] == '\n' && i > *s && break_ends_sentence(o, n, i))
			break;
	}
	*e = i;
	*pos = i;
	return true;
}

/* Lowercased copy with the same offsets; breaks, tabs, Markdown emphasis, HTML tags → ' '. */
static char *normalise(const char *o, size_t n)
{
	char *t = malloc(n ? n : 1);
	bool html = false, in_tag = false;
	size_t probe = n < 2048 ? n : 2048;

	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++)
		t[i] = (o[i] >= 'A' && o[i] <= 'Z') ? (char)(o[i] | 0x20) : o[i];
	for (size_t i = 0; i < probe && !html; i++)
		html = at(t, probe, i, "<html") || at(t, probe, i, "<!doctype html") || at(t, probe, i, "<body") ||
		       at(t, probe, i, "<p>");
	for (size_t i = 0; i < n; i++) {
		char c = t[i];

		if (html && c == '<')
			in_tag = true;
		if (in_tag || c == '\n' || c == '\r' || c == '\t' || c == '*' || c == '_' || c == '`')
			t[i] = ' ';
		if (html && c == '>')
			in_tag = false;
	}
	return t;
}

/* First e-mail address (local@domain.tld) in t: its offset, or n. */
static size_t find_email(const char *t, size_t n)
{
	for (size_t i = 1; i + 1 < n; i++) {
		size_t k = i, j = i + 1, dot;
		bool tld = true;

		if (t[i] != '@')
			continue;
		while (k > 0 && (is_alnum((unsigned char)t[k - 1]) || strchr("._%+-", t[k - 1])))
			k--;
		while (j < n && (is_alnum((unsigned char)t[j]) || t[j] == '.' || t[j] == '-'))
			j++;
		while (j > i + 1 && t[j - 1] == '.')
			j--; /* a full stop after the address */
		for (dot = j; dot > i + 1 && t[dot - 1] != '.'; dot--)
			;
		if (k == i || dot <= i + 2 || j - dot < 2)
			continue; /* no local part, no "label." before the TLD, or a 1-letter TLD */
		for (size_t x = dot; x < j; x++)
			tld = tld && is_alpha((unsigned char)t[x]);
		if (tld)
			return k;
	}
	return n;
}

static void scan_policy(const char *o, size_t n, struct jcs_vdp_check *r)
{
	char *t = normalise(o, n);
	size_t pos = 0, s, e, contact = n;

	if (!t) {
		r->checked = false; /* could not read it after all */
		return;
	}
	contact = find_email(t, n);
	while (next_sentence(o, t, n, &pos, &s, &e) && (!r->ack_timeline || !r->update_timeline || contact == n)) {
		struct hit times[MAX_HITS];
		size_t acks[MAX_HITS], upds[MAX_HITS], contacts[MAX_HITS], ntimes = 0, nacks, nupds;

		nacks = find_keywords(t, s, e, ack_kw, acks);
		nupds = find_keywords(t, s, e, update_kw, upds);
		if (nacks || nupds)
			ntimes = find_times(t, s, e, times);
		for (size_t i = 0; i < ntimes && nacks && !r->ack_timeline; i++) {
			if (!times[i].periodic) {
				r->ack_timeline = true;
				r->ack_line = line_of(o, times[i].pos);
			}
		}
		for (size_t k = 0; k < nupds && !r->update_timeline; k++) {
			for (size_t i = 0; i < ntimes && !r->update_timeline; i++) {
				bool ack_between = false;

				for (size_t a = 0; a < nacks; a++)
					ack_between = ack_between || (acks[a] > upds[k] && acks[a] < times[i].pos);
				if (times[i].periodic || (times[i].pos > upds[k] && !ack_between)) {
					r->update_timeline = true;
					r->update_line = line_of(o, times[i].pos);
				}
			}
		}
		if (contact == n && find_keywords(t, s, e, contact_kw, contacts)) {
			for (size_t i = s; i < e && contact == n; i++)
				if (at(t, e, i, "https://") || at(t, e, i, "http://"))
					contact = i;
		}
	}
	if (contact < n) {
		r->contact = true;
		r->contact_line = line_of(o, contact);
	}
	free(t);
}

void jcs_vdp_scan(const char *text, size_t len, time_t now, struct jcs_vdp_scan *out)
{
	memset(out, 0, sizeof(*out));
	out->r.checked = true;
	if (!text)
		len = 0;
	if (len > JCS_VDP_MAX_BYTES)
		len = JCS_VDP_MAX_BYTES;
	if (scan_security_txt(text, len, now, out)) {
		out->security_txt = true;
		return;
	}
	memset(out, 0, sizeof(*out));
	out->r.checked = true;
	scan_policy(text, len, &out->r);
}

void jcs_vdp_check_text(const char *text, size_t len, struct jcs_vdp_check *out)
{
	struct jcs_vdp_scan scan;

	jcs_vdp_scan(text, len, time(NULL), &scan);
	*out = scan.r;
}
