/* jcstar probe: live assessment of one device over the network (docs/jcstar-probe.1.md).
 * Scans TCP (epoll, non-blocking connects) and the usual IoT UDP services, identifies every
 * open port by what it speaks, tries access without credentials, a bundled default-credential
 * list and a bounded brute-force series, and records findings and services[] in an evidence
 * document. Every step is bounded by the budgets in the options. */
#ifndef JCSTAR_PROBE_H
#define JCSTAR_PROBE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "jcstar/evidence.h"
#include "jcstar/jcstar.h"

JCS_API_BEGIN

/* A port the product is declared to need (S1.1-13). */
struct jcs_needed_port {
	int port;
	bool udp;
};

struct jcs_probe_opts {
	const char *profile;        /* "quick", "standard" (default) or "full" */
	const char *ports;          /* "22,80,8000-8100", "all" or NULL (profile's list) */
	const char *creds_text;     /* "user:pass" lines replacing the bundled list, or NULL */
	const char *vendor;         /* the declared vendor: its defaults follow the Mirai pairs (NULL: none) */
	int max_attempts;           /* brute-force attempts per service at most (0 = 1000) */
	int bf_window_s;            /* brute-force observation window (0 = 60 s) */
	int bf_parallel;            /* parallel guessing connections (0 = 8) */
	int bf_max_per_min;         /* threshold: sustained aggregate guesses per minute (0 = 10) */
	int concurrency;            /* parallel connects while scanning (0 = profile's) */
	int rate;                   /* new connections per second to the target, and the sweep's pace
				     * (0 = sweep at JCS_SWEEP_GENTLE_RATE, other connections unpaced) */
	bool fast;                  /* sweep unpaced (only the in-flight window bounds it) */
	const char *sweep;          /* sweep engine: "syn", "connect" or NULL = SYN when allowed */
	int timeout_ms;             /* per network operation (0 = 1500) */
	int budget_s;               /* total wall-clock budget (0 = profile's) */
	long max_connections;       /* total TCP connections (0 = profile's) */
	int login_budget;           /* login attempts per service, default-credential list (0 = profile's) */
	const struct jcs_needed_port *needed; /* declared needed ports, or NULL when not declared */
	size_t nneeded;
	bool scan_only;             /* TCP sweep and identification only: no logins, no UDP */
	unsigned nonce;             /* seeds the shell-echo marker (0 = random) */
	/* Set (e.g. from a signal handler) to end the run early: work in flight ends within one
	 * operation timeout, findings are made from what was gathered and the coverage section
	 * says the run is incomplete. NULL: run to the end. */
	const atomic_int *stop;
	/* Called from the probing thread between phases and as ports complete. */
	void (*progress)(void *arg, const char *phase, long done, long total);
	void *progress_arg;
};

/* Probe host (an IP address or name) and add findings, services[] and coverage to ev.
 * coverage.complete is false when the run was stopped or a budget ran out, and when no
 * responsive host or no service was found (then inconclusive findings say so). */
int jcs_probe_run(const char *host, const struct jcs_probe_opts *opts, struct jcs_evidence *ev,
		  struct jcs_err *err);

/* Compare ev (a new run) with baseline (an earlier run of the same device, S1.1-14) and add
 * probe.persistence.reverted findings: credentials back to defaults, authentication gone,
 * services changed. */
int jcs_probe_compare(struct jcs_evidence *ev, const struct jcs_evidence *baseline, struct jcs_err *err);

/* Parse "80/tcp,443,161/udp" into a malloc'd array (caller frees). */
int jcs_needed_ports_parse(const char *s, struct jcs_needed_port **out, size_t *n, struct jcs_err *err);

JCS_API_END

#endif
