/* Fuzz the ServerHello reader (src/probe/tls_hello.c): the first bytes a server sends back
 * to a hand-made ClientHello. */
#include <stdint.h>
#include <stdlib.h>

#include "probe/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_tls_server_hello sh;
	int rc = jcs_tls_server_hello_parse(data, size, &sh);

	if (rc != 0 && rc != 1 && rc != JCS_ENOTFOUND && rc != JCS_EPARSE)
		abort();
	if (rc == 0 && (sh.version >> 8) != 3)
		abort();
	/* every prefix of the input is "need more", or the same verdict as far as it goes */
	if (size > 0 && jcs_tls_server_hello_parse(data, size - 1, &sh) == 0 && rc != 0)
		abort();
	return 0;
}
