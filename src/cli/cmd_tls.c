/* jcstar tls HOST[:PORT] [-o evidence.json]: assess the TLS configuration of one endpoint. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "jcstar/evidence.h"
#include "jcstar/tls.h"

static const char usage_text[] =
	"usage: jcstar tls HOST[:PORT] [-o FILE] [--sni NAME] [--timeout MS] [--budget MS]\n"
	"                  [--max-connections N] [--parallel N] [--fail-on fail|inconclusive]\n"
	"Assess the TLS configuration of one endpoint (default port 443): protocol versions,\n"
	"cipher suites judged against the CRYPTREC list, and the certificate. Prints a summary;\n"
	"-o writes jcstar.evidence/1 (kind probe). IPv6: [ADDR]:PORT. See docs/jcstar-tls.1.md.\n"
	"  --timeout MS          one connection incl. handshake (default 4000)\n"
	"  --budget MS           the whole assessment (default 30000)\n"
	"  --max-connections N   connection budget (default 300)\n"
	"  --parallel N          concurrent handshakes (default 8)\n"
	"  --fail-on R           exit 1 when a finding is R (fail) or worse (inconclusive)\n";

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
	fprintf(h, "\n%-13s %-22s %s\n", "RESULT", "FINDING", "TITLE");
	for (i = 0; i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		jcs_evidence_get(ev, i, &f);
		fprintf(h, "%-13s %-22s %s\n", jcs_result_name(f.result), f.id, f.title);
	}
}

int cmd_tls(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"sni", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 't'},
		{"budget", required_argument, NULL, 'b'},
		{"max-connections", required_argument, NULL, 'm'},
		{"parallel", required_argument, NULL, 'p'},
		{"fail-on", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct jcs_tls_opts opts = {0};
	struct jcs_err err = {0};
	struct jcs_evidence *ev = NULL;
	const char *out = NULL, *fail_on = NULL;
	char *host, *target, subject[300];
	json_t *svc = NULL;
	int c, port, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's': opts.sni = optarg; break;
		case 't': if ((opts.timeout_ms = positive(optarg, "--timeout")) < 0) return EXIT_USAGE; break;
		case 'b': if ((opts.budget_ms = positive(optarg, "--budget")) < 0) return EXIT_USAGE; break;
		case 'm': if ((opts.max_connections = positive(optarg, "--max-connections")) < 0) return EXIT_USAGE; break;
		case 'p': if ((opts.parallel = positive(optarg, "--parallel")) < 0) return EXIT_USAGE; break;
		case 'f': fail_on = optarg; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: fputs(usage_text, stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (fail_on && strcmp(fail_on, "fail") && strcmp(fail_on, "inconclusive")) {
		cli_error("--fail-on must be fail or inconclusive");
		return EXIT_USAGE;
	}
	snprintf(subject, sizeof(subject), "%s", argv[optind]);
	target = argv[optind];
	if (parse_target(target, &host, &port)) {
		cli_error("bad target '%s' (HOST[:PORT] or [IPV6]:PORT)", subject);
		return EXIT_USAGE;
	}
	ev = jcs_evidence_new("probe", subject);
	svc = json_pack("{s:i, s:s, s:s}", "port", port, "proto", "tcp", "service", "tls");
	if (!ev || !svc) {
		cli_error("out of memory");
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (cli_stderr_is_tty())
		fprintf(stderr, "jcstar: assessing TLS on %s ...\r", subject);
	if (jcs_tls_assess(host, port, &opts, ev, svc, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	json_array_append(jcs_evidence_section(ev, "services"), svc);
	jcs_evidence_finish(ev);
	print_summary(ev, svc, subject, cli_human(out));
	if (out && jcs_evidence_write(ev, out, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	if (fail_on)
		for (size_t i = 0; i < jcs_evidence_count(ev); i++) {
			struct jcs_finding f;
			jcs_evidence_get(ev, i, &f);
			if (f.result == JCS_FAIL || (f.result == JCS_INCONCLUSIVE && !strcmp(fail_on, "inconclusive")))
				rc = EXIT_FINDINGS;
		}
out:
	json_decref(svc);
	jcs_evidence_free(ev);
	return rc;
}
