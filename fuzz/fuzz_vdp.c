/* Arbitrary bytes as a vulnerability disclosure policy or security.txt (S1.1-05). */
#include <stdint.h>
#include <stdlib.h>

#include "core/vdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_vdp_scan s;
	int lines = 1;

	jcs_vdp_scan((const char *)data, size, (time_t)1767225600, &s);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	/* a recorded line is inside the text; a finding has a line */
	if (s.r.contact_line > lines || s.r.ack_line > lines || s.r.update_line > lines ||
	    s.r.contact != (s.r.contact_line > 0) || s.r.ack_timeline != (s.r.ack_line > 0) ||
	    s.r.update_timeline != (s.r.update_line > 0))
		abort();
	return 0;
}
