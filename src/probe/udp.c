/* UDP services of IoT devices: one request each (SNMP v2c/v1 'public', SSDP, mDNS, CoAP,
 * TFTP, NTP), sent together and answered within the operation timeout (two tries).
 * Module pattern: one table line per UDP probe. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "core/cur.h"
#include "probe/probe.h"

struct udp_probe {
	const char *name;
	int port;
	const char *req;
	size_t len;
	bool (*valid)(const uint8_t *b, size_t n);
};

/* --- SNMP (BER) --- */

/* Read a TLV header: returns the tag and sets *len, or -1 (c->bad). */
static int ber_tlv(struct jcs_cur *c, size_t *len)
{
	int tag = jcs_cur_u8(c);
	uint8_t l = jcs_cur_u8(c);

	*len = l;
	if (l & 0x80) {
		int k = l & 0x7f;
		if (k < 1 || k > 3) {
			c->bad = true;
			return -1;
		}
		*len = 0;
		while (k--)
			*len = *len << 8 | jcs_cur_u8(c);
	}
	if (c->bad || *len > jcs_cur_left(c)) {
		c->bad = true;
		return -1;
	}
	return tag;
}

static long ber_int(struct jcs_cur *c)
{
	size_t len;
	long v = 0;

	if (ber_tlv(c, &len) != 0x02 || len < 1 || len > 4) {
		c->bad = true;
		return 0;
	}
	while (len--)
		v = v << 8 | jcs_cur_u8(c);
	return v;
}

int jcs_snmp_parse(const uint8_t *b, size_t n, int *version, char *community, size_t clen, char *value,
		   size_t vlen)
{
	struct jcs_cur c = jcs_cur_make(b, n), s;
	size_t len;
	const uint8_t *p;

	value[0] = community[0] = 0;
	if (ber_tlv(&c, &len) != 0x30)
		return JCS_EPARSE;
	s = jcs_cur_sub(&c, len);
	*version = (int)ber_int(&s);
	if (ber_tlv(&s, &len) != 0x04 || !(p = jcs_cur_take(&s, len)))
		return JCS_EPARSE;
	jcs_printable(p, len, community, clen);
	if (ber_tlv(&s, &len) != 0xa2) /* GetResponse */
		return JCS_EPARSE;
	ber_int(&s);                  /* request id */
	if (ber_int(&s) != 0)         /* error status */
		return s.bad ? JCS_EPARSE : JCS_ENOTFOUND;
	ber_int(&s);                  /* error index */
	if (ber_tlv(&s, &len) != 0x30 || ber_tlv(&s, &len) != 0x30 || ber_tlv(&s, &len) != 0x06)
		return JCS_EPARSE;
	jcs_cur_skip(&s, len); /* oid */
	int tag = ber_tlv(&s, &len);
	if (tag < 0 || !(p = jcs_cur_take(&s, len)))
		return JCS_EPARSE;
	if (tag == 0x04)
		jcs_printable(p, len, value, vlen);
	return s.bad ? JCS_EPARSE : 0;
}

static bool snmp_valid(const uint8_t *b, size_t n)
{
	char comm[64], val[8];
	int v;

	return jcs_snmp_parse(b, n, &v, comm, sizeof(comm), val, sizeof(val)) == 0;
}

/* GetRequest sysDescr.0 (1.3.6.1.2.1.1.1.0), community "public"; byte 4 = version */
#define SNMP_GET(v) \
	"\x30\x29\x02\x01" v "\x04\x06public\xa0\x1c\x02\x04jcs1\x02\x01\x00\x02\x01\x00" \
	"\x30\x0e\x30\x0c\x06\x08\x2b\x06\x01\x02\x01\x01\x01\x00\x05\x00"

/* --- the others --- */

static bool ssdp_valid(const uint8_t *b, size_t n)
{
	struct jcs_http_reply r;
	return jcs_http_parse(b, n, &r) == 0 && r.status == 200;
}

static bool mdns_valid(const uint8_t *b, size_t n)
{
	return n >= 12 && (b[2] & 0x80); /* a DNS response */
}

static bool coap_valid(const uint8_t *b, size_t n)
{
	return n >= 4 && (b[0] >> 6) == 1 && b[2] == 0x4a && b[3] == 0x43;
}

static bool tftp_valid(const uint8_t *b, size_t n)
{
	return n >= 4 && b[0] == 0 && (b[1] == 3 || b[1] == 5);
}

static bool ntp_valid(const uint8_t *b, size_t n)
{
	return n >= 48 && (b[0] & 7) == 4;
}

#define SSDP_REQ "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: upnp:rootdevice\r\n\r\n"
#define MDNS_REQ "\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x09_services\x07_dns-sd\x04_udp\x05local\x00\x00\x0c\x80\x01"
#define COAP_REQ "\x40\x01\x4a\x43\xbb.well-known\x04" "core"
#define TFTP_REQ "\x00\x01jcstar-probe-no-such-file\x00octet\x00"
#define NTP_REQ "\x1b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
#define L(s) s, sizeof(s) - 1

static const struct udp_probe udp_probes[] = {
	{"snmp", 161, L(SNMP_GET("\x01")), snmp_valid}, /* v2c */
	{"snmp", 161, L(SNMP_GET("\x00")), snmp_valid}, /* v1 */
	{"ssdp", 1900, L(SSDP_REQ), ssdp_valid},
	{"mdns", 5353, L(MDNS_REQ), mdns_valid},
	{"coap", 5683, L(COAP_REQ), coap_valid},
	{"tftp", 69, L(TFTP_REQ), tftp_valid},
	{"ntp", 123, L(NTP_REQ), ntp_valid},
};
#define NPROBES (sizeof(udp_probes) / sizeof(udp_probes[0]))

struct answer {
	uint8_t buf[2048];
	size_t len;
	bool ok;
};

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

/* SSDP LOCATION on the target: fetch the description and read the model from it. */
static void ssdp_describe(struct jcs_probe *p, const struct answer *a, json_t *svc, struct jcs_evidence *ev)
{
	struct jcs_http_reply r, dr;
	char host[128], path[256] = "/";
	int port = 80;
	struct jcs_tr t;
	struct jcs_buf body = JCS_BUF_INIT;
	struct jcs_upnp_desc d;

	if (jcs_http_parse(a->buf, a->len, &r) || strncmp(r.location, "http://", 7) != 0)
		return;
	if (sscanf(r.location + 7, "%127[^:/]:%d%255s", host, &port, path) < 1 || strcmp(host, p->host) != 0 ||
	    port < 1 || port > 65535)
		return; /* only the target itself, never another host */
	json_object_set_new(svc, "location", json_string(r.location));
	if (jcs_probe_open(p, port, false, &t, NULL) == 0 && jcs_http_get(&t, p->host, path, &dr, &body) == 0 &&
	    dr.status == 200 && jcs_upnp_parse(body.data ? body.data : "", body.len, &d) == 0 &&
	    (d.model_name[0] || d.model_number[0])) {
		char loc[64];
		snprintf(loc, sizeof(loc), "udp/1900 (ssdp) → tcp/%d", port);
		jcs_evidence_add(ev, "probe.model.identified", JCS_INFO, JCS_SEV_NONE, loc,
				 "Model number published in the UPnP device description",
				 json_pack("{s:s, s:s, s:s, s:s, s:s}", "manufacturer", d.manufacturer, "model_name",
					   d.model_name, "model_number", d.model_number, "friendly_name", d.friendly,
					   "source", r.location),
				 NULL);
	}
	jcs_tr_close(&t);
	jcs_buf_free(&body);
}

int jcs_udp_scan(struct jcs_probe *p, struct jcs_evidence *ev, json_t *services)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
	struct pollfd pf[NPROBES];
	struct answer ans[NPROBES];
	bool snmp_done = false;
	int rc = 0;

	memset(ans, 0, sizeof(ans));
	for (size_t i = 0; i < NPROBES; i++)
		pf[i].fd = -1;
	if (getaddrinfo(p->host, NULL, &hints, &ai) != 0 || !ai)
		return JCS_ENET;
	for (size_t i = 0; i < NPROBES; i++) {
		pf[i].fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		pf[i].events = POLLIN;
		if (pf[i].fd < 0) {
			rc = JCS_ENET;
			goto out;
		}
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		int64_t end = jcs_now_ms() + p->o.timeout_ms / 2 + 250;
		int left;

		for (size_t i = 0; i < NPROBES; i++) {
			struct sockaddr_storage ss;
			memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
			((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)udp_probes[i].port); /* same offset for v6 */
			if (!ans[i].ok && jcs_probe_left_ms(p) > 0)
				sendto(pf[i].fd, udp_probes[i].req, udp_probes[i].len, 0, (struct sockaddr *)&ss, ai->ai_addrlen);
		}
		while ((left = (int)(end - jcs_now_ms())) > 0 && poll(pf, NPROBES, left) > 0) {
			for (size_t i = 0; i < NPROBES; i++) {
				struct sockaddr_storage from;
				socklen_t fl = sizeof(from);
				ssize_t n;

				if (!(pf[i].revents & POLLIN))
					continue;
				n = recvfrom(pf[i].fd, ans[i].buf, sizeof(ans[i].buf), 0, (struct sockaddr *)&from, &fl);
				if (n > 0 && !ans[i].ok && same_host(&from, (const struct sockaddr_storage *)ai->ai_addr) &&
				    udp_probes[i].valid(ans[i].buf, (size_t)n)) {
					ans[i].len = (size_t)n;
					ans[i].ok = true;
				}
			}
		}
	}
	for (size_t i = 0; i < NPROBES; i++) {
		const struct udp_probe *u = &udp_probes[i];
		char banner[JCS_BANNER_MAX] = "";
		json_t *svc;

		if (!ans[i].ok)
			continue;
		if (strcmp(u->name, "snmp") == 0) {
			char comm[64], val[JCS_BANNER_MAX];
			int ver = 0;
			jcs_snmp_parse(ans[i].buf, ans[i].len, &ver, comm, sizeof(comm), val, sizeof(val));
			jcs_evidence_add(ev, "probe.auth.none", JCS_FAIL, JCS_SEV_HIGH, "udp/161 (snmp)",
					 ver == 0 ? "SNMP v1 answers the community 'public'"
						  : "SNMP v2c answers the community 'public'",
					 json_pack("{s:s, s:s, s:s}", "version", ver == 0 ? "v1" : "v2c", "community",
						   comm, "sysDescr", val),
					 NULL);
			snprintf(banner, sizeof(banner), "%s", val);
			if (snmp_done)
				continue;
			snmp_done = true;
		} else {
			jcs_printable(ans[i].buf, ans[i].len < 100 ? ans[i].len : 100, banner, sizeof(banner));
		}
		svc = json_pack("{s:i, s:s, s:s, s:b, s:s}", "port", u->port, "proto", "udp", "service", u->name,
				"tls", 0, "banner", banner);
		if (strcmp(u->name, "ssdp") == 0)
			ssdp_describe(p, &ans[i], svc, ev);
		json_array_append_new(services, svc);
	}
out:
	for (size_t i = 0; i < NPROBES; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	freeaddrinfo(ai);
	return rc;
}
