#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#include "core/yaml.h"

struct ybuild {
	struct fy_parser *fyp;
	struct fy_diag *diag;
	const char *name;
	struct jcs_err *err;
	size_t nodes;
	int line, col;  /* position of the last node that had one */
};

/* libfyaml gives empty scalars ("key:" with no value) no mark: they take the position of
 * the node before them (their key, or the previous item). */
static void ynode_mark(struct ybuild *b, struct jcs_ynode *n, struct fy_event *ev)
{
	const struct fy_mark *m = fy_event_start_mark(ev);

	if (m) {
		b->line = m->line + 1;
		b->col = m->column + 1;
	}
	n->line = b->line;
	n->col = b->col;
}

void jcs_yaml_free(struct jcs_ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < (n->type == JCS_Y_MAP ? 2 * n->n : n->n); i++)
		jcs_yaml_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

static int push(struct jcs_ynode ***kids, size_t *len, size_t *cap, struct jcs_ynode *kid)
{
	if (*len == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct jcs_ynode **p = realloc(*kids, ncap * sizeof(*p));
		if (!p)
			return JCS_ENOMEM;
		*kids = p;
		*cap = ncap;
	}
	(*kids)[(*len)++] = kid;
	return 0;
}

static void diag_to_err(struct fy_diag *diag, const char *name, struct jcs_err *err)
{
	void *iter = NULL;
	struct fy_diag_error *e = fy_diag_errors_iterate(diag, &iter);

	if (e)
		jcs_err_set(err, JCS_EPARSE, "%s:%d:%d: YAML syntax error: %s", name, e->line + 1,
			    e->column + 1, e->msg);
	else
		jcs_err_set(err, JCS_EPARSE, "%s: YAML syntax error", name);
}

static int parse_node(struct ybuild *b, struct fy_event *ev, int depth, struct jcs_ynode **out);

/* Parse children until the matching end event. */
static int parse_children(struct ybuild *b, struct jcs_ynode *n, int depth)
{
	size_t len = 0, cap = 0;
	int rc = 0;

	for (;;) {
		struct fy_event *ev = fy_parser_parse(b->fyp);
		struct jcs_ynode *kid = NULL;

		if (!ev) {
			n->n = n->type == JCS_Y_MAP ? len / 2 : len;
			if (n->type == JCS_Y_MAP && len % 2)
				jcs_yaml_free(n->kids[--len]);
			diag_to_err(b->diag, b->name, b->err);
			return JCS_EPARSE;
		}
		if (ev->type == FYET_MAPPING_END || ev->type == FYET_SEQUENCE_END) {
			fy_parser_event_free(b->fyp, ev);
			break;
		}
		rc = parse_node(b, ev, depth + 1, &kid);
		if (rc == 0 && (rc = push(&n->kids, &len, &cap, kid)))
			jcs_yaml_free(kid);
		if (rc) {
			n->n = n->type == JCS_Y_MAP ? len / 2 : len;
			if (n->type == JCS_Y_MAP && len % 2)
				jcs_yaml_free(n->kids[--len]);
			return rc;
		}
		/* duplicate key check once a key/value pair is complete */
		if (n->type == JCS_Y_MAP && len % 2 == 0) {
			struct jcs_ynode *k = n->kids[len - 2];
			if (k->type != JCS_Y_SCALAR) {
				n->n = len / 2;
				return jcs_err_set(b->err, JCS_EPARSE, "%s:%d:%d: mapping keys must be plain text",
						   b->name, k->line, k->col);
			}
			for (size_t i = 0; i + 2 < len; i += 2) {
				if (strcmp(n->kids[i]->str, k->str) == 0) {
					n->n = len / 2;
					return jcs_err_set(b->err, JCS_EPARSE,
							   "%s:%d:%d: duplicate key '%s' (first at line %d)",
							   b->name, k->line, k->col, k->str, n->kids[i]->line);
				}
			}
		}
	}
	n->n = n->type == JCS_Y_MAP ? len / 2 : len;
	return 0;
}

static int parse_node(struct ybuild *b, struct fy_event *ev, int depth, struct jcs_ynode **out)
{
	struct jcs_ynode *n;
	int rc = 0;

	*out = NULL;
	n = calloc(1, sizeof(*n));
	if (!n) {
		fy_parser_event_free(b->fyp, ev);
		return jcs_err_set(b->err, JCS_ENOMEM, "%s: out of memory", b->name);
	}
	ynode_mark(b, n, ev);
	if (++b->nodes > JCS_YAML_MAX_NODES) {
		rc = jcs_err_set(b->err, JCS_ELIMIT, "%s:%d:%d: more than %d YAML nodes",
				 b->name, n->line, n->col, JCS_YAML_MAX_NODES);
		goto out;
	}
	if (depth > JCS_YAML_MAX_DEPTH) {
		rc = jcs_err_set(b->err, JCS_ELIMIT, "%s:%d:%d: nested deeper than %d levels",
				 b->name, n->line, n->col, JCS_YAML_MAX_DEPTH);
		goto out;
	}
	switch (ev->type) {
	case FYET_SCALAR: {
		size_t len;
		const char *s;

		if (ev->scalar.anchor) {
			rc = jcs_err_set(b->err, JCS_EPARSE, "%s:%d:%d: anchors and aliases are not supported",
					 b->name, n->line, n->col);
			goto out;
		}
		s = fy_token_get_text(ev->scalar.value, &len);
		n->type = JCS_Y_SCALAR;
		n->str = malloc(len + 1);
		if (!n->str) {
			rc = jcs_err_set(b->err, JCS_ENOMEM, "%s: out of memory", b->name);
			goto out;
		}
		if (len)
			memcpy(n->str, s, len);
		n->str[len] = 0;
		if (memchr(s ? s : "", 0, len)) {
			rc = jcs_err_set(b->err, JCS_EPARSE, "%s:%d:%d: NUL character in text value",
					 b->name, n->line, n->col);
			goto out;
		}
		n->plain = fy_token_scalar_style(ev->scalar.value) == FYSS_PLAIN;
		break;
	}
	case FYET_MAPPING_START:
	case FYET_SEQUENCE_START:
		if ((ev->type == FYET_MAPPING_START ? ev->mapping_start.anchor : ev->sequence_start.anchor)) {
			rc = jcs_err_set(b->err, JCS_EPARSE, "%s:%d:%d: anchors and aliases are not supported",
					 b->name, n->line, n->col);
			goto out;
		}
		n->type = ev->type == FYET_MAPPING_START ? JCS_Y_MAP : JCS_Y_SEQ;
		fy_parser_event_free(b->fyp, ev);
		ev = NULL;
		rc = parse_children(b, n, depth);
		break;
	case FYET_ALIAS:
		rc = jcs_err_set(b->err, JCS_EPARSE, "%s:%d:%d: anchors and aliases are not supported",
				 b->name, n->line, n->col);
		break;
	default:
		rc = jcs_err_set(b->err, JCS_EPARSE, "%s:%d:%d: unexpected YAML event", b->name, n->line, n->col);
	}
out:
	if (ev)
		fy_parser_event_free(b->fyp, ev);
	if (rc) {
		jcs_yaml_free(n);
		return rc;
	}
	*out = n;
	return 0;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid: no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned lo = 0x80, hi = 0xBF;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	if (p[0] == 0xE0)
		lo = 0xA0;
	else if (p[0] == 0xED)
		hi = 0x9F;
	else if (p[0] == 0xF0)
		lo = 0x90;
	else if (p[0] == 0xF4)
		hi = 0x8F;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return len;
}

/* YAML text is Unicode: reject malformed UTF-8 up front (libfyaml 0.7.12 loops forever on
 * some malformed bytes inside directives, found by fuzz/fuzz_yaml.c). */
static int check_utf8(const char *text, size_t len, const char *name, struct jcs_err *err)
{
	const unsigned char *p = (const unsigned char *)text;
	int line = 1, col = 1;

	for (size_t i = 0; i < len;) {
		size_t l = utf8_len(p + i, len - i);

		if (!l)
			return jcs_err_set(err, JCS_EPARSE, "%s:%d:%d: not UTF-8 text (byte 0x%02X): save the file as UTF-8", name, line,
					   col, p[i]);
		if (p[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i += l;
	}
	return 0;
}

int jcs_yaml_parse(const char *text, size_t len, const char *name, struct jcs_ynode **out,
		   struct jcs_err *err)
{
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg cfg = {0};
	struct ybuild b = {.name = name, .err = err, .line = 1, .col = 1};
	struct jcs_ynode *root = NULL;
	struct fy_event *ev;
	struct fy_diag *diag;
	int rc = 0, docs = 0;

	*out = NULL;
	if ((rc = check_utf8(text, len, name, err)))
		return rc;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.colorize = false;
	diag = fy_diag_create(&dcfg);
	if (!diag)
		return jcs_err_set(err, JCS_ENOMEM, "%s: out of memory", name);
	fy_diag_set_collect_errors(diag, true);
	cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
	cfg.diag = diag;
	b.diag = diag;
	b.fyp = fy_parser_create(&cfg);
	if (!b.fyp || fy_parser_set_string(b.fyp, text, len)) {
		rc = jcs_err_set(err, JCS_ENOMEM, "%s: cannot start YAML parser", name);
		goto out;
	}
	while ((ev = fy_parser_parse(b.fyp))) {
		enum fy_event_type t = ev->type;

		if (t == FYET_STREAM_START || t == FYET_STREAM_END || t == FYET_DOCUMENT_END) {
			fy_parser_event_free(b.fyp, ev);
			continue;
		}
		if (t == FYET_DOCUMENT_START) {
			int line = fy_event_start_mark(ev) ? fy_event_start_mark(ev)->line + 1 : 1;
			fy_parser_event_free(b.fyp, ev);
			if (++docs > 1) {
				rc = jcs_err_set(err, JCS_EPARSE, "%s:%d:1: more than one YAML document", name, line);
				goto out;
			}
			continue;
		}
		rc = parse_node(&b, ev, 0, &root);
		if (rc)
			goto out;
	}
	if (fy_parser_get_stream_error(b.fyp)) {
		diag_to_err(diag, name, err);
		rc = JCS_EPARSE;
		goto out;
	}
	if (!root) {
		rc = jcs_err_set(err, JCS_EPARSE, "%s:1:1: empty document", name);
		goto out;
	}
	*out = root;
	root = NULL;
out:
	jcs_yaml_free(root);
	if (b.fyp)
		fy_parser_destroy(b.fyp);
	fy_diag_destroy(diag);
	return rc;
}

struct jcs_ynode *jcs_yaml_get(const struct jcs_ynode *map, const char *key)
{
	if (!map || map->type != JCS_Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->kids[2 * i]->str, key) == 0)
			return map->kids[2 * i + 1];
	return NULL;
}

const char *jcs_yaml_type_name(const struct jcs_ynode *n)
{
	switch (n->type) {
	case JCS_Y_MAP: return "a mapping";
	case JCS_Y_SEQ: return "a list";
	default: return "a text value";
	}
}
