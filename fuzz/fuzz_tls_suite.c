/* Fuzz the CRYPTREC classification of cipher suite names (src/probe/tls_suite.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[256];
	struct jcs_tls_suite s;
	struct jcs_tls_judgement j;

	if (size >= sizeof(name))
		size = sizeof(name) - 1;
	memcpy(name, data, size);
	name[size] = '\0';
	if (jcs_tls_suite_parse(name, &s, NULL) == 0 && (!s.cipher[0] || !s.mode[0] || !s.mac[0]))
		abort(); /* a parsed suite always has all parts */
	if (jcs_tls_suite_judge(name, &j, NULL) == 0 && j.verdict == JCS_TLS_PASS && j.reasons[0])
		abort();
	return 0;
}
