/* VEX input (vex.h). OpenVEX: statements[] {vulnerability {name, aliases} | "ID", products[]
 * {"@id", identifiers {purl, cpe23}} | "ID", status, justification, impact_statement}.
 * CycloneDX VEX: vulnerabilities[] {id, analysis {state, justification, detail}, affects[]
 * {ref}}, refs resolved through the document's own components[] bom-refs. A product is a purl
 * (version and qualifiers optional), a CPE 2.3 or a component name; no product = the whole
 * image. */
#include <stdlib.h>
#include <string.h>

#include "jcstar/buf.h"
#include "firmware/vex.h"

#define MAX_VEX_FILE ((size_t)64 << 20)
#define MAX_STATEMENTS 100000

struct jcs_vex {
	json_t *st; /* [{ids: [...], products: [...], status, justification, detail, usable, file}] */
};

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int add(struct jcs_vex *v, json_t *ids, json_t *products, const char *status,
	       const char *justification, const char *detail, const char *name)
{
	bool negative = status && (strcmp(status, "not_affected") == 0 || strcmp(status, "fixed") == 0 ||
				   strcmp(status, "resolved") == 0 || strcmp(status, "false_positive") == 0);
	json_t *o;

	if (json_array_size(v->st) >= MAX_STATEMENTS || !status) {
		json_decref(ids);
		json_decref(products);
		return 0;
	}
	o = json_pack("{s:o, s:o, s:s, s:s, s:s, s:b, s:b, s:s}", "ids", ids, "products", products, "status",
		      status, "justification", justification ? justification : "", "detail",
		      detail ? detail : "", "negative", negative, "usable",
		      !negative || (justification && *justification) || (detail && *detail), "file", name);
	return !o || json_array_append_new(v->st, o) ? JCS_ENOMEM : 0;
}

static int openvex(struct jcs_vex *v, const json_t *doc, const char *name)
{
	const json_t *list = json_object_get(doc, "statements"), *s;
	size_t i;
	int rc = 0;

	json_array_foreach(list, i, s) {
		const json_t *vul = json_object_get(s, "vulnerability"), *p, *a;
		json_t *ids = json_array(), *products = json_array();
		size_t k;
		if (json_is_string(vul))
			json_array_append(ids, (json_t *)vul);
		else if (str(vul, "name"))
			json_array_append(ids, json_object_get(vul, "name"));
		json_array_foreach(json_object_get(vul, "aliases"), k, a)
			if (json_is_string(a))
				json_array_append(ids, (json_t *)a);
		json_array_foreach(json_object_get(s, "products"), k, p) {
			const json_t *idf = json_object_get(p, "identifiers");
			if (json_is_string(p))
				json_array_append(products, (json_t *)p);
			if (str(p, "@id"))
				json_array_append(products, json_object_get(p, "@id"));
			if (str(idf, "purl"))
				json_array_append(products, json_object_get(idf, "purl"));
			if (str(idf, "cpe23"))
				json_array_append(products, json_object_get(idf, "cpe23"));
		}
		rc = add(v, ids, products, str(s, "status"), str(s, "justification"), str(s, "impact_statement"),
			 name);
		if (rc)
			break;
	}
	return rc;
}

/* A CycloneDX ref: the purl/cpe/name of the document's own component with that bom-ref, or
 * the ref itself. */
static void cdx_ref(const json_t *doc, const char *ref, json_t *products)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(doc, "components"), i, c) {
		const char *br = str(c, "bom-ref");
		if (br && strcmp(br, ref) == 0) {
			const char *keys[] = {"purl", "cpe", "name"};
			for (size_t k = 0; k < 3; k++)
				if (str(c, keys[k]))
					json_array_append(products, json_object_get(c, keys[k]));
			return;
		}
	}
	json_array_append_new(products, json_string(ref));
}

static int cyclonedx(struct jcs_vex *v, const json_t *doc, const char *name)
{
	const json_t *list = json_object_get(doc, "vulnerabilities"), *x, *a;
	size_t i, k;
	int rc = 0;

	json_array_foreach(list, i, x) {
		const json_t *an = json_object_get(x, "analysis");
		json_t *ids = json_array(), *products = json_array();
		if (str(x, "id"))
			json_array_append(ids, json_object_get(x, "id"));
		json_array_foreach(json_object_get(x, "references"), k, a)
			if (str(a, "id"))
				json_array_append(ids, json_object_get(a, "id"));
		json_array_foreach(json_object_get(x, "affects"), k, a)
			if (str(a, "ref"))
				cdx_ref(doc, str(a, "ref"), products);
		rc = add(v, ids, products, str(an, "state"), str(an, "justification"), str(an, "detail"), name);
		if (rc)
			break;
	}
	return rc;
}

int jcs_vex_parse(const char *text, size_t len, const char *name, struct jcs_vex **out, struct jcs_err *err)
{
	json_error_t je;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	struct jcs_vex *v = NULL;
	const char *ctx;
	int rc;

	*out = NULL;
	if (!doc)
		return jcs_err_set(err, JCS_EPARSE, "%s:%d:%d: %s", name, je.line, je.column, je.text);
	v = calloc(1, sizeof(*v));
	if (!v || !(v->st = json_array())) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	ctx = str(doc, "@context");
	if (ctx && strstr(ctx, "openvex") && json_is_array(json_object_get(doc, "statements")))
		rc = openvex(v, doc, name);
	else if (str(doc, "bomFormat") && strcmp(str(doc, "bomFormat"), "CycloneDX") == 0)
		rc = cyclonedx(v, doc, name);
	else
		rc = JCS_ESCHEMA;
	if (rc == JCS_ESCHEMA)
		rc = jcs_err_set(err, rc, "%s: neither an OpenVEX nor a CycloneDX VEX document", name);
	else if (rc)
		rc = jcs_err_set(err, rc, "out of memory");
out:
	json_decref(doc);
	if (rc)
		jcs_vex_free(v);
	else
		*out = v;
	return rc;
}

int jcs_vex_load(const char *path, struct jcs_vex **out, struct jcs_err *err)
{
	struct jcs_buf b = JCS_BUF_INIT;
	int rc = jcs_read_file(path, MAX_VEX_FILE, &b, err);

	if (rc == 0)
		rc = jcs_vex_parse(b.data ? b.data : "", b.len, path, out, err);
	jcs_buf_free(&b);
	return rc;
}

void jcs_vex_free(struct jcs_vex *v)
{
	if (!v)
		return;
	json_decref(v->st);
	free(v);
}

/* purl equality ignoring qualifiers/subpath, and the version when the product has none. */
static bool purl_match(const char *p, const char *purl)
{
	size_t pn = strcspn(p, "?#"), cn = strcspn(purl, "?#");
	const char *at = memchr(p, '@', pn);

	if (!at) { /* no version: any version of the package */
		const char *cat = memchr(purl, '@', cn);
		cn = cat ? (size_t)(cat - purl) : cn;
	}
	return pn == cn && strncmp(p, purl, pn) == 0;
}

static bool product_match(const char *p, const struct jcs_component *c)
{
	if (strncmp(p, "pkg:", 4) == 0)
		return c->purl && purl_match(p, c->purl);
	if (strncmp(p, "cpe:", 4) == 0)
		return c->cpe && strcmp(p, c->cpe) == 0;
	return strcmp(p, c->name) == 0 || (c->pkg_name && strcmp(p, c->pkg_name) == 0);
}

static bool has_id(const json_t *ids, const char *id)
{
	const json_t *x;
	size_t i;

	json_array_foreach(ids, i, x)
		if (id && json_is_string(x) && strcmp(json_string_value(x), id) == 0)
			return true;
	return false;
}

const json_t *jcs_vex_lookup(const struct jcs_vex *v, const char *id, const json_t *aliases,
			     const struct jcs_component *c)
{
	const json_t *s, *a, *p;
	size_t i, k;

	if (!v)
		return NULL;
	json_array_foreach(v->st, i, s) {
		const json_t *ids = json_object_get(s, "ids"), *products = json_object_get(s, "products");
		bool idm = has_id(ids, id), pm = json_array_size(products) == 0;
		json_array_foreach(aliases, k, a)
			idm = idm || has_id(ids, json_string_value(a));
		json_array_foreach(products, k, p)
			pm = pm || product_match(json_string_value(p), c);
		if (idm && pm)
			return s;
	}
	return NULL;
}
