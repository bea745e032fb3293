/* Audit rules: each rule sees every file of the firmware stream once (file callback) and
 * decides at the end (finish callback). A rule is one file in this directory and one line in
 * the table in rules.c. Rules add findings through jcs_audit_add(); they copy what they keep
 * (file bytes are valid only during the file callback). */
#ifndef JCS_FIRMWARE_AUDIT_H
#define JCS_FIRMWARE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "jcstar/fwfile.h"
#include "jcstar/evidence.h"

/* Settings of the rules' expensive final steps. */
struct jcs_audit_opts {
	unsigned jobs;          /* threads (0 = one per core) */
	uint64_t crack_work;    /* password guesses in md5-crypt units for the whole image (0 = default) */
	unsigned crack_seconds; /* wall-clock cap on cracking (0 = default) */
};

#define JCS_CRACK_WORK_DEFAULT 200000u
#define JCS_CRACK_SECONDS_DEFAULT 120u

struct jcs_audit {
	struct jcs_evidence *ev;
	struct jcs_err *err;
	/* Parts of the image that could not be read (unpack problems): while non-empty, a "pass"
	 * cannot be claimed for the whole image and jcs_audit_add turns it into inconclusive. */
	const json_t *unread;
	const struct jcs_audit_opts *opts; /* may be NULL (defaults) */
};

/* Worker threads for jobs (0 = the number of online cores, at least 1). */
unsigned jcs_audit_threads(unsigned jobs);

struct jcs_audit_rule {
	const char *name;
	size_t state_size; /* zeroed state handed to every callback */
	/* Called for every entry of the stream; return 0 or a negative JCS_E*. */
	int (*file)(void *state, const struct jcs_fw_file *f, struct jcs_audit *au);
	/* Called once after the last file: add the findings that need the whole tree. */
	int (*finish)(void *state, struct jcs_audit *au);
	void (*cleanup)(void *state); /* may be NULL */
};

/* The table (rules.c), NULL-terminated. */
extern const struct jcs_audit_rule *const jcs_audit_rules[];

/* Add a finding; details (may be NULL) is stolen. title is printf-style. A pass becomes
 * inconclusive when parts of the image were unread (au->unread). */
int jcs_audit_add(struct jcs_audit *au, const char *id, enum jcs_result result,
		  enum jcs_severity sev, const char *location, json_t *details, const char *title, ...)
	__attribute__((format(printf, 7, 8)));

/* --- helpers shared by the rules (audit.c) --- */

#define JCS_AUDIT_MAX_TEXT ((size_t)4 << 20) /* text files larger than this are not parsed */

/* Last path component. */
const char *jcs_audit_basename(const char *path);
/* True if path starts with prefix (a directory, "/etc/init.d/"). */
bool jcs_audit_under(const char *path, const char *prefix);
/* True if the path ends with one of the NULL-terminated suffixes (".conf", ...). */
bool jcs_audit_has_suffix(const char *path, const char *const *suffixes);
/* True for a regular file whose (first 8 KiB of) bytes look like text, within the text cap. */
bool jcs_audit_is_text(const struct jcs_fw_file *f);

/* Line iterator over a file's bytes: each line without its "\n"/"\r\n". */
struct jcs_lines {
	const char *p, *end;
	unsigned lineno;
};
void jcs_lines_init(struct jcs_lines *it, const void *data, size_t len);
/* Next line into s and n (not NUL-terminated); false at the end. */
bool jcs_lines_next(struct jcs_lines *it, const char **s, size_t *n);

/* Copy a line into buf as a C string (truncated to cap-1), trimming leading/trailing blanks;
 * returns buf. */
char *jcs_audit_line(char *buf, size_t cap, const char *s, size_t n);
/* Shell-ish words of a line (split on blanks, quotes, ;&|()`= and '<>'): up to max words into
 * words[] as pointers into buf, which is modified. Stops at an unquoted '#'. Returns count. */
size_t jcs_audit_words(char *buf, char **words, size_t max);

/* "path:line" into buf. */
const char *jcs_audit_loc(char *buf, size_t cap, const char *path, unsigned line);
/* Details object {"file": path, "container": c, ...}; NULL on ENOMEM. */
json_t *jcs_audit_details(const struct jcs_fw_file *f, unsigned line);

/* A growable set of strings (paths seen, symlinks...). */
struct jcs_strv {
	char **v;
	size_t n, cap;
};
int jcs_strv_add(struct jcs_strv *s, const char *str);
bool jcs_strv_has(const struct jcs_strv *s, const char *str);
void jcs_strv_free(struct jcs_strv *s);
/* JSON array of the strings (new reference). */
json_t *jcs_strv_json(const struct jcs_strv *s);


/* A "key = value" style assignment found in a line: UCI (option key 'v'), shell/ini/conf
 * (key=v, key = "v", key v at line start), JSON/YAML ("key": "v", key: v), XML
 * (<key>v</key>), code (var key = 'v'; setopt(X, KEY, 0L)). */
struct jcs_kv {
	char key[64];    /* the identifier as written */
	char value[256]; /* unquoted */
	bool quoted;
	size_t col;      /* 0-based column of the key */
};

/* Find the first assignment in line whose identifier is one of keys (case-insensitive) or ends
 * with "_key", "-key" or ".key" for one of them; start searching at *from (updated past the
 * match so callers can loop). Returns true if found. */
bool jcs_audit_kv_find(const char *line, const char *const *keys, size_t *from, struct jcs_kv *kv);
/* True if the path is documentation or headers (not configuration of the device). */
bool jcs_audit_is_doc(const char *path);
/* Why a secret at this path protects nothing (a documentation directory, a test-vector or
 * example file), or NULL when it may be the device's own. */
const char *jcs_audit_example_reason(const char *path);

#endif
