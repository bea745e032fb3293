/* Loads the data/catalog YAML files (embedded) into immutable structs and checks that every
 * cross-reference resolves: finding ids, criteria, threats, scheme provisions. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jcstar/catalog.h"
#include "core/blob.h"
#include "core/yaml.h"

struct loader {
	const char *file;
	struct jcs_err *err;
	struct jcs_catalog *cat;
};

#define FAIL_AT(L, n, ...) fail_at((L), (n), __VA_ARGS__)

static int __attribute__((format(printf, 3, 4)))
fail_at(struct loader *L, const struct jcs_ynode *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return jcs_err_set(L->err, JCS_ESCHEMA, "%s:%d:%d: %s", L->file, n ? n->line : 1,
			   n ? n->col : 1, msg);
}

/* Strings live as long as the process: the catalogue is loaded once and never freed. */
static const char *str(struct loader *L, const struct jcs_ynode *map, const char *key, bool required,
		       int *rc)
{
	const struct jcs_ynode *v = jcs_yaml_get(map, key);
	char *s;

	if (!v) {
		if (required && !*rc)
			*rc = FAIL_AT(L, map, "missing '%s'", key);
		return NULL;
	}
	if (v->type != JCS_Y_SCALAR) {
		if (!*rc)
			*rc = FAIL_AT(L, v, "'%s' must be a text value", key);
		return NULL;
	}
	s = strdup(v->str);
	if (!s && !*rc)
		*rc = jcs_err_set(L->err, JCS_ENOMEM, "out of memory");
	return s;
}

static struct jcs_text text(struct loader *L, const struct jcs_ynode *map, const char *key, int *rc)
{
	const struct jcs_ynode *v = jcs_yaml_get(map, key);
	struct jcs_text t = {NULL, NULL};

	if (!v || v->type != JCS_Y_MAP) {
		if (!*rc)
			*rc = FAIL_AT(L, v ? v : map, "'%s' must be a mapping with ja and en", key);
		return t;
	}
	t.ja = str(L, v, "ja", true, rc);
	t.en = str(L, v, "en", true, rc);
	return t;
}

static bool boolean(const struct jcs_ynode *map, const char *key)
{
	const struct jcs_ynode *v = jcs_yaml_get(map, key);
	return v && v->type == JCS_Y_SCALAR && strcmp(v->str, "true") == 0;
}

/* NULL-terminated array of strings from a list. */
static const char *const *strlist(struct loader *L, const struct jcs_ynode *map, const char *key, int *rc)
{
	const struct jcs_ynode *v = jcs_yaml_get(map, key);
	const char **out;

	if (!v || v->type != JCS_Y_SEQ) {
		if (!*rc)
			*rc = FAIL_AT(L, v ? v : map, "'%s' must be a list", key);
		return NULL;
	}
	out = calloc(v->n + 1, sizeof(*out));
	if (!out) {
		*rc = jcs_err_set(L->err, JCS_ENOMEM, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (v->kids[i]->type != JCS_Y_SCALAR) {
			if (!*rc)
				*rc = FAIL_AT(L, v->kids[i], "'%s' items must be text values", key);
			return out;
		}
		out[i] = strdup(v->kids[i]->str);
	}
	return out;
}

static const struct jcs_ynode *list(struct loader *L, const struct jcs_ynode *root, const char *key, int *rc)
{
	const struct jcs_ynode *v = jcs_yaml_get(root, key);

	if ((!v || v->type != JCS_Y_SEQ) && !*rc)
		*rc = FAIL_AT(L, v ? v : root, "'%s' must be a list", key);
	return v && v->type == JCS_Y_SEQ ? v : NULL;
}

static int parse_blob(const char *name, struct jcs_ynode **root, struct jcs_err *err)
{
	const struct jcs_blob *b = jcs_blob_get(name);

	if (!b)
		return jcs_err_set(err, JCS_ENOTFOUND, "embedded data file %s missing", name);
	return jcs_yaml_parse((const char *)b->data, b->len, name, root, err);
}

static int load_findings(struct loader *L, const struct jcs_ynode *root)
{
	const struct jcs_ynode *l;
	struct jcs_finding_def *defs;
	int rc = 0;

	l = list(L, root, "findings", &rc);
	if (rc)
		return rc;
	defs = calloc(l->n, sizeof(*defs));
	if (!defs)
		return jcs_err_set(L->err, JCS_ENOMEM, "out of memory");
	for (size_t i = 0; i < l->n && !rc; i++) {
		const struct jcs_ynode *f = l->kids[i];
		defs[i].id = str(L, f, "id", true, &rc);
		defs[i].title.en = str(L, f, "en", true, &rc);
		defs[i].title.ja = str(L, f, "ja", true, &rc);
		defs[i].criteria = strlist(L, f, "criteria", &rc);
	}
	L->cat->findings = defs;
	L->cat->nfindings = l->n;
	return rc;
}

static int load_schemes(struct loader *L, const struct jcs_ynode *root)
{
	const struct jcs_ynode *l;
	struct jcs_scheme *s;
	int rc = 0;

	l = list(L, root, "schemes", &rc);
	if (rc)
		return rc;
	s = calloc(l->n, sizeof(*s));
	if (!s)
		return jcs_err_set(L->err, JCS_ENOMEM, "out of memory");
	L->cat->schemes = s;
	L->cat->nschemes = l->n;
	for (size_t i = 0; i < l->n && !rc; i++) {
		const struct jcs_ynode *n = l->kids[i], *pl;
		struct jcs_provision *p;

		s[i].id = str(L, n, "id", true, &rc);
		s[i].name = str(L, n, "name", true, &rc);
		s[i].basis = str(L, n, "basis", true, &rc);
		pl = list(L, n, "provisions", &rc);
		if (rc)
			break;
		p = calloc(pl->n, sizeof(*p));
		if (!p)
			return jcs_err_set(L->err, JCS_ENOMEM, "out of memory");
		for (size_t j = 0; j < pl->n && !rc; j++) {
			p[j].ref = str(L, pl->kids[j], "ref", true, &rc);
			p[j].title = str(L, pl->kids[j], "title", true, &rc);
			p[j].mandatory = boolean(pl->kids[j], "mandatory");
		}
		s[i].provisions = p;
		s[i].nprovisions = pl->n;
	}
	return rc;
}

static int load_xrefs(struct loader *L, const struct jcs_ynode *cw, struct jcs_criterion *c)
{
	struct jcs_xref *x;
	size_t n = 0, k = 0;
	int rc = 0;

	if (!cw || cw->type != JCS_Y_MAP)
		return FAIL_AT(L, cw, "%s: 'crosswalk' must be a mapping of scheme ids", c->id);
	for (size_t i = 0; i < cw->n; i++)
		n += cw->kids[2 * i + 1]->type == JCS_Y_SEQ ? cw->kids[2 * i + 1]->n : 0;
	x = calloc(n ? n : 1, sizeof(*x));
	if (!x)
		return jcs_err_set(L->err, JCS_ENOMEM, "out of memory");
	c->xrefs = x;
	for (size_t i = 0; i < cw->n && !rc; i++) {
		const struct jcs_ynode *key = cw->kids[2 * i], *v = cw->kids[2 * i + 1];
		const struct jcs_scheme *s = jcs_catalog_scheme(L->cat, key->str);

		if (!s)
			return FAIL_AT(L, key, "%s: unknown scheme '%s'", c->id, key->str);
		if (v->type != JCS_Y_SEQ)
			return FAIL_AT(L, v, "%s: crosswalk '%s' must be a list", c->id, key->str);
		for (size_t j = 0; j < v->n && !rc; j++) {
			x[k].scheme = s->id;
			x[k].ref = str(L, v->kids[j], "ref", true, &rc);
			x[k].official = boolean(v->kids[j], "official");
			if (!rc && !jcs_scheme_provision(s, x[k].ref))
				rc = FAIL_AT(L, v->kids[j], "%s: %s has no provision '%s'", c->id, s->id, x[k].ref);
			k++;
		}
	}
	c->nxrefs = k;
	return rc;
}

static int load_criteria(struct loader *L, const struct jcs_ynode *root)
{
	const struct jcs_ynode *l, *threats = jcs_yaml_get(root, "threats");
	struct jcs_criterion *c;
	int rc = 0;

	l = list(L, root, "criteria", &rc);
	if (rc)
		return rc;
	c = calloc(l->n, sizeof(*c));
	if (!c)
		return jcs_err_set(L->err, JCS_ENOMEM, "out of memory");
	L->cat->criteria = c;
	L->cat->ncriteria = l->n;
	for (size_t i = 0; i < l->n && !rc; i++) {
		const struct jcs_ynode *n = l->kids[i], *num = jcs_yaml_get(n, "number"), *th;
		const char *target, *threat;

		c[i].id = str(L, n, "id", true, &rc);
		c[i].level = c[i].id && strncmp(c[i].id, "S1.", 3) == 0 ? 1 : 0;
		c[i].number = num && num->type == JCS_Y_SCALAR ? atoi(num->str) : 0;
		c[i].title = text(L, n, "title", &rc);
		c[i].category = text(L, n, "category", &rc);
		c[i].supply = text(L, n, "supply", &rc);
		c[i].method = str(L, n, "method", true, &rc);
		c[i].needs_test = boolean(n, "needs_test");
		c[i].findings = strlist(L, n, "findings", &rc);
		target = str(L, n, "target", true, &rc);
		threat = str(L, n, "threat", true, &rc);
		if (rc)
			break;
		c[i].target = strcmp(target, "vendor") == 0 ? JCS_TARGET_VENDOR : JCS_TARGET_PRODUCT;
		th = jcs_yaml_get(threats, threat);
		if (!th)
			rc = FAIL_AT(L, n, "%s: unknown threat '%s'", c[i].id, threat);
		else
			c[i].threat = text(L, threats, threat, &rc);
		for (size_t j = 0; !rc && c[i].findings[j]; j++)
			if (!jcs_catalog_finding(L->cat, c[i].findings[j]))
				rc = FAIL_AT(L, n, "%s: unknown finding id '%s'", c[i].id, c[i].findings[j]);
		if (!rc)
			rc = load_xrefs(L, jcs_yaml_get(n, "crosswalk"), &c[i]);
		free((void *)target);
		free((void *)threat);
	}
	return rc;
}

static int load_profiles(struct loader *L, const struct jcs_ynode *root)
{
	const struct jcs_ynode *l, *pl;
	struct jcs_profile *p;
	struct jcs_procurement_rule *r;
	int rc = 0;

	l = list(L, root, "profiles", &rc);
	pl = list(L, root, "procurement", &rc);
	if (rc)
		return rc;
	p = calloc(l->n, sizeof(*p));
	r = calloc(pl->n, sizeof(*r));
	if (!p || !r) {
		free(p);
		free(r);
		return jcs_err_set(L->err, JCS_ENOMEM, "out of memory");
	}
	L->cat->profiles = p;
	L->cat->nprofiles = l->n;
	L->cat->procurement = r;
	L->cat->nprocurement = pl->n;
	for (size_t i = 0; i < l->n && !rc; i++) {
		const struct jcs_ynode *n = l->kids[i], *lv = jcs_yaml_get(n, "level");

		p[i].id = str(L, n, "id", true, &rc);
		p[i].level = lv && lv->type == JCS_Y_SCALAR ? atoi(lv->str) : 0;
		p[i].name = text(L, n, "name", &rc);
		p[i].published = boolean(n, "published");
		p[i].note = str(L, n, "note", true, &rc);
		p[i].criteria = strlist(L, n, "criteria", &rc);
		for (size_t j = 0; !rc && p[i].criteria[j]; j++)
			if (!jcs_catalog_criterion(L->cat, p[i].criteria[j]))
				rc = FAIL_AT(L, n, "profile %s: unknown criterion '%s'", p[i].id, p[i].criteria[j]);
	}
	for (size_t i = 0; i < pl->n && !rc; i++) {
		const struct jcs_ynode *ml = jcs_yaml_get(pl->kids[i], "min_level");

		r[i].importance = str(L, pl->kids[i], "importance", true, &rc);
		r[i].min_level = ml && ml->type == JCS_Y_SCALAR ? atoi(ml->str) : 0;
		if (!rc && (r[i].min_level < 1 || r[i].min_level > 4))
			rc = FAIL_AT(L, pl->kids[i], "min_level must be 1…4");
	}
	return rc;
}

/* Every finding's criteria must exist and list the finding back. */
static int check_findings(struct loader *L)
{
	for (size_t i = 0; i < L->cat->nfindings; i++) {
		const struct jcs_finding_def *f = &L->cat->findings[i];
		for (size_t j = 0; f->criteria[j]; j++) {
			const struct jcs_criterion *c = jcs_catalog_criterion(L->cat, f->criteria[j]);
			bool back = false;

			if (!c)
				return jcs_err_set(L->err, JCS_ESCHEMA, "catalog/findings.yaml: %s: unknown criterion %s",
						   f->id, f->criteria[j]);
			for (size_t k = 0; c->findings[k]; k++)
				back |= strcmp(c->findings[k], f->id) == 0;
			if (!back)
				return jcs_err_set(L->err, JCS_ESCHEMA,
						   "catalog: %s names %s but criteria.yaml does not list it there",
						   f->id, c->id);
		}
	}
	return 0;
}

static struct jcs_catalog the_catalog;
static struct jcs_err load_err;
static int load_rc;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load_once(void)
{
	static const struct {
		const char *file;
		int (*fn)(struct loader *, const struct jcs_ynode *);
	} steps[] = {
		{"catalog/findings.yaml", load_findings},
		{"catalog/schemes.yaml", load_schemes},
		{"catalog/criteria.yaml", load_criteria},
		{"catalog/profiles.yaml", load_profiles},
	};
	struct loader L = {.err = &load_err, .cat = &the_catalog};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !load_rc; i++) {
		struct jcs_ynode *root = NULL;

		L.file = steps[i].file;
		load_rc = parse_blob(L.file, &root, &load_err);
		if (!load_rc)
			load_rc = steps[i].fn(&L, root);
		jcs_yaml_free(root);
	}
	if (!load_rc)
		load_rc = check_findings(&L);
}

const struct jcs_catalog *jcs_catalog_get(struct jcs_err *err)
{
	pthread_once(&once, load_once);
	if (load_rc) {
		if (err)
			*err = load_err;
		return NULL;
	}
	return &the_catalog;
}

const struct jcs_criterion *jcs_catalog_criterion(const struct jcs_catalog *c, const char *id)
{
	for (size_t i = 0; i < c->ncriteria; i++)
		if (c->criteria[i].id && strcmp(c->criteria[i].id, id) == 0)
			return &c->criteria[i];
	return NULL;
}

const struct jcs_finding_def *jcs_catalog_finding(const struct jcs_catalog *c, const char *id)
{
	for (size_t i = 0; i < c->nfindings; i++)
		if (c->findings[i].id && strcmp(c->findings[i].id, id) == 0)
			return &c->findings[i];
	return NULL;
}

const struct jcs_scheme *jcs_catalog_scheme(const struct jcs_catalog *c, const char *id)
{
	for (size_t i = 0; i < c->nschemes; i++)
		if (c->schemes[i].id && strcmp(c->schemes[i].id, id) == 0)
			return &c->schemes[i];
	return NULL;
}

const struct jcs_provision *jcs_scheme_provision(const struct jcs_scheme *s, const char *ref)
{
	for (size_t i = 0; i < s->nprovisions; i++)
		if (s->provisions[i].ref && strcmp(s->provisions[i].ref, ref) == 0)
			return &s->provisions[i];
	return NULL;
}

const struct jcs_profile *jcs_catalog_profile(const struct jcs_catalog *c, const char *id)
{
	for (size_t i = 0; i < c->nprofiles; i++)
		if (c->profiles[i].id && strcmp(c->profiles[i].id, id) == 0)
			return &c->profiles[i];
	return NULL;
}

int jcs_catalog_min_level(const struct jcs_catalog *c, const char *importance)
{
	for (size_t i = 0; i < c->nprocurement; i++)
		if (strcmp(c->procurement[i].importance, importance) == 0)
			return c->procurement[i].min_level;
	return JCS_ENOTFOUND;
}
