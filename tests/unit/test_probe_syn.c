/* The SYN sweep's packet reader (synscan.c) on the seeds of fuzz/corpus/syn: answers whose
 * acknowledgement matches the port's cookie count, everything else is refused. */
#include <arpa/inet.h>
#include <stdio.h>

#include "t.h"
#include "probe/probe.h"

static uint32_t cookie(const void *key, uint16_t port)
{
	(void)key;
	return (uint32_t)port * 2654435761u; /* as fuzz/fuzz_syn.c */
}

static int parse(const char *seed, int *port, bool *open)
{
	char path[256];
	uint8_t b[256];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "fuzz/corpus/syn/%s", seed);
	f = fopen(path, "rb");
	T_ASSERT(f != NULL);
	n = fread(b, 1, sizeof(b), f);
	fclose(f);
	*port = 0;
	return jcs_syn_parse(b, n, htonl(0x0a4d0802), 40000, cookie, NULL, port, open);
}

T_TEST(answers)
{
	int port;
	bool open = false;

	T_EQ_INT(parse("synack-22", &port, &open), 0);
	T_EQ_INT(port, 22);
	T_ASSERT(open);
	T_EQ_INT(parse("rst-23", &port, &open), 0);
	T_EQ_INT(port, 23);
	T_ASSERT(!open);
	T_EQ_INT(parse("ip-options", &port, &open), 0); /* IP header of 24 bytes */
	T_EQ_INT(port, 8080);
	T_ASSERT(open);
}

T_TEST(refused)
{
	int port;
	bool open;

	T_EQ_INT(parse("synack-bad-cookie", &port, &open), JCS_ENOTFOUND);
	T_EQ_INT(parse("rst-no-ack-flag", &port, &open), JCS_ENOTFOUND);
	T_EQ_INT(parse("port-0", &port, &open), JCS_ENOTFOUND);
	T_EQ_INT(parse("truncated", &port, &open), JCS_EPARSE);
	/* from another address, or to another of our ports */
	{
		uint8_t b[64];
		FILE *f = fopen("fuzz/corpus/syn/synack-22", "rb");
		size_t n;

		T_ASSERT(f != NULL);
		n = fread(b, 1, sizeof(b), f);
		fclose(f);
		T_EQ_INT(jcs_syn_parse(b, n, htonl(0x0a4d0803), 40000, cookie, NULL, &port, &open), JCS_ENOTFOUND);
		T_EQ_INT(jcs_syn_parse(b, n, htonl(0x0a4d0802), 40001, cookie, NULL, &port, &open), JCS_ENOTFOUND);
		T_EQ_INT(jcs_syn_parse(b, 19, htonl(0x0a4d0802), 40000, cookie, NULL, &port, &open), JCS_EPARSE);
	}
}

T_MAIN(T_CASE(answers), T_CASE(refused))
