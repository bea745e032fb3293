/* Registry storage: ONE interface (struct jcs_store_ops), one implementation per database
 * (store_sqlite.c, store_pg.c) listed in the table in store.c. The registry talks to the
 * database only through exec() of prepared statements with text parameters: SQL is written
 * once with $1..$N placeholders (PostgreSQL syntax; SQLite binds "$N" by first appearance,
 * so placeholders must first appear in ascending order). Versioned migrations run at open.
 * A store handle is used by one thread at a time (the server keeps a pool of them). */
#ifndef JCS_REGISTRY_STORE_H
#define JCS_REGISTRY_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "jcstar/buf.h"
#include "jcstar/jcstar.h"

#define JCS_STORE_MAX_PARAMS 32

/* A result set: nrows x ncols text cells (NULL = SQL NULL). */
struct jcs_rows {
	size_t nrows, ncols;
	char **cell;
	long long changes; /* rows changed by INSERT/UPDATE/DELETE */
};

struct jcs_store;

struct jcs_store_ops {
	const char *name;       /* "sqlite", "postgresql" */
	bool (*accepts)(const char *url);
	int (*open)(const char *url, struct jcs_store **out, struct jcs_err *err);
	void (*close)(struct jcs_store *s);
	/* Begin a write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN). */
	int (*begin)(struct jcs_store *s, struct jcs_err *err);
	int (*commit)(struct jcs_store *s, struct jcs_err *err);
	void (*rollback)(struct jcs_store *s);
	/* Run one prepared statement, cached per handle: keyed by the sql pointer when cache is
	 * true (SQL in static storage), by its text otherwise (a few recent ones). out may be NULL. */
	int (*exec)(struct jcs_store *s, const char *sql, bool cache, size_t nparams,
		    const char *const *params, struct jcs_rows *out, struct jcs_err *err);
	/* Statement that serialises concurrent migrations inside the transaction (or NULL). */
	const char *migrate_lock_sql;
	/* The store's own migrations (its search index), versioned apart from the shared ones
	 * and run after them. */
	const char *const *migrations;
	size_t nmigrations;
	/* SQL condition on a registrations row matching, through the store's full-text index,
	 * a lower-case LIKE pattern: prefix, then the parameter, then suffix. Index: enum
	 * jcs_store_text. */
	const char *text_match[3][2];
};

enum jcs_store_text { JCS_TEXT_ALL, JCS_TEXT_VENDOR, JCS_TEXT_MODELS };

struct jcs_store {
	const struct jcs_store_ops *ops;
};

/* Open the store named by url ("sqlite:PATH", "postgresql://..." or "postgres://...") and
 * bring its schema up to date. *out is freed with jcs_store_close. */
int jcs_store_open(const char *url, struct jcs_store **out, struct jcs_err *err);
void jcs_store_close(struct jcs_store *s);
/* Schema version after migrations. */
int jcs_store_schema_version(struct jcs_store *s, int *version, struct jcs_err *err);

/* Convenience wrappers: params as a NULL-free array of n strings. */
int jcs_store_exec(struct jcs_store *s, const char *sql, size_t n, const char *const *params,
		   struct jcs_rows *out, struct jcs_err *err);
/* Same for a statement built at run time (sql not in static storage): the store keeps the
 * few most recent by their text, as list filters have few shapes. */
int jcs_store_exec_once(struct jcs_store *s, const char *sql, size_t n, const char *const *params,
			struct jcs_rows *out, struct jcs_err *err);
int jcs_store_begin(struct jcs_store *s, struct jcs_err *err);
int jcs_store_commit(struct jcs_store *s, struct jcs_err *err);
void jcs_store_rollback(struct jcs_store *s);

/* Append the store's full-text condition (enum jcs_store_text) on parameter param ("$3"). */
int jcs_store_text_match(struct jcs_store *s, enum jcs_store_text which, const char *param, struct jcs_buf *out);

const char *jcs_rows_get(const struct jcs_rows *r, size_t row, size_t col);
long long jcs_rows_int(const struct jcs_rows *r, size_t row, size_t col);
void jcs_rows_free(struct jcs_rows *r);
/* Allocate an empty nrows x ncols result (for implementations). */
int jcs_rows_alloc(struct jcs_rows *r, size_t nrows, size_t ncols);

extern const struct jcs_store_ops jcs_store_sqlite;
extern const struct jcs_store_ops jcs_store_postgresql;

#endif
