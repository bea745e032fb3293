/* ECHONET Lite (udp/3610 and tcp/3610): the control protocol of Japanese home energy equipment
 * (PCS, storage batteries, home solar, EMS, gateways). It has no authentication at all.
 * Identified by a Get to the node profile (0x0EF001: instance list 0xD6, maker 0x8A, version
 * 0x82). Control access is checked on every object of the node without changing anything: Get
 * its Set property map (0x9E) and operation status (0x80), then SetC the value 0x80 already has
 * and require Set_Res; a SetC_SNA is a refusal. Frames: EHD 0x10 0x81, TID, SEOJ, DEOJ, ESV,
 * OPC, then OPC x (EPC, PDC, EDT). Over TCP the frames follow each other on the stream. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/cur.h"
#include "jcstar/digest.h"
#include "probe/probe.h"

#define SEOJ 0x05ff01u      /* we are a controller */
#define NODE_PROFILE 0x0ef001u
#define MAX_OBJECTS 32      /* device objects examined per node */
#define MAX_READS 16        /* frames read while waiting for one answer (announcements pass by) */

/* Get node profile: 0xD6 instance list, 0x8A maker code, 0x82 version; TID 1 */
const char jcs_echonet_hello[JCS_EL_HELLO_LEN + 1] = "\x10\x81\x00\x01\x05\xff\x01\x0e\xf0\x01\x62\x03\xd6\x00\x8a\x00\x82\x00";

int jcs_echonet_parse(const uint8_t *b, size_t n, struct jcs_el_frame *f)
{
	struct jcs_cur c = jcs_cur_make(b, n);
	const uint8_t *e;

	memset(f, 0, sizeof(*f));
	if (jcs_cur_u8(&c) != 0x10 || jcs_cur_u8(&c) != 0x81)
		return JCS_EPARSE;
	f->tid = jcs_cur_u16be(&c);
	e = jcs_cur_take(&c, 6);
	f->esv = jcs_cur_u8(&c);
	f->opc = jcs_cur_u8(&c);
	/* SetGet and its answers carry two property lists: never asked for, not read */
	if (!e || (f->esv & 0x0f) == 0x0e || f->opc > JCS_EL_MAX_PROPS)
		return JCS_EPARSE;
	f->seoj = (uint32_t)e[0] << 16 | (uint32_t)e[1] << 8 | e[2];
	f->deoj = (uint32_t)e[3] << 16 | (uint32_t)e[4] << 8 | e[5];
	for (unsigned i = 0; i < f->opc; i++) {
		struct jcs_el_prop *pr = &f->props[i];
		pr->epc = jcs_cur_u8(&c);
		pr->pdc = jcs_cur_u8(&c);
		pr->edt = jcs_cur_take(&c, pr->pdc);
		if (c.bad)
			return JCS_EPARSE;
	}
	return (int)c.off;
}

const struct jcs_el_prop *jcs_echonet_prop(const struct jcs_el_frame *f, uint8_t epc)
{
	for (unsigned i = 0; i < f->opc; i++)
		if (f->props[i].epc == epc)
			return &f->props[i];
	return NULL;
}

int jcs_echonet_propmap(const struct jcs_el_prop *pr, uint8_t *epcs)
{
	struct jcs_cur c = jcs_cur_make(pr ? pr->edt : NULL, pr ? pr->pdc : 0);
	unsigned count = jcs_cur_u8(&c), n = 0;

	if (c.bad)
		return JCS_EPARSE;
	if (count < 16) { /* a list of EPCs */
		const uint8_t *l = jcs_cur_take(&c, count);
		if (!l)
			return JCS_EPARSE;
		memcpy(epcs, l, count);
		return (int)count;
	}
	/* a bitmap: bit j of byte i is EPC 0x80 + 0x10 * j + i */
	const uint8_t *m = jcs_cur_take(&c, 16);
	if (!m)
		return JCS_EPARSE;
	for (unsigned i = 0; i < 16; i++)
		for (unsigned j = 0; j < 8; j++)
			if (m[i] >> j & 1)
				epcs[n++] = (uint8_t)(0x80 + 0x10 * j + i);
	return (int)n;
}

/* Class group and class of an object, for the reader. */
static const char *class_name(uint32_t eoj)
{
	static const struct {
		uint16_t cls;
		const char *name;
	} names[] = {
		{0x0130, "home air conditioner"}, {0x026b, "electric water heater"}, {0x026f, "electric lock"},
		{0x0279, "home solar power generation"}, {0x027b, "floor heater"}, {0x027c, "fuel cell"},
		{0x027d, "storage battery"}, {0x027e, "EV charger/discharger"}, {0x0287, "power distribution board"},
		{0x0288, "low-voltage smart electric energy meter"}, {0x0290, "general lighting"}, {0x02a1, "EV charger"},
		{0x02a5, "multiple input PCS"}, {0x05ff, "controller"}, {0x0ef0, "node profile"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].cls == eoj >> 8)
			return names[i].name;
	return "other";
}

/* How requests travel: a TCP connection, or a UDP socket and the node's address. */
struct link {
	struct jcs_probe *p;
	struct jcs_tr *t;
	struct jcs_buf in;            /* TCP: stream bytes not yet consumed */
	int fd;
	const struct sockaddr *to;
	socklen_t tolen;
	uint16_t tid;
	bool gone;                    /* a request got no answer at all: the rest is not asked */
	uint8_t rx[1500];             /* the answer the frame points into */
};

static bool tcp_frame_done(const struct jcs_buf *b, void *arg)
{
	struct jcs_el_frame f;
	(void)arg;
	return jcs_echonet_parse((const uint8_t *)b->data, b->len, &f) > 0 || b->len >= 1500;
}

/* The next frame from the node into l->rx: its length, or JCS_E*. */
static int next_frame(struct link *l, struct jcs_el_frame *f)
{
	int n;

	if (l->t) {
		int rc = jcs_tr_read_until(l->t, &l->in, 1500, tcp_frame_done, NULL);
		if (rc)
			return rc;
		n = jcs_echonet_parse((const uint8_t *)l->in.data, l->in.len, f);
		if (n < 0)
			return n;
		memcpy(l->rx, l->in.data, (size_t)n);
		memmove(l->in.data, l->in.data + n, l->in.len - (size_t)n);
		l->in.len -= (size_t)n;
	} else {
		struct pollfd pf = {.fd = l->fd, .events = POLLIN};
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		int wait = (int)(l->p->o.timeout_ms < jcs_probe_left_ms(l->p) ? l->p->o.timeout_ms : jcs_probe_left_ms(l->p));
		ssize_t got;

		if (poll(&pf, 1, wait) <= 0)
			return JCS_ETIMEOUT;
		got = recvfrom(l->fd, l->rx, sizeof(l->rx), 0, (struct sockaddr *)&from, &fl);
		if (got <= 0)
			return JCS_ENET;
		/* only the node itself (any source port: nodes answer from another one) */
		if (from.ss_family != l->to->sa_family ||
		    (from.ss_family == AF_INET
			     ? ((struct sockaddr_in *)&from)->sin_addr.s_addr != ((const struct sockaddr_in *)l->to)->sin_addr.s_addr
			     : memcmp(&((struct sockaddr_in6 *)&from)->sin6_addr, &((const struct sockaddr_in6 *)l->to)->sin6_addr, 16) != 0))
			return JCS_EPARSE;
		n = jcs_echonet_parse(l->rx, (size_t)got, f);
	}
	return n;
}

/* One request to object deoj with esv and props (EPC, PDC, EDT...; opc of them); f is the
 * answer from deoj with our TID and an answering ESV (for Get: Get_Res or Get_SNA, for SetC:
 * Set_Res or SetC_SNA). UDP: sent twice when nothing comes back. */
static int request(struct link *l, uint32_t deoj, uint8_t esv, uint8_t opc, const uint8_t *props, size_t plen,
		   struct jcs_el_frame *f)
{
	uint8_t req[64] = {0x10, 0x81, 0, 0, SEOJ >> 16, (uint8_t)(SEOJ >> 8), (uint8_t)SEOJ,
			   (uint8_t)(deoj >> 16), (uint8_t)(deoj >> 8), (uint8_t)deoj, esv, opc};
	uint8_t ok = esv == 0x62 ? 0x72 : 0x71, sna = esv == 0x62 ? 0x52 : 0x51;
	int rc = JCS_ETIMEOUT;

	if (plen > sizeof(req) - 12)
		return JCS_EINVAL;
	l->tid++;
	req[2] = (uint8_t)(l->tid >> 8);
	req[3] = (uint8_t)l->tid;
	memcpy(req + 12, props, plen);
	for (int attempt = 0; attempt < (l->t ? 1 : 2) && rc == JCS_ETIMEOUT && jcs_probe_left_ms(l->p) > 0; attempt++) {
		if (l->t)
			rc = jcs_tr_write(l->t, req, 12 + plen);
		else
			rc = sendto(l->fd, req, 12 + plen, MSG_NOSIGNAL, l->to, l->tolen) < 0 ? JCS_ENET : 0;
		for (int reads = 0; rc == 0 && reads < MAX_READS; reads++) {
			int n = next_frame(l, f);
			if (n == JCS_EPARSE && !l->t)
				continue; /* someone else's datagram */
			if (n < 0) {
				rc = n;
				break;
			}
			/* the node profile answers from whichever instance it is (0x0EF001/02) */
			if (f->tid == l->tid && (f->esv == ok || f->esv == sna) &&
			    (f->seoj == deoj || (deoj >> 8 == 0x0ef0 && f->seoj >> 8 == 0x0ef0)))
				return 0;
			rc = 0; /* an announcement or a late answer: keep reading */
		}
		if (rc == 0)
			rc = JCS_EPARSE;
	}
	l->gone = rc == JCS_ETIMEOUT || rc == JCS_ENET;
	return rc;
}

static void hexs(const uint8_t *b, size_t n, char *out, size_t cap)
{
	if (n > (cap - 1) / 2)
		n = (cap - 1) / 2;
	jcs_hex(b, n, out);
}

/* Control of one object, checked without changing it. Adds its entry to objs; returns 1
 * accepted, 0 refused, -1 could not tell (why in note). */
static int check_object(struct link *l, uint32_t eoj, json_t *objs, struct jcs_buf *note)
{
	static const uint8_t get[] = {0x9e, 0x00, 0x80, 0x00};
	struct jcs_el_frame f;
	const struct jcs_el_prop *map, *st;
	uint8_t epcs[128], set[3] = {0x80, 0x01, 0};
	char eojs[8], value[4];
	const char *ctl;
	json_t *o, *list = json_array();
	int n, rc, result = -1;

	snprintf(eojs, sizeof(eojs), "%06x", (unsigned)eoj);
	o = json_pack("{s:s, s:s, s:o}", "eoj", eojs, "class", class_name(eoj), "settable", list);
	json_array_append_new(objs, o);
	if ((rc = request(l, eoj, 0x62, 2, get, sizeof(get), &f)) != 0) {
		jcs_buf_printf(note, "%s: no answer to Get 0x9E/0x80 (%s)\n", eojs, jcs_strerror(rc));
		return -1;
	}
	map = jcs_echonet_prop(&f, 0x9e);
	n = map && map->pdc ? jcs_echonet_propmap(map, epcs) : JCS_ENOTFOUND;
	for (int i = 0; i < n; i++) {
		char e[4];
		snprintf(e, sizeof(e), "%02x", epcs[i]);
		json_array_append_new(list, json_string(e));
	}
	if (n < 0)
		json_object_set_new(o, "settable_note", json_string("Set property map not readable"));
	st = jcs_echonet_prop(&f, 0x80);
	if (!st || st->pdc != 1) {
		jcs_buf_printf(note, "%s: operation status (0x80) not readable: no value to write back, control not tested\n", eojs);
		json_object_set_new(o, "control", json_string("untested"));
		return -1;
	}
	set[2] = st->edt[0];
	hexs(st->edt, 1, value, sizeof(value));
	json_object_set_new(o, "operation_status", json_string(value));
	/* the same value back: control access without changing the device */
	rc = request(l, eoj, 0x61, 1, set, sizeof(set), &f);
	st = rc == 0 ? jcs_echonet_prop(&f, 0x80) : NULL;
	if (st && f.esv == 0x71 && st->pdc == 0) { /* Set_Res: 0x80 with no data = done */
		result = 1;
		ctl = "accepted";
		jcs_buf_printf(note, "%s (%s): SetC 0x80=%s (the value it had) answered Set_Res: control without authentication\n",
			       eojs, class_name(eoj), value);
	} else if (st && f.esv == 0x51) {
		result = 0;
		ctl = "refused";
		jcs_buf_printf(note, "%s (%s): SetC 0x80=%s refused (SetC_SNA)\n", eojs, class_name(eoj), value);
	} else {
		ctl = "no answer";
		jcs_buf_printf(note, "%s: no definite answer to SetC 0x80 (%s)\n", eojs,
			       rc ? jcs_strerror(rc) : "answer without property 0x80");
	}
	json_object_set_new(o, "control", json_string(ctl));
	return result;
}

/* Identification and the control check over l: facts "echonet" (maker, version, objects),
 * "control_write" (true or false only when every object answered) and "control" (result
 * accepted / refused / incomplete, reason, objects). JCS_E* when the node profile does not
 * answer. banner: a line naming the node and its objects. */
static int examine(struct link *l, json_t *facts, struct jcs_buf *note, char *banner, size_t blen)
{
	struct jcs_el_frame f;
	const struct jcs_el_prop *d6, *mk, *ver;
	json_t *objs = json_array(), *el;
	uint32_t eoj[MAX_OBJECTS + 1];
	size_t nobj = 0, listed = 0;
	int accepted = 0, refused = 0, rc;
	char maker[8] = "", version[16] = "", why[160] = "";

	if ((rc = request(l, NODE_PROFILE, 0x62, 3, (const uint8_t *)jcs_echonet_hello + 12, 6, &f)) != 0) {
		snprintf(why, sizeof(why), "no answer to the Get of the node profile (%s)", jcs_strerror(rc));
		json_object_set_new(facts, "control", json_pack("{s:s, s:s}", "result", "incomplete", "reason", why));
		goto out;
	}
	if ((mk = jcs_echonet_prop(&f, 0x8a)) && mk->pdc == 3)
		hexs(mk->edt, 3, maker, sizeof(maker));
	if ((ver = jcs_echonet_prop(&f, 0x82)) && ver->pdc >= 2)
		snprintf(version, sizeof(version), "%u.%u", ver->edt[0], ver->edt[1]);
	jcs_buf_printf(note, "Node profile answered Get without authentication (maker code %s, version %s)\n",
		       maker[0] ? maker : "?", version[0] ? version : "?");
	snprintf(banner, blen, "ECHONET Lite %s maker %s", version[0] ? version : "?", maker[0] ? maker : "?");
	/* the objects of the node: the instance list, then the node profile itself */
	if ((d6 = jcs_echonet_prop(&f, 0xd6)) && d6->pdc >= 1) {
		struct jcs_cur c = jcs_cur_make(d6->edt, d6->pdc);
		listed = jcs_cur_u8(&c);
		for (size_t i = 0; i < listed && nobj < MAX_OBJECTS; i++) {
			const uint8_t *e = jcs_cur_take(&c, 3);
			if (!e)
				break;
			eoj[nobj++] = (uint32_t)e[0] << 16 | (uint32_t)e[1] << 8 | e[2];
		}
	}
	if (!d6 || !d6->pdc)
		snprintf(why, sizeof(why), "the node did not give its instance list (0xD6)");
	else if (nobj < listed)
		snprintf(why, sizeof(why), "%zu objects listed, %zu examined", listed, nobj);
	eoj[nobj++] = NODE_PROFILE;
	for (size_t i = 0; i < nobj && !l->gone && jcs_probe_left_ms(l->p) > 0; i++) {
		int r = check_object(l, eoj[i], objs, note);
		accepted += r == 1;
		refused += r == 0;
	}
	if (!why[0] && accepted + refused < (int)nobj)
		snprintf(why, sizeof(why), "%d of %zu objects gave no definite answer to the control check",
			 (int)nobj - accepted - refused, nobj);
	el = json_pack("{s:s, s:s, s:[]}", "maker_code", maker, "version", version, "instances");
	for (size_t i = 0; i + 1 < nobj; i++) {
		char e[8];
		snprintf(e, sizeof(e), "%06x", (unsigned)eoj[i]);
		json_array_append_new(json_object_get(el, "instances"), json_string(e));
		snprintf(banner + strlen(banner), blen - strlen(banner), "%s%s", i ? ", " : ": ", class_name(eoj[i]));
	}
	json_object_set_new(facts, "echonet", el);
	if (accepted || !why[0])
		json_object_set_new(facts, "control_write", json_boolean(accepted > 0));
	json_object_set_new(facts, "control",
			    json_pack("{s:s, s:s*, s:s, s:O}", "result",
				      accepted ? "accepted" : why[0] ? "incomplete" : "refused", "reason", why[0] ? why : NULL,
				      "check", "Get 0x80, then SetC 0x80 with the same value on every object (Set_Res = accepted)",
				      "objects", objs));
out:
	json_decref(objs);
	return rc;
}

static int echonet_match(const uint8_t *b, size_t n)
{
	struct jcs_el_frame f;

	return jcs_echonet_parse(b, n, &f) > 0 && f.tid == 1 && (f.esv == 0x72 || f.esv == 0x52) ? 100 : 0;
}

static int echonet_anon(struct jcs_probe *p, struct jcs_service *s, struct jcs_buf *note)
{
	struct jcs_tr t;
	struct link *l = calloc(1, sizeof(*l));
	int rc = l ? jcs_probe_open(p, s->port, s->tls, &t, NULL) : JCS_ENOMEM;

	if (l && !rc) {
		l->p = p;
		l->t = &t;
		rc = examine(l, s->facts, note, s->banner, sizeof(s->banner));
	}
	if (l) {
		jcs_tr_close(&t);
		jcs_buf_free(&l->in);
	}
	free(l);
	return rc ? rc : 1;
}

bool jcs_echonet_valid(const uint8_t *b, size_t n)
{
	return echonet_match(b, n) > 0;
}

void jcs_echonet_udp(struct jcs_probe *p, int fd, const struct sockaddr *to, socklen_t tolen, json_t *svc,
		     struct jcs_evidence *ev)
{
	struct link *l = calloc(1, sizeof(*l));
	struct jcs_buf note = JCS_BUF_INIT;
	char banner[JCS_BANNER_MAX] = "";

	if (!l)
		return;
	l->p = p;
	l->fd = fd;
	l->to = to;
	l->tolen = tolen;
	l->tid = 1; /* the first Get went out with the other UDP probes */
	if (examine(l, svc, &note, banner, sizeof(banner)) == 0) {
		json_object_set_new(svc, "banner", json_string(banner));
		json_object_set_new(svc, "risky", json_boolean(json_is_true(json_object_get(svc, "control_write"))));
		jcs_evidence_add(ev, "probe.auth.none", JCS_FAIL, JCS_SEV_HIGH, "udp/3610 (echonet)",
				 "ECHONET Lite answers without authentication (the protocol has none)",
				 json_pack("{s:s, s:s}", "service", "echonet", "how", note.data ? note.data : ""), NULL);
	}
	jcs_buf_free(&note);
	free(l);
}

const struct jcs_proto jcs_proto_echonet = {
	.name = "echonet",
	.hello = jcs_echonet_hello,
	.hello_len = JCS_EL_HELLO_LEN,
	.match = echonet_match,
	.anon = echonet_anon,
};
