/* ECHONET Lite answer frames, one after the other as on a TCP stream, and the property maps
 * inside them. */
#include <stdint.h>

#include "probe/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jcs_el_frame f;
	uint8_t epcs[128];
	size_t off = 0;
	int n;

	(void)jcs_echonet_valid(data, size);
	while (off < size && (n = jcs_echonet_parse(data + off, size - off, &f)) > 0) {
		off += (size_t)n;
		for (unsigned i = 0; i < f.opc; i++) {
			if (f.props[i].pdc)
				(void)f.props[i].edt[f.props[i].pdc - 1];
			if (jcs_echonet_propmap(&f.props[i], epcs) > 128)
				__builtin_trap();
		}
		(void)jcs_echonet_prop(&f, 0x80);
	}
	return 0;
}
