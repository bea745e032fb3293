/* Audit rules on small in-test file contents (one group of cases per rule). */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "firmware/audit/accounts.h"
#include "firmware/audit/audit.h"
#include "fw_analysis.h"
#include "t.h"


static struct jcs_evidence *run(const struct mem_file *f, size_t n)
{
	return fw_run_files(f, n, NULL, 0);
}
#define N(a) (sizeof(a) / sizeof((a)[0]))

static char *hash_of(const char *pw, const char *prefix)
{
	struct crypt_data cd;
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];

	memset(&cd, 0, sizeof(cd));
	if (!crypt_gensalt_rn(prefix, prefix[1] == '2' ? 5 : 0, NULL, 0, salt, sizeof(salt)))
		return NULL;
	return strdup(crypt_r(pw, salt, &cd));
}

/* ---- accounts ---- */

T_TEST(accounts_empty_and_default)
{
	char *md5 = hash_of("admin", "$1$"), *sha = hash_of("root", "$6$"), *bf = hash_of("1234", "$2b$"),
	     *ye = hash_of("password", "$y$"), *strong = hash_of("k9#Vq!x7-Lw2+Zr8", "$1$");
	char shadow[2048];
	struct jcs_evidence *ev;

	T_ASSERT(md5 && sha && bf && ye && strong);
	snprintf(shadow, sizeof(shadow),
		 "root:%s:19000:0:99999:7:::\nguest::19000:0:99999:7:::\nadmin:%s:19000:0:99999:7:::\n"
		 "svc:%s:19000:0:99999:7:::\nweb:%s:19000:0:99999:7:::\nops:%s:19000:0:99999:7:::\n"
		 "daemon:*:0:0:99999:7:::\nnobody:!:0:0:99999:7:::\n",
		 sha, md5, bf, ye, strong);
	{
		struct mem_file f[] = {{"/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nguest:x:1000:1000::/home:/bin/sh\n", NULL, 0},
				       {"/etc/shadow", shadow, NULL, 0}};
		ev = run(f, N(f));
	}
	T_EQ_INT(fw_count(ev, "fw.account.empty-password", JCS_FAIL, "/etc/shadow:2"), 1);
	T_EQ_INT(fw_count(ev, "fw.account.empty-password", JCS_FAIL, NULL), 1);
	T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_FAIL, "/etc/shadow:1"), 1);
	T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_FAIL, "/etc/shadow:3"), 1);
	T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_FAIL, "/etc/shadow:4"), 1);
	T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_FAIL, "/etc/shadow:5"), 1);
	T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_FAIL, NULL), 4);
	T_EQ_STR(fw_detail(ev, "fw.account.default-password", JCS_FAIL, "password"), "root");
	jcs_evidence_free(ev);
	free(md5), free(sha), free(bf), free(ye), free(strong);
}

T_TEST(accounts_none_cracked_is_pass)
{
	char *strong = hash_of("k9#Vq!x7-Lw2+Zr8", "$1$"), shadow[512];
	struct jcs_evidence *ev;

	snprintf(shadow, sizeof(shadow), "root:%s:19000:0:99999:7:::\ndaemon:*:0:0:99999:7:::\n", strong);
	{
		struct mem_file f[] = {{"/etc/shadow", shadow, NULL, 0}};
		ev = run(f, N(f));
	}
	T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_PASS, "/etc/shadow"), 1);
	T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_FAIL, NULL), 0);
	T_EQ_INT(fw_count(ev, "fw.account.empty-password", JCS_PASS, NULL), 1);
	jcs_evidence_free(ev);
	free(strong);
}

T_TEST(accounts_no_database_is_inconclusive)
{
	struct mem_file f[] = {{"/etc/hostname", "router\n", NULL, 0}};
	struct jcs_evidence *ev = run(f, N(f));

	T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_INCONCLUSIVE, NULL), 1);
	T_EQ_INT(fw_count_id(ev, "fw.account.empty-password"), 0);
	jcs_evidence_free(ev);
}

T_TEST(hash_classify)
{
	T_EQ_INT(jcs_hash_classify("", 9), JCS_HASH_EMPTY);
	T_EQ_INT(jcs_hash_classify("", 2), JCS_HASH_NONE);
	T_EQ_INT(jcs_hash_classify("x", 7), JCS_HASH_NONE);
	T_EQ_INT(jcs_hash_classify("!$1$abc$def", 9), JCS_HASH_NONE);
	T_EQ_INT(jcs_hash_classify("ST0P8z9dZb6Jg", 9), JCS_HASH_DES);
	T_EQ_INT(jcs_hash_classify("ST0P8z9dZb6Jg", 2), JCS_HASH_NONE);
	T_EQ_INT(jcs_hash_classify("$1$12345678$hj0uLpdidjPhbMMZeno8X/", 9), JCS_HASH_MD5);
	T_EQ_INT(jcs_hash_classify("$1$12345678$hj0uLpdidjPhbMMZeno8X", 9), JCS_HASH_NONE);
	T_EQ_INT(jcs_hash_classify("$apr1$nMebU24m$ofpVAehRJU5Jq8KUcsVYj1", 2), JCS_HASH_APR1);
	T_EQ_INT(jcs_hash_classify("{SHA}0DPiKuNIrrVmD8IUCuw1hQxNqZc=", 2), JCS_HASH_SHA1_B64);
	T_EQ_INT(jcs_hash_classify("$.su.CHAR.SOMETEXT.FOO_BAR_FOOBAR,regex", 2), JCS_HASH_NONE);
	T_EQ_INT(jcs_hash_classify("$(this).prev().hide();$(this).show()", 2), JCS_HASH_NONE);
}

/* ---- console ---- */

T_TEST(console_rules)
{
	struct mem_file bad[] = {{"/etc/inittab", "::sysinit:/etc/init.d/rcS\n::askfirst:-/bin/sh\n", NULL, 0}};
	struct mem_file getty[] = {{"/etc/inittab", "ttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n", NULL, 0}};
	struct mem_file autologin[] = {{"/lib/systemd/system/serial-getty@.service",
					"[Service]\nExecStart=-/sbin/agetty --autologin root --keep-baud 115200 %I\n", NULL, 0}};
	struct mem_file owrt_ok[] = {{"/etc/inittab", "::askconsole:/usr/libexec/login.sh\n", NULL, 0},
				     {"/etc/config/system", "config system\n\toption ttylogin '1'\n", NULL, 0}};
	struct mem_file owrt_bad[] = {{"/etc/inittab", "::askconsole:/usr/libexec/login.sh\n", NULL, 0}};
	struct mem_file telnet_sh[] = {{"/etc/rc.local", "telnetd -l /bin/sh -p 2323 &\n", NULL, 0}};
	struct jcs_evidence *ev;

	ev = run(bad, N(bad));
	T_EQ_INT(fw_count(ev, "fw.console.unauthenticated", JCS_FAIL, "/etc/inittab:2"), 1);
	jcs_evidence_free(ev);
	ev = run(getty, N(getty));
	T_EQ_INT(fw_count(ev, "fw.console.unauthenticated", JCS_PASS, "/etc/inittab"), 1);
	T_EQ_INT(fw_count(ev, "fw.console.unauthenticated", JCS_FAIL, NULL), 0);
	jcs_evidence_free(ev);
	ev = run(autologin, N(autologin));
	T_EQ_INT(fw_count(ev, "fw.console.unauthenticated", JCS_FAIL, "serial-getty@.service:2"), 1);
	jcs_evidence_free(ev);
	ev = run(owrt_ok, N(owrt_ok));
	T_EQ_INT(fw_count(ev, "fw.console.unauthenticated", JCS_FAIL, NULL), 0);
	T_EQ_INT(fw_count(ev, "fw.console.unauthenticated", JCS_PASS, NULL), 1);
	jcs_evidence_free(ev);
	ev = run(owrt_bad, N(owrt_bad));
	T_EQ_INT(fw_count(ev, "fw.console.unauthenticated", JCS_FAIL, "/etc/inittab:1"), 1);
	jcs_evidence_free(ev);
	ev = run(telnet_sh, N(telnet_sh));
	T_EQ_INT(fw_count(ev, "fw.console.unauthenticated", JCS_FAIL, "/etc/rc.local:1"), 1);
	jcs_evidence_free(ev);
}

/* ---- services ---- */

T_TEST(services_rules)
{
	static const char telnet_init[] = "#!/bin/sh\nDAEMON=/usr/sbin/telnetd\nstart() { $DAEMON -p 23; }\n";
	struct mem_file inittab[] = {{"/etc/inittab", "::respawn:/usr/sbin/telnetd -F\n", NULL, 0}};
	struct mem_file linked[] = {{"/etc/init.d/telnet", telnet_init, NULL, 0},
				    {"/etc/rc.d/S50telnet", NULL, "../init.d/telnet", 0}};
	struct mem_file unlinked[] = {{"/etc/init.d/telnet", telnet_init, NULL, 0},
				      {"/etc/inittab", "::sysinit:/etc/init.d/rcS\n", NULL, 0}};
	struct mem_file buildroot[] = {{"/etc/init.d/S50tftpd", "udpsvd -vE 0 69 tftpd /srv &\n", NULL, 0}};
	struct mem_file inetd[] = {{"/etc/inetd.conf", "#telnet stream tcp nowait root /usr/sbin/telnetd telnetd\n"
						       "ftp stream tcp nowait root /usr/sbin/ftpd ftpd -w /srv\n", NULL, 0}};
	struct mem_file unit[] = {{"/lib/systemd/system/adbd.service", "[Service]\nExecStart=/usr/bin/adbd\n", NULL, 0},
				  {"/etc/systemd/system/multi-user.target.wants/adbd.service", NULL,
				   "/lib/systemd/system/adbd.service", 0}};
	struct mem_file dropbear[] = {{"/etc/rc.local", "dropbear -p 22 -r /etc/dropbear/key\n", NULL, 0}};
	struct mem_file dropbear_s[] = {{"/etc/rc.local", "dropbear -s -g -p 22\n", NULL, 0}};
	struct mem_file killer[] = {{"/etc/rc.local", "killall telnetd\n", NULL, 0}};
	struct jcs_evidence *ev;

	ev = run(inittab, N(inittab));
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_FAIL, "/etc/inittab:1"), 1);
	jcs_evidence_free(ev);
	ev = run(linked, N(linked));
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_FAIL, "/etc/init.d/telnet:2"), 1);
	T_CONTAINS(fw_detail(ev, "fw.service.risky-enabled", JCS_FAIL, "started"), "/etc/rc.d/S50telnet");
	jcs_evidence_free(ev);
	ev = run(unlinked, N(unlinked));
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_FAIL, NULL), 0);
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_PASS, NULL), 1);
	jcs_evidence_free(ev);
	ev = run(buildroot, N(buildroot));
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_FAIL, "/etc/init.d/S50tftpd:1"), 1);
	jcs_evidence_free(ev);
	ev = run(inetd, N(inetd));
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_FAIL, "/etc/inetd.conf:2"), 1);
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_FAIL, NULL), 1);
	jcs_evidence_free(ev);
	ev = run(unit, N(unit));
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_FAIL, "adbd.service:2"), 1);
	jcs_evidence_free(ev);
	ev = run(dropbear, N(dropbear));
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_FAIL, "/etc/rc.local:1"), 1);
	jcs_evidence_free(ev);
	ev = run(dropbear_s, N(dropbear_s));
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_FAIL, NULL), 0);
	jcs_evidence_free(ev);
	ev = run(killer, N(killer));
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_FAIL, NULL), 0);
	jcs_evidence_free(ev);
}

/* Cracking with a work budget: cheapest hashes first; an account whose guesses were not all
 * made is inconclusive (never a pass); with enough budget the twin passes; the password
 * found does not depend on the thread count. */
T_TEST(cracking_budget_and_threads)
{
	char *md5 = hash_of("Zq8#tLw2!pV9xR", "$1$"), *sha = hash_of("Hk3$mN7@qS1&yU", "$6$"),
	     *bf = strdup("$2b$15$abcdefghijklmnopqrstuuK0Wd5pY3Dg5mZcB6N8o0Jv3a8Q1p7yW"), shadow[1024], weak[512];
	char *dflt = hash_of("12345678", "$6$");
	struct jcs_fw_analyze_opts tiny = {.crack_work = 100}, dflt_opts = {0}, one = {.jobs = 1}, four = {.jobs = 4};
	struct jcs_evidence *ev, *ev4;

	T_ASSERT(md5 && sha && dflt);
	snprintf(shadow, sizeof(shadow), "alice:%s:19700:0:99999:7:::\nbob:%s:19700:0:99999:7:::\n", md5, sha);
	{
		struct mem_file f[] = {{"/etc/shadow", shadow, NULL, 0}};
		ev = fw_run_files_opts(f, 1, &tiny);
		T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_INCONCLUSIVE, "/etc/shadow:1"), 1);
		T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_INCONCLUSIVE, "/etc/shadow:2"), 1);
		T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_PASS, NULL), 0);
		jcs_evidence_free(ev);
		ev = fw_run_files_opts(f, 1, &dflt_opts);
		T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_PASS, NULL), 1);
		T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_INCONCLUSIVE, NULL), 0);
		jcs_evidence_free(ev);
	}
	snprintf(shadow, sizeof(shadow), "carol:%s:19700:0:99999:7:::\n", bf);
	{
		struct mem_file f[] = {{"/etc/shadow", shadow, NULL, 0}};
		ev = fw_run_files_opts(f, 1, &dflt_opts);
		T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_INCONCLUSIVE, "/etc/shadow:1"), 1);
		T_EQ_INT(fw_count(ev, "fw.account.default-password", JCS_PASS, NULL), 0);
		jcs_evidence_free(ev);
	}
	snprintf(weak, sizeof(weak), "root:%s:19700:0:99999:7:::\n", dflt);
	{
		struct mem_file f[] = {{"/etc/shadow", weak, NULL, 0}};
		ev = fw_run_files_opts(f, 1, &one);
		ev4 = fw_run_files_opts(f, 1, &four);
		T_EQ_STR(fw_detail(ev, "fw.account.default-password", JCS_FAIL, "password"), "12345678");
		T_EQ_STR(fw_detail(ev4, "fw.account.default-password", JCS_FAIL, "password"), "12345678");
		jcs_evidence_free(ev);
		jcs_evidence_free(ev4);
	}
	free(md5), free(sha), free(bf), free(dflt);
}

/* ---- private keys ---- */

static char *pem_key(EVP_PKEY *pk, bool encrypted)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	if (encrypted)
		PEM_write_bio_PKCS8PrivateKey(b, pk, EVP_aes_128_cbc(), NULL, 0, NULL, (void *)"pass phrase");
	else
		PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(b, &p);
	out = strndup(p, (size_t)n);
	BIO_free(b);
	return out;
}

T_TEST(private_key_rules)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	char *plain = pem_key(pk, false), *enc = pem_key(pk, true), *embedded;
	unsigned char *der = NULL;
	int dlen = i2d_PrivateKey(pk, &der);
	struct jcs_evidence *ev;

	T_ASSERT(pk && plain && enc && dlen > 0);
	embedded = malloc(strlen(plain) + 64);
	memcpy(embedded, "\177ELF\1\1\0junk", 11);
	strcpy(embedded + 11, plain);
	{
		struct mem_file f[] = {{"/etc/ssl/private/server.key", plain, NULL, 0},
				       {"/etc/ssl/private/enc.key", enc, NULL, 0},
				       {"/etc/ssl/private/key.der", (const char *)der, NULL, (size_t)dlen},
				       {"/usr/bin/vendor-daemon", embedded, NULL, 11 + strlen(plain)},
				       {"/etc/fake.pem", "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n", NULL, 0}};
		ev = run(f, N(f));
	}
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_FAIL, "/etc/ssl/private/server.key:1"), 1);
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_INFO, "/etc/ssl/private/enc.key:1"), 1);
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_FAIL, "/etc/ssl/private/key.der"), 1);
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_FAIL, "/usr/bin/vendor-daemon"), 1);
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_FAIL, NULL), 3);
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_PASS, NULL), 0);
	jcs_evidence_free(ev);
	{
		struct mem_file f[] = {{"/etc/ssl/private/enc.key", enc, NULL, 0}};
		ev = run(f, N(f));
	}
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_PASS, NULL), 1);
	jcs_evidence_free(ev);
	free(plain), free(enc), free(embedded), OPENSSL_free(der), EVP_PKEY_free(pk);
}

/* RFC 8410 §10.3's example Ed25519 key: published test data in documentation is info with
 * the reason; the same key as a device file (the clean twin of the rule) still fails. */
T_TEST(private_key_examples_are_info)
{
	static const char rfc8410[] = "Test vector of RFC 8410\n-----BEGIN PRIVATE KEY-----\n"
				      "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
				      "-----END PRIVATE KEY-----\n";
	struct mem_file doc[] = {{"/usr/share/doc/libsodium/ed25519-test-vectors.txt", rfc8410, NULL, 0},
				 {"/usr/lib/python3/crypto/tests/Ed25519_Test_Vectors.pem", rfc8410, NULL, 0}};
	struct mem_file dev[] = {{"/etc/ssl/private/device-ed25519.pem", rfc8410, NULL, 0}};
	struct jcs_evidence *ev = run(doc, N(doc));

	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_INFO, "/usr/share/doc/libsodium/ed25519-test-vectors.txt:2"), 1);
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_INFO, "Ed25519_Test_Vectors.pem:2"), 1);
	T_ASSERT(strstr(fw_detail(ev, "fw.secret.private-key", JCS_INFO, "reason"), "documentation") != NULL);
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_FAIL, NULL), 0);
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_PASS, NULL), 1);
	jcs_evidence_free(ev);
	ev = run(dev, N(dev));
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_FAIL, "/etc/ssl/private/device-ed25519.pem:2"), 1);
	T_EQ_INT(fw_count(ev, "fw.secret.private-key", JCS_PASS, NULL), 0);
	jcs_evidence_free(ev);
}

/* A password in a URL in a shell script outside /etc (no suffix, not a config path); the
 * clean twin uses variables and an anonymous URL. */
T_TEST(url_credentials_in_scripts)
{
	struct mem_file bad[] = {{"/usr/bin/snapshot-upload", "#!/bin/sh\nSNAP=/tmp/s.jpg\n"
				  "curl -s -T \"$SNAP\" ftp://camupload:Snap2019up@ftp.camvendor.example/incoming/\n", NULL, 0}};
	struct mem_file clean[] = {{"/usr/bin/snapshot-upload", "#!/bin/sh\n. /etc/upload.env\n"
				    "curl -s -T \"$SNAP\" ftp://$FTP_USER:$FTP_PASS@ftp.camvendor.example/incoming/\n"
				    "wget -q http://ftp.camvendor.example/pub/readme.txt\n", NULL, 0}};
	struct jcs_evidence *ev = run(bad, N(bad));

	T_EQ_INT(fw_count(ev, "fw.secret.hardcoded-credential", JCS_FAIL, "/usr/bin/snapshot-upload:3"), 1);
	T_EQ_STR(fw_detail(ev, "fw.secret.hardcoded-credential", JCS_FAIL, "key"), "camupload");
	T_EQ_STR(fw_detail(ev, "fw.secret.hardcoded-credential", JCS_FAIL, "value"), "Sn*** (10 chars)");
	jcs_evidence_free(ev);
	ev = run(clean, N(clean));
	T_EQ_INT(fw_count(ev, "fw.secret.hardcoded-credential", JCS_FAIL, NULL), 0);
	T_EQ_INT(fw_count(ev, "fw.secret.hardcoded-credential", JCS_PASS, NULL), 1);
	jcs_evidence_free(ev);
}

/* OpenWrt image whose opkg binary was not recognised (not in the stream): /etc/opkg.conf is
 * read anyway. Without check_signature: fail; the twin with it and a key: pass. Alpine's apk
 * verifies by default unless --allow-untrusted. */
T_TEST(update_config_without_binary)
{
	struct mem_file nosig[] = {{"/etc/opkg.conf", "dest root /\ndest ram /tmp\nlists_dir ext /var/opkg-lists\n", NULL, 0},
				   {"/etc/opkg/distfeeds.conf", "src/gz openwrt_core https://downloads.openwrt.org/x\n", NULL, 0}};
	struct mem_file sig[] = {{"/etc/opkg.conf", "dest root /\noption check_signature\n", NULL, 0},
				 {"/etc/opkg/keys/b5043e70f9a75cde", "untrusted comment: public key\nRWS1BD5w+adc3j2Hqg==\n", NULL, 0}};
	struct mem_file apk_off[] = {{"/etc/apk/repositories", "https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n", NULL, 0},
				     {"/etc/apk/keys/alpine-devel.rsa.pub", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n", NULL, 0},
				     {"/etc/periodic/daily/update", "#!/bin/sh\napk upgrade --allow-untrusted\n", NULL, 0}};
	struct mem_file apk_on[] = {{"/etc/apk/repositories", "https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n", NULL, 0},
				    {"/etc/apk/keys/alpine-devel.rsa.pub", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n", NULL, 0}};
	struct jcs_evidence *ev = run(nosig, N(nosig));

	T_EQ_INT(fw_count(ev, "fw.update.signature", JCS_FAIL, "/etc/opkg.conf"), 1);
	T_EQ_INT(fw_count(ev, "fw.update.mechanism", JCS_PASS, "/etc/opkg.conf"), 1);
	jcs_evidence_free(ev);
	ev = run(sig, N(sig));
	T_EQ_INT(fw_count(ev, "fw.update.signature", JCS_PASS, "/etc/opkg.conf:2"), 1);
	T_EQ_INT(fw_count(ev, "fw.update.signature", JCS_FAIL, NULL), 0);
	jcs_evidence_free(ev);
	ev = run(apk_off, N(apk_off));
	T_EQ_INT(fw_count(ev, "fw.update.signature", JCS_FAIL, "/etc/periodic/daily/update:2"), 1);
	jcs_evidence_free(ev);
	ev = run(apk_on, N(apk_on));
	T_EQ_INT(fw_count(ev, "fw.update.signature", JCS_PASS, NULL), 1);
	T_EQ_INT(fw_count(ev, "fw.update.signature", JCS_FAIL, NULL), 0);
	jcs_evidence_free(ev);
}

/* ---- hard-coded credentials ---- */

T_TEST(credential_rules)
{
	struct mem_file f[] = {
		{"/etc/config/mqtt", "config broker\n\toption user 'dev'\n\toption password 'hunter22'\n", NULL, 0},
		{"/www/js/login.js", "var password = form.password.value;\nvar def_pass = \"admin123\";\n", NULL, 0},
		{"/etc/app.conf", "password=$1\npassword = \"\"\n# password=commented\napi_key=ZXhhbXBsZWtleQ\n", NULL, 0},
		{"/etc/backup.sh", "curl -T f ftp://backup:S3cretPw@10.0.0.2/ \n", NULL, 0},
		{"/etc/config/wireless", "config wifi-iface\n\toption encryption 'psk2'\n\toption key 'supersecret'\n", NULL, 0},
		{"/usr/share/doc/x/README.md", "password=example\n", NULL, 0},
	};
	struct jcs_evidence *ev = run(f, N(f));

	T_EQ_INT(fw_count(ev, "fw.secret.hardcoded-credential", JCS_FAIL, "/etc/config/mqtt:3"), 1);
	T_EQ_INT(fw_count(ev, "fw.secret.hardcoded-credential", JCS_FAIL, "/www/js/login.js:2"), 1);
	T_EQ_INT(fw_count(ev, "fw.secret.hardcoded-credential", JCS_FAIL, "/etc/app.conf:4"), 1);
	T_EQ_INT(fw_count(ev, "fw.secret.hardcoded-credential", JCS_FAIL, "/etc/backup.sh:1"), 1);
	T_EQ_INT(fw_count(ev, "fw.secret.hardcoded-credential", JCS_FAIL, "/etc/config/wireless:3"), 1);
	T_EQ_INT(fw_count(ev, "fw.secret.hardcoded-credential", JCS_FAIL, NULL), 5);
	T_EQ_STR(fw_detail(ev, "fw.secret.hardcoded-credential", JCS_FAIL, "value"), "hu*** (8 chars)");
	jcs_evidence_free(ev);
}

/* ---- TLS verification ---- */

T_TEST(tls_rules)
{
	struct mem_file f[] = {
		{"/usr/bin/fetch-config", "#!/bin/sh\ncurl -k https://cloud.example/cfg\ncurl https://ok.example/\n", NULL, 0},
		{"/usr/bin/report", "curl -sSk -d @/tmp/r https://x.example\n", NULL, 0},
		{"/usr/sbin/upd", "wget --no-check-certificate -O /tmp/fw https://x.example/fw\n", NULL, 0},
		{"/etc/agent.ini", "[tls]\nverify=0\n", NULL, 0},
		{"/etc/agent2.ini", "verify = 1\nssl_verify: true\n", NULL, 0},
		{"/etc/mosquitto/conf.d/bridge.conf", "connection cloud\ntls_insecure true\n", NULL, 0},
	};
	struct jcs_evidence *ev = run(f, N(f));

	T_EQ_INT(fw_count(ev, "fw.tls.verification-disabled", JCS_FAIL, "/usr/bin/fetch-config:2"), 1);
	T_EQ_INT(fw_count(ev, "fw.tls.verification-disabled", JCS_FAIL, "/usr/bin/report:1"), 1);
	T_EQ_INT(fw_count(ev, "fw.tls.verification-disabled", JCS_FAIL, "/usr/sbin/upd:1"), 1);
	T_EQ_INT(fw_count(ev, "fw.tls.verification-disabled", JCS_FAIL, "/etc/agent.ini:2"), 1);
	T_EQ_INT(fw_count(ev, "fw.tls.verification-disabled", JCS_FAIL, "bridge.conf:2"), 1);
	T_EQ_INT(fw_count(ev, "fw.tls.verification-disabled", JCS_FAIL, NULL), 5);
	jcs_evidence_free(ev);
}

/* ---- update and reset ---- */

T_TEST(update_rules)
{
	struct mem_file unsigned_fw[] = {{"/sbin/sysupgrade", "#!/bin/sh\nmtd write \"$1\" firmware\n", NULL, 0}};
	struct mem_file signed_fw[] = {
		{"/sbin/sysupgrade", "#!/bin/sh\n. /lib/upgrade/common.sh\n", NULL, 0},
		{"/lib/upgrade/common.sh", "verify() {\n\tusign -V -m \"$1\" -P /etc/opkg/keys -q\n}\n", NULL, 0},
		{"/etc/opkg/keys/b5043e70f9a75cde", "untrusted comment: public key\nRWS1BD5w+adc3j2Hqg==\n", NULL, 0},
		{"/bin/opkg", "\177ELF", NULL, 4},
		{"/etc/opkg.conf", "dest root /\noption check_signature\n", NULL, 0},
	};
	struct mem_file none[] = {{"/etc/banner", "hello\n", NULL, 0}};
	struct jcs_evidence *ev;

	ev = run(unsigned_fw, N(unsigned_fw));
	T_EQ_INT(fw_count(ev, "fw.update.mechanism", JCS_PASS, "/sbin/sysupgrade"), 1);
	T_EQ_INT(fw_count(ev, "fw.update.signature", JCS_FAIL, "/sbin/sysupgrade"), 1);
	jcs_evidence_free(ev);
	ev = run(signed_fw, N(signed_fw));
	T_EQ_INT(fw_count(ev, "fw.update.signature", JCS_PASS, "/lib/upgrade/common.sh:2"), 1);
	T_EQ_INT(fw_count(ev, "fw.update.signature", JCS_PASS, "/etc/opkg.conf:2"), 1);
	T_EQ_INT(fw_count(ev, "fw.update.signature", JCS_FAIL, NULL), 0);
	T_EQ_INT(fw_count(ev, "fw.update.mechanism", JCS_PASS, NULL), 1);
	jcs_evidence_free(ev);
	ev = run(none, N(none));
	T_EQ_INT(fw_count(ev, "fw.update.mechanism", JCS_INCONCLUSIVE, NULL), 1);
	T_EQ_INT(fw_count(ev, "fw.update.signature", JCS_INCONCLUSIVE, NULL), 1);
	jcs_evidence_free(ev);
}

T_TEST(reset_rules)
{
	struct mem_file owrt[] = {{"/sbin/firstboot", "#!/bin/sh\n/sbin/jffs2reset $@\n", NULL, 0},
				  {"/etc/rc.button/reset", "#!/bin/sh\n[ \"$SEEN\" -ge 5 ] && jffs2reset -y && reboot &\n", NULL, 0}};
	struct mem_file none[] = {{"/etc/banner", "hello\n", NULL, 0}};
	struct jcs_evidence *ev;

	ev = run(owrt, N(owrt));
	T_EQ_INT(fw_count(ev, "fw.reset.mechanism", JCS_PASS, "/etc/rc.button/reset:2"), 1);
	jcs_evidence_free(ev);
	ev = run(none, N(none));
	T_EQ_INT(fw_count(ev, "fw.reset.mechanism", JCS_INCONCLUSIVE, NULL), 1);
	jcs_evidence_free(ev);
}

/* A part of the image that could not be unpacked: no "pass" for the whole image. */
T_TEST(unread_parts_make_passes_inconclusive)
{
	struct jcs_evidence *ev = jcs_evidence_new("firmware", "test");
	struct jcs_fw_analysis *a = NULL;
	struct jcs_err err;
	struct jcs_fw_sink s;
	struct jcs_fw_file f = {0};
	struct jcs_fw_problem p = {"squashfs@0x40000", 0x40000, "squashfs", "unsupported compressor"};

	T_EQ_INT(jcs_fw_analyze_new(ev, NULL, &a, &err), 0);
	s = jcs_fw_analyze_sink(a);
	f.path = "/etc/inittab";
	f.type = JCS_FW_FILE;
	f.data = (const uint8_t *)"::sysinit:/etc/init.d/rcS\n";
	f.len = f.size = strlen((const char *)f.data);
	T_EQ_INT(s.file(s.ctx, &f), 0);
	s.problem(s.ctx, &p);
	T_EQ_INT(jcs_fw_analyze_finish(a, &err), 0);
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_PASS, NULL), 0);
	T_EQ_INT(fw_count(ev, "fw.service.risky-enabled", JCS_INCONCLUSIVE, "/etc/inittab"), 1);
	T_EQ_INT(fw_count(ev, "fw.tls.verification-disabled", JCS_INCONCLUSIVE, NULL), 1);
	jcs_fw_analyze_free(a);
	jcs_evidence_free(ev);
}

T_TEST(kv_key_matching)
{ /* a key matches whole or as the "_key" / "-key" / ".key" suffix, case-insensitively; the
   * last-byte pre-check must not change that */
	static const char *const keys[] = {"verify", "ssl_verify", "password", NULL};
	struct jcs_kv kv;
	size_t from;

	from = 0;
	T_ASSERT(jcs_audit_kv_find("VERIFY=0", keys, &from, &kv));
	T_EQ_STR(kv.key, "VERIFY");
	from = 0;
	T_ASSERT(jcs_audit_kv_find("x = 1; MQTT.Verify: false", keys, &from, &kv));
	T_EQ_STR(kv.key, "MQTT.Verify");
	T_EQ_STR(kv.value, "false");
	from = 0;
	T_ASSERT(jcs_audit_kv_find("admin_password = 'x1'", keys, &from, &kv));
	T_EQ_STR(kv.value, "x1");
	from = 0;
	T_ASSERT(!jcs_audit_kv_find("noverify=0 verifyx=0 erify=0 y=0", keys, &from, &kv));
}

T_MAIN(T_CASE(unread_parts_make_passes_inconclusive), T_CASE(accounts_empty_and_default), T_CASE(accounts_none_cracked_is_pass),
       T_CASE(accounts_no_database_is_inconclusive), T_CASE(hash_classify), T_CASE(console_rules),
       T_CASE(services_rules), T_CASE(private_key_rules), T_CASE(credential_rules), T_CASE(tls_rules),
       T_CASE(update_rules), T_CASE(reset_rules), T_CASE(private_key_examples_are_info),
       T_CASE(url_credentials_in_scripts), T_CASE(update_config_without_binary),
       T_CASE(cracking_budget_and_threads), T_CASE(kv_key_matching))
