/* Packets read back by the SYN sweep (IPv4 + TCP headers, synscan.c). */
#include <arpa/inet.h>
#include <stdint.h>

#include "probe/probe.h"

/* The seeds acknowledge this cookie: port * 2654435761 (fuzz/corpus/syn/). */
static uint32_t cookie(const void *key, uint16_t port)
{
	(void)key;
	return (uint32_t)port * 2654435761u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int port = 0;
	bool open = false;

	/* source 10.77.8.2, our port 40000 */
	if (jcs_syn_parse(data, size, htonl(0x0a4d0802), 40000, cookie, NULL, &port, &open) == 0 &&
	    (port < 1 || port > 65535))
		__builtin_trap();
	return 0;
}
