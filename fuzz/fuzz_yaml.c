/* Arbitrary bytes through the YAML tree builder (src/core/yaml.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every node has a position and a sane shape; every key of a mapping is found again. */
static size_t walk(const struct jcs_ynode *n)
{
	size_t count = 1;

	if (n->line < 1 || n->col < 1 || (n->type == JCS_Y_SCALAR) != (n->str != NULL) || !jcs_yaml_type_name(n))
		abort();
	if (n->type == JCS_Y_MAP) {
		for (size_t i = 0; i < n->n; i++) {
			const struct jcs_ynode *k = n->kids[2 * i];
			if (k->type != JCS_Y_SCALAR || jcs_yaml_get(n, k->str) != n->kids[2 * i + 1])
				abort();
			count += walk(k) + walk(n->kids[2 * i + 1]);
		}
	} else if (n->type == JCS_Y_SEQ) {
		for (size_t i = 0; i < n->n; i++)
			count += walk(n->kids[i]);
	}
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_ynode *root = NULL;
	struct jcs_err err;

	if (jcs_yaml_parse((const char *)data, size, "fuzz.yaml", &root, &err) == 0) {
		if (walk(root) > JCS_YAML_MAX_NODES)
			abort();
		jcs_yaml_free(root);
	} else if (root || !err.msg[0]) {
		abort();
	}
	return 0;
}
