/* Fuzz the procurement CSV reader (model numbers from an uploaded CSV). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/httpparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **models;
	size_t n;

	if (jcs_csv_models((const char *)data, size, 1000, &models, &n, NULL) == 0) {
		for (size_t i = 0; i < n; i++)
			(void)strlen(models[i]);
		jcs_csv_models_free(models, n);
	}
	return 0;
}
