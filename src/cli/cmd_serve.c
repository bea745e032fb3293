/* jcstar serve: run the label registry (docs/jcstar-serve.1.md, API: docs/registry-api.md). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "registry/label.h"
#include "registry/server.h"

#define DEFAULT_DB  "sqlite:./jcstar-registry.db"
#define DEFAULT_KEY "./jcstar-registry.key"

static void usage(FILE *f)
{
	fprintf(f, "usage: jcstar serve [--db sqlite:PATH | postgresql://...] [--listen ADDR:PORT] [--key FILE]\n"
		   "                    [--public-url URL] [--threads N] [--per-client N] [--request-timeout S]\n"
		   "                    [--audit-interval S]\n\n"
		   "Run the JC-STAR label registry: JSON API under /api/v1 and the web UI.\n"
		   "  --db URL          store (default " DEFAULT_DB ")\n"
		   "  --listen A:P      address to listen on (default 127.0.0.1:8080; port 0 = any)\n"
		   "  --key FILE        Ed25519 signing key (PEM); created if missing (default " DEFAULT_KEY ")\n"
		   "  --public-url URL  base URL printed in QR codes and labels (default the listen URL)\n"
		   "  --threads N       I/O threads and as many slow-work threads (default 2)\n"
		   "  --per-client N    connections one client address may hold (default 32)\n"
		   "  --request-timeout S  deadline for a request's headers and body (default 30)\n"
		   "  --audit-interval S   seconds between self-audits and expiry sweeps (default 60)\n"
		   "Prints the URL and, on a fresh database, the first admin token; stops on SIGINT/SIGTERM.\n");
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
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'}, {"listen", required_argument, NULL, 'l'},
		{"key", required_argument, NULL, 'k'}, {"public-url", required_argument, NULL, 'u'},
		{"threads", required_argument, NULL, 't'}, {"per-client", required_argument, NULL, 'c'},
		{"request-timeout", required_argument, NULL, 'T'}, {"help", no_argument, NULL, 'h'},
		{"audit-interval", required_argument, NULL, 'A'}, {NULL, 0, NULL, 0},
	};
	struct jcs_server_opts o = {DEFAULT_DB, "127.0.0.1:8080", NULL, NULL, 2, 0, 0, 0, log_stderr};
	const char *keypath = DEFAULT_KEY;
	struct jcs_server *srv = NULL;
	struct jcs_key *key = NULL;
	struct jcs_err err = {0};
	char token[65];
	bool created, key_created;
	sigset_t set;
	int c, sig, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, "d:l:k:u:t:c:T:h", opts, NULL)) != -1)
		switch (c) {
		case 'd': o.db_url = optarg; break;
		case 'l': o.listen = optarg; break;
		case 'k': keypath = optarg; break;
		case 'u': o.public_url = optarg; break;
		case 't':
			o.threads = (unsigned)atoi(optarg);
			if (o.threads < 1 || o.threads > 64) {
				cli_error("--threads: 1-64");
				return EXIT_USAGE;
			}
			break;
		case 'c':
			o.per_client = (unsigned)atoi(optarg);
			if (o.per_client < 1 || o.per_client > 512) {
				cli_error("--per-client: 1-512");
				return EXIT_USAGE;
			}
			break;
		case 'T':
			o.request_seconds = (unsigned)atoi(optarg);
			if (o.request_seconds < 1 || o.request_seconds > 3600) {
				cli_error("--request-timeout: 1-3600 seconds");
				return EXIT_USAGE;
			}
			break;
		case 'A':
			o.sweep_seconds = (unsigned)atoi(optarg);
			if (o.sweep_seconds < 1 || o.sweep_seconds > 86400) {
				cli_error("--audit-interval: 1-86400 seconds");
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
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
	printf("jcstar registry listening on %s\n", jcs_server_url(srv));
	printf("signing key %s%s (key id %s)\n", keypath, key_created ? " (new)" : "", jcs_key_id(key));
	if (created)
		printf("first admin token: %s\n", token);
	fflush(stdout);
	sigwait(&set, &sig);
out:
	jcs_server_stop(srv);
	jcs_key_free(key);
	return rc;
}
