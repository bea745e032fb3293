/* SIP over TCP: an OPTIONS request; any SIP/2.0 answer identifies it (User-Agent/Server kept). */
#include <string.h>

#include "probe/probe.h"

static int sip_match(const uint8_t *b, size_t n)
{
	return n >= 8 && memcmp(b, "SIP/2.0 ", 8) == 0 ? 100 : 0;
}

#define SIP_OPTIONS \
	"OPTIONS sip:probe@invalid SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKjcs\r\n" \
	"Max-Forwards: 0\r\nTo: <sip:probe@invalid>\r\nFrom: <sip:jcstar@invalid>;tag=jcs\r\n" \
	"Call-ID: jcstar-probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"

const struct jcs_proto jcs_proto_sip = {
	.name = "sip",
	.hello = SIP_OPTIONS,
	.hello_len = sizeof(SIP_OPTIONS) - 1,
	.match = sip_match,
};
