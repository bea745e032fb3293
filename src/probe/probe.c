/* The probe engine: profiles and budgets, TCP scan, per-service workers (identify, describe,
 * credential checks), UDP probes, then findings and services[] in port order. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/blob.h"
#include "probe/tls.h"
#include "probe/probe.h"

#define SERVICE_WORKERS 8

struct profile {
	const char *name;
	const char *ports;
	int budget_s;
	long max_connections;
	int login_budget;
	int concurrency;
	int tls_ms;
};

/* Ports IoT devices commonly expose (telnet/web/cameras/MQTT/ADB/TR-069/TR-064/UPnP...). */
#define IOT_PORTS "21,22,23,25,53,80,81,82,83,84,88,443,554,1080,1723,1883,1900,2000,2323,3000,3306," \
		  "4443,4567,5000,5001,5060,5061,5222,5353,5357,5431,5555,6000,6001,6666,7000,7070,7547," \
		  "8000,8001,8008,8009,8060,8080,8081,8082,8088,8089,8181,8443,8554,8800,8843,8883,8888," \
		  "8899,9000,9001,9080,9090,9100,9443,9527,9999,10000,10001,18083,20000,32764,34567," \
		  "37215,37443,49000,49152,49153,50000,52869,55443,60001"

static const struct profile profiles[] = {
	{"quick", "21,22,23,80,443,554,1883,2323,5555,7547,8080,8443,8883,37215", 120, 2000, 10, 256, 10000},
	{"standard", IOT_PORTS, 600, 40000, 100000, 512, 30000},
	{"full", "all", 3600, 400000, 100000, 1024, 60000},
};

int jcs_needed_ports_parse(const char *s, struct jcs_needed_port **out, size_t *n, struct jcs_err *err)
{
	struct jcs_needed_port *v = NULL;
	size_t cnt = 0;
	const char *p = s;

	*out = NULL;
	*n = 0;
	while (p && *p) {
		char *end;
		long port = strtol(p, &end, 10);
		struct jcs_needed_port *bigger;

		if (end == p || port < 1 || port > 65535) {
			free(v);
			return jcs_err_set(err, JCS_EINVAL, "bad port in '%s' (want PORT[/tcp|/udp],...)", s);
		}
		if (!(bigger = realloc(v, (cnt + 1) * sizeof(*v)))) {
			free(v);
			return jcs_err_set(err, JCS_ENOMEM, "out of memory");
		}
		v = bigger;
		v[cnt].port = (int)port;
		v[cnt].udp = false;
		if (strncmp(end, "/udp", 4) == 0)
			v[cnt].udp = true, end += 4;
		else if (strncmp(end, "/tcp", 4) == 0)
			end += 4;
		cnt++;
		if (*end == ',')
			end++;
		else if (*end) {
			free(v);
			return jcs_err_set(err, JCS_EINVAL, "bad port list '%s' (want PORT[/tcp|/udp],...)", s);
		}
		p = end;
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* "1-1024,8080" or "all" into a sorted, de-duplicated list. */
static int parse_ports(const char *s, int **out, size_t *n, struct jcs_err *err)
{
	static unsigned char seen[65536];
	int *v = NULL;
	size_t cnt = 0;
	const char *p = s;

	memset(seen, 0, sizeof(seen));
	if (strcmp(s, "all") == 0)
		p = "1-65535";
	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b = a;
		if (end == p)
			goto bad;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		if (a < 1 || b > 65535 || b < a)
			goto bad;
		for (long i = a; i <= b; i++)
			seen[i] = 1;
		if (*end == ',')
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	for (int i = 1; i < 65536; i++)
		cnt += seen[i];
	if (!cnt || !(v = malloc(cnt * sizeof(*v))))
		goto bad;
	cnt = 0;
	for (int i = 1; i < 65536; i++)
		if (seen[i])
			v[cnt++] = i;
	*out = v;
	*n = cnt;
	return 0;
bad:
	return jcs_err_set(err, JCS_EINVAL, "bad port list '%s' (want e.g. 22,80,8000-8100 or all)", s);
}

/* Open ports are queued by the scan as it finds them; workers take them in turn. */
struct work {
	struct jcs_probe *p;
	struct jcs_service *svc; /* room for every scanned port (untouched pages cost nothing) */
	size_t n, next;          /* queued, taken (under lock) */
	bool scan_done;
	pthread_mutex_t lock;
	pthread_cond_t more;
	atomic_long done;
};

static void queue_open_port(void *arg, int port)
{
	struct work *w = arg;
	struct jcs_service *s;

	pthread_mutex_lock(&w->lock);
	s = &w->svc[w->n];
	s->port = port;
	s->facts = json_object();
	s->anon = -1; /* untested until a worker says otherwise */
	s->bf_result = -1;
	w->n++;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
}

static int cmp_service(const void *a, const void *b)
{
	return ((const struct jcs_service *)a)->port - ((const struct jcs_service *)b)->port;
}

/* The TLS assessment (probe/tls.h) into the service's own evidence, merged later in order. */
static void tls_assess(struct jcs_probe *p, struct jcs_service *s)
{
	struct jcs_tls_opts to = {.timeout_ms = p->o.timeout_ms * 2};
	int64_t left = jcs_probe_left_ms(p);
	json_t *facts = json_object();
	json_int_t used;

	to.budget_ms = (int)(left < p->tls_ms ? left : p->tls_ms);
	if (to.budget_ms <= 0 || !facts || !(s->tls_ev = jcs_evidence_new("probe", p->host))) {
		json_decref(facts);
		return;
	}
	jcs_tls_assess(p->host, s->port, &to, s->tls_ev, facts, NULL);
	json_object_set(s->facts, "tls_assessment", json_object_get(facts, "tls_assessment"));
	used = json_integer_value(json_object_get(json_object_get(facts, "tls_assessment"), "connections"));
	atomic_fetch_add(&p->connections, (long)used);
	json_decref(facts);
}

/* The services phase for the progress line: services done of all, and the step of the first
 * service (in the order found) still being examined, with how far that step is. */
static void services_progress(struct jcs_probe *p, struct work *w, size_t nopen)
{
	char phase[96];

	for (size_t i = 0; i < nopen; i++) {
		const char *step = atomic_load(&w->svc[i].step);
		if (!step)
			continue;
		snprintf(phase, sizeof(phase), "services %ld/%zu, tcp/%d: %s", atomic_load(&w->done), nopen,
			 w->svc[i].port, step);
		p->o.progress(p->o.progress_arg, phase, atomic_load(&w->svc[i].step_done),
			      atomic_load(&w->svc[i].step_total));
		return;
	}
	p->o.progress(p->o.progress_arg, "services", atomic_load(&w->done), (long)nopen);
}

static void *service_worker(void *arg)
{
	struct work *w = arg;

	for (;;) {
		struct jcs_service *s;

		pthread_mutex_lock(&w->lock);
		while (w->next >= w->n && !w->scan_done)
			pthread_cond_wait(&w->more, &w->lock);
		s = w->next < w->n ? &w->svc[w->next++] : NULL;
		pthread_mutex_unlock(&w->lock);
		if (!s || jcs_probe_left_ms(w->p) <= 0)
			break;
		s->examined = true;
		jcs_service_step(s, "identify", 0, 0);
		jcs_identify(w->p, s);
		if (s->proto && s->proto->describe && !w->p->o.scan_only)
			s->proto->describe(w->p, s);
		/* TLS first: the logins below may get the prober banned, and a ban must not be read as
		 * "no TLS handshake completed" */
		if (s->tls && !w->p->o.scan_only) {
			jcs_service_step(s, "TLS", 0, 0);
			tls_assess(w->p, s);
		}
		if (s->proto && !w->p->o.scan_only) {
			jcs_service_step(s, "logins", 0, 0);
			jcs_auth_service(w->p, s);
		}
		jcs_service_step(s, NULL, 0, 0);
		s->cut = jcs_probe_left_ms(w->p) <= 0;
		atomic_fetch_add(&w->done, 1);
	}
	return NULL;
}

static bool declared(const struct jcs_probe *p, int port, bool udp)
{
	for (size_t i = 0; i < p->o.nneeded; i++)
		if (p->o.needed[i].port == port && p->o.needed[i].udp == udp)
			return true;
	return false;
}

/* risky whenever exposed; SNMP is risky when a v1/v2c community answers ("risky" in its entry) */
static const char *const risky_udp[] = {"tftp", "ssdp", NULL};

/* probe.interface.risky for one exposed service. control: the object-by-object control check
 * of a control protocol (ECHONET Lite: "result" accepted / refused / incomplete) or NULL; its
 * refusal on every object is a pass, an unfinished check inconclusive, never a pass. */
static void risky_finding(struct jcs_probe *p, struct jcs_evidence *ev, const char *loc, int port, bool udp,
			  const char *name, bool risky, const json_t *control)
{
	bool have_decl = p->o.needed != NULL;
	bool decl = declared(p, port, udp);
	const char *res = json_string_value(json_object_get(control, "result"));

	if (risky)
		jcs_evidence_add(ev, "probe.interface.risky", JCS_FAIL, JCS_SEV_HIGH, loc,
				 res ? "Control protocol takes control from anyone (no authentication)"
				     : "Risky service exposed on the network",
				 json_pack("{s:s, s:b, s:O?}", "service", name, "declared_needed", decl, "control", control),
				 NULL);
	else if (have_decl && !decl)
		jcs_evidence_add(ev, "probe.interface.risky", JCS_FAIL, JCS_SEV_MEDIUM, loc,
				 "Open port not in the declared list of needed ports",
				 json_pack("{s:s}", "service", name), NULL);
	else if (res && strcmp(res, "refused") == 0)
		jcs_evidence_add(ev, "probe.interface.risky", JCS_PASS, JCS_SEV_NONE, loc,
				 "Control refused without authentication: every object of the node answered no",
				 json_pack("{s:s, s:O}", "service", name, "control", control), NULL);
	else if (res)
		jcs_evidence_add(ev, "probe.interface.risky", JCS_INCONCLUSIVE, JCS_SEV_NONE, loc,
				 "Control check not finished: whether the device takes control from anyone is unknown",
				 json_pack("{s:s, s:O}", "service", name, "control", control), NULL);
	else if (have_decl)
		jcs_evidence_add(ev, "probe.interface.risky", JCS_PASS, JCS_SEV_NONE, loc,
				 "Port declared as needed by the product", json_pack("{s:s}", "service", name), NULL);
}

/* A pass needs every pair of the whole list tried, each with a definite answer. Otherwise true,
 * with the reason in d. */
static bool cred_incomplete(const json_t *cred, json_t *d)
{
	json_int_t tried = json_integer_value(json_object_get(cred, "tried"));
	json_int_t total = json_integer_value(json_object_get(cred, "list_size"));
	json_int_t limit = json_integer_value(json_object_get(cred, "limit"));
	json_int_t errors = json_integer_value(json_object_get(cred, "errors"));
	char why[200];

	if (json_is_true(json_object_get(cred, "banned")))
		snprintf(why, sizeof(why), "the device stopped answering after %lld answers (banned or overloaded)",
			 (long long)json_integer_value(json_object_get(cred, "answered")));
	else if (limit < total)
		snprintf(why, sizeof(why), "the login budget allows %lld of the %lld pairs (--login-budget)",
			 (long long)limit, (long long)total);
	else if (tried < total)
		snprintf(why, sizeof(why), "the run ended after %lld of %lld pairs", (long long)tried, (long long)total);
	else if (errors)
		snprintf(why, sizeof(why), "%lld pair(s) got no definite answer after retries", (long long)errors);
	else if (!total)
		snprintf(why, sizeof(why), "the credential list is empty");
	else
		return false;
	json_object_set_new(d, "reason", json_string(why));
	return true;
}

/* Findings of one open TCP port. A port no worker reached, or whose examination the end of the
 * run cut short, goes into not_tested[]; the passes of a cut-short one become inconclusive. */
static void service_findings(struct jcs_probe *p, struct jcs_evidence *ev, struct jcs_service *s, json_t *services,
			     json_t *not_tested)
{
	const char *name = s->proto ? s->proto->name : "unknown";
	char loc[64];
	json_t *svc;
	bool risky = s->proto && s->proto->risky;
	size_t first = jcs_evidence_count(ev);

	if (json_is_true(json_object_get(s->facts, "tr064"))) {
		name = "tr064";
		risky = true;
	}
	if (json_is_true(json_object_get(s->facts, "control_write")))
		risky = true; /* a control protocol that takes writes from anyone (Modbus/TCP) */
	snprintf(loc, sizeof(loc), "tcp/%d (%s%s)", s->port, name, s->tls ? "/tls" : "");
	for (size_t i = 0; s->tls_ev && i < jcs_evidence_count(s->tls_ev); i++) {
		struct jcs_finding f;
		jcs_evidence_get(s->tls_ev, i, &f);
		jcs_evidence_add(ev, f.id, f.result, f.severity, loc, f.title,
				 f.details ? json_deep_copy(f.details) : NULL, NULL);
	}
	svc = json_pack("{s:i, s:s, s:s, s:b, s:s}", "port", s->port, "proto", "tcp", "service", name, "tls",
			s->tls, "banner", s->banner);
	json_object_update(svc, s->facts);
	json_array_append_new(services, svc);

	risky_finding(p, ev, loc, s->port, false, name, risky, json_object_get(s->facts, "control"));
	if (s->model[0])
		jcs_evidence_add(ev, "probe.model.identified", JCS_INFO, JCS_SEV_NONE, loc,
				 "Model published in the device description",
				 json_pack("{s:s, s:O?}", "model", s->model, "source", json_object_get(s->facts, "description")),
				 NULL);
	if (!s->examined) {
		jcs_evidence_add(ev, "probe.auth.none", JCS_INCONCLUSIVE, JCS_SEV_NONE, loc,
				 "Open port not examined: the run stopped first", NULL, NULL);
		json_array_append_new(not_tested, json_pack("{s:s, s:s}", "where", loc, "why",
							     "not examined: the run stopped or its budget ran out first"));
		return;
	}
	if (!s->proto)
		goto out;
	/* S1.1-01 */
	if (s->accepts_any)
		jcs_evidence_add(ev, "probe.auth.none", JCS_FAIL, JCS_SEV_CRITICAL, loc,
				 "Service accepts a made-up user name and password",
				 json_pack("{s:s}", "service", name), NULL);
	else if (s->anon == 1)
		jcs_evidence_add(ev, "probe.auth.none", JCS_FAIL, JCS_SEV_CRITICAL, loc,
				 "Access without credentials",
				 json_pack("{s:s, s:s}", "service", name, "how", s->anon_note.data ? s->anon_note.data : ""),
				 NULL);
	else if (s->anon == 0)
		jcs_evidence_add(ev, "probe.auth.none", JCS_PASS, JCS_SEV_NONE, loc, "Service requires authentication",
				 json_pack("{s:s, s:s}", "service", name, "how", s->anon_note.data ? s->anon_note.data : ""),
				 NULL);
	/* S1.1-02 */
	if (s->cred) {
		json_t *d = json_deep_copy(s->cred);
		json_object_set_new(d, "service", json_string(name));
		if (json_object_get(s->cred, "accepted"))
			jcs_evidence_add(ev, "probe.auth.default-credential", JCS_FAIL, JCS_SEV_CRITICAL, loc,
					 "Default credential accepted (confirmed)", d, NULL);
		else if (!cred_incomplete(s->cred, d))
			jcs_evidence_add(ev, "probe.auth.default-credential", JCS_PASS, JCS_SEV_NONE, loc,
					 "No default credential of the list accepted: every pair tried and refused", d, NULL);
		else
			jcs_evidence_add(ev, "probe.auth.default-credential", JCS_INCONCLUSIVE, JCS_SEV_NONE, loc,
					 "Default-credential list not completed", d, NULL);
	}
	/* S1.1-04 */
	if (s->bf)
		jcs_evidence_add(ev, "probe.auth.bruteforce", (enum jcs_result)s->bf_result,
				 s->bf_result == JCS_FAIL ? JCS_SEV_HIGH : JCS_SEV_NONE, loc,
				 json_is_false(json_object_get(s->bf, "applicable"))
					 ? "No password login: brute force not applicable"
				 : s->bf_result == JCS_PASS ? "Password guessing is blocked, locked out or held below the threshold"
				 : s->bf_result == JCS_FAIL ? "Password guessing is not limited enough"
							    : "Brute-force protection could not be judged",
				 json_incref(s->bf), NULL);
	else if (s->accepts_any)
		jcs_evidence_add(ev, "probe.auth.bruteforce", JCS_INCONCLUSIVE, JCS_SEV_NONE, loc,
				 "Brute-force protection could not be judged",
				 json_pack("{s:s, s:i, s:s}", "service", name, "port", s->port, "reason",
					   "the service accepts any credentials"),
				 NULL);
	/* S1.1-12 */
	if (s->proto->cleartext && (s->cred || s->accepts_any || s->anon == 1 || s->anon == 0)) {
		if (s->tls)
			jcs_evidence_add(ev, "probe.transport.plaintext", JCS_PASS, JCS_SEV_NONE, loc,
					 "Credentials and data travel inside TLS", json_pack("{s:s}", "service", name), NULL);
		else
			jcs_evidence_add(ev, "probe.transport.plaintext", JCS_FAIL, JCS_SEV_HIGH, loc,
					 "Credentials or data accepted over an unencrypted protocol",
					 json_pack("{s:s, s:s}", "service", name, "auth",
						   s->cred || s->accepts_any ? "password login in the clear" : "data in the clear"),
					 NULL);
	}
out:
	if (!s->cut)
		return;
	jcs_evidence_unfinished(ev, first, "the run stopped while this service was examined");
	json_array_append_new(not_tested, json_pack("{s:s, s:s}", "where", loc, "why",
						     "examination cut short: its passes are inconclusive"));
}

static int cmp_svc_port(const void *a, const void *b)
{
	return (int)json_integer_value(json_object_get(*(json_t *const *)a, "port")) -
	       (int)json_integer_value(json_object_get(*(json_t *const *)b, "port"));
}

/* First word of a vendor name, lower case letters and digits only ("Acme Corp." -> "acme"). */
static void vendor_key(const char *v, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n && v[i] && v[i] != ' ' && v[i] != ',' && o + 1 < outlen; i++)
		if (isalnum((unsigned char)v[i]))
			out[o++] = (char)tolower((unsigned char)v[i]);
	out[o] = 0;
}

/* Append one "user:pass" line unless the list already has it. */
static void add_pair(struct jcs_buf *b, const char *line, size_t n)
{
	char key[300];

	if (n + 3 > sizeof(key))
		return;
	snprintf(key, sizeof(key), "\n%.*s\n", (int)n, line);
	if (b->len && memmem(b->data, b->len, key, n + 2))
		return;
	jcs_buf_append(b, line, n);
	jcs_buf_putc(b, '\n');
}

/* The bundled list in the order attackers use it: the Mirai pairs, then the declared vendor's
 * defaults (data/creds/vendor.txt), then the rest, each pair once. */
void jcs_creds_ordered(const char *bundled, const char *vendor, struct jcs_buf *out)
{
	const struct jcs_blob *vb = jcs_blob_get("creds/vendor.txt");
	char want[64], have[64];
	bool mirai = true;

	vendor_key(vendor, strlen(vendor), want, sizeof(want));
	jcs_buf_putc(out, '\n'); /* so the first pair is found by add_pair's "\nuser:pass\n" */
	for (const char *l = bundled; l && *l;) {
		const char *end = strchr(l, '\n');
		size_t n = end ? (size_t)(end - l) : strlen(l);

		if (mirai && l[0] == '#') {
			mirai = false;
			for (const char *v = vb && want[0] ? (const char *)vb->data : NULL; v && *v;) {
				const char *ve = strchr(v, '\n'), *tab = memchr(v, '\t', ve ? (size_t)(ve - v) : strlen(v));
				size_t vn = ve ? (size_t)(ve - v) : strlen(v);

				if (tab) {
					vendor_key(v, (size_t)(tab - v), have, sizeof(have));
					if (strcmp(have, want) == 0)
						add_pair(out, tab + 1, vn - (size_t)(tab - v) - 1);
				}
				v = ve ? ve + 1 : NULL;
			}
		} else if (n && l[0] != '#') {
			add_pair(out, l, n);
		}
		l = end ? end + 1 : NULL;
	}
}

/* Ids a device test bears on: with nothing to test, each is explicitly inconclusive. */
static const char *const device_ids[] = {"probe.interface.risky", "probe.auth.none", "probe.auth.default-credential",
					 "probe.auth.bruteforce", "probe.transport.plaintext", NULL};

static bool has_result(const struct jcs_evidence *ev, const char *id, enum jcs_result r)
{
	for (size_t i = 0; i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		jcs_evidence_get(ev, i, &f);
		if (f.result == r && strcmp(f.id, id) == 0)
			return true;
	}
	return false;
}

/* The ports that never answered, as "1-3,7" (at most 4 KiB, then "...more"). */
static json_t *silent_ports(const struct jcs_scan_stats *st)
{
	struct jcs_buf b = JCS_BUF_INIT;
	json_t *j;

	for (int port = 1; port < 65536; port++) {
		int last = port;

		if (!(st->silent[port / 8] & (1u << (port % 8))))
			continue;
		while (last < 65535 && st->silent[(last + 1) / 8] & (1u << ((last + 1) % 8)))
			last++;
		if (b.len > 4096) {
			jcs_buf_puts(&b, ",...more");
			break;
		}
		jcs_buf_printf(&b, "%s%d", b.len ? "," : "", port);
		if (last > port)
			jcs_buf_printf(&b, "-%d", last);
		port = last;
	}
	j = jcs_buf_error(&b) ? NULL : json_string(b.data ? b.data : "");
	jcs_buf_free(&b);
	return j;
}

/* After the findings: the device-level conclusions of the sweep and the coverage section.
 * Nothing found is never a pass: no answer, or no service, is inconclusive; a full sweep that
 * found nothing risky or undeclared is the only probe.interface.risky pass for the device. */
static int coverage(struct jcs_probe *p, struct jcs_evidence *ev, const struct jcs_scan_stats *st, size_t nports,
		    size_t nopen, size_t nudp, const char *stopped, json_t *not_tested, struct jcs_err *err)
{
	bool complete = !stopped, full = nports == 65535;
	json_t *cov, *d, *silent;

	if (!stopped && nopen == 0 && nudp == 0) {
		const char *why = st->closed ? "the host answered (closed ports) but no TCP port of the list is open and no UDP service answered"
					     : "no answer from the host: no port open or closed, no UDP service (down, filtered or the wrong address)";
		for (size_t i = 0; device_ids[i]; i++)
			jcs_evidence_add(ev, device_ids[i], JCS_INCONCLUSIVE, JCS_SEV_NONE, p->host,
					 st->closed ? "No service found: nothing to test" : "No responsive host: nothing to test",
					 json_pack("{s:s, s:I, s:I, s:I}", "reason", why, "ports_swept", (json_int_t)st->swept,
						   "closed", (json_int_t)st->closed, "filtered", (json_int_t)st->filtered),
					 NULL);
		json_array_append_new(not_tested, json_pack("{s:s, s:s}", "where", p->host, "why", why));
		complete = false;
	} else if (stopped) {
		jcs_evidence_add(ev, "probe.interface.risky", JCS_INCONCLUSIVE, JCS_SEV_NONE, p->host,
				 "The run ended before every port and service was examined",
				 json_pack("{s:s, s:I, s:I, s:I}", "reason", stopped, "ports_listed", (json_int_t)nports,
					   "ports_swept", (json_int_t)st->swept, "connections",
					   (json_int_t)atomic_load(&p->connections)),
				 NULL);
	} else if (has_result(ev, "probe.interface.risky", JCS_FAIL) ||
		   has_result(ev, "probe.interface.risky", JCS_INCONCLUSIVE)) {
		/* the failures, or the service checks that could not finish, say it all */
	} else if (!full || p->o.scan_only || !p->o.needed) {
		d = json_pack("{s:s, s:I, s:b, s:b}", "reason",
			      !full		 ? "only part of the TCP port range was swept (--ports all sweeps every port)"
			      : p->o.scan_only ? "--scan-only: the UDP services were not probed"
					       : "no declared list of needed ports (--declaration or --needed-ports) to tell undeclared ports",
			      "ports_swept", (json_int_t)st->swept, "udp_probed", !p->o.scan_only, "declared", p->o.needed != NULL);
		jcs_evidence_add(ev, "probe.interface.risky", JCS_INCONCLUSIVE, JCS_SEV_NONE, p->host,
				 "Nothing risky or undeclared seen, but the sweep cannot show there is nothing else", d, NULL);
	} else {
		jcs_evidence_add(ev, "probe.interface.risky", JCS_PASS, JCS_SEV_NONE, p->host,
				 "No risky or undeclared interface: every TCP port swept and the UDP services probed",
				 json_pack("{s:I, s:I, s:I, s:I}", "tcp_ports_swept", (json_int_t)st->swept, "tcp_open",
					   (json_int_t)nopen, "udp_services", (json_int_t)nudp, "declared_ports",
					   (json_int_t)p->o.nneeded),
				 NULL);
	}
	complete = complete && json_array_size(not_tested) == 0;
	silent = silent_ports(st);
	cov = json_pack("{s:b, s:s?, s:{s:I, s:I, s:I, s:I, s:I, s:b}, s:s, s:I, s:I, s:O}", "complete", complete,
			"stopped", stopped, "tcp", "ports_listed", (json_int_t)nports, "ports_swept",
			(json_int_t)st->swept, "open", (json_int_t)st->open, "closed", (json_int_t)st->closed,
			"no_answer", (json_int_t)st->filtered, "full_range", full, "udp",
			p->o.scan_only ? "not probed (--scan-only)" : stopped && nudp == 0 ? "not probed or cut short" : "probed",
			"udp_services", (json_int_t)nudp, "connections", (json_int_t)atomic_load(&p->connections),
			"not_tested", not_tested);
	if (cov) {
		/* how the sweep ran, and the ports that never answered: not tested, never closed */
		json_t *tcp = json_object_get(cov, "tcp");
		json_object_set_new(tcp, "engine", json_string(st->engine ? st->engine : "connect"));
		if (st->fallback)
			json_object_set_new(tcp, "engine_note", json_string(st->fallback));
		json_object_set_new(tcp, "tries", json_integer(st->tries));
		json_object_set_new(tcp, "duration_ms", json_integer(st->duration_ms));
		json_object_set_new(tcp, "rate", jcs_sweep_rate(p) ? json_integer(jcs_sweep_rate(p)) : json_string("unpaced (--fast)"));
		json_object_set_new(tcp, "no_answer_ports", silent ? silent : json_string(""));
		silent = NULL;
	}
	json_decref(silent);
	if (cov && !p->o.scan_only)
		json_object_set_new(cov, "checks", json_pack("[s, s, s, s, s]", "identification", "access without credentials",
							     "default credentials", "brute-force series", "TLS"));
	return jcs_evidence_set_coverage(ev, cov) ? jcs_err_set(err, JCS_ENOMEM, "out of memory") : 0;
}

int jcs_probe_run(const char *host, const struct jcs_probe_opts *opts, struct jcs_evidence *ev,
		  struct jcs_err *err)
{
	struct jcs_probe p = {.host = host};
	const struct profile *prof = &profiles[1];
	const char *profile = opts->profile ? opts->profile : "standard";
	struct jcs_service *svc = NULL;
	int *ports = NULL;
	size_t nports = 0, nopen = 0;
	struct work w = {0};
	pthread_t th[SERVICE_WORKERS];
	int nth = 0, rc;
	json_t *services = jcs_evidence_section(ev, "services"), *udp = json_array(), *not_tested = json_array();
	struct jcs_scan_stats st = {0};
	struct jcs_buf creds = JCS_BUF_INIT;
	const char *stopped = NULL;
	const struct jcs_blob *bundled = jcs_blob_get("creds/default.txt");

	pthread_mutex_init(&p.rate_lock, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(profiles[i].name, profile) == 0)
			prof = &profiles[i];
	if (strcmp(prof->name, profile) != 0) {
		rc = jcs_err_set(err, JCS_EINVAL, "unknown profile '%s' (quick, standard or full)", profile);
		goto out;
	}
	p.o = *opts;
	p.o.max_attempts = opts->max_attempts > 0 ? opts->max_attempts : 1000;
	p.o.bf_window_s = opts->bf_window_s > 0 ? opts->bf_window_s : 60;
	p.o.bf_parallel = opts->bf_parallel > 0 ? opts->bf_parallel : 8;
	p.o.bf_max_per_min = opts->bf_max_per_min > 0 ? opts->bf_max_per_min : 10;
	p.o.concurrency = opts->concurrency > 0 ? opts->concurrency : prof->concurrency;
	p.o.timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 1500;
	p.o.budget_s = opts->budget_s > 0 ? opts->budget_s : prof->budget_s;
	p.o.max_connections = opts->max_connections > 0 ? opts->max_connections : prof->max_connections;
	p.o.login_budget = opts->login_budget > 0 ? opts->login_budget : prof->login_budget;
	p.tls_ms = prof->tls_ms;
	p.deadline = jcs_now_ms() + (int64_t)p.o.budget_s * 1000;
	p.nonce = opts->nonce ? opts->nonce : (unsigned)(time(NULL) ^ getpid()) % 100000 + 1;
	p.creds = opts->creds_text ? opts->creds_text : bundled ? (const char *)bundled->data : "";
	if (!opts->creds_text && bundled && opts->vendor) {
		jcs_creds_ordered((const char *)bundled->data, opts->vendor, &creds);
		p.creds = creds.data ? creds.data : p.creds;
	}
	if (!services || !udp || !not_tested) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = parse_ports(opts->ports ? opts->ports : prof->ports, &ports, &nports, err)))
		goto out;
	if (opts->max_connections <= 0)
		p.o.max_connections += (long)nports; /* the sweep itself is not what the budget is for */
	if (opts->concurrency <= 0 && nports > 10000)
		p.o.concurrency = 2048;          /* wide sweeps: more connects in flight */
	if (!(svc = calloc(nports, sizeof(*svc)))) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	w.p = &p;
	w.svc = svc;
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.more, NULL);
	for (int i = 0; i < SERVICE_WORKERS; i++)
		if (pthread_create(&th[nth], NULL, service_worker, &w) == 0)
			nth++;
	if (p.o.progress)
		p.o.progress(p.o.progress_arg, "tcp scan", 0, (long)nports);
	rc = jcs_tcp_scan(&p, ports, nports, queue_open_port, &w, &st, err);
	if (rc == JCS_ETIMEOUT || rc == JCS_ELIMIT) {
		stopped = rc == JCS_ELIMIT && jcs_probe_left_ms(&p) > 0 ? "connection budget spent during the sweep" : NULL;
		rc = 0; /* what was found is examined and reported; the coverage says what is missing */
	}
	pthread_mutex_lock(&w.lock);
	w.scan_done = true;
	pthread_cond_broadcast(&w.more);
	pthread_mutex_unlock(&w.lock);
	nopen = w.n;
	/* UDP while the TCP services are examined */
	if (p.o.progress)
		p.o.progress(p.o.progress_arg, "udp probes", 0, 8);
	if (!p.o.scan_only && !rc && jcs_probe_left_ms(&p) > 0)
		jcs_udp_scan(&p, ev, udp);
	for (int i = 0; i < nth; i++) {
		while (p.o.progress && atomic_load(&w.done) < (long)nopen && jcs_probe_left_ms(&p) > 0 && i == 0) {
			services_progress(&p, &w, nopen);
			usleep(250000);
		}
		pthread_join(th[i], NULL);
	}
	pthread_mutex_destroy(&w.lock);
	pthread_cond_destroy(&w.more);
	if (rc)
		goto out;
	if (p.o.stop && atomic_load(p.o.stop))
		stopped = "interrupted";
	else if (!stopped && jcs_probe_left_ms(&p) <= 0)
		stopped = "time budget spent";
	qsort(svc, nopen, sizeof(*svc), cmp_service);
	for (size_t i = 0; i < nopen; i++)
		service_findings(&p, ev, &svc[i], services, not_tested);
	for (size_t i = 0; i < json_array_size(udp); i++) {
		json_t *u = json_array_get(udp, i);
		const char *name = json_string_value(json_object_get(u, "service"));
		int port = (int)json_integer_value(json_object_get(u, "port"));
		bool risky = json_is_true(json_object_get(u, "risky"));
		char loc[64];

		for (size_t k = 0; risky_udp[k]; k++)
			risky = risky || strcmp(risky_udp[k], name) == 0;
		snprintf(loc, sizeof(loc), "udp/%d (%s)", port, name);
		risky_finding(&p, ev, loc, port, true, name, risky, json_object_get(u, "control"));
		json_array_append(services, u);
	}
	{
		/* services[] in port order (tcp before udp at equal ports is kept by a stable pass) */
		size_t n = json_array_size(services);
		json_t **v = calloc(n ? n : 1, sizeof(*v));
		if (v) {
			for (size_t i = 0; i < n; i++)
				v[i] = json_incref(json_array_get(services, i));
			qsort(v, n, sizeof(*v), cmp_svc_port);
			json_array_clear(services);
			for (size_t i = 0; i < n; i++)
				json_array_append_new(services, v[i]);
			free(v);
		}
	}
	rc = coverage(&p, ev, &st, nports, nopen, json_array_size(udp), stopped, not_tested, err);
out:
	for (size_t i = 0; svc && i < nopen; i++) {
		json_decref(svc[i].facts);
		json_decref(svc[i].cred);
		json_decref(svc[i].bf);
		jcs_evidence_free(svc[i].tls_ev);
		jcs_buf_free(&svc[i].anon_note);
	}
	free(svc);
	free(ports);
	json_decref(udp);
	json_decref(not_tested);
	jcs_buf_free(&creds);
	pthread_mutex_destroy(&p.rate_lock);
	curl_global_cleanup();
	return rc;
}

/* --- S1.1-14: compare with a baseline run --- */

static json_t *service_keys(const json_t *root)
{
	json_t *set = json_object(), *a = json_object_get(root, "services"), *s;
	size_t i;

	json_array_foreach(a, i, s) {
		char key[96];
		snprintf(key, sizeof(key), "%s/%lld %s", json_string_value(json_object_get(s, "proto")),
			 (long long)json_integer_value(json_object_get(s, "port")),
			 json_string_value(json_object_get(s, "service")));
		json_object_set_new(set, key, json_true());
	}
	return set;
}

/* Result of finding id at location in ev, or -1. */
static int result_at(const struct jcs_evidence *ev, const char *id, const char *loc)
{
	for (size_t i = 0; i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		jcs_evidence_get(ev, i, &f);
		if (strcmp(f.id, id) == 0 && strcmp(f.location, loc) == 0 && f.result == JCS_FAIL)
			return JCS_FAIL;
		if (strcmp(f.id, id) == 0 && strcmp(f.location, loc) == 0 && f.result == JCS_PASS)
			return JCS_PASS;
	}
	return -1;
}

int jcs_probe_compare(struct jcs_evidence *ev, const struct jcs_evidence *baseline, struct jcs_err *err)
{
	json_t *now = service_keys(jcs_evidence_json(ev)), *before = service_keys(jcs_evidence_json(baseline));
	json_t *added = json_array(), *removed = json_array(), *v;
	const char *k;
	int changes = 0, rc = 0;
	static const char *const reverted_ids[] = {"probe.auth.none", "probe.auth.default-credential",
						   "probe.auth.bruteforce", "probe.transport.plaintext", NULL};

	if (!now || !before || !added || !removed) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	json_object_foreach(now, k, v)
		if (!json_object_get(before, k))
			json_array_append_new(added, json_string(k));
	json_object_foreach(before, k, v)
		if (!json_object_get(now, k))
			json_array_append_new(removed, json_string(k));
	if (json_array_size(added)) {
		changes++;
		jcs_evidence_add(ev, "probe.persistence.reverted", JCS_FAIL, JCS_SEV_HIGH, jcs_evidence_subject(ev),
				 "Services appeared that the baseline did not have",
				 json_pack("{s:O, s:O}", "added", added, "removed", removed), NULL);
	} else if (json_array_size(removed)) {
		jcs_evidence_add(ev, "probe.persistence.reverted", JCS_INFO, JCS_SEV_NONE, jcs_evidence_subject(ev),
				 "Services of the baseline are gone", json_pack("{s:O}", "removed", removed), NULL);
	}
	/* a check that passed in the baseline and fails now: defaults or open access came back */
	for (size_t i = 0; i < jcs_evidence_count(baseline); i++) {
		struct jcs_finding f;
		jcs_evidence_get(baseline, i, &f);
		for (size_t r = 0; reverted_ids[r]; r++)
			if (strcmp(f.id, reverted_ids[r]) == 0 && f.result == JCS_PASS &&
			    result_at(ev, f.id, f.location) == JCS_FAIL) {
				changes++;
				jcs_evidence_add(ev, "probe.persistence.reverted", JCS_FAIL, JCS_SEV_CRITICAL, f.location,
						 strcmp(f.id, "probe.auth.default-credential") == 0
							 ? "Credentials reverted to a default after the restart"
						 : strcmp(f.id, "probe.auth.none") == 0
							 ? "Authentication disappeared after the restart"
							 : "A protection of the baseline is gone after the restart",
						 json_pack("{s:s, s:s, s:s}", "check", f.id, "baseline", "pass", "now", "fail"),
						 NULL);
			}
	}
	if (!changes)
		jcs_evidence_add(ev, "probe.persistence.reverted", JCS_PASS, JCS_SEV_NONE, jcs_evidence_subject(ev),
				 "Same services and authentication results as the baseline",
				 json_pack("{s:i}", "baseline_services", (int)json_object_size(before)), NULL);
out:
	json_decref(now);
	json_decref(before);
	json_decref(added);
	json_decref(removed);
	return rc;
}
