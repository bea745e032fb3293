/* Compare two assessments: two reports (jcstar.report/1) or two evidence files
 * (jcstar.evidence/1), e.g. firmware 2.4.1 against 2.4.2. The result is a jcstar.diff/1
 * document: criteria whose verdict changed and findings that appeared, disappeared or changed
 * result or severity (matched by id and location), with a regression flag.
 * Format: docs/jcstar-diff.1.md. */
#ifndef JCSTAR_DIFF_H
#define JCSTAR_DIFF_H

#include <jansson.h>
#include <stdbool.h>

#include "jcstar/jcstar.h"

JCS_API_BEGIN

#define JCS_SCHEMA_DIFF "jcstar.diff/1"

/* Read and check one side: a report or an evidence file (evidence is validated as
 * jcs_evidence_parse does). *doc gets {"file", "sha256", "document"}; caller json_decref()s. */
int jcs_diff_load(const char *path, json_t **doc, struct jcs_err *err);
/* The same over bytes in memory; name is used in messages and as "file". */
int jcs_diff_parse(const char *text, size_t len, const char *name, json_t **doc, struct jcs_err *err);

/* Compare two loaded sides (both reports or both evidence; else JCS_EINVAL). *out gets the
 * jcstar.diff/1 document; caller json_decref()s. */
int jcs_diff(const json_t *old_doc, const json_t *new_doc, json_t **out, struct jcs_err *err);

/* True when a criterion got worse or a failing finding appeared (new, or changed to fail, or
 * failing with a higher severity). */
bool jcs_diff_regression(const json_t *diff);

/* The diff for the terminal (UTF-8 text), appended to a newly allocated string; NULL on ENOMEM.
 * Caller free()s. */
char *jcs_diff_text(const json_t *diff);

JCS_API_END

#endif
