/* Arbitrary bytes as a vendor's declaration. `file:` references resolve against
 * examples/camera (under $JCS_SRC when set), so the corpus also reaches the S1.1-05 policy
 * and security.txt reading. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "jcstar/declaration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char base[4096];
	struct jcs_declaration *d = NULL;
	struct jcs_err err;

	if (!base[0]) {
		const char *src = getenv("JCS_SRC");
		snprintf(base, sizeof(base), "%s%sexamples/camera", src ? src : "", src ? "/" : "");
	}
	if (jcs_declaration_parse((const char *)data, size, "fuzz.yaml", base, &d, &err) == 0) {
		for (size_t i = 0; i < d->nanswers; i++)
			if (jcs_declaration_answer(d, d->answers[i].criterion) != &d->answers[i])
				abort();
		jcs_declaration_free(d);
	} else if (d || !err.msg[0]) {
		abort(); /* an error always leaves *out NULL and says what is wrong */
	}
	return 0;
}
