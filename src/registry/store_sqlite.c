/* SQLite store: WAL journal, synchronous=FULL (a commit is on disk when it returns),
 * busy timeout for concurrent writers, prepared statements cached per handle. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/store.h"

#define SQLITE_CACHE 96
#define SQLITE_DYN 16 /* built statements (list filters) kept by their text, oldest replaced */

struct sqlite_store {
	struct jcs_store base;
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[SQLITE_CACHE];
	size_t ncache;
	struct {
		char *sql;
		sqlite3_stmt *st;
	} dyn[SQLITE_DYN];
	size_t ndyn;
};

static bool sqlite_accepts(const char *url)
{
	return strncmp(url, "sqlite:", 7) == 0;
}

static int db_err(struct sqlite_store *s, struct jcs_err *err, const char *what)
{
	int code = sqlite3_extended_errcode(s->db);

	if ((code & 0xff) == SQLITE_CONSTRAINT)
		return jcs_err_set(err, JCS_ECONFLICT, "%s: %s", what, sqlite3_errmsg(s->db));
	return jcs_err_set(err, JCS_EDB, "%s: %s", what, sqlite3_errmsg(s->db));
}

static int run_simple(struct sqlite_store *s, const char *sql, struct jcs_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		jcs_err_set(err, JCS_EDB, "sqlite: %s: %s", sql, msg ? msg : "error");
		sqlite3_free(msg);
		return JCS_EDB;
	}
	return 0;
}

static void sqlite_close(struct jcs_store *base)
{
	struct sqlite_store *s = (struct sqlite_store *)base;

	for (size_t i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	for (size_t i = 0; i < SQLITE_DYN; i++) {
		sqlite3_finalize(s->dyn[i].st);
		free(s->dyn[i].sql);
	}
	sqlite3_close(s->db);
	free(s);
}

static int sqlite_open(const char *url, struct jcs_store **out, struct jcs_err *err)
{
	struct sqlite_store *s = calloc(1, sizeof(*s));
	const char *path = url + 7;
	int rc;

	if (!s)
		return JCS_ENOMEM;
	s->base.ops = &jcs_store_sqlite;
	if (!*path) {
		free(s);
		return jcs_err_set(err, JCS_EINVAL, "sqlite: empty path");
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = jcs_err_set(err, JCS_EDB, "sqlite: %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 10000);
	/* one plan per statement: a LIKE on a bound pattern would otherwise re-prepare at every
	 * new binding (the b-tree LIKE optimisation, which no query here can use: text search
	 * goes through the FTS5 trigram index, which reads the pattern at run time) */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)NULL);
	if ((rc = run_simple(s, "PRAGMA journal_mode=WAL", err)) ||
	    (rc = run_simple(s, "PRAGMA synchronous=FULL", err)) ||
	    (rc = run_simple(s, "PRAGMA foreign_keys=ON", err)))
		goto fail;
	*out = &s->base;
	return 0;
fail:
	sqlite_close(&s->base);
	return rc;
}

static int sqlite_begin(struct jcs_store *base, struct jcs_err *err)
{
	return run_simple((struct sqlite_store *)base, "BEGIN IMMEDIATE", err);
}

static int sqlite_commit(struct jcs_store *base, struct jcs_err *err)
{
	return run_simple((struct sqlite_store *)base, "COMMIT", err);
}

static void sqlite_rollback(struct jcs_store *base)
{
	struct sqlite_store *s = (struct sqlite_store *)base;

	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Canonical decimal integer ("0", "-12", no leading zeros) fitting int64. */
static bool canonical_int(const char *v, long long *out)
{
	const char *p = v;
	char *end;

	if (*p == '-')
		p++;
	if (!*p || (*p == '0' && p[1]) || strspn(p, "0123456789") != strlen(p) || strlen(p) > 18)
		return false;
	*out = strtoll(v, &end, 10);
	return *end == 0 && !(v[0] == '-' && *out == 0);
}

static int sqlite_exec(struct jcs_store *base, const char *sql, bool cache, size_t n,
		       const char *const *params, struct jcs_rows *out, struct jcs_err *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st = NULL;
	bool cached = false;
	size_t cap = 0, nrows = 0, ncols;
	char **cells = NULL;
	int rc = 0, src;

	if (out)
		memset(out, 0, sizeof(*out));
	for (size_t i = 0; cache && i < s->ncache; i++)
		if (s->cache[i].sql == sql) {
			st = s->cache[i].st;
			cached = true;
			break;
		}
	/* a statement built per call (the list filters) has few shapes: keep them by text */
	for (size_t i = 0; !cache && i < SQLITE_DYN; i++)
		if (s->dyn[i].sql && strcmp(s->dyn[i].sql, sql) == 0) {
			st = s->dyn[i].st;
			cached = true;
			break;
		}
	if (!st) {
		if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
			return db_err(s, err, "sqlite prepare");
		if (cache && s->ncache < SQLITE_CACHE) {
			s->cache[s->ncache].sql = sql;
			s->cache[s->ncache++].st = st;
			cached = true;
		} else if (!cache) {
			char *copy = strdup(sql);
			size_t i = s->ndyn++ % SQLITE_DYN;

			if (copy) {
				sqlite3_finalize(s->dyn[i].st);
				free(s->dyn[i].sql);
				s->dyn[i].sql = copy;
				s->dyn[i].st = st;
				cached = true;
			}
		}
	}
	if ((size_t)sqlite3_bind_parameter_count(st) != n) {
		rc = jcs_err_set(err, JCS_EINVAL, "sqlite: statement wants %d parameters, got %zu",
				 sqlite3_bind_parameter_count(st), n);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		long long iv;

		src = canonical_int(params[i], &iv) ? sqlite3_bind_int64(st, (int)i + 1, iv)
						    : sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_STATIC);
		if (src != SQLITE_OK) {
			rc = db_err(s, err, "sqlite bind");
			goto out;
		}
	}
	ncols = (size_t)sqlite3_column_count(st);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (!out)
			continue;
		if (nrows == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nc = realloc(cells, ncap * ncols * sizeof(char *));

			if (!nc) {
				rc = JCS_ENOMEM;
				goto out;
			}
			cells = nc;
			cap = ncap;
		}
		for (size_t c = 0; c < ncols; c++) {
			const unsigned char *t = sqlite3_column_text(st, (int)c);
			char **slot = &cells[nrows * ncols + c];

			*slot = NULL;
			if (t && !(*slot = strdup((const char *)t))) {
				for (size_t k = 0; k < c; k++)
					free(cells[nrows * ncols + k]);
				rc = JCS_ENOMEM;
				goto out;
			}
		}
		nrows++;
	}
	if (src != SQLITE_DONE) {
		rc = db_err(s, err, "sqlite step");
		goto out;
	}
	if (out) {
		out->cell = cells;
		out->nrows = nrows;
		out->ncols = ncols;
		out->changes = sqlite3_changes64(s->db);
		cells = NULL;
		nrows = 0;
	}
out:
	for (size_t i = 0; cells && i < nrows * ncols; i++)
		free(cells[i]);
	free(cells);
	if (cached) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	} else {
		sqlite3_finalize(st);
	}
	return rc;
}

/* Full-text search: an FTS5 table with the trigram tokenizer (any script, Japanese
 * included) over the lower-cased text of each registration, kept by triggers. LIKE
 * '%needle%' on it uses the trigram index for needles of 3 characters or more. */
static const char *const sqlite_migrations[] = {
	/* 1: search index */
	"CREATE VIRTUAL TABLE registrations_fts USING fts5(alltext, vendor, models, tokenize='trigram');"
	"INSERT INTO registrations_fts (rowid, alltext, vendor, models) SELECT rowid,"
	" lower(vendor_org || ' ' || product || ' ' || models), lower(vendor_org), lower(models) FROM registrations;"
	"CREATE TRIGGER registrations_fts_ins AFTER INSERT ON registrations BEGIN"
	" INSERT INTO registrations_fts (rowid, alltext, vendor, models) VALUES (new.rowid,"
	" lower(new.vendor_org || ' ' || new.product || ' ' || new.models), lower(new.vendor_org), lower(new.models));"
	" END;"
	"CREATE TRIGGER registrations_fts_upd AFTER UPDATE OF vendor_org, product, models ON registrations BEGIN"
	" UPDATE registrations_fts SET alltext = lower(new.vendor_org || ' ' || new.product || ' ' || new.models),"
	" vendor = lower(new.vendor_org), models = lower(new.models) WHERE rowid = new.rowid;"
	" END;"
	"CREATE TRIGGER registrations_fts_del AFTER DELETE ON registrations BEGIN"
	" DELETE FROM registrations_fts WHERE rowid = old.rowid;"
	" END",
};

const struct jcs_store_ops jcs_store_sqlite = {
	.name = "sqlite",
	.accepts = sqlite_accepts,
	.open = sqlite_open,
	.close = sqlite_close,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.exec = sqlite_exec,
	.migrate_lock_sql = NULL,
	.migrations = sqlite_migrations,
	.nmigrations = sizeof(sqlite_migrations) / sizeof(sqlite_migrations[0]),
	.text_match = {
		{"rowid IN (SELECT rowid FROM registrations_fts WHERE alltext LIKE ", ")"},
		{"rowid IN (SELECT rowid FROM registrations_fts WHERE vendor LIKE ", ")"},
		{"rowid IN (SELECT rowid FROM registrations_fts WHERE models LIKE ", ")"},
	},
};
