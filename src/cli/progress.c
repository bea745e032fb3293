/* One progress line on stderr, only when stderr is a terminal: phase, done/total, rate, ETA. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(struct cli_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->on = cli_stderr_is_tty() && cli_verbosity >= 0;
}

static void eta_text(double s, char *buf, size_t len)
{
	if (s >= 3600)
		snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, len, "%ds", (int)s + 1);
}

void cli_progress(struct cli_progress *p, const char *phase, long long done, long long total, const char *unit)
{
	double t;
	bool mib = unit && strcmp(unit, "MiB") == 0, secs = unit && strcmp(unit, "s") == 0;

	if (!p->on)
		return;
	t = now_s();
	if (strcmp(p->phase, phase)) {
		snprintf(p->phase, sizeof(p->phase), "%s", phase);
		p->phase_start = t;
		p->last = 0;
	} else if (t - p->last < 0.1 && done < total) {
		return; /* at most ten lines a second */
	}
	p->last = t;
	fprintf(stderr, "\r\033[K%s", _(phase));
	if (total <= 0 && done == 0 && !(unit && *unit)) {
		fflush(stderr); /* a step without a count yet */
		return;
	}
	fprintf(stderr, " %lld", mib ? done >> 20 : done);
	if (total > 0) {
		fprintf(stderr, "/%lld%s (%d%%)", mib ? total >> 20 : total, mib ? " MiB" : "",
			(int)(100.0 * (double)done / (double)total));
		if (done > 0 && done < total && (secs || t - p->phase_start > 1.0)) {
			/* a time window (unit s) ends when it ends; anything else at the rate so far */
			char eta[32];
			eta_text(secs ? (double)(total - done - 1) : (t - p->phase_start) * (double)(total - done) / (double)done,
				 eta, sizeof(eta));
			fprintf(stderr, _(", about %s left"), eta);
		}
	} else if (mib) {
		fputs(" MiB", stderr);
	}
	fflush(stderr);
}

void cli_progress_end(struct cli_progress *p)
{
	if (p->on && p->phase[0])
		fputs("\r\033[K", stderr);
	p->phase[0] = 0;
}
