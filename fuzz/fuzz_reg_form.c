/* Fuzz the registry's urlencoded form / query-string parser. */
#include <stdint.h>
#include <string.h>

#include "registry/httpparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_form f;

	if (jcs_form_parse((const char *)data, size, &f, NULL) == 0) {
		for (size_t i = 0; i < f.n; i++)
			(void)strlen(f.f[i].value);
		(void)jcs_form_get(&f, "csrf");
		jcs_form_free(&f);
	}
	return 0;
}
