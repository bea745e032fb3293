/* JSON API of living labels (monitor.h, docs/monitoring.md): cases, feed upload, VEX,
 * webhooks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/monitor.h"
#include "registry/server_int.h"

static int fail(struct req *r, int code, const char *msg)
{
	struct jcs_err err;

	jcs_err_set(&err, code, "%s", msg);
	return srv_send_error(r, &err);
}

/* GET /api/v1/cases?reg_no=&state=: the actor's cases. */
int api_cases(struct req *r)
{
	struct jcs_err err = {0};
	json_t *out;

	if (r->actor.role == JCS_ROLE_PUBLIC)
		return fail(r, JCS_EPERM, "authentication required (Authorization: Bearer TOKEN)");
	if (jcs_mon_cases(r->db, &r->actor, srv_query(r, "reg_no"), srv_query(r, "state"), &out, &err))
		return srv_send_error(r, &err);
	return srv_send_json(r, 200, out);
}

int api_case(struct req *r)
{
	struct jcs_err err = {0};
	long long id = srv_id(r->arg[0]);
	json_t *out;

	if (id < 0)
		return fail(r, JCS_ENOTFOUND, "no such case");
	if (jcs_mon_case(r->db, &r->actor, id, &out, &err))
		return srv_send_error(r, &err);
	return srv_send_json(r, 200, out);
}

/* POST /api/v1/cases/ID/transitions {"action", "justification", "detail", "fix_date",
 * "fixed_version"} */
int api_case_transition(struct req *r)
{
	struct jcs_err err = {0};
	long long id = srv_id(r->arg[0]);
	json_t *b, *out = NULL;
	int ret;

	if (id < 0)
		return fail(r, JCS_ENOTFOUND, "no such case");
	if (!(b = srv_body_json(r, &err)))
		return srv_send_error(r, &err);
	if (jcs_mon_transition(r->db, &r->srv->reg, &r->actor, id, b, &out, &err))
		ret = srv_send_error(r, &err);
	else
		ret = srv_send_json(r, 200, out);
	json_decref(b);
	return ret;
}

int api_case_workflow(struct req *r)
{
	return srv_send_json(r, 200, jcs_mon_workflow_json());
}

/* POST /api/v1/admin/feeds?name=NAME: one feed document (NVD, OSV or KEV JSON). */
int api_feed_upload(struct req *r)
{
	struct jcs_err err = {0};
	struct jcs_mon_stats st = {0};
	const char *name = srv_query(r, "name");
	char label[300];
	int rc;

	if (r->actor.role != JCS_ROLE_ADMIN)
		return fail(r, JCS_EPERM, "admin only");
	if (!name || !*name || !jcs_reg_text_ok(name, 200, false))
		return fail(r, JCS_ESCHEMA, "?name=: the feed document's name (1-200 bytes)");
	snprintf(label, sizeof(label), "upload:%s", name);
	rc = srv_monitor_run(r->srv, r->db, label, r->body.data ? r->body.data : "", r->body.len, &st, &err);
	if (rc)
		return srv_send_error(r, &err);
	return srv_send_json(r, 200, json_pack("{s:I, s:I, s:I, s:I, s:I}", "files", (json_int_t)st.files,
					       "skipped", (json_int_t)st.files_skipped, "records",
					       (json_int_t)st.records, "changed", (json_int_t)st.changed,
					       "cases_opened", (json_int_t)st.cases_opened));
}

/* GET /api/v1/products/REGNO/vex: CycloneDX 1.5 VEX of the label's cases. */
int api_product_vex(struct req *r)
{
	struct jcs_err err = {0};
	json_t *out;

	if (jcs_regno_parse(r->arg[0], NULL, NULL, NULL))
		return fail(r, JCS_ENOTFOUND, "no such registration");
	if (jcs_mon_vex(r->db, r->arg[0], &out, &err))
		return srv_send_error(r, &err);
	return srv_send_json(r, 200, out);
}

/* POST /api/v1/webhook {"url"}: the vendor's endpoint; answers the new signing secret. */
int api_webhook_set(struct req *r)
{
	struct jcs_err err = {0};
	char secret[JCS_REG_TOKEN_HEX + 1];
	json_t *b;
	int ret;

	if (!(b = srv_body_json(r, &err)))
		return srv_send_error(r, &err);
	if (jcs_mon_webhook_set(r->db, &r->actor, json_string_value(json_object_get(b, "url")), secret, &err))
		ret = srv_send_error(r, &err);
	else
		ret = srv_send_json(r, 200, json_pack("{s:s, s:s}", "url", json_string_value(json_object_get(b, "url")),
						      "secret", secret));
	json_decref(b);
	return ret;
}

int api_webhook_deliveries(struct req *r)
{
	struct jcs_err err = {0};
	json_t *out;

	if (jcs_mon_deliveries(r->db, &r->actor, &out, &err))
		return srv_send_error(r, &err);
	return srv_send_json(r, 200, out);
}
