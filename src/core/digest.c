#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "jcstar/digest.h"

void jcs_hex(const void *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int jcs_sha256_hex(const void *p, size_t n, char out[JCS_SHA256_HEX])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (!EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != sizeof(md))
		return JCS_ECRYPTO;
	jcs_hex(md, sizeof(md), out);
	return 0;
}

int jcs_sha256_file(const char *path, char out[JCS_SHA256_HEX], uint64_t *size, struct jcs_err *err)
{
	unsigned char chunk[1 << 15];
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = NULL;
	uint64_t total = 0;
	struct stat st;
	int fd, rc = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return jcs_err_set(err, JCS_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = jcs_err_set(err, JCS_EIO, "%s: not a regular file", path);
		goto out;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		rc = jcs_err_set(err, JCS_ECRYPTO, "%s: SHA-256 unavailable", path);
		goto out;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = jcs_err_set(err, JCS_EIO, "%s: %s", path, strerror(errno));
			goto out;
		}
		EVP_DigestUpdate(ctx, chunk, (size_t)n);
		total += (uint64_t)n;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != sizeof(md)) {
		rc = jcs_err_set(err, JCS_ECRYPTO, "%s: SHA-256 failed", path);
		goto out;
	}
	jcs_hex(md, sizeof(md), out);
	if (size)
		*size = total;
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}
