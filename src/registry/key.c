/* Ed25519 registry keys through OpenSSL 3 EVP. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "jcstar/label.h"
#include "jcstar/tlog.h"

#define KEY_FILE_MAX 16384

struct jcs_key {
	EVP_PKEY *pkey;
	bool priv;
	char id[JCS_KEY_ID_HEX + 1];
};

static int key_wrap(EVP_PKEY *pkey, bool priv, struct jcs_key **out, struct jcs_err *err)
{
	struct jcs_key *k;
	unsigned char *der = NULL;
	jcs_hash h;
	int n;

	if (!EVP_PKEY_is_a(pkey, "ED25519")) {
		EVP_PKEY_free(pkey);
		return jcs_err_set(err, JCS_EUNSUPPORTED, "not an Ed25519 key");
	}
	k = calloc(1, sizeof(*k));
	n = i2d_PUBKEY(pkey, &der);
	if (!k || n <= 0) {
		free(k);
		OPENSSL_free(der);
		EVP_PKEY_free(pkey);
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	}
	SHA256(der, (size_t)n, h);
	OPENSSL_free(der);
	jcs_hash_hex(h, k->id);
	k->pkey = pkey;
	k->priv = priv;
	*out = k;
	return 0;
}

int jcs_key_generate(struct jcs_key **out, struct jcs_err *err)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	*out = NULL;
	if (!pkey)
		return jcs_err_set(err, JCS_ECRYPTO, "Ed25519 key generation failed");
	return key_wrap(pkey, true, out, err);
}

/* Passphrase callback: encrypted keys are not supported, and a library never prompts. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

int jcs_key_load_pem(const char *pem, size_t len, struct jcs_key **out, struct jcs_err *err)
{
	EVP_PKEY *pkey;
	BIO *bio;
	bool priv = true;

	*out = NULL;
	if (len > KEY_FILE_MAX || len > INT32_MAX)
		return jcs_err_set(err, JCS_ELIMIT, "key file larger than %d bytes", KEY_FILE_MAX);
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (!pkey) {
		priv = false;
		BIO_reset(bio);
		pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (!pkey)
		return jcs_err_set(err, JCS_EPARSE, "no PEM private or public key found (encrypted keys are not supported)");
	return key_wrap(pkey, priv, out, err);
}

int jcs_key_load(const char *path, struct jcs_key **out, struct jcs_err *err)
{
	struct jcs_buf b = JCS_BUF_INIT;
	struct stat st;
	int rc;

	*out = NULL;
	rc = jcs_read_file(path, KEY_FILE_MAX, &b, err);
	if (rc)
		goto out;
	rc = jcs_key_load_pem(b.data ? b.data : "", b.len, out, err);
	if (rc) {
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err ? err->msg : "bad key");
		jcs_err_set(err, rc, "%s: %s", path, why);
		goto out;
	}
	if ((*out)->priv && (stat(path, &st) || (st.st_mode & 077))) {
		jcs_key_free(*out);
		*out = NULL;
		rc = jcs_err_set(err, JCS_EPERM, "%s: private key file is accessible by others (chmod 600)", path);
	}
out:
	jcs_buf_wipe(&b);
	jcs_buf_free(&b);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int jcs_key_save(const struct jcs_key *k, const char *path, struct jcs_err *err)
{
	BIO *bio = NULL;
	char *pem;
	long n;
	int fd = -1, rc = 0;

	if (!k->priv)
		return jcs_err_set(err, JCS_EINVAL, "not a private key");
	bio = BIO_new(BIO_s_secmem());
	if (!bio || !PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL)) {
		rc = jcs_err_set(err, JCS_ECRYPTO, "cannot encode the private key");
		goto out;
	}
	n = BIO_get_mem_data(bio, &pem);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = jcs_err_set(err, errno == EEXIST ? JCS_ECONFLICT : JCS_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) || write_all(fd, pem, (size_t)n) || fsync(fd)) {
		rc = jcs_err_set(err, JCS_EIO, "%s: %s", path, strerror(errno));
		unlink(path);
	}
out:
	if (fd >= 0)
		close(fd);
	BIO_free(bio); /* secure memory BIO: cleansed on free */
	return rc;
}

char *jcs_key_public_pem(const struct jcs_key *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p, *s = NULL;
	long n;

	if (bio && PEM_write_bio_PUBKEY(bio, k->pkey)) {
		n = BIO_get_mem_data(bio, &p);
		s = malloc((size_t)n + 1);
		if (s) {
			memcpy(s, p, (size_t)n);
			s[n] = 0;
		}
	}
	BIO_free(bio);
	return s;
}

const char *jcs_key_id(const struct jcs_key *k)
{
	return k->id;
}

bool jcs_key_is_private(const struct jcs_key *k)
{
	return k->priv;
}

void jcs_key_free(struct jcs_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int jcs_key_sign(const struct jcs_key *k, const void *msg, size_t len, uint8_t sig[JCS_SIG_LEN],
		 struct jcs_err *err)
{
	EVP_MD_CTX *ctx;
	size_t siglen = JCS_SIG_LEN;
	int rc = 0;

	if (!k->priv)
		return jcs_err_set(err, JCS_EINVAL, "signing needs the private key, not the public key");
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1 || siglen != JCS_SIG_LEN)
		rc = jcs_err_set(err, JCS_ECRYPTO, "Ed25519 signing failed");
	EVP_MD_CTX_free(ctx);
	return rc;
}

int jcs_key_verify(const struct jcs_key *k, const void *msg, size_t len, const uint8_t sig[JCS_SIG_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
		 EVP_DigestVerify(ctx, sig, JCS_SIG_LEN, msg, len) == 1;

	EVP_MD_CTX_free(ctx);
	return ok ? 0 : JCS_ECRYPTO;
}
