/* Living labels (monitor.h): component index, feed import, matching, cases, VEX, webhooks. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jcstar/buf.h"
#include "firmware/sbom.h"
#include "firmware/vulnmatch.h"
#include "registry/monitor.h"

#define MAX_DIR_FILES 100000
#define MAX_KEYS_PER_RECORD 256
#define WEBHOOK_SECONDS 10L

struct jcs_monitor {
	struct jcs_sbom *sbom;
};

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void now_str(char *out, size_t n)
{
	snprintf(out, n, "%lld", (long long)time(NULL));
}

int jcs_mon_new(struct jcs_monitor **out, struct jcs_err *err)
{
	struct jcs_monitor *m = calloc(1, sizeof(*m));
	int rc;

	*out = NULL;
	if (!m)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	if ((rc = jcs_sbom_new(&m->sbom, err))) {
		free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void jcs_mon_free(struct jcs_monitor *m)
{
	if (!m)
		return;
	jcs_sbom_free(m->sbom);
	free(m);
}

/* ------------------------------------------------------ component index */

/* Index keys of a component: "pkg:TYPE:NAME" for its package name and canonical name (OSV
 * and distribution advisories name either), "cpe:PART:VENDOR:PRODUCT" for each CPE. */
static int component_keys(const struct jcs_component *c, struct jcs_strv *keys)
{
	char k[512];
	int rc = 0;

	if (c->pkg_type) {
		snprintf(k, sizeof(k), "pkg:%s:%s", c->pkg_type, c->pkg_name);
		if (!jcs_strv_has(keys, k))
			rc = jcs_strv_add(keys, k);
		snprintf(k, sizeof(k), "pkg:%s:%s", c->pkg_type, c->name);
		if (!rc && !jcs_strv_has(keys, k))
			rc = jcs_strv_add(keys, k);
		snprintf(k, sizeof(k), "pkg:%s:%s", c->pkg_type, c->src_name ? c->src_name : c->name);
		if (!rc && !jcs_strv_has(keys, k))
			rc = jcs_strv_add(keys, k);
	}
	for (size_t i = 0; !rc && c->cpes[i]; i++) {
		snprintf(k, sizeof(k), "cpe:%s", c->cpes[i]);
		if (!jcs_strv_has(keys, k))
			rc = jcs_strv_add(keys, k);
	}
	return rc;
}

static int decode_b64(const char *b64, size_t len, char **out)
{
	size_t n = strlen(b64);
	int got;

	*out = malloc(n / 4 * 3 + 1);
	if (!*out)
		return JCS_ENOMEM;
	got = EVP_DecodeBlock((unsigned char *)*out, (const unsigned char *)b64, (int)n);
	if (got < 0 || (size_t)got < len) {
		free(*out);
		*out = NULL;
		return JCS_EPARSE;
	}
	(*out)[len] = 0;
	return 0;
}

/* The label's SBOM (components of s) into the index of reg_no. */
static int store_components(struct jcs_store *db, const char *reg_no, const char *firmware,
			    const struct jcs_sbom *s, struct jcs_err *err)
{
	static const char q_del[] = "DELETE FROM components WHERE reg_no = $1";
	static const char q_delk[] = "DELETE FROM component_keys WHERE reg_no = $1";
	static const char q_comp[] = "INSERT INTO components (reg_no, idx, firmware, name, version, pkg_type,"
				     " pkg_name, pkg_version, src_name, distro, purl) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
				     " $9, $10, $11)";
	static const char q_key[] = "INSERT INTO component_keys (k, reg_no) VALUES ($1, $2)";
	const struct jcs_distro *d = jcs_sbom_distro(s);
	struct jcs_strv keys = {0};
	char idx[24], distro[100];
	int rc;

	snprintf(distro, sizeof(distro), "%s%s%s", d->id, d->version[0] ? "-" : "", d->version);
	if ((rc = jcs_store_exec(db, q_del, 1, &reg_no, NULL, err)) ||
	    (rc = jcs_store_exec(db, q_delk, 1, &reg_no, NULL, err)))
		return rc;
	for (size_t i = 0; !rc && i < jcs_sbom_count(s); i++) {
		const struct jcs_component *c = jcs_sbom_get(s, i);
		const char *p[] = {reg_no, idx, firmware, c->name, c->version, c->pkg_type ? c->pkg_type : "",
				   c->pkg_name ? c->pkg_name : "", c->pkg_version ? c->pkg_version : "",
				   c->src_name ? c->src_name : "", distro, c->purl ? c->purl : ""};
		snprintf(idx, sizeof(idx), "%zu", i);
		rc = jcs_store_exec(db, q_comp, 11, p, NULL, err);
		if (!rc && component_keys(c, &keys))
			rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; !rc && i < keys.n; i++) {
		const char *p[] = {keys.v[i], reg_no};
		rc = jcs_store_exec(db, q_key, 2, p, NULL, err);
	}
	jcs_strv_free(&keys);
	return rc;
}

int jcs_mon_index(struct jcs_store *db, long long app_id, const char *reg_no, const char *firmware,
		  struct jcs_err *err)
{
	static const char q_att[] = "SELECT id, sha256, content, size FROM attachments WHERE app_id = $1"
				    " AND kind = 'sbom' ORDER BY id DESC LIMIT 1";
	static const char q_sbom[] = "INSERT INTO sboms (reg_no, firmware, att_id, sha256, components, at)"
				     " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (reg_no, firmware) DO UPDATE SET"
				     " att_id = $3, sha256 = $4, components = $5, at = $6";
	struct jcs_sbom *s = NULL;
	struct jcs_rows r = {0};
	json_t *doc = NULL;
	json_error_t je;
	char app[24], *text = NULL, n[24], now[24];
	int rc;

	snprintf(app, sizeof(app), "%lld", app_id);
	{
		const char *p[] = {app};
		if ((rc = jcs_store_exec(db, q_att, 1, p, &r, err)))
			return rc;
	}
	if (r.nrows == 0)
		goto out; /* no SBOM on file: nothing to watch */
	{
		/* a change notice without a new SBOM keeps the index of the SBOM on file */
		static const char q_known[] = "SELECT 1 FROM sboms WHERE reg_no = $1 AND att_id = $2";
		const char *p[] = {reg_no, jcs_rows_get(&r, 0, 0)};
		struct jcs_rows k;
		bool known;
		if ((rc = jcs_store_exec(db, q_known, 2, p, &k, err)))
			goto out;
		known = k.nrows > 0;
		jcs_rows_free(&k);
		if (known)
			goto out;
	}
	if ((rc = decode_b64(jcs_rows_get(&r, 0, 2), (size_t)jcs_rows_int(&r, 0, 3), &text))) {
		rc = jcs_err_set(err, rc, "stored SBOM: %s", jcs_strerror(rc));
		goto out;
	}
	if (!(doc = json_loads(text, JSON_REJECT_DUPLICATES, &je))) {
		rc = jcs_err_set(err, JCS_EPARSE, "stored SBOM: %s", je.text);
		goto out;
	}
	if ((rc = jcs_sbom_new(&s, err)) || (rc = jcs_sbom_read_cyclonedx(s, doc, err)) ||
	    (rc = jcs_sbom_finish(s)) || (rc = store_components(db, reg_no, firmware, s, err)))
		goto out;
	snprintf(n, sizeof(n), "%zu", jcs_sbom_count(s));
	now_str(now, sizeof(now));
	{
		const char *p[] = {reg_no, firmware, jcs_rows_get(&r, 0, 0), jcs_rows_get(&r, 0, 1), n, now};
		rc = jcs_store_exec(db, q_sbom, 6, p, NULL, err);
	}
out:
	if (rc && !err->msg[0])
		rc = jcs_err_set(err, rc, "indexing the SBOM: %s", jcs_strerror(rc));
	jcs_sbom_free(s);
	json_decref(doc);
	free(text);
	jcs_rows_free(&r);
	return rc;
}

/* The stored components of reg_no into m->sbom (reset first). */
static int load_label(struct jcs_store *db, struct jcs_monitor *m, const char *reg_no, struct jcs_err *err)
{
	static const char sql[] = "SELECT name, version, pkg_type, pkg_name, pkg_version, distro, src_name"
				  " FROM components WHERE reg_no = $1 ORDER BY idx";
	struct jcs_rows r;
	int rc;

	jcs_sbom_reset(m->sbom);
	if ((rc = jcs_store_exec(db, sql, 1, &reg_no, &r, err)))
		return rc;
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		const char *type = jcs_rows_get(&r, i, 2);
		if (i == 0 && *jcs_rows_get(&r, 0, 5)) {
			struct jcs_distro d = {0};
			const char *dist = jcs_rows_get(&r, 0, 5), *dash = strrchr(dist, '-');
			snprintf(d.id, sizeof(d.id), "%.*s", dash ? (int)(dash - dist) : (int)strlen(dist), dist);
			if (dash)
				snprintf(d.version, sizeof(d.version), "%s", dash + 1);
			jcs_sbom_set_distro(m->sbom, &d);
		}
		rc = jcs_sbom_add(m->sbom, jcs_rows_get(&r, i, 0), jcs_rows_get(&r, i, 1), *type ? type : NULL,
				  jcs_rows_get(&r, i, 3), jcs_rows_get(&r, i, 4), jcs_rows_get(&r, i, 6));
	}
	jcs_rows_free(&r);
	return rc ? jcs_err_set(err, rc, "%s: components: %s", reg_no, jcs_strerror(rc)) : 0;
}

/* ------------------------------------------------------------- feeds */

static const char *kind_name(enum jcs_feed_kind k)
{
	return k == JCS_FEED_NVD ? "nvd" : k == JCS_FEED_OSV ? "osv" : k == JCS_FEED_KEV ? "kev" : "debian";
}

static int kind_parse(const char *s, enum jcs_feed_kind *k)
{
	if (strcmp(s, "nvd") == 0)
		*k = JCS_FEED_NVD;
	else if (strcmp(s, "osv") == 0)
		*k = JCS_FEED_OSV;
	else
		return JCS_EINVAL;
	return 0;
}

static const char *ecosystem_type(const char *eco)
{
	if (!eco)
		return NULL;
	return strncmp(eco, "Debian", 6) == 0 ? "deb" : strncmp(eco, "Alpine", 6) == 0 ? "apk"
		: strncmp(eco, "OpenWrt", 7) == 0 ? "opkg" : NULL;
}

/* Index keys of an NVD configuration node list (every cpeMatch criteria, recursively
 * bounded by the JSON's own depth). */
static int nvd_keys(const json_t *cve, struct jcs_strv *keys)
{
	const json_t *cfg, *node, *m;
	size_t i, j, k;
	int rc = 0;

	json_array_foreach(json_object_get(cve, "configurations"), i, cfg)
		json_array_foreach(json_object_get(cfg, "nodes"), j, node)
			json_array_foreach(json_object_get(node, "cpeMatch"), k, m) {
				const char *c = json_string_value(json_object_get(m, "criteria"));
				char part[8], vendor[128], product[128], key[300];
				if (rc || !c || keys->n >= MAX_KEYS_PER_RECORD ||
				    sscanf(c, "cpe:2.3:%7[^:]:%127[^:]:%127[^:]", part, vendor, product) != 3)
					continue;
				snprintf(key, sizeof(key), "cpe:%s:%s:%s", part, vendor, product);
				if (!jcs_strv_has(keys, key))
					rc = jcs_strv_add(keys, key);
			}
	return rc;
}

static int osv_keys(const json_t *rec, struct jcs_strv *keys)
{
	const json_t *a;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(rec, "affected"), i, a) {
		const json_t *pkg = json_object_get(a, "package");
		const char *type = ecosystem_type(json_string_value(json_object_get(pkg, "ecosystem")));
		const char *name = json_string_value(json_object_get(pkg, "name"));
		char key[300];
		if (rc || !type || !name || keys->n >= MAX_KEYS_PER_RECORD)
			continue;
		snprintf(key, sizeof(key), "pkg:%s:%s", type, name);
		if (!jcs_strv_has(keys, key))
			rc = jcs_strv_add(keys, key);
	}
	return rc;
}

int jcs_mon_record_keys(enum jcs_feed_kind kind, const json_t *rec, struct jcs_strv *keys)
{
	return kind == JCS_FEED_NVD ? nvd_keys(rec, keys) : kind == JCS_FEED_OSV ? osv_keys(rec, keys) : 0;
}

struct import {
	struct jcs_store *db;
	struct jcs_strv delta;   /* index keys of changed records */
	struct jcs_mon_stats *st;
	struct jcs_err *err;
	long long n, kev;
};

static int put_kev(struct import *im, const json_t *e)
{
	static const char sql[] = "INSERT INTO kev (cve, added, due, name) VALUES ($1, $2, $3, $4)"
				  " ON CONFLICT (cve) DO UPDATE SET added = $2, due = $3, name = $4";
	const char *p[] = {jstr(e, "cveID"), jstr(e, "dateAdded"), jstr(e, "dueDate"), jstr(e, "vulnerabilityName")};
	int rc;

	if (strncmp(p[0], "CVE-", 4) || strlen(p[0]) > 40)
		return 0;
	if ((rc = jcs_store_exec(im->db, sql, 4, p, NULL, im->err)))
		return rc;
	im->st->changed++;
	im->kev++;
	return 0;
}

static int put_record(void *ctx, enum jcs_feed_kind kind, const json_t *rec)
{
	static const char q_get[] = "SELECT body FROM feed_records WHERE kind = $1 AND id = $2";
	static const char q_put[] = "INSERT INTO feed_records (kind, id, body, at) VALUES ($1, $2, $3, $4)"
				    " ON CONFLICT (kind, id) DO UPDATE SET body = $3, at = $4";
	static const char q_delk[] = "DELETE FROM feed_keys WHERE kind = $1 AND id = $2";
	static const char q_key[] = "INSERT INTO feed_keys (k, kind, id) VALUES ($1, $2, $3)";
	static const char q_pending[] = "INSERT INTO feed_pending (k) VALUES ($1) ON CONFLICT (k) DO NOTHING";
	struct import *im = ctx;
	struct jcs_strv keys = {0};
	struct jcs_rows r = {0};
	const char *id = jstr(rec, "id");
	char *body = NULL, now[24];
	int rc;

	if (++im->n > JCS_MON_FEED_RECORDS)
		return jcs_err_set(im->err, JCS_ELIMIT, "more than %d records in one feed file", JCS_MON_FEED_RECORDS);
	im->st->records++;
	if (kind == JCS_FEED_KEV)
		return put_kev(im, rec);
	if (kind == JCS_FEED_DEBIAN || !*id || strlen(id) > 100)
		return 0; /* the tracker needs the image's codename, which an SBOM does not carry */
	if (kind == JCS_FEED_NVD && json_is_string(json_object_get(rec, "cisaExploitAdd"))) {
		/* NVD marks a CVE in the KEV catalogue itself */
		json_t *k = json_pack("{s:s, s:s, s:s, s:s}", "cveID", id, "dateAdded", jstr(rec, "cisaExploitAdd"),
				      "dueDate", jstr(rec, "cisaActionDue"), "vulnerabilityName",
				      jstr(rec, "cisaVulnerabilityName"));
		rc = k ? put_kev(im, k) : JCS_ENOMEM;
		json_decref(k);
		if (rc)
			goto out;
	}
	if ((rc = jcs_mon_record_keys(kind, rec, &keys)))
		goto out;
	if (keys.n == 0)
		goto out; /* names nothing we index */
	if (!(body = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS))) {
		rc = JCS_ENOMEM;
		goto out;
	}
	{
		const char *p[] = {kind_name(kind), id};
		if ((rc = jcs_store_exec(im->db, q_get, 2, p, &r, im->err)))
			goto out;
	}
	if (r.nrows && strcmp(jcs_rows_get(&r, 0, 0), body) == 0)
		goto out; /* unchanged */
	now_str(now, sizeof(now));
	{
		const char *p[] = {kind_name(kind), id, body, now};
		if ((rc = jcs_store_exec(im->db, q_put, 4, p, NULL, im->err)) ||
		    (rc = jcs_store_exec(im->db, q_delk, 2, p, NULL, im->err)))
			goto out;
	}
	for (size_t i = 0; !rc && i < keys.n; i++) {
		const char *p[] = {keys.v[i], kind_name(kind), id};
		rc = jcs_store_exec(im->db, q_key, 3, p, NULL, im->err);
		if (!rc && !jcs_strv_has(&im->delta, keys.v[i]) && !(rc = jcs_strv_add(&im->delta, keys.v[i])))
			rc = jcs_store_exec(im->db, q_pending, 1, p, NULL, im->err);
	}
	im->st->changed++;
out:
	jcs_rows_free(&r);
	jcs_strv_free(&keys);
	free(body);
	return rc;
}

/* Store one feed document's new and changed records (the whole document in one
 * transaction); their index keys are added to im->delta. */
static int import_doc(struct import *im, const char *name, const char *text, size_t len)
{
	static const char q_file[] = "SELECT sha256 FROM feed_files WHERE name = $1";
	static const char q_put[] = "INSERT INTO feed_files (name, sha256, records, at) VALUES ($1, $2, $3, $4)"
				    " ON CONFLICT (name) DO UPDATE SET sha256 = $2, records = $3, at = $4";
	static const char q_pub[] = "UPDATE counters SET v = v + 1 WHERE name = 'public'";
	struct jcs_err *err = im->err;
	struct jcs_rows r = {0};
	json_error_t je;
	json_t *doc = NULL;
	char sha[65], n[24], now[24];
	int rc;

	jcs_reg_sha256_hex(text, len, sha);
	if ((rc = jcs_store_exec(im->db, q_file, 1, &name, &r, err)))
		return rc;
	if (r.nrows && strcmp(jcs_rows_get(&r, 0, 0), sha) == 0) {
		jcs_rows_free(&r);
		im->st->files_skipped++;
		return 0;
	}
	jcs_rows_free(&r);
	if (!(doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)))
		return jcs_err_set(err, JCS_EPARSE, "%s:%d:%d: %s", name, je.line, je.column, je.text);
	im->n = im->kev = 0;
	if ((rc = jcs_store_begin(im->db, err)))
		goto out;
	rc = jcs_feed_records(doc, put_record, im);
	if (rc == JCS_ESCHEMA && !err->msg[0])
		rc = jcs_err_set(err, rc, "%s: not an NVD CVE API 2.0, OSV or CISA KEV document", name);
	else if (rc && !err->msg[0])
		rc = jcs_err_set(err, rc, "%s: %s", name, jcs_strerror(rc));
	snprintf(n, sizeof(n), "%lld", im->n);
	now_str(now, sizeof(now));
	if (!rc) {
		const char *p[] = {name, sha, n, now};
		rc = jcs_store_exec(im->db, q_put, 4, p, NULL, err);
	}
	/* KEV entries change what public pages show about existing cases */
	if (!rc && im->kev)
		rc = jcs_store_exec(im->db, q_pub, 0, NULL, NULL, err);
	if (rc || (rc = jcs_store_commit(im->db, err)))
		jcs_store_rollback(im->db);
	else
		im->st->files++;
out:
	json_decref(doc);
	return rc;
}

static int match_keys(struct jcs_store *db, struct jcs_monitor *m, const struct jcs_strv *keys,
		      struct jcs_mon_stats *st, struct jcs_err *err);

/* The first column of every row of sql (no parameters) appended to keys. */
static int query_keys(struct jcs_store *db, const char *sql, struct jcs_strv *keys, struct jcs_err *err)
{
	struct jcs_rows r;
	int rc = jcs_store_exec(db, sql, 0, NULL, &r, err);

	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < r.nrows; i++)
		rc = jcs_strv_add(keys, jcs_rows_get(&r, i, 0));
	jcs_rows_free(&r);
	return rc;
}

/* Match the keys of every change imported and not matched yet (this import's, and a
 * previous one's whose matching failed), then forget them. */
static int match_pending(struct jcs_store *db, struct jcs_monitor *m, struct jcs_mon_stats *st, struct jcs_err *err)
{
	static const char q_done[] = "DELETE FROM feed_pending WHERE k = $1";
	struct jcs_strv keys = {0};
	int rc = query_keys(db, "SELECT k FROM feed_pending", &keys, err);

	if (!rc)
		rc = match_keys(db, m, &keys, st, err);
	for (size_t i = 0; !rc && i < keys.n; i++)
		rc = jcs_store_exec(db, q_done, 1, (const char *const *)&keys.v[i], NULL, err);
	jcs_strv_free(&keys);
	return rc == JCS_ENOMEM && !err->msg[0] ? jcs_err_set(err, rc, "out of memory") : rc;
}

int jcs_mon_import(struct jcs_store *db, struct jcs_monitor *m, const char *name, const char *text, size_t len,
		   struct jcs_mon_stats *st, struct jcs_err *err)
{
	struct import im = {db, {0}, st, err, 0, 0};
	int rc = import_doc(&im, name, text, len);

	if (!rc)
		rc = match_pending(db, m, st, err);
	jcs_strv_free(&im.delta);
	return rc;
}

static int import_path(struct import *im, const char *path, int depth)
{
	struct dirent **ents;
	int n, rc = 0;

	if (depth > 8)
		return jcs_err_set(im->err, JCS_ELIMIT, "%s: feed directories nested too deep", path);
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0)
		return jcs_err_set(im->err, JCS_EIO, "%s: cannot list the feed directory", path);
	for (int i = 0; i < n; i++) {
		char sub[4096];
		struct stat sb;
		if (rc == 0 && ents[i]->d_name[0] != '.' && i < MAX_DIR_FILES) {
			snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
			if (stat(sub, &sb) != 0)
				;
			else if (S_ISDIR(sb.st_mode))
				rc = import_path(im, sub, depth + 1);
			else if (S_ISREG(sb.st_mode) && jcs_vulndb_name(ents[i]->d_name)) {
				struct jcs_buf b = JCS_BUF_INIT;
				if ((rc = jcs_vulndb_read(sub, &b, im->err)) == 0)
					rc = import_doc(im, sub, b.data ? b.data : "", b.len);
				jcs_buf_free(&b);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int jcs_mon_import_dir(struct jcs_store *db, struct jcs_monitor *m, const char *dir, struct jcs_mon_stats *st,
		       struct jcs_err *err)
{
	struct import im = {db, {0}, st, err, 0, 0};
	/* every changed file first, then one match: an NVD record and the distribution's
	 * advisory of the same CVE dropped together are judged together */
	int rc = import_path(&im, dir, 0);

	if (!rc)
		rc = match_pending(db, m, st, err);
	jcs_strv_free(&im.delta);
	return rc;
}

/* ------------------------------------------------------------ matching */

static int open_case(struct jcs_store *db, const char *reg_no, const json_t *v, const struct jcs_component *c,
		     bool *opened, struct jcs_err *err);

/* Match the records indexed under keys (those of reg_no) against reg_no's components. */
static int match_label(struct jcs_store *db, struct jcs_monitor *m, const char *reg_no,
		       const struct jcs_strv *delta, struct jcs_mon_stats *st, struct jcs_err *err)
{
	static const char q_recs[] = "SELECT r.kind, r.id, r.body FROM feed_keys k JOIN feed_records r"
				     " ON r.kind = k.kind AND r.id = k.id WHERE k.k = $1";
	struct jcs_vulnmatch vm = {0};
	struct jcs_strv seen = {0}, keys = {0};
	json_t *res = NULL, *v;
	size_t i;
	int rc;

	if ((rc = load_label(db, m, reg_no, err)))
		return rc;
	/* every key of each component the delta touches: the NVD record and the distribution's
	 * advisory of one component are judged together */
	for (i = 0; !rc && i < jcs_sbom_count(m->sbom); i++) {
		struct jcs_strv ck = {0};
		bool touched = false;
		rc = component_keys(jcs_sbom_get(m->sbom, i), &ck);
		for (size_t k = 0; !rc && k < ck.n; k++)
			touched |= jcs_strv_has(delta, ck.v[k]);
		for (size_t k = 0; !rc && touched && k < ck.n; k++)
			if (!jcs_strv_has(&keys, ck.v[k]))
				rc = jcs_strv_add(&keys, ck.v[k]);
		jcs_strv_free(&ck);
	}
	vm.sbom = m->sbom;
	vm.out = json_array();
	vm.fixed = json_array();
	if (!vm.out || !vm.fixed) {
		rc = JCS_ENOMEM;
		goto out;
	}
	for (i = 0; !rc && i < keys.n; i++) {
		struct jcs_rows r;
		if ((rc = jcs_store_exec(db, q_recs, 1, (const char *const *)&keys.v[i], &r, err)))
			break;
		for (size_t j = 0; !rc && j < r.nrows; j++) {
			char rid[160];
			enum jcs_feed_kind kind;
			json_t *rec;
			snprintf(rid, sizeof(rid), "%s/%s", jcs_rows_get(&r, j, 0), jcs_rows_get(&r, j, 1));
			if (jcs_strv_has(&seen, rid) || kind_parse(jcs_rows_get(&r, j, 0), &kind))
				continue;
			if ((rc = jcs_strv_add(&seen, rid)))
				break;
			rec = json_loads(jcs_rows_get(&r, j, 2), 0, NULL);
			if (rec)
				rc = jcs_vulnmatch_record(&vm, kind, rec);
			json_decref(rec);
		}
		jcs_rows_free(&r);
	}
	if (rc || !(res = jcs_vulnmatch_resolve(&vm, NULL))) {
		rc = rc ? rc : JCS_ENOMEM;
		goto out;
	}
	if ((rc = jcs_store_begin(db, err)))
		goto out;
	json_array_foreach(res, i, v) {
		const char *status = jstr(v, "status");
		bool opened = false;
		if (jcs_vuln_status_clear(status))
			continue; /* fixed by the distribution (a backport), or not affected */
		rc = open_case(db, reg_no, v,
			       jcs_sbom_get(m->sbom, (size_t)json_integer_value(json_object_get(v, "component_index"))),
			       &opened, err);
		if (rc)
			break;
		st->cases_opened += opened;
	}
	if (rc || (rc = jcs_store_commit(db, err)))
		jcs_store_rollback(db);
	st->labels++;
out:
	if (rc && !err->msg[0])
		rc = jcs_err_set(err, rc, "%s: matching: %s", reg_no, jcs_strerror(rc));
	json_decref(res);
	json_decref(vm.out);
	json_decref(vm.fixed);
	jcs_strv_free(&seen);
	jcs_strv_free(&keys);
	return rc;
}

/* Labels with a component under one of keys: each matched on the keys it has. */
static int match_keys(struct jcs_store *db, struct jcs_monitor *m, const struct jcs_strv *keys,
		      struct jcs_mon_stats *st, struct jcs_err *err)
{
	static const char q_labels[] = "SELECT reg_no FROM component_keys WHERE k = $1";
	struct jcs_strv labels = {0}, *per = NULL;
	int rc = 0;

	for (size_t i = 0; !rc && i < keys->n; i++) {
		struct jcs_rows r;
		if ((rc = jcs_store_exec(db, q_labels, 1, (const char *const *)&keys->v[i], &r, err)))
			break;
		for (size_t j = 0; !rc && j < r.nrows; j++) {
			const char *reg = jcs_rows_get(&r, j, 0);
			size_t at = labels.n;
			for (size_t k = 0; k < labels.n; k++)
				if (strcmp(labels.v[k], reg) == 0)
					at = k;
			if (at == labels.n) {
				struct jcs_strv *np = realloc(per, (labels.n + 1) * sizeof(*per));
				if (!np || jcs_strv_add(&labels, reg)) {
					if (np)
						per = np;
					rc = JCS_ENOMEM;
					break;
				}
				per = np;
				memset(&per[at], 0, sizeof(per[at]));
			}
			rc = jcs_strv_add(&per[at], keys->v[i]);
		}
		jcs_rows_free(&r);
	}
	for (size_t i = 0; !rc && i < labels.n; i++)
		rc = match_label(db, m, labels.v[i], &per[i], st, err);
	for (size_t i = 0; i < labels.n && per; i++)
		jcs_strv_free(&per[i]);
	free(per);
	jcs_strv_free(&labels);
	if (rc == JCS_ENOMEM && !err->msg[0])
		rc = jcs_err_set(err, rc, "out of memory");
	return rc;
}

int jcs_mon_rematch(struct jcs_store *db, struct jcs_monitor *m, struct jcs_mon_stats *st, struct jcs_err *err)
{
	struct jcs_strv keys = {0};
	int rc = query_keys(db, "SELECT DISTINCT k FROM feed_keys", &keys, err);

	if (!rc)
		rc = match_keys(db, m, &keys, st, err);
	jcs_strv_free(&keys);
	return rc;
}

/* ---------------------------------------------------------------- cases */

static int enqueue(struct jcs_store *db, const char *reg_no, long long case_id, const char *event,
		   struct jcs_err *err);

static int app_of(struct jcs_store *db, const char *reg_no, long long *app_id, struct jcs_err *err)
{
	static const char sql[] = "SELECT app_id FROM registrations WHERE reg_no = $1";
	struct jcs_rows r;
	int rc = jcs_store_exec(db, sql, 1, &reg_no, &r, err);

	if (rc)
		return rc;
	*app_id = r.nrows ? jcs_rows_int(&r, 0, 0) : 0;
	rc = r.nrows ? 0 : jcs_err_set(err, JCS_ENOTFOUND, "no registration %s", reg_no);
	jcs_rows_free(&r);
	return rc;
}

static int open_case(struct jcs_store *db, const char *reg_no, const json_t *v, const struct jcs_component *c,
		     bool *opened, struct jcs_err *err)
{
	static const char sql[] = "INSERT INTO cases (id, reg_no, vuln, aliases, component, component_version, purl,"
				  " source, decided_by, cvss, state, opened, updated) VALUES ($1, $2, $3, $4, $5, $6,"
				  " $7, $8, $9, $10, 'open', $11, $11) ON CONFLICT (reg_no, vuln, component) DO NOTHING";
	static const char q_pub[] = "UPDATE counters SET v = v + 1 WHERE name = 'public'";
	const struct jcs_actor sys = {0, JCS_ROLE_SYSTEM, "monitor", ""};
	struct jcs_rows r = {0};
	const char *vuln = jstr(v, "id");
	char id[24], now[24], *aliases, *cvss;
	long long n, app;
	int rc;

	*opened = false;
	/* a distribution's advisory (DEBIAN-CVE-…, DSA-…) names its CVE among its aliases:
	 * the case is about the CVE, as NVD and the KEV catalogue call it */
	if (strncmp(vuln, "CVE-", 4) != 0) {
		const json_t *a;
		size_t i;
		json_array_foreach(json_object_get(v, "aliases"), i, a)
			if (json_is_string(a) && strncmp(json_string_value(a), "CVE-", 4) == 0) {
				vuln = json_string_value(a);
				break;
			}
	}
	if ((rc = jcs_reg_counter_next(db, "case", &n, err)))
		return rc;
	snprintf(id, sizeof(id), "%lld", n);
	now_str(now, sizeof(now));
	aliases = json_object_get(v, "aliases") ? json_dumps(json_object_get(v, "aliases"), JSON_COMPACT) : strdup("[]");
	cvss = json_object_get(v, "cvss") ? json_dumps(json_object_get(v, "cvss"), JSON_COMPACT) : strdup("{}");
	if (!aliases || !cvss) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	{
		const char *p[] = {id, reg_no, vuln, aliases, c->name, c->pkg_version ? c->pkg_version : c->version,
				   c->purl ? c->purl : "", jstr(v, "source"), jstr(v, "decided_by"), cvss, now};
		if ((rc = jcs_store_exec(db, sql, 11, p, &r, err)))
			goto out;
	}
	if (r.changes != 1)
		goto out; /* known already */
	*opened = true;
	if ((rc = app_of(db, reg_no, &app, err)) || (rc = jcs_store_exec(db, q_pub, 0, NULL, NULL, err)))
		goto out;
	{
		char why[600];
		snprintf(why, sizeof(why), "case %lld: %s in %s %s (%s)", n, vuln, c->name, c->version,
			 jstr(v, "decided_by"));
		if ((rc = jcs_reg_audit(db, app, &sys, "case_open", "", "open", why, err)))
			goto out;
	}
	rc = enqueue(db, reg_no, n, "case.opened", err);
out:
	jcs_rows_free(&r);
	free(aliases);
	free(cvss);
	return rc;
}

/* The case workflow: vendor answers, reviewer acknowledges. */
static const struct case_step {
	const char *from, *action, *to;
	enum jcs_role role;
	const char *needs; /* the argument the action requires, or NULL */
} steps[] = {
	{"open", "assess", "assessing", JCS_ROLE_VENDOR, NULL},
	{"open", "not_affected", "not_affected", JCS_ROLE_VENDOR, "justification"},
	{"assessing", "not_affected", "not_affected", JCS_ROLE_VENDOR, "justification"},
	{"open", "affected", "affected", JCS_ROLE_VENDOR, "fix_date"},
	{"assessing", "affected", "affected", JCS_ROLE_VENDOR, "fix_date"},
	{"open", "fixed", "fixed", JCS_ROLE_VENDOR, "fixed_version"},
	{"assessing", "fixed", "fixed", JCS_ROLE_VENDOR, "fixed_version"},
	{"affected", "fixed", "fixed", JCS_ROLE_VENDOR, "fixed_version"},
	{"not_affected", "acknowledge", "acknowledged", JCS_ROLE_REVIEWER, NULL},
	{"fixed", "acknowledge", "acknowledged", JCS_ROLE_REVIEWER, NULL},
	{"not_affected", "reopen", "assessing", JCS_ROLE_REVIEWER, "detail"},
	{"fixed", "reopen", "assessing", JCS_ROLE_REVIEWER, "detail"},
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

/* CycloneDX 1.5 impactAnalysisJustification values. */
static const char *const justifications[] = {
	"code_not_present", "code_not_reachable", "requires_configuration", "requires_dependency",
	"requires_environment", "protected_by_compiler", "protected_at_runtime", "protected_at_perimeter",
	"protected_by_mitigating_control"};

json_t *jcs_mon_workflow_json(void)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < NSTEPS; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s?}", "from", steps[i].from, "action",
						   steps[i].action, "to", steps[i].to, "role",
						   jcs_role_name(steps[i].role), "requires", steps[i].needs));
	return a;
}

#define CASE_COLS "c.id, c.reg_no, c.vuln, c.aliases, c.component, c.component_version, c.purl, c.source," \
		  " c.decided_by, c.cvss, c.state, c.justification, c.detail, c.fix_date, c.fixed_version," \
		  " c.overdue, c.opened, c.updated, (SELECT count(*) FROM kev WHERE kev.cve = c.vuln)," \
		  " r.vendor_org, r.product"

static json_t *case_json(const struct jcs_rows *r, size_t i)
{
	json_t *o, *aliases = json_loads(jcs_rows_get(r, i, 3), 0, NULL), *cvss = json_loads(jcs_rows_get(r, i, 9), 0, NULL);

	o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:I,"
		      " s:I, s:s, s:s}",
		      "id", (json_int_t)jcs_rows_int(r, i, 0), "reg_no", jcs_rows_get(r, i, 1), "vuln",
		      jcs_rows_get(r, i, 2), "aliases", aliases ? aliases : json_array(), "component",
		      jcs_rows_get(r, i, 4), "component_version", jcs_rows_get(r, i, 5), "purl", jcs_rows_get(r, i, 6),
		      "source", jcs_rows_get(r, i, 7), "decided_by", jcs_rows_get(r, i, 8), "cvss",
		      cvss ? cvss : json_object(), "state", jcs_rows_get(r, i, 10), "justification",
		      jcs_rows_get(r, i, 11), "detail", jcs_rows_get(r, i, 12), "fix_date", jcs_rows_get(r, i, 13),
		      "fixed_version", jcs_rows_get(r, i, 14), "kev", jcs_rows_int(r, i, 18) > 0, "overdue",
		      jcs_rows_int(r, i, 15) != 0, "opened", (json_int_t)jcs_rows_int(r, i, 16), "updated",
		      (json_int_t)jcs_rows_int(r, i, 17), "vendor", jcs_rows_get(r, i, 19), "product",
		      jcs_rows_get(r, i, 20));
	return o;
}

static json_t *cases_json(const struct jcs_rows *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->nrows; i++)
		if (json_array_append_new(a, case_json(r, i))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

int jcs_mon_cases(struct jcs_store *db, const struct jcs_actor *a, const char *reg_no, const char *state,
		  json_t **out, struct jcs_err *err)
{
	static const char sql[] = "SELECT " CASE_COLS " FROM cases c JOIN registrations r ON r.reg_no = c.reg_no"
				  " JOIN applications ap ON ap.id = r.app_id WHERE ($1 = '' OR c.reg_no = $1)"
				  " AND ($2 = '' OR c.state = $2) AND ($3 = 0 OR ap.vendor_id = $3)"
				  " ORDER BY c.id DESC LIMIT 1000";
	char vid[24];
	const char *p[] = {reg_no ? reg_no : "", state ? state : "", vid};
	struct jcs_rows r;
	int rc;

	*out = NULL;
	if (a->role != JCS_ROLE_VENDOR && a->role != JCS_ROLE_REVIEWER && a->role != JCS_ROLE_ADMIN)
		return jcs_err_set(err, JCS_EPERM, "cases are for the vendor, reviewers and admins");
	snprintf(vid, sizeof(vid), "%lld", a->role == JCS_ROLE_VENDOR ? a->id : 0);
	if ((rc = jcs_store_exec(db, sql, 3, p, &r, err)))
		return rc;
	*out = cases_json(&r);
	jcs_rows_free(&r);
	return *out ? 0 : jcs_err_set(err, JCS_ENOMEM, "out of memory");
}

static int case_row(struct jcs_store *db, const struct jcs_actor *a, long long id, json_t **out,
		    long long *vendor_id, struct jcs_err *err)
{
	static const char sql[] = "SELECT " CASE_COLS ", ap.vendor_id, r.app_id FROM cases c JOIN registrations r"
				  " ON r.reg_no = c.reg_no JOIN applications ap ON ap.id = r.app_id WHERE c.id = $1";
	char idb[24];
	const char *p[] = {idb};
	struct jcs_rows r;
	int rc;

	*out = NULL;
	snprintf(idb, sizeof(idb), "%lld", id);
	if ((rc = jcs_store_exec(db, sql, 1, p, &r, err)))
		return rc;
	if (r.nrows == 0 || (a->role == JCS_ROLE_VENDOR && jcs_rows_int(&r, 0, 21) != a->id) ||
	    (a->role != JCS_ROLE_VENDOR && a->role != JCS_ROLE_REVIEWER && a->role != JCS_ROLE_ADMIN)) {
		jcs_rows_free(&r);
		return jcs_err_set(err, JCS_ENOTFOUND, "no case %lld", id);
	}
	*out = case_json(&r, 0);
	if (*out)
		json_object_set_new(*out, "app_id", json_integer(jcs_rows_int(&r, 0, 22)));
	if (vendor_id)
		*vendor_id = jcs_rows_int(&r, 0, 21);
	jcs_rows_free(&r);
	return *out ? 0 : jcs_err_set(err, JCS_ENOMEM, "out of memory");
}

int jcs_mon_case(struct jcs_store *db, const struct jcs_actor *a, long long id, json_t **out,
		 struct jcs_err *err)
{
	json_t *c = NULL;
	int rc = case_row(db, a, id, &c, NULL, err);
	size_t i;

	if (rc)
		return rc;
	json_object_set_new(c, "actions", json_array());
	for (i = 0; i < NSTEPS; i++)
		if (steps[i].role == a->role && strcmp(steps[i].from, jstr(c, "state")) == 0)
			json_array_append_new(json_object_get(c, "actions"), json_string(steps[i].action));
	*out = c;
	return 0;
}

static bool is_date(const char *s)
{
	int y, m, d;
	char tail;

	return strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && m >= 1 && m <= 12 &&
	       d >= 1 && d <= 31;
}

/* Check the arguments of step t; the values to store into v[4] (justification, detail,
 * fix_date, fixed_version; NULL = keep). */
static int step_args(struct jcs_store *db, const struct case_step *t, const json_t *args, const json_t *c,
		     const char *v[4], struct jcs_err *err)
{
	const char *just = json_string_value(json_object_get(args, "justification"));
	const char *detail = json_string_value(json_object_get(args, "detail"));
	const char *date = json_string_value(json_object_get(args, "fix_date"));
	const char *fw = json_string_value(json_object_get(args, "fixed_version"));
	bool known = false;

	memset(v, 0, 4 * sizeof(*v));
	if (detail && !jcs_reg_text_ok(detail, JCS_REG_TEXT_MAX, true))
		return jcs_err_set(err, JCS_ESCHEMA, "'detail': text of at most %d bytes", JCS_REG_TEXT_MAX);
	if (detail)
		v[1] = detail;
	if (t->needs && strcmp(t->needs, "detail") == 0 && (!detail || !*detail))
		return jcs_err_set(err, JCS_ESCHEMA, "'%s' needs a 'detail' saying why", t->action);
	if (strcmp(t->to, "not_affected") == 0) {
		for (size_t i = 0; just && i < sizeof(justifications) / sizeof(justifications[0]); i++)
			known |= strcmp(just, justifications[i]) == 0;
		if (!known)
			return jcs_err_set(err, JCS_ESCHEMA, "'not_affected' needs a 'justification' (CycloneDX: "
					   "code_not_present, code_not_reachable, requires_configuration, "
					   "requires_dependency, requires_environment, protected_by_compiler, "
					   "protected_at_runtime, protected_at_perimeter, protected_by_mitigating_control)");
		if (!detail || !*detail)
			return jcs_err_set(err, JCS_ESCHEMA, "'not_affected' needs a 'detail' explaining the justification");
		v[0] = just;
	}
	if (strcmp(t->to, "affected") == 0) {
		if (!date || !is_date(date))
			return jcs_err_set(err, JCS_ESCHEMA, "'affected' needs 'fix_date' (YYYY-MM-DD): when the fix ships");
		v[2] = date;
	}
	if (strcmp(t->to, "fixed") == 0) {
		static const char sql[] = "SELECT firmware FROM registrations WHERE reg_no = $1";
		const char *reg = jstr(c, "reg_no");
		struct jcs_rows r;
		bool same;
		int rc;
		if (!fw || !*fw || !jcs_reg_text_ok(fw, 200, false))
			return jcs_err_set(err, JCS_ESCHEMA, "'fixed' needs 'fixed_version': the firmware with the fix");
		if ((rc = jcs_store_exec(db, sql, 1, &reg, &r, err)))
			return rc;
		same = r.nrows && strcmp(jcs_rows_get(&r, 0, 0), fw) == 0;
		jcs_rows_free(&r);
		/* joined to a change notice: the registration must already name that firmware */
		if (!same)
			return jcs_err_set(err, JCS_ESCHEMA, "firmware %s is not the registration's: file a change "
					   "notice (notify_change) naming it first", fw);
		v[3] = fw;
	}
	return 0;
}

int jcs_mon_transition(struct jcs_store *db, const struct jcs_registry *reg, const struct jcs_actor *a,
		       long long id, const json_t *args, json_t **out, struct jcs_err *err)
{
	static const char sql[] = "UPDATE cases SET state = $1, justification = $2, detail = $3, fix_date = $4,"
				  " fixed_version = $5, updated = $6 WHERE id = $7 AND state = $8";
	static const char q_pub[] = "UPDATE counters SET v = v + 1 WHERE name = 'public'";
	const char *action = json_string_value(json_object_get(args, "action"));
	const struct case_step *t = NULL;
	json_t *c = NULL;
	const char *v[4];
	char from[32], idb[24], now[24], why[700];
	struct jcs_rows r = {0};
	long long vendor;
	int rc;

	(void)reg;
	if (out)
		*out = NULL;
	if (!action)
		return jcs_err_set(err, JCS_ESCHEMA, "'action' missing");
	if ((rc = jcs_store_begin(db, err)) || (rc = case_row(db, a, id, &c, &vendor, err)))
		goto out;
	snprintf(from, sizeof(from), "%s", jstr(c, "state"));
	for (size_t i = 0; i < NSTEPS && !t; i++)
		if (strcmp(steps[i].action, action) == 0 && strcmp(steps[i].from, from) == 0)
			t = &steps[i];
	if (!t) {
		rc = jcs_err_set(err, JCS_ECONFLICT, "'%s' is not possible for a case in state %s", action, from);
		goto out;
	}
	if (t->role != a->role) {
		rc = jcs_err_set(err, JCS_EPERM, "'%s' is for the %s role", action, jcs_role_name(t->role));
		goto out;
	}
	if ((rc = step_args(db, t, args, c, v, err)))
		goto out;
	snprintf(idb, sizeof(idb), "%lld", id);
	now_str(now, sizeof(now));
	{
		/* what the action does not set keeps its value */
		const char *p[] = {t->to, v[0] ? v[0] : jstr(c, "justification"), v[1] ? v[1] : jstr(c, "detail"),
				   v[2] ? v[2] : jstr(c, "fix_date"), v[3] ? v[3] : jstr(c, "fixed_version"), now, idb,
				   from};
		if ((rc = jcs_store_exec(db, sql, 8, p, &r, err)))
			goto out;
	}
	if (r.changes != 1) {
		rc = jcs_err_set(err, JCS_ECONFLICT, "case %lld changed concurrently", id);
		goto out;
	}
	snprintf(why, sizeof(why), "case %lld: %s %s%s%s", id, jstr(c, "vuln"), action,
		 v[0] || v[1] ? ": " : "", v[0] ? v[0] : v[1] ? v[1] : "");
	{
		char event[48];
		snprintf(event, sizeof(event), "case.%s", t->to);
		if ((rc = jcs_reg_audit(db, json_integer_value(json_object_get(c, "app_id")), a, "case_update", from, t->to,
					why, err)) ||
		    (rc = jcs_store_exec(db, q_pub, 0, NULL, NULL, err)) ||
		    (rc = enqueue(db, jstr(c, "reg_no"), id, event, err)) || (rc = jcs_store_commit(db, err)))
			goto out;
	}
	if (out)
		rc = jcs_mon_case(db, a, id, out, err);
out:
	if (rc)
		jcs_store_rollback(db);
	jcs_rows_free(&r);
	json_decref(c);
	return rc;
}

int jcs_mon_sweep(struct jcs_store *db, int kev_days, int *changed, struct jcs_err *err)
{
	static const char sql[] = "UPDATE cases SET overdue = 1 WHERE overdue = 0 AND state IN ('open', 'assessing',"
				  " 'affected') AND opened <= $1 AND vuln IN (SELECT cve FROM kev)";
	static const char q_clear[] = "UPDATE cases SET overdue = 0 WHERE overdue = 1 AND state NOT IN ('open',"
				      " 'assessing', 'affected')";
	static const char q_pub[] = "UPDATE counters SET v = v + 1 WHERE name = 'public'";
	char limit[24];
	const char *p[] = {limit};
	struct jcs_rows r = {0}, r2 = {0};
	int rc;

	*changed = 0;
	snprintf(limit, sizeof(limit), "%lld", (long long)time(NULL) - (long long)kev_days * 86400);
	if ((rc = jcs_store_begin(db, err)) || (rc = jcs_store_exec(db, sql, 1, p, &r, err)) ||
	    (rc = jcs_store_exec(db, q_clear, 0, NULL, &r2, err)))
		goto out;
	*changed = (int)(r.changes + r2.changes);
	if (*changed && (rc = jcs_store_exec(db, q_pub, 0, NULL, NULL, err)))
		goto out;
	rc = jcs_store_commit(db, err);
out:
	if (rc)
		jcs_store_rollback(db);
	jcs_rows_free(&r);
	jcs_rows_free(&r2);
	return rc;
}

/* ---------------------------------------------------------- publication */

int jcs_mon_public(struct jcs_store *db, const char *reg_no, json_t **out, struct jcs_err *err)
{
	static const char sql[] = "SELECT " CASE_COLS " FROM cases c JOIN registrations r ON r.reg_no = c.reg_no"
				  " WHERE c.reg_no = $1 ORDER BY c.id";
	struct jcs_rows r;
	json_t *list = json_array(), *o;
	long long open = 0, kev = 0;
	bool review = false;
	int rc;

	*out = NULL;
	if (!list)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	if ((rc = jcs_store_exec(db, sql, 1, &reg_no, &r, err))) {
		json_decref(list);
		return rc;
	}
	for (size_t i = 0; i < r.nrows; i++) {
		const char *st = jcs_rows_get(&r, i, 10);
		bool unresolved = strcmp(st, "open") == 0 || strcmp(st, "assessing") == 0 || strcmp(st, "affected") == 0;
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "vuln", jcs_rows_get(&r, i, 2), "component",
			      jcs_rows_get(&r, i, 4), "component_version", jcs_rows_get(&r, i, 5), "state", st,
			      "justification", jcs_rows_get(&r, i, 11), "fix_date", jcs_rows_get(&r, i, 13), "kev",
			      jcs_rows_int(&r, i, 18) > 0, "overdue", jcs_rows_int(&r, i, 15) != 0 && unresolved);
		json_array_append_new(list, o);
		open += unresolved;
		kev += unresolved && jcs_rows_int(&r, i, 18) > 0;
		review |= unresolved && jcs_rows_int(&r, i, 15) != 0;
	}
	jcs_rows_free(&r);
	*out = json_pack("{s:I, s:I, s:b, s:o}", "open", (json_int_t)open, "open_kev", (json_int_t)kev,
			 "under_review", review, "cases", list);
	return *out ? 0 : jcs_err_set(err, JCS_ENOMEM, "out of memory");
}

int jcs_mon_open_kev(struct jcs_store *db, const char *reg_no, long long *n, struct jcs_err *err)
{
	static const char sql[] = "SELECT count(*) FROM cases WHERE reg_no = $1 AND state IN ('open', 'assessing',"
				  " 'affected') AND vuln IN (SELECT cve FROM kev)";
	struct jcs_rows r;
	int rc = jcs_store_exec(db, sql, 1, &reg_no, &r, err);

	if (rc)
		return rc;
	*n = jcs_rows_int(&r, 0, 0);
	jcs_rows_free(&r);
	return 0;
}

/* CycloneDX analysis.state of a case state. */
static const char *cdx_state(const char *st, const char *just)
{
	if (strcmp(st, "not_affected") == 0 || (strcmp(st, "acknowledged") == 0 && *just))
		return "not_affected";
	if (strcmp(st, "fixed") == 0 || strcmp(st, "acknowledged") == 0)
		return "resolved";
	if (strcmp(st, "affected") == 0)
		return "exploitable";
	return "in_triage";
}

int jcs_mon_vex(struct jcs_store *db, const char *reg_no, json_t **out, struct jcs_err *err)
{
	static const char q_reg[] = "SELECT vendor_org, product, firmware FROM registrations WHERE reg_no = $1";
	static const char q_comp[] = "SELECT DISTINCT component, component_version, purl FROM cases WHERE reg_no = $1";
	static const char q_cases[] = "SELECT " CASE_COLS " FROM cases c JOIN registrations r ON r.reg_no = c.reg_no"
				      " WHERE c.reg_no = $1 ORDER BY c.id";
	struct jcs_rows reg = {0}, comp = {0}, cs = {0};
	json_t *comps = NULL, *vulns = NULL, *doc = NULL;
	char now[32], serial[80], sha[65];
	int rc;

	*out = NULL;
	if ((rc = jcs_store_exec(db, q_reg, 1, &reg_no, &reg, err)))
		return rc;
	if (reg.nrows == 0) {
		rc = jcs_err_set(err, JCS_ENOTFOUND, "no registration %s", reg_no);
		goto out;
	}
	if ((rc = jcs_store_exec(db, q_comp, 1, &reg_no, &comp, err)) ||
	    (rc = jcs_store_exec(db, q_cases, 1, &reg_no, &cs, err)))
		goto out;
	comps = json_array();
	vulns = json_array();
	for (size_t i = 0; comps && i < comp.nrows; i++) {
		char ref[40];
		json_t *o;
		snprintf(ref, sizeof(ref), "component-%zu", i + 1);
		o = json_pack("{s:s, s:s, s:s, s:s}", "type", "library", "bom-ref", ref, "name", jcs_rows_get(&comp, i, 0),
			      "version", jcs_rows_get(&comp, i, 1));
		if (o && *jcs_rows_get(&comp, i, 2))
			json_object_set_new(o, "purl", json_string(jcs_rows_get(&comp, i, 2)));
		json_array_append_new(comps, o);
	}
	for (size_t i = 0; vulns && i < cs.nrows; i++) {
		const char *st = jcs_rows_get(&cs, i, 10), *just = jcs_rows_get(&cs, i, 11);
		const char *detail = jcs_rows_get(&cs, i, 12), *state = cdx_state(st, just);
		char ref[40] = "";
		json_t *a, *o;
		for (size_t k = 0; k < comp.nrows; k++)
			if (strcmp(jcs_rows_get(&comp, k, 0), jcs_rows_get(&cs, i, 4)) == 0 &&
			    strcmp(jcs_rows_get(&comp, k, 1), jcs_rows_get(&cs, i, 5)) == 0)
				snprintf(ref, sizeof(ref), "component-%zu", k + 1);
		a = json_pack("{s:s}", "state", state);
		if (a && strcmp(state, "not_affected") == 0 && *just)
			json_object_set_new(a, "justification", json_string(just));
		if (a && strcmp(st, "affected") == 0)
			json_object_set_new(a, "response", json_pack("[s]", "update"));
		if (a && *detail)
			json_object_set_new(a, "detail", json_string(detail));
		o = json_pack("{s:s, s:{s:s}, s:o, s:[{s:s}]}", "id", jcs_rows_get(&cs, i, 2), "source", "name",
			      jcs_rows_get(&cs, i, 7), "analysis", a ? a : json_object(), "affects", "ref", ref);
		json_array_append_new(vulns, o);
	}
	jcs_utc_now(now, sizeof(now));
	/* a stable serial per label (RFC 4122 layout from the reg_no's hash), a new version per call */
	jcs_reg_sha256_hex(reg_no, strlen(reg_no), sha);
	snprintf(serial, sizeof(serial), "urn:uuid:%.8s-%.4s-4%.3s-8%.3s-%.12s", sha, sha + 8, sha + 13, sha + 17, sha + 20);
	doc = json_pack("{s:s, s:s, s:s, s:i, s:{s:s, s:{s:s, s:s, s:s, s:s}}, s:o, s:o}", "bomFormat", "CycloneDX",
			"specVersion", "1.5", "serialNumber", serial, "version", 1, "metadata", "timestamp", now,
			"component", "type", "device", "bom-ref", "product", "name", jcs_rows_get(&reg, 0, 1), "version",
			jcs_rows_get(&reg, 0, 2), "components", comps, "vulnerabilities", vulns);
	comps = vulns = NULL;
	if (doc)
		json_object_set_new(json_object_get(json_object_get(doc, "metadata"), "component"), "supplier",
				    json_pack("{s:s}", "name", jcs_rows_get(&reg, 0, 0)));
	*out = doc;
	rc = doc ? 0 : jcs_err_set(err, JCS_ENOMEM, "out of memory");
out:
	json_decref(comps);
	json_decref(vulns);
	jcs_rows_free(&reg);
	jcs_rows_free(&comp);
	jcs_rows_free(&cs);
	return rc;
}

/* ------------------------------------------------------------- webhooks */

int jcs_mon_webhook_set(struct jcs_store *db, const struct jcs_actor *a, const char *url, char *secret_out,
			struct jcs_err *err)
{
	static const char sql[] = "INSERT INTO webhooks (org, url, secret, at) VALUES ($1, $2, $3, $4)"
				  " ON CONFLICT (org) DO UPDATE SET url = $2, secret = $3, at = $4";
	char now[24];
	int rc;

	if (a->role != JCS_ROLE_VENDOR)
		return jcs_err_set(err, JCS_EPERM, "webhooks are set by the vendor");
	if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) || !jcs_reg_text_ok(url, 512, false))
		return jcs_err_set(err, JCS_ESCHEMA, "'url': an http(s) URL of at most 512 bytes");
	if ((rc = jcs_reg_random_hex(secret_out, 32)))
		return jcs_err_set(err, rc, "no randomness");
	now_str(now, sizeof(now));
	{
		const char *p[] = {a->org, url, secret_out, now};
		return jcs_store_exec(db, sql, 4, p, NULL, err);
	}
}

/* Queue event about case_id for the vendor organisation of reg_no (if it has a webhook). */
static int enqueue(struct jcs_store *db, const char *reg_no, long long case_id, const char *event,
		   struct jcs_err *err)
{
	static const char q_hook[] = "SELECT w.org, c.vuln, c.component, c.component_version, c.state, c.justification"
				     " FROM cases c JOIN registrations r ON r.reg_no = c.reg_no JOIN webhooks w"
				     " ON w.org = r.vendor_org WHERE c.id = $1";
	static const char sql[] = "INSERT INTO deliveries (id, org, case_id, event, body, attempts, next_at, status,"
				  " last_code, last_error, at) VALUES ($1, $2, $3, $4, $5, 0, $6, 'pending', 0, '', $6)";
	struct jcs_rows r;
	char cid[24], id[24], now[24], *body = NULL;
	long long n;
	int rc;

	snprintf(cid, sizeof(cid), "%lld", case_id);
	{
		const char *p[] = {cid};
		if ((rc = jcs_store_exec(db, q_hook, 1, p, &r, err)))
			return rc;
	}
	if (r.nrows == 0)
		goto out;
	{
		json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "event", event, "reg_no", reg_no, "case",
				      (json_int_t)case_id, "vuln", jcs_rows_get(&r, 0, 1), "component",
				      jcs_rows_get(&r, 0, 2), "component_version", jcs_rows_get(&r, 0, 3), "state",
				      jcs_rows_get(&r, 0, 4));
		body = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(o);
	}
	if (!body || (rc = jcs_reg_counter_next(db, "delivery", &n, err))) {
		rc = rc ? rc : jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	snprintf(id, sizeof(id), "%lld", n);
	now_str(now, sizeof(now));
	{
		const char *p[] = {id, jcs_rows_get(&r, 0, 0), cid, event, body, now};
		rc = jcs_store_exec(db, sql, 6, p, NULL, err);
	}
out:
	free(body);
	jcs_rows_free(&r);
	return rc;
}

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return sz * n;
}

/* POST body to url with X-JCStar-Timestamp and X-JCStar-Signature: sha256=HMAC(secret,
 * timestamp "." body); the HTTP status into *code (0: no answer, why in errbuf). */
static void post(const char *url, const char *secret, const char *body, long *code, char *errbuf)
{
	unsigned char mac[32];
	unsigned int maclen = 0;
	char ts[24], hexmac[65], h1[64], h2[96];
	struct jcs_buf signed_text = JCS_BUF_INIT;
	struct curl_slist *hdr = NULL;
	CURL *c = curl_easy_init();

	*code = 0;
	errbuf[0] = 0;
	if (!c) {
		snprintf(errbuf, CURL_ERROR_SIZE, "no curl handle");
		return;
	}
	now_str(ts, sizeof(ts));
	jcs_buf_printf(&signed_text, "%s.%s", ts, body);
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)signed_text.data, signed_text.len, mac,
	     &maclen);
	for (unsigned i = 0; i < maclen; i++)
		sprintf(hexmac + 2 * i, "%02x", mac[i]);
	snprintf(h1, sizeof(h1), "X-JCStar-Timestamp: %s", ts);
	snprintf(h2, sizeof(h2), "X-JCStar-Signature: sha256=%s", hexmac);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, h1);
	hdr = curl_slist_append(hdr, h2);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, WEBHOOK_SECONDS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	jcs_buf_free(&signed_text);
}

int jcs_mon_deliver(struct jcs_store *db, int max, int *sent, struct jcs_err *err)
{
	static const char q_due[] = "SELECT d.id, d.body, d.attempts, w.url, w.secret FROM deliveries d JOIN webhooks w"
				    " ON w.org = d.org WHERE d.status = 'pending' AND d.next_at <= $1 ORDER BY d.id LIMIT $2";
	static const char q_done[] = "UPDATE deliveries SET status = $1, attempts = $2, next_at = $3, last_code = $4,"
				     " last_error = $5 WHERE id = $6";
	struct jcs_rows r;
	char now[24], lim[16];
	int rc;

	*sent = 0;
	now_str(now, sizeof(now));
	snprintf(lim, sizeof(lim), "%d", max);
	{
		const char *p[] = {now, lim};
		if ((rc = jcs_store_exec(db, q_due, 2, p, &r, err)))
			return rc;
	}
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		char ebuf[CURL_ERROR_SIZE], att[24], next[24], codes[24];
		long code, tries = (long)jcs_rows_int(&r, i, 2) + 1;
		bool ok;
		post(jcs_rows_get(&r, i, 3), jcs_rows_get(&r, i, 4), jcs_rows_get(&r, i, 1), &code, ebuf);
		ok = code >= 200 && code < 300;
		*sent += ok;
		snprintf(att, sizeof(att), "%ld", tries);
		/* back-off: 10 s, 20 s, 40 s ... bounded by JCS_MON_WEBHOOK_TRIES attempts */
		snprintf(next, sizeof(next), "%lld", (long long)time(NULL) + (10LL << (tries - 1)));
		snprintf(codes, sizeof(codes), "%ld", code);
		{
			const char *p[] = {ok ? "delivered" : tries >= JCS_MON_WEBHOOK_TRIES ? "failed" : "pending", att,
					   next, codes, ok ? "" : ebuf[0] ? ebuf : "non-2xx answer", jcs_rows_get(&r, i, 0)};
			rc = jcs_store_exec(db, q_done, 6, p, NULL, err);
		}
	}
	jcs_rows_free(&r);
	return rc;
}

int jcs_mon_deliveries(struct jcs_store *db, const struct jcs_actor *a, json_t **out, struct jcs_err *err)
{
	static const char sql[] = "SELECT id, org, case_id, event, status, attempts, last_code, last_error, at"
				  " FROM deliveries WHERE ($1 = '' OR org = $1) ORDER BY id DESC LIMIT 500";
	const char *p[] = {a->role == JCS_ROLE_ADMIN ? "" : a->org};
	struct jcs_rows r;
	json_t *arr;
	int rc;

	*out = NULL;
	if (a->role != JCS_ROLE_VENDOR && a->role != JCS_ROLE_ADMIN)
		return jcs_err_set(err, JCS_EPERM, "the delivery log is for the vendor and admins");
	if ((rc = jcs_store_exec(db, sql, 1, p, &r, err)))
		return rc;
	arr = json_array();
	for (size_t i = 0; arr && i < r.nrows; i++)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:I, s:s, s:I}", "id",
						     (json_int_t)jcs_rows_int(&r, i, 0), "org", jcs_rows_get(&r, i, 1),
						     "case", (json_int_t)jcs_rows_int(&r, i, 2), "event",
						     jcs_rows_get(&r, i, 3), "status", jcs_rows_get(&r, i, 4), "attempts",
						     (json_int_t)jcs_rows_int(&r, i, 5), "last_code",
						     (json_int_t)jcs_rows_int(&r, i, 6), "last_error",
						     jcs_rows_get(&r, i, 7), "at", (json_int_t)jcs_rows_int(&r, i, 8)));
	jcs_rows_free(&r);
	*out = arr;
	return arr ? 0 : jcs_err_set(err, JCS_ENOMEM, "out of memory");
}
