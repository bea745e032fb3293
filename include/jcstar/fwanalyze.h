/* Firmware analysis: a jcs_fw_sink that runs every audit rule (audit/rules.c) and the SBOM
 * component matcher over the file stream, then, at finish, matches the components against
 * offline vulnerability feeds and fills a jcs_evidence with findings, components[] and
 * vulnerabilities[]. */
#ifndef JCS_FIRMWARE_ANALYZE_H
#define JCS_FIRMWARE_ANALYZE_H

#include <stdint.h>

#include "jcstar/fwfile.h"
#include "jcstar/evidence.h"

JCS_API_BEGIN

struct jcs_fw_analysis;

struct jcs_fw_analyze_opts {
	const char *const *vulndb; /* NVD API 2.0 / OSV / Debian tracker JSON files or directories */
	size_t nvulndb;
	const char *vex;           /* vendor VEX (OpenVEX or CycloneDX VEX JSON), or NULL */
	unsigned jobs;             /* worker threads (0 = one per core) */
	uint64_t crack_work;       /* password-cracking work budget (0 = default), see audit.h */
	unsigned crack_seconds;    /* password-cracking time cap (0 = default) */
	/* Called at most every 1024 files/64 MiB (for a progress line); may be NULL. */
	void (*progress)(void *ctx, uint64_t files, uint64_t bytes, const char *path);
	void *progress_ctx;
};

struct jcs_fw_analysis_stats {
	uint64_t files, bytes, problems;
	size_t components, vulnerabilities;
};

/* ev is borrowed and must outlive the analysis. opts may be NULL. Feeds are loaded here, so
 * a bad feed fails before any unpacking. */
int jcs_fw_analyze_new(struct jcs_evidence *ev, const struct jcs_fw_analyze_opts *opts,
		       struct jcs_fw_analysis **out, struct jcs_err *err);
/* The sink to hand to jcs_fw_walk()/jcs_fw_walk_dir(). */
struct jcs_fw_sink jcs_fw_analyze_sink(struct jcs_fw_analysis *a);
/* Run the rules' final decisions, write components[] and vulnerabilities[]. Once. */
int jcs_fw_analyze_finish(struct jcs_fw_analysis *a, struct jcs_err *err);
/* After finish: the CycloneDX 1.5 SBOM of the components (caller frees with json_decref). */
json_t *jcs_fw_analyze_cyclonedx(const struct jcs_fw_analysis *a, const char *subject);
void jcs_fw_analyze_stats(const struct jcs_fw_analysis *a, struct jcs_fw_analysis_stats *out);
void jcs_fw_analyze_free(struct jcs_fw_analysis *a);

JCS_API_END

#endif
