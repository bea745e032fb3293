/* A small YAML tree with positions, built from libfyaml's event parser.
 * Every node knows its 1-based line and column, so every error can name file:line:column.
 * Aliases and anchors are refused (no billion-laughs), duplicate keys are errors,
 * depth and node count are capped. */
#ifndef JCS_CORE_YAML_H
#define JCS_CORE_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "jcstar/jcstar.h"

enum jcs_ytype { JCS_Y_SCALAR, JCS_Y_MAP, JCS_Y_SEQ };

struct jcs_ynode {
	enum jcs_ytype type;
	int line, col;            /* 1-based */
	char *str;                /* scalar text (NUL-terminated); NULL otherwise */
	bool plain;               /* scalar was unquoted (so "null", "123" keep their YAML meaning) */
	size_t n;                 /* SEQ: items; MAP: pairs */
	struct jcs_ynode **kids;  /* SEQ: kids[i]; MAP: key kids[2i], value kids[2i+1] */
};

#define JCS_YAML_MAX_DEPTH 64
#define JCS_YAML_MAX_NODES 200000

/* Parse one YAML document. name appears in error messages ("name:line:col: ..."). */
int jcs_yaml_parse(const char *text, size_t len, const char *name, struct jcs_ynode **out,
		   struct jcs_err *err);
void jcs_yaml_free(struct jcs_ynode *n);

/* Value of key in a mapping, or NULL. */
struct jcs_ynode *jcs_yaml_get(const struct jcs_ynode *map, const char *key);
/* Human name of a node's type ("a mapping", "a list", "a text value"). */
const char *jcs_yaml_type_name(const struct jcs_ynode *n);

#endif
