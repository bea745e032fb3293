/* CRYPTREC classification of cipher suite names and certificate facts (src/probe/tls*.c). */
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "probe/tls.h"
#include "t.h"

static enum jcs_tls_verdict verdict(const char *name)
{
	struct jcs_tls_judgement j;

	T_EQ_INT(jcs_tls_suite_judge(name, &j, NULL), 0);
	return j.verdict;
}

T_TEST(parse_tls12_names)
{
	struct jcs_tls_suite s;

	T_EQ_INT(jcs_tls_suite_parse("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", &s, NULL), 0);
	T_EQ_STR(s.kx, "ECDHE");
	T_EQ_STR(s.auth, "RSA");
	T_EQ_STR(s.cipher, "AES");
	T_EQ_INT(s.bits, 128);
	T_EQ_STR(s.mode, "GCM");
	T_EQ_STR(s.mac, "AEAD");
	T_EQ_STR(s.prf, "SHA256");
	T_ASSERT(!s.tls13 && !s.export_);

	T_EQ_INT(jcs_tls_suite_parse("TLS_RSA_WITH_3DES_EDE_CBC_SHA", &s, NULL), 0);
	T_EQ_STR(s.kx, "RSA");
	T_EQ_STR(s.cipher, "3DES");
	T_EQ_STR(s.mode, "CBC");
	T_EQ_STR(s.mac, "SHA");
	T_EQ_INT(s.bits, 168);

	T_EQ_INT(jcs_tls_suite_parse("TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", &s, NULL), 0);
	T_ASSERT(s.export_);
	T_EQ_STR(s.cipher, "RC2");
	T_EQ_INT(s.bits, 40);
	T_EQ_STR(s.mac, "MD5");

	T_EQ_INT(jcs_tls_suite_parse("TLS_DHE_RSA_WITH_AES_256_CCM_8", &s, NULL), 0);
	T_EQ_STR(s.mode, "CCM_8");
	T_EQ_STR(s.mac, "AEAD");

	T_EQ_INT(jcs_tls_suite_parse("TLS_DH_anon_WITH_AES_128_CBC_SHA256", &s, NULL), 0);
	T_EQ_STR(s.auth, "anon");

	T_EQ_INT(jcs_tls_suite_parse("TLS_RSA_WITH_RC4_128_SHA", &s, NULL), 0);
	T_EQ_STR(s.cipher, "RC4");
	T_EQ_STR(s.mode, "STREAM");

	T_EQ_INT(jcs_tls_suite_parse("TLS_NULL_WITH_NULL_NULL", &s, NULL), 0);
	T_EQ_STR(s.cipher, "NULL");
	T_EQ_STR(s.mac, "NULL");
}

T_TEST(parse_tls13_names)
{
	struct jcs_tls_suite s;

	T_EQ_INT(jcs_tls_suite_parse("TLS_AES_128_CCM_8_SHA256", &s, NULL), 0);
	T_ASSERT(s.tls13);
	T_EQ_STR(s.mode, "CCM_8");
	T_EQ_STR(s.prf, "SHA256");
	T_EQ_INT(jcs_tls_suite_parse("TLS_CHACHA20_POLY1305_SHA256", &s, NULL), 0);
	T_EQ_STR(s.cipher, "CHACHA20");
	T_EQ_STR(s.mode, "POLY1305");
}

T_TEST(parse_rejects_junk)
{
	struct jcs_err err = {0};
	struct jcs_tls_suite s;
	static const char *const bad[] = {"", "TLS_", "AES128-SHA", "TLS_FOO_WITH_AES_128_CBC_SHA",
					  "TLS_RSA_WITH_", "TLS_RSA_WITH_AES_128", "TLS_AES_128_CBC",
					  "TLS_RSA_WITH_AES_128_CBC_SHA_EXTRA_EXTRA_EXTRA_EXTRA_EXTRA_EXTRA_EXTRA_EXTRA_EXTRA_TOO_LONG_X"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_ASSERT(jcs_tls_suite_parse(bad[i], &s, &err) == JCS_EPARSE);
	T_CONTAINS(err.msg, "cannot read cipher suite name");
	T_ASSERT(jcs_tls_suite_parse(NULL, &s, NULL) == JCS_EPARSE);
}

T_TEST(cryptrec_pass)
{
	static const char *const ok[] = {
		"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_AES_128_CCM_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_DHE_RSA_WITH_AES_128_CCM", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
		"TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (verdict(ok[i]) != JCS_TLS_PASS)
			T_FAIL("%s should pass", ok[i]);
}

T_TEST(cryptrec_accept_chacha)
{
	struct jcs_tls_judgement j;

	T_EQ_INT(verdict("TLS_CHACHA20_POLY1305_SHA256"), JCS_TLS_ACCEPT);
	T_EQ_INT(verdict("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"), JCS_TLS_ACCEPT);
	T_EQ_INT(jcs_tls_suite_judge("TLS_CHACHA20_POLY1305_SHA256", &j, NULL), 0);
	T_CONTAINS(j.reasons, "RFC 8439");
	T_EQ_INT(j.severity, JCS_SEV_NONE);
}

T_TEST(cryptrec_fail)
{
	static const struct {
		const char *name, *why;
		enum jcs_severity sev;
	} bad[] = {
		{"TLS_RSA_WITH_RC4_128_SHA", "RC4", JCS_SEV_HIGH},
		{"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "Triple DES", JCS_SEV_MEDIUM},
		{"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "Sweet32", JCS_SEV_MEDIUM},
		{"TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "export", JCS_SEV_HIGH},
		{"TLS_RSA_WITH_NULL_SHA256", "no encryption", JCS_SEV_HIGH},
		{"TLS_DH_anon_WITH_AES_128_GCM_SHA256", "anonymous", JCS_SEV_HIGH},
		{"TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "anonymous", JCS_SEV_HIGH},
		{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "SHA-1", JCS_SEV_MEDIUM},
		{"TLS_RSA_WITH_AES_128_GCM_SHA256", "RSAES-PKCS1-v1_5", JCS_SEV_MEDIUM},
		{"TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA", JCS_SEV_MEDIUM},
		{"TLS_DHE_RSA_WITH_SEED_CBC_SHA", "SEED", JCS_SEV_MEDIUM},
		{"TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "ARIA", JCS_SEV_MEDIUM},
		{"TLS_PSK_WITH_AES_128_GCM_SHA256", "pre-shared", JCS_SEV_MEDIUM},
		{"TLS_RSA_WITH_DES_CBC_SHA", "single DES", JCS_SEV_HIGH},
		{"TLS_RSA_WITH_RC4_128_MD5", "HMAC-MD5", JCS_SEV_HIGH},
		{"TLS_ECCPWD_WITH_AES_128_GCM_SHA256", "unknown suite", JCS_SEV_MEDIUM},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jcs_tls_judgement j;
		T_EQ_INT(jcs_tls_suite_judge(bad[i].name, &j, NULL), 0);
		if (j.verdict != JCS_TLS_FAIL)
			T_FAIL("%s should fail", bad[i].name);
		T_CONTAINS(j.reasons, bad[i].why);
		if (j.severity != bad[i].sev)
			T_FAIL("%s: severity %s, expected %s", bad[i].name, jcs_severity_name(j.severity),
			       jcs_severity_name(bad[i].sev));
	}
}

T_TEST(every_local_openssl_suite_is_classified)
{
	/* Every suite the local OpenSSL knows must parse: an unparseable name would be judged
	 * "unknown suite" and hide the real reason. */
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());
	STACK_OF(SSL_CIPHER) *sk;
	int n = 0;

	T_ASSERT(c);
	SSL_CTX_set_security_level(c, 0);
	T_ASSERT(SSL_CTX_set_cipher_list(c, "ALL:COMPLEMENTOFALL"));
	sk = SSL_CTX_get_ciphers(c);
	for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
		struct jcs_tls_suite s;
		const char *name = SSL_CIPHER_standard_name(sk_SSL_CIPHER_value(sk, i));
		if (jcs_tls_suite_parse(name, &s, NULL))
			T_FAIL("cannot parse %s", name);
		n++;
	}
	T_ASSERT(n > 50);
	SSL_CTX_free(c);
}

T_TEST(policy_named)
{
	T_CONTAINS(jcs_tls_policy_name(), "CRYPTREC LS-0001");
}

/* A certificate built here: key of `bits`, signed with md, valid from now+from_s to now+to_s. */
static X509 *make_cert(const char *type, int bits, const EVP_MD *md, long from_s, long to_s, const char *cn)
{
	EVP_PKEY *k = strcmp(type, "EC") ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits)
					 : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509_NAME *n;

	if (!k || !x)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), from_s);
	X509_gmtime_adj(X509_getm_notAfter(x), to_s);
	X509_set_pubkey(x, k);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, n);
	if (!X509_sign(x, k, md)) {
		X509_free(x);
		x = NULL;
	}
	EVP_PKEY_free(k);
	return x;
}

T_TEST(cert_weak)
{
	X509 *x = make_cert("RSA", 1024, EVP_sha1(), -86400 * 10, -86400, "weak.test");
	struct jcs_tls_cert c;

	T_ASSERT(x);
	jcs_tls_cert_facts(x, "weak.test", time(NULL), &c);
	T_EQ_STR(c.key_type, "RSA");
	T_EQ_INT(c.key_bits, 1024);
	T_EQ_STR(c.sig_hash, "sha1");
	T_ASSERT(c.expired && !c.not_yet_valid && c.self_signed);
	T_EQ_INT(c.host_match, 1);
	T_ASSERT(c.fail);
	T_CONTAINS(c.fail_reasons, "1024 bits");
	T_CONTAINS(c.fail_reasons, "sha1");
	T_CONTAINS(c.fail_reasons, "expired");
	T_CONTAINS(c.info_reasons, "self-signed");
	X509_free(x);

	x = make_cert("RSA", 2048, EVP_sha256(), 86400, 86400 * 30, "future.test");
	jcs_tls_cert_facts(x, "other.test", time(NULL), &c);
	T_ASSERT(c.fail && c.not_yet_valid && !c.expired);
	T_CONTAINS(c.fail_reasons, "not yet valid");
	T_EQ_INT(c.host_match, 0);
	T_CONTAINS(c.info_reasons, "does not match other.test");
	X509_free(x);
}

T_TEST(cert_good)
{
	X509 *x = make_cert("EC", 256, EVP_sha256(), -60, 86400 * 30, "good.test");
	struct jcs_tls_cert c;
	json_t *j;

	T_ASSERT(x);
	jcs_tls_cert_facts(x, NULL, time(NULL), &c);
	T_EQ_STR(c.key_type, "EC");
	T_EQ_INT(c.key_bits, 256);
	T_EQ_STR(c.curve, "prime256v1");
	T_EQ_STR(c.sig_hash, "sha256");
	T_ASSERT(!c.fail);
	T_EQ_INT(c.host_match, -1);
	T_EQ_STR(c.fail_reasons, "");
	j = jcs_tls_cert_json(&c);
	T_ASSERT(j);
	T_EQ_STR(json_string_value(json_object_get(j, "subject")), "CN=good.test");
	json_decref(j);
	X509_free(x);
}

T_TEST(cert_fixture_1024)
{
	/* a real third-party certificate (rbsec/sslscan test CA, MANIFEST.md) */
	char path[1024];
	struct jcs_tls_cert c;
	FILE *f;
	X509 *x;

	if (!t_fixture(path, sizeof(path), "tls/cert_1024.crt"))
		return;
	if (!(f = fopen(path, "r"))) {
		T_FAIL("%s: %s", path, strerror(errno));
		return;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!x) {
		T_FAIL("%s: not a PEM certificate", path);
		return;
	}
	jcs_tls_cert_facts(x, "howfuckedismydatabase.com", time(NULL), &c);
	T_EQ_INT(c.key_bits, 1024);
	T_EQ_STR(c.sig_hash, "sha256");
	T_ASSERT(!c.self_signed);
	T_EQ_INT(c.host_match, 1);
	T_ASSERT(c.fail);
	T_CONTAINS(c.fail_reasons, "RSA key of 1024 bits");
	X509_free(x);
}

static size_t mk_server_hello(uint8_t *out, uint16_t version, uint16_t suite, size_t sidlen)
{
	size_t n = 0, body = 2 + 32 + 1 + sidlen + 3;

	out[n++] = 22;
	out[n++] = 3;
	out[n++] = 3;
	out[n++] = (uint8_t)((body + 4) >> 8);
	out[n++] = (uint8_t)(body + 4);
	out[n++] = 2;
	out[n++] = 0;
	out[n++] = (uint8_t)(body >> 8);
	out[n++] = (uint8_t)body;
	out[n++] = (uint8_t)(version >> 8);
	out[n++] = (uint8_t)version;
	memset(out + n, 0xab, 32);
	n += 32;
	out[n++] = (uint8_t)sidlen;
	memset(out + n, 0x11, sidlen);
	n += sidlen;
	out[n++] = (uint8_t)(suite >> 8);
	out[n++] = (uint8_t)suite;
	out[n++] = 0;
	return n;
}

T_TEST(server_hello)
{
	uint8_t b[128];
	struct jcs_tls_server_hello sh;
	size_t n = mk_server_hello(b, 0x0300, 0x000A, 32);
	static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40};
	static const uint8_t http[] = "HTTP/1.1 400 Bad Request\r\n";

	T_EQ_INT(jcs_tls_server_hello_parse(b, n, &sh), 0);
	T_EQ_INT(sh.version, 0x0300);
	T_EQ_INT(sh.suite, 0x000A);
	for (size_t i = 0; i < n; i++) /* every prefix: need more */
		if (jcs_tls_server_hello_parse(b, i, &sh) != 1)
			T_FAIL("prefix %zu not 'need more'", i);
	T_EQ_INT(jcs_tls_server_hello_parse(alert, sizeof(alert), &sh), JCS_ENOTFOUND);
	T_EQ_INT(sh.alert, 40);
	T_EQ_INT(jcs_tls_server_hello_parse(http, sizeof(http) - 1, &sh), JCS_EPARSE);
	n = mk_server_hello(b, 0x0303, 0xC02F, 33); /* session id longer than 32 */
	T_EQ_INT(jcs_tls_server_hello_parse(b, n, &sh), JCS_EPARSE);
	n = mk_server_hello(b, 0x0303, 0xC02F, 0);
	b[5] = 11; /* a Certificate first */
	T_EQ_INT(jcs_tls_server_hello_parse(b, n, &sh), JCS_EPARSE);
}

T_TEST(client_hello)
{
	uint8_t b[1024];
	size_t n = 0;
	static const uint16_t ids[] = {0x000A, 0x0005};
	struct jcs_tls_server_hello sh;

	T_EQ_INT(jcs_tls_client_hello(0x0303, ids, 2, "device.test", b, sizeof(b), &n), 0);
	T_EQ_INT(b[0], 22);
	T_EQ_INT((size_t)(b[3] << 8 | b[4]), n - 5);
	T_EQ_INT(b[5], 1);
	T_EQ_INT(b[9] << 8 | b[10], 0x0303);
	T_EQ_INT(b[43], 0); /* no session id */
	T_EQ_INT(b[44] << 8 | b[45], 6); /* 2 suites + SCSV */
	T_EQ_INT(b[46] << 8 | b[47], 0x000A);
	T_ASSERT(memmem(b, n, "device.test", 11) != NULL);
	T_EQ_INT(jcs_tls_server_hello_parse(b, n, &sh), JCS_EPARSE); /* a ClientHello is no ServerHello */
	T_EQ_INT(jcs_tls_client_hello(0x0300, ids, 2, NULL, b, sizeof(b), &n), 0);
	T_EQ_INT(n, 5 + 4 + 2 + 32 + 1 + 2 + 6 + 2); /* SSLv3: no extensions */
	T_EQ_INT(jcs_tls_client_hello(0x0304, ids, 2, NULL, b, sizeof(b), &n), JCS_EINVAL);
	T_EQ_INT(jcs_tls_client_hello(0x0303, ids, 2, NULL, b, 20, &n), JCS_ELIMIT);
	T_EQ_STR(jcs_tls_legacy_name(0x000A), "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
	for (size_t i = 0; jcs_tls_legacy_suites[i].name; i++) {
		struct jcs_tls_suite s;
		if (jcs_tls_suite_parse(jcs_tls_legacy_suites[i].name, &s, NULL))
			T_FAIL("cannot parse %s", jcs_tls_legacy_suites[i].name);
	}
}

T_MAIN(T_CASE(server_hello), T_CASE(client_hello), T_CASE(parse_tls12_names), T_CASE(parse_tls13_names), T_CASE(parse_rejects_junk), T_CASE(cryptrec_pass),
       T_CASE(cryptrec_accept_chacha), T_CASE(cryptrec_fail), T_CASE(every_local_openssl_suite_is_classified),
       T_CASE(policy_named), T_CASE(cert_weak), T_CASE(cert_good), T_CASE(cert_fixture_1024))
