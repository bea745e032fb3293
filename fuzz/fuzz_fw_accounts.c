/* Fuzz the account-database scanner (passwd, shadow, htpasswd, blobs) and the cheap hash
 * verifiers. */
#include <stddef.h>
#include <stdint.h>

#include "firmware/audit/accounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each(void *ctx, const struct jcs_account *a)
{
	(void)ctx;
	(void)jcs_hash_type_name(a->type);
	/* only cheap hashes: a fuzzer must not spend seconds per input */
	if (jcs_hash_cost(a) == 1)
		(void)jcs_hash_verify(a, "admin");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jcs_accounts_scan(data, size, 64, each, NULL);
	return 0;
}
