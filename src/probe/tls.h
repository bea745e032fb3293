/* TLS assessment internals (the API is jcstar/tls.h): the CRYPTREC suite table, certificate
 * facts and the raw hellos for suites OpenSSL no longer speaks.
 *
 * The assessment uses OpenSSL 3 at security level 0 with the legacy provider loaded in a
 * private library context, so deprecated versions and suites are offered wherever the local
 * library can still speak them; what it cannot speak is named in the evidence ("untested").
 * Every connection has a deadline, the whole run has a time and a connection budget, and
 * certificate chains are capped, so a hostile server can neither hang nor balloon it. */
#ifndef JCS_PROBE_TLS_H
#define JCS_PROBE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "jcstar/evidence.h"
#include "jcstar/tls.h"

/* --- CRYPTREC classification of cipher suites (data/tls/cryptrec.yaml) --- */

enum jcs_tls_verdict { JCS_TLS_PASS, JCS_TLS_ACCEPT, JCS_TLS_FAIL };

/* The parts of a suite, from its IANA name ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
 * "TLS_AES_128_GCM_SHA256" for TLS 1.3). Part names are the keys of cryptrec.yaml. */
struct jcs_tls_suite {
	char kx[16];     /* ECDHE, DHE, RSA, PSK, ... ("ECDHE" for TLS 1.3) */
	char auth[16];   /* RSA, ECDSA, DSS, anon, PSK, NULL, TLS13 */
	char cipher[16]; /* AES, CAMELLIA, 3DES, RC4, CHACHA20, NULL, ... */
	char mode[16];   /* GCM, CCM, CCM_8, CBC, POLY1305, STREAM, NONE */
	char mac[16];    /* SHA, SHA256, SHA384, MD5, AEAD (for AEAD suites: the PRF hash is
	                    recorded in prf) */
	char prf[16];    /* SHA256/SHA384 for AEAD and TLS 1.3 suites, else "" */
	int bits;        /* cipher key bits, 0 if unknown */
	bool export_;    /* export-grade suite */
	bool tls13;
};

struct jcs_tls_judgement {
	enum jcs_tls_verdict verdict;
	enum jcs_severity severity;  /* of the worst failing part, JCS_SEV_NONE when not failing */
	char reasons[512];           /* "; "-separated, one per non-passing part; "" when pass */
};

/* Split an IANA suite name into its parts. JCS_EPARSE for a name it cannot read. */
int jcs_tls_suite_parse(const char *iana, struct jcs_tls_suite *out, struct jcs_err *err);
/* Judge a suite against the CRYPTREC table. A name that cannot be parsed is judged fail
 * ("unknown suite") so that nothing unknown passes. Returns JCS_E* only when the embedded
 * table is broken. */
int jcs_tls_suite_judge(const char *iana, struct jcs_tls_judgement *out, struct jcs_err *err);
/* "CRYPTREC LS-0001-2012R7 (2022-03-30)" from the table, or NULL if it is broken. */
const char *jcs_tls_policy_name(void);

/* --- certificate facts (leaf certificate sent by the server) --- */

struct jcs_tls_cert {
	char key_type[16];    /* RSA, EC, DSA, ED25519, ED448, RSA-PSS, other */
	int key_bits;
	char curve[32];       /* EC curve short name or "" */
	char sig_alg[64];     /* e.g. sha256WithRSAEncryption */
	char sig_hash[16];    /* md5, sha1, sha256, ..., "" if intrinsic (Ed25519) or unknown */
	char subject[256];
	char issuer[256];
	char not_before[32];  /* YYYY-MM-DDTHH:MM:SSZ */
	char not_after[32];
	bool expired;
	bool not_yet_valid;
	bool self_signed;
	int host_match;       /* 1 matches, 0 does not, -1 not checked (no name given) */
	/* judgement (probe.tls.certificate) */
	bool fail;
	char fail_reasons[512];
	char info_reasons[256];
};

/* Facts about cert, judged at time now against name (host name or IP literal, may be NULL).
 * Reads only what OpenSSL parsed; never fails on odd content (unknown fields become ""). */
void jcs_tls_cert_facts(X509 *cert, const char *name, time_t now, struct jcs_tls_cert *out);
/* The facts as a JSON object (new reference, NULL on ENOMEM). */
json_t *jcs_tls_cert_json(const struct jcs_tls_cert *c);

/* --- raw ClientHello / ServerHello (src/probe/tls_hello.c) --- */

/* Suites probed without OpenSSL: those OpenSSL 3 builds commonly lack (RC4, 3DES, DES,
 * export, IDEA) plus common SSLv3-era suites. Ends with {0, NULL}. */
struct jcs_tls_legacy_suite {
	uint16_t id;
	const char *name; /* IANA name */
};
extern const struct jcs_tls_legacy_suite jcs_tls_legacy_suites[];
const char *jcs_tls_legacy_name(uint16_t id);

/* A ClientHello record for version (0x0300 SSLv3 .. 0x0303 TLS 1.2) offering suites, with
 * SNI, groups, point formats and (1.2) signature algorithms. JCS_ELIMIT if cap is short. */
int jcs_tls_client_hello(uint16_t version, const uint16_t *suites, size_t n, const char *sni, uint8_t *out,
			 size_t cap, size_t *len);

struct jcs_tls_server_hello {
	uint16_t version;
	uint16_t suite;
	uint8_t compression;
	uint8_t alert;     /* alert description when the server refused */
};

/* Read the server's first bytes. 0: a ServerHello (version, suite); 1: need more bytes;
 * JCS_ENOTFOUND: the server answered with an alert; JCS_EPARSE: not a TLS ServerHello. */
int jcs_tls_server_hello_parse(const uint8_t *p, size_t len, struct jcs_tls_server_hello *out);

#endif
