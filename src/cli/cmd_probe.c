/* jcstar probe TARGET [options]: live device assessment (docs/jcstar-probe.1.md). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "jcstar/declaration.h"
#include "jcstar/probe.h"

static const char usage_text[] =
	"usage: jcstar probe TARGET [--ports LIST|all] [--profile quick|standard|full]\n"
	"                    [--creds FILE] [--max-attempts N] [--needed-ports LIST]\n"
	"                    [--declaration FILE] [--compare BASELINE.json] [-o EVIDENCE.json]\n"
	"                    [--rate N] [--fast] [--sweep syn|connect] [--concurrency N]\n"
	"                    [--timeout MS] [--budget S]\n"
	"                    [--max-connections N] [--login-budget N] [--scan-only]\n"
	"                    [--bf-window S] [--bf-parallel N] [--bf-max-rate PER_MIN]\n"
	"                    [--fail-on-findings]\n"
	"Assess a device over the network: open ports identified by what they speak, access\n"
	"without credentials, default credentials (confirmed), brute-force protection,\n"
	"cleartext protocols, risky or undeclared interfaces. Probe only devices you own.\n";

/* SIGINT / SIGTERM: the probe winds down and the evidence so far is written, marked
 * incomplete. The handler resets itself, so a second signal ends the process at once. */
static atomic_int stop_signal;

static void on_stop(int sig)
{
	atomic_store(&stop_signal, sig);
}

static void progress(void *arg, const char *phase, long done, long total)
{
	(void)arg;
	fprintf(stderr, "\r\033[K%s %ld/%ld", phase, done, total);
	fflush(stderr);
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
	fprintf(h, "\n%-13s %-30s %-22s %s\n", "RESULT", "FINDING", "WHERE", "DETAIL");
	for (i = 0; i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		const char *detail = f.title;
		const json_t *acc;

		jcs_evidence_get(ev, i, &f);
		detail = f.title;
		char extra[200] = "";
		if ((acc = json_object_get(f.details, "accepted")))
			snprintf(extra, sizeof(extra), " %s:%s", json_string_value(json_object_get(acc, "user")),
				 json_string_value(json_object_get(acc, "password")));
		else if (json_object_get(f.details, "reason"))
			snprintf(extra, sizeof(extra), " — %s", json_string_value(json_object_get(f.details, "reason")));
		fprintf(h, "%-13s %-30s %-22s %s%s\n", jcs_result_name(f.result), f.id, f.location, detail, extra);
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
	static const struct option opts[] = {
		{"ports", required_argument, NULL, 'p'},
		{"profile", required_argument, NULL, 'P'},
		{"creds", required_argument, NULL, 'c'},
		{"max-attempts", required_argument, NULL, 'm'},
		{"needed-ports", required_argument, NULL, 'n'},
		{"declaration", required_argument, NULL, 'd'},
		{"compare", required_argument, NULL, 'C'},
		{"output", required_argument, NULL, 'o'},
		{"rate", required_argument, NULL, 'r'},
		{"fast", no_argument, NULL, 'f'},
		{"sweep", required_argument, NULL, 'e'},
		{"concurrency", required_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'},
		{"budget", required_argument, NULL, 'b'},
		{"max-connections", required_argument, NULL, 'M'},
		{"login-budget", required_argument, NULL, 'L'},
		{"fail-on-findings", no_argument, NULL, 'F'},
		{"scan-only", no_argument, NULL, 'S'},
		{"bf-window", required_argument, NULL, 'W'},
		{"bf-parallel", required_argument, NULL, 'J'},
		{"bf-max-rate", required_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct jcs_probe_opts o = {0};
	struct jcs_buf creds = JCS_BUF_INIT;
	struct jcs_needed_port *needed = NULL;
	struct jcs_evidence *ev = NULL, *base = NULL;
	struct jcs_declaration *decl = NULL;
	const char *decl_path = NULL;
	const char *out = NULL, *compare = NULL, *needed_s = NULL;
	struct jcs_err err = {0};
	bool bad = false, fail_on = false;
	size_t nneeded = 0;
	int c, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, "p:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o.ports = optarg; break;
		case 'P': o.profile = optarg; break;
		case 'c':
			if (jcs_read_file(optarg, 4 << 20, &creds, &err))
				return cli_fail(&err);
			break;
		case 'm': o.max_attempts = (int)num_arg(optarg, 1, 1000, "--max-attempts", &bad); break;
		case 'n': needed_s = optarg; break;
		case 'd': decl_path = optarg; break;
		case 'C': compare = optarg; break;
		case 'o': out = optarg; break;
		case 'r': o.rate = (int)num_arg(optarg, 1, 1000000, "--rate", &bad); break;
		case 'f': o.fast = true; break;
		case 'e':
			if (strcmp(optarg, "syn") != 0 && strcmp(optarg, "connect") != 0) {
				cli_error("--sweep must be syn or connect");
				bad = true;
			}
			o.sweep = optarg;
			break;
		case 'j': o.concurrency = (int)num_arg(optarg, 1, 4096, "--concurrency", &bad); break;
		case 't': o.timeout_ms = (int)num_arg(optarg, 50, 60000, "--timeout", &bad); break;
		case 'b': o.budget_s = (int)num_arg(optarg, 1, 86400, "--budget", &bad); break;
		case 'M': o.max_connections = num_arg(optarg, 1, 10000000, "--max-connections", &bad); break;
		case 'L': o.login_budget = (int)num_arg(optarg, 1, 1000000, "--login-budget", &bad); break;
		case 'F': fail_on = true; break;
		case 'S': o.scan_only = true; break;
		case 'W': o.bf_window_s = (int)num_arg(optarg, 1, 3600, "--bf-window", &bad); break;
		case 'J': o.bf_parallel = (int)num_arg(optarg, 1, 64, "--bf-parallel", &bad); break;
		case 'R': o.bf_max_per_min = (int)num_arg(optarg, 1, 100000, "--bf-max-rate", &bad); break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: fputs(usage_text, stderr); return EXIT_USAGE;
		}
	}
	if (bad)
		return EXIT_USAGE;
	if (optind + 1 != argc) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
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
	if (cli_stderr_is_tty())
		o.progress = progress;
	{
		/* a wide sweep keeps thousands of sockets in flight */
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (!(ev = jcs_evidence_new("probe", argv[optind]))) {
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
	rc = jcs_probe_run(argv[optind], &o, ev, &err);
	if (o.progress)
		fputs("\r\033[K", stderr);
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
			if (f.result == JCS_FAIL)
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
