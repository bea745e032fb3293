/* Rule "private_key": fw.secret.private-key — private keys stored in the image: PEM blocks
 * anywhere (also inside binaries), DER PKCS#1/PKCS#8 files, OpenSSH and dropbear key files.
 * A key counts only if it parses (OpenSSL, or the OpenSSH/dropbear headers), so text that
 * merely mentions "BEGIN RSA PRIVATE KEY" is not a finding. Unencrypted keys fail; keys
 * encrypted with a passphrase, and keys in documentation or test-vector files (published
 * examples such as RFC 8410's), are reported as info with the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/cur.h"
#include "firmware/audit/audit.h"

#define MAX_BLOCKS 64          /* PEM blocks looked at per file */
#define MAX_PEM ((size_t)65536) /* one PEM block */
#define MAX_DER ((size_t)16384)

struct state {
	size_t unencrypted, encrypted, examples;
};

static int no_pass(char *buf, int size, int rw, void *u)
{
	(void)buf;
	(void)size;
	(void)rw;
	(void)u;
	return 0;
}

static size_t b64_decode(const char *s, size_t n, unsigned char *out, size_t cap)
{
	EVP_ENCODE_CTX *c = EVP_ENCODE_CTX_new();
	int a = 0, b = 0;

	if (!c || n / 4 * 3 + 3 > cap) {
		EVP_ENCODE_CTX_free(c);
		return 0;
	}
	EVP_DecodeInit(c);
	if (EVP_DecodeUpdate(c, out, &a, (const unsigned char *)s, (int)n) < 0 ||
	    EVP_DecodeFinal(c, out + a, &b) < 0)
		a = b = 0;
	EVP_ENCODE_CTX_free(c);
	return (size_t)(a + b);
}

/* OpenSSH "openssh-key-v1": cipher "none" = unencrypted. -1 = not a key. */
static int openssh_encrypted(const unsigned char *d, size_t n)
{
	struct jcs_cur c = jcs_cur_make(d, n);
	const uint8_t *magic = jcs_cur_take(&c, 15), *name;
	uint32_t len;

	if (!magic || memcmp(magic, "openssh-key-v1\0", 15))
		return -1;
	len = jcs_cur_u32be(&c);
	name = jcs_cur_take(&c, len);
	if (!name || len == 0 || len > 64)
		return -1;
	return !(len == 4 && memcmp(name, "none", 4) == 0);
}

static int report(struct state *st, struct jcs_audit *au, const struct jcs_fw_file *f, unsigned line,
		  const char *format, EVP_PKEY *pk, bool encrypted)
{
	char loc[512];
	json_t *d = jcs_audit_details(f, line);
	const char *example = jcs_audit_example_reason(f->path);

	json_object_set_new(d, "format", json_string(format));
	json_object_set_new(d, "encrypted", json_boolean(encrypted));
	if (pk) {
		json_object_set_new(d, "key_type", json_string(EVP_PKEY_get0_type_name(pk)));
		json_object_set_new(d, "bits", json_integer(EVP_PKEY_get_bits(pk)));
	}
	jcs_audit_loc(loc, sizeof(loc), f->path, line);
	if (example) {
		st->examples++;
		json_object_set_new(d, "reason", json_string(example));
		return jcs_audit_add(au, "fw.secret.private-key", JCS_INFO, JCS_SEV_NONE, loc, d,
				     "Private key (%s) %s", format, example);
	}
	if (encrypted) {
		st->encrypted++;
		return jcs_audit_add(au, "fw.secret.private-key", JCS_INFO, JCS_SEV_LOW, loc, d,
				     "Passphrase-protected private key (%s) in the image", format);
	}
	st->unencrypted++;
	if (pk)
		return jcs_audit_add(au, "fw.secret.private-key", JCS_FAIL, JCS_SEV_HIGH, loc, d,
				     "Unencrypted %s %d-bit private key (%s) in the image",
				     EVP_PKEY_get0_type_name(pk), EVP_PKEY_get_bits(pk), format);
	return jcs_audit_add(au, "fw.secret.private-key", JCS_FAIL, JCS_SEV_HIGH, loc, d,
			     "Unencrypted private key (%s) in the image", format);
}

static int pem_parse(struct state *st, struct jcs_audit *au, const struct jcs_fw_file *f,
		     unsigned line, const char *lab, size_t labn, const char *b, size_t n,
		     const char *body, unsigned char *der)
{
	const char *end;
	EVP_PKEY *pk = NULL;
	BIO *bio;
	int rc = 0;

#define LAB(s) (labn == strlen(s) && memcmp(lab, s, labn) == 0)
	if (LAB("OPENSSH PRIVATE KEY")) {
		end = memmem(body, (size_t)(b + n - body), "-----END", 8);
		size_t dl = end ? b64_decode(body, (size_t)(end - body), der, MAX_PEM) : 0;
		int enc = openssh_encrypted(der, dl);
		return enc < 0 ? 0 : report(st, au, f, line, "OpenSSH", NULL, enc == 1);
	}
	if (LAB("ENCRYPTED PRIVATE KEY")) {
		const unsigned char *p = der;
		X509_SIG *sig;
		end = memmem(body, (size_t)(b + n - body), "-----END", 8);
		size_t dl = end ? b64_decode(body, (size_t)(end - body), der, MAX_PEM) : 0;
		sig = dl ? d2i_X509_SIG(NULL, &p, (long)dl) : NULL;
		if (!sig)
			return 0;
		X509_SIG_free(sig);
		return report(st, au, f, line, "PKCS#8 encrypted", NULL, true);
	}
	if (memmem(b, n, "Proc-Type: 4,ENCRYPTED", 22)) {
		const char *blank = memmem(b, n, "\n\n", 2);
		end = memmem(b, n, "-----END", 8);
		if (!blank || !end || end < blank ||
		    b64_decode(blank + 2, (size_t)(end - blank - 2), der, MAX_PEM) < 64)
			return 0;
		return report(st, au, f, line, "PEM (legacy encryption)", NULL, true);
	}
	bio = BIO_new_mem_buf(b, (int)n);
	if (bio)
		pk = PEM_read_bio_PrivateKey(bio, NULL, no_pass, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (pk) {
		char fmt[64];
		snprintf(fmt, sizeof(fmt), "PEM %.*s", (int)labn, lab);
		rc = report(st, au, f, line, fmt, pk, false);
		EVP_PKEY_free(pk);
	}
	return rc;
#undef LAB
}

/* One PEM block [b, b+n) with label lab. */
static int pem_block(struct state *st, struct jcs_audit *au, const struct jcs_fw_file *f,
		     unsigned line, const char *lab, size_t labn, const char *b, size_t n)
{
	const char *body = memchr(b, '\n', n);
	unsigned char *der;
	int rc;

	if (!body)
		return 0;
	der = malloc(MAX_PEM);
	if (!der)
		return jcs_err_set(au->err, JCS_ENOMEM, "out of memory");
	rc = pem_parse(st, au, f, line, lab, labn, b, n, body, der);
	free(der);
	return rc;
}

static unsigned line_of(const uint8_t *base, const uint8_t *p)
{
	unsigned n = 1;
	for (const uint8_t *q = base; q < p; q++)
		n += *q == '\n';
	return n;
}

static bool dropbear_key(const struct jcs_fw_file *f)
{
	static const char *const types[] = {"ssh-rsa", "ssh-dss", "ssh-ed25519", "ecdsa-sha2-nistp", NULL};
	struct jcs_cur c = jcs_cur_make(f->data, f->len);
	uint32_t len = jcs_cur_u32be(&c);
	const uint8_t *name = jcs_cur_take(&c, len);

	if (!strstr(f->path, "dropbear") || !name || len > 32 || f->len > MAX_DER)
		return false;
	for (size_t i = 0; types[i]; i++)
		if (len >= strlen(types[i]) && memcmp(name, types[i], strlen(types[i])) == 0)
			return jcs_cur_left(&c) >= 32;
	return false;
}

static int private_key_file(void *state, const struct jcs_fw_file *f, struct jcs_audit *au)
{
	struct state *st = state;
	const uint8_t *p, *end;
	int rc = 0, blocks = 0;

	if (f->type != JCS_FW_FILE || !f->data || f->len < 32)
		return 0;
	end = f->data + f->len;
	for (p = f->data; rc == 0 && blocks < MAX_BLOCKS && p < end;) {
		const uint8_t *h = memmem(p, (size_t)(end - p), "-----BEGIN ", 11), *lab, *le, *e;
		size_t labn;
		if (!h)
			break;
		lab = h + 11;
		le = memmem(lab, (size_t)(end - lab) < 64 ? (size_t)(end - lab) : 64, "-----", 5);
		p = lab;
		if (!le)
			continue;
		labn = (size_t)(le - lab);
		if (labn < 11 || memcmp(le - 11, "PRIVATE KEY", 11))
			continue;
		blocks++;
		e = memmem(le, (size_t)(end - le) < MAX_PEM ? (size_t)(end - le) : MAX_PEM, "-----END ", 9);
		if (!e)
			continue;
		e = memmem(e + 9, (size_t)(end - e - 9) < 80 ? (size_t)(end - e - 9) : 80, "-----", 5);
		if (!e)
			continue;
		e += 5;
		rc = pem_block(st, au, f, line_of(f->data, h), (const char *)lab, labn, (const char *)h,
			       (size_t)(e - h));
		p = e;
	}
	if (rc == 0 && blocks == 0 && f->len <= MAX_DER && f->data[0] == 0x30 &&
	    (f->data[1] < 0x80 || f->data[1] == 0x81 || f->data[1] == 0x82)) {
		const unsigned char *q = f->data;
		EVP_PKEY *pk = d2i_AutoPrivateKey(NULL, &q, (long)f->len);
		ERR_clear_error();
		if (pk) {
			rc = report(st, au, f, 0, "DER", pk, false);
			EVP_PKEY_free(pk);
		}
	}
	if (rc == 0 && blocks == 0 && dropbear_key(f))
		rc = report(st, au, f, 0, "dropbear", NULL, false);
	return rc;
}

static int private_key_finish(void *state, struct jcs_audit *au)
{
	struct state *st = state;

	if (st->unencrypted)
		return 0;
	return jcs_audit_add(au, "fw.secret.private-key", JCS_PASS, JCS_SEV_NONE, "", NULL,
			     "No unencrypted private key in the image (%zu passphrase-protected, %zu "
			     "published examples)",
			     st->encrypted, st->examples);
}

const struct jcs_audit_rule jcs_rule_private_key = {
	.name = "private_key",
	.state_size = sizeof(struct state),
	.file = private_key_file,
	.finish = private_key_finish,
};
