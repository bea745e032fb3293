/* jcstar serve: run the label registry (docs/jcstar-serve.1.md, API: docs/registry-api.md). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "jcstar/buf.h"
#include "jcstar/label.h"
#include "jcstar/server.h"

#define DEFAULT_DB  "sqlite:./jcstar-registry.db"
#define DEFAULT_KEY "./jcstar-registry.key"

enum { O_DB = CLI_OPT_FIRST_OWN, O_LISTEN, O_KEY, O_URL, O_THREADS, O_PERCLIENT, O_TIMEOUT, O_FEEDS, O_FEEDSINT, O_KEV, O_AUDIT };

static const struct cli_opt opts[] = {
	{"db", O_DB, "URL", N_("store: sqlite:PATH or postgresql://... (default " DEFAULT_DB ")"), false},
	{"listen", O_LISTEN, "ADDR:PORT", N_("address to listen on (default 127.0.0.1:8080; port 0 = any)"), false},
	{"key", O_KEY, "FILE", N_("Ed25519 signing key (PEM); created if missing (default " DEFAULT_KEY ")"), false},
	{"public-url", O_URL, "URL", N_("base URL printed in QR codes and labels (default the listen URL)"), false},
	{"threads", O_THREADS, "N", N_("I/O threads and as many slow-work threads (1-64, default 2)"), false},
	{"per-client", O_PERCLIENT, "N", N_("connections one client address may hold (1-512, default 32)"), false},
	{"request-timeout", O_TIMEOUT, "S", N_("deadline for a request's headers and body (1-3600, default 30)"), false},
	{"audit-interval", O_AUDIT, "S", N_("seconds between self-audits and expiry sweeps (1-86400, default 60)"), false},
	{"feeds", O_FEEDS, "DIR", N_("import NVD/OSV/CISA KEV JSON files dropped here (docs/monitoring.md)"), false},
	{"feeds-interval", O_FEEDSINT, "S", N_("how often DIR is scanned (1-86400, default 60)"), false},
	{"kev-deadline", O_KEV, "DAYS", N_("a known-exploited case unresolved this long marks the label under\n"
					    "review (0-3650, default 14)"), false},
	CLI_OUTPUT(N_("once listening, write {url, key_id, key_created, admin_token} as JSON to FILE\n"
		      "(- = stdout alone; the startup lines then go to stderr)")),
	CLI_FORMAT("text|json", N_("what stdout carries without -o: the startup lines (text, default) or\n"
				  "the JSON (the same as -o -)")),
	CLI_QUIET(N_("no startup lines (warnings and errors only)")),
	CLI_VERBOSE(N_("accepted for symmetry")),
	{0},
};

const struct cli_cmd cli_spec_serve = {
	"serve", "[--db URL] [--listen ADDR:PORT] [--key FILE] [--public-url URL] [-o FILE] [OPTIONS]",
	N_("Run the JC-STAR label registry: JSON API under /api/v1 and the web UI. Prints the URL\n"
	   "and, on a fresh database, the first admin token; stops on SIGINT/SIGTERM."),
	opts, 0, 0, "",
	N_("0 stopped by SIGINT/SIGTERM\n2 usage, a bad key file\n3 runtime error (database, address in use)"),
};

static long bounded(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < lo || v > hi) {
		cli_error(_("%s must be a number from %ld to %ld, not '%s'"), what, lo, hi, s);
		return -1;
	}
	return v;
}

/* Load the signing key, or create it (mode 0600) when the file does not exist. */
static int key_open(const char *path, struct jcs_key **k, bool *created, struct jcs_err *err)
{
	struct stat st;
	int rc;

	*created = false;
	if (stat(path, &st) == 0)
		return jcs_key_load(path, k, err);
	if ((rc = jcs_key_generate(k, err)))
		return rc;
	if ((rc = jcs_key_save(*k, path, err))) {
		jcs_key_free(*k);
		*k = NULL;
		return rc;
	}
	*created = true;
	return 0;
}

/* The server's loud reports (self-audit failures) go to standard error. */
static void log_stderr(const char *line)
{
	fprintf(stderr, "jcstar serve: %s\n", line);
}

int cmd_serve(int argc, char **argv)
{
	struct jcs_server_opts o = {DEFAULT_DB, "127.0.0.1:8080", NULL, NULL, 2, 0, 0, 0, log_stderr, NULL, 0, -1};
	const char *keypath = DEFAULT_KEY, *output = NULL;
	struct jcs_server *srv = NULL;
	struct jcs_key *key = NULL;
	struct jcs_err err = {0};
	struct cli_parse p = {0};
	char token[65];
	bool created, key_created;
	sigset_t set;
	long v;
	int c, sig, rc = EXIT_OK;

	while ((c = cli_getopt(&p, &cli_spec_serve, argc, argv)) != -1)
		switch (c) {
		case CLI_EXIT: return p.exit;
		case O_DB: o.db_url = p.arg; break;
		case O_LISTEN: o.listen = p.arg; break;
		case O_KEY: keypath = p.arg; break;
		case O_URL: o.public_url = p.arg; break;
		case O_THREADS:
			if ((v = bounded(p.arg, 1, 64, "--threads")) < 0)
				return EXIT_USAGE;
			o.threads = (unsigned)v;
			break;
		case O_PERCLIENT:
			if ((v = bounded(p.arg, 1, 512, "--per-client")) < 0)
				return EXIT_USAGE;
			o.per_client = (unsigned)v;
			break;
		case O_TIMEOUT:
			if ((v = bounded(p.arg, 1, 3600, "--request-timeout")) < 0)
				return EXIT_USAGE;
			o.request_seconds = (unsigned)v;
			break;
		case O_AUDIT:
			if ((v = bounded(p.arg, 1, 86400, "--audit-interval")) < 0)
				return EXIT_USAGE;
			o.sweep_seconds = (unsigned)v;
			break;
		case O_FEEDS: o.feeds_dir = p.arg; break;
		case O_FEEDSINT:
			if ((v = bounded(p.arg, 1, 86400, "--feeds-interval")) < 0)
				return EXIT_USAGE;
			o.feeds_seconds = (unsigned)v;
			break;
		case O_KEV:
			if ((v = bounded(p.arg, 0, 3650, "--kev-deadline")) < 0)
				return EXIT_USAGE;
			o.kev_days = (int)v;
			break;
		case CLI_OPT_OUTPUT: output = p.arg; break;
		case CLI_OPT_FORMAT:
			if (strcmp(p.arg, "json") == 0 && !output)
				output = "-";
			break;
		default: break;
		}
	/* handle the stop signals synchronously; worker threads inherit the mask */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (key_open(keypath, &key, &key_created, &err))
		return cli_fail(&err);
	o.key = key;
	if (jcs_server_start(&o, &srv, &err) || jcs_server_bootstrap(srv, token, &created, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	if (jcs_server_public_url_loopback(srv))
		fprintf(stderr, "jcstar serve: warning: labels and QR codes will carry the loopback URL %s for good;"
			" give --public-url with the address the public reaches\n", o.public_url ? o.public_url
				: jcs_server_url(srv));
	if (cli_verbosity >= 0) {
		FILE *h = cli_human(output);
		fprintf(h, _("jcstar registry listening on %s\n"), jcs_server_url(srv));
		fprintf(h, _("signing key %s%s (key id %s)\n"), keypath, key_created ? _(" (new)") : "", jcs_key_id(key));
		if (created)
			fprintf(h, _("first admin token: %s\n"), token);
		fflush(h);
	}
	if (output) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:s?}", "url", jcs_server_url(srv), "key", keypath, "key_id",
				      jcs_key_id(key), "key_created", key_created, "admin_token", created ? token : NULL);
		char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		json_decref(j);
		if (!text || jcs_write_file_atomic(output, text, strlen(text), &err) ||
		    (strcmp(output, "-") == 0 && jcs_write_file_atomic("-", "\n", 1, &err))) {
			free(text);
			rc = text ? cli_fail(&err) : (cli_error(_("out of memory")), EXIT_RUNTIME);
			goto out;
		}
		free(text);
	}
	sigwait(&set, &sig);
out:
	jcs_server_stop(srv);
	jcs_key_free(key);
	return rc;
}
