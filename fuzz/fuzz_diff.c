/* Arbitrary bytes as one side of jcstar diff (a report or evidence file), compared with itself
 * (must be an empty diff) and with a fixed report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jcstar/diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base[] =
	"{\"schema\":\"jcstar.report/1\",\"product\":{\"model\":\"M\"},\"criteria\":[{\"criterion\":\"S1.1-01\","
	"\"verdict\":\"conform\"}],\"findings\":[{\"id\":\"probe.auth.none\",\"result\":\"fail\",\"location\":\"tcp/23\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *side = NULL, *other = NULL, *d = NULL;
	struct jcs_err err;

	if (jcs_diff_parse((const char *)data, size, "fuzz.json", &side, &err)) {
		if (side || !err.msg[0])
			abort();
		return 0;
	}
	if (jcs_diff(side, side, &d, &err) || json_array_size(json_object_get(d, "findings")) ||
	    json_array_size(json_object_get(d, "criteria")) || jcs_diff_regression(d))
		abort();
	free(jcs_diff_text(d));
	json_decref(d);
	d = NULL;
	if (jcs_diff_parse(base, strlen(base), "base.json", &other, &err))
		abort();
	if (jcs_diff(other, side, &d, &err) == 0)
		free(jcs_diff_text(d));
	json_decref(d);
	json_decref(other);
	json_decref(side);
	return 0;
}
