/* Bounds-checked parsers for request bytes the registry server receives: URL-encoded
 * forms and query strings, multipart/form-data bodies, and the procurement CSV of model
 * numbers. Every input is capped in size and count; nothing here touches the network. */
#ifndef JCS_REGISTRY_HTTPPARSE_H
#define JCS_REGISTRY_HTTPPARSE_H

#include <stddef.h>

#include "jcstar/jcstar.h"

#define JCS_FORM_MAX_FIELDS 64
#define JCS_FORM_MAX_BYTES  (64u << 10)
#define JCS_MP_MAX_PARTS    16
#define JCS_MP_MAX_HEADER   1024
#define JCS_CSV_MAX_FIELD   256

struct jcs_form {
	size_t n;
	struct {
		char *key;
		char *value;  /* NUL-terminated; %00 is rejected */
	} f[JCS_FORM_MAX_FIELDS];
};

/* application/x-www-form-urlencoded (also query strings): '+' is a space, %XX decoded;
 * malformed escapes, %00, more than JCS_FORM_MAX_FIELDS fields or JCS_FORM_MAX_BYTES are errors. */
int jcs_form_parse(const char *s, size_t len, struct jcs_form *out, struct jcs_err *err);
/* First value of key, or NULL. */
const char *jcs_form_get(const struct jcs_form *f, const char *key);
void jcs_form_free(struct jcs_form *f);

struct jcs_part {
	char name[128];
	char filename[256];
	char ctype[128];
	const char *data;   /* points into the body */
	size_t len;
};

struct jcs_multipart {
	size_t n;
	struct jcs_part part[JCS_MP_MAX_PARTS];
};

/* multipart/form-data (RFC 7578): boundary from the Content-Type header value. Parts point
 * into body, which must outlive out. */
int jcs_multipart_parse(const char *content_type, const void *body, size_t len, struct jcs_multipart *out,
			struct jcs_err *err);
const struct jcs_part *jcs_multipart_get(const struct jcs_multipart *m, const char *name);

/* Model numbers from the first column of a CSV (RFC 4180 quoting, optional UTF-8 BOM,
 * optional header row "model"/"model_number"/"型番", blank lines skipped), at most max rows.
 * *models is an array of *n strings (free with jcs_csv_models_free). UTF-8 (with or
 * without a BOM) or, when the bytes are not UTF-8, Shift_JIS (CP932), converted. */
int jcs_csv_models(const char *data, size_t len, size_t max, char ***models, size_t *n, struct jcs_err *err);
void jcs_csv_models_free(char **models, size_t n);

#endif
