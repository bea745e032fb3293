/* Hand-made ClientHello and a bounds-checked ServerHello reader: detects SSLv3 and suites the
 * local OpenSSL can no longer offer (RC4, 3DES, single DES, export, IDEA) from the server's
 * choice alone, the way sslscan and testssl.sh do. No handshake is completed. */
#include <string.h>

#include <openssl/rand.h>

#include "core/cur.h"
#include "probe/tls.h"

#define MAX_RECORD (16384 + 2048)

const struct jcs_tls_legacy_suite jcs_tls_legacy_suites[] = {
	/* RC4 */
	{0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
	{0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
	{0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"},
	{0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA"},
	{0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
	{0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA"},
	{0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
	{0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA"},
	{0x008A, "TLS_PSK_WITH_RC4_128_SHA"},
	/* 3DES */
	{0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
	{0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA"},
	{0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA"},
	{0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"},
	{0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
	{0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"},
	{0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA"},
	{0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"},
	{0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA"},
	{0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
	{0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA"},
	{0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA"},
	/* single DES */
	{0x0009, "TLS_RSA_WITH_DES_CBC_SHA"},
	{0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA"},
	{0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA"},
	{0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA"},
	{0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"},
	{0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA"},
	/* export */
	{0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"},
	{0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"},
	{0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"},
	{0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA"},
	{0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA"},
	{0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA"},
	{0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"},
	{0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5"},
	{0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA"},
	/* IDEA */
	{0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA"},
	/* common SSLv3-era suites, so an SSLv3 server without the above still answers */
	{0x0001, "TLS_RSA_WITH_NULL_MD5"},
	{0x0002, "TLS_RSA_WITH_NULL_SHA"},
	{0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"},
	{0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
	{0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"},
	{0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
	{0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
	{0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA"},
	{0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
	{0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
	{0x0096, "TLS_RSA_WITH_SEED_CBC_SHA"},
	{0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
	{0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
	{0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
	{0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
	{0, NULL},
};

const char *jcs_tls_legacy_name(uint16_t id)
{
	for (const struct jcs_tls_legacy_suite *s = jcs_tls_legacy_suites; s->name; s++)
		if (s->id == id)
			return s->name;
	return NULL;
}

struct wr {
	uint8_t *p;
	size_t cap, len;
	bool bad;
};

static void put8(struct wr *w, unsigned v)
{
	if (w->len + 1 > w->cap) {
		w->bad = true;
		return;
	}
	w->p[w->len++] = (uint8_t)v;
}

static void put16(struct wr *w, unsigned v)
{
	put8(w, v >> 8 & 0xff);
	put8(w, v & 0xff);
}

/* Fill a 2- or 3-byte length written at `at` with the bytes written since at + n. */
static void patch_len(struct wr *w, size_t at, int n)
{
	size_t v = w->len - at - (size_t)n;

	if (w->bad)
		return;
	if (n == 3)
		w->p[at++] = (uint8_t)(v >> 16);
	w->p[at] = (uint8_t)(v >> 8);
	w->p[at + 1] = (uint8_t)v;
}

int jcs_tls_client_hello(uint16_t version, const uint16_t *suites, size_t n, const char *sni, uint8_t *out,
			 size_t cap, size_t *len)
{
	static const uint16_t groups[] = {0x001d, 0x0017, 0x0018, 0x0019};
	static const uint16_t sigalgs[] = {0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0603,
					   0x0804, 0x0805, 0x0806, 0x0201, 0x0203, 0x0202, 0x0402};
	struct wr w = {out, cap, 0, false};
	uint8_t random[32];
	size_t rec, hs, ext;

	if (n == 0 || n > 1000 || (version != 0x0300 && (version < 0x0301 || version > 0x0303)))
		return JCS_EINVAL;
	if (RAND_bytes(random, sizeof(random)) != 1)
		memset(random, 0x5a, sizeof(random));
	put8(&w, 22);
	put16(&w, version == 0x0300 ? 0x0300 : 0x0301);
	rec = w.len;
	put16(&w, 0);
	put8(&w, 1); /* client_hello */
	hs = w.len;
	put8(&w, 0);
	put16(&w, 0);
	put16(&w, version);
	for (size_t i = 0; i < sizeof(random); i++)
		put8(&w, random[i]);
	put8(&w, 0); /* session id */
	put16(&w, (unsigned)(n + 1) * 2);
	for (size_t i = 0; i < n; i++)
		put16(&w, suites[i]);
	put16(&w, 0x00ff); /* renegotiation SCSV */
	put8(&w, 1);
	put8(&w, 0); /* null compression */
	if (version >= 0x0301) {
		ext = w.len;
		put16(&w, 0);
		if (sni && *sni && strlen(sni) < 256) {
			size_t l = strlen(sni);
			put16(&w, 0x0000);
			put16(&w, (unsigned)l + 5);
			put16(&w, (unsigned)l + 3);
			put8(&w, 0);
			put16(&w, (unsigned)l);
			for (size_t i = 0; i < l; i++)
				put8(&w, (unsigned char)sni[i]);
		}
		put16(&w, 0x000a);
		put16(&w, sizeof(groups) + 2);
		put16(&w, sizeof(groups));
		for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
			put16(&w, groups[i]);
		put16(&w, 0x000b);
		put16(&w, 2);
		put8(&w, 1);
		put8(&w, 0);
		if (version == 0x0303) {
			put16(&w, 0x000d);
			put16(&w, sizeof(sigalgs) + 2);
			put16(&w, sizeof(sigalgs));
			for (size_t i = 0; i < sizeof(sigalgs) / sizeof(sigalgs[0]); i++)
				put16(&w, sigalgs[i]);
		}
		patch_len(&w, ext, 2);
	}
	patch_len(&w, hs, 3);
	patch_len(&w, rec, 2);
	if (w.bad)
		return JCS_ELIMIT;
	*len = w.len;
	return 0;
}

int jcs_tls_server_hello_parse(const uint8_t *p, size_t len, struct jcs_tls_server_hello *out)
{
	struct jcs_cur c = jcs_cur_make(p, len), rec, hs;
	uint8_t type, hstype;
	uint16_t rver, rlen;
	uint32_t hlen;
	size_t avail;

	memset(out, 0, sizeof(*out));
	if (len < 5)
		return 1;
	type = jcs_cur_u8(&c);
	rver = jcs_cur_u16be(&c);
	rlen = jcs_cur_u16be(&c);
	if ((rver >> 8) != 3 || rlen == 0 || rlen > MAX_RECORD)
		return JCS_EPARSE;
	avail = jcs_cur_left(&c) < rlen ? jcs_cur_left(&c) : rlen;
	rec = jcs_cur_sub(&c, avail);
	if (type == 21) { /* alert: the server refused */
		if (rlen < 2)
			return JCS_EPARSE;
		if (avail < 2)
			return 1;
		jcs_cur_u8(&rec);
		out->alert = jcs_cur_u8(&rec);
		return JCS_ENOTFOUND;
	}
	if (type != 22)
		return JCS_EPARSE;
	if (avail < 4)
		return rlen < 4 ? JCS_EPARSE : 1;
	hstype = jcs_cur_u8(&rec);
	hlen = (uint32_t)jcs_cur_u8(&rec) << 16;
	hlen |= jcs_cur_u16be(&rec);
	if (hstype != 2 || hlen < 38 || hlen > MAX_RECORD)
		return JCS_EPARSE;
	hs = jcs_cur_sub(&rec, jcs_cur_left(&rec) < hlen ? jcs_cur_left(&rec) : hlen);
	out->version = jcs_cur_u16be(&hs);
	jcs_cur_skip(&hs, 32);
	{
		uint8_t sid = jcs_cur_u8(&hs);
		if (!hs.bad && sid > 32)
			return JCS_EPARSE;
		jcs_cur_skip(&hs, sid);
	}
	out->suite = jcs_cur_u16be(&hs);
	out->compression = jcs_cur_u8(&hs);
	if (hs.bad) {
		/* not all there yet: need more, unless the record/message itself is too short */
		memset(out, 0, sizeof(*out));
		return avail < rlen ? 1 : JCS_EPARSE;
	}
	if ((out->version >> 8) != 3)
		return JCS_EPARSE;
	return 0;
}
