/* Shared helpers of the audit rules and the finding helper. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jcstar/buf.h"
#include "firmware/audit/audit.h"

int jcs_audit_add(struct jcs_audit *au, const char *id, enum jcs_result result,
		  enum jcs_severity sev, const char *location, json_t *details, const char *title, ...)
{
	struct jcs_buf b = JCS_BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, title);
	rc = jcs_buf_vprintf(&b, title, ap);
	va_end(ap);
	if (rc == 0 && result == JCS_PASS && json_array_size(au->unread)) {
		result = JCS_INCONCLUSIVE;
		rc = jcs_buf_printf(&b, " — but %zu part(s) of the image could not be read",
				    json_array_size(au->unread));
		if (!details)
			details = json_object();
		json_object_set(details, "unread_parts", (json_t *)au->unread);
	}
	if (rc < 0) {
		json_decref(details);
		return jcs_err_set(au->err, rc, "out of memory");
	}
	rc = jcs_evidence_add(au->ev, id, result, sev, location, b.data, details, au->err);
	jcs_buf_free(&b);
	return rc;
}

const char *jcs_audit_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

bool jcs_audit_under(const char *path, const char *prefix)
{
	return strncmp(path, prefix, strlen(prefix)) == 0;
}

bool jcs_audit_has_suffix(const char *path, const char *const *suffixes)
{
	size_t n = strlen(path);

	for (size_t i = 0; suffixes[i]; i++) {
		size_t m = strlen(suffixes[i]);
		if (n >= m && strcmp(path + n - m, suffixes[i]) == 0)
			return true;
	}
	return false;
}

bool jcs_audit_is_text(const struct jcs_fw_file *f)
{
	size_t n;

	if (f->type != JCS_FW_FILE || !f->data || f->len == 0 || f->len > JCS_AUDIT_MAX_TEXT)
		return false;
	n = f->len < 8192 ? f->len : 8192;
	return memchr(f->data, 0, n) == NULL;
}

void jcs_lines_init(struct jcs_lines *it, const void *data, size_t len)
{
	it->p = data;
	it->end = it->p + len;
	it->lineno = 0;
}

bool jcs_lines_next(struct jcs_lines *it, const char **s, size_t *n)
{
	const char *nl;

	if (!it->p || it->p >= it->end)
		return false;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	*s = it->p;
	*n = nl ? (size_t)(nl - it->p) : (size_t)(it->end - it->p);
	it->p = nl ? nl + 1 : it->end;
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	it->lineno++;
	return true;
}

char *jcs_audit_line(char *buf, size_t cap, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, s, n);
	buf[n] = 0;
	return buf;
}

size_t jcs_audit_words(char *buf, char **words, size_t max)
{
	size_t n = 0;
	char *p = buf;

	while (*p && n < max) {
		while (*p && strchr(" \t;&|()`=<>\"'", *p))
			p++;
		if (!*p || *p == '#')
			break;
		words[n++] = p;
		while (*p && !strchr(" \t;&|()`=<>\"'", *p))
			p++;
		if (*p)
			*p++ = 0;
	}
	return n;
}

const char *jcs_audit_loc(char *buf, size_t cap, const char *path, unsigned line)
{
	if (line)
		snprintf(buf, cap, "%s:%u", path, line);
	else
		snprintf(buf, cap, "%s", path);
	return buf;
}

json_t *jcs_audit_details(const struct jcs_fw_file *f, unsigned line)
{
	json_t *d = json_pack("{s:s}", "file", f->path);

	if (d && f->container && *f->container)
		json_object_set_new(d, "container", json_string(f->container));
	if (d && line)
		json_object_set_new(d, "line", json_integer(line));
	return d;
}

int jcs_strv_add(struct jcs_strv *s, const char *str)
{
	char *c;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return JCS_ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	c = strdup(str);
	if (!c)
		return JCS_ENOMEM;
	s->v[s->n++] = c;
	return 0;
}

bool jcs_strv_has(const struct jcs_strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return true;
	return false;
}

void jcs_strv_free(struct jcs_strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

json_t *jcs_strv_json(const struct jcs_strv *s)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < s->n; i++)
		json_array_append_new(a, json_string(s->v[i]));
	return a;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* id equals a key or ends in "_key" ("-key", ".key"), case-insensitively; both end in the
 * key's last byte, which rejects most identifiers before any comparison. */
static bool key_matches(const char *id, size_t n, const char *const *keys)
{
	int last = tolower((unsigned char)id[n - 1]);

	for (size_t i = 0; keys[i]; i++) {
		size_t k = strlen(keys[i]);
		if (k > n || tolower((unsigned char)keys[i][k - 1]) != last)
			continue;
		if (n == k && strncasecmp(id, keys[i], k) == 0)
			return true;
		if (n > k + 1 && strncasecmp(id + n - k, keys[i], k) == 0 && strchr("_-.", id[n - k - 1]))
			return true;
	}
	return false;
}

bool jcs_audit_kv_find(const char *line, const char *const *keys, size_t *from, struct jcs_kv *kv)
{
	size_t len = strlen(line);

	for (size_t i = *from; i < len;) {
		size_t s = i, e, v, ve;
		bool start, uci, xml, sep = false;
		char q = 0;

		if (!ident_char(line[i])) {
			i++;
			continue;
		}
		while (i < len && ident_char(line[i]))
			i++;
		e = i;
		if (!key_matches(line + s, e - s, keys) || e - s >= sizeof(kv->key))
			continue;
		xml = s > 0 && line[s - 1] == '<' && line[e] == '>';
		uci = s >= 7 && strncmp(line + s - 7, "option ", 7) == 0;
		start = strspn(line, " \t") == s;
		v = e;
		if (v < len && (line[v] == '"' || line[v] == '\'') && !xml)
			v++; /* "key": ... */
		while (v < len && (line[v] == ' ' || line[v] == '\t'))
			v++;
		if (xml)
			v = e + 1, sep = true;
		else if (v < len && (line[v] == '=' || line[v] == ':' || line[v] == ',')) {
			sep = true;
			v++;
			if (v < len && line[v] == '=') /* == is a comparison */
				continue;
		}
		if (!sep && !uci && !(start && v > e))
			continue;
		while (v < len && (line[v] == ' ' || line[v] == '\t'))
			v++;
		if (v < len && (line[v] == '"' || line[v] == '\'')) {
			q = line[v++];
			ve = v;
			while (ve < len && line[ve] != q)
				ve++;
			if (ve >= len)
				continue;
		} else {
			ve = v;
			while (ve < len && !strchr(" \t;,<>)\"'#", line[ve]))
				ve++;
		}
		if (ve - v >= sizeof(kv->value))
			continue;
		memcpy(kv->key, line + s, e - s);
		kv->key[e - s] = 0;
		memcpy(kv->value, line + v, ve - v);
		kv->value[ve - v] = 0;
		kv->quoted = q != 0;
		kv->col = s;
		*from = ve;
		return true;
	}
	*from = len;
	return false;
}

bool jcs_audit_is_doc(const char *path)
{
	return jcs_audit_under(path, "/usr/share/doc/") || jcs_audit_under(path, "/usr/share/man/") ||
	       jcs_audit_under(path, "/usr/share/info/") || jcs_audit_under(path, "/usr/include/") ||
	       jcs_audit_has_suffix(path, (const char *const[]){".md", ".txt", ".h", NULL});
}

const char *jcs_audit_example_reason(const char *path)
{
	static const char *const tags[] = {"test-vector", "test_vector", "testvector", "testvec", NULL};
	char low[512];
	size_t n = 0;

	if (jcs_audit_under(path, "/usr/share/doc/") || jcs_audit_under(path, "/usr/share/man/") ||
	    jcs_audit_under(path, "/usr/share/info/") || jcs_audit_under(path, "/usr/share/gtk-doc/"))
		return "inside a documentation directory: an example, not a device secret";
	for (; path[n] && n + 1 < sizeof(low); n++)
		low[n] = (char)tolower((unsigned char)path[n]);
	low[n] = 0;
	for (size_t i = 0; tags[i]; i++)
		if (strstr(low, tags[i]))
			return "in a test-vector file: published test data, not a device secret";
	return NULL;
}

unsigned jcs_audit_threads(unsigned jobs)
{
	long n = jobs ? (long)jobs : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1u : n > 256 ? 256u : (unsigned)n;
}
