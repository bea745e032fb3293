/* Fuzz the certificate facts and verdict (src/probe/tls_cert.c) on whatever DER OpenSSL
 * accepts as a certificate: the bytes come from the server. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/x509.h>

#include "probe/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	struct jcs_tls_cert c;
	X509 *x = d2i_X509(NULL, &p, (long)size);
	json_t *j;

	if (!x)
		return 0;
	jcs_tls_cert_facts(x, "device.test", (time_t)1764000000, &c);
	j = jcs_tls_cert_json(&c);
	if (!j)
		abort(); /* every string field must be valid UTF-8 */
	json_decref(j);
	jcs_tls_cert_facts(x, "10.0.0.1", (time_t)1764000000, &c);
	X509_free(x);
	return 0;
}
