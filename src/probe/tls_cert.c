/* Facts and verdict (probe.tls.certificate) for the server's leaf certificate. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "probe/tls.h"

/* Minimum key sizes: CRYPTREC "Standards for Cryptographic Strength Requirements" (2022)
 * — 112-bit security: RSA/DSA/DH 2048, EC 224 for use until 2030; jcstar asks P-256. */
#define MIN_RSA_BITS 2048
#define MIN_EC_BITS 256

static void append(char *dst, size_t n, const char *s)
{
	size_t used = strlen(dst);

	snprintf(dst + used, n - used, "%s%s", used ? "; " : "", s);
}

static void name_text(const X509_NAME *name, char *out, size_t n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long len;

	out[0] = '\0';
	if (!b)
		return;
	if (name && X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		len = BIO_get_mem_data(b, &p);
		if (len > 0) {
			snprintf(out, n, "%.*s", (int)(len < (long)n ? len : (long)n - 1), p);
			for (char *q = out; *q; q++)
				if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
					*q = '?';
		}
	}
	BIO_free(b);
}

static void time_text(const ASN1_TIME *t, char *out, size_t n)
{
	struct tm tm;

	out[0] = '\0';
	if (t && ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

void jcs_tls_cert_facts(X509 *cert, const char *name, time_t now, struct jcs_tls_cert *out)
{
	EVP_PKEY *pk;
	int mdnid = NID_undef, pknid = NID_undef, sigmd = NID_undef;
	const ASN1_TIME *nb, *na;
	char msg[160];

	memset(out, 0, sizeof(*out));
	out->host_match = -1;
	strcpy(out->key_type, "other");
	pk = X509_get0_pubkey(cert);
	if (pk) {
		switch (EVP_PKEY_get_base_id(pk)) {
		case EVP_PKEY_RSA: strcpy(out->key_type, "RSA"); break;
		case EVP_PKEY_RSA_PSS: strcpy(out->key_type, "RSA-PSS"); break;
		case EVP_PKEY_EC: strcpy(out->key_type, "EC"); break;
		case EVP_PKEY_DSA: strcpy(out->key_type, "DSA"); break;
		case EVP_PKEY_ED25519: strcpy(out->key_type, "ED25519"); break;
		case EVP_PKEY_ED448: strcpy(out->key_type, "ED448"); break;
		default: break;
		}
		out->key_bits = EVP_PKEY_get_bits(pk);
		if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
			size_t len = 0;
			if (!EVP_PKEY_get_utf8_string_param(pk, "group", out->curve, sizeof(out->curve), &len))
				out->curve[0] = '\0';
		}
	}
	snprintf(out->sig_alg, sizeof(out->sig_alg), "%s", OBJ_nid2ln(X509_get_signature_nid(cert)) ?
		 OBJ_nid2ln(X509_get_signature_nid(cert)) : "unknown");
	/* the hash: from the signature OID, or from RSA-PSS parameters */
	if (X509_get_signature_info(cert, &mdnid, &pknid, NULL, NULL) == 1 && mdnid != NID_undef)
		sigmd = mdnid;
	else if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &mdnid, &pknid) && mdnid != NID_undef)
		sigmd = mdnid;
	if (sigmd != NID_undef && OBJ_nid2sn(sigmd))
		snprintf(out->sig_hash, sizeof(out->sig_hash), "%s", OBJ_nid2sn(sigmd));
	for (char *p = out->sig_hash; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	name_text(X509_get_subject_name(cert), out->subject, sizeof(out->subject));
	name_text(X509_get_issuer_name(cert), out->issuer, sizeof(out->issuer));
	nb = X509_get0_notBefore(cert);
	na = X509_get0_notAfter(cert);
	time_text(nb, out->not_before, sizeof(out->not_before));
	time_text(na, out->not_after, sizeof(out->not_after));
	out->not_yet_valid = !nb || X509_cmp_time(nb, &now) > 0;
	out->expired = !na || X509_cmp_time(na, &now) < 0;
	out->self_signed = X509_self_signed(cert, 0) == 1;
	if (name && *name)
		out->host_match = is_ip(name) ? X509_check_ip_asc(cert, name, 0) == 1
					      : X509_check_host(cert, name, strlen(name), 0, NULL) == 1;

	/* verdict */
	if ((!strcmp(out->key_type, "RSA") || !strcmp(out->key_type, "RSA-PSS") ||
	     !strcmp(out->key_type, "DSA")) && out->key_bits < MIN_RSA_BITS) {
		snprintf(msg, sizeof(msg), "%s key of %d bits (minimum %d)", out->key_type, out->key_bits,
			 MIN_RSA_BITS);
		append(out->fail_reasons, sizeof(out->fail_reasons), msg);
	}
	if (!strcmp(out->key_type, "EC") && out->key_bits < MIN_EC_BITS) {
		snprintf(msg, sizeof(msg), "EC key of %d bits (minimum %d)", out->key_bits, MIN_EC_BITS);
		append(out->fail_reasons, sizeof(out->fail_reasons), msg);
	}
	if (!strcmp(out->key_type, "other")) {
		append(out->fail_reasons, sizeof(out->fail_reasons), "public key of an unknown or unreadable type");
	}
	if (!strcmp(out->sig_hash, "md5") || !strcmp(out->sig_hash, "sha1") || !strcmp(out->sig_hash, "md4") ||
	    !strcmp(out->sig_hash, "md2")) {
		snprintf(msg, sizeof(msg), "signature %s uses %s (CRYPTREC: %s)", out->sig_alg, out->sig_hash,
			 strcmp(out->sig_hash, "sha1") ? "unlisted" : "Monitored list");
		append(out->fail_reasons, sizeof(out->fail_reasons), msg);
	} else if (!out->sig_hash[0] && strcmp(out->key_type, "ED25519") && strcmp(out->key_type, "ED448")) {
		snprintf(msg, sizeof(msg), "signature algorithm %s not recognised", out->sig_alg);
		append(out->fail_reasons, sizeof(out->fail_reasons), msg);
	}
	if (out->expired) {
		snprintf(msg, sizeof(msg), "expired (not after %s)", out->not_after[0] ? out->not_after : "unreadable");
		append(out->fail_reasons, sizeof(out->fail_reasons), msg);
	}
	if (out->not_yet_valid) {
		snprintf(msg, sizeof(msg), "not yet valid (not before %s)",
			 out->not_before[0] ? out->not_before : "unreadable");
		append(out->fail_reasons, sizeof(out->fail_reasons), msg);
	}
	out->fail = out->fail_reasons[0] != '\0';
	if (out->self_signed)
		append(out->info_reasons, sizeof(out->info_reasons), "self-signed");
	if (out->host_match == 0) {
		snprintf(msg, sizeof(msg), "does not match %.100s", name);
		append(out->info_reasons, sizeof(out->info_reasons), msg);
	}
}

json_t *jcs_tls_cert_json(const struct jcs_tls_cert *c)
{
	json_t *j = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b}", "key_type", c->key_type,
			      "key_bits", c->key_bits, "signature", c->sig_alg, "signature_hash", c->sig_hash,
			      "subject", c->subject, "issuer", c->issuer, "not_before", c->not_before,
			      "not_after", c->not_after, "expired", c->expired, "not_yet_valid",
			      c->not_yet_valid, "self_signed", c->self_signed);

	if (!j)
		return NULL;
	if (c->curve[0])
		json_object_set_new(j, "curve", json_string(c->curve));
	if (c->host_match >= 0)
		json_object_set_new(j, "hostname_match", json_boolean(c->host_match));
	return j;
}
