/* NVD CVE API 2.0 records (vulnmatch.h). A CVE applies when one of its configurations is
 * true. Configuration = nodes joined by the configuration's operator (default OR); node =
 * cpeMatch entries joined by the node's operator, optionally negated. A cpeMatch is true when
 * a component has its part:vendor:product and a version inside its version or range.
 * Three-valued: a platform entry (vulnerable: false) whose product we did not see in the
 * image is unknown, so "busybox on D-Link hardware X" is reported as depending on the
 * platform rather than silently dropped or claimed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/version.h"
#include "firmware/vulnmatch.h"

#define MAX_HITS 64

struct hit {
	size_t comp;
	char rule[384];
};

struct hits {
	struct hit v[MAX_HITS];
	size_t n;
};

/* Split a CPE 2.3 formatted string into fields (unescaped, at most 13); returns count. */
static int cpe_fields(const char *s, char f[][128], int max)
{
	int n = 0;
	size_t k = 0;

	for (; n < max; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			if (k < 127)
				f[n][k++] = *s;
			continue;
		}
		if (*s == ':' || !*s) {
			f[n][k] = 0;
			n++;
			k = 0;
			if (!*s)
				break;
			continue;
		}
		if (k < 127)
			f[n][k++] = *s;
	}
	return n;
}

static bool has_cpe(const struct jcs_component *c, const char *part, const char *vendor,
		    const char *product)
{
	char want[400];

	snprintf(want, sizeof(want), "%s:%s:%s", part, vendor, product);
	for (size_t i = 0; c->cpes[i]; i++)
		if (strcmp(c->cpes[i], want) == 0)
			return true;
	return false;
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Does version v satisfy the cpeMatch entry m (fields f)? The rule text goes to rule. */
static bool version_in(const char *v, const json_t *m, char f[][128], char *rule, size_t cap)
{
	static const struct {
		const char *key, *op;
		int lo, hi; /* accepted cmp results */
	} lim[] = {{"versionStartIncluding", ">=", 0, 1},
		   {"versionStartExcluding", ">", 1, 1},
		   {"versionEndIncluding", "<=", -1, 0},
		   {"versionEndExcluding", "<", -1, -1}};
	size_t off = (size_t)snprintf(rule, cap, "%s", str(m, "criteria"));

	if (strcmp(f[5], "-") == 0 || !*f[5])
		return false;
	if (strcmp(f[5], "*") != 0) {
		char want[260];
		snprintf(want, sizeof(want), "%s%s", f[5],
			 strcmp(f[6], "*") && strcmp(f[6], "-") ? f[6] : "");
		return jcs_version_cmp(v, want) == 0;
	}
	for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		const char *b = str(m, lim[i].key);
		int c;
		if (!b)
			continue;
		if (off < cap)
			off += (size_t)snprintf(rule + off, cap - off, " %s%s", lim[i].op, b);
		c = jcs_version_cmp(v, b);
		c = c < 0 ? -1 : c > 0;
		if (c < lim[i].lo || c > lim[i].hi)
			return false;
	}
	return true;
}

static enum jcs_tri match_entry(struct jcs_vulnmatch *vm, const json_t *m, struct hits *h)
{
	char f[13][128];
	bool vulnerable = json_is_true(json_object_get(m, "vulnerable")), seen = false, any = false;
	const char *crit = str(m, "criteria");

	if (!crit || strncmp(crit, "cpe:2.3:", 8) != 0 || cpe_fields(crit, f, 13) < 7)
		return JCS_NO;
	for (size_t i = 0; i < jcs_sbom_count(vm->sbom); i++) {
		const struct jcs_component *c = jcs_sbom_get(vm->sbom, i);
		char rule[384];
		if (!has_cpe(c, f[2], f[3], f[4]))
			continue;
		seen = true;
		if (!version_in(c->version, m, f, rule, sizeof(rule)))
			continue;
		any = true;
		if (vulnerable && h->n < MAX_HITS) {
			h->v[h->n].comp = i;
			memcpy(h->v[h->n].rule, rule, sizeof(rule));
			h->n++;
		}
	}
	if (any)
		return JCS_YES;
	/* a platform we cannot see in the image (hardware, another OS) */
	return !vulnerable && !seen ? JCS_UNKNOWN : JCS_NO;
}

static enum jcs_tri combine(enum jcs_tri acc, enum jcs_tri x, bool and)
{
	if (and) {
		if (acc == JCS_NO || x == JCS_NO)
			return JCS_NO;
		return acc == JCS_UNKNOWN || x == JCS_UNKNOWN ? JCS_UNKNOWN : JCS_YES;
	}
	if (acc == JCS_YES || x == JCS_YES)
		return JCS_YES;
	return acc == JCS_UNKNOWN || x == JCS_UNKNOWN ? JCS_UNKNOWN : JCS_NO;
}

static bool is_and(const json_t *o)
{
	const char *op = str(o, "operator");
	return op && strcmp(op, "AND") == 0;
}

static enum jcs_tri eval_node(struct jcs_vulnmatch *vm, const json_t *node, struct hits *h)
{
	bool and = is_and(node);
	enum jcs_tri r = and ? JCS_YES : JCS_NO;
	const json_t *list = json_object_get(node, "cpeMatch"), *m;
	size_t i;

	if (json_array_size(list) == 0)
		return JCS_NO;
	json_array_foreach(list, i, m)
		r = combine(r, match_entry(vm, m, h), and);
	if (json_is_true(json_object_get(node, "negate")) && r != JCS_UNKNOWN)
		r = r == JCS_YES ? JCS_NO : JCS_YES;
	return r;
}

/* Best CVSS: v4.0, v3.1, v3.0, v2; the NVD ("Primary") entry first. */
static json_t *cvss(const json_t *cve)
{
	static const char *const keys[] = {"cvssMetricV40", "cvssMetricV31", "cvssMetricV30",
					   "cvssMetricV2"};
	const json_t *metrics = json_object_get(cve, "metrics");

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const json_t *list = json_object_get(metrics, keys[k]), *m, *best = NULL;
		size_t i;
		json_array_foreach(list, i, m) {
			const char *type = str(m, "type");
			if (!best || (type && strcmp(type, "Primary") == 0))
				best = m;
		}
		if (best) {
			const json_t *d = json_object_get(best, "cvssData");
			const json_t *score = json_object_get(d, "baseScore");
			if (!json_is_number(score))
				continue;
			return json_pack("{s:s, s:f, s:s}", "version", str(d, "version") ? str(d, "version") : "",
					 "score", json_number_value(score), "vector",
					 str(d, "vectorString") ? str(d, "vectorString") : "");
		}
	}
	return NULL;
}

int jcs_nvd_record(struct jcs_vulnmatch *vm, const json_t *cve)
{
	const char *id = str(cve, "id"), *status = str(cve, "vulnStatus");
	const json_t *configs = json_object_get(cve, "configurations"), *cfg;
	struct hits yes, maybe, *h;
	size_t i;
	int rc = 0;

	vm->records++;
	if (!id || (status && strcmp(status, "Rejected") == 0))
		return 0;
	h = malloc(sizeof(*h));
	if (!h)
		return JCS_ENOMEM;
	yes.n = maybe.n = 0;
	json_array_foreach(configs, i, cfg) {
		const json_t *nodes = json_object_get(cfg, "nodes"), *node;
		bool and = is_and(cfg);
		enum jcs_tri r = and ? JCS_YES : JCS_NO;
		size_t k;
		h->n = 0;
		if (json_array_size(nodes) == 0)
			continue;
		json_array_foreach(nodes, k, node)
			r = combine(r, eval_node(vm, node, h), and);
		for (size_t j = 0; j < h->n && r != JCS_NO; j++) {
			struct hits *to = r == JCS_YES ? &yes : &maybe;
			if (to->n < MAX_HITS)
				to->v[to->n++] = h->v[j];
		}
	}
	free(h);
	for (i = 0; rc == 0 && i < yes.n + maybe.n; i++) {
		const struct hit *x = i < yes.n ? &yes.v[i] : &maybe.v[i - yes.n];
		bool certain = i < yes.n;
		if (!certain) { /* already certain through another configuration? */
			bool dup = false;
			for (size_t j = 0; j < yes.n; j++)
				dup |= yes.v[j].comp == x->comp;
			if (dup)
				continue;
		}
		rc = jcs_vulnmatch_add(vm, id, "NVD", x->comp, cvss(cve), x->rule, certain, NULL);
	}
	return rc;
}
