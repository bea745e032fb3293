/* jcstar catalog [--level N] [--crosswalk SCHEME] [--format text|json|csv] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "jcstar/catalog.h"
#include "jcstar/buf.h"

static const struct cli_opt opts[] = {
	{"level", 'l', "N", N_("the criteria of level N (1-4; default 1). A level whose criteria are not\n"
			       "published yet is refused, never shown as ★1"), false},
	{"crosswalk", 'x', "SCHEME", N_("add the corresponding provisions of SCHEME: etsi, psti, cls, nist,\n"
				       "cra or gov ('*' = official correspondence)"), false},
	CLI_FORMAT("text|json|csv", N_("text table (default), jcstar.catalog/1 JSON, or CSV (one row per\n"
				      "criterion); with -o the default is json")),
	CLI_OUTPUT(N_("write the catalogue to FILE (- = stdout)")),
	CLI_QUIET(N_("accepted for symmetry; the catalogue is the output")),
	CLI_VERBOSE(N_("accepted for symmetry")),
	{0},
};

const struct cli_cmd cli_spec_catalog = {
	"catalog", "[--level N] [--crosswalk SCHEME] [--format text|json|csv] [-o FILE]",
	N_("List the JC-STAR criteria of a level with their evaluation method and the provisions of\n"
	   "another scheme they correspond to ('*' = official correspondence, otherwise jcstar's\n"
	   "inference). Also lists level profiles and the procurement rule."),
	opts, 0, 0, "", N_("0 success\n2 usage error: unknown scheme or format, a level out of range or not\n"
			   "  published yet, a stray argument\n3 runtime error (the output could not be written)"),
};

static bool in_level(const struct jcs_catalog *cat, const struct jcs_criterion *c, int level)
{
	for (size_t i = 0; i < cat->nprofiles; i++) {
		const struct jcs_profile *p = &cat->profiles[i];
		if (p->level > level)
			continue;
		for (size_t j = 0; p->criteria[j]; j++)
			if (strcmp(p->criteria[j], c->id) == 0)
				return true;
	}
	return false;
}

static json_t *text_json(struct jcs_text t)
{
	return json_pack("{s:s, s:s}", "ja", t.ja, "en", t.en);
}

static json_t *criterion_json(const struct jcs_criterion *c, const char *scheme)
{
	json_t *findings = json_array(), *xrefs = json_array();

	for (size_t i = 0; c->findings[i]; i++)
		json_array_append_new(findings, json_string(c->findings[i]));
	for (size_t i = 0; i < c->nxrefs; i++)
		if (!scheme || strcmp(scheme, c->xrefs[i].scheme) == 0)
			json_array_append_new(xrefs, json_pack("{s:s, s:s, s:b}", "scheme", c->xrefs[i].scheme,
							       "ref", c->xrefs[i].ref, "official",
							       c->xrefs[i].official));
	return json_pack("{s:s, s:i, s:i, s:o, s:o, s:o, s:s, s:s, s:o, s:b, s:o, s:o}", "id", c->id,
			 "level", c->level, "number", c->number, "title", text_json(c->title), "category",
			 text_json(c->category), "threat", text_json(c->threat), "target",
			 c->target == JCS_TARGET_VENDOR ? "vendor" : "product", "method", c->method,
			 "supply", text_json(c->supply), "needs_test", c->needs_test, "findings", findings,
			 "crosswalk", xrefs);
}

static json_t *catalog_json(const struct jcs_catalog *cat, int level, const char *scheme)
{
	json_t *crit = json_array(), *schemes = json_array(), *profiles = json_array(), *proc = json_array();

	for (size_t i = 0; i < cat->ncriteria; i++)
		if (in_level(cat, &cat->criteria[i], level))
			json_array_append_new(crit, criterion_json(&cat->criteria[i], scheme));
	for (size_t i = 0; i < cat->nschemes; i++) {
		const struct jcs_scheme *s = &cat->schemes[i];
		json_t *prov = json_array();
		if (scheme && strcmp(scheme, s->id))
			continue;
		for (size_t j = 0; j < s->nprovisions; j++)
			json_array_append_new(prov, json_pack("{s:s, s:s, s:b}", "ref", s->provisions[j].ref,
							      "title", s->provisions[j].title, "mandatory",
							      s->provisions[j].mandatory));
		json_array_append_new(schemes, json_pack("{s:s, s:s, s:s, s:o}", "id", s->id, "name", s->name,
							 "basis", s->basis, "provisions", prov));
	}
	for (size_t i = 0; i < cat->nprofiles; i++) {
		const struct jcs_profile *p = &cat->profiles[i];
		json_t *c = json_array();
		for (size_t j = 0; p->criteria[j]; j++)
			json_array_append_new(c, json_string(p->criteria[j]));
		json_array_append_new(profiles, json_pack("{s:s, s:i, s:o, s:b, s:s, s:o}", "id", p->id, "level",
							  p->level, "name", text_json(p->name), "published",
							  p->published, "note", p->note, "criteria", c));
	}
	for (size_t i = 0; i < cat->nprocurement; i++)
		json_array_append_new(proc, json_pack("{s:s, s:i}", "importance", cat->procurement[i].importance,
						      "min_level", cat->procurement[i].min_level));
	return json_pack("{s:s, s:i, s:o, s:o, s:o, s:o}", "schema", "jcstar.catalog/1", "level", level,
			 "criteria", crit, "schemes", schemes, "profiles", profiles, "procurement", proc);
}

static void xref_list(struct jcs_buf *b, const struct jcs_criterion *c, const char *scheme)
{
	bool first = true;

	for (size_t i = 0; i < c->nxrefs; i++) {
		if (scheme && strcmp(scheme, c->xrefs[i].scheme))
			continue;
		jcs_buf_printf(b, "%s%s%s%s", first ? "" : " ", scheme ? "" : c->xrefs[i].scheme,
			       scheme ? "" : ":", c->xrefs[i].ref);
		if (c->xrefs[i].official)
			jcs_buf_putc(b, '*');
		first = false;
	}
}

static void print_text(FILE *o, const struct jcs_catalog *cat, int level, const struct jcs_scheme *s)
{
	struct jcs_buf b = JCS_BUF_INIT;

	fprintf(o, "%-8s  %-8s  %-7s  %s\n", "ID", "METHOD", "TARGET", s ? s->name : "TITLE");
	for (size_t i = 0; i < cat->ncriteria; i++) {
		const struct jcs_criterion *c = &cat->criteria[i];
		if (!in_level(cat, c, level))
			continue;
		fprintf(o, "%-8s  %-8s  %-7s  %s / %s\n", c->id, c->method,
		       c->target == JCS_TARGET_VENDOR ? "vendor" : "product", c->title.en, c->title.ja);
		if (s) {
			jcs_buf_reset(&b);
			xref_list(&b, c, s->id);
			fprintf(o, "%30s→ %s\n", "", b.len ? b.data : "(none)");
		}
	}
	if (s) {
		fprintf(o, "\n%s provisions with no ★%d criterion mapped:", s->name, level);
		for (size_t j = 0, n = 0; j < s->nprovisions; j++) {
			bool hit = false;
			for (size_t i = 0; i < cat->ncriteria && !hit; i++)
				for (size_t k = 0; k < cat->criteria[i].nxrefs && !hit; k++)
					hit = in_level(cat, &cat->criteria[i], level) &&
					      strcmp(cat->criteria[i].xrefs[k].scheme, s->id) == 0 &&
					      strcmp(cat->criteria[i].xrefs[k].ref, s->provisions[j].ref) == 0;
			if (!hit && s->provisions[j].mandatory)
				fprintf(o, "%s%s", n++ ? ", " : " ", s->provisions[j].ref);
		}
		fprintf(o, "\n('*' = official correspondence; others are jcstar's inference)\n");
	}
	fprintf(o, "\nprofiles:\n");
	for (size_t i = 0; i < cat->nprofiles; i++) {
		const struct jcs_profile *p = &cat->profiles[i];
		size_t n = 0;
		while (p->criteria[n])
			n++;
		if (p->published)
			fprintf(o, "  %-20s %-42s %zu criteria\n", p->id, p->name.en, n);
		else
			fprintf(o, "  %-20s %-42s criteria not yet published\n", p->id, p->name.en);
	}
	fprintf(o, "\nprocurement (government guideline): ");
	for (size_t i = 0; i < cat->nprocurement; i++)
		fprintf(o, "%s%s importance → ★%d or higher", i ? "; " : "", cat->procurement[i].importance,
		       cat->procurement[i].min_level);
	fprintf(o, "\n");
	jcs_buf_free(&b);
}

/* The CSV is built whole, then written: 0, or the buffer's sticky error (nothing written). */
static int print_csv(FILE *o, const struct jcs_catalog *cat, int level, const char *scheme)
{
	struct jcs_buf b = JCS_BUF_INIT;
	int rc;

	jcs_buf_puts(&b, "id,number,title_ja,title_en,category_ja,target,method,supply_ja,findings,crosswalk\r\n");
	for (size_t i = 0; i < cat->ncriteria; i++) {
		const struct jcs_criterion *c = &cat->criteria[i];
		struct jcs_buf f = JCS_BUF_INIT, x = JCS_BUF_INIT;
		if (!in_level(cat, c, level))
			continue;
		for (size_t j = 0; c->findings[j]; j++)
			jcs_buf_printf(&f, "%s%s", j ? " " : "", c->findings[j]);
		xref_list(&x, c, scheme);
		jcs_buf_printf(&b, "%s,%d,", c->id, c->number);
		jcs_buf_put_csv(&b, c->title.ja);
		jcs_buf_putc(&b, ',');
		jcs_buf_put_csv(&b, c->title.en);
		jcs_buf_putc(&b, ',');
		jcs_buf_put_csv(&b, c->category.ja);
		jcs_buf_printf(&b, ",%s,%s,", c->target == JCS_TARGET_VENDOR ? "vendor" : "product", c->method);
		jcs_buf_put_csv(&b, c->supply.ja);
		jcs_buf_putc(&b, ',');
		jcs_buf_put_csv(&b, f.data ? f.data : "");
		jcs_buf_putc(&b, ',');
		jcs_buf_put_csv(&b, x.data ? x.data : "");
		jcs_buf_puts(&b, "\r\n");
		jcs_buf_fail(&b, jcs_buf_error(&f) ? jcs_buf_error(&f) : jcs_buf_error(&x));
		jcs_buf_free(&f);
		jcs_buf_free(&x);
	}
	if (!(rc = jcs_buf_error(&b)))
		fwrite(b.data, 1, b.len, o);
	jcs_buf_free(&b);
	return rc;
}

/* The profile of exactly this level, if its criteria are published. */
static bool level_published(const struct jcs_catalog *cat, int level)
{
	for (size_t i = 0; i < cat->nprofiles; i++)
		if (cat->profiles[i].level == level && cat->profiles[i].published)
			return true;
	return false;
}

int cmd_catalog(int argc, char **argv)
{
	const char *format = NULL, *scheme = NULL, *output = NULL;
	const struct jcs_scheme *s = NULL;
	const struct jcs_catalog *cat;
	struct jcs_err err = {0};
	struct cli_parse p = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *o;
	int level = 1, c, rc = EXIT_OK;

	while ((c = cli_getopt(&p, &cli_spec_catalog, argc, argv)) != -1) {
		switch (c) {
		case CLI_EXIT: return p.exit;
		case 'l': {
			char *end;
			long v = strtol(p.arg, &end, 10);
			if (*end || end == p.arg || v < 1 || v > 4) {
				cli_error(_("--level must be 1, 2, 3 or 4, not '%s'"), p.arg);
				return EXIT_USAGE;
			}
			level = (int)v;
			break;
		}
		case 'x': scheme = p.arg; break;
		case CLI_OPT_FORMAT: format = p.arg; break;
		case CLI_OPT_OUTPUT: output = p.arg; break;
		default: break;
		}
	}
	if (!format)
		format = output ? "json" : "text";
	cat = jcs_catalog_get(&err);
	if (!cat)
		return cli_fail(&err);
	if (!level_published(cat, level)) {
		cli_error(_("the ★%d criteria are not published yet (IPA has published ★1 only); "
			    "see 'jcstar catalog' for the level profiles"), level);
		return EXIT_USAGE;
	}
	if (scheme && !(s = jcs_catalog_scheme(cat, scheme))) {
		cli_error(_("unknown scheme '%s' (etsi, psti, cls, nist, cra or gov)"), scheme);
		return EXIT_USAGE;
	}
	if (!(o = open_memstream(&text, &len))) {
		cli_error(_("out of memory"));
		return EXIT_RUNTIME;
	}
	if (strcmp(format, "json") == 0) {
		json_t *j = catalog_json(cat, level, scheme);
		json_dumpf(j, o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', o);
		json_decref(j);
	} else if (strcmp(format, "csv") == 0) {
		if (print_csv(o, cat, level, scheme)) {
			cli_error(_("out of memory building the CSV"));
			rc = EXIT_RUNTIME;
		}
	} else {
		print_text(o, cat, level, s);
	}
	if (fclose(o) != 0 && rc == EXIT_OK) {
		cli_error(_("out of memory"));
		rc = EXIT_RUNTIME;
	}
	if (rc == EXIT_OK && jcs_write_file_atomic(output ? output : "-", text, len, &err))
		rc = cli_fail(&err);
	free(text);
	return rc;
}
