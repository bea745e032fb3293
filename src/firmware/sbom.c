/* SBOM of a firmware image (sbom.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/blob.h"
#include "core/buf.h"
#include "core/yaml.h"
#include "firmware/pkgdb.h"
#include "firmware/sbom.h"
#include "firmware/sigmatch.h"
#include "firmware/version.h"

#define TABLE "firmware/components.yaml"
#define MAX_COMPONENTS 20000
#define MAX_PKGS 20000
#define MAX_STAMPS 64

struct sig {
	char *name;
	const char *type;
	char **cpes; /* NULL-terminated */
	char **aliases;
	char **files;
	char *provides;  /* generic package name this component may be ("libc") */
	char **loaders;  /* base-name prefixes of files that show this component is the one */
	bool numeric;    /* upstream version = the leading dotted number ("4.14.195") */
};

struct best {
	size_t pattern; /* SIZE_MAX = none */
	char version[JCS_SIG_MAX_VERSION + 1];
};

struct jcs_sbom {
	struct sig *sigs;
	size_t nsigs;
	struct jcs_sigmatch *m;
	struct best *best; /* per signature, for the current file */
	struct jcs_component *v;
	size_t n, cap;
	enum jcs_pkgdb_kind curdb;
	const char *curpath;
	struct jcs_distro distro;
	const struct sig *loader;  /* the component whose loader file was seen */
	char loader_path[256];
};

static const char *const no_cpes[] = {NULL};

static void free_strs(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int strs(const struct jcs_ynode *n, char ***out, struct jcs_err *err)
{
	size_t k = n && n->type == JCS_Y_SEQ ? n->n : 0;
	char **v = calloc(k + 1, sizeof(*v));

	*out = v;
	if (!v)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	if (n && n->type != JCS_Y_SEQ)
		return jcs_err_set(err, JCS_ESCHEMA, TABLE ":%d:%d: expected a list", n->line, n->col);
	for (size_t i = 0; i < k; i++) {
		if (n->kids[i]->type != JCS_Y_SCALAR)
			return jcs_err_set(err, JCS_ESCHEMA, TABLE ":%d:%d: expected text", n->kids[i]->line,
					   n->kids[i]->col);
		v[i] = strdup(n->kids[i]->str);
		if (!v[i])
			return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	}
	return 0;
}

static int load_table(struct jcs_sbom *s, struct jcs_err *err)
{
	const struct jcs_blob *b = jcs_blob_get(TABLE);
	struct jcs_ynode *root = NULL, *list;
	const char **pats = NULL;
	size_t *comp = NULL, npats = 0, cap = 0;
	int rc;

	if (!b)
		return jcs_err_set(err, JCS_ENOTFOUND, TABLE " is not embedded");
	rc = jcs_yaml_parse((const char *)b->data, b->len, TABLE, &root, err);
	if (rc)
		return rc;
	list = jcs_yaml_get(root, "components");
	if (!list || list->type != JCS_Y_SEQ) {
		rc = jcs_err_set(err, JCS_ESCHEMA, TABLE ": 'components' must be a list");
		goto out;
	}
	s->sigs = calloc(list->n + 1, sizeof(*s->sigs));
	s->best = calloc(list->n + 1, sizeof(*s->best));
	if (!s->sigs || !s->best) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < list->n; i++) {
		struct jcs_ynode *c = list->kids[i], *name = jcs_yaml_get(c, "name"),
				 *type = jcs_yaml_get(c, "type"), *str = jcs_yaml_get(c, "strings");
		struct sig *g = &s->sigs[i];
		char **sv = NULL;

		s->nsigs = i + 1;
		if (!name || name->type != JCS_Y_SCALAR) {
			rc = jcs_err_set(err, JCS_ESCHEMA, TABLE ":%d:%d: component without a name", c->line,
					 c->col);
			goto out;
		}
		g->name = strdup(name->str);
		g->type = "application";
		if (type && type->type == JCS_Y_SCALAR)
			g->type = strcmp(type->str, "library") == 0 ? "library"
				  : strcmp(type->str, "operating-system") == 0 ? "operating-system"
									: "application";
		if (!g->name) {
			rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
			goto out;
		}
		{
			struct jcs_ynode *pv = jcs_yaml_get(c, "provides"), *vn = jcs_yaml_get(c, "version");
			if (pv && pv->type == JCS_Y_SCALAR && !(g->provides = strdup(pv->str))) {
				rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
				goto out;
			}
			g->numeric = vn && vn->type == JCS_Y_SCALAR && strcmp(vn->str, "numeric") == 0;
		}
		if ((rc = strs(jcs_yaml_get(c, "cpe"), &g->cpes, err)) ||
		    (rc = strs(jcs_yaml_get(c, "loaders"), &g->loaders, err)) ||
		    (rc = strs(jcs_yaml_get(c, "aliases"), &g->aliases, err)) ||
		    (rc = strs(jcs_yaml_get(c, "files"), &g->files, err)) || (rc = strs(str, &sv, err))) {
			free_strs(sv);
			goto out;
		}
		/* normalise "vendor:product" to "a:vendor:product" */
		for (size_t k = 0; g->cpes[k]; k++) {
			const char *p = g->cpes[k];
			if (strchr(p, ':') == strrchr(p, ':')) {
				char *x = malloc(strlen(p) + 3);
				if (!x) {
					free_strs(sv);
					rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
					goto out;
				}
				sprintf(x, "a:%s", p);
				free(g->cpes[k]);
				g->cpes[k] = x;
			}
		}
		for (size_t k = 0; sv[k]; k++) {
			if (npats == cap) {
				size_t nc = cap ? cap * 2 : 64;
				const char **np = realloc(pats, nc * sizeof(*np));
				size_t *ncm = np ? realloc(comp, nc * sizeof(*ncm)) : NULL;
				if (np)
					pats = np;
				if (!np || !ncm) {
					free_strs(sv);
					rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
					goto out;
				}
				comp = ncm;
				cap = nc;
			}
			pats[npats] = sv[k];
			comp[npats++] = i;
			sv[k] = NULL; /* now owned by pats */
		}
		free_strs(sv);
	}
	rc = jcs_sigmatch_new(pats, comp, npats, &s->m, err);
out:
	for (size_t i = 0; i < npats; i++)
		free((char *)pats[i]);
	free(pats);
	free(comp);
	jcs_yaml_free(root);
	return rc;
}

int jcs_sbom_new(struct jcs_sbom **out, struct jcs_err *err)
{
	struct jcs_sbom *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	rc = load_table(s, err);
	if (rc) {
		jcs_sbom_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static void component_free(struct jcs_component *c)
{
	free(c->name);
	free(c->version);
	free(c->pkg_version);
	free(c->purl);
	free(c->cpe);
	free(c->pkg_type);
	free(c->pkg_name);
	free(c->src_name);
	jcs_strv_free(&c->files);
	jcs_strv_free(&c->sources);
}

void jcs_sbom_free(struct jcs_sbom *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nsigs; i++) {
		free(s->sigs[i].name);
		free_strs(s->sigs[i].cpes);
		free_strs(s->sigs[i].aliases);
		free_strs(s->sigs[i].files);
		free_strs(s->sigs[i].loaders);
		free(s->sigs[i].provides);
	}
	for (size_t i = 0; i < s->n; i++)
		component_free(&s->v[i]);
	free(s->v);
	free(s->sigs);
	free(s->best);
	jcs_sigmatch_free(s->m);
	free(s);
}

static const struct sig *find_sig(const struct jcs_sbom *s, const char *pkgname)
{
	for (size_t i = 0; i < s->nsigs; i++) {
		if (strcmp(s->sigs[i].name, pkgname) == 0)
			return &s->sigs[i];
		for (size_t k = 0; s->sigs[i].aliases[k]; k++)
			if (strcmp(s->sigs[i].aliases[k], pkgname) == 0)
				return &s->sigs[i];
	}
	return NULL;
}

const char *jcs_sbom_canonical(const struct jcs_sbom *s, const char *pkgname)
{
	const struct sig *g = find_sig(s, pkgname);
	return g ? g->name : pkgname;
}

/* CPE 2.3 formatted-string escaping of a version. */
static void cpe_put(struct jcs_buf *b, const char *v)
{
	for (; *v; v++) {
		if (!isalnum((unsigned char)*v) && *v != '_' && *v != '-' && *v != '.')
			jcs_buf_putc(b, '\\');
		jcs_buf_putc(b, *v);
	}
}

/* purl percent-encoding of a name or version. */
static void purl_put(struct jcs_buf *b, const char *v)
{
	for (; *v; v++) {
		if (isalnum((unsigned char)*v) || strchr(".-_~+", *v))
			jcs_buf_putc(b, *v);
		else
			jcs_buf_printf(b, "%%%02X", (unsigned char)*v);
	}
}

static char *make_cpe(const char *cpe, const char *version)
{
	struct jcs_buf b = JCS_BUF_INIT;

	jcs_buf_printf(&b, "cpe:2.3:%s:", cpe);
	cpe_put(&b, version);
	jcs_buf_puts(&b, ":*:*:*:*:*:*:*");
	return jcs_buf_steal(&b);
}

/* purl of a component: pkg:deb/debian/NAME@VERSION?distro=debian-12 for a package,
 * pkg:generic/NAME@VERSION for a find in a binary. */
static int set_purl(const struct jcs_sbom *s, struct jcs_component *c)
{
	struct jcs_buf b = JCS_BUF_INIT;

	if (c->pkg_type) {
		jcs_buf_printf(&b, "pkg:%s/%s/", c->pkg_type,
			       strcmp(c->pkg_type, "deb") == 0 ? "debian"
			       : strcmp(c->pkg_type, "apk") == 0 ? "alpine"
								  : "openwrt");
		purl_put(&b, c->pkg_name);
		jcs_buf_putc(&b, '@');
		purl_put(&b, c->pkg_version);
		if (s->distro.id[0] && s->distro.version[0]) {
			jcs_buf_puts(&b, "?distro=");
			purl_put(&b, s->distro.id);
			jcs_buf_putc(&b, '-');
			purl_put(&b, s->distro.version);
		}
	} else {
		jcs_buf_puts(&b, "pkg:generic/");
		purl_put(&b, c->name);
		jcs_buf_putc(&b, '@');
		purl_put(&b, c->version);
	}
	free(c->purl);
	c->purl = jcs_buf_steal(&b);
	return c->purl ? 0 : JCS_ENOMEM;
}

/* Find or add the component (name, version); returns it or NULL on ENOMEM/limit. */
static struct jcs_component *component(struct jcs_sbom *s, const struct sig *g, const char *name,
				       const char *version, const char *pkg_version,
				       const char *pkg_type, const char *pkg_name)
{
	struct jcs_component *c;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0 && strcmp(s->v[i].version, version) == 0) {
			c = &s->v[i];
			if (pkg_version && !c->pkg_version) {
				/* a database entry confirms a binary find: it names the package */
				c->pkg_version = strdup(pkg_version);
				c->pkg_type = strdup(pkg_type);
				c->pkg_name = strdup(pkg_name);
				if (!c->pkg_version || !c->pkg_type || !c->pkg_name)
					return NULL;
				goto purl;
			}
			return c;
		}
	if (s->n == MAX_COMPONENTS)
		return NULL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct jcs_component *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	c = &s->v[s->n];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	c->version = strdup(version);
	c->pkg_version = pkg_version ? strdup(pkg_version) : NULL;
	c->pkg_type = pkg_type ? strdup(pkg_type) : NULL;
	c->pkg_name = pkg_name ? strdup(pkg_name) : NULL;
	c->type = g ? g->type : "application";
	c->cpes = g ? (const char *const *)g->cpes : no_cpes;
	if (!c->name || !c->version || (pkg_version && (!c->pkg_version || !c->pkg_type || !c->pkg_name))) {
		component_free(c);
		return NULL;
	}
	s->n++;
	if (c->cpes[0] && !(c->cpe = make_cpe(c->cpes[0], c->version)))
		return NULL;
purl:
	return set_purl(s, c) ? NULL : c;
}

static int note(struct jcs_component *c, const char *file, const char *source)
{
	int rc = 0;

	if (c->files.n < JCS_SBOM_MAX_FILES && !jcs_strv_has(&c->files, file))
		rc = jcs_strv_add(&c->files, file);
	if (rc == 0 && c->sources.n < 8 && !jcs_strv_has(&c->sources, source))
		rc = jcs_strv_add(&c->sources, source);
	return rc;
}

/* The component a generic package name may stand for ("libc": musl, glibc or uclibc-ng). */
static bool provided(const struct jcs_sbom *s, const char *pkgname)
{
	for (size_t i = 0; i < s->nsigs; i++)
		if (s->sigs[i].provides && strcmp(s->sigs[i].provides, pkgname) == 0)
			return true;
	return false;
}

static int on_pkg(void *ctx, const struct jcs_pkg *p)
{
	struct jcs_sbom *s = ctx;
	const struct sig *g = find_sig(s, p->name);
	char up[128], src[64];
	struct jcs_component *c;

	if (g && g->numeric)
		jcs_version_numeric(p->version, up, sizeof(up));
	else
		jcs_version_upstream(p->version, up, sizeof(up));
	if (!up[0])
		jcs_version_upstream(p->version, up, sizeof(up));
	c = component(s, g, g ? g->name : p->name, up, p->version, jcs_pkgdb_purl_type(s->curdb), p->name);
	if (!c)
		return JCS_ENOMEM;
	if (!g && provided(s, p->name))
		c->provides = "pending";
	if (p->source[0] && !c->src_name && !(c->src_name = strdup(p->source)))
		return JCS_ENOMEM;
	snprintf(src, sizeof(src), "%s database", s->curdb == JCS_PKGDB_DPKG ? "dpkg"
						   : s->curdb == JCS_PKGDB_APK ? "apk"
									     : "opkg");
	return note(c, s->curpath, src);
}

/* KEY=value / KEY='value' / KEY="value" of a shell-style release file. */
static void release_value(const struct jcs_fw_file *f, const char *key, char *out, size_t cap)
{
	struct jcs_lines it;
	const char *l;
	size_t n, k = strlen(key);

	jcs_lines_init(&it, f->data, f->len);
	while (jcs_lines_next(&it, &l, &n)) {
		size_t m = 0;
		if (n <= k || strncmp(l, key, k) || l[k] != '=')
			continue;
		l += k + 1;
		n -= k + 1;
		if (n && (*l == '"' || *l == '\'')) {
			l++;
			n--;
		}
		while (m < n && m + 1 < cap && (isalnum((unsigned char)l[m]) || strchr(".-_", l[m])))
			m++;
		memcpy(out, l, m);
		out[m] = 0;
		for (size_t i = 0; i < m; i++)
			out[i] = (char)tolower((unsigned char)out[i]);
		return;
	}
}

/* Release files of the distribution (os-release wins over the others). */
static void distro_file(struct jcs_sbom *s, const struct jcs_fw_file *f)
{
	struct jcs_distro *d = &s->distro;
	size_t n;

	if (!jcs_audit_is_text(f))
		return;
	if (strcmp(f->path, "/etc/os-release") == 0 || strcmp(f->path, "/usr/lib/os-release") == 0) {
		release_value(f, "ID", d->id, sizeof(d->id));
		release_value(f, "VERSION_ID", d->version, sizeof(d->version));
		release_value(f, "VERSION_CODENAME", d->codename, sizeof(d->codename));
	} else if (strcmp(f->path, "/etc/openwrt_release") == 0 && !d->id[0]) {
		snprintf(d->id, sizeof(d->id), "openwrt");
		release_value(f, "DISTRIB_RELEASE", d->version, sizeof(d->version));
	} else if ((strcmp(f->path, "/etc/alpine-release") == 0 || strcmp(f->path, "/etc/debian_version") == 0) &&
		   !d->version[0]) {
		snprintf(d->id, sizeof(d->id), "%s", f->path[5] == 'a' ? "alpine" : "debian");
		for (n = 0; n < f->len && n + 1 < sizeof(d->version) &&
			    (isdigit(f->data[n]) || f->data[n] == '.'); n++)
			d->version[n] = (char)f->data[n];
		d->version[n] = 0;
	}
	if (strcmp(d->id, "debian") == 0 && strchr(d->version, '.'))
		*strchr(d->version, '.') = 0; /* Debian releases are named by their major number */
	if (strcmp(d->id, "debian") == 0 && !d->codename[0]) {
		static const char *const names[] = {"", "", "", "", "", "", "", "wheezy", "jessie", "stretch",
						    "buster", "bullseye", "bookworm", "trixie", "forky"};
		unsigned long v = strtoul(d->version, NULL, 10);
		if (v < sizeof(names) / sizeof(names[0]))
			snprintf(d->codename, sizeof(d->codename), "%s", names[v]);
	}
}

const struct jcs_distro *jcs_sbom_distro(const struct jcs_sbom *s)
{
	return &s->distro;
}

/* a extends b by a release suffix: "6.8p1" refines "6.8", "1.0.2g" refines "1.0.2" */
static bool refines(const char *a, const char *b)
{
	size_t n = strlen(b);
	return strlen(a) > n && strncmp(a, b, n) == 0 && isalpha((unsigned char)a[n]);
}

static int on_hit(void *ctx, const struct jcs_sig_hit *h)
{
	struct best *b = &((struct best *)ctx)[h->component];

	/* the most trusted pattern wins; for the same pattern a more exact version ("6.8p1" after
	 * "6.8") */
	if (b->pattern == SIZE_MAX || h->pattern < b->pattern ||
	    (h->pattern == b->pattern && refines(h->version, b->version))) {
		b->pattern = h->pattern;
		memcpy(b->version, h->version, sizeof(b->version));
	}
	return 0;
}

/* Leading "major.minor" numbers equal? */
static bool same_series(const char *a, const char *b)
{
	char *ea, *eb;
	unsigned long a1 = strtoul(a, &ea, 10), b1 = strtoul(b, &eb, 10);

	if (a1 != b1 || *ea != '.' || *eb != '.')
		return false;
	return strtoul(ea + 1, NULL, 10) == strtoul(eb + 1, NULL, 10);
}

/* Distribution builds name their split debug file "BASENAME-VERSION-RELEASE.ARCH.debug"
 * (.gnu_debuglink): the packager's version, more exact than a version string that a
 * release forgot to bump ("2.84rc2" in dnsmasq 2.84). */
static bool debuglink_version(const struct jcs_fw_file *f, char *ver, size_t cap)
{
	const char *base = jcs_audit_basename(f->path);
	size_t bl = strlen(base), tries = 0;
	const uint8_t *p = f->data, *end = f->data + f->len;

	if (bl == 0 || f->len < 4 || memcmp(f->data, "\177ELF", 4))
		return false;
	while (p < end && tries++ < MAX_STAMPS) {
		const uint8_t *hit = memmem(p, (size_t)(end - p), ".debug", 6), *s, *v, *q;
		if (!hit)
			return false;
		p = hit + 6;
		if (p < end && *p != 0 && *p != '\n')
			continue;
		for (s = hit; s > f->data && s[-1] != 0 && s[-1] != '\n' && hit - s < 256; s--)
			;
		if ((size_t)(hit - s) <= bl + 1 || memcmp(s, base, bl) || s[bl] != '-')
			continue;
		v = q = s + bl + 1;
		while (q < hit && (isalnum(*q) || *q == '.'))
			q++;
		if (q >= hit || *q != '-' || !jcs_sig_version_ok((const char *)v, (size_t)(q - v)) ||
		    (size_t)(q - v) >= cap)
			continue;
		memcpy(ver, v, (size_t)(q - v));
		ver[q - v] = 0;
		return true;
	}
	return false;
}

void *jcs_sbom_prescan(void *ctx, const uint8_t *data, size_t len)
{
	const struct jcs_sbom *s = ctx;
	struct best *b = malloc((s->nsigs ? s->nsigs : 1) * sizeof(*b));

	if (!b)
		return NULL;
	for (size_t i = 0; i < s->nsigs; i++)
		b[i].pattern = SIZE_MAX;
	jcs_sigmatch_scan(s->m, data, len, on_hit, b); /* on_hit never stops the scan */
	return b;
}

void jcs_sbom_prescan_free(void *note)
{
	free(note);
}

int jcs_sbom_file(struct jcs_sbom *s, const struct jcs_fw_file *f, struct jcs_err *err)
{
	enum jcs_pkgdb_kind db;
	char stamp[JCS_SIG_MAX_VERSION + 1], src[96];
	bool have_stamp = false, stamp_done = false;
	int rc = 0;

	for (size_t i = 0; !s->loader && f->type != JCS_FW_DIR && i < s->nsigs; i++)
		for (size_t k = 0; s->sigs[i].loaders[k]; k++)
			if (jcs_audit_under(jcs_audit_basename(f->path), s->sigs[i].loaders[k])) {
				s->loader = &s->sigs[i];
				snprintf(s->loader_path, sizeof(s->loader_path), "%s", f->path);
				break;
			}
	if (f->type != JCS_FW_FILE || !f->data)
		return 0;
	s->curpath = f->path;
	distro_file(s, f);
	db = jcs_pkgdb_kind_of(f->path);
	if (db != JCS_PKGDB_NONE) {
		s->curdb = db;
		rc = jcs_pkgdb_parse(db, f->data, f->len, MAX_PKGS, on_pkg, s);
		if (rc)
			return jcs_err_set(err, rc, "%s: %s", f->path, jcs_strerror(rc));
		return 0;
	}
	if (f->prescan) {
		memcpy(s->best, f->prescan, s->nsigs * sizeof(*s->best));
	} else {
		for (size_t i = 0; i < s->nsigs; i++)
			s->best[i].pattern = SIZE_MAX;
		rc = jcs_sigmatch_scan(s->m, f->data, f->len, on_hit, s->best);
	}
	for (size_t i = 0; rc == 0 && i < s->nsigs; i++) {
		for (size_t k = 0; s->sigs[i].files[k]; k++)
			if (s->best[i].pattern == SIZE_MAX &&
			    jcs_sigmatch_name(s->sigs[i].files[k], jcs_audit_basename(f->path),
					      s->best[i].version, sizeof(s->best[i].version))) {
				s->best[i].pattern = SIZE_MAX - 1;
				snprintf(src, sizeof(src), "file name %s", s->sigs[i].files[k]);
			}
		if (s->best[i].pattern == SIZE_MAX)
			continue;
		if (s->best[i].pattern != SIZE_MAX - 1)
			snprintf(src, sizeof(src), "version string");
		if (!stamp_done) {
			have_stamp = debuglink_version(f, stamp, sizeof(stamp));
			stamp_done = true;
		}
		if (have_stamp && strcmp(stamp, s->best[i].version) &&
		    same_series(stamp, s->best[i].version)) {
			snprintf(src, sizeof(src), "debug link (string says %s)", s->best[i].version);
			memcpy(s->best[i].version, stamp, sizeof(stamp));
		}
		{
			struct jcs_component *c = component(s, &s->sigs[i], s->sigs[i].name,
							    s->best[i].version, NULL, NULL, NULL);
			rc = c ? note(c, f->path, src) : JCS_ENOMEM;
		}
	}
	return rc ? jcs_err_set(err, rc, "%s: %s", f->path, jcs_strerror(rc)) : 0;
}

/* A generic package ("libc") becomes the component whose loader is in the image; without a
 * loader it keeps its package name and gets no CPE (its upstream is not known). */
static int resolve_provided(struct jcs_sbom *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct jcs_component *c = &s->v[i];
		const struct sig *g = s->loader;
		char src[320], *name;
		if (!c->provides)
			continue;
		c->provides = NULL;
		if (!g || !g->provides || strcmp(g->provides, c->name)) {
			if (note(c, c->files.n ? c->files.v[0] : "", "upstream unknown: no C library loader in the image"))
				return JCS_ENOMEM;
			continue;
		}
		name = strdup(g->name);
		if (!name)
			return JCS_ENOMEM;
		free(c->name);
		c->name = name;
		c->type = g->type;
		c->cpes = (const char *const *)g->cpes;
		free(c->cpe);
		c->cpe = c->cpes[0] ? make_cpe(c->cpes[0], c->version) : NULL;
		snprintf(src, sizeof(src), "package %s identified by its loader %s", c->pkg_name, s->loader_path);
		if ((c->cpes[0] && !c->cpe) || note(c, s->loader_path, src))
			return JCS_ENOMEM;
	}
	return 0;
}

int jcs_sbom_finish(struct jcs_sbom *s)
{
	int rc = resolve_provided(s);

	for (size_t i = 0; rc == 0 && i < s->n; i++)
		rc = set_purl(s, &s->v[i]); /* the distribution may have been seen after the package */
	if (rc)
		return rc;
	/* merge a component found with a less exact version ("openssh 6.8" from a binary that
	 * carries only SSH_VERSION) into the same component with a refining one ("6.8p1") */
	for (size_t i = 0; i < s->n; i++) {
		struct jcs_component *a = &s->v[i], *into = NULL;
		for (size_t k = 0; k < s->n && !into; k++)
			if (k != i && strcmp(s->v[k].name, a->name) == 0 && !a->pkg_version &&
			    refines(s->v[k].version, a->version))
				into = &s->v[k];
		if (!into)
			continue;
		for (size_t k = 0; k < a->files.n; k++)
			if (into->files.n < JCS_SBOM_MAX_FILES && !jcs_strv_has(&into->files, a->files.v[k]) &&
			    jcs_strv_add(&into->files, a->files.v[k]))
				return JCS_ENOMEM;
		component_free(a);
		memmove(a, a + 1, (s->n - i - 1) * sizeof(*a));
		s->n--;
		i = (size_t)-1; /* restart: indices moved */
	}
	return 0;
}

size_t jcs_sbom_count(const struct jcs_sbom *s)
{
	return s->n;
}

const struct jcs_component *jcs_sbom_get(const struct jcs_sbom *s, size_t i)
{
	return &s->v[i];
}

json_t *jcs_sbom_json(const struct jcs_sbom *s)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < s->n; i++) {
		const struct jcs_component *c = &s->v[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", c->name, "version", c->version,
				      "purl", c->purl, "files", jcs_strv_json(&c->files), "sources",
				      jcs_strv_json(&c->sources));
		if (!o)
			continue;
		if (c->cpe)
			json_object_set_new(o, "cpe", json_string(c->cpe));
		if (c->pkg_version) {
			json_object_set_new(o, "package", json_string(c->pkg_name));
			json_object_set_new(o, "package_version", json_string(c->pkg_version));
		}
		if (c->src_name)
			json_object_set_new(o, "source_package", json_string(c->src_name));
		json_array_append_new(a, o);
	}
	return a;
}

static void uuid4(char *out)
{
	unsigned char r[16];

	if (RAND_bytes(r, sizeof(r)) != 1)
		memset(r, 0, sizeof(r));
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	sprintf(out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
		r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

static const char *cvss_severity(double score)
{
	return score >= 9.0 ? "critical" : score >= 7.0 ? "high" : score >= 4.0 ? "medium"
				     : score > 0 ? "low" : "none";
}

/* OpenVEX justifications in CycloneDX's terms. */
static const char *cdx_justification(const char *j)
{
	static const char *const map[][2] = {
		{"component_not_present", "code_not_present"},
		{"vulnerable_code_not_present", "code_not_present"},
		{"vulnerable_code_not_in_execute_path", "code_not_reachable"},
		{"vulnerable_code_cannot_be_controlled_by_adversary", "protected_by_mitigating_control"},
		{"inline_mitigations_already_exist", "protected_by_mitigating_control"},
		{"code_not_present", "code_not_present"}, {"code_not_reachable", "code_not_reachable"},
		{"requires_configuration", "requires_configuration"}, {"requires_dependency", "requires_dependency"},
		{"requires_environment", "requires_environment"}, {"protected_by_compiler", "protected_by_compiler"},
		{"protected_at_runtime", "protected_at_runtime"}, {"protected_at_perimeter", "protected_at_perimeter"},
		{"protected_by_mitigating_control", "protected_by_mitigating_control"}};
	for (size_t i = 0; j && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(j, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* CycloneDX analysis of a decided match: who decided it is the detail. */
static json_t *cdx_analysis(const json_t *v)
{
	const char *st = json_string_value(json_object_get(v, "status"));
	const char *by = json_string_value(json_object_get(v, "decided_by"));
	const char *j = json_string_value(json_object_get(json_object_get(v, "vex"), "justification"));
	json_t *a = json_pack("{s:s}", "state", !st ? "in_triage"
					 : strcmp(st, "affected") == 0 ? "exploitable"
					 : strcmp(st, "fixed") == 0 ? "resolved"
					 : strcmp(st, "not_affected") == 0 ? "not_affected"
									   : "in_triage");
	if (a && by)
		json_object_set_new(a, "detail", json_string(by));
	if (a && st && strcmp(st, "not_affected") == 0 && cdx_justification(j))
		json_object_set_new(a, "justification", json_string(cdx_justification(j)));
	return a;
}

json_t *jcs_sbom_cyclonedx(const struct jcs_sbom *s, const char *subject, const json_t *vulns)
{
	char uuid[40], serial[64], now[32], ref[48];
	json_t *doc, *comps = json_array(), *deps = json_array(), *dep_on = json_array(),
		     *vv = json_array();
	size_t i;
	json_t *v;

	uuid4(uuid);
	snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
	jcs_utc_now(now, sizeof(now));
	for (i = 0; i < s->n; i++) {
		const struct jcs_component *c = &s->v[i];
		json_t *occ = json_array(), *o;
		snprintf(ref, sizeof(ref), "component-%zu", i + 1);
		for (size_t k = 0; k < c->files.n; k++)
			json_array_append_new(occ, json_pack("{s:s}", "location", c->files.v[k]));
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:o}}", "type", c->type, "bom-ref", ref, "name",
			      c->name, "version", c->version, "purl", c->purl, "evidence", "occurrences",
			      occ);
		if (o && c->cpe)
			json_object_set_new(o, "cpe", json_string(c->cpe));
		json_array_append_new(comps, o);
		json_array_append_new(dep_on, json_string(ref));
	}
	json_array_append_new(deps, json_pack("{s:s, s:o}", "ref", "firmware", "dependsOn", dep_on));
	json_array_foreach(vulns, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *src = json_string_value(json_object_get(v, "source"));
		json_t *score = json_object_get(v, "cvss"), *affects = json_array(), *ratings = json_array();
		json_t *o, *cref = json_object_get(v, "component_index");
		if (!id)
			continue;
		if (json_is_integer(cref)) {
			snprintf(ref, sizeof(ref), "component-%lld", (long long)json_integer_value(cref) + 1);
			json_array_append_new(affects, json_pack("{s:s}", "ref", ref));
		}
		if (json_is_object(score) && json_is_number(json_object_get(score, "score"))) {
			double sc = json_number_value(json_object_get(score, "score"));
			const char *ver = json_string_value(json_object_get(score, "version"));
			const char *vec = json_string_value(json_object_get(score, "vector"));
			json_t *r = json_pack("{s:f, s:s, s:s}", "score", sc, "severity", cvss_severity(sc),
					      "method", ver && strcmp(ver, "2.0") == 0 ? "CVSSv2"
							: ver && strcmp(ver, "3.0") == 0 ? "CVSSv3"
							: ver && strncmp(ver, "4", 1) == 0 ? "CVSSv4"
											   : "CVSSv31");
			if (r && vec)
				json_object_set_new(r, "vector", json_string(vec));
			json_array_append_new(ratings, r);
		}
		snprintf(ref, sizeof(ref), "vulnerability-%zu", i + 1);
		o = json_pack("{s:s, s:s, s:{s:s}, s:o, s:o}", "bom-ref", ref, "id", id, "source", "name",
			      src ? src : "NVD", "ratings", ratings, "affects", affects);
		if (o)
			json_object_set_new(o, "analysis", cdx_analysis(v));
		json_array_append_new(vv, o);
	}
	doc = json_pack("{s:s, s:s, s:s, s:i, s:{s:s, s:{s:[{s:s, s:s, s:s}]}, s:{s:s, s:s, s:s}}, s:o, "
			"s:o}",
			"bomFormat", "CycloneDX", "specVersion", "1.5", "serialNumber", serial, "version", 1,
			"metadata", "timestamp", now, "tools", "components", "type", "application", "name",
			"jcstar", "version", jcs_version(), "component", "type", "firmware", "bom-ref",
			"firmware", "name", subject ? subject : "firmware", "components", comps,
			"dependencies", deps);
	if (doc && json_array_size(vv))
		json_object_set_new(doc, "vulnerabilities", vv);
	else
		json_decref(vv);
	return doc;
}
