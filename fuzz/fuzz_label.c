/* Label credential files: parse, verify against the corpus key, canonicalize, evaluate,
 * render. */
#include <stdint.h>

#include "label_key.h"
#include "registry/label.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_label *l = NULL;
	struct jcs_label_state st;
	struct jcs_buf canon = JCS_BUF_INIT;
	struct jcs_err err;

	if (jcs_label_parse((const char *)data, size, &l, &err) == 0) {
		struct jcs_buf img = JCS_BUF_INIT;
		if (jcs_label_state(l, "2027-01-01", NULL, NULL, &st, &err) || !jcs_label_verdict_name(st.verdict))
			__builtin_trap();
		/* whatever a parsed credential holds, its label renders */
		if (jcs_label_svg(l, &img, &err) || (jcs_buf_reset(&img), jcs_label_png(l, 72, 10, &img, &err)))
			__builtin_trap();
		jcs_buf_free(&img);
		jcs_label_free(l);
		l = NULL;
	}
	if (jcs_label_verify((const char *)data, size, fuzz_label_key(), &l, &err) == 0) {
		if (!l || !l->registration_number || l->nmodels == 0)
			__builtin_trap();
		jcs_label_free(l);
	}
	jcs_envelope_canonical((const char *)data, size, &canon, &err);
	jcs_buf_free(&canon);
	return 0;
}
