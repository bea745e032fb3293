/* Fuzz the registry's multipart/form-data parser: the first line of the input is the
 * Content-Type header value, the rest the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/httpparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	struct jcs_multipart m;
	char *ct;
	size_t hl;

	if (!nl)
		return 0;
	hl = (size_t)(nl - data);
	if (!(ct = malloc(hl + 1)))
		return 0;
	memcpy(ct, data, hl);
	ct[hl] = 0;
	/* the body sits in its own allocation so ASan sees reads past its end */
	{
		size_t bl = size - hl - 1;
		uint8_t *body = malloc(bl ? bl : 1);

		if (body) {
			memcpy(body, nl + 1, bl);
			if (jcs_multipart_parse(ct, body, bl, &m, NULL) == 0)
				for (size_t i = 0; i < m.n; i++)
					if (m.part[i].len)
						(void)(volatile uint8_t)m.part[i].data[m.part[i].len - 1];
			free(body);
		}
	}
	free(ct);
	return 0;
}
