/* Internals shared by the probe engine and its protocol modules. */
#ifndef JCS_PROBE_PROBE_H
#define JCS_PROBE_PROBE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include <jansson.h>

#include "jcstar/probe.h"
#include "jcstar/buf.h"
#include "probe/transport.h"

#define JCS_BANNER_MAX 160      /* printable banner kept per service */
#define JCS_REPLY_MAX (64 << 10) /* bytes read from any single reply */
#define JCS_TRANSCRIPT_MAX 2048 /* transcript bytes kept in evidence */

/* Outcome of one login attempt. */
enum jcs_login {
	JCS_LOGIN_OK,       /* confirmed access (telnet: our command ran) */
	JCS_LOGIN_DENIED,   /* the device said no */
	JCS_LOGIN_THROTTLED, /* refused, reset, 429/503, lockout message: the device defends itself */
	JCS_LOGIN_ERROR,    /* could not tell (timeout, protocol error) */
};

struct jcs_probe;
struct jcs_service;

struct jcs_login_result {
	enum jcs_login outcome;
	char note[160];                /* short human reason */
	struct jcs_buf transcript;     /* what was exchanged (capped, for evidence) */
};

/* A protocol module: one file each, one line in the table in ident.c. */
struct jcs_proto {
	const char *name;            /* service name in services[] */
	bool udp;
	bool risky;                  /* probe.interface.risky whenever exposed (S1.1-13) */
	bool cleartext;              /* carries credentials/data in the clear unless over TLS */
	/* Bytes that make a silent server answer (NULL: the server speaks first, or no probe). */
	const char *hello;
	size_t hello_len;
	/* How well these first server bytes match this protocol: 0 = not at all, 100 = certain. */
	int (*match)(const uint8_t *b, size_t n);
	/* Access without credentials: 1 granted (note says how), 0 refused, < 0 could not tell. */
	int (*anon)(struct jcs_probe *p, struct jcs_service *s, struct jcs_buf *note);
	/* One login attempt with user/pass (NULL: the service has no password login). */
	int (*login)(struct jcs_probe *p, struct jcs_service *s, const char *user, const char *pass,
		     struct jcs_login_result *r);
	/* Optional: the same login over a connection kept between the attempts of one worker,
	 * where the protocol allows several tries per connection. *conn starts NULL; the module
	 * opens, reuses or closes it (NULL again when it closed it); conn_close ends it. */
	int (*login_conn)(struct jcs_probe *p, struct jcs_service *s, void **conn, const char *user,
			  const char *pass, struct jcs_login_result *r);
	void (*conn_close)(void *conn);
	/* Extra facts once identified (model numbers, versions), into s->facts (may be NULL). */
	void (*describe)(struct jcs_probe *p, struct jcs_service *s);
};

struct jcs_service {
	int port;
	const struct jcs_proto *proto;     /* NULL: open but unidentified */
	bool tls;
	char banner[JCS_BANNER_MAX];
	json_t *facts;                     /* object: tls facts, model, ... */
	/* results filled by the service's worker thread, turned into findings by the engine */
	int anon;                          /* 1 granted, 0 refused, -1 untested */
	struct jcs_buf anon_note;
	bool accepts_any;                  /* a made-up credential logged in */
	json_t *cred;                      /* default-credential result object or NULL */
	json_t *bf;                        /* brute-force result object or NULL */
	int bf_result;                     /* enum jcs_result, -1 untested */
	char model[128];
	struct jcs_evidence *tls_ev;       /* TLS findings of this service (merged in port order) */
	bool examined;                     /* a worker took it (identification at least ran) */
	bool cut;                          /* the run stopped or ran out of time while examining it */
	/* what the worker is doing, for the progress line (jcs_service_step): a step name (NULL:
	 * not being examined) and how far it is, done of total (total 0: unknown) */
	const char *_Atomic step;
	atomic_long step_done, step_total;
};

static inline void jcs_service_step(struct jcs_service *s, const char *step, long done, long total)
{
	atomic_store(&s->step_done, done);
	atomic_store(&s->step_total, total);
	atomic_store(&s->step, step);
}

struct jcs_probe {
	const char *host;
	struct jcs_probe_opts o;           /* resolved options (profile defaults filled in) */
	int64_t deadline;                  /* jcs_now_ms() limit for the whole run */
	atomic_long connections;           /* TCP connections made so far */
	pthread_mutex_t rate_lock;
	int64_t next_slot_us;              /* per-target rate limiter */
	int tls_ms;                        /* TLS assessment budget per service */
	unsigned nonce;
	const char *creds;                 /* "user:pass" lines */
};

/* The module table (ident.c) and lookups. */
extern const struct jcs_proto *const jcs_protos[];
const struct jcs_proto *jcs_proto_find(const char *name);

/* Open a transport to s (TLS when s->tls). Counts against the connection budget and waits for
 * the rate limiter. t is ready for jcs_tr_close() also on failure. */
int jcs_probe_open(struct jcs_probe *p, int port, bool tls, struct jcs_tr *t, struct jcs_err *err);
/* Milliseconds left in the run (>= 0). */
int64_t jcs_probe_left_ms(const struct jcs_probe *p);
/* Wait for the per-target rate limiter and take one connection from the budget:
 * 0, or JCS_ELIMIT when the connection or time budget is spent. */
int jcs_probe_take_slot(struct jcs_probe *p);

/* Identify what an open TCP port speaks; fills s->proto, s->tls, s->banner. */
int jcs_identify(struct jcs_probe *p, struct jcs_service *s);
/* Copy printable text of b (escaping the rest) into out. */
void jcs_printable(const uint8_t *b, size_t n, char *out, size_t outlen);
/* The lockout word in text[0..n) ("locked", "too many", ...; case ignored), or NULL: a device
 * that says so defends itself (telnet prompts, login pages served with 200). */
const char *jcs_lockout_word(const char *text, size_t n);

/* Append bytes to a transcript, keeping it under JCS_TRANSCRIPT_MAX. */
void jcs_transcript_add(struct jcs_buf *t, const char *dir, const void *b, size_t n);

/* The bundled "user:pass" list in attack order (probe.c): its Mirai pairs (up to the first '#'
 * line), then the pairs data/creds/vendor.txt has for vendor (same first word, case and
 * punctuation ignored), then the rest; each pair once. */
void jcs_creds_ordered(const char *bundled, const char *vendor, struct jcs_buf *out);

/* Observe brute-force protection of one service with wrong passwords for user (bruteforce.c):
 * fills s->bf and s->bf_result. good_pass (may be NULL) checks for a lockout afterwards. */
void jcs_bruteforce(struct jcs_probe *p, struct jcs_service *s, const char *user, const char *good_pass);

/* Run the credential checks of one identified service (auth.c). */
void jcs_auth_service(struct jcs_probe *p, struct jcs_service *s);

/* HTTP reply parsing (http.c), used by several modules and the fuzzer. */
struct jcs_http_reply {
	int status;                   /* 0 = not parsed */
	char proto[16];               /* "HTTP/1.1", "RTSP/1.0", "SIP/2.0" */
	char server[96];
	char auth[96];                /* first WWW-Authenticate scheme + realm */
	char location[256];
	long content_length;          /* -1 unknown */
	size_t header_len;            /* bytes up to and including the blank line */
	size_t nheaders;
};
/* Parse a status line and headers. JCS_EPARSE when b is not such a reply, JCS_ELIMIT when the
 * header block is incomplete within n bytes. */
int jcs_http_parse(const uint8_t *b, size_t n, struct jcs_http_reply *r);
/* One HTTP/1.0 GET of path over t; reply head parsed into r, body (capped) into body. */
int jcs_http_get(struct jcs_tr *t, const char *host, const char *path, struct jcs_http_reply *r,
		 struct jcs_buf *body);
/* The same for any method: headers ("Name: value\r\n" lines, may be "") and data (a request
 * body, or NULL). */
int jcs_http_request(struct jcs_tr *t, const char *host, const char *method, const char *path,
		     const char *headers, const char *data, struct jcs_http_reply *r, struct jcs_buf *body);

/* Telnet (telnet.c). The option-negotiation filter keeps state across reads: it strips IAC
 * sequences from in, appends data bytes to out and our answers to reply (may be NULL).
 * Returns the number of IAC commands seen. */
struct jcs_telnet {
	int state;
	uint8_t cmd;
	size_t sb_len;
};
size_t jcs_telnet_filter(struct jcs_telnet *st, const uint8_t *in, size_t n, struct jcs_buf *out,
			 struct jcs_buf *reply);
/* One telnet login dialogue over an open transport. user NULL: only look for a shell offered
 * without login. Success only when a shell ran our arithmetic echo (nonce-derived). */
int jcs_telnet_session(struct jcs_tr *t, const char *user, const char *pass, unsigned nonce,
		       int wait_ms, struct jcs_login_result *r);

/* MQTT (mqtt.c): parse a CONNACK; return code (0 accepted, 1-5 refused) or JCS_EPARSE. */
int jcs_mqtt_connack(const uint8_t *b, size_t n);
/* One MQTT session over t: CONNECT (user/pass may be NULL), CONNACK, and with subscribe a
 * SUBSCRIBE "#" (*sub = SUBACK code). Returns the CONNACK code or a negative JCS_E*. */
int jcs_mqtt_session(struct jcs_tr *t, const char *user, const char *pass, bool subscribe, int *sub,
		     struct jcs_buf *transcript);

/* UPnP device description (upnp.c): fill model/maker fields from description XML. */
struct jcs_upnp_desc {
	char manufacturer[96], model_name[96], model_number[96], friendly[96], device_type[128];
};
int jcs_upnp_parse(const char *xml, size_t n, struct jcs_upnp_desc *d);
/* The control URL path and service type of the first WANIPConnection or WANPPPConnection
 * service of an IGD description: 0, or JCS_ENOTFOUND. */
int jcs_upnp_wan_service(const char *xml, size_t n, char *control, size_t clen, char *type, size_t tlen);
/* S1.1-13: does the IGD at port/control add a port mapping for us without authentication?
 * Verified with GetSpecificPortMappingEntry and deleted again; a probe.interface.risky finding
 * at loc. */
void jcs_upnp_igd_check(struct jcs_probe *p, int port, const char *control, const char *type, const char *loc,
			struct jcs_evidence *ev);

/* SNMP (udp.c): parse a GetResponse; community and first varbind string value. */
int jcs_snmp_parse(const uint8_t *b, size_t n, int *version, char *community, size_t clen,
		   char *value, size_t vlen);

/* SNMPv3 (udp.c): parse the answer to an engine discovery (a Report or Response); the
 * authoritative engine ID in hex into engine. */
int jcs_snmp3_parse(const uint8_t *b, size_t n, char *engine, size_t elen);

/* Modbus/TCP (modbus.c): one answer frame with transaction id tid; its function code and
 * data (borrowed from b). JCS_EPARSE when b is not such a frame. */
int jcs_modbus_parse(const uint8_t *b, size_t n, uint16_t tid, uint8_t *fc, const uint8_t **data, size_t *dlen);

/* ECHONET Lite (echonet.c). One frame (single property list: SetGet frames are refused) of at
 * most JCS_EL_MAX_PROPS properties, EDTs borrowed from the bytes parsed. */
#define JCS_EL_MAX_PROPS 32
struct jcs_el_prop {
	uint8_t epc, pdc;
	const uint8_t *edt;
};
struct jcs_el_frame {
	uint16_t tid;
	uint32_t seoj, deoj;
	uint8_t esv, opc;
	struct jcs_el_prop props[JCS_EL_MAX_PROPS];
};
/* Parse the frame at the start of b: the bytes it takes, or JCS_EPARSE. */
int jcs_echonet_parse(const uint8_t *b, size_t n, struct jcs_el_frame *f);
/* The property epc of f, or NULL. */
const struct jcs_el_prop *jcs_echonet_prop(const struct jcs_el_frame *f, uint8_t epc);
/* The EPCs of a property map (0x9D/0x9E/0x9F: a list, or a bitmap from 16 EPCs on) into
 * epcs[128]: their number, or JCS_EPARSE. */
int jcs_echonet_propmap(const struct jcs_el_prop *pr, uint8_t *epcs);
/* The identification Get (to the node profile, TID 1). */
#define JCS_EL_HELLO_LEN 18
extern const char jcs_echonet_hello[JCS_EL_HELLO_LEN + 1];
/* Is b an answer to the identification Get (TID 1) sent to udp/3610? */
bool jcs_echonet_valid(const uint8_t *b, size_t n);
/* The node at `to` answered it on socket fd: identification and the control check, as facts
 * into svc ("risky" when control was accepted) and probe.auth.none into ev. */
void jcs_echonet_udp(struct jcs_probe *p, int fd, const struct sockaddr *to, socklen_t tolen, json_t *svc,
		     struct jcs_evidence *ev);

/* UDP service probes (udp.c): one send/receive per service, results into services[]. */
int jcs_udp_scan(struct jcs_probe *p, struct jcs_evidence *ev, json_t *services);

/* What a TCP sweep saw: ports answered (open or closed), ports that stayed silent. */
struct jcs_scan_stats {
	size_t swept;    /* ports with an answer or a timeout (the rest were never tried) */
	size_t open, closed, filtered;
	const char *engine;             /* "syn" or "connect" */
	const char *fallback;           /* why the SYN sweep was not used (NULL: it was, or not asked) */
	int tries;                      /* probes a silent port got before it counts as no answer */
	int64_t duration_ms;            /* the sweep's wall-clock time */
	uint8_t silent[65536 / 8];      /* bit per port: swept and never answered */
};

/* Default sweep pace (new connects or SYNs per second) when neither --rate nor --fast is given:
 * gentle enough for the small TCP stacks of cheap devices. */
#define JCS_SWEEP_GENTLE_RATE 2000

/* Sweep pacing: how many more probes may leave at now_us, and milliseconds until the next one
 * may (0 when one may go now). rate 0: unpaced. */
/* The sweep's pace for this run: --rate, 0 with --fast, else JCS_SWEEP_GENTLE_RATE. */
int jcs_sweep_rate(const struct jcs_probe *p);
struct jcs_pace {
	int rate;
	int64_t t0_us;
	uint64_t sent;
};
uint64_t jcs_pace_allowed(const struct jcs_pace *pc, int64_t now_us);
int jcs_pace_wait_ms(const struct jcs_pace *pc, int64_t now_us);
int64_t jcs_now_us(void);

/* TCP sweep of list[0..n) (scan.c): the SYN engine (synscan.c) when the options allow it and
 * the process has CAP_NET_RAW, else non-blocking connects. on_open(arg, port) for each open
 * port as it is found (from the calling thread). st is filled also when the sweep ends early
 * (budget spent or the run stopped: JCS_ETIMEOUT / JCS_ELIMIT). */
int jcs_tcp_scan(struct jcs_probe *p, const int *list, size_t n, void (*on_open)(void *arg, int port),
		 void *arg, struct jcs_scan_stats *st, struct jcs_err *err);

/* The SYN sweep from a raw socket (synscan.c), IPv4. JCS_EPERM without CAP_NET_RAW and
 * JCS_EUNSUPPORTED for a target it cannot sweep (IPv6, loopback), before any probe is sent:
 * the caller falls back to connects. */
int jcs_syn_scan(struct jcs_probe *p, const struct sockaddr_in *dst, const int *list, size_t n,
		 void (*on_open)(void *arg, int port), void *arg, struct jcs_scan_stats *st, struct jcs_err *err);

/* One packet read from the raw socket: an answer to a SYN from src (network byte order) to
 * our port sport? Fills *port and *open (SYN-ACK) or closed (RST) when its acknowledgement
 * matches the cookie of that port (cookie(port) + 1). 0, or JCS_EPARSE / JCS_ENOTFOUND. */
int jcs_syn_parse(const uint8_t *b, size_t n, uint32_t src, uint16_t sport,
		  uint32_t (*cookie)(const void *key, uint16_t port), const void *key, int *port, bool *open);

#endif
