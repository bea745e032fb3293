/* PostgreSQL store (libpq): statements prepared once per connection (PQprepare) and run
 * with PQexecPrepared, so parameters never reach the SQL text. Several jcstar serve
 * processes may share one database: sequences are counter rows updated inside the
 * transaction (row locks), state changes are conditional UPDATEs, uniqueness is enforced
 * by constraints, and migrations take an advisory lock. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/store.h"

#define PG_CACHE 96

struct pg_store {
	struct jcs_store base;
	PGconn *conn;
	const char *cache[PG_CACHE]; /* index i is prepared as "s<i>" */
	size_t ncache;
};

static bool pg_accepts(const char *url)
{
	return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

static int res_err(PGresult *res, struct jcs_err *err, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : "no result";
	int code = JCS_EDB;

	/* 23xxx integrity violations and 40001 serialization failures are conflicts */
	if (state && (strncmp(state, "23", 2) == 0 || strcmp(state, "40001") == 0 ||
		      strcmp(state, "40P01") == 0))
		code = JCS_ECONFLICT;
	jcs_err_set(err, code, "postgresql %s: %s", what, msg);
	return code;
}

static int run_simple(struct pg_store *s, const char *sql, struct jcs_err *err)
{
	PGresult *res = PQexec(s->conn, sql);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = res_err(res, err, sql);
	PQclear(res);
	return rc;
}

static void pg_close(struct jcs_store *base)
{
	struct pg_store *s = (struct pg_store *)base;

	PQfinish(s->conn);
	free(s);
}

static int pg_open(const char *url, struct jcs_store **out, struct jcs_err *err)
{
	struct pg_store *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return JCS_ENOMEM;
	s->base.ops = &jcs_store_postgresql;
	s->conn = PQconnectdb(url);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		rc = jcs_err_set(err, JCS_EDB, "postgresql: %s", PQerrorMessage(s->conn));
		goto fail;
	}
	/* durable commits: a commit returns once its WAL is flushed */
	if ((rc = run_simple(s, "SET synchronous_commit = on", err)) ||
	    (rc = run_simple(s, "SET client_min_messages = warning", err)))
		goto fail;
	*out = &s->base;
	return 0;
fail:
	pg_close(&s->base);
	return rc;
}

static int pg_begin(struct jcs_store *base, struct jcs_err *err)
{
	return run_simple((struct pg_store *)base, "BEGIN ISOLATION LEVEL READ COMMITTED", err);
}

static int pg_commit(struct jcs_store *base, struct jcs_err *err)
{
	return run_simple((struct pg_store *)base, "COMMIT", err);
}

static void pg_rollback(struct jcs_store *base)
{
	struct pg_store *s = (struct pg_store *)base;

	if (PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
		PGresult *res = PQexec(s->conn, "ROLLBACK");
		PQclear(res);
	}
}

static int pg_exec(struct jcs_store *base, const char *sql, bool cache, size_t n,
		   const char *const *params, struct jcs_rows *out, struct jcs_err *err)
{
	struct pg_store *s = (struct pg_store *)base;
	PGresult *res = NULL;
	char name[24];
	ExecStatusType st;
	size_t idx = s->ncache;
	int rc = 0;

	if (out)
		memset(out, 0, sizeof(*out));
	for (size_t i = 0; cache && i < s->ncache; i++)
		if (s->cache[i] == sql) {
			idx = i;
			break;
		}
	if (cache && idx == s->ncache && s->ncache < PG_CACHE) {
		snprintf(name, sizeof(name), "s%zu", idx);
		res = PQprepare(s->conn, name, sql, (int)n, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			rc = res_err(res, err, "prepare");
			goto out;
		}
		PQclear(res);
		res = NULL;
		s->cache[s->ncache++] = sql;
	}
	if (cache && idx < s->ncache) {
		snprintf(name, sizeof(name), "s%zu", idx);
		res = PQexecPrepared(s->conn, name, (int)n, params, NULL, NULL, 0);
	} else {
		res = PQexecParams(s->conn, sql, (int)n, NULL, params, NULL, NULL, 0);
	}
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = res_err(res, err, "exec");
		goto out;
	}
	if (out) {
		size_t nr = (size_t)PQntuples(res), nc = (size_t)PQnfields(res);

		if ((rc = jcs_rows_alloc(out, nr, nc)))
			goto out;
		for (size_t r = 0; r < nr; r++)
			for (size_t c = 0; c < nc; c++) {
				if (PQgetisnull(res, (int)r, (int)c))
					continue;
				if (!(out->cell[r * nc + c] = strdup(PQgetvalue(res, (int)r, (int)c)))) {
					jcs_rows_free(out);
					rc = JCS_ENOMEM;
					goto out;
				}
			}
		out->changes = strtoll(PQcmdTuples(res), NULL, 10);
	}
out:
	PQclear(res);
	return rc;
}

/* Full-text search: pg_trgm GIN indexes on the lower-cased text the list searches, which
 * serve LIKE '%needle%' for needles of 3 characters or more, in any script. */
static const char *const pg_migrations[] = {
	/* 1: search index */
	"CREATE EXTENSION IF NOT EXISTS pg_trgm;"
	"CREATE INDEX registrations_text_trgm ON registrations USING gin"
	" (lower(vendor_org || ' ' || product || ' ' || models) gin_trgm_ops);"
	"CREATE INDEX registrations_vendor_trgm ON registrations USING gin (lower(vendor_org) gin_trgm_ops);"
	"CREATE INDEX registrations_models_trgm ON registrations USING gin (lower(models) gin_trgm_ops)",
};

const struct jcs_store_ops jcs_store_postgresql = {
	.name = "postgresql",
	.accepts = pg_accepts,
	.open = pg_open,
	.close = pg_close,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.exec = pg_exec,
	.migrate_lock_sql = "SELECT pg_advisory_xact_lock(5031)",
	.migrations = pg_migrations,
	.nmigrations = sizeof(pg_migrations) / sizeof(pg_migrations[0]),
	.text_match = {
		{"lower(vendor_org || ' ' || product || ' ' || models) LIKE ", ""},
		{"lower(vendor_org) LIKE ", ""},
		{"lower(models) LIKE ", ""},
	},
};
