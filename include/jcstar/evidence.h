/* Evidence files (jcstar.evidence/1): what probes and firmware analysis found.
 * Format: docs/evidence.md. Finding ids must be listed in data/catalog/findings.yaml;
 * their criteria are filled in from there. */
#ifndef JCSTAR_EVIDENCE_H
#define JCSTAR_EVIDENCE_H

#include <jansson.h>
#include <stdbool.h>

#include "jcstar/jcstar.h"

JCS_API_BEGIN

enum jcs_result { JCS_PASS, JCS_FAIL, JCS_INFO, JCS_INCONCLUSIVE };
enum jcs_severity { JCS_SEV_NONE, JCS_SEV_LOW, JCS_SEV_MEDIUM, JCS_SEV_HIGH, JCS_SEV_CRITICAL };

const char *jcs_result_name(enum jcs_result r);
const char *jcs_severity_name(enum jcs_severity s);
/* Parse a name; returns the enum value or JCS_EINVAL. */
int jcs_result_parse(const char *s);
int jcs_severity_parse(const char *s);

struct jcs_evidence;

/* A finding as read back from an evidence file; pointers borrow from the evidence. */
struct jcs_finding {
	const char *id;
	enum jcs_result result;
	enum jcs_severity severity;
	const char *location;   /* e.g. "tcp/23 (telnet)" or "/etc/shadow:1"; never NULL */
	const char *title;      /* never NULL */
	const json_t *criteria; /* array of criterion ids */
	const json_t *details;  /* the "evidence" object; may be NULL */
};

/* kind: "probe" or "firmware"; subject: target address or image name. NULL on ENOMEM. */
struct jcs_evidence *jcs_evidence_new(const char *kind, const char *subject);
void jcs_evidence_free(struct jcs_evidence *ev);

/* Add a finding. details (may be NULL) is stolen, also on error. Unknown ids fail with
 * JCS_EINVAL. */
int jcs_evidence_add(struct jcs_evidence *ev, const char *id, enum jcs_result result,
		     enum jcs_severity severity, const char *location, const char *title,
		     json_t *details, struct jcs_err *err);

/* The array named section ("services", "components", "vulnerabilities"), created on first
 * use; borrowed. NULL for an unknown section name. */
json_t *jcs_evidence_section(struct jcs_evidence *ev, const char *section);

/* Firmware producers: record the image analysed as "image": {file (base name), size, sha256},
 * hashing the file at path. */
int jcs_evidence_set_image(struct jcs_evidence *ev, const char *path, struct jcs_err *err);

/* SHA-256 (lowercase hex) of the bytes a parsed evidence document was read from; "" for
 * one built with jcs_evidence_new. */
const char *jcs_evidence_sha256(const struct jcs_evidence *ev);

/* Set the "coverage" object (stolen, also on error): what was tested, what could not be and
 * why, and "complete" (false: the producer did less than asked). JCS_ENOMEM or 0. */
int jcs_evidence_set_coverage(struct jcs_evidence *ev, json_t *coverage);
/* False when the document records coverage.complete = false (absent: true). */
bool jcs_evidence_complete(const struct jcs_evidence *ev);

/* Every pass finding from index `from` on becomes inconclusive, its evidence noting why (the
 * check did not finish: a run stopped while it was under way). Returns how many changed. */
size_t jcs_evidence_unfinished(struct jcs_evidence *ev, size_t from, const char *why);

/* Record the finish time (called by producers when done). */
void jcs_evidence_finish(struct jcs_evidence *ev);

/* Serialize (caller frees) / write atomically ("-" = stdout). */
char *jcs_evidence_dumps(const struct jcs_evidence *ev);
int jcs_evidence_write(const struct jcs_evidence *ev, const char *path, struct jcs_err *err);

/* Parse and validate an evidence document; name is used in error messages. */
int jcs_evidence_parse(const char *text, size_t len, const char *name,
		       struct jcs_evidence **out, struct jcs_err *err);
int jcs_evidence_load(const char *path, struct jcs_evidence **out, struct jcs_err *err);

const char *jcs_evidence_kind(const struct jcs_evidence *ev);
const char *jcs_evidence_subject(const struct jcs_evidence *ev);
const json_t *jcs_evidence_json(const struct jcs_evidence *ev);
size_t jcs_evidence_count(const struct jcs_evidence *ev);
/* Finding i (< count) into *out. */
void jcs_evidence_get(const struct jcs_evidence *ev, size_t i, struct jcs_finding *out);

/* True when a finding's criteria array names criterion id. */
bool jcs_criteria_name(const json_t *criteria, const char *id);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
void jcs_utc_now(char *buf, size_t len);

JCS_API_END

#endif
