/* Request-body parsers for the registry server (see httpparse.h). All reads go through
 * struct jcs_cur (src/core/cur.h). */
#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cur.h"
#include "registry/httpparse.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode one urlencoded token of n bytes into a new string. */
static char *url_decode(struct jcs_cur *c, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	struct jcs_cur t = jcs_cur_sub(c, n);

	if (!out || t.bad) {
		free(out);
		return NULL;
	}
	while (jcs_cur_left(&t)) {
		uint8_t ch = jcs_cur_u8(&t);

		if (ch == '+') {
			*o++ = ' ';
		} else if (ch == '%') {
			const uint8_t *h = jcs_cur_take(&t, 2);
			int hi = h ? hexval(h[0]) : -1, lo = h ? hexval(h[1]) : -1;

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi << 4 | lo);
		} else if (ch == 0) {
			free(out);
			return NULL;
		} else {
			*o++ = (char)ch;
		}
	}
	*o = 0;
	return out;
}

int jcs_form_parse(const char *s, size_t len, struct jcs_form *out, struct jcs_err *err)
{
	struct jcs_cur c = jcs_cur_make(s, len);

	memset(out, 0, sizeof(*out));
	if (len > JCS_FORM_MAX_BYTES)
		return jcs_err_set(err, JCS_ELIMIT, "form larger than %u bytes", JCS_FORM_MAX_BYTES);
	while (jcs_cur_left(&c)) {
		const uint8_t *start = c.p + c.off;
		size_t left = jcs_cur_left(&c), pair, eq;
		const uint8_t *amp = memchr(start, '&', left), *e;

		pair = amp ? (size_t)(amp - start) : left;
		if (pair == 0) {
			jcs_cur_skip(&c, 1);
			continue;
		}
		if (out->n == JCS_FORM_MAX_FIELDS) {
			jcs_form_free(out);
			return jcs_err_set(err, JCS_ELIMIT, "more than %d form fields", JCS_FORM_MAX_FIELDS);
		}
		e = memchr(start, '=', pair);
		eq = e ? (size_t)(e - start) : pair;
		out->f[out->n].key = url_decode(&c, eq);
		if (e)
			jcs_cur_skip(&c, 1);
		out->f[out->n].value = url_decode(&c, e ? pair - eq - 1 : 0);
		out->n++;
		if (!out->f[out->n - 1].key || !out->f[out->n - 1].value) {
			jcs_form_free(out);
			return jcs_err_set(err, JCS_EPARSE, "malformed form encoding");
		}
		if (amp)
			jcs_cur_skip(&c, 1);
	}
	return 0;
}

const char *jcs_form_get(const struct jcs_form *f, const char *key)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (strcmp(f->f[i].key, key) == 0)
			return f->f[i].value;
	return NULL;
}

void jcs_form_free(struct jcs_form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->f[i].key);
		free(f->f[i].value);
	}
	f->n = 0;
}

/* ---------------------------------------------------------- multipart */

/* Value of parameter name (e.g. boundary, name, filename) in a header value; quoted or
 * token. Returns 0 and copies into out (cap outlen), JCS_ENOTFOUND, or JCS_EPARSE. */
static int header_param(const char *h, size_t hlen, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	struct jcs_cur c = jcs_cur_make(h, hlen);

	while (jcs_cur_left(&c)) {
		const char *p = (const char *)c.p + c.off;
		size_t left = jcs_cur_left(&c), o = 0;

		/* a parameter starts after ';' (plus spaces) */
		if (*p != ';') {
			jcs_cur_skip(&c, 1);
			continue;
		}
		jcs_cur_skip(&c, 1);
		while (jcs_cur_left(&c) && (c.p[c.off] == ' ' || c.p[c.off] == '\t'))
			jcs_cur_skip(&c, 1);
		p = (const char *)c.p + c.off;
		left = jcs_cur_left(&c);
		if (left <= nl || strncasecmp(p, name, nl) != 0 || p[nl] != '=')
			continue;
		jcs_cur_skip(&c, nl + 1);
		if (jcs_cur_left(&c) && c.p[c.off] == '"') {
			jcs_cur_skip(&c, 1);
			for (;;) {
				uint8_t ch = jcs_cur_u8(&c);

				if (c.bad)
					return JCS_EPARSE;
				if (ch == '"')
					break;
				if (ch == '\\') {
					ch = jcs_cur_u8(&c);
					if (c.bad)
						return JCS_EPARSE;
				}
				if (ch < 0x20 || o + 1 >= outlen)
					return JCS_EPARSE;
				out[o++] = (char)ch;
			}
		} else {
			while (jcs_cur_left(&c) && c.p[c.off] != ';' && c.p[c.off] != ' ' && c.p[c.off] != '\t') {
				uint8_t ch = jcs_cur_u8(&c);

				if (ch < 0x20 || ch == '"' || o + 1 >= outlen)
					return JCS_EPARSE;
				out[o++] = (char)ch;
			}
		}
		out[o] = 0;
		return 0;
	}
	return JCS_ENOTFOUND;
}

static int part_headers(struct jcs_cur *h, struct jcs_part *p, struct jcs_err *err)
{
	bool disposition = false;

	while (jcs_cur_left(h)) {
		const char *line = (const char *)h->p + h->off;
		const char *e = memmem(line, jcs_cur_left(h), "\r\n", 2);
		size_t n = e ? (size_t)(e - line) : jcs_cur_left(h);

		jcs_cur_skip(h, n + (e ? 2 : 0));
		if (n > 20 && strncasecmp(line, "Content-Disposition:", 20) == 0) {
			const char *v = line + 20;
			size_t vl = n - 20;

			while (vl && *v == ' ') {
				v++;
				vl--;
			}
			if (vl < 9 || strncasecmp(v, "form-data", 9) != 0)
				return jcs_err_set(err, JCS_EPARSE, "multipart: part is not form-data");
			if (header_param(v, vl, "name", p->name, sizeof(p->name)))
				return jcs_err_set(err, JCS_EPARSE, "multipart: part without a valid name");
			if (header_param(v, vl, "filename", p->filename, sizeof(p->filename)) == JCS_EPARSE)
				return jcs_err_set(err, JCS_EPARSE, "multipart: bad filename");
			disposition = true;
		} else if (n > 13 && strncasecmp(line, "Content-Type:", 13) == 0) {
			const char *v = line + 13;
			size_t vl = n - 13;

			while (vl && *v == ' ') {
				v++;
				vl--;
			}
			if (vl >= sizeof(p->ctype))
				return jcs_err_set(err, JCS_EPARSE, "multipart: content type too long");
			memcpy(p->ctype, v, vl);
			p->ctype[vl] = 0;
			for (size_t i = 0; i < vl; i++)
				if ((unsigned char)p->ctype[i] < 0x20)
					return jcs_err_set(err, JCS_EPARSE, "multipart: bad content type");
		}
	}
	if (!disposition)
		return jcs_err_set(err, JCS_EPARSE, "multipart: part without Content-Disposition");
	if (!p->ctype[0])
		strcpy(p->ctype, "application/octet-stream");
	return 0;
}

int jcs_multipart_parse(const char *content_type, const void *body, size_t len, struct jcs_multipart *out,
			struct jcs_err *err)
{
	char boundary[80], delim[84];
	struct jcs_cur c = jcs_cur_make(body, len);
	size_t dl;

	memset(out, 0, sizeof(*out));
	if (!content_type || strncasecmp(content_type, "multipart/form-data", 19) != 0)
		return jcs_err_set(err, JCS_EPARSE, "expected multipart/form-data");
	if (header_param(content_type, strlen(content_type), "boundary", boundary, sizeof(boundary)) ||
	    !boundary[0] || strlen(boundary) > 70)
		return jcs_err_set(err, JCS_EPARSE, "multipart: missing or bad boundary");
	dl = (size_t)snprintf(delim, sizeof(delim), "--%s", boundary);
	/* preamble, then the first delimiter */
	{
		const uint8_t *first = memmem(body, len, delim, dl);

		if (!first || !jcs_cur_skip(&c, (size_t)(first - (const uint8_t *)body) + dl))
			return jcs_err_set(err, JCS_EPARSE, "multipart: no boundary in body");
	}
	for (;;) {
		const uint8_t *p = c.p + c.off, *hend, *next;
		size_t left = jcs_cur_left(&c);
		struct jcs_part *part;
		struct jcs_cur h;
		int rc;

		if (left >= 2 && p[0] == '-' && p[1] == '-')
			return out->n ? 0 : jcs_err_set(err, JCS_EPARSE, "multipart: no parts");
		if (left < 2 || p[0] != '\r' || p[1] != '\n')
			return jcs_err_set(err, JCS_EPARSE, "multipart: bad delimiter line");
		jcs_cur_skip(&c, 2);
		p = c.p + c.off;
		left = jcs_cur_left(&c);
		if (out->n == JCS_MP_MAX_PARTS)
			return jcs_err_set(err, JCS_ELIMIT, "multipart: more than %d parts", JCS_MP_MAX_PARTS);
		hend = memmem(p, left < JCS_MP_MAX_HEADER ? left : JCS_MP_MAX_HEADER, "\r\n\r\n", 4);
		if (!hend)
			return jcs_err_set(err, JCS_EPARSE, "multipart: part headers missing or too long");
		part = &out->part[out->n];
		h = jcs_cur_sub(&c, (size_t)(hend - p));
		jcs_cur_skip(&c, 4);
		if ((rc = part_headers(&h, part, err)))
			return rc;
		p = c.p + c.off;
		left = jcs_cur_left(&c);
		/* the part ends at CRLF + delimiter */
		for (next = p;; next++) {
			next = memmem(next, left - (size_t)(next - p), "\r\n", 2);
			if (!next)
				return jcs_err_set(err, JCS_EPARSE, "multipart: unterminated part");
			if ((size_t)(next - p) + 2 + dl <= left && memcmp(next + 2, delim, dl) == 0)
				break;
		}
		part->data = (const char *)p;
		part->len = (size_t)(next - p);
		out->n++;
		jcs_cur_skip(&c, part->len + 2 + dl);
	}
}

const struct jcs_part *jcs_multipart_get(const struct jcs_multipart *m, const char *name)
{
	for (size_t i = 0; m && i < m->n; i++)
		if (strcmp(m->part[i].name, name) == 0)
			return &m->part[i];
	return NULL;
}

/* ----------------------------------------------------------------- CSV */

/* Well-formed UTF-8 (shortest forms, no surrogates, at most U+10FFFF). */
static bool utf8_valid(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;

	for (size_t i = 0; i < len;) {
		unsigned c = p[i], cp, k, n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
					 : (c & 0xf8) == 0xf0 ? 4 : 0;

		if (!n || n > len - i)
			return false;
		cp = n == 1 ? c : c & (0x7f >> n);
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n;
	}
	return true;
}

/* Shift_JIS (Windows code page 932, what Excel writes in Japan) to UTF-8; caller frees. */
static int sjis_to_utf8(const char *data, size_t len, char **out, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");
	size_t cap = len * 3 + 1, inleft = len, outleft = cap;
	char *in = (char *)data, *buf, *o;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return JCS_EPARSE;
	if (!(buf = malloc(cap))) {
		iconv_close(cd);
		return JCS_ENOMEM;
	}
	o = buf;
	/* CP932 takes at most 2 bytes per character, UTF-8 at most 3 for it: cap suffices */
	if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1 || inleft) {
		free(buf);
		buf = NULL;
		rc = JCS_EPARSE;
	}
	iconv_close(cd);
	*out = buf;
	*outlen = (size_t)(o - (buf ? buf : o));
	return rc;
}

void jcs_csv_models_free(char **models, size_t n)
{
	for (size_t i = 0; models && i < n; i++)
		free(models[i]);
	free(models);
}

/* Read one field into buf; returns the char that ended it ('\n', ',', or 0 at end). */
static int csv_field(struct jcs_cur *c, char *buf, size_t cap, size_t *len, bool *bad)
{
	size_t o = 0;
	bool quoted = false;

	*bad = false;
	if (jcs_cur_left(c) && c->p[c->off] == '"') {
		quoted = true;
		jcs_cur_skip(c, 1);
	}
	while (jcs_cur_left(c)) {
		uint8_t ch = jcs_cur_u8(c);

		if (quoted) {
			if (ch == '"') {
				if (jcs_cur_left(c) && c->p[c->off] == '"') {
					jcs_cur_skip(c, 1);
				} else {
					quoted = false;
					continue;
				}
			}
		} else if (ch == ',' || ch == '\n') {
			*len = o;
			buf[o] = 0;
			return ch;
		} else if (ch == '\r') {
			continue;
		} else if (ch == '"') {
			*bad = true;
		}
		if (ch == 0 || o + 1 >= cap)
			*bad = true;
		else
			buf[o++] = (char)ch;
	}
	if (quoted)
		*bad = true;
	*len = o;
	buf[o] = 0;
	return 0;
}

static int csv_models_utf8(const char *data, size_t len, size_t max, char ***models, size_t *n,
			   struct jcs_err *err)
{
	struct jcs_cur c = jcs_cur_make(data, len);
	char field[JCS_CSV_MAX_FIELD];
	size_t row = 0, flen, cap = 0;
	char **arr = NULL;
	int rc = 0;

	*models = NULL;
	*n = 0;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		jcs_cur_skip(&c, 3);
	while (jcs_cur_left(&c)) {
		bool bad, first = true;
		int end;
		char *s, *e;

		row++;
		do {
			end = csv_field(&c, first ? field : (char[JCS_CSV_MAX_FIELD]){0}, JCS_CSV_MAX_FIELD, &flen, &bad);
			if (bad) {
				rc = jcs_err_set(err, JCS_EPARSE, "CSV line %zu: malformed or over-long field", row);
				goto out;
			}
			first = false;
		} while (end == ',');
		/* trim spaces */
		for (s = field; *s == ' ' || *s == '\t'; s++)
			;
		for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = 0;
		if (!*s)
			continue;
		if (*n == 0 && row == 1 && (strcasecmp(s, "model") == 0 || strcasecmp(s, "model_number") == 0 ||
					    strcmp(s, "型番") == 0))
			continue;
		if (*n == max) {
			rc = jcs_err_set(err, JCS_ELIMIT, "CSV: more than %zu model numbers", max);
			goto out;
		}
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **na = realloc(arr, ncap * sizeof(char *));

			if (!na) {
				rc = JCS_ENOMEM;
				goto out;
			}
			arr = na;
			cap = ncap;
		}
		if (!(arr[*n] = strdup(s))) {
			rc = JCS_ENOMEM;
			goto out;
		}
		(*n)++;
	}
	if (*n == 0)
		rc = jcs_err_set(err, JCS_ESCHEMA, "CSV: no model numbers");
out:
	if (rc) {
		jcs_csv_models_free(arr, *n);
		*n = 0;
		return rc;
	}
	*models = arr;
	return 0;
}

int jcs_csv_models(const char *data, size_t len, size_t max, char ***models, size_t *n, struct jcs_err *err)
{
	char *conv;
	size_t clen;
	int rc;

	if (utf8_valid(data, len))
		return csv_models_utf8(data, len, max, models, n, err);
	*models = NULL;
	*n = 0;
	if ((rc = sjis_to_utf8(data, len, &conv, &clen)))
		return rc == JCS_ENOMEM ? rc : jcs_err_set(err, JCS_EPARSE, "CSV: neither UTF-8 nor Shift_JIS text");
	rc = csv_models_utf8(conv, clen, max, models, n, err);
	free(conv);
	return rc;
}
