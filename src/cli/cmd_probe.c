/* jcstar probe TARGET [options]: live device assessment (docs/jcstar-probe.1.md). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "jcstar/buf.h"
#include "jcstar/declaration.h"
#include "jcstar/probe.h"

enum { O_PROFILE = CLI_OPT_FIRST_OWN, O_CREDS, O_MAXATT, O_NEEDED, O_DECL, O_COMPARE, O_RATE, O_CONC,
       O_TIMEOUT, O_BUDGET, O_MAXCONN, O_LOGINB, O_FAILF, O_SCANONLY, O_BFW, O_BFP, O_BFR, O_FAST, O_SWEEP };

static const struct cli_opt opts[] = {
	{"ports", 'p', "LIST", N_("TCP ports to sweep, nmap style: 22,80,8000-8100; -p- or 'all' = 1-65535\n"
				 "(default: the profile's list)"), false},
	{"profile", O_PROFILE, "NAME", N_("quick, standard (default) or full: port list, concurrency, budgets"), false},
	{"creds", O_CREDS, "FILE", N_("extra credential pairs to try (user:password per line)"), false},
	{"max-attempts", O_MAXATT, "N", N_("cap on failed logins in the brute-force observation (1-1000)"), false},
	{"needed-ports", O_NEEDED, "LIST", N_("ports the product needs (S1.1-13): others open are findings"), false},
	{"declaration", O_DECL, "FILE", N_("the vendor's declaration: its vendor name and needed ports"), false},
	{"compare", O_COMPARE, "FILE", N_("a baseline evidence file: services new since then are findings"), false},
	CLI_OUTPUT(N_("write the evidence (jcstar.evidence/1) to FILE (- = stdout alone; the summary\n"
		      "then goes to stderr)")),
	CLI_FORMAT("text|json", N_("what stdout carries without -o: the summary (text, default) or the\n"
				  "evidence (json, the same as -o -)")),
	{"rate", O_RATE, "N", N_("probes per second in the sweep (default 2000: gentle on fragile devices)"), false},
	{"fast", O_FAST, NULL, N_("sweep as fast as the link allows, one loop per core (devices you know\n"
				  "can take it)"), false},
	{"sweep", O_SWEEP, "syn|connect", N_("sweep engine: raw SYN (needs CAP_NET_RAW; the default when the\n"
					     "process has it) or TCP connect (the fallback)"), false},
	{"concurrency", O_CONC, "N", N_("connections in flight in the sweep (1-4096)"), false},
	{"timeout", O_TIMEOUT, "MS", N_("one connection's timeout (50-60000 ms)"), false},
	{"budget", O_BUDGET, "S", N_("the whole probe's time budget in seconds"), false},
	{"max-connections", O_MAXCONN, "N", N_("connection budget of the whole probe"), false},
	{"login-budget", O_LOGINB, "N", N_("login attempts per service for the default-credential list"), false},
	{"scan-only", O_SCANONLY, NULL, N_("sweep and identify only: no logins, no brute force"), false},
	{"bf-window", O_BFW, "S", N_("brute-force observation window in seconds (1-3600)"), false},
	{"bf-parallel", O_BFP, "N", N_("parallel connections of the brute-force observation (1-64)"), false},
	{"bf-max-rate", O_BFR, "PER_MIN", N_("the aggregate guess rate above which brute force fails"), false},
	CLI_FAIL_ON("fail|inconclusive", N_("fail: exit 1 when a finding failed; inconclusive: also when one is\n"
					   "inconclusive")),
	CLI_QUIET(N_("no summary, only errors")),
	CLI_VERBOSE(N_("the progress phases as lines on stderr, even when it is not a terminal")),
	{"fail-on-findings", O_FAILF, NULL, N_("= --fail-on fail"), true},
	{0},
};

const struct cli_cmd cli_spec_probe = {
	"probe", "TARGET [-p LIST|-p-] [--profile NAME] [-o FILE] [--fail-on WHAT] [OPTIONS]",
	N_("Assess a device over the network: open ports identified by what they speak, access\n"
	   "without credentials, default credentials (confirmed), brute-force protection,\n"
	   "cleartext protocols, risky or undeclared interfaces. TARGET is a host name or an\n"
	   "address, not a URL. Probe only devices you own."),
	opts, 1, 1, "TARGET",
	N_("0 done, nothing failed that --fail-on asks about\n1 --fail-on: a finding failed (or is inconclusive)\n"
	   "2 usage, a bad or missing input file, a TARGET that is a URL\n3 runtime error (TARGET does not resolve, network)\n"
	   "4 incomplete: no responsive host or service, interrupted, out of budget (the evidence is written)"),
};

/* SIGINT / SIGTERM: the probe winds down and the evidence so far is written, marked
 * incomplete. The handler resets itself, so a second signal ends the process at once. */
static atomic_int stop_signal;

static void on_stop(int sig)
{
	atomic_store(&stop_signal, sig);
}

static void progress(void *arg, const char *phase, long done, long total)
{
	struct cli_progress *p = arg;

	if (cli_verbosity > 0 && strcmp(p->phase, phase)) {
		/* -v: one line per phase */
		snprintf(p->phase, sizeof(p->phase), "%s", phase);
		fprintf(stderr, "jcstar: %s (%ld)\n", _(phase), total);
		return;
	}
	/* the brute-force window counts seconds ("... (s)") */
	cli_progress(p, phase, done, total, strstr(phase, "(s)") ? "s" : "");
}

static long num_arg(const char *s, long lo, long hi, const char *what, bool *bad)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == 0 || *end || v < lo || v > hi) {
		cli_error("%s must be a number from %ld to %ld", what, lo, hi);
		*bad = true;
	}
	return v;
}

static void print_summary(const struct jcs_evidence *ev, FILE *h)
{
	const json_t *services = json_object_get(jcs_evidence_json(ev), "services");
	const json_t *s;
	size_t i, nfail = 0;

	fprintf(h, "%-10s %-8s %-4s %s\n", "PORT", "SERVICE", "TLS", "BANNER");
	json_array_foreach(services, i, s) {
		char port[16];
		snprintf(port, sizeof(port), "%lld/%s", (long long)json_integer_value(json_object_get(s, "port")),
			 json_string_value(json_object_get(s, "proto")));
		fprintf(h, "%-10s %-8s %-4s %.60s\n", port, json_string_value(json_object_get(s, "service")),
		       json_is_true(json_object_get(s, "tls")) ? "yes" : "no",
		       json_string_value(json_object_get(s, "banner")) ? json_string_value(json_object_get(s, "banner")) : "");
	}
	fprintf(h, "\n%-13s %-30s %-22s %s\n", _("RESULT"), _("FINDING"), _("WHERE"), _("DETAIL"));
	for (i = 0; i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		const char *detail = f.title;
		const json_t *acc;

		char extra[200] = "", tb[512];
		jcs_evidence_get(ev, i, &f);
		detail = cli_title(&f, tb, sizeof(tb));
		if ((acc = json_object_get(f.details, "accepted")))
			snprintf(extra, sizeof(extra), " %s:%s", json_string_value(json_object_get(acc, "user")),
				 json_string_value(json_object_get(acc, "password")));
		else if (json_object_get(f.details, "reason"))
			snprintf(extra, sizeof(extra), " — %s", json_string_value(json_object_get(f.details, "reason")));
		fprintf(h, "%-13s %-30s %-22s %s%s\n", cli_result(f.result), f.id, f.location, detail, extra);
		nfail += f.result == JCS_FAIL;
	}
	fprintf(h, "\n%zu services, %zu findings, %zu failed\n", json_array_size(services), jcs_evidence_count(ev), nfail);
	{
		const json_t *cov = json_object_get(jcs_evidence_json(ev), "coverage");
		const json_t *tcp = json_object_get(cov, "tcp");
		fprintf(h, "coverage: %lld of %lld TCP ports swept (%lld open, %lld closed, %lld no answer), UDP %s%s\n",
		       (long long)json_integer_value(json_object_get(tcp, "ports_swept")),
		       (long long)json_integer_value(json_object_get(tcp, "ports_listed")),
		       (long long)json_integer_value(json_object_get(tcp, "open")),
		       (long long)json_integer_value(json_object_get(tcp, "closed")),
		       (long long)json_integer_value(json_object_get(tcp, "no_answer")),
		       json_string_value(json_object_get(cov, "udp")) ? json_string_value(json_object_get(cov, "udp")) : "?",
		       json_is_false(json_object_get(cov, "complete")) ? "; INCOMPLETE" : "");
	}
}

static const char *incomplete_reason(const struct jcs_evidence *ev)
{
	const json_t *cov = json_object_get(jcs_evidence_json(ev), "coverage");
	const char *stopped = json_string_value(json_object_get(cov, "stopped"));
	const json_t *nt = json_array_get(json_object_get(cov, "not_tested"), 0);

	if (stopped)
		return stopped;
	return nt ? json_string_value(json_object_get(nt, "why")) : "see coverage in the evidence";
}

int cmd_probe(int argc, char **argv)
{
	struct jcs_probe_opts o = {0};
	struct jcs_buf creds = JCS_BUF_INIT;
	struct jcs_needed_port *needed = NULL;
	struct jcs_evidence *ev = NULL, *base = NULL;
	struct jcs_declaration *decl = NULL;
	struct cli_progress prog;
	struct cli_parse p = {0};
	const char *decl_path = NULL, *creds_path = NULL;
	const char *out = NULL, *compare = NULL, *needed_s = NULL, *target;
	struct jcs_err err = {0};
	enum cli_fail_on fail_on = CLI_FAIL_NONE;
	bool bad = false;
	size_t nneeded = 0;
	int c, rc = EXIT_OK;

	while ((c = cli_getopt(&p, &cli_spec_probe, argc, argv)) != -1) {
		switch (c) {
		case CLI_EXIT: return p.exit;
		case 'p': o.ports = strcmp(p.arg, "-") == 0 ? "all" : p.arg; break; /* -p- */
		case O_PROFILE: o.profile = p.arg; break;
		case O_CREDS: creds_path = p.arg; break;
		case O_MAXATT: o.max_attempts = (int)num_arg(p.arg, 1, 1000, "--max-attempts", &bad); break;
		case O_NEEDED: needed_s = p.arg; break;
		case O_DECL: decl_path = p.arg; break;
		case O_COMPARE: compare = p.arg; break;
		case CLI_OPT_OUTPUT: out = p.arg; break;
		case CLI_OPT_FORMAT:
			if (strcmp(p.arg, "json") == 0 && !out)
				out = "-";
			break;
		case O_RATE: o.rate = (int)num_arg(p.arg, 1, 1000000, "--rate", &bad); break;
		case O_FAST: o.fast = true; break;
		case O_SWEEP:
			if (strcmp(p.arg, "syn") != 0 && strcmp(p.arg, "connect") != 0) {
				cli_error(_("--sweep must be syn or connect, not '%s'"), p.arg);
				bad = true;
			}
			o.sweep = p.arg;
			break;
		case O_CONC: o.concurrency = (int)num_arg(p.arg, 1, 4096, "--concurrency", &bad); break;
		case O_TIMEOUT: o.timeout_ms = (int)num_arg(p.arg, 50, 60000, "--timeout", &bad); break;
		case O_BUDGET: o.budget_s = (int)num_arg(p.arg, 1, 86400, "--budget", &bad); break;
		case O_MAXCONN: o.max_connections = num_arg(p.arg, 1, 10000000, "--max-connections", &bad); break;
		case O_LOGINB: o.login_budget = (int)num_arg(p.arg, 1, 1000000, "--login-budget", &bad); break;
		case O_FAILF: fail_on = CLI_FAIL_FAIL; break;
		case CLI_OPT_FAIL_ON:
			if (cli_fail_on_parse(p.arg, "fail|inconclusive", &fail_on))
				return EXIT_USAGE;
			break;
		case O_SCANONLY: o.scan_only = true; break;
		case O_BFW: o.bf_window_s = (int)num_arg(p.arg, 1, 3600, "--bf-window", &bad); break;
		case O_BFP: o.bf_parallel = (int)num_arg(p.arg, 1, 64, "--bf-parallel", &bad); break;
		case O_BFR: o.bf_max_per_min = (int)num_arg(p.arg, 1, 100000, "--bf-max-rate", &bad); break;
		default: break;
		}
	}
	if (bad)
		return EXIT_USAGE;
	target = argv[p.ind];
	if (strstr(target, "://") || strchr(target, '/')) {
		cli_error(_("probe: '%s' looks like a URL or a path; TARGET is a host name or an address "
			    "(e.g. 192.0.2.10 or camera.local), the services are found by the sweep"), target);
		return EXIT_USAGE;
	}
	if ((creds_path && cli_input_file(creds_path)) || (decl_path && cli_input_file(decl_path)) ||
	    (compare && cli_input_file(compare)))
		return EXIT_USAGE;
	if (creds_path && jcs_read_file(creds_path, 4 << 20, &creds, &err))
		return cli_fail(&err);
	if (needed_s && (rc = jcs_needed_ports_parse(needed_s, &needed, &nneeded, &err)))
		goto fail;
	if (decl_path) {
		/* the declaration's needed ports join --needed-ports (S1.1-13) */
		if ((rc = jcs_declaration_load(decl_path, &decl, &err)))
			goto fail;
		o.vendor = decl->vendor;
		for (size_t i = 0; i < decl->nports; i++) {
			struct jcs_needed_port *bigger = realloc(needed, (nneeded + 1) * sizeof(*needed));
			if (!bigger) {
				rc = jcs_err_set(&err, JCS_ENOMEM, "out of memory");
				goto fail;
			}
			needed = bigger;
			needed[nneeded].port = decl->ports[i].port;
			needed[nneeded++].udp = decl->ports[i].proto && strcmp(decl->ports[i].proto, "udp") == 0;
		}
		if (!needed && !(needed = calloc(1, sizeof(*needed)))) { /* declared: nothing needed */
			rc = jcs_err_set(&err, JCS_ENOMEM, "out of memory");
			goto fail;
		}
	}
	if (compare && (rc = jcs_evidence_load(compare, &base, &err)))
		goto fail;
	o.needed = needed;
	o.nneeded = nneeded;
	o.creds_text = creds.data;
	cli_progress_init(&prog);
	if (prog.on || cli_verbosity > 0) {
		o.progress = progress;
		o.progress_arg = &prog;
	}
	{
		/* a wide sweep keeps thousands of sockets in flight */
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (!(ev = jcs_evidence_new("probe", target))) {
		rc = jcs_err_set(&err, JCS_ENOMEM, "out of memory");
		goto fail;
	}
	{
		struct sigaction sa = {.sa_handler = on_stop, .sa_flags = SA_RESETHAND};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		o.stop = &stop_signal;
	}
	rc = jcs_probe_run(target, &o, ev, &err);
	cli_progress_end(&prog);
	if (rc)
		goto fail;
	if (atomic_load(&stop_signal))
		fprintf(stderr, "jcstar: %s: stopped; writing the evidence gathered so far (incomplete)\n",
			strsignal(atomic_load(&stop_signal)));
	if (base && (rc = jcs_probe_compare(ev, base, &err)))
		goto fail;
	jcs_evidence_finish(ev);
	if (out && (rc = jcs_evidence_write(ev, out, &err)))
		goto fail;
	if (cli_verbosity >= 0)
		print_summary(ev, cli_human(out));
	rc = EXIT_OK;
	if (!jcs_evidence_complete(ev)) {
		/* nothing was there to test, or not everything was tested: never a clean exit */
		fprintf(stderr, "jcstar: incomplete: %s\n", incomplete_reason(ev));
		rc = EXIT_INCOMPLETE;
	}
	if (fail_on)
		for (size_t i = 0; i < jcs_evidence_count(ev); i++) {
			struct jcs_finding f;
			jcs_evidence_get(ev, i, &f);
			if (f.result == JCS_FAIL || (f.result == JCS_INCONCLUSIVE && fail_on == CLI_FAIL_INCONCLUSIVE))
				rc = EXIT_FINDINGS;
		}
	goto out;
fail:
	rc = cli_fail(&err);
out:
	jcs_evidence_free(ev);
	jcs_evidence_free(base);
	jcs_declaration_free(decl);
	free(needed);
	jcs_buf_wipe(&creds);
	jcs_buf_free(&creds);
	return rc;
}
