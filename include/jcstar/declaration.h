/* The vendor's declaration: checklist answers per criterion, in YAML.
 * Format: docs/declaration.md. Every error names file:line:column. */
#ifndef JCSTAR_DECLARATION_H
#define JCSTAR_DECLARATION_H

#include <stdbool.h>
#include <stddef.h>

#include "jcstar/jcstar.h"

JCS_API_BEGIN

/* One piece of evidence the vendor cites. At least one of url, file or text is set. */
struct jcs_docref {
	const char *title;      /* document title (required for url/file) */
	const char *type;       /* optional kind: manual, policy, design, test-report, security.txt, web-page, other */
	const char *url;        /* http(s) URL, or NULL */
	const char *file;       /* local copy, resolved against the declaration's directory, or NULL */
	const char *text;       /* free-text explanation, or NULL */
	bool file_exists;       /* file is set and readable */
	int line, col;
};

enum jcs_answer_kind { JCS_ANSWER_CONFORM, JCS_ANSWER_NOT_APPLICABLE };

struct jcs_answer {
	const char *criterion;  /* "S1.1-05" */
	enum jcs_answer_kind answer;
	const char *reason;     /* required for not-applicable */
	const char *notes;      /* optional free text */
	const struct jcs_docref *evidence;
	size_t nevidence;
	int line, col;
};

/* Result of checking a vulnerability disclosure policy / security.txt (S1.1-05). */
struct jcs_vdp_check {
	bool checked;           /* a local copy was given and read */
	const char *file;       /* which file was checked */
	bool contact;           /* a contact (security.txt Contact:, e-mail or URL) */
	bool ack_timeline;      /* a timeline for acknowledging receipt */
	bool update_timeline;   /* a timeline for status updates until resolution */
	bool expired;           /* security.txt Expires: is in the past */
	int contact_line, ack_line, update_line; /* 1-based lines that matched, 0 = not found */
	/* The file each line is in (a security.txt and the policy its Policy: names may both be
	 * read); NULL when not found. jcs_vdp_check_text leaves them NULL. */
	const char *contact_file, *ack_file, *update_file;
};

/* A network port the product needs (S1.1-13: anything else open is flagged). */
struct jcs_port {
	int port;
	const char *proto;      /* "tcp" or "udp" */
	const char *service;    /* e.g. "https" */
	const char *purpose;    /* why it is needed */
};

struct jcs_declaration {
	const char *path;
	const char *sha256;          /* SHA-256 (lowercase hex) of the bytes parsed */
	/* product (all required except models/category/security_contact) */
	const char *vendor;
	const char *model;
	const char *const *models;   /* further model numbers covered (NULL-terminated, may be empty) */
	const char *product_type;    /* e.g. "network camera" */
	const char *firmware_version;
	const char *support_end;     /* YYYY-MM-DD, a valid calendar date */
	const char *security_contact; /* optional: where to report vulnerabilities */
	int level;                   /* 1 for ★1 */
	const struct jcs_answer *answers;
	size_t nanswers;
	const struct jcs_port *ports; /* declared needed ports */
	size_t nports;
	struct jcs_vdp_check vdp;    /* filled when S1.1-05 cites a local policy / security.txt */
};

/* Parse a declaration. basedir resolves relative `file:` paths (NULL = the file's directory).
 * Nothing is written anywhere; on error *out is NULL and err names file:line:column. */
int jcs_declaration_parse(const char *text, size_t len, const char *name, const char *basedir,
			  struct jcs_declaration **out, struct jcs_err *err);
int jcs_declaration_load(const char *path, struct jcs_declaration **out, struct jcs_err *err);
void jcs_declaration_free(struct jcs_declaration *d);

/* The answer for a criterion id, or NULL if the declaration does not answer it. */
const struct jcs_answer *jcs_declaration_answer(const struct jcs_declaration *d, const char *criterion);

/* Check a vulnerability disclosure policy or security.txt text for a contact and the two
 * timelines (acknowledgement, status updates), in English or Japanese. */
void jcs_vdp_check_text(const char *text, size_t len, struct jcs_vdp_check *out);

JCS_API_END

#endif
