/* jcstar tls HOST[:PORT] [-o evidence.json]: assess the TLS configuration of one endpoint. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/cli.h"
#include "jcstar/evidence.h"
#include "jcstar/tls.h"

enum { O_SNI = CLI_OPT_FIRST_OWN, O_TIMEOUT, O_BUDGET, O_MAXCONN, O_PARALLEL };

static const struct cli_opt tls_opts[] = {
	{"port", 'p', "PORT", N_("the port (default 443, or the one in HOST:PORT)"), false},
	CLI_OUTPUT(N_("write the evidence (jcstar.evidence/1, kind probe) to FILE (- = stdout alone;\n"
		      "the summary then goes to stderr)")),
	CLI_FORMAT("text|json", N_("what stdout carries without -o: the summary (text, default) or the\n"
				  "evidence (json, the same as -o -)")),
	{"sni", O_SNI, "NAME", N_("server name to send (default: HOST when it is a name)"), false},
	{"timeout", O_TIMEOUT, "MS", N_("one connection including the handshake (default 4000)"), false},
	{"budget", O_BUDGET, "MS", N_("the whole assessment (default 30000)"), false},
	{"max-connections", O_MAXCONN, "N", N_("connection budget (default 300)"), false},
	{"parallel", O_PARALLEL, "N", N_("concurrent handshakes (default 8)"), false},
	CLI_FAIL_ON("fail|inconclusive", N_("fail: exit 1 when a finding failed; inconclusive: also when one is\n"
					   "inconclusive")),
	CLI_QUIET(N_("no summary, only errors")),
	CLI_VERBOSE(N_("accepted for symmetry")),
	{0},
};

const struct cli_cmd cli_spec_tls = {
	"tls", "HOST[:PORT] [-p PORT] [-o FILE] [--sni NAME] [--fail-on WHAT] [OPTIONS]",
	N_("Assess the TLS configuration of one endpoint (default port 443): protocol versions,\n"
	   "cipher suites judged against the CRYPTREC list, and the certificate. Prints a summary;\n"
	   "-o writes jcstar.evidence/1 (kind probe). IPv6: [ADDR]:PORT. See docs/tls.md."),
	tls_opts, 1, 1, "HOST[:PORT]",
	N_("0 done, nothing failed that --fail-on asks about\n1 --fail-on: a finding failed (or is inconclusive)\n"
	   "2 usage or a bad target\n3 runtime error: the host does not resolve, the connection is refused\n"
	   "  or nothing answered (no TLS server there)"),
};

static int parse_target(char *arg, char **host, int *port)
{
	char *colon;

	*port = 443;
	if (arg[0] == '[') {
		char *end = strchr(arg, ']');
		if (!end)
			return -1;
		*end = '\0';
		*host = arg + 1;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (!colon && end[1])
			return -1;
	} else {
		*host = arg;
		colon = strrchr(arg, ':');
		if (colon && strchr(arg, ':') != colon)
			colon = NULL; /* bare IPv6 address */
		if (colon)
			*colon = '\0';
	}
	if (colon) {
		char *e;
		long p = strtol(colon + 1, &e, 10);
		if (*e || p < 1 || p > 65535)
			return -1;
		*port = (int)p;
	}
	return **host ? 0 : -1;
}

/* One TCP connect before the assessment, so that a closed port or a silent host is named as such
 * (the assessment itself would only see every handshake fail): 0, or EXIT_RUNTIME after saying
 * why ("connection refused", "no answer", "cannot resolve"). */
static int reachable(const char *host, int port, int timeout_ms)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	char service[8];
	int rc, fd, err = 0;

	snprintf(service, sizeof(service), "%d", port);
	if ((rc = getaddrinfo(host, service, &hints, &res)) != 0) {
		cli_error(_("%s: cannot resolve: %s (give a host name or an address)"), host, gai_strerror(rc));
		return EXIT_RUNTIME;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = errno;
	} else if (connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
		err = errno;
		if (err == EINPROGRESS) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			socklen_t len = sizeof(err);
			rc = poll(&pfd, 1, timeout_ms);
			err = rc == 0 ? ETIMEDOUT : rc < 0 ? errno : 0;
			if (rc > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
				err = errno;
		}
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	if (err == 0)
		return 0;
	if (err == ECONNREFUSED)
		cli_error(_("%s port %d: connection refused (nothing listens there)"), host, port);
	else if (err == ETIMEDOUT)
		cli_error(_("%s port %d: no answer within %d ms"), host, port, timeout_ms);
	else
		cli_error("%s port %d: %s", host, port, strerror(err));
	return EXIT_RUNTIME;
}

static void tls_progress(void *arg, long done, long total)
{
	cli_progress(arg, N_("TLS handshakes"), done, total, "");
}

static int positive(const char *s, const char *what)
{
	char *e;
	long v = strtol(s, &e, 10);

	if (*e || v < 1 || v > 10000000) {
		cli_error("%s must be a positive number", what);
		return -1;
	}
	return (int)v;
}

static void print_summary(const struct jcs_evidence *ev, const json_t *svc, const char *target, FILE *h)
{
	const json_t *a = json_object_get(svc, "tls_assessment"), *v, *c, *cert;
	const char *k;
	size_t i;

	fprintf(h, "TLS assessment of %s: %lld connections, %.1f s%s\n\n", target,
	       (long long)json_integer_value(json_object_get(a, "connections")),
	       (double)json_integer_value(json_object_get(a, "elapsed_ms")) / 1000.0,
	       json_is_true(json_object_get(a, "budget_exhausted")) ? " (budget exhausted)" : "");
	fprintf(h, "%-9s %s\n", "VERSION", "STATE");
	json_object_foreach((json_t *)json_object_get(a, "versions"), k, v)
		fprintf(h, "%-9s %s\n", k, json_string_value(v));
	if (json_array_size(json_object_get(a, "ciphers"))) {
		fprintf(h, "\n%-8s %-7s %-48s %s\n", "VERSION", "VERDICT", "SUITE", "KEY EXCHANGE");
		json_array_foreach(json_object_get(a, "ciphers"), i, c) {
			const json_t *g = json_object_get(c, "kx_group");
			fprintf(h, "%-8s %-7s %-48s %s", json_string_value(json_object_get(c, "version")),
			       json_string_value(json_object_get(c, "verdict")), json_string_value(json_object_get(c, "name")),
			       g ? json_string_value(g) : "");
			if (g)
				fprintf(h, " %lld", (long long)json_integer_value(json_object_get(c, "kx_bits")));
			fputc('\n', h);
		}
	}
	cert = json_object_get(a, "certificate");
	if (cert)
		fprintf(h, "\ncertificate: %s %lld-bit, %s, %s .. %s%s\n  subject %s\n  issuer  %s\n",
		       json_string_value(json_object_get(cert, "key_type")),
		       (long long)json_integer_value(json_object_get(cert, "key_bits")),
		       json_string_value(json_object_get(cert, "signature")),
		       json_string_value(json_object_get(cert, "not_before")),
		       json_string_value(json_object_get(cert, "not_after")),
		       json_is_true(json_object_get(cert, "self_signed")) ? ", self-signed" : "",
		       json_string_value(json_object_get(cert, "subject")),
		       json_string_value(json_object_get(cert, "issuer")));
	fprintf(h, "\n%-13s %-22s %s\n", _("RESULT"), _("FINDING"), _("TITLE"));
	for (i = 0; i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		char tb[512];
		jcs_evidence_get(ev, i, &f);
		fprintf(h, "%-13s %-22s %s\n", cli_result(f.result), f.id, cli_title(&f, tb, sizeof(tb)));
	}
}

int cmd_tls(int argc, char **argv)
{
	struct jcs_tls_opts opts = {0};
	struct jcs_err err = {0};
	struct jcs_evidence *ev = NULL;
	struct cli_parse p = {0};
	struct cli_progress prog;
	enum cli_fail_on fail_on = CLI_FAIL_NONE;
	const char *out = NULL, *port_s = NULL;
	char *host, *target, subject[300];
	json_t *svc = NULL;
	int c, port, rc = EXIT_OK;

	while ((c = cli_getopt(&p, &cli_spec_tls, argc, argv)) != -1) {
		switch (c) {
		case CLI_EXIT: return p.exit;
		case 'p': port_s = p.arg; break;
		case CLI_OPT_OUTPUT: out = p.arg; break;
		case CLI_OPT_FORMAT:
			if (strcmp(p.arg, "json") == 0 && !out)
				out = "-";
			break;
		case O_SNI: opts.sni = p.arg; break;
		case O_TIMEOUT: if ((opts.timeout_ms = positive(p.arg, "--timeout")) < 0) return EXIT_USAGE; break;
		case O_BUDGET: if ((opts.budget_ms = positive(p.arg, "--budget")) < 0) return EXIT_USAGE; break;
		case O_MAXCONN: if ((opts.max_connections = positive(p.arg, "--max-connections")) < 0) return EXIT_USAGE; break;
		case O_PARALLEL: if ((opts.parallel = positive(p.arg, "--parallel")) < 0) return EXIT_USAGE; break;
		case CLI_OPT_FAIL_ON:
			if (cli_fail_on_parse(p.arg, "fail|inconclusive", &fail_on))
				return EXIT_USAGE;
			break;
		default: break;
		}
	}
	snprintf(subject, sizeof(subject), "%s", argv[p.ind]);
	target = argv[p.ind];
	if (parse_target(target, &host, &port)) {
		cli_error(_("bad target '%s' (HOST[:PORT] or [IPV6]:PORT)"), subject);
		return EXIT_USAGE;
	}
	if (port_s) {
		char *e;
		long v = strtol(port_s, &e, 10);
		if (strcmp(port_s, "-") == 0) {
			cli_error(_("tls assesses one endpoint: -p takes one port (jcstar probe -p- sweeps them all)"));
			return EXIT_USAGE;
		}
		if (*e || e == port_s || v < 1 || v > 65535) {
			cli_error(_("-p: '%s' is not a port (1-65535)"), port_s);
			return EXIT_USAGE;
		}
		port = (int)v;
		snprintf(subject, sizeof(subject), strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
	}
	if ((rc = reachable(host, port, opts.timeout_ms ? opts.timeout_ms : 4000)))
		return rc;
	ev = jcs_evidence_new("probe", subject);
	svc = json_pack("{s:i, s:s, s:s}", "port", port, "proto", "tcp", "service", "tls");
	if (!ev || !svc) {
		cli_error("out of memory");
		rc = EXIT_RUNTIME;
		goto out;
	}
	cli_progress_init(&prog);
	if (prog.on) {
		opts.progress = tls_progress;
		opts.progress_arg = &prog;
	}
	rc = jcs_tls_assess(host, port, &opts, ev, svc, &err);
	cli_progress_end(&prog);
	if (rc) {
		rc = cli_fail(&err);
		goto out;
	}
	json_array_append(jcs_evidence_section(ev, "services"), svc);
	jcs_evidence_finish(ev);
	if (cli_verbosity >= 0)
		print_summary(ev, svc, subject, cli_human(out));
	if (out && jcs_evidence_write(ev, out, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	if (fail_on)
		for (size_t i = 0; i < jcs_evidence_count(ev); i++) {
			struct jcs_finding f;
			jcs_evidence_get(ev, i, &f);
			if (f.result == JCS_FAIL || (f.result == JCS_INCONCLUSIVE && fail_on == CLI_FAIL_INCONCLUSIVE))
				rc = EXIT_FINDINGS;
		}
out:
	json_decref(svc);
	jcs_evidence_free(ev);
	return rc;
}
