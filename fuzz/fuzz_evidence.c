/* Arbitrary bytes as a jcstar.evidence/1 file (jcs_evidence_parse). */
#include <stdint.h>
#include <stdlib.h>

#include "jcstar/evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_evidence *ev = NULL;
	struct jcs_err err;

	if (jcs_evidence_parse((const char *)data, size, "fuzz.json", &ev, &err) == 0) {
		char *s;

		if (!jcs_evidence_kind(ev) || !jcs_evidence_subject(ev))
			abort();
		for (size_t i = 0; i < jcs_evidence_count(ev); i++) {
			struct jcs_finding f;

			jcs_evidence_get(ev, i, &f);
			if (!f.id || !f.location || !f.title || (int)f.result < 0 || (int)f.severity < 0 ||
			    !json_is_array(f.criteria))
				abort();
		}
		s = jcs_evidence_dumps(ev);
		free(s);
		jcs_evidence_free(ev);
	} else if (ev || !err.msg[0]) {
		abort();
	}
	return 0;
}
