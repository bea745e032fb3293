/* Store table, result sets and versioned schema migrations shared by every store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/store.h"

static const struct jcs_store_ops *const stores[] = {
	&jcs_store_sqlite,
	&jcs_store_postgresql,
};

/* Migrations: step i brings the schema from version i to i+1. Written in the SQL subset
 * both SQLite and PostgreSQL accept (BIGINT ids from the counters table, TEXT, no serials). */
static const char *const migrations[] = {
	/* 1: accounts, applications, registrations, audit trail, transparency log leaves */
	"CREATE TABLE counters (name TEXT PRIMARY KEY, v BIGINT NOT NULL);"
	"INSERT INTO counters (name, v) VALUES ('user', 0), ('app', 0), ('att', 0), ('audit', 0),"
	" ('log', 0);"
	"CREATE TABLE regno_seq (year BIGINT PRIMARY KEY, v BIGINT NOT NULL);"
	"CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL,"
	" org TEXT NOT NULL, pw_hash TEXT, token_hash TEXT UNIQUE, failed BIGINT NOT NULL DEFAULT 0,"
	" locked_until BIGINT NOT NULL DEFAULT 0, created BIGINT NOT NULL);"
	"CREATE TABLE sessions (hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id),"
	" csrf TEXT NOT NULL, expires BIGINT NOT NULL);"
	"CREATE TABLE applications (id BIGINT PRIMARY KEY, app_no TEXT UNIQUE,"
	" vendor_id BIGINT NOT NULL REFERENCES users(id), vendor_org TEXT NOT NULL,"
	" lab_org TEXT NOT NULL, state TEXT NOT NULL, level BIGINT NOT NULL, product TEXT NOT NULL,"
	" category TEXT NOT NULL, models TEXT NOT NULL, firmware TEXT NOT NULL,"
	" support_end TEXT NOT NULL, contact TEXT NOT NULL, update_info TEXT NOT NULL,"
	" question TEXT NOT NULL DEFAULT '', answer TEXT NOT NULL DEFAULT '',"
	" reason TEXT NOT NULL DEFAULT '', created BIGINT NOT NULL, updated BIGINT NOT NULL);"
	"CREATE INDEX applications_state ON applications(state);"
	"CREATE INDEX applications_vendor ON applications(vendor_id);"
	"CREATE TABLE attachments (id BIGINT PRIMARY KEY,"
	" app_id BIGINT NOT NULL REFERENCES applications(id), kind TEXT NOT NULL, name TEXT NOT NULL,"
	" ctype TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL, content TEXT NOT NULL,"
	" uploader TEXT NOT NULL, created BIGINT NOT NULL);"
	"CREATE INDEX attachments_app ON attachments(app_id);"
	"CREATE TABLE registrations (reg_no TEXT PRIMARY KEY,"
	" app_id BIGINT NOT NULL UNIQUE REFERENCES applications(id), level BIGINT NOT NULL,"
	" vendor_org TEXT NOT NULL, product TEXT NOT NULL, category TEXT NOT NULL,"
	" models TEXT NOT NULL, firmware TEXT NOT NULL, support_end TEXT NOT NULL, contact TEXT NOT NULL,"
	" update_info TEXT NOT NULL, status TEXT NOT NULL, issued TEXT NOT NULL,"
	" expires TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',"
	" updated BIGINT NOT NULL);"
	"CREATE INDEX registrations_status ON registrations(status);"
	/* the signed label lives apart so list scans stay small */
	"CREATE TABLE label_statements (reg_no TEXT PRIMARY KEY REFERENCES registrations(reg_no),"
	" statement TEXT NOT NULL);"
	"CREATE TABLE models (reg_no TEXT NOT NULL REFERENCES registrations(reg_no),"
	" model TEXT NOT NULL, PRIMARY KEY (reg_no, model));"
	"CREATE INDEX models_model ON models(model);"
	"CREATE TABLE audit (id BIGINT PRIMARY KEY, app_id BIGINT NOT NULL, actor TEXT NOT NULL,"
	" role TEXT NOT NULL, action TEXT NOT NULL, from_state TEXT NOT NULL,"
	" to_state TEXT NOT NULL, reason TEXT NOT NULL, at BIGINT NOT NULL);"
	"CREATE INDEX audit_app ON audit(app_id);"
	"CREATE TABLE tlog (idx BIGINT PRIMARY KEY, kind TEXT NOT NULL, reg_no TEXT NOT NULL,"
	" leaf_hash TEXT NOT NULL, entry TEXT NOT NULL, at BIGINT NOT NULL);"
	"CREATE INDEX tlog_reg ON tlog(reg_no);",
	/* 2: generation of the public data (cache validation across server processes) */
	"INSERT INTO counters (name, v) VALUES ('public', 0)",
	/* 3: accounts can be disabled */
	"ALTER TABLE users ADD COLUMN disabled BIGINT NOT NULL DEFAULT 0",
	/* 4: every tree size the registry signed a head for, with its root: it never signs a
	 * different root for a size, nor a tree that does not extend the largest (self-audit) */
	"CREATE TABLE tree_heads (tree_size BIGINT PRIMARY KEY, root_hash TEXT NOT NULL, at BIGINT NOT NULL)",
	/* 5: living labels (monitor.c): the SBOM on file per label and firmware version, the
	 * component index of the current one, imported feed records with their index keys,
	 * the KEV catalogue, vulnerability cases, webhooks and their delivery log */
	"INSERT INTO counters (name, v) VALUES ('case', 0), ('delivery', 0);"
	"CREATE TABLE sboms (reg_no TEXT NOT NULL, firmware TEXT NOT NULL, att_id BIGINT NOT NULL,"
	" sha256 TEXT NOT NULL, components BIGINT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (reg_no, firmware));"
	"CREATE TABLE components (reg_no TEXT NOT NULL, idx BIGINT NOT NULL, firmware TEXT NOT NULL,"
	" name TEXT NOT NULL, version TEXT NOT NULL, pkg_type TEXT NOT NULL, pkg_name TEXT NOT NULL,"
	" pkg_version TEXT NOT NULL, src_name TEXT NOT NULL, distro TEXT NOT NULL, purl TEXT NOT NULL,"
	" PRIMARY KEY (reg_no, idx));"
	"CREATE TABLE component_keys (k TEXT NOT NULL, reg_no TEXT NOT NULL, PRIMARY KEY (k, reg_no));"
	"CREATE INDEX component_keys_reg ON component_keys(reg_no);"
	"CREATE TABLE feed_files (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, records BIGINT NOT NULL,"
	" at BIGINT NOT NULL);"
	"CREATE TABLE feed_records (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, at BIGINT NOT NULL,"
	" PRIMARY KEY (kind, id));"
	"CREATE TABLE feed_keys (k TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (k, kind, id));"
	"CREATE INDEX feed_keys_rec ON feed_keys(kind, id);"
	"CREATE TABLE feed_pending (k TEXT PRIMARY KEY);"
	"CREATE TABLE kev (cve TEXT PRIMARY KEY, added TEXT NOT NULL, due TEXT NOT NULL, name TEXT NOT NULL);"
	"CREATE TABLE cases (id BIGINT PRIMARY KEY, reg_no TEXT NOT NULL, vuln TEXT NOT NULL,"
	" aliases TEXT NOT NULL, component TEXT NOT NULL, component_version TEXT NOT NULL, purl TEXT NOT NULL,"
	" source TEXT NOT NULL, decided_by TEXT NOT NULL, cvss TEXT NOT NULL, state TEXT NOT NULL,"
	" justification TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '', fix_date TEXT NOT NULL DEFAULT '',"
	" fixed_version TEXT NOT NULL DEFAULT '', overdue BIGINT NOT NULL DEFAULT 0, opened BIGINT NOT NULL,"
	" updated BIGINT NOT NULL, UNIQUE (reg_no, vuln, component));"
	"CREATE INDEX cases_reg ON cases(reg_no);"
	"CREATE INDEX cases_vuln ON cases(vuln);"
	"CREATE TABLE webhooks (org TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL, at BIGINT NOT NULL);"
	"CREATE TABLE deliveries (id BIGINT PRIMARY KEY, org TEXT NOT NULL, case_id BIGINT NOT NULL,"
	" event TEXT NOT NULL, body TEXT NOT NULL, attempts BIGINT NOT NULL, next_at BIGINT NOT NULL,"
	" status TEXT NOT NULL, last_code BIGINT NOT NULL, last_error TEXT NOT NULL, at BIGINT NOT NULL);"
	"CREATE INDEX deliveries_due ON deliveries(status, next_at)",
};

#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

static const char SQL_VERSION_TABLE[] =
	"CREATE TABLE IF NOT EXISTS schema_version (id BIGINT PRIMARY KEY, version BIGINT NOT NULL)";
static const char SQL_VERSION_INIT[] =
	"INSERT INTO schema_version (id, version) SELECT $1, 0"
	" WHERE NOT EXISTS (SELECT 1 FROM schema_version WHERE id = $1)";
static const char SQL_VERSION_GET[] = "SELECT version FROM schema_version WHERE id = $1";
static const char SQL_VERSION_SET[] = "UPDATE schema_version SET version = $1 WHERE id = $2";

/* Two tracks of migrations, each with its row in schema_version: the shared schema (id 1)
 * and the store's own steps (id 2: indexes only one database has). */
#define TRACK_SHARED "1"
#define TRACK_STORE  "2"

int jcs_rows_alloc(struct jcs_rows *r, size_t nrows, size_t ncols)
{
	memset(r, 0, sizeof(*r));
	if (nrows && ncols) {
		r->cell = calloc(nrows * ncols, sizeof(char *));
		if (!r->cell)
			return JCS_ENOMEM;
	}
	r->nrows = nrows;
	r->ncols = ncols;
	return 0;
}

const char *jcs_rows_get(const struct jcs_rows *r, size_t row, size_t col)
{
	if (!r || row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->cell[row * r->ncols + col];
}

long long jcs_rows_int(const struct jcs_rows *r, size_t row, size_t col)
{
	const char *s = jcs_rows_get(r, row, col);
	return s ? strtoll(s, NULL, 10) : 0;
}

void jcs_rows_free(struct jcs_rows *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->cell && i < r->nrows * r->ncols; i++)
		free(r->cell[i]);
	free(r->cell);
	memset(r, 0, sizeof(*r));
}

int jcs_store_exec(struct jcs_store *s, const char *sql, size_t n, const char *const *params,
		   struct jcs_rows *out, struct jcs_err *err)
{
	if (n > JCS_STORE_MAX_PARAMS)
		return jcs_err_set(err, JCS_EINVAL, "too many statement parameters");
	return s->ops->exec(s, sql, true, n, params, out, err);
}

int jcs_store_exec_once(struct jcs_store *s, const char *sql, size_t n, const char *const *params,
			struct jcs_rows *out, struct jcs_err *err)
{
	if (n > JCS_STORE_MAX_PARAMS)
		return jcs_err_set(err, JCS_EINVAL, "too many statement parameters");
	return s->ops->exec(s, sql, false, n, params, out, err);
}

int jcs_store_text_match(struct jcs_store *s, enum jcs_store_text which, const char *param, struct jcs_buf *out)
{
	return jcs_buf_printf(out, "%s%s%s", s->ops->text_match[which][0], param, s->ops->text_match[which][1]);
}

int jcs_store_begin(struct jcs_store *s, struct jcs_err *err)
{
	return s->ops->begin(s, err);
}

int jcs_store_commit(struct jcs_store *s, struct jcs_err *err)
{
	return s->ops->commit(s, err);
}

void jcs_store_rollback(struct jcs_store *s)
{
	s->ops->rollback(s);
}

static int track_version(struct jcs_store *s, const char *track, int *version, struct jcs_err *err)
{
	const char *p[1] = {track};
	struct jcs_rows r;
	int rc = jcs_store_exec(s, SQL_VERSION_GET, 1, p, &r, err);

	if (rc)
		return rc;
	*version = r.nrows ? (int)jcs_rows_int(&r, 0, 0) : 0;
	jcs_rows_free(&r);
	return 0;
}

int jcs_store_schema_version(struct jcs_store *s, int *version, struct jcs_err *err)
{
	return track_version(s, TRACK_SHARED, version, err);
}

/* Run each pending migration of one track in its own transaction. Statements of one step
 * are split on ';' (the migration text contains no ';' inside literals). */
static int migrate(struct jcs_store *s, const char *track, const char *const *steps, size_t nsteps,
		   struct jcs_err *err)
{
	int rc, version;
	char num[16];
	const char *p[2] = {num, track};

	if ((rc = jcs_store_exec(s, SQL_VERSION_TABLE, 0, NULL, NULL, err)))
		return rc;
	for (;;) {
		if ((rc = jcs_store_begin(s, err)))
			return rc;
		if (s->ops->migrate_lock_sql &&
		    (rc = jcs_store_exec(s, s->ops->migrate_lock_sql, 0, NULL, NULL, err)))
			goto fail;
		if ((rc = jcs_store_exec(s, SQL_VERSION_INIT, 1, p + 1, NULL, err)) ||
		    (rc = track_version(s, track, &version, err)))
			goto fail;
		if (version < 0 || (size_t)version > nsteps) {
			rc = jcs_err_set(err, JCS_EDB, "database schema version %d is newer than this jcstar (%zu)",
					 version, nsteps);
			goto fail;
		}
		if ((size_t)version == nsteps) {
			jcs_store_rollback(s);
			return 0;
		}
		for (const char *q = steps[version]; *q;) {
			/* a trigger's body holds ';' up to its END */
			const char *body = strncmp(q, "CREATE TRIGGER", 14) == 0 ? strstr(q, " END") : NULL;
			const char *e = strchr(body ? body : q, ';');
			size_t n = e ? (size_t)(e - q) : strlen(q);
			char *stmt = strndup(q, n);

			if (!stmt) {
				rc = JCS_ENOMEM;
				goto fail;
			}
			/* migration statements are one-off: run them uncached */
			rc = s->ops->exec(s, stmt, false, 0, NULL, NULL, err);
			free(stmt);
			if (rc)
				goto fail;
			q += n + (e != NULL);
		}
		snprintf(num, sizeof(num), "%d", version + 1);
		if ((rc = jcs_store_exec(s, SQL_VERSION_SET, 2, p, NULL, err)) ||
		    (rc = jcs_store_commit(s, err)))
			goto fail;
	}
fail:
	jcs_store_rollback(s);
	return rc;
}

int jcs_store_open(const char *url, struct jcs_store **out, struct jcs_err *err)
{
	int rc;

	*out = NULL;
	for (size_t i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
		if (!stores[i]->accepts(url))
			continue;
		if ((rc = stores[i]->open(url, out, err)))
			return rc;
		if ((rc = migrate(*out, TRACK_SHARED, migrations, NMIGRATIONS, err)) ||
		    (rc = migrate(*out, TRACK_STORE, stores[i]->migrations, stores[i]->nmigrations, err))) {
			jcs_store_close(*out);
			*out = NULL;
		}
		return rc;
	}
	return jcs_err_set(err, JCS_EINVAL, "unknown database URL '%s' (use sqlite:PATH or postgresql://...)",
			   url);
}

void jcs_store_close(struct jcs_store *s)
{
	if (s)
		s->ops->close(s);
}
