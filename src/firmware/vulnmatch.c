/* Feed reading and match bookkeeping (vulnmatch.h). */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>

#include "jcstar/buf.h"
#include "firmware/vex.h"
#include "firmware/vulnmatch.h"

#define MAX_DEPTH 8
#define MAX_FEED_FILES 2000000

static bool same_id(const json_t *a, const char *id)
{
	return json_is_string(a) && id && strcmp(json_string_value(a), id) == 0;
}

static bool in_list(const json_t *list, const char *id)
{
	size_t i;
	json_t *a;

	json_array_foreach(list, i, a)
		if (same_id(a, id))
			return true;
	return false;
}

int jcs_vulnmatch_add(struct jcs_vulnmatch *vm, const char *id, const char *source, size_t comp,
		      json_t *cvss, const char *rule, bool certain, json_t *aliases)
{
	const struct jcs_component *c = jcs_sbom_get(vm->sbom, comp);
	size_t i;
	json_t *v, *o;

	json_array_foreach(vm->out, i, v) {
		/* the same vulnerability again from the same kind of source, possibly under an
		 * alias (a DSA and a DEBIAN-CVE record of one CVE); NVD and a distribution's
		 * advisory are both kept until jcs_vulnmatch_resolve decides between them */
		if (json_integer_value(json_object_get(v, "component_index")) == (json_int_t)comp &&
		    same_id(json_object_get(v, "source"), source) &&
		    (same_id(json_object_get(v, "id"), id) || in_list(json_object_get(v, "aliases"), id) ||
		     in_list(aliases, json_string_value(json_object_get(v, "id"))))) {
			json_decref(cvss);
			json_decref(aliases);
			return 0;
		}
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "id", id, "source", source, "component",
		      c->name, "component_version", c->version, "component_index", (json_int_t)comp,
		      "rule", rule, "status", certain ? "affected" : "affected-if-platform-matches");
	if (!o) {
		json_decref(cvss);
		json_decref(aliases);
		return JCS_ENOMEM;
	}
	if (cvss)
		json_object_set_new(o, "cvss", cvss);
	if (aliases && json_array_size(aliases))
		json_object_set_new(o, "aliases", aliases);
	else
		json_decref(aliases);
	return json_array_append_new(vm->out, o) ? JCS_ENOMEM : 0;
}

unsigned jcs_eco_bit(const char *t)
{
	return !t ? 0 : strcmp(t, "deb") == 0 ? JCS_ECO_DEB : strcmp(t, "apk") == 0 ? JCS_ECO_APK
						     : strcmp(t, "opkg") == 0 ? JCS_ECO_OPKG : 0;
}

int jcs_vulnmatch_fixed(struct jcs_vulnmatch *vm, const char *id, const json_t *aliases, size_t comp,
			const char *source, const char *rule)
{
	json_t *o;

	if (!vm->fixed)
		return 0;
	o = json_pack("{s:s, s:O, s:I, s:s, s:s}", "id", id, "aliases", aliases ? aliases : json_null(),
		      "component_index", (json_int_t)comp, "source", source, "rule", rule);
	return !o || json_array_append_new(vm->fixed, o) ? JCS_ENOMEM : 0;
}

/* Do entries a and b name the same vulnerability of the same component? */
static bool same_vuln(const json_t *a, const json_t *b)
{
	const char *ida = json_string_value(json_object_get(a, "id"));
	const char *idb = json_string_value(json_object_get(b, "id"));

	return json_integer_value(json_object_get(a, "component_index")) ==
		       json_integer_value(json_object_get(b, "component_index")) &&
	       (same_id(json_object_get(a, "id"), idb) || in_list(json_object_get(a, "aliases"), idb) ||
		in_list(json_object_get(b, "aliases"), ida));
}

bool jcs_vuln_status_clear(const char *status)
{
	return status && (strcmp(status, "fixed") == 0 || strcmp(status, "not_affected") == 0);
}

/* Decide one match e (a copy, changed in place); false = drop it (another entry decides). */
static bool decide(const struct jcs_vulnmatch *vm, size_t self, json_t *e)
{
	const struct jcs_component *c =
		jcs_sbom_get(vm->sbom, (size_t)json_integer_value(json_object_get(e, "component_index")));
	const char *src = json_string_value(json_object_get(e, "source"));
	char by[512];
	const json_t *x;
	size_t i;

	if (strcmp(src, "NVD") != 0) {
		snprintf(by, sizeof(by), "%s advisory %s", src, json_string_value(json_object_get(e, "id")));
		json_object_set_new(e, "decided_by", json_string(by));
		return true;
	}
	if (!c->pkg_type) {
		json_object_set_new(e, "decided_by", json_string("NVD CPE range (component identified from a binary)"));
		return true;
	}
	json_array_foreach(vm->out, i, x) /* the distribution says affected: that entry decides */
		if (i != self && strcmp(json_string_value(json_object_get(x, "source")), "NVD") && same_vuln(x, e))
			return false;
	json_array_foreach(vm->fixed, i, x)
		if (same_vuln(x, e)) {
			snprintf(by, sizeof(by), "%s: %s", json_string_value(json_object_get(x, "source")),
				 json_string_value(json_object_get(x, "rule")));
			json_object_set_new(e, "status", json_string("fixed"));
			json_object_set_new(e, "decided_by", json_string(by));
			json_object_set(e, "advisory", json_object_get(x, "id"));
			return true;
		}
	json_object_set_new(e, "status", json_string("affected-upstream"));
	snprintf(by, sizeof(by), "NVD CPE range of the upstream version; no %s advisory for package %s among "
		 "the feeds, so a backported fix cannot be ruled out", c->pkg_type, c->pkg_name);
	json_object_set_new(e, "decided_by", json_string(by));
	return true;
}

static const json_t *vex_for(const struct jcs_vex *vex, const struct jcs_sbom *sb, const json_t *e)
{
	return jcs_vex_lookup(vex, json_string_value(json_object_get(e, "id")), json_object_get(e, "aliases"),
			      jcs_sbom_get(sb, (size_t)json_integer_value(json_object_get(e, "component_index"))));
}

json_t *jcs_vulnmatch_resolve(const struct jcs_vulnmatch *vm, const struct jcs_vex *vex)
{
	json_t *res = json_array(), *e, *x;
	size_t i;

	json_array_foreach(vm->out, i, x) {
		const json_t *st;
		e = json_deep_copy(x);
		if (!e || !res) {
			json_decref(e);
			json_decref(res);
			return NULL;
		}
		if (!decide(vm, i, e)) {
			json_decref(e);
			continue;
		}
		st = vex_for(vex, vm->sbom, e);
		if (st && !jcs_vuln_status_clear(json_string_value(json_object_get(e, "status")))) {
			json_t *vx = json_pack("{s:s, s:s, s:s, s:s}", "file",
					       json_string_value(json_object_get(st, "file")), "status",
					       json_string_value(json_object_get(st, "status")), "justification",
					       json_string_value(json_object_get(st, "justification")), "detail",
					       json_string_value(json_object_get(st, "detail")));
			if (json_is_true(json_object_get(st, "negative")) && json_is_true(json_object_get(st, "usable"))) {
				char by[512];
				snprintf(by, sizeof(by), "vendor VEX %s: %s %s",
					 json_string_value(json_object_get(st, "file")),
					 json_string_value(json_object_get(st, "status")),
					 *json_string_value(json_object_get(st, "justification"))
						 ? json_string_value(json_object_get(st, "justification"))
						 : json_string_value(json_object_get(st, "detail")));
				json_object_set_new(e, "status", json_string("not_affected"));
				json_object_set_new(e, "decided_by", json_string(by));
			} else if (vx && json_is_true(json_object_get(st, "negative"))) {
				json_object_set_new(vx, "ignored", json_string("a not-affected claim without a justification"));
			}
			json_object_set_new(e, "vex", vx);
		}
		if (json_array_append_new(res, e)) {
			json_decref(res);
			return NULL;
		}
	}
	return res;
}

/* KEV catalogue: {"catalogVersion", "vulnerabilities": [{"cveID", ...}]}. */
static bool kev_doc(const json_t *doc, const json_t *list)
{
	return json_object_get(doc, "catalogVersion") ||
	       (json_array_size(list) && json_is_string(json_object_get(json_array_get(list, 0), "cveID")));
}

int jcs_feed_records(const json_t *doc, jcs_feed_fn fn, void *ctx)
{
	const json_t *list, *v;
	size_t i;
	int rc = 0;

	if (json_is_array(doc)) { /* a list of OSV records */
		json_array_foreach(doc, i, v)
			if (rc == 0 && json_is_object(v))
				rc = fn(ctx, JCS_FEED_OSV, v);
	} else if ((list = json_object_get(doc, "vulnerabilities")) && json_is_array(list) && kev_doc(doc, list)) {
		json_array_foreach(list, i, v)
			if (rc == 0 && json_is_string(json_object_get(v, "cveID")))
				rc = fn(ctx, JCS_FEED_KEV, v);
	} else if ((list = json_object_get(doc, "vulnerabilities")) && json_is_array(list)) {
		/* NVD API 2.0 response: {"vulnerabilities": [{"cve": {...}}]} */
		json_array_foreach(list, i, v)
			if (rc == 0 && json_is_object(json_object_get(v, "cve")))
				rc = fn(ctx, JCS_FEED_NVD, json_object_get(v, "cve"));
	} else if ((list = json_object_get(doc, "cve_items")) && json_is_array(list)) {
		/* fkie-cad nvd-json-data-feeds release files: {"cve_items": [{...}]} */
		json_array_foreach(list, i, v)
			if (rc == 0 && json_is_object(v))
				rc = fn(ctx, JCS_FEED_NVD, v);
	} else if (json_is_string(json_object_get(doc, "id")) && json_object_get(doc, "configurations")) {
		rc = fn(ctx, JCS_FEED_NVD, doc); /* one CVE record */
	} else if (json_is_string(json_object_get(doc, "id")) &&
		   (json_object_get(doc, "affected") || json_object_get(doc, "modified"))) {
		rc = fn(ctx, JCS_FEED_OSV, doc);
	} else if (json_is_object(doc) && !json_object_get(doc, "id") && jcs_debian_tracker_doc(doc)) {
		rc = fn(ctx, JCS_FEED_DEBIAN, doc);
	} else if (!json_is_string(json_object_get(doc, "id")) && !json_object_get(doc, "$schema")) {
		rc = JCS_ESCHEMA;
	} /* else a record without affected packages, or a schema file: nothing to match */
	return rc;
}

int jcs_vulnmatch_record(struct jcs_vulnmatch *vm, enum jcs_feed_kind kind, const json_t *rec)
{
	switch (kind) {
	case JCS_FEED_NVD: return jcs_nvd_record(vm, rec);
	case JCS_FEED_OSV: return jcs_osv_record(vm, rec);
	case JCS_FEED_DEBIAN: return jcs_debian_tracker(vm, rec);
	case JCS_FEED_KEV: return 0; /* says what is exploited, not what is affected */
	}
	return 0;
}

static int doc_record(void *ctx, enum jcs_feed_kind kind, const json_t *rec)
{
	return jcs_vulnmatch_record(ctx, kind, rec);
}

int jcs_vulndb_doc(struct jcs_vulnmatch *vm, const char *text, size_t len, const char *name,
		   struct jcs_err *err)
{
	json_error_t je;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	int rc;

	if (!doc)
		return jcs_err_set(err, JCS_EPARSE, "%s:%d:%d: %s", name, je.line, je.column, je.text);
	rc = jcs_feed_records(doc, doc_record, vm);
	json_decref(doc);
	if (rc == JCS_ESCHEMA)
		return jcs_err_set(err, JCS_ESCHEMA, "%s: neither an NVD CVE API 2.0 nor an OSV document",
				   name);
	if (rc == JCS_ENOMEM)
		return jcs_err_set(err, rc, "out of memory");
	if (rc == 0)
		vm->files++;
	return rc;
}

/* Read a whole feed file, decompressing .gz/.xz/.bz2/.zst through libarchive's raw format. */
int jcs_vulndb_read(const char *path, struct jcs_buf *b, struct jcs_err *err)
{
	struct archive *a;
	struct archive_entry *e;
	char chunk[65536];
	ssize_t n;
	int rc = 0;

	a = archive_read_new();
	if (!a)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		rc = jcs_err_set(err, JCS_EIO, "%s: %s", path, archive_error_string(a));
		goto out;
	}
	b->max = JCS_VULNDB_MAX_FILE;
	while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
		rc = jcs_buf_append(b, chunk, (size_t)n);
		if (rc) {
			rc = jcs_err_set(err, rc, "%s: %s", path,
					 rc == JCS_ELIMIT ? "feed file larger than 768 MiB (split it)"
							  : "out of memory");
			goto out;
		}
	}
	if (n < 0)
		rc = jcs_err_set(err, JCS_EIO, "%s: %s", path, archive_error_string(a));
out:
	archive_read_free(a);
	return rc;
}

bool jcs_vulndb_name(const char *name)
{
	static const char *const sfx[] = {".json", ".json.gz", ".json.xz", ".json.bz2", ".json.zst", NULL};
	size_t n = strlen(name);

	for (size_t i = 0; sfx[i]; i++) {
		size_t m = strlen(sfx[i]);
		if (n > m && strcmp(name + n - m, sfx[i]) == 0)
			return true;
	}
	return false;
}

static int scan(struct jcs_vulnmatch *vm, const char *path, int depth, struct jcs_err *err)
{
	struct stat st;
	int rc = 0;

	if (stat(path, &st) != 0)
		return jcs_err_set(err, JCS_EIO, "%s: cannot read the vulnerability feed", path);
	if (S_ISDIR(st.st_mode)) {
		struct dirent **ents;
		int n;
		if (depth >= MAX_DEPTH)
			return jcs_err_set(err, JCS_ELIMIT, "%s: feed directories nested too deep", path);
		n = scandir(path, &ents, NULL, alphasort);
		if (n < 0)
			return jcs_err_set(err, JCS_EIO, "%s: cannot list the directory", path);
		for (int i = 0; i < n; i++) {
			const char *nm = ents[i]->d_name;
			char sub[4096];
			if (rc == 0 && nm[0] != '.') {
				struct stat s2;
				snprintf(sub, sizeof(sub), "%s/%s", path, nm);
				if (stat(sub, &s2) == 0 && (S_ISDIR(s2.st_mode) || jcs_vulndb_name(nm)))
					rc = scan(vm, sub, depth + 1, err);
			}
			free(ents[i]);
		}
		free(ents);
		return rc;
	}
	if (vm->files >= MAX_FEED_FILES)
		return jcs_err_set(err, JCS_ELIMIT, "more than %d feed files", MAX_FEED_FILES);
	{
		struct jcs_buf b = JCS_BUF_INIT;
		rc = jcs_vulndb_read(path, &b, err);
		if (rc == 0)
			rc = jcs_vulndb_doc(vm, b.data ? b.data : "", b.len, path, err);
		jcs_buf_free(&b);
	}
	return rc;
}

int jcs_vulndb_scan(struct jcs_vulnmatch *vm, const char *path, struct jcs_err *err)
{
	return scan(vm, path, 0, err);
}
