/* Cipher suite names → parts → CRYPTREC verdict (table: data/tls/cryptrec.yaml). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/blob.h"
#include "core/yaml.h"
#include "probe/tls.h"

#define MAX_NAME 96
#define MAX_TOKENS 16

static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static struct jcs_ynode *table;
static char policy_name[128];
static struct jcs_err table_err;

static void table_load(void)
{
	const struct jcs_blob *b = jcs_blob_get("tls/cryptrec.yaml");
	struct jcs_ynode *src;

	if (!b) {
		jcs_err_set(&table_err, JCS_ENOTFOUND, "tls/cryptrec.yaml is not embedded");
		return;
	}
	if (jcs_yaml_parse((const char *)b->data, b->len, "tls/cryptrec.yaml", &table, &table_err))
		return;
	src = jcs_yaml_get(table, "source");
	if (!src || !jcs_yaml_get(src, "id") || !jcs_yaml_get(src, "date")) {
		jcs_yaml_free(table);
		table = NULL;
		jcs_err_set(&table_err, JCS_ESCHEMA, "tls/cryptrec.yaml: source.id and source.date are required");
		return;
	}
	snprintf(policy_name, sizeof(policy_name), "%s (%s)", jcs_yaml_get(src, "id")->str,
		 jcs_yaml_get(src, "date")->str);
}

static const struct jcs_ynode *get_table(struct jcs_err *err)
{
	pthread_once(&table_once, table_load);
	if (!table)
		jcs_err_set(err, table_err.code ? table_err.code : JCS_EINVAL, "%s", table_err.msg);
	return table;
}

const char *jcs_tls_policy_name(void)
{
	return get_table(NULL) ? policy_name : NULL;
}

static int copy(char *dst, size_t n, const char *src)
{
	if (strlen(src) >= n)
		return -1;
	strcpy(dst, src);
	return 0;
}

/* Key exchange and authentication from the text before _WITH_ (prefix already removed). */
static const struct kxauth {
	const char *text, *kx, *auth;
} kxauths[] = {
	{"RSA", "RSA", "RSA"},           {"DH_DSS", "DH", "DSS"},
	{"DH_RSA", "DH", "RSA"},         {"DHE_DSS", "DHE", "DSS"},
	{"DHE_RSA", "DHE", "RSA"},       {"DH_anon", "DHE", "anon"},
	{"ECDH_ECDSA", "ECDH", "ECDSA"}, {"ECDH_RSA", "ECDH", "RSA"},
	{"ECDHE_ECDSA", "ECDHE", "ECDSA"}, {"ECDHE_RSA", "ECDHE", "RSA"},
	{"ECDH_anon", "ECDHE", "anon"},  {"PSK", "PSK", "PSK"},
	{"DHE_PSK", "DHE", "PSK"},       {"ECDHE_PSK", "ECDHE", "PSK"},
	{"RSA_PSK", "RSA", "PSK"},       {"PSK_DHE", "DHE", "PSK"},
	{"SRP_SHA", "SRP", "anon"},      {"SRP_SHA_RSA", "SRP", "RSA"},
	{"SRP_SHA_DSS", "SRP", "DSS"},   {"KRB5", "KRB5", "KRB5"},
	{"NULL", "NULL", "NULL"},        {"GOSTR341001", "GOST", "GOST"},
	{"GOSTR341112_256", "GOST", "GOST"}, {"FORTEZZA_KEA", "KRB5", "NULL"},
};

/* Split s (modified) on '_' into at most MAX_TOKENS tokens. */
static int tokenize(char *s, char **tok)
{
	int n = 0;

	for (char *p = strtok(s, "_"); p; p = strtok(NULL, "_")) {
		if (n == MAX_TOKENS)
			return -1;
		tok[n++] = p;
	}
	return n;
}

static bool is_hash(const char *t)
{
	return !strcmp(t, "SHA") || !strcmp(t, "SHA256") || !strcmp(t, "SHA384") || !strcmp(t, "SHA512") ||
	       !strcmp(t, "MD5") || !strcmp(t, "NULL") || !strcmp(t, "GOSTR3411") || !strcmp(t, "IMIT");
}

static bool is_num(const char *t)
{
	if (!*t)
		return false;
	for (; *t; t++)
		if (*t < '0' || *t > '9')
			return false;
	return true;
}

/* The part after _WITH_ (or the whole TLS 1.3 name after TLS_): CIPHER [BITS] [EDE] [MODE]
 * [8] [HASH]. */
static int parse_bulk(char *s, struct jcs_tls_suite *out)
{
	char *tok[MAX_TOKENS];
	int n = tokenize(s, tok), i = 0;

	if (n < 1)
		return -1;
	/* trailing MAC / PRF hash (absent in e.g. TLS_RSA_WITH_AES_128_CCM) */
	if (n >= 2 && is_hash(tok[n - 1])) {
		if (copy(out->mac, sizeof(out->mac), tok[n - 1]))
			return -1;
		n--;
	}
	if (copy(out->cipher, sizeof(out->cipher), tok[i++]))
		return -1;
	if (i < n && is_num(tok[i]) && strlen(tok[i]) <= 4)
		out->bits = atoi(tok[i++]);
	if (i < n && !strcmp(tok[i], "EDE"))
		i++;
	if (i < n) {
		if (copy(out->mode, sizeof(out->mode), tok[i++]))
			return -1;
		if (i < n && !strcmp(out->mode, "CCM") && !strcmp(tok[i], "8")) {
			strcpy(out->mode, "CCM_8");
			i++;
		}
		/* RC2_CBC_40, DES_CBC_40: key bits after the mode */
		if (i < n && is_num(tok[i]) && strlen(tok[i]) <= 4) {
			out->bits = atoi(tok[i++]);
			if (out->bits <= 40)
				out->export_ = true;
		}
	} else if (!strcmp(out->cipher, "RC4")) {
		strcpy(out->mode, "STREAM");
	} else if (!strcmp(out->cipher, "NULL")) {
		strcpy(out->mode, "NONE");
	} else {
		return -1;
	}
	if (i != n)
		return -1;
	if (!strcmp(out->cipher, "3DES"))
		out->bits = 168;
	if (!strcmp(out->cipher, "DES") && !out->bits)
		out->bits = 56;
	if (!strcmp(out->cipher, "DES40")) {
		out->bits = 40;
		out->export_ = true;
	}
	if (!strcmp(out->mode, "GCM") || !strcmp(out->mode, "CCM") || !strcmp(out->mode, "CCM_8") ||
	    !strcmp(out->mode, "POLY1305")) {
		/* AEAD: the trailing hash is the PRF's */
		strcpy(out->prf, out->mac[0] ? out->mac : "SHA256");
		strcpy(out->mac, "AEAD");
	} else if (!out->mac[0]) {
		return -1;
	}
	return 0;
}

int jcs_tls_suite_parse(const char *iana, struct jcs_tls_suite *out, struct jcs_err *err)
{
	char buf[MAX_NAME], *rest, *with;
	size_t len;

	memset(out, 0, sizeof(*out));
	len = iana ? strnlen(iana, MAX_NAME) : MAX_NAME;
	if (len >= MAX_NAME || len < 5)
		goto bad;
	memcpy(buf, iana, len + 1);
	if (strncmp(buf, "TLS_", 4) && strncmp(buf, "SSL_", 4))
		goto bad;
	rest = buf + 4;
	with = strstr(rest, "_WITH_");
	if (!with) {
		/* TLS 1.3: TLS_AES_128_GCM_SHA256 */
		out->tls13 = true;
		strcpy(out->kx, "ECDHE");
		strcpy(out->auth, "TLS13");
		if (parse_bulk(rest, out) || !out->prf[0])
			goto bad;
		return 0;
	}
	*with = '\0';
	{
		char *exp = strstr(rest, "_EXPORT");
		if (exp) {
			out->export_ = true;
			*exp = '\0'; /* RSA_EXPORT, RSA_EXPORT1024, DHE_DSS_EXPORT1024 */
		}
	}
	for (size_t i = 0; i < sizeof(kxauths) / sizeof(kxauths[0]); i++)
		if (!strcmp(rest, kxauths[i].text)) {
			strcpy(out->kx, kxauths[i].kx);
			strcpy(out->auth, kxauths[i].auth);
			break;
		}
	if (!out->kx[0])
		goto bad;
	if (parse_bulk(with + 6, out))
		goto bad;
	return 0;
bad:
	{
		char shown[64];
		snprintf(shown, sizeof(shown), "%.*s", (int)strnlen(iana ? iana : "", 60), iana ? iana : "");
		for (char *p = shown; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				*p = '?';
		memset(out, 0, sizeof(*out));
		return jcs_err_set(err, JCS_EPARSE, "cannot read cipher suite name '%s'", shown);
	}
}

static void add_reason(struct jcs_tls_judgement *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_reason(struct jcs_tls_judgement *j, const char *fmt, ...)
{
	size_t used = strlen(j->reasons);
	va_list ap;

	if (used)
		snprintf(j->reasons + used, sizeof(j->reasons) - used, "; ");
	used = strlen(j->reasons);
	va_start(ap, fmt);
	vsnprintf(j->reasons + used, sizeof(j->reasons) - used, fmt, ap);
	va_end(ap);
}

/* Judge one part; unknown values fail. */
static void judge_part(const struct jcs_ynode *tab, const char *part, const char *value,
		       struct jcs_tls_judgement *j)
{
	const struct jcs_ynode *sect = jcs_yaml_get(tab, part), *e, *v, *sev, *as, *list, *reason;
	int s;

	e = sect && sect->type == JCS_Y_MAP ? jcs_yaml_get(sect, value) : NULL;
	v = e ? jcs_yaml_get(e, "verdict") : NULL;
	if (!v || !v->str) {
		add_reason(j, "%s %s: not in the CRYPTREC table", part, value);
		j->verdict = JCS_TLS_FAIL;
		if (j->severity < JCS_SEV_MEDIUM)
			j->severity = JCS_SEV_MEDIUM;
		return;
	}
	if (!strcmp(v->str, "pass"))
		return;
	as = jcs_yaml_get(e, "as");
	list = jcs_yaml_get(e, "list");
	if (!strcmp(v->str, "accept")) {
		reason = jcs_yaml_get(e, "reason");
		add_reason(j, "%s: %s", as && as->str ? as->str : value,
			   reason && reason->str ? reason->str : "accepted");
		if (j->verdict < JCS_TLS_ACCEPT)
			j->verdict = JCS_TLS_ACCEPT;
		return;
	}
	add_reason(j, "%s (CRYPTREC: %s)", as && as->str ? as->str : value, list && list->str ? list->str : "unlisted");
	j->verdict = JCS_TLS_FAIL;
	sev = jcs_yaml_get(e, "severity");
	s = sev && sev->str ? jcs_severity_parse(sev->str) : JCS_SEV_MEDIUM;
	if (s < 0)
		s = JCS_SEV_MEDIUM;
	if ((int)j->severity < s)
		j->severity = (enum jcs_severity)s;
}

int jcs_tls_suite_judge(const char *iana, struct jcs_tls_judgement *out, struct jcs_err *err)
{
	const struct jcs_ynode *tab = get_table(err);
	struct jcs_tls_suite s;

	memset(out, 0, sizeof(*out));
	if (!tab)
		return err ? err->code : JCS_EINVAL;
	if (jcs_tls_suite_parse(iana, &s, NULL)) {
		out->verdict = JCS_TLS_FAIL;
		out->severity = JCS_SEV_MEDIUM;
		snprintf(out->reasons, sizeof(out->reasons), "unknown suite");
		return 0;
	}
	if (s.export_) {
		add_reason(out, "export-grade suite (40/56-bit keys)");
		out->verdict = JCS_TLS_FAIL;
		out->severity = JCS_SEV_HIGH;
	}
	judge_part(tab, "kx", s.kx, out);
	judge_part(tab, "auth", s.auth, out);
	judge_part(tab, "cipher", s.cipher, out);
	judge_part(tab, "mode", s.mode, out);
	judge_part(tab, "mac", s.mac, out);
	if (s.prf[0])
		judge_part(tab, "mac", s.prf, out);
	return 0;
}
