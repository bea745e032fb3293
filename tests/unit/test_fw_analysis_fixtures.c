/* The analysis on the fixture trees with MANIFEST.md ground truth: the IoTGoat OpenWrt overlay,
 * the crypto-material and users-and-passwords samples. */
#include <stdio.h>
#include <string.h>

#include "fw_analysis.h"
#include "t.h"

/* The analysis of a fixture tree, or NULL (the test has failed, naming what is missing). */
static struct jcs_evidence *run_fixture(const char *sub)
{
	char dir[4096];
	struct jcs_evidence *ev;

	if (!t_fixture(dir, sizeof(dir), sub))
		return NULL;
	ev = fw_run_dir(dir, NULL, 0);
	if (!ev)
		T_FAIL("%s: the analysis failed", dir);
	return ev;
}

T_TEST(iotgoat_overlay)
{
	struct jcs_evidence *ev = run_fixture("rootfs-overlays/iotgoat");

	if (!ev)
		return;
	/* shadow: iotgoatuser = 7ujMko0vizxv (Mirai list); root's hash is in no list */
	T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_FAIL, "/etc/shadow:8"), 1);
	T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_FAIL, NULL), 1);
	T_EQ_STR(fw_detail(ev, "fw.account.default-password", JCS_FAIL, "password"), "7ujMko0vizxv");
	T_EQ_STR(fw_detail(ev, "fw.account.default-password", JCS_FAIL, "account"), "iotgoatuser");
	T_EQ_INT(fw_count(ev, "fw.account.empty-password", JCS_FAIL, NULL), 0);
	/* rc.local: telnetd -p 65534 & */
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_FAIL, "/etc/rc.local:5"), 1);
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_FAIL, NULL), 1);
	/* config/system: ttylogin 0 */
	T_EQ_INT(fw_count(ev, "fw.console.unauthenticated", JCS_FAIL, "/etc/config/system"), 1);
	/* wireless has encryption none (no key); nothing else hard-coded */
	T_EQ_INT(fw_count(ev, "fw.secret.hardcoded-credential", JCS_FAIL, NULL), 0);
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_FAIL, NULL), 0);
	T_EQ_INT(fw_count(ev, "fw.tls.verification-disabled", JCS_FAIL, NULL), 0);
	jcs_evidence_free(ev);
}

T_TEST(crypto_material)
{
	struct jcs_evidence *ev = run_fixture("secrets/crypto_material");

	if (!ev)
		return;
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_FAIL, "/id_rsa:1"), 1);  /* 8192-bit PKCS#1 */
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_FAIL, "/ssl.key:1"), 1); /* PKCS#8 RSA 1024 */
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_INFO, "/id_rsa_encrypted:1"), 1);
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_FAIL, NULL), 2); /* FP_test, .pub, .crt: none */
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_INFO, NULL), 1);
	for (size_t i = 0; i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		jcs_evidence_get(ev, i, &f);
		if (strcmp(f.id, "fw.secret.private-key") == 0 && strstr(f.location, "/id_rsa:")) {
			T_EQ_INT(json_integer_value(json_object_get(f.details, "bits")), 8192);
			T_EQ_STR(json_string_value(json_object_get(f.details, "key_type")), "RSA");
		}
	}
	jcs_evidence_free(ev);
}

/* The finding names file (its location or also_in[]). */
static bool names(const struct jcs_finding *f, const char *file)
{
	const json_t *also = json_object_get(f->details, "also_in"), *a;
	size_t i;

	if (strstr(f->location, file))
		return true;
	json_array_foreach(also, i, a)
		if (strstr(json_string_value(a), file))
			return true;
	return false;
}

T_TEST(users_and_passwords)
{
	static const struct {
		const char *user, *password;
	} want[] = {{"johndoe", "123456"}, {"root", "root"}, {"user", "1234"}, {"user2", "secret"},
		    {"nosalt", "root"},    {"max", "dragon"}, {"admin", "admin"}, {"test", "123456"}};
	struct jcs_evidence *ev = run_fixture("secrets/users_and_passwords");
	size_t cracked = 0, in_bin = 0, in_test = 0;

	if (!ev)
		return;
	for (size_t i = 0; i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		const char *user, *pw;
		bool ok = false;
		jcs_evidence_get(ev, i, &f);
		if (strcmp(f.id, "fw.account.default-password") || f.result != JCS_FAIL)
			continue;
		T_ASSERT(strstr(f.location, "passwd_FP_test") == NULL);
		user = json_string_value(json_object_get(f.details, "account"));
		pw = json_string_value(json_object_get(f.details, "password"));
		for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
			ok |= strcmp(want[k].user, user) == 0 && strcmp(want[k].password, pw) == 0;
		if (!ok)
			T_FAIL("unexpected crack %s = %s at %s", user, pw, f.location);
		cracked++;
		in_bin += names(&f, "/passwd.bin");
		in_test += names(&f, "/passwd_test");
	}
	/* passwd.bin: johndoe ($6$) and max ($apr1$) - the same hashes as in passwd_test, so
	 * they are reported once, naming both files */
	T_EQ_INT(in_test, 8);
	T_EQ_INT(in_bin, 2);
	T_EQ_INT(cracked, 8);
	jcs_evidence_free(ev);
}

T_MAIN(T_CASE(iotgoat_overlay), T_CASE(crypto_material), T_CASE(users_and_passwords))
