/* The vendor's declaration (jcstar.declaration/1, docs/declaration.md): YAML → struct
 * jcs_declaration, checked against the catalogue. Every error names file:line:column; all
 * errors of a file are collected (up to MAX_ERRORS, in file order) so a vendor fixes them in
 * one pass. Scalars point into the YAML tree, which the declaration keeps. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jcstar/catalog.h"
#include "jcstar/declaration.h"
#include "jcstar/buf.h"
#include "core/date.h"
#include "core/vdp.h"
#include "jcstar/digest.h"
#include "core/yaml.h"

#define JCS_SCHEMA_DECLARATION "jcstar.declaration/1"
#define MAX_DECL_BYTES ((size_t)4 << 20)
#define MAX_ERRORS 16
#define MAX_VDP_FILES 8
#define VDP_CRITERION "S1.1-05"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct decl {
	struct jcs_declaration pub; /* first member: what callers see */
	struct jcs_ynode *tree;
	void **owned;               /* every other allocation, freed with the declaration */
	size_t nowned, capowned;
};

struct derr {
	int line, col;
	size_t seq;
	char msg[400];
};

struct dparse {
	const char *name;
	const char *basedir;
	const struct jcs_catalog *cat;
	struct decl *d;
	int level;                  /* 0 until a valid, published level was read */
	struct derr errs[MAX_ERRORS];
	size_t nerr;                /* errors found (may exceed MAX_ERRORS) */
	bool oom;
};

static void __attribute__((format(printf, 3, 4)))
bad(struct dparse *P, const struct jcs_ynode *n, const char *fmt, ...)
{
	va_list ap;

	if (P->nerr < MAX_ERRORS) {
		struct derr *e = &P->errs[P->nerr];

		e->line = n ? n->line : 1;
		e->col = n ? n->col : 1;
		e->seq = P->nerr;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	P->nerr++;
}

/* Hand p to the declaration (freed with it). NULL (and P->oom) if p is NULL or on ENOMEM. */
static void *own(struct dparse *P, void *p)
{
	struct decl *d = P->d;

	if (p && d->nowned == d->capowned) {
		size_t ncap = d->capowned ? d->capowned * 2 : 16;
		void **o = realloc(d->owned, ncap * sizeof(*o));

		if (!o) {
			free(p);
			p = NULL;
		} else {
			d->owned = o;
			d->capowned = ncap;
		}
	}
	if (!p) {
		P->oom = true;
		return NULL;
	}
	d->owned[d->nowned++] = p;
	return p;
}

/* --- small helpers --- */

static bool is_null(const struct jcs_ynode *v)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};

	if (v->type != JCS_Y_SCALAR || !v->plain)
		return false;
	for (size_t i = 0; i < NELEM(nulls); i++)
		if (strcmp(v->str, nulls[i]) == 0)
			return true;
	return false;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* Edit distance of two short strings (longer ones count as far apart). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65];

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Reject keys not in allowed (NULL-terminated), suggesting the nearest one. */
static void check_keys(struct dparse *P, const struct jcs_ynode *map, const char *const *allowed,
		       const char *where)
{
	for (size_t i = 0; i < map->n; i++) {
		const struct jcs_ynode *k = map->kids[2 * i];
		const char *near = NULL;
		char list[256] = "";
		size_t best = 3, used = 0;
		bool known = false;

		for (size_t a = 0; allowed[a] && !known; a++) {
			size_t dist = distance(k->str, allowed[a]);

			known = dist == 0;
			if (dist < best) {
				best = dist;
				near = allowed[a];
			}
			used += (size_t)snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0, "%s%s",
						 a ? ", " : "", allowed[a]);
			if (used >= sizeof(list))
				used = sizeof(list);
		}
		if (known)
			continue;
		if (near)
			bad(P, k, "unknown key '%s' %s (did you mean '%s'?)", k->str, where, near);
		else
			bad(P, k, "unknown key '%s' %s (expected %s)", k->str, where, list);
	}
}

/* A required / optional text field; NULL if absent or wrong (and an error is recorded). */
static const char *get_text(struct dparse *P, const struct jcs_ynode *map, const char *key, bool required,
			    const char *where)
{
	const struct jcs_ynode *v = jcs_yaml_get(map, key);

	if (!v) {
		if (required)
			bad(P, map, "missing required field '%s' %s", key, where);
		return NULL;
	}
	if (v->type != JCS_Y_SCALAR) {
		bad(P, v, "'%s' %s must be a text value, not %s", key, where, jcs_yaml_type_name(v));
		return NULL;
	}
	if (is_null(v) || blank(v->str)) {
		bad(P, v, "'%s' %s is empty", key, where);
		return NULL;
	}
	return v->str;
}

/* A plain (unquoted) whole number in [min, max]: 1 ok, 0 not a number, -1 out of range. */
static int whole_number(const struct jcs_ynode *v, long min, long max, long *out)
{
	long n = 0;
	const char *s = v->str;

	if (v->type != JCS_Y_SCALAR || !v->plain || !*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		if (n < 1000000)
			n = n * 10 + (*s - '0');
	}
	*out = n;
	return n >= min && n <= max ? 1 : -1;
}

/* "S1.1-5", "s1.1-05", "S1.1‐05 " → the catalogue id it probably means, or NULL. */
static const char *criterion_suggestion(const struct jcs_catalog *cat, const char *s)
{
	int part[3] = {0, 0, 0}, p = 0, nd = 0;
	char canon[32];
	const struct jcs_criterion *c;

	while (*s == ' ')
		s++;
	if (*s != 'S' && *s != 's')
		return NULL;
	for (s++; *s && *s != ' '; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++nd > 3)
				return NULL;
			part[p] = part[p] * 10 + (*s - '0');
		} else if ((*s == '.' && p == 0) || ((*s == '-' || *s == '_') && p == 1)) {
			if (!nd)
				return NULL;
			p++;
			nd = 0;
		} else {
			return NULL;
		}
	}
	if (p != 2 || !nd)
		return NULL;
	snprintf(canon, sizeof(canon), "S%d.%d-%02d", part[0], part[1], part[2]);
	c = jcs_catalog_criterion(cat, canon);
	return c ? c->id : NULL;
}

/* The published profiles of the catalogue at exactly this level. */
static size_t published_at(const struct jcs_catalog *cat, int level)
{
	size_t n = 0;

	for (size_t i = 0; i < cat->nprofiles; i++)
		n += cat->profiles[i].level == level && cat->profiles[i].published;
	return n;
}

/* A declaration at level L may answer any criterion of a published profile at level <= L. */
static bool in_level(const struct jcs_catalog *cat, int level, const char *id)
{
	for (size_t i = 0; i < cat->nprofiles; i++) {
		const struct jcs_profile *pr = &cat->profiles[i];

		if (!pr->published || pr->level > level)
			continue;
		for (size_t j = 0; pr->criteria[j]; j++)
			if (strcmp(pr->criteria[j], id) == 0)
				return true;
	}
	return false;
}

/* --- sections --- */

static void parse_schema(struct dparse *P, const struct jcs_ynode *root, bool *stop)
{
	const struct jcs_ynode *v = jcs_yaml_get(root, "schema");

	if (!v) {
		bad(P, root, "missing required field 'schema' at top level (expected schema: %s)",
		    JCS_SCHEMA_DECLARATION);
		return;
	}
	if (v->type != JCS_Y_SCALAR || strcmp(v->str, JCS_SCHEMA_DECLARATION) != 0) {
		bad(P, v, "unknown schema '%s' (this jcstar reads %s)", v->type == JCS_Y_SCALAR ? v->str : "?",
		    JCS_SCHEMA_DECLARATION);
		*stop = true; /* another format: its other keys mean nothing to us */
	}
}

static void parse_date(struct dparse *P, const struct jcs_ynode *map, const char *key, const char **out)
{
	const struct jcs_ynode *v = jcs_yaml_get(map, key);
	long num;
	int y, m, d, rc;

	if (!v) {
		bad(P, map, "missing required field '%s' in product", key);
		return;
	}
	if (v->type != JCS_Y_SCALAR) {
		bad(P, v, "'%s' in product must be a date YYYY-MM-DD, not %s", key, jcs_yaml_type_name(v));
		return;
	}
	if (is_null(v)) {
		bad(P, v, "'%s' in product is empty (expected a date YYYY-MM-DD)", key);
		return;
	}
	if (whole_number(v, 0, 0, &num) != 0) {
		bad(P, v, "'%s' in product must be a date YYYY-MM-DD, not the number %s", key, v->str);
		return;
	}
	rc = jcs_date_parse(v->str, strlen(v->str), &y, &m, &d);
	if (rc == JCS_EPARSE)
		bad(P, v, "bad date '%s' for '%s' in product (expected YYYY-MM-DD, e.g. 2030-03-31)", v->str, key);
	else if (rc && (m < 1 || m > 12))
		bad(P, v, "impossible date '%s' for '%s' in product: there is no month %d", v->str, key, m);
	else if (rc)
		bad(P, v, "impossible date '%s' for '%s' in product: %s %d has %d days", v->str, key,
		    jcs_month_name(m), y, jcs_days_in_month(y, m));
	else
		*out = v->str;
}

static void parse_product(struct dparse *P, const struct jcs_ynode *root)
{
	static const char *const keys[] = {"vendor", "model", "models", "type", "firmware_version",
					   "support_end", "security_contact", NULL};
	const struct jcs_ynode *p = jcs_yaml_get(root, "product"), *models;
	struct jcs_declaration *d = &P->d->pub;
	const char **list;

	if (!p) {
		bad(P, root, "missing required field 'product' at top level");
		return;
	}
	if (p->type != JCS_Y_MAP) {
		bad(P, p, "'product' must be a mapping (vendor, model, type, firmware_version, support_end), not %s",
		    jcs_yaml_type_name(p));
		return;
	}
	check_keys(P, p, keys, "in product");
	d->vendor = get_text(P, p, "vendor", true, "in product");
	d->model = get_text(P, p, "model", true, "in product");
	d->product_type = get_text(P, p, "type", true, "in product");
	d->firmware_version = get_text(P, p, "firmware_version", true, "in product");
	parse_date(P, p, "support_end", &d->support_end);
	d->security_contact = get_text(P, p, "security_contact", false, "in product");
	models = jcs_yaml_get(p, "models");
	list = own(P, calloc(models && models->type == JCS_Y_SEQ ? models->n + 1 : 1, sizeof(*list)));
	d->models = list;
	if (!models || !list)
		return;
	if (models->type != JCS_Y_SEQ) {
		bad(P, models, "'models' in product must be a list of model numbers, not %s",
		    jcs_yaml_type_name(models));
		return;
	}
	for (size_t i = 0, n = 0; i < models->n; i++) {
		const struct jcs_ynode *m = models->kids[i];

		if (m->type != JCS_Y_SCALAR || is_null(m) || blank(m->str))
			bad(P, m, "item %zu of 'models' in product must be a model number (text), not %s", i + 1,
			    m->type == JCS_Y_SCALAR ? "empty" : jcs_yaml_type_name(m));
		else
			list[n++] = m->str;
	}
}

static void parse_level(struct dparse *P, const struct jcs_ynode *root)
{
	const struct jcs_ynode *v = jcs_yaml_get(root, "level");
	char ids[256] = "";
	size_t used = 0, nplace = 0;
	long level;
	int ok;

	if (!v) {
		bad(P, root, "missing required field 'level' at top level (1 for ★1)");
		return;
	}
	ok = v->type == JCS_Y_SCALAR ? whole_number(v, 1, 4, &level) : 0;
	if (ok == 0) {
		bad(P, v, "'level' must be a whole number from 1 to 4, not %s%s%s",
		    v->type == JCS_Y_SCALAR ? "'" : "", v->type == JCS_Y_SCALAR ? v->str : jcs_yaml_type_name(v),
		    v->type == JCS_Y_SCALAR ? "'" : "");
		return;
	}
	if (ok < 0) {
		bad(P, v, "level %s is out of range: JC-STAR levels are ★1 to ★4", v->str);
		return;
	}
	if (published_at(P->cat, (int)level)) {
		P->level = (int)level;
		P->d->pub.level = (int)level;
		return;
	}
	for (size_t i = 0; i < P->cat->nprofiles; i++) {
		if (P->cat->profiles[i].level != level)
			continue;
		nplace++;
		used += (size_t)snprintf(ids + used, used < sizeof(ids) ? sizeof(ids) - used : 0, "%s%s",
					 used ? ", " : "", P->cat->profiles[i].id);
		if (used >= sizeof(ids))
			used = sizeof(ids);
	}
	if (nplace)
		bad(P, v, "level %ld: ★%ld criteria not yet published (%s %s placeholder%s in the catalogue); "
		    "declare a published level such as 1", level, level, ids, nplace > 1 ? "are" : "is",
		    nplace > 1 ? "s" : "");
	else
		bad(P, v, "level %ld: ★%ld criteria not yet published (no profile in the catalogue); "
		    "declare a published level such as 1", level, level);
}

static void parse_ports(struct dparse *P, const struct jcs_ynode *root)
{
	static const char *const net_keys[] = {"ports", NULL};
	static const char *const port_keys[] = {"port", "proto", "service", "purpose", NULL};
	const struct jcs_ynode *net = jcs_yaml_get(root, "network"), *ports;
	struct jcs_port *out;
	int *lines;
	char where[64];
	size_t j;

	if (!net)
		return;
	if (net->type != JCS_Y_MAP) {
		bad(P, net, "'network' must be a mapping with 'ports', not %s", jcs_yaml_type_name(net));
		return;
	}
	check_keys(P, net, net_keys, "in network");
	ports = jcs_yaml_get(net, "ports");
	if (!ports)
		return;
	if (ports->type != JCS_Y_SEQ) {
		bad(P, ports, "'ports' in network must be a list of {port, proto, service, purpose}, not %s",
		    jcs_yaml_type_name(ports));
		return;
	}
	out = own(P, calloc(ports->n ? ports->n : 1, sizeof(*out)));
	lines = own(P, calloc(ports->n ? ports->n : 1, sizeof(*lines)));
	if (!out || !lines)
		return;
	P->d->pub.ports = out;
	for (size_t i = 0; i < ports->n; i++) {
		const struct jcs_ynode *it = ports->kids[i], *pv;
		struct jcs_port *po = &out[P->d->pub.nports];
		long port = 0;
		int ok = 0;

		snprintf(where, sizeof(where), "in network.ports item %zu", i + 1);
		if (it->type != JCS_Y_MAP) {
			bad(P, it, "network.ports item %zu must be a mapping {port, proto, service, purpose}, not %s",
			    i + 1, jcs_yaml_type_name(it));
			continue;
		}
		check_keys(P, it, port_keys, where);
		pv = jcs_yaml_get(it, "port");
		if (!pv)
			bad(P, it, "missing required field 'port' %s", where);
		else if ((ok = whole_number(pv, 1, 65535, &port)) == 0)
			bad(P, pv, "'port' %s must be a whole number from 1 to 65535, not %s%s%s", where,
			    pv->type == JCS_Y_SCALAR ? "'" : "",
			    pv->type == JCS_Y_SCALAR ? pv->str : jcs_yaml_type_name(pv),
			    pv->type == JCS_Y_SCALAR ? "'" : "");
		else if (ok < 0)
			bad(P, pv, "port %s %s is out of range (1-65535)", pv->str, where);
		po->proto = get_text(P, it, "proto", true, where);
		if (po->proto && strcmp(po->proto, "tcp") && strcmp(po->proto, "udp")) {
			bad(P, jcs_yaml_get(it, "proto"), "proto '%s' %s must be tcp or udp", po->proto, where);
			po->proto = NULL;
		}
		po->service = get_text(P, it, "service", false, where);
		po->purpose = get_text(P, it, "purpose", true, where);
		if (ok <= 0 || !po->proto)
			continue;
		po->port = (int)port;
		lines[P->d->pub.nports] = it->line;
		for (j = 0; j < P->d->pub.nports; j++)
			if (out[j].port == po->port && strcmp(out[j].proto, po->proto) == 0)
				break;
		if (j < P->d->pub.nports) {
			bad(P, it, "port %d/%s is declared twice (first at line %d)", po->port, po->proto, lines[j]);
			continue;
		}
		P->d->pub.nports++;
	}
}

static const char *const doc_types[] = {"manual", "policy", "design", "test-report", "security.txt",
					"web-page", "other", NULL};

static bool http_url(const char *u)
{
	size_t skip = strncasecmp(u, "https://", 8) == 0 ? 8 : strncasecmp(u, "http://", 7) == 0 ? 7 : 0;

	if (!skip || !u[skip] || u[skip] == '/')
		return false;
	for (const char *s = u; *s; s++)
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			return false;
	return true;
}

/* basedir + "/" + file, or file itself when absolute or basedir is "." (owned). */
static const char *resolve(struct dparse *P, const char *file)
{
	char *p;

	if (file[0] == '/' || !P->basedir[0] || strcmp(P->basedir, ".") == 0)
		return own(P, strdup(file));
	if (asprintf(&p, "%s/%s", P->basedir, file) < 0)
		p = NULL;
	return own(P, p);
}

/* Returns whether the item cites a document (has a url or file key). */
static bool parse_docref(struct dparse *P, const struct jcs_ynode *it, const char *crit, size_t idx,
			 struct jcs_docref *r)
{
	static const char *const keys[] = {"title", "type", "url", "file", "text", NULL};
	char where[80];
	struct stat st;
	bool doc;

	snprintf(where, sizeof(where), "in evidence item %zu of %s", idx + 1, crit);
	r->line = it->line;
	r->col = it->col;
	if (it->type != JCS_Y_MAP) {
		bad(P, it, "evidence item %zu of %s must be a mapping with title and url, file or text, not %s",
		    idx + 1, crit, jcs_yaml_type_name(it));
		return false;
	}
	check_keys(P, it, keys, where);
	r->url = get_text(P, it, "url", false, where);
	r->file = get_text(P, it, "file", false, where);
	r->text = get_text(P, it, "text", false, where);
	r->type = get_text(P, it, "type", false, where);
	r->title = get_text(P, it, "title", false, where);
	doc = jcs_yaml_get(it, "url") || jcs_yaml_get(it, "file");
	if (!doc && !jcs_yaml_get(it, "text"))
		bad(P, it, "evidence item %zu of %s has neither url, file nor text", idx + 1, crit);
	if (doc && !jcs_yaml_get(it, "title"))
		bad(P, it, "missing required field 'title' %s (a document needs a title)", where);
	if (r->type) {
		size_t i;

		for (i = 0; doc_types[i] && strcmp(doc_types[i], r->type); i++)
			;
		if (!doc_types[i]) {
			bad(P, jcs_yaml_get(it, "type"), "type '%s' %s must be one of manual, policy, design, "
			    "test-report, security.txt, web-page, other", r->type, where);
			r->type = NULL;
		}
	}
	if (r->url && !http_url(r->url)) {
		bad(P, jcs_yaml_get(it, "url"), "url '%s' %s must be an http:// or https:// address", r->url,
		    where);
		r->url = NULL;
	}
	if (r->file) {
		const char *given = r->file;

		r->file = resolve(P, given);
		if (!r->file)
			return doc;
		if (stat(r->file, &st) != 0)
			bad(P, jcs_yaml_get(it, "file"), "file '%s' %s does not exist (looked for %s)", given, where,
			    r->file);
		else if (!S_ISREG(st.st_mode))
			bad(P, jcs_yaml_get(it, "file"), "file '%s' %s is not a regular file", given, where);
		else if (access(r->file, R_OK) != 0)
			bad(P, jcs_yaml_get(it, "file"), "file '%s' %s cannot be read", given, where);
		else
			r->file_exists = true;
	}
	return doc;
}

static void parse_answer(struct dparse *P, const struct jcs_ynode *k, const struct jcs_ynode *v,
			 const struct jcs_criterion *c, struct jcs_answer *a)
{
	static const char *const keys[] = {"answer", "reason", "notes", "evidence", NULL};
	const struct jcs_ynode *ev, *rv;
	struct jcs_docref *refs;
	const char *ans;
	char where[48];
	bool doc = false, valid = true;

	snprintf(where, sizeof(where), "in answers.%s", c->id);
	a->criterion = c->id;
	a->line = k->line;
	a->col = k->col;
	if (v->type != JCS_Y_MAP) {
		bad(P, v, "the answer for %s must be a mapping such as {answer: conform, evidence: [...]}, not %s",
		    c->id, is_null(v) ? "empty" : jcs_yaml_type_name(v));
		return;
	}
	check_keys(P, v, keys, where);
	ans = get_text(P, v, "answer", true, where);
	if (ans && strcmp(ans, "conform") == 0) {
		a->answer = JCS_ANSWER_CONFORM;
	} else if (ans && strcmp(ans, "not-applicable") == 0) {
		a->answer = JCS_ANSWER_NOT_APPLICABLE;
	} else {
		if (ans)
			bad(P, jcs_yaml_get(v, "answer"), "answer '%s' for %s must be conform or not-applicable "
			    "(leave out a criterion you do not claim)", ans, c->id);
		valid = false;
	}
	rv = jcs_yaml_get(v, "reason");
	if (!rv && valid && a->answer == JCS_ANSWER_NOT_APPLICABLE)
		bad(P, v, "missing required field 'reason' %s (required for answer: not-applicable)", where);
	a->reason = get_text(P, v, "reason", false, where);
	if (rv && a->reason && valid && a->answer == JCS_ANSWER_CONFORM)
		bad(P, rv, "'reason' %s is only for answer: not-applicable (use 'notes' for remarks)", where);
	a->notes = get_text(P, v, "notes", false, where);
	ev = jcs_yaml_get(v, "evidence");
	if (ev && ev->type != JCS_Y_SEQ) {
		bad(P, ev, "'evidence' %s must be a list of documents, not %s", where, jcs_yaml_type_name(ev));
		return;
	}
	if (ev && ev->n) {
		refs = own(P, calloc(ev->n, sizeof(*refs)));
		if (!refs)
			return;
		for (size_t i = 0; i < ev->n; i++) {
			doc = parse_docref(P, ev->kids[i], c->id, i, &refs[i]) || doc;
		}
		a->evidence = refs;
		a->nevidence = ev->n;
	}
	if (valid && c->target == JCS_TARGET_VENDOR && a->answer == JCS_ANSWER_CONFORM && !doc)
		bad(P, ev ? ev : v, "%s is a vendor criterion: answer conform needs a document "
		    "(an evidence item with url or file)", c->id);
}

static void parse_answers(struct dparse *P, const struct jcs_ynode *root)
{
	const struct jcs_ynode *m = jcs_yaml_get(root, "answers");
	struct jcs_answer *out;

	if (!m) {
		bad(P, root, "missing required field 'answers' at top level");
		return;
	}
	if (m->type != JCS_Y_MAP) {
		bad(P, m, "'answers' must be a mapping from criterion id (S1.1-01 ...) to answer, not %s",
		    is_null(m) ? "empty" : jcs_yaml_type_name(m));
		return;
	}
	out = own(P, calloc(m->n ? m->n : 1, sizeof(*out)));
	if (!out)
		return;
	P->d->pub.answers = out;
	for (size_t i = 0; i < m->n; i++) {
		const struct jcs_ynode *k = m->kids[2 * i], *v = m->kids[2 * i + 1];
		const struct jcs_criterion *c = jcs_catalog_criterion(P->cat, k->str);
		const char *sug;

		if (!c) {
			sug = criterion_suggestion(P->cat, k->str);
			if (sug)
				bad(P, k, "unknown criterion '%s' (did you mean '%s'?)", k->str, sug);
			else
				bad(P, k, "unknown criterion '%s' (★1 criteria are S1.1-01 to S1.1-16)", k->str);
			continue;
		}
		if (P->level && !in_level(P->cat, P->level, c->id)) {
			bad(P, k, "criterion %s is not part of the ★%d profile", c->id, P->level);
			continue;
		}
		parse_answer(P, k, v, c, &out[P->d->pub.nanswers++]);
	}
}

/* --- S1.1-05: the disclosure policy / security.txt --- */

/* Read a regular file of at most JCS_VDP_MAX_BYTES that looks like text (no NUL, not a PDF).
 * Opened non-blocking and checked with fstat, so a FIFO or device is never read. */
static char *read_text_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (size_t)st.st_size > JCS_VDP_MAX_BYTES)
		goto out;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = 0;
	if (got == 0 || memchr(buf, 0, got) || (got >= 5 && memcmp(buf, "%PDF-", 5) == 0)) {
		free(buf);
		buf = NULL;
	}
	*len = got;
out:
	close(fd);
	return buf;
}

static const char *basename_of(const char *s, size_t *len)
{
	const char *end = s + strcspn(s, "?#"), *b = end;

	while (b > s && b[-1] != '/')
		b--;
	*len = (size_t)(end - b);
	return b;
}

/* The local copy of the policy a security.txt's Policy: names: an evidence item (any
 * criterion) whose url is that URI and that has a file, else a cited file with the same name. */
static const char *policy_copy(const struct jcs_declaration *d, const char *uri)
{
	size_t ul, fl;
	const char *ub = basename_of(uri, &ul), *fb;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < d->nanswers; i++) {
			for (size_t j = 0; j < d->answers[i].nevidence; j++) {
				const struct jcs_docref *r = &d->answers[i].evidence[j];

				if (!r->file_exists)
					continue;
				if (pass == 0 && r->url && strcmp(r->url, uri) == 0)
					return r->file;
				fb = basename_of(r->file, &fl);
				if (pass == 1 && ul && fl == ul && memcmp(fb, ub, ul) == 0)
					return r->file;
			}
		}
	}
	return NULL;
}

static void vdp_merge(struct jcs_vdp_check *acc, const struct jcs_vdp_check *r, const char *file)
{
	if (!acc->checked) {
		acc->checked = true;
		acc->file = file;
	}
	if (r->contact && !acc->contact) {
		acc->contact = true;
		acc->contact_line = r->contact_line;
		acc->contact_file = file;
	}
	if (r->ack_timeline && !acc->ack_timeline) {
		acc->ack_timeline = true;
		acc->ack_line = r->ack_line;
		acc->ack_file = file;
	}
	if (r->update_timeline && !acc->update_timeline) {
		acc->update_timeline = true;
		acc->update_line = r->update_line;
		acc->update_file = file;
	}
	acc->expired = acc->expired || r->expired;
}

static void check_vdp(struct jcs_declaration *d)
{
	const struct jcs_answer *a = jcs_declaration_answer(d, VDP_CRITERION);
	const char *files[MAX_VDP_FILES];
	size_t nfiles = 0;
	time_t now = time(NULL);

	if (!a)
		return;
	for (size_t i = 0; i < a->nevidence && nfiles < MAX_VDP_FILES; i++)
		if (a->evidence[i].file_exists)
			files[nfiles++] = a->evidence[i].file;
	/* files grows while we go: a security.txt's Policy: adds the policy's local copy */
	for (size_t i = 0; i < nfiles; i++) {
		struct jcs_vdp_scan scan;
		size_t len = 0;
		char *text = read_text_file(files[i], &len);
		const char *pol;
		bool seen = false;

		if (!text)
			continue;
		jcs_vdp_scan(text, len, now, &scan);
		free(text);
		if (!scan.r.checked)
			continue;
		vdp_merge(&d->vdp, &scan.r, files[i]);
		pol = scan.security_txt && scan.policy[0] ? policy_copy(d, scan.policy) : NULL;
		for (size_t j = 0; pol && j < nfiles; j++)
			seen = seen || strcmp(files[j], pol) == 0;
		if (pol && !seen && nfiles < MAX_VDP_FILES)
			files[nfiles++] = pol;
	}
}

/* --- entry points --- */

static void dirname_of(const char *name, char *out, size_t len)
{
	const char *slash = strrchr(name, '/');

	if (!slash)
		snprintf(out, len, ".");
	else if (slash == name)
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(slash - name), name);
}

static int cmp_err(const void *a, const void *b)
{
	const struct derr *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* All collected errors, in file order, one "name:line:col: text" per line. */
static int report_errors(struct dparse *P, struct jcs_err *err)
{
	size_t shown = P->nerr < MAX_ERRORS ? P->nerr : MAX_ERRORS, used = 0, i;
	char msg[sizeof(err->msg)];

	qsort(P->errs, shown, sizeof(P->errs[0]), cmp_err);
	msg[0] = 0;
	for (i = 0; i < shown; i++) {
		char line[sizeof(P->errs[0].msg) + 300];
		int n = snprintf(line, sizeof(line), "%s%s:%d:%d: %s", i ? "\n" : "", P->name, P->errs[i].line,
				 P->errs[i].col, P->errs[i].msg);

		if (n < 0 || (i > 0 && used + (size_t)n + 40 >= sizeof(msg)))
			break;
		used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s", line);
		if (used >= sizeof(msg))
			used = sizeof(msg) - 1;
	}
	if (i < P->nerr)
		snprintf(msg + used, sizeof(msg) - used, "\n(%zu more error%s)", P->nerr - i,
			 P->nerr - i > 1 ? "s" : "");
	return jcs_err_set(err, JCS_ESCHEMA, "%s", msg);
}

int jcs_declaration_parse(const char *text, size_t len, const char *name, const char *basedir,
			  struct jcs_declaration **out, struct jcs_err *err)
{
	static const char *const top_keys[] = {"schema", "product", "level", "network", "answers", NULL};
	struct dparse *P = NULL;
	struct decl *d = NULL;
	struct jcs_ynode *root = NULL;
	char dir[4096], hex[JCS_SHA256_HEX];
	bool stop = false;
	int rc;

	*out = NULL;
	if (!name)
		name = "declaration";
	if (len > MAX_DECL_BYTES)
		return jcs_err_set(err, JCS_ELIMIT, "%s: larger than %zu bytes", name, MAX_DECL_BYTES);
	if (!basedir) {
		dirname_of(name, dir, sizeof(dir));
		basedir = dir;
	}
	rc = jcs_yaml_parse(text ? text : "", text ? len : 0, name, &root, err);
	if (rc)
		return rc;
	P = calloc(1, sizeof(*P));
	d = calloc(1, sizeof(*d));
	if (!P || !d) {
		rc = jcs_err_set(err, JCS_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	P->cat = jcs_catalog_get(err);
	if (!P->cat) {
		rc = err ? err->code : JCS_EINVAL;
		goto out;
	}
	P->name = name;
	P->basedir = basedir;
	P->d = d;
	d->tree = root;
	root = NULL;
	if (d->tree->type != JCS_Y_MAP) {
		bad(P, d->tree, "a declaration must be a mapping with schema, product, level and answers, not %s",
		    jcs_yaml_type_name(d->tree));
	} else {
		parse_schema(P, d->tree, &stop);
		if (!stop) {
			check_keys(P, d->tree, top_keys, "at top level");
			parse_product(P, d->tree);
			parse_level(P, d->tree);
			parse_ports(P, d->tree);
			parse_answers(P, d->tree);
		}
	}
	d->pub.path = own(P, strdup(name));
	if (jcs_sha256_hex(text, len, hex)) {
		rc = jcs_err_set(err, JCS_ECRYPTO, "%s: SHA-256 failed", name);
		goto out;
	}
	d->pub.sha256 = own(P, strdup(hex));
	if (P->oom) {
		rc = jcs_err_set(err, JCS_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if (P->nerr) {
		rc = report_errors(P, err);
		goto out;
	}
	check_vdp(&d->pub);
	*out = &d->pub;
	d = NULL;
out:
	jcs_yaml_free(root);
	jcs_declaration_free(d ? &d->pub : NULL);
	free(P);
	return rc;
}

int jcs_declaration_load(const char *path, struct jcs_declaration **out, struct jcs_err *err)
{
	struct jcs_buf b = JCS_BUF_INIT;
	int rc;

	*out = NULL;
	rc = jcs_read_file(path, MAX_DECL_BYTES, &b, err);
	if (rc == 0)
		rc = jcs_declaration_parse(b.data ? b.data : "", b.len, path, NULL, out, err);
	jcs_buf_free(&b);
	return rc;
}

void jcs_declaration_free(struct jcs_declaration *pub)
{
	struct decl *d = (struct decl *)pub;

	if (!d)
		return;
	for (size_t i = 0; i < d->nowned; i++)
		free(d->owned[i]);
	free(d->owned);
	jcs_yaml_free(d->tree);
	free(d);
}

const struct jcs_answer *jcs_declaration_answer(const struct jcs_declaration *d, const char *criterion)
{
	for (size_t i = 0; d && criterion && i < d->nanswers; i++)
		if (strcmp(d->answers[i].criterion, criterion) == 0)
			return &d->answers[i];
	return NULL;
}
