/* Label credentials: keys, canonical form, sign/verify, tampering, revocation, expiry. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "jcstar/digest.h"
#include "jcstar/label.h"
#include "jcstar/tlog.h"
#include "t.h"

static const char *const models[] = {"CAM-100", "CAM-100W"};

static struct jcs_label sample(void)
{
	struct jcs_label l = {
		.registration_number = "JCS-1-2026-000123",
		.vendor = "Example Devices 株式会社",
		.product = "Network camera \"CAM\" series",
		.models = models,
		.nmodels = 2,
		.level = 1,
		.issued = "2026-04-01",
		.expires = "2028-04-01",
		.status = JCS_LSTAT_VALID,
		.registry = "registry.example",
		.url = "https://registry.example/labels/JCS-1-2026-000123",
		.signed_at = "2026-04-01T09:00:00Z",
	};
	return l;
}

static struct jcs_key *key(void)
{
	struct jcs_key *k = NULL;
	struct jcs_err err;

	T_EQ_INT(jcs_key_generate(&k, &err), 0);
	return k;
}

T_TEST(regno)
{
	char b[JCS_REGNO_MAX];
	int level, year;
	uint32_t serial;

	T_EQ_INT(jcs_regno_format(1, 2026, 123, b, sizeof(b)), 0);
	T_EQ_STR(b, "JCS-1-2026-000123");
	T_EQ_INT(jcs_regno_parse(b, &level, &year, &serial), 0);
	T_EQ_INT(level, 1);
	T_EQ_INT(year, 2026);
	T_EQ_INT(serial, 123);
	T_EQ_INT(jcs_regno_format(4, 2031, 999999, b, sizeof(b)), 0);
	T_EQ_STR(b, "JCS-4-2031-999999");
	T_EQ_INT(jcs_regno_format(5, 2026, 1, b, sizeof(b)), JCS_EINVAL);
	T_EQ_INT(jcs_regno_format(1, 2026, 0, b, sizeof(b)), JCS_EINVAL);
	T_EQ_INT(jcs_regno_format(1, 2026, 1000000, b, sizeof(b)), JCS_EINVAL);
	T_EQ_INT(jcs_regno_format(1, 2026, 1, b, 10), JCS_EINVAL);
	T_EQ_INT(jcs_regno_parse("JCS-1-2026-00012", NULL, NULL, NULL), JCS_EPARSE);
	T_EQ_INT(jcs_regno_parse("JCS-0-2026-000123", NULL, NULL, NULL), JCS_EPARSE);
	T_EQ_INT(jcs_regno_parse("JCS-1-2026-000000", NULL, NULL, NULL), JCS_EPARSE);
	T_EQ_INT(jcs_regno_parse("JCS-1-2O26-000123", NULL, NULL, NULL), JCS_EPARSE);
	T_EQ_INT(jcs_regno_parse("jcs-1-2026-000123", NULL, NULL, NULL), JCS_EPARSE);
	T_EQ_INT(jcs_regno_parse("JCS-1-2026-000123 ", NULL, NULL, NULL), JCS_EPARSE);
}

T_TEST(dates)
{
	char d[11];

	T_ASSERT(jcs_date_valid("2028-02-29"));
	T_ASSERT(!jcs_date_valid("2027-02-29"));
	T_ASSERT(!jcs_date_valid("2026-13-01"));
	T_ASSERT(!jcs_date_valid("2026-4-01"));
	T_EQ_INT(jcs_date_add_years("2026-04-01", 2, d, sizeof(d)), 0);
	T_EQ_STR(d, "2028-04-01");
	T_EQ_INT(jcs_date_add_years("2028-02-29", 2, d, sizeof(d)), 0);
	T_EQ_STR(d, "2030-02-28");
	jcs_date_of(0, d, sizeof(d));
	T_EQ_STR(d, "1970-01-01");
}

T_TEST(keys)
{
	struct jcs_key *k = key(), *pub = NULL, *back = NULL;
	struct jcs_err err;
	char dir[] = "/tmp/jcs-label-test-XXXXXX", path[256], pubpath[256];
	char *pem = jcs_key_public_pem(k);
	struct stat st;
	uint8_t sig[JCS_SIG_LEN];

	T_ASSERT(pem && strstr(pem, "-----BEGIN PUBLIC KEY-----"));
	T_ASSERT(jcs_key_is_private(k));
	T_EQ_INT(strlen(jcs_key_id(k)), 64);
	T_EQ_INT(jcs_key_load_pem(pem, strlen(pem), &pub, &err), 0);
	T_ASSERT(!jcs_key_is_private(pub));
	T_EQ_STR(jcs_key_id(pub), jcs_key_id(k));
	T_EQ_INT(jcs_key_sign(pub, "x", 1, sig, &err), JCS_EINVAL);
	T_EQ_INT(jcs_key_sign(k, "x", 1, sig, &err), 0);
	T_EQ_INT(jcs_key_verify(pub, "x", 1, sig), 0);
	T_EQ_INT(jcs_key_verify(pub, "y", 1, sig), JCS_ECRYPTO);

	T_ASSERT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/registry.key", dir);
	snprintf(pubpath, sizeof(pubpath), "%s/registry.pub", dir);
	T_EQ_INT(jcs_key_save(k, path, &err), 0);
	T_EQ_INT(stat(path, &st), 0);
	T_EQ_INT(st.st_mode & 0777, 0600);
	T_EQ_INT(jcs_key_save(k, path, &err), JCS_ECONFLICT); /* never overwritten */
	T_EQ_INT(jcs_key_load(path, &back, &err), 0);
	T_ASSERT(back && jcs_key_is_private(back));
	T_EQ_STR(jcs_key_id(back), jcs_key_id(k));
	jcs_key_free(back);
	chmod(path, 0644);
	T_EQ_INT(jcs_key_load(path, &back, &err), JCS_EPERM);
	T_CONTAINS(err.msg, "chmod 600");
	T_EQ_INT(jcs_write_file_atomic(pubpath, pem, strlen(pem), &err), 0);
	T_EQ_INT(jcs_key_load(pubpath, &back, &err), 0); /* public keys may be world-readable */
	jcs_key_free(back);
	T_EQ_INT(jcs_key_load_pem("garbage", 7, &back, &err), JCS_EPARSE);
	{
		/* an encrypted key is refused, never prompted for */
		EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		BIO *bio = BIO_new(BIO_s_mem());
		char *p;
		long n;
		T_ASSERT(PEM_write_bio_PrivateKey(bio, pk, EVP_aes_128_cbc(), NULL, 0, NULL, (void *)"secret"));
		n = BIO_get_mem_data(bio, &p);
		T_EQ_INT(jcs_key_load_pem(p, (size_t)n, &back, &err), JCS_EPARSE);
		T_CONTAINS(err.msg, "encrypted keys are not supported");
		BIO_free(bio);
		EVP_PKEY_free(pk);
	}
	unlink(path);
	unlink(pubpath);
	rmdir(dir);
	free(pem);
	jcs_key_free(k);
	jcs_key_free(pub);
}

/* The canonical form is fixed: keys sorted, no whitespace, minimal escaping. */
T_TEST(canonical_form)
{
	struct jcs_key *k = key();
	struct jcs_label l = sample();
	struct jcs_err err;
	char *s = NULL, *again = NULL, want[2048];

	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), 0);
	snprintf(want, sizeof(want),
		 "{\"payload\":{\"expires\":\"2028-04-01\",\"issued\":\"2026-04-01\",\"key_id\":\"%s\",\"level\":1,"
		 "\"models\":[\"CAM-100\",\"CAM-100W\"],\"product\":\"Network camera \\\"CAM\\\" series\","
		 "\"registration_number\":\"JCS-1-2026-000123\",\"registry\":\"registry.example\","
		 "\"schema\":\"jcstar.label/1\",\"signed_at\":\"2026-04-01T09:00:00Z\",\"status\":\"valid\","
		 "\"url\":\"https://registry.example/labels/JCS-1-2026-000123\","
		 "\"vendor\":\"Example Devices 株式会社\"},\"signature\":\"",
		 jcs_key_id(k));
	T_ASSERT(strncmp(s, want, strlen(want)) == 0);
	T_EQ_INT(strlen(s), strlen(want) + 88 + 3); /* base64 of 64 bytes, "}\n" and the quote */
	/* Ed25519 is deterministic: signing again gives the same bytes */
	T_EQ_INT(jcs_label_sign(&l, k, &again, &err), 0);
	T_EQ_STR(again, s);
	free(s);
	free(again);
	jcs_key_free(k);
}

T_TEST(round_trip)
{
	struct jcs_key *k = key();
	struct jcs_label l = sample(), *got = NULL;
	struct jcs_err err;
	struct jcs_buf canon = JCS_BUF_INIT;
	char *s = NULL;

	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), 0);
	T_EQ_INT(jcs_label_verify(s, strlen(s), k, &got, &err), 0);
	T_ASSERT(got != NULL);
	if (got) {
		T_EQ_STR(got->registration_number, "JCS-1-2026-000123");
		T_EQ_STR(got->vendor, l.vendor);
		T_EQ_STR(got->product, l.product);
		T_EQ_INT(got->nmodels, 2);
		T_EQ_STR(got->models[1], "CAM-100W");
		T_EQ_INT(got->level, 1);
		T_EQ_STR(got->expires, "2028-04-01");
		T_EQ_INT(got->status, JCS_LSTAT_VALID);
		T_EQ_STR(got->key_id, jcs_key_id(k));
	}
	jcs_label_free(got);
	/* whitespace and key order do not matter: the verifier re-canonicalizes */
	{
		char *sig = strstr(s, "\"signature\":\"") + 13, *pl = strstr(s, "{\"expires\"");
		char buf[4096];
		size_t plen = (size_t)(strstr(s, ",\"signature\"") - pl);
		snprintf(buf, sizeof(buf), "{ \"signature\" : \"%.*s\",\n  \"payload\" : %.*s }", 88, sig, (int)plen, pl);
		T_EQ_INT(jcs_label_verify(buf, strlen(buf), k, &got, &err), 0);
		jcs_label_free(got);
		/* and its canonical form (the log leaf) is the signed file without the newline */
		T_EQ_INT(jcs_envelope_canonical(buf, strlen(buf), &canon, &err), 0);
		T_EQ_INT(canon.len, strlen(s) - 1);
		T_ASSERT(memcmp(canon.data, s, canon.len) == 0);
	}
	jcs_buf_free(&canon);
	free(s);
	jcs_key_free(k);
}

/* Flipping one bit in any byte of the signed file never yields a valid credential. */
T_TEST(any_flipped_byte_fails)
{
	struct jcs_key *k = key();
	struct jcs_label l = sample(), *got = NULL;
	struct jcs_err err;
	char *s = NULL;
	size_t n, accepted = 0, crypto = 0;

	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), 0);
	n = strlen(s) - 1; /* the trailing newline is whitespace */
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit += 5) { /* bits 0 and 5: case changes and digit changes */
			int rc;
			s[i] ^= (char)(1 << bit);
			rc = jcs_label_verify(s, n, k, &got, &err);
			if (rc == 0) {
				accepted++;
				T_FAIL("flipping bit %d of byte %zu ('%c') verifies", bit, i, s[i]);
				jcs_label_free(got);
			}
			crypto += rc == JCS_ECRYPTO;
			s[i] ^= (char)(1 << bit);
		}
	}
	T_EQ_INT(accepted, 0);
	T_ASSERT(crypto > n / 2); /* most flips reach the signature check */
	T_EQ_INT(jcs_label_verify(s, strlen(s), k, &got, &err), 0);
	jcs_label_free(got);
	free(s);
	jcs_key_free(k);
}

T_TEST(wrong_key_fails)
{
	struct jcs_key *k = key(), *other = key();
	struct jcs_label l = sample(), *got = NULL;
	struct jcs_err err;
	char *s = NULL, *forged = NULL;

	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), 0);
	T_EQ_INT(jcs_label_verify(s, strlen(s), other, &got, &err), JCS_ECRYPTO);
	T_CONTAINS(err.msg, "signed by key");
	T_EQ_INT(jcs_label_verify(s, strlen(s), NULL, &got, &err), JCS_EINVAL); /* no key: no "valid" */
	T_ASSERT(got == NULL);
	T_ASSERT(got == NULL);
	/* a forger who copies the real key id still fails */
	T_EQ_INT(jcs_label_sign(&l, other, &forged, &err), 0);
	memcpy(strstr(forged, "\"key_id\":\"") + 10, jcs_key_id(k), 64);
	T_EQ_INT(jcs_label_verify(forged, strlen(forged), k, &got, &err), JCS_ECRYPTO);
	T_CONTAINS(err.msg, "signature does not match");
	free(s);
	free(forged);
	jcs_key_free(k);
	jcs_key_free(other);
}

T_TEST(schema_checks)
{
	struct jcs_key *k = key();
	struct jcs_label l = sample();
	struct jcs_err err;
	char *s = NULL;
	static const char *const dup[] = {"A", "A"};

	l.level = 2; /* does not match JCS-1-... */
	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), JCS_ESCHEMA);
	l = sample();
	l.expires = "2026-04-01";
	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), JCS_ESCHEMA);
	l = sample();
	l.models = dup;
	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), JCS_ESCHEMA);
	l = sample();
	l.nmodels = 0;
	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), JCS_ESCHEMA);
	l = sample();
	l.vendor = "evil\x1b[2Jvendor";
	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), JCS_ESCHEMA);
	l = sample();
	l.url = "javascript:alert(1)";
	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), JCS_ESCHEMA);
	l = sample();
	l.issued = "2026-02-30";
	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), JCS_ESCHEMA);
	l = sample();
	l.vendor = "\xff\xfe";
	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), JCS_ESCHEMA);
	T_ASSERT(s == NULL);
	{
		struct jcs_label *got = NULL;
		const char *bad[] = {
			"", "{", "[]", "{\"payload\":{},\"signature\":\"\"}",
			"{\"payload\":{\"schema\":\"jcstar.label/1\"},\"signature\":\"x\"}",
			"{\"payload\":1,\"signature\":\"x\",\"extra\":1}",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			int rc = jcs_label_verify(bad[i], strlen(bad[i]), k, &got, &err);
			T_ASSERT(rc == JCS_EPARSE || rc == JCS_ESCHEMA);
			T_ASSERT(got == NULL);
		}
	}
	jcs_key_free(k);
}

T_TEST(expiry_and_revocation)
{
	struct jcs_key *k = key(), *other = key();
	struct jcs_label l = sample(), *got = NULL;
	struct jcs_revocation r = {
		.registration_number = "JCS-1-2026-000123",
		.status = JCS_LSTAT_REVOKED,
		.reason = "nonconformity found at inspection",
		.effective = "2026-10-01",
		.registry = "registry.example",
		.signed_at = "2026-10-01T00:00:00Z",
	};
	struct jcs_revlist *rl = NULL;
	struct jcs_label_state st;
	struct jcs_err err;
	char *s = NULL, *rev = NULL, *susp = NULL, *list = NULL, *fake = NULL;

	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), 0);
	T_EQ_INT(jcs_label_verify(s, strlen(s), k, &got, &err), 0);

	T_EQ_INT(jcs_label_state(got, "2027-01-01", NULL, NULL, &st, &err), 0);
	T_EQ_INT(st.verdict, JCS_VERDICT_UNCHECKED);
	T_EQ_INT(jcs_label_state(got, "2028-04-01", NULL, NULL, &st, &err), 0); /* last day */
	T_EQ_INT(st.verdict, JCS_VERDICT_UNCHECKED);
	T_EQ_INT(jcs_label_state(got, "2028-04-02", NULL, NULL, &st, &err), 0);
	T_EQ_INT(st.verdict, JCS_VERDICT_EXPIRED);
	T_EQ_STR(jcs_label_verdict_name(st.verdict), "expired");
	T_EQ_INT(jcs_label_state(got, "2026-03-31", NULL, NULL, &st, &err), 0);
	T_EQ_INT(st.verdict, JCS_VERDICT_NOT_YET_VALID);
	T_EQ_INT(jcs_label_state(got, "yesterday", NULL, NULL, &st, &err), JCS_EINVAL);

	/* revocation: signed, applies from its effective date */
	T_EQ_INT(jcs_revocation_sign(&r, k, &rev, &err), 0);
	T_EQ_INT(jcs_revlist_verify(rev, strlen(rev), k, &rl, &err), 0);
	T_EQ_INT(jcs_revlist_count(rl), 1);
	T_EQ_INT(jcs_label_state(got, "2026-09-30", rl, NULL, &st, &err), 0);
	T_EQ_INT(st.verdict, JCS_VERDICT_UNCHECKED);
	T_EQ_INT(jcs_label_state(got, "2026-10-01", rl, NULL, &st, &err), 0);
	T_EQ_INT(st.verdict, JCS_VERDICT_REVOKED);
	T_ASSERT(st.by != NULL && strcmp(st.by->reason, r.reason) == 0);
	T_EQ_INT(jcs_label_state(got, "2030-01-01", rl, NULL, &st, &err), 0); /* revoked beats expired */
	T_EQ_INT(st.verdict, JCS_VERDICT_REVOKED);
	T_ASSERT(st.expired);
	jcs_revlist_free(rl);

	/* suspension: applies to labels signed before it only */
	r.status = JCS_LSTAT_SUSPENDED;
	r.effective = "2026-06-01";
	r.signed_at = "2026-06-01T00:00:00Z";
	r.reason = "vulnerability under investigation";
	T_EQ_INT(jcs_revocation_sign(&r, k, &susp, &err), 0);
	{
		size_t n = strlen(rev) + strlen(susp) + 8;
		list = malloc(n);
		snprintf(list, n, "[%.*s,%.*s]", (int)strlen(susp) - 1, susp, (int)strlen(rev) - 1, rev);
	}
	T_EQ_INT(jcs_revlist_verify(list, strlen(list), k, &rl, &err), 0);
	T_EQ_INT(jcs_revlist_count(rl), 2);
	T_EQ_INT(jcs_label_state(got, "2026-07-01", rl, NULL, &st, &err), 0);
	T_EQ_INT(st.verdict, JCS_VERDICT_SUSPENDED);
	T_EQ_INT(jcs_label_state(got, "2026-11-01", rl, NULL, &st, &err), 0);
	T_EQ_INT(st.verdict, JCS_VERDICT_REVOKED);
	jcs_label_free(got);
	got = NULL;
	{
		/* re-signed after the suspension: lifted (revocation still later applies) */
		struct jcs_label l2 = sample();
		char *s2 = NULL;
		l2.signed_at = "2026-06-15T00:00:00Z";
		T_EQ_INT(jcs_label_sign(&l2, k, &s2, &err), 0);
		T_EQ_INT(jcs_label_verify(s2, strlen(s2), k, &got, &err), 0);
		T_EQ_INT(jcs_label_state(got, "2026-07-01", rl, NULL, &st, &err), 0);
		T_EQ_INT(st.verdict, JCS_VERDICT_UNCHECKED);
		free(s2);
	}
	jcs_revlist_free(rl);
	rl = NULL;

	/* a revocation list with one entry from another key is rejected whole */
	r.status = JCS_LSTAT_REVOKED;
	T_EQ_INT(jcs_revocation_sign(&r, other, &fake, &err), 0);
	T_EQ_INT(jcs_revlist_verify(fake, strlen(fake), k, &rl, &err), JCS_ECRYPTO);
	T_ASSERT(rl == NULL);
	/* the credential's own status counts */
	{
		struct jcs_label l3 = sample();
		struct jcs_label *g3 = NULL;
		char *s3 = NULL;
		l3.status = JCS_LSTAT_REVOKED;
		T_EQ_INT(jcs_label_sign(&l3, k, &s3, &err), 0);
		T_EQ_INT(jcs_label_verify(s3, strlen(s3), k, &g3, &err), 0);
		T_EQ_INT(jcs_label_state(g3, "2027-01-01", NULL, NULL, &st, &err), 0);
		T_EQ_INT(st.verdict, JCS_VERDICT_REVOKED);
		jcs_label_free(g3);
		free(s3);
	}
	jcs_label_free(got);
	free(s);
	free(rev);
	free(susp);
	free(list);
	free(fake);
	jcs_key_free(k);
	jcs_key_free(other);
}

/* A credential appended to a log: inclusion checks against a signed tree head. */
T_TEST(log_inclusion)
{
	struct jcs_key *k = key();
	struct jcs_err err;
	struct jcs_label l = sample();
	struct jcs_buf leaf = JCS_BUF_INIT;
	uint8_t leaves[5 * JCS_HASH_LEN];
	struct jcs_inclusion proof = {0};
	struct jcs_sth sth = {0};
	char *creds[5] = {0}, regno[JCS_REGNO_MAX];

	for (int i = 0; i < 5; i++) {
		jcs_regno_format(1, 2026, (uint32_t)(i + 1), regno, sizeof(regno));
		l.registration_number = regno;
		T_EQ_INT(jcs_label_sign(&l, k, &creds[i], &err), 0);
		jcs_buf_reset(&leaf);
		T_EQ_INT(jcs_envelope_canonical(creds[i], strlen(creds[i]), &leaf, &err), 0);
		jcs_tlog_leaf_hash(leaf.data, leaf.len, leaves + i * JCS_HASH_LEN);
	}
	sth.tree_size = 5;
	jcs_tlog_root(leaves, 5, sth.root);
	proof.leaf_index = 3;
	proof.tree_size = 5;
	T_EQ_INT(jcs_tlog_inclusion_proof(leaves, 5, 3, &proof.path), 0);
	T_EQ_INT(jcs_tlog_check_inclusion(creds[3], strlen(creds[3]), &proof, &sth, &err), 0);
	T_EQ_INT(jcs_tlog_check_inclusion(creds[2], strlen(creds[2]), &proof, &sth, &err), JCS_ECRYPTO);
	sth.tree_size = 6;
	T_EQ_INT(jcs_tlog_check_inclusion(creds[3], strlen(creds[3]), &proof, &sth, &err), JCS_ECRYPTO);
	for (int i = 0; i < 5; i++)
		free(creds[i]);
	jcs_buf_free(&leaf);
	jcs_key_free(k);
}


/* Leaf hash (hex) of an envelope. */
static void leaf_hex(const char *env, char *out)
{
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_err err;
	jcs_hash h;

	T_EQ_INT(jcs_envelope_canonical(env, strlen(env), &b, &err), 0);
	T_EQ_INT(jcs_tlog_leaf_hash(b.data, b.len, h), 0);
	jcs_hash_hex(h, out);
	jcs_buf_free(&b);
}

#define T0 UINT64_C(1790000000000) /* 2026-09-21T14:13:20Z */

static struct jcs_status status_for(const char *leaf, enum jcs_reg_status st)
{
	struct jcs_status s = {
		.registration_number = "JCS-1-2026-000123",
		.registry = "registry.example",
		.status = st,
		.label_index = 3,
		.status_index = 5,
		.tree_size = 9,
		.produced = T0,
		.next_update = T0 + 3600 * 1000,
	};
	snprintf(s.label_hash, sizeof(s.label_hash), "%s", leaf);
	memset(s.root_hash, 'a', JCS_HASH_HEX);
	return s;
}

/* Verdict of credential got on date with statement s (signed by k, verified again) at now. */
static enum jcs_label_verdict verdict_with(const struct jcs_label *got, const char *leaf, const struct jcs_status *s,
					   struct jcs_key *k, uint64_t now, const struct jcs_revlist *rl,
					   const struct jcs_sth *sth)
{
	struct jcs_status back;
	struct jcs_status_check sc = {&back, leaf, now, sth};
	struct jcs_label_state st;
	struct jcs_err err;
	char *env = NULL;

	T_EQ_INT(jcs_status_sign(s, k, &env, &err), 0);
	T_EQ_INT(jcs_status_verify(env, strlen(env), k, &back, &err), 0);
	T_EQ_INT(jcs_label_state(got, "2026-09-21", rl, &sc, &st, &err), 0);
	free(env);
	return st.verdict;
}

T_TEST(status_statements)
{
	struct jcs_key *k = key(), *other = key();
	struct jcs_label l = sample(), *got = NULL;
	struct jcs_status s, back;
	struct jcs_err err;
	char *cred = NULL, *env = NULL, leaf[JCS_HASH_HEX + 1], other_leaf[JCS_HASH_HEX + 1];

	T_EQ_INT(jcs_label_sign(&l, k, &cred, &err), 0);
	T_EQ_INT(jcs_label_verify(cred, strlen(cred), k, &got, &err), 0);
	leaf_hex(cred, leaf);
	memset(other_leaf, 'b', JCS_HASH_HEX);
	other_leaf[JCS_HASH_HEX] = 0;

	/* fresh, for this credential: the only way to "valid" */
	s = status_for(leaf, JCS_RSTAT_VALID);
	T_EQ_INT(verdict_with(got, leaf, &s, k, T0 + 1000, NULL, NULL), JCS_VERDICT_VALID);
	T_EQ_INT(verdict_with(got, leaf, &s, k, T0 + 3600 * 1000, NULL, NULL), JCS_VERDICT_VALID); /* last ms */
	/* out of date, from the future (beyond the skew), for another label or credential */
	T_EQ_INT(verdict_with(got, leaf, &s, k, T0 + 3600 * 1000 + 1, NULL, NULL), JCS_VERDICT_UNCHECKED);
	T_EQ_INT(verdict_with(got, leaf, &s, k, T0 - JCS_STATUS_SKEW_MS - 1, NULL, NULL), JCS_VERDICT_UNCHECKED);
	T_EQ_INT(verdict_with(got, other_leaf, &s, k, T0, NULL, NULL), JCS_VERDICT_SUPERSEDED);
	snprintf(s.registration_number, sizeof(s.registration_number), "JCS-1-2026-000124");
	T_EQ_INT(verdict_with(got, leaf, &s, k, T0, NULL, NULL), JCS_VERDICT_UNCHECKED);
	s = status_for(leaf, JCS_RSTAT_VALID);
	snprintf(s.registry, sizeof(s.registry), "registry.evil");
	T_EQ_INT(verdict_with(got, leaf, &s, k, T0, NULL, NULL), JCS_VERDICT_UNCHECKED);

	/* withdrawals apply even from a stale statement or an older credential */
	s = status_for(leaf, JCS_RSTAT_REVOKED);
	T_EQ_INT(verdict_with(got, leaf, &s, k, T0, NULL, NULL), JCS_VERDICT_REVOKED);
	T_EQ_INT(verdict_with(got, leaf, &s, k, T0 + 86400000, NULL, NULL), JCS_VERDICT_REVOKED);
	T_EQ_INT(verdict_with(got, other_leaf, &s, k, T0, NULL, NULL), JCS_VERDICT_REVOKED);
	s = status_for(leaf, JCS_RSTAT_SUSPENDED);
	T_EQ_INT(verdict_with(got, leaf, &s, k, T0, NULL, NULL), JCS_VERDICT_SUSPENDED);
	T_EQ_INT(verdict_with(got, leaf, &s, k, T0 + 86400000, NULL, NULL), JCS_VERDICT_SUSPENDED);
	s = status_for(leaf, JCS_RSTAT_EXPIRY_GRACE);
	T_EQ_INT(verdict_with(got, leaf, &s, k, T0, NULL, NULL), JCS_VERDICT_EXPIRY_GRACE);
	T_EQ_STR(jcs_label_verdict_name(JCS_VERDICT_EXPIRY_GRACE), "expiry grace");
	s = status_for(leaf, JCS_RSTAT_EXPIRED);
	T_EQ_INT(verdict_with(got, leaf, &s, k, T0, NULL, NULL), JCS_VERDICT_EXPIRED);

	/* bound to a tree head: another tree size or root is not this statement's */
	{
		struct jcs_sth sth = {.tree_size = 9};
		s = status_for(leaf, JCS_RSTAT_VALID);
		memset(sth.root, 0xaa, sizeof(sth.root));
		T_EQ_INT(verdict_with(got, leaf, &s, k, T0, NULL, &sth), JCS_VERDICT_VALID);
		sth.tree_size = 10;
		T_EQ_INT(verdict_with(got, leaf, &s, k, T0, NULL, &sth), JCS_VERDICT_UNCHECKED);
		sth.tree_size = 9;
		sth.root[31] = 0xab;
		T_EQ_INT(verdict_with(got, leaf, &s, k, T0, NULL, &sth), JCS_VERDICT_UNCHECKED);
	}

	/* forgery: another key, any flipped byte, truncation, extra or reordered indexes */
	s = status_for(leaf, JCS_RSTAT_VALID);
	T_EQ_INT(jcs_status_sign(&s, other, &env, &err), 0);
	T_EQ_INT(jcs_status_verify(env, strlen(env), k, &back, &err), JCS_ECRYPTO);
	free(env);
	T_EQ_INT(jcs_status_sign(&s, k, &env, &err), 0);
	{
		size_t n = strlen(env);
		char *t = malloc(n + 1);
		for (size_t i = 0; i < n - 1; i++) {
			memcpy(t, env, n + 1);
			t[i] ^= 1;
			T_ASSERT(jcs_status_verify(t, n, k, &back, &err) != 0);
		}
		for (size_t i = 0; i < n - 2; i += 7)
			T_ASSERT(jcs_status_verify(env, i, k, &back, &err) != 0);
		free(t);
	}
	{
		/* "valid" turned into "revoked" in the payload: signature fails */
		char *t = strdup(env), *p = strstr(t, "\"status\":\"valid\"");
		T_ASSERT(p != NULL);
		memcpy(p + 10, "REVOK", 5);
		T_ASSERT(jcs_status_verify(t, strlen(t), k, &back, &err) != 0);
		free(t);
	}
	free(env);
	env = NULL;
	s.label_index = 6; /* after status_index */
	T_EQ_INT(jcs_status_sign(&s, k, &env, &err), JCS_ESCHEMA);
	s.label_index = 3;
	s.status_index = 9; /* not below tree_size */
	T_EQ_INT(jcs_status_sign(&s, k, &env, &err), JCS_ESCHEMA);
	s.status_index = 5;
	s.next_update = s.produced;
	T_EQ_INT(jcs_status_sign(&s, k, &env, &err), JCS_ESCHEMA);
	T_ASSERT(env == NULL);

	/* same second: a suspension signed in the credential's second counts from a list alone;
	 * a fresh status statement (ordered by log index) for this credential resolves it */
	{
		struct jcs_revocation r = {
			.registration_number = "JCS-1-2026-000123",
			.status = JCS_LSTAT_SUSPENDED,
			.reason = "vulnerability under investigation",
			.effective = "2026-04-01",
			.registry = "registry.example",
			.signed_at = "2026-04-01T09:00:00Z", /* = the credential's signed_at */
		};
		struct jcs_revlist *rl = NULL;
		struct jcs_label_state st;
		char *rev = NULL;

		T_EQ_INT(jcs_revocation_sign(&r, k, &rev, &err), 0);
		T_EQ_INT(jcs_revlist_verify(rev, strlen(rev), k, &rl, &err), 0);
		T_EQ_INT(jcs_label_state(got, "2026-09-21", rl, NULL, &st, &err), 0);
		T_EQ_INT(st.verdict, JCS_VERDICT_SUSPENDED);
		s = status_for(leaf, JCS_RSTAT_SUSPENDED);
		T_EQ_INT(verdict_with(got, leaf, &s, k, T0, rl, NULL), JCS_VERDICT_SUSPENDED);
		s = status_for(leaf, JCS_RSTAT_VALID); /* reinstated in the same second */
		T_EQ_INT(verdict_with(got, leaf, &s, k, T0, rl, NULL), JCS_VERDICT_VALID);
		T_EQ_INT(verdict_with(got, leaf, &s, k, T0 + 3600 * 1000 + 1, rl, NULL), JCS_VERDICT_SUSPENDED);
		jcs_revlist_free(rl);
		free(rev);
		/* a suspension a second later contradicts a "valid" statement: fail closed */
		r.signed_at = "2026-04-01T09:00:01Z";
		T_EQ_INT(jcs_revocation_sign(&r, k, &rev, &err), 0);
		T_EQ_INT(jcs_revlist_verify(rev, strlen(rev), k, &rl, &err), 0);
		T_EQ_INT(verdict_with(got, leaf, &s, k, T0, rl, NULL), JCS_VERDICT_SUSPENDED);
		jcs_revlist_free(rl);
		free(rev);
	}
	T_EQ_STR(jcs_reg_status_ja(JCS_RSTAT_EXPIRY_GRACE), "失効猶予");
	T_EQ_STR(jcs_reg_status_ja(JCS_RSTAT_REVOKED), "取消し");
	T_EQ_STR(jcs_reg_status_ja(JCS_RSTAT_EXPIRED), "失効");
	T_EQ_STR(jcs_reg_status_ja(JCS_RSTAT_VALID), "有効");
	jcs_label_free(got);
	free(cred);
	jcs_key_free(k);
	jcs_key_free(other);
}

/* Every verifier refuses to run without a key, and says so before judging the input: a
 * malformed statement and a missing key must not be confused. */
T_TEST(no_key_before_parse)
{
	static const char garbage[] = "{not json";
	struct jcs_label *l = (struct jcs_label *)1;
	struct jcs_revocation *r = (struct jcs_revocation *)1;
	struct jcs_revlist *rl = (struct jcs_revlist *)1;
	struct jcs_status st;
	struct jcs_sth sth;
	struct jcs_err err;

	T_EQ_INT(jcs_label_verify(garbage, strlen(garbage), NULL, &l, &err), JCS_EINVAL);
	T_CONTAINS(err.msg, "no key to verify with");
	T_ASSERT(l == NULL);
	T_EQ_INT(jcs_revocation_verify(garbage, strlen(garbage), NULL, &r, &err), JCS_EINVAL);
	T_ASSERT(r == NULL);
	T_EQ_INT(jcs_revlist_verify(garbage, strlen(garbage), NULL, &rl, &err), JCS_EINVAL);
	T_ASSERT(rl == NULL);
	T_EQ_INT(jcs_status_verify(garbage, strlen(garbage), NULL, &st, &err), JCS_EINVAL);
	T_EQ_INT(jcs_sth_verify(garbage, strlen(garbage), NULL, &sth, &err), JCS_EINVAL);
	T_CONTAINS(err.msg, "no key to verify with");
	{
		struct jcs_label_check_in in = {.label = garbage, .label_len = strlen(garbage)};
		struct jcs_label_check *lc = (struct jcs_label_check *)1;
		T_EQ_INT(jcs_label_check(NULL, &in, &lc, &err), JCS_EINVAL);
		T_CONTAINS(err.msg, "no key to verify with");
		T_ASSERT(lc == NULL);
	}
	/* parsing without a key is still possible, and the garbage is then a parse error */
	T_EQ_INT(jcs_label_parse(garbage, strlen(garbage), &l, &err), JCS_EPARSE);
}

/* jcstar.label/2 binds the report and SBOM (SHA-256) and the firmware: the right files are
 * confirmed, a swapped file is not, and no binding can be changed, dropped or downgraded
 * without breaking the signature. A /1 credential confirms no file. */
T_TEST(label2_binding)
{
	static const char rep_a[] = "{\"schema\":\"jcstar.report/1\",\"firmware\":\"2.4.1\"}\n";
	static const char rep_b[] = "{\"schema\":\"jcstar.report/1\",\"firmware\":\"2.4.2\"}\n";
	static const char bom[] = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[]}";
	struct jcs_key *k = key();
	struct jcs_label l = sample(), *got = NULL;
	struct jcs_err err;
	char ra[JCS_SHA256_HEX], rb[JCS_SHA256_HEX], sb[JCS_SHA256_HEX], want[512], *s = NULL, *none = NULL,
		*v1 = NULL, *forged;

	T_EQ_INT(jcs_sha256_hex(rep_a, strlen(rep_a), ra), 0);
	T_EQ_INT(jcs_sha256_hex(rep_b, strlen(rep_b), rb), 0);
	T_EQ_INT(jcs_sha256_hex(bom, strlen(bom), sb), 0);
	l.report_sha256 = ra;
	l.sbom_sha256 = sb;
	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), JCS_EINVAL); /* a /2 names the firmware */
	l.firmware = "2.4.1";
	T_EQ_INT(jcs_label_sign(&l, k, &s, &err), 0);
	/* canonical order of the new members */
	T_CONTAINS(s, "{\"payload\":{\"expires\":\"2028-04-01\",\"firmware\":\"2.4.1\",\"issued\":");
	snprintf(want, sizeof(want), "\"registry\":\"registry.example\",\"report_sha256\":\"%s\",\"sbom_sha256\":\"%s\","
		 "\"schema\":\"jcstar.label/2\",", ra, sb);
	T_CONTAINS(s, want);
	T_EQ_INT(jcs_label_verify(s, strlen(s), k, &got, &err), 0);
	T_ASSERT(got != NULL);
	if (got) {
		T_EQ_INT(got->version, 2);
		T_EQ_STR(got->firmware, "2.4.1");
		T_EQ_STR(got->report_sha256, ra);
		T_EQ_STR(got->sbom_sha256, sb);
		/* clean case: the reviewed report and the SBOM are confirmed */
		T_EQ_INT(jcs_label_check_doc(got, JCS_LABEL_DOC_REPORT, ra, &err), 0);
		T_EQ_INT(jcs_label_check_doc(got, JCS_LABEL_DOC_SBOM, sb, &err), 0);
		/* swapped report (the next firmware's), or the SBOM given as the report */
		T_EQ_INT(jcs_label_check_doc(got, JCS_LABEL_DOC_REPORT, rb, &err), JCS_ECONFLICT);
		T_CONTAINS(err.msg, "not the report this label binds");
		T_CONTAINS(err.msg, rb);
		T_EQ_INT(jcs_label_check_doc(got, JCS_LABEL_DOC_REPORT, sb, &err), JCS_ECONFLICT);
		T_EQ_INT(jcs_label_check_doc(got, JCS_LABEL_DOC_SBOM, ra, &err), JCS_ECONFLICT);
		T_EQ_INT(jcs_label_check_doc(got, JCS_LABEL_DOC_SBOM, NULL, &err), JCS_ECONFLICT);
	}
	jcs_label_free(got);
	got = NULL;
	/* forgeries: a changed report hash, a dropped SBOM, a changed firmware, a downgrade to /1 */
	T_ASSERT((forged = strdup(s)) != NULL);
	memcpy(strstr(forged, ra), rb, 64);
	T_EQ_INT(jcs_label_verify(forged, strlen(forged), k, &got, &err), JCS_ECRYPTO);
	free(forged);
	{
		char buf[4096], *p;
		snprintf(buf, sizeof(buf), "%s", s);
		p = strstr(buf, "\"sbom_sha256\":\"") + 15;
		memmove(p + 4, p + 64, strlen(p + 64) + 1);
		memcpy(p, "none", 4);
		T_EQ_INT(jcs_label_verify(buf, strlen(buf), k, &got, &err), JCS_ECRYPTO);
		snprintf(buf, sizeof(buf), "%s", s);
		memcpy(strstr(buf, "\"2.4.1\"") + 5, "2", 1);
		T_EQ_INT(jcs_label_verify(buf, strlen(buf), k, &got, &err), JCS_ECRYPTO);
		snprintf(buf, sizeof(buf), "%s", s);
		memcpy(strstr(buf, "jcstar.label/2") + 13, "1", 1);
		T_EQ_INT(jcs_label_verify(buf, strlen(buf), k, &got, &err), JCS_ESCHEMA); /* /1 has no bindings */
	}
	T_ASSERT(got == NULL);
	/* an application without an SBOM: the label says "none", and no SBOM file is confirmed */
	l.sbom_sha256 = NULL;
	T_EQ_INT(jcs_label_sign(&l, k, &none, &err), 0);
	T_CONTAINS(none, "\"sbom_sha256\":\"none\"");
	T_EQ_INT(jcs_label_verify(none, strlen(none), k, &got, &err), 0);
	if (got) {
		T_ASSERT(got->sbom_sha256 == NULL);
		T_EQ_INT(jcs_label_check_doc(got, JCS_LABEL_DOC_REPORT, ra, &err), 0);
		T_EQ_INT(jcs_label_check_doc(got, JCS_LABEL_DOC_SBOM, sb, &err), JCS_ECONFLICT);
		T_CONTAINS(err.msg, "no SBOM");
	}
	jcs_label_free(got);
	got = NULL;
	/* bad hashes are refused at signing */
	l.report_sha256 = "ABCDEF";
	T_EQ_INT(jcs_label_sign(&l, k, &forged, &err), JCS_ESCHEMA);
	l.sbom_sha256 = "None";
	l.report_sha256 = ra;
	T_EQ_INT(jcs_label_sign(&l, k, &forged, &err), JCS_ESCHEMA);
	/* an old /1 credential still verifies, binds nothing, and confirms no file */
	l = sample();
	T_EQ_INT(jcs_label_sign(&l, k, &v1, &err), 0);
	T_CONTAINS(v1, "\"schema\":\"jcstar.label/1\"");
	T_EQ_INT(jcs_label_verify(v1, strlen(v1), k, &got, &err), 0);
	if (got) {
		T_EQ_INT(got->version, 1);
		T_ASSERT(got->report_sha256 == NULL && got->firmware == NULL);
		T_EQ_INT(jcs_label_check_doc(got, JCS_LABEL_DOC_REPORT, ra, &err), JCS_ECONFLICT);
		T_CONTAINS(err.msg, "binds no report");
	}
	jcs_label_free(got);
	free(s);
	free(none);
	free(v1);
	jcs_key_free(k);
}

T_MAIN(T_CASE(no_key_before_parse), T_CASE(regno), T_CASE(dates), T_CASE(keys), T_CASE(canonical_form), T_CASE(round_trip),
       T_CASE(any_flipped_byte_fails), T_CASE(wrong_key_fails), T_CASE(schema_checks),
       T_CASE(expiry_and_revocation), T_CASE(log_inclusion), T_CASE(status_statements), T_CASE(label2_binding))
