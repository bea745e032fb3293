/* UDP services of IoT devices: one request each (SNMP v2c/v1 with the usual default
 * communities and an SNMPv3 engine discovery, SSDP, mDNS, CoAP, TFTP, NTP, ECHONET Lite), sent together and
 * answered within the operation timeout (two tries). Module pattern: one table line per UDP
 * probe. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "core/cur.h"
#include "jcstar/digest.h"
#include "probe/probe.h"

struct udp_probe {
	const char *name;
	int port;
	const char *req;
	size_t len;
	bool (*valid)(const uint8_t *b, size_t n);
	const char *community;  /* SNMP v1/v2c: req is built from it and snmp_version */
	int snmp_version;       /* 0 = v1, 1 = v2c */
	bool own_port;          /* answers go to this port, not the sender's (ECHONET Lite): the
				 * socket binds it when it is free */
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

int jcs_snmp3_parse(const uint8_t *b, size_t n, char *engine, size_t elen)
{
	struct jcs_cur c = jcs_cur_make(b, n), s, sp;
	size_t len;
	const uint8_t *p;
	int tag;

	if (elen)
		engine[0] = 0;
	if (ber_tlv(&c, &len) != 0x30)
		return JCS_EPARSE;
	s = jcs_cur_sub(&c, len);
	if (ber_int(&s) != 3 || ber_tlv(&s, &len) != 0x30) /* msgVersion, msgGlobalData */
		return JCS_EPARSE;
	jcs_cur_skip(&s, len);
	if (ber_tlv(&s, &len) != 0x04) /* msgSecurityParameters: a USM sequence inside */
		return JCS_EPARSE;
	sp = jcs_cur_sub(&s, len);
	if (ber_tlv(&sp, &len) != 0x30 || ber_tlv(&sp, &len) != 0x04 || len > 32 || !(p = jcs_cur_take(&sp, len)))
		return JCS_EPARSE;
	if (elen) /* the whole bytes that fit */
		jcs_hex(p, len < (elen - 1) / 2 ? len : (elen - 1) / 2, engine);
	if (ber_tlv(&s, &len) != 0x30) /* scopedPDU (plaintext: the discovery is never encrypted) */
		return JCS_EPARSE;
	if (ber_tlv(&s, &len) != 0x04 || !jcs_cur_take(&s, len) || ber_tlv(&s, &len) != 0x04 || !jcs_cur_take(&s, len))
		return JCS_EPARSE;
	tag = ber_tlv(&s, &len);
	/* a Report (usmStatsUnknownEngineIDs) or a Response */
	return !s.bad && (tag == 0xa8 || tag == 0xa2) ? 0 : JCS_EPARSE;
}

static bool snmp3_valid(const uint8_t *b, size_t n)
{
	char engine[8];
	return jcs_snmp3_parse(b, n, engine, 0) == 0;
}

/* GetRequest sysDescr.0 (1.3.6.1.2.1.1.1.0) for v1 (0) or v2c (1) with a community. */
static size_t snmp_get(uint8_t *out, size_t cap, int version, const char *community)
{
	static const uint8_t pdu[] = {0xa0, 0x1c, 0x02, 0x04, 'j', 'c', 's', '1', 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
				      0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01,
				      0x00, 0x05, 0x00};
	size_t cl = strlen(community), n = 0;

	if (cl > 64 || cap < 7 + cl + sizeof(pdu))
		return 0;
	out[n++] = 0x30;
	out[n++] = (uint8_t)(5 + cl + sizeof(pdu));
	out[n++] = 0x02, out[n++] = 0x01, out[n++] = (uint8_t)version;
	out[n++] = 0x04, out[n++] = (uint8_t)cl;
	memcpy(out + n, community, cl);
	n += cl;
	memcpy(out + n, pdu, sizeof(pdu));
	return n + sizeof(pdu);
}

/* SNMPv3 engine discovery (RFC 3414 4): noAuthNoPriv, reportable, empty engine ID and user */
#define SNMP3_DISCOVERY \
	"\x30\x3c\x02\x01\x03\x30\x11\x02\x04jcs3\x02\x03\x00\xff\xe3\x04\x01\x04\x02\x01\x03" \
	"\x04\x10\x30\x0e\x04\x00\x02\x01\x00\x02\x01\x00\x04\x00\x04\x00\x04\x00" \
	"\x30\x12\x04\x00\x04\x00\xa0\x0c\x02\x02jc\x02\x01\x00\x02\x01\x00\x30\x00"

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

/* SNMP communities tried: the defaults of net-snmp and most vendors (read "public",
 * write "private") and a few more found on devices. */
#define SNMP_COMMUNITY(c) {"snmp", 161, NULL, 0, snmp_valid, c, 1, false}, {"snmp", 161, NULL, 0, snmp_valid, c, 0, false}

static const struct udp_probe udp_probes[] = {
	SNMP_COMMUNITY("public"),
	SNMP_COMMUNITY("private"),
	SNMP_COMMUNITY("community"),
	SNMP_COMMUNITY("admin"),
	SNMP_COMMUNITY("default"),
	SNMP_COMMUNITY("snmp"),
	{"snmp", 161, L(SNMP3_DISCOVERY), snmp3_valid, NULL, 3, false},
	{"ssdp", 1900, L(SSDP_REQ), ssdp_valid, NULL, 0, false},
	{"mdns", 5353, L(MDNS_REQ), mdns_valid, NULL, 0, false},
	{"coap", 5683, L(COAP_REQ), coap_valid, NULL, 0, false},
	{"tftp", 69, L(TFTP_REQ), tftp_valid, NULL, 0, false},
	{"ntp", 123, L(NTP_REQ), ntp_valid, NULL, 0, false},
	{"echonet", 3610, jcs_echonet_hello, JCS_EL_HELLO_LEN, jcs_echonet_valid, NULL, 0, true},
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
	if (jcs_probe_open(p, port, false, &t, NULL) != 0 || jcs_http_get(&t, p->host, path, &dr, &body) != 0 ||
	    dr.status != 200 || jcs_upnp_parse(body.data ? body.data : "", body.len, &d) != 0)
		goto out;
	if (strstr(d.device_type, "InternetGatewayDevice")) {
		char control[256], type[128], loc[64];
		snprintf(loc, sizeof(loc), "tcp/%d (upnp-igd)", port);
		json_object_set_new(svc, "device_type", json_string(d.device_type));
		if (jcs_upnp_wan_service(body.data, body.len, control, sizeof(control), type, sizeof(type)) == 0)
			jcs_upnp_igd_check(p, port, control, type, loc, ev);
	}
	if (d.model_name[0] || d.model_number[0]) {
		char loc[64];
		snprintf(loc, sizeof(loc), "udp/1900 (ssdp) → tcp/%d", port);
		jcs_evidence_add(ev, "probe.model.identified", JCS_INFO, JCS_SEV_NONE, loc,
				 "Model number published in the UPnP device description",
				 json_pack("{s:s, s:s, s:s, s:s, s:s}", "manufacturer", d.manufacturer, "model_name",
					   d.model_name, "model_number", d.model_number, "friendly_name", d.friendly,
					   "source", r.location),
				 NULL);
	}
out:
	jcs_tr_close(&t);
	jcs_buf_free(&body);
}

/* The SNMP service from every SNMP answer: each community that answered is access without
 * credentials and a default credential (S1.1-01, S1.1-02); an agent that refused them all
 * but answered the v3 discovery requires a user. */
static json_t *snmp_service(struct jcs_evidence *ev, const struct answer *ans)
{
	json_t *comms = json_array(), *versions = json_array(), *svc;
	char banner[JCS_BANNER_MAX] = "", engine[72] = "";
	bool v1 = false, v2 = false, v3 = false;
	int tried = 0;

	for (size_t i = 0; i < NPROBES; i++) {
		const struct udp_probe *u = &udp_probes[i];
		char comm[64], val[JCS_BANNER_MAX];
		int ver = 0;

		if (strcmp(u->name, "snmp") != 0)
			continue;
		tried += u->community != NULL;
		if (!ans[i].ok)
			continue;
		if (!u->community) {
			v3 = jcs_snmp3_parse(ans[i].buf, ans[i].len, engine, sizeof(engine)) == 0;
			continue;
		}
		if (jcs_snmp_parse(ans[i].buf, ans[i].len, &ver, comm, sizeof(comm), val, sizeof(val)) != 0)
			continue;
		v1 = v1 || u->snmp_version == 0;
		v2 = v2 || u->snmp_version == 1;
		if (!banner[0])
			snprintf(banner, sizeof(banner), "%s", val);
		json_array_append_new(comms, json_pack("{s:s, s:s, s:s}", "community", u->community, "version",
						       u->snmp_version ? "v2c" : "v1", "sysDescr", val));
	}
	if (v1)
		json_array_append_new(versions, json_string("v1"));
	if (v2)
		json_array_append_new(versions, json_string("v2c"));
	if (v3)
		json_array_append_new(versions, json_string("v3"));
	if (!banner[0])
		snprintf(banner, sizeof(banner), "SNMPv3 engine %s", engine);
	if (json_array_size(comms)) {
		json_t *first = json_array_get(comms, 0);
		jcs_evidence_add(ev, "probe.auth.none", JCS_FAIL, JCS_SEV_HIGH, "udp/161 (snmp)",
				 "SNMP answers a community string (v1/v2c: no user authentication)",
				 json_pack("{s:O, s:O}", "versions", versions, "communities", comms), NULL);
		jcs_evidence_add(ev, "probe.auth.default-credential", JCS_FAIL, JCS_SEV_CRITICAL, "udp/161 (snmp)",
				 "Default SNMP community accepted (confirmed by a GetResponse)",
				 json_pack("{s:s, s:{s:s, s:O}, s:O, s:i, s:i}", "service", "snmp", "accepted", "user",
					   "(community)", "password", json_object_get(first, "community"), "communities",
					   comms, "tried", tried, "list_size", tried),
				 NULL);
	} else {
		jcs_evidence_add(ev, "probe.auth.none", JCS_PASS, JCS_SEV_NONE, "udp/161 (snmp)",
				 "SNMP requires an SNMPv3 user: no v1/v2c community answered",
				 json_pack("{s:O, s:s}", "versions", versions, "engine_id", engine), NULL);
		jcs_evidence_add(ev, "probe.auth.default-credential", JCS_PASS, JCS_SEV_NONE, "udp/161 (snmp)",
				 "No default SNMP community accepted",
				 json_pack("{s:s, s:i, s:i, s:i, s:s}", "service", "snmp", "tried", tried, "list_size", tried,
					   "errors", 0, "note", "v1 and v2c with each community; SNMPv3 user names are not guessed"),
				 NULL);
	}
	svc = json_pack("{s:i, s:s, s:s, s:b, s:s, s:o, s:b}", "port", 161, "proto", "udp", "service", "snmp", "tls", 0,
			"banner", banner, "versions", versions, "risky", json_array_size(comms) > 0);
	if (engine[0])
		json_object_set_new(svc, "engine_id", json_string(engine));
	json_decref(comms);
	return svc;
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
		if (udp_probes[i].own_port) { /* taken by another program: answers to it are lost */
			struct sockaddr_storage me = {.ss_family = (sa_family_t)ai->ai_family};
			((struct sockaddr_in *)&me)->sin_port = htons((uint16_t)udp_probes[i].port); /* same offset for v6 */
			(void)bind(pf[i].fd, (struct sockaddr *)&me, (socklen_t)ai->ai_addrlen);
		}
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		int64_t end = jcs_now_ms() + p->o.timeout_ms / 2 + 250;
		int left;

		for (size_t i = 0; i < NPROBES; i++) {
			struct sockaddr_storage ss;
			memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
			((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)udp_probes[i].port); /* same offset for v6 */
			const struct udp_probe *u = &udp_probes[i];
			uint8_t req[160];
			size_t len = u->community ? snmp_get(req, sizeof(req), u->snmp_version, u->community) : u->len;

			if (!u->community)
				memcpy(req, u->req, len < sizeof(req) ? len : sizeof(req));
			if (!ans[i].ok && jcs_probe_left_ms(p) > 0 && len <= sizeof(req))
				sendto(pf[i].fd, req, len, 0, (struct sockaddr *)&ss, ai->ai_addrlen);
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
			if (snmp_done)
				continue;
			snmp_done = true;
			svc = snmp_service(ev, ans);
			json_array_append_new(services, svc);
			continue;		} else {
			jcs_printable(ans[i].buf, ans[i].len < 100 ? ans[i].len : 100, banner, sizeof(banner));
		}
		svc = json_pack("{s:i, s:s, s:s, s:b, s:s}", "port", u->port, "proto", "udp", "service", u->name,
				"tls", 0, "banner", banner);
		if (strcmp(u->name, "ssdp") == 0)
			ssdp_describe(p, &ans[i], svc, ev);
		if (strcmp(u->name, "echonet") == 0) {
			struct sockaddr_storage ss;
			memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
			((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)u->port);
			jcs_echonet_udp(p, pf[i].fd, (struct sockaddr *)&ss, ai->ai_addrlen, svc, ev);
		}
		json_array_append_new(services, svc);
	}
out:
	for (size_t i = 0; i < NPROBES; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	freeaddrinfo(ai);
	return rc;
}
