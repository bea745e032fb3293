/* JSON API handlers (/api/v1, docs/registry-api.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/server_int.h"
#include "registry/tlog.h"

static int fail(struct req *r, int code, const char *msg)
{
	struct jcs_err err;

	jcs_err_set(&err, code, "%s", msg);
	return srv_send_error(r, &err);
}

static int need_login(struct req *r)
{
	return fail(r, JCS_EPERM, "authentication required (Authorization: Bearer TOKEN)");
}

static json_t *actor_json(const struct jcs_actor *a)
{
	return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)a->id, "name", a->name, "role",
			 jcs_role_name(a->role), "org", a->org);
}

int api_me(struct req *r)
{
	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	return srv_send_json(r, 200, actor_json(&r->actor));
}

int api_users_create(struct req *r)
{
	struct jcs_err err = {0};
	char token[JCS_REG_TOKEN_HEX + 1];
	enum jcs_role role;
	json_t *b;
	int ret;

	if (r->actor.role != JCS_ROLE_ADMIN)
		return r->actor.role == JCS_ROLE_PUBLIC ? need_login(r) : fail(r, JCS_EPERM, "admin only");
	if (!(b = srv_body_json(r, &err)))
		return srv_send_error(r, &err);
	if (jcs_role_parse(json_string_value(json_object_get(b, "role")), &role)) {
		json_decref(b);
		return fail(r, JCS_ESCHEMA, "'role' must be vendor, reviewer, liaison, lab or admin");
	}
	if (json_object_get(b, "password") && !json_is_string(json_object_get(b, "password"))) {
		json_decref(b);
		return fail(r, JCS_ESCHEMA, "'password' must be a string (or absent for an API-only account)");
	}
	if (jcs_reg_user_create(r->db, json_string_value(json_object_get(b, "name")), role,
				json_string_value(json_object_get(b, "org")),
				json_string_value(json_object_get(b, "password")), token, &err))
		ret = srv_send_error(r, &err);
	else
		ret = srv_send_json(r, 201, json_pack("{s:s, s:s, s:s}", "name",
			json_string_value(json_object_get(b, "name")), "role", jcs_role_name(role), "token", token));
	json_decref(b);
	return ret;
}

int api_users_list(struct req *r)
{
	struct jcs_err err = {0};
	json_t *out;

	if (r->actor.role != JCS_ROLE_ADMIN)
		return r->actor.role == JCS_ROLE_PUBLIC ? need_login(r) : fail(r, JCS_EPERM, "admin only");
	if (jcs_reg_users(r->db, &out, &err))
		return srv_send_error(r, &err);
	return srv_send_json(r, 200, out);
}

/* POST /api/v1/users/NAME/token {"action":"new"|"revoke"}: the account itself or an admin. */
int api_user_token(struct req *r)
{
	struct jcs_err err = {0};
	char token[JCS_REG_TOKEN_HEX + 1];
	const char *action;
	bool renew;
	json_t *b;
	int rc;

	if (r->actor.role != JCS_ROLE_ADMIN && strcmp(r->actor.name, r->arg[0]) != 0)
		return fail(r, JCS_EPERM, "only the account itself or an admin");
	if (!(b = srv_body_json(r, &err)))
		return srv_send_error(r, &err);
	action = json_string_value(json_object_get(b, "action"));
	renew = action && strcmp(action, "new") == 0;
	if (!renew && !(action && strcmp(action, "revoke") == 0))
		rc = jcs_err_set(&err, JCS_ESCHEMA, "'action' must be \"new\" or \"revoke\"");
	else
		rc = jcs_reg_user_token(r->db, r->arg[0], renew ? token : NULL, &err);
	json_decref(b);
	if (rc)
		return srv_send_error(r, &err);
	return srv_send_json(r, 200, json_pack("{s:s, s:s?}", "name", r->arg[0], "token", renew ? token : NULL));
}

/* POST /api/v1/users/NAME/status {"disabled":true|false}: admins only, never themselves. */
int api_user_status(struct req *r)
{
	struct jcs_err err = {0};
	json_t *b, *d;
	bool off;
	int rc;

	if (r->actor.role != JCS_ROLE_ADMIN)
		return fail(r, JCS_EPERM, "admin only");
	if (strcmp(r->actor.name, r->arg[0]) == 0)
		return fail(r, JCS_ECONFLICT, "an admin cannot disable their own account");
	if (!(b = srv_body_json(r, &err)))
		return srv_send_error(r, &err);
	d = json_object_get(b, "disabled");
	off = json_is_true(d);
	rc = json_is_boolean(d) ? jcs_reg_user_disable(r->db, r->arg[0], off, &err)
				: jcs_err_set(&err, JCS_ESCHEMA, "'disabled' must be true or false");
	json_decref(b);
	if (rc)
		return srv_send_error(r, &err);
	return srv_send_json(r, 200, json_pack("{s:s, s:b}", "name", r->arg[0], "disabled", off));
}

int api_workflow(struct req *r)
{
	return srv_send_json(r, 200, jcs_reg_workflow_json());
}

int api_apps_list(struct req *r)
{
	struct jcs_err err = {0};
	json_t *out;

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	if (jcs_reg_app_list(r->db, &r->actor, srv_query(r, "state"), &out, &err))
		return srv_send_error(r, &err);
	return srv_send_json(r, 200, out);
}

int api_apps_create(struct req *r)
{
	struct jcs_err err = {0};
	long long id;
	json_t *b, *out;

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	if (!(b = srv_body_json(r, &err)))
		return srv_send_error(r, &err);
	if (jcs_reg_app_create(r->db, &r->actor, b, &id, &err) || jcs_reg_app_get(r->db, &r->actor, id, &out, &err)) {
		json_decref(b);
		return srv_send_error(r, &err);
	}
	json_decref(b);
	return srv_send_json(r, 201, out);
}

int api_app_get(struct req *r)
{
	struct jcs_err err = {0};
	long long id = srv_id(r->arg[0]);
	json_t *out;

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	if (id < 0)
		return fail(r, JCS_ENOTFOUND, "no such application");
	if (jcs_reg_app_get(r->db, &r->actor, id, &out, &err))
		return srv_send_error(r, &err);
	return srv_send_json(r, 200, out);
}

int api_app_attach(struct req *r)
{
	struct jcs_err err = {0};
	long long id = srv_id(r->arg[0]), att;
	const struct jcs_part *kind, *file;
	char kbuf[32];

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	if (id < 0)
		return fail(r, JCS_ENOTFOUND, "no such application");
	if (!r->has_mp && srv_parse_body(r, &err))
		return srv_send_error(r, &err);
	if (!r->has_mp)
		return fail(r, JCS_EPARSE, "upload as multipart/form-data with fields 'kind' and 'file'");
	kind = jcs_multipart_get(&r->mp, "kind");
	file = jcs_multipart_get(&r->mp, "file");
	if (!kind || !file || kind->len >= sizeof(kbuf))
		return fail(r, JCS_ESCHEMA, "multipart fields 'kind' and 'file' are required");
	memcpy(kbuf, kind->data, kind->len);
	kbuf[kind->len] = 0;
	if (jcs_reg_attach(r->db, &r->actor, id, kbuf, file->filename[0] ? file->filename : "upload",
			   file->ctype, file->data, file->len, &att, &err))
		return srv_send_error(r, &err);
	return srv_send_json(r, 201, json_pack("{s:I, s:s, s:I}", "id", (json_int_t)att, "kind", kbuf,
					       "size", (json_int_t)file->len));
}

int api_app_attachment(struct req *r)
{
	struct jcs_err err = {0};
	long long id = srv_id(r->arg[0]), att = srv_id(r->arg[1]);
	char *name, *ctype, *data;
	size_t len;
	int ret;

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	if (id < 0 || att < 0)
		return fail(r, JCS_ENOTFOUND, "no such attachment");
	if (jcs_reg_attachment(r->db, &r->actor, id, att, &name, &ctype, &data, &len, &err))
		return srv_send_error(r, &err);
	/* served as a download, never rendered in the registry's origin */
	ret = srv_send(r, 200, "application/octet-stream", data, len);
	free(name);
	free(ctype);
	free(data);
	return ret;
}

int api_app_transition(struct req *r)
{
	struct jcs_err err = {0};
	long long id = srv_id(r->arg[0]);
	json_t *b, *out;
	int ret;

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return need_login(r);
	if (id < 0)
		return fail(r, JCS_ENOTFOUND, "no such application");
	if (!(b = srv_body_json(r, &err)))
		return srv_send_error(r, &err);
	if (jcs_reg_transition(r->db, &r->srv->reg, &r->actor, id, json_string_value(json_object_get(b, "action")),
			       b, &out, &err))
		ret = srv_send_error(r, &err);
	else
		ret = srv_send_json(r, 200, out);
	json_decref(b);
	return ret;
}

void api_filter_from_query(struct req *r, struct jcs_reg_filter *f)
{
	const char *lvl = srv_query(r, "level"), *off = srv_query(r, "offset"), *lim = srv_query(r, "limit");

	memset(f, 0, sizeof(*f));
	f->q = srv_query(r, "q");
	f->vendor = srv_query(r, "vendor");
	f->model = srv_query(r, "model");
	f->category = srv_query(r, "category");
	f->status = srv_query(r, "status");
	if (f->status && !*f->status)
		f->status = NULL;
	f->level = lvl && strlen(lvl) == 1 && lvl[0] >= '1' && lvl[0] <= '4' ? lvl[0] - '0' : 0;
	f->offset = off ? srv_id(off) : 0;
	f->limit = lim ? srv_id(lim) : 50;
	if (f->offset < 0)
		f->offset = 0;
	if (f->limit <= 0 || f->limit > JCS_REG_LIST_MAX)
		f->limit = 50;
}

/* One CSV cell. A cell starting with = + - @ (or a tab or CR) would run as a formula in a
 * spreadsheet: a ' goes in front of it, inside the quotes. */
static void csv_cell(struct jcs_buf *out, const char *s)
{
	struct jcs_buf g = JCS_BUF_INIT;

	if (!*s || !strchr("=+-@\t\r", s[0])) {
		jcs_buf_put_csv(out, s);
		return;
	}
	jcs_buf_putc(&g, '\'');
	jcs_buf_puts(&g, s);
	if (jcs_buf_error(&g))
		jcs_buf_fail(out, jcs_buf_error(&g));
	else
		jcs_buf_put_csv(out, g.data);
	jcs_buf_free(&g);
}

/* The export opens in Excel as UTF-8 thanks to its byte-order mark. */
static int products_csv(struct req *r, const struct jcs_reg_filter *f, struct jcs_buf *out, struct jcs_err *err)
{
	static const char *const cols[] = {"reg_no", "level", "vendor", "product", "category", "models",
					   "firmware", "support_end", "contact", "status", "status_ja", "issued",
					   "expires"};
	json_t *list, *it;
	size_t i;
	int rc;

	if ((rc = jcs_reg_products(r->db, f, &list, err)))
		return rc;
	jcs_buf_puts(out, "\xef\xbb\xbf");
	srv_vet(r, list);
	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
		if (c)
			jcs_buf_putc(out, ',');
		jcs_buf_puts(out, cols[c]);
	}
	jcs_buf_puts(out, "\r\n");
	json_array_foreach(json_object_get(list, "items"), i, it) {
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			json_t *v = json_object_get(it, cols[c]);

			if (c)
				jcs_buf_putc(out, ',');
			if (json_is_integer(v)) {
				jcs_buf_printf(out, "%lld", (long long)json_integer_value(v));
			} else if (json_is_array(v)) {
				struct jcs_buf m = JCS_BUF_INIT;
				size_t k;
				json_t *mv;

				json_array_foreach(v, k, mv) {
					if (k)
						jcs_buf_putc(&m, ';');
					jcs_buf_puts(&m, json_string_value(mv) ? json_string_value(mv) : "");
				}
				if (jcs_buf_error(&m))
					jcs_buf_fail(out, jcs_buf_error(&m));
				else
					csv_cell(out, m.data ? m.data : "");
				jcs_buf_free(&m);
			} else {
				csv_cell(out, json_string_value(v) ? json_string_value(v) : "");
			}
		}
		jcs_buf_puts(out, "\r\n");
	}
	json_decref(list);
	if ((rc = jcs_buf_error(out)))
		return jcs_err_set(err, rc, "products CSV: %s", jcs_strerror(rc));
	return 0;
}

int api_send_products_csv(struct req *r, const struct jcs_reg_filter *f)
{
	struct jcs_err err = {0};
	struct jcs_buf b = JCS_BUF_INIT;
	int ret;

	if (products_csv(r, f, &b, &err)) {
		jcs_buf_free(&b);
		return srv_send_error(r, &err);
	}
	ret = srv_send_buf(r, 200, "text/csv; charset=utf-8", &b);
	jcs_buf_free(&b);
	return ret;
}

int api_products(struct req *r)
{
	struct jcs_err err = {0};
	struct jcs_reg_filter f;
	const char *fmt = srv_query(r, "format");
	json_t *out;

	api_filter_from_query(r, &f);
	if (fmt && strcmp(fmt, "csv") == 0)
		return api_send_products_csv(r, &f);
	if (jcs_reg_products(r->db, &f, &out, &err))
		return srv_send_error(r, &err);
	srv_vet(r, out);
	return srv_send_json(r, 200, out);
}

int api_product(struct req *r)
{
	struct jcs_err err = {0};
	json_t *out;

	if (jcs_reg_product(r->db, r->arg[0], &out, &err))
		return srv_send_error(r, &err);
	srv_vet(r, out);
	return srv_send_json(r, 200, out);
}

int api_product_label(struct req *r)
{
	struct jcs_err err = {0};
	char *env;
	int ret;

	if (jcs_regno_parse(r->arg[0], NULL, NULL, NULL))
		return fail(r, JCS_ENOTFOUND, "no such registration");
	if (jcs_reg_label(r->db, r->arg[0], &env, &err))
		return srv_send_error(r, &err);
	ret = srv_send_raw_json(r, 200, env);
	free(env);
	return ret;
}

int api_product_bundle(struct req *r)
{
	struct jcs_err err = {0};
	char *b;
	int ret;

	if (jcs_regno_parse(r->arg[0], NULL, NULL, NULL))
		return fail(r, JCS_ENOTFOUND, "no such registration");
	if (jcs_reg_label_bundle(r->db, &r->srv->reg, r->arg[0], &b, &err))
		return srv_send_error(r, &err);
	ret = srv_send_raw_json(r, 200, b);
	free(b);
	return ret;
}

int api_product_status(struct req *r)
{
	struct jcs_err err = {0};
	char *b;
	int ret;

	if (jcs_regno_parse(r->arg[0], NULL, NULL, NULL))
		return fail(r, JCS_ENOTFOUND, "no such registration");
	if (jcs_reg_status(r->db, &r->srv->reg, r->arg[0], &b, &err))
		return srv_send_error(r, &err);
	ret = srv_send_raw_json(r, 200, b);
	free(b);
	return ret;
}

static int label_image(struct req *r, bool png)
{
	struct jcs_err err = {0};
	struct jcs_buf img = JCS_BUF_INIT;
	struct jcs_label *l = NULL;
	char *env = NULL;
	int ret;

	if (jcs_regno_parse(r->arg[0], NULL, NULL, NULL))
		return fail(r, JCS_ENOTFOUND, "no such registration");
	if (jcs_reg_label(r->db, r->arg[0], &env, &err) || jcs_label_parse(env, strlen(env), &l, &err) ||
	    (png ? jcs_label_png(l, JCS_LABEL_DPI, JCS_LABEL_WIDTH_MM, &img, &err) : jcs_label_svg(l, &img, &err)))
		ret = srv_send_error(r, &err);
	else
		ret = srv_send_buf(r, 200, png ? "image/png" : "image/svg+xml", &img);
	jcs_label_free(l);
	jcs_buf_free(&img);
	free(env);
	return ret;
}

int api_product_svg(struct req *r)
{
	return label_image(r, false);
}

int api_product_png(struct req *r)
{
	return label_image(r, true);
}

int api_procurement(struct req *r)
{
	struct jcs_err err = {0};
	char **models = NULL, today[11];
	size_t n = 0;
	const char *importance = NULL;
	char ibuf[16];
	json_t *b = NULL, *out;
	int ret;

	srv_today(today);
	if (srv_header(r, "Content-Type") && strncmp(srv_header(r, "Content-Type"), "multipart/", 10) == 0) {
		const struct jcs_part *imp, *csv;

		if (!r->has_mp && srv_parse_body(r, &err))
			return srv_send_error(r, &err);
		imp = jcs_multipart_get(&r->mp, "importance");
		csv = jcs_multipart_get(&r->mp, "file");
		if (!imp || !csv || imp->len >= sizeof(ibuf))
			return fail(r, JCS_ESCHEMA, "multipart fields 'importance' and 'file' (CSV) are required");
		memcpy(ibuf, imp->data, imp->len);
		ibuf[imp->len] = 0;
		importance = ibuf;
		if (jcs_csv_models(csv->data, csv->len, JCS_REG_PROCURE_MAX, &models, &n, &err))
			return srv_send_error(r, &err);
	} else {
		json_t *m;

		if (!(b = srv_body_json(r, &err)))
			return srv_send_error(r, &err);
		importance = json_string_value(json_object_get(b, "importance"));
		m = json_object_get(b, "models");
		if (!json_is_array(m) || json_array_size(m) == 0 || json_array_size(m) > JCS_REG_PROCURE_MAX) {
			json_decref(b);
			return fail(r, JCS_ESCHEMA, "'models' must list 1-1000 model numbers");
		}
		models = calloc(json_array_size(m), sizeof(char *));
		for (size_t i = 0; i < json_array_size(m); i++) {
			const char *s = json_string_value(json_array_get(m, i));

			if (!models || !s || !(models[n++] = strdup(s))) {
				jcs_csv_models_free(models, n);
				json_decref(b);
				return fail(r, JCS_ESCHEMA, "'models' must be strings");
			}
		}
	}
	if (jcs_reg_procure(r->db, importance, (const char *const *)models, n, today, &out, &err)) {
		ret = srv_send_error(r, &err);
	} else {
		srv_vet(r, out);
		ret = srv_send_json(r, 200, out);
	}
	jcs_csv_models_free(models, n);
	json_decref(b);
	return ret;
}

int api_revocations(struct req *r)
{
	struct jcs_err err = {0};
	char *s;
	int ret;

	if (jcs_reg_revocations(r->db, &s, &err))
		return srv_send_error(r, &err);
	ret = srv_send_raw_json(r, 200, s);
	free(s);
	return ret;
}

int api_key(struct req *r)
{
	char *pem = jcs_key_public_pem(r->srv->reg.key);
	int ret;

	if (!pem)
		return fail(r, JCS_ENOMEM, "out of memory");
	ret = srv_send(r, 200, "application/x-pem-file", pem, strlen(pem));
	free(pem);
	return ret;
}

int api_audit(struct req *r)
{
	struct jcs_err err = {0};
	json_t *rep;

	if (r->actor.role != JCS_ROLE_ADMIN)
		return r->actor.role == JCS_ROLE_PUBLIC ? need_login(r) : fail(r, JCS_EPERM, "admin only");
	if (strcmp(r->method, "POST") == 0 && srv_audit_run(r->srv, r->db, &err) && !srv_audit_report(r->srv))
		return srv_send_error(r, &err);
	if (!(rep = srv_audit_report(r->srv)))
		return fail(r, JCS_ENOTFOUND, "no self-audit has run yet");
	return srv_send_json(r, 200, rep);
}

int api_log_sth(struct req *r)
{
	struct jcs_err err = {0};
	char *s;
	int ret;

	if (jcs_reg_log_sth(r->db, &r->srv->reg, &s, &err))
		return srv_send_error(r, &err);
	ret = srv_send_raw_json(r, 200, s);
	free(s);
	return ret;
}

static long long qnum(struct req *r, const char *key, long long dflt)
{
	const char *v = srv_query(r, key);

	if (!v)
		return dflt;
	if (strcmp(v, "0") == 0)
		return 0;
	return srv_id(v);
}

int api_log_inclusion(struct req *r)
{
	struct jcs_err err = {0};
	long long idx = qnum(r, "index", -1), size = qnum(r, "size", 0);
	char *s;
	int ret;

	if (idx < 0 || size < 0)
		return fail(r, JCS_EPARSE, "query: index=N[&size=N]");
	if (jcs_reg_log_inclusion(r->db, &r->srv->reg, idx, size, &s, &err))
		return srv_send_error(r, &err);
	ret = srv_send_raw_json(r, 200, s);
	free(s);
	return ret;
}

int api_log_consistency(struct req *r)
{
	struct jcs_err err = {0};
	long long m = qnum(r, "first", -1), n = qnum(r, "second", 0);
	char *s;
	int ret;

	if (m < 0 || n < 0)
		return fail(r, JCS_EPARSE, "query: first=M[&second=N]");
	if (jcs_reg_log_consistency(r->db, &r->srv->reg, m, n, &s, &err))
		return srv_send_error(r, &err);
	ret = srv_send_raw_json(r, 200, s);
	free(s);
	return ret;
}

int api_log_entry(struct req *r)
{
	struct jcs_err err = {0};
	long long idx = strcmp(r->arg[0], "0") == 0 ? 0 : srv_id(r->arg[0]);
	json_t *out;

	if (idx < 0)
		return fail(r, JCS_ENOTFOUND, "no such log entry");
	if (jcs_reg_log_entry(r->db, idx, &out, &err))
		return srv_send_error(r, &err);
	return srv_send_json(r, 200, out);
}
