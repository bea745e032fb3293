/* Public/private key files (PEM) as given to --key. */
#include <stdint.h>
#include <stdlib.h>

#include "jcstar/label.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_key *k = NULL;
	struct jcs_err err;

	if (jcs_key_load_pem((const char *)data, size, &k, &err) == 0) {
		char *pem = jcs_key_public_pem(k);
		if (!pem || !jcs_key_id(k)[0])
			__builtin_trap();
		free(pem);
		jcs_key_free(k);
	}
	return 0;
}
