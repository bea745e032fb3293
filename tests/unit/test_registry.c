/* Registry domain layer on a real SQLite file: migrations, text checks, the workflow up to
 * issuance, automatic expiry, renewal after expiry, procurement and log integrity. */
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry/httpparse.h"
#include "registry/logtree.h"
#include "registry/registry.h"
#include "registry/tlog.h"
#include "t.h"

static char dbpath[64];
static char url[80];

static struct jcs_store *open_db(void)
{
	struct jcs_store *db = NULL;
	struct jcs_err err = {0};

	if (!url[0]) {
		int fd;

		strcpy(dbpath, "/tmp/jcs-test-registry-XXXXXX");
		fd = mkstemp(dbpath);
		close(fd);
		unlink(dbpath);
		snprintf(url, sizeof(url), "sqlite:%s", dbpath);
	}
	if (jcs_store_open(url, &db, &err))
		T_FAIL("open: %s", err.msg);
	return db;
}

static void cleanup(void)
{
	char p[80];

	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
}

T_TEST(test_migrations_idempotent)
{
	struct jcs_store *a = open_db(), *b = open_db(), *c = NULL;
	int v = 0;

	T_ASSERT(a && b);
	T_EQ_INT(jcs_store_schema_version(b, &v, NULL), 0);
	T_EQ_INT(v, 4);
	T_EQ_INT(jcs_store_open("mysql://x", &c, NULL), JCS_EINVAL);
	T_ASSERT(c == NULL);
	jcs_store_close(b);
	jcs_store_close(a);
}

T_TEST(test_text_ok)
{
	T_ASSERT(jcs_reg_text_ok("ルーター AX-1", 100, false));
	T_ASSERT(!jcs_reg_text_ok("a\nb", 100, false));
	T_ASSERT(jcs_reg_text_ok("a\nb", 100, true));
	T_ASSERT(!jcs_reg_text_ok("\xc0\xaf", 100, true));         /* overlong */
	T_ASSERT(!jcs_reg_text_ok("\xed\xa0\x80", 100, true));     /* surrogate */
	T_ASSERT(!jcs_reg_text_ok("\xe3\x83", 100, true));         /* truncated */
	T_ASSERT(!jcs_reg_text_ok("abcdef", 5, true));
}

static int act(struct jcs_store *db, const struct jcs_registry *reg, const struct jcs_actor *a, long long id,
	       const char *json)
{
	struct jcs_err err = {0};
	json_t *args = json_loads(json, 0, NULL);
	int rc = jcs_reg_transition(db, reg, a, id, json_string_value(json_object_get(args, "action")), args, NULL,
				    &err);

	if (rc)
		fprintf(stderr, "  (%s: %s)\n", json, err.msg);
	json_decref(args);
	return rc;
}

T_TEST(test_issue_expire_renew)
{
	struct jcs_store *db = open_db();
	struct jcs_key *key = NULL;
	struct jcs_registry reg = {0};
	struct jcs_err err = {0};
	struct jcs_actor v, r, g, ad;
	char tok[65];
	json_t *f, *app = NULL, *p = NULL, *q = NULL;
	long long id, att;
	const char *models[] = {"RT-1"};
	int n;

	T_ASSERT(db);
	T_EQ_INT(jcs_key_generate(&key, NULL), 0);
	reg.key = key;
	strcpy(reg.base_url, "http://127.0.0.1:1");
	strcpy(reg.registry_id, "127.0.0.1:1");
	T_EQ_INT(jcs_reg_user_create(db, "v", JCS_ROLE_VENDOR, "Acme", NULL, tok, &err), 0);
	T_EQ_INT(jcs_reg_auth_token(db, tok, &v, &err), 0);
	T_EQ_INT(jcs_reg_user_create(db, "r", JCS_ROLE_REVIEWER, "IPA", NULL, tok, &err), 0);
	T_EQ_INT(jcs_reg_auth_token(db, tok, &r, &err), 0);
	T_EQ_INT(jcs_reg_user_create(db, "g", JCS_ROLE_LIAISON, "METI", NULL, tok, &err), 0);
	T_EQ_INT(jcs_reg_auth_token(db, tok, &g, &err), 0);
	T_EQ_INT(jcs_reg_user_create(db, "ad", JCS_ROLE_ADMIN, "IPA", NULL, tok, &err), 0);
	T_EQ_INT(jcs_reg_auth_token(db, tok, &ad, &err), 0);
	T_EQ_INT(jcs_reg_user_create(db, "v", JCS_ROLE_VENDOR, "dup", NULL, tok, &err), JCS_ECONFLICT);

	f = json_pack("{s:s, s:s, s:i, s:[s], s:s, s:s, s:s, s:s}", "product", "Router", "category", "router",
		      "level", 1, "models", "RT-1", "firmware", "1.0", "support_end", "2030-01-01", "contact", "c",
		      "update_info", "u");
	T_EQ_INT(jcs_reg_app_create(db, &v, f, &id, &err), 0);
	json_decref(f);
	T_EQ_INT(jcs_reg_attach(db, &v, id, "report", "r.json", "application/json",
				"{\"schema\":\"jcstar.report/1\"}", 28, &att, &err), JCS_ESCHEMA);
	T_EQ_INT(jcs_reg_attach(db, &v, id, "checklist", "c.csv", "text/csv", "a,b\n", 4, &att, &err), JCS_ESCHEMA);
	{
		static const char rep[] = "{\"schema\":\"jcstar.report/1\",\"level\":1,\"product\":{\"vendor\":\"Acme\","
					  "\"model\":\"RT-1\",\"firmware_version\":\"1.0\"},\"summary\":{\"ready\":true,"
					  "\"statement\":\"Ready\"},\"criteria\":[{\"criterion\":\"S1.1-01\","
					  "\"verdict\":\"conform\"}]}";
		static const char cl[] = "criterion,answer\nS1.1-01,conform\n";
		T_EQ_INT(jcs_reg_attach(db, &v, id, "report", "r.json", "application/json", rep, sizeof(rep) - 1, &att,
					&err), 0);
		T_EQ_INT(jcs_reg_attach(db, &v, id, "checklist", "c.csv", "text/csv", cl, sizeof(cl) - 1, &att, &err), 0);
	}
	T_EQ_INT(act(db, &reg, &r, id, "{\"action\":\"submit\"}"), JCS_EPERM);
	T_EQ_INT(act(db, &reg, &v, id, "{\"action\":\"submit\"}"), 0);
	T_EQ_INT(act(db, &reg, &r, id, "{\"action\":\"start_review\"}"), 0);
	T_EQ_INT(act(db, &reg, &r, id, "{\"action\":\"inquire\",\"question\":\"q\"}"), 0);
	T_EQ_INT(act(db, &reg, &g, id, "{\"action\":\"answer\",\"answer\":\"a\"}"), 0);
	T_EQ_INT(act(db, &reg, &r, id, "{\"action\":\"accept\"}"), 0);
	T_EQ_INT(act(db, &reg, &ad, id, "{\"action\":\"confirm_fee\"}"), 0);
	T_EQ_INT(act(db, &reg, &r, id, "{\"action\":\"issue\"}"), 0);
	T_EQ_INT(act(db, &reg, &r, id, "{\"action\":\"issue\"}"), JCS_ECONFLICT);

	/* automatic expiry: nothing before the expiry date; then expiry grace, then expired */
	T_EQ_INT(jcs_reg_app_get(db, &v, id, &app, &err), 0);
	{
		const char *exp = json_string_value(json_object_get(json_object_get(app, "registration"), "expires"));
		struct tm tm = {0};
		char in_grace[11], after[11];

		sscanf(exp, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		jcs_date_of(timegm(&tm) + 86400 * JCS_STATUS_GRACE_DAYS, in_grace, sizeof(in_grace));
		jcs_date_of(timegm(&tm) + 86400 * (JCS_STATUS_GRACE_DAYS + 1), after, sizeof(after));
		T_EQ_INT(jcs_reg_expire(db, &reg, exp, &n, &err), 0);
		T_EQ_INT(n, 0);
		T_EQ_INT(jcs_reg_expire(db, &reg, in_grace, &n, &err), 0);
		T_EQ_INT(n, 1);
		json_decref(app);
		T_EQ_INT(jcs_reg_app_get(db, &v, id, &app, &err), 0);
		T_EQ_STR(json_string_value(json_object_get(app, "state")), "expiry_grace");
		T_EQ_STR(json_string_value(json_object_get(json_object_get(app, "registration"), "status")), "expiry_grace");
		T_EQ_INT(jcs_reg_expire(db, &reg, in_grace, &n, &err), 0);
		T_EQ_INT(n, 0);
		T_EQ_INT(jcs_reg_expire(db, &reg, after, &n, &err), 0);
		T_EQ_INT(n, 1);
	}
	json_decref(app);
	T_EQ_INT(jcs_reg_app_get(db, &v, id, &app, &err), 0);
	T_EQ_STR(json_string_value(json_object_get(app, "state")), "expired");
	T_EQ_STR(json_string_value(json_object_get(json_object_get(app, "registration"), "status")), "expired");
	T_EQ_INT(jcs_reg_procure(db, "low", models, 1, "2099-01-01", &q, &err), 0);
	T_ASSERT(json_is_false(json_object_get(json_array_get(json_object_get(q, "results"), 0), "labelled")));
	json_decref(q);

	/* renewal of an expired label */
	T_EQ_INT(act(db, &reg, &r, id, "{\"action\":\"renew\"}"), 0);
	T_EQ_INT(jcs_reg_product(db, json_string_value(json_object_get(json_object_get(app, "registration"), "reg_no")),
				 &p, &err), 0);
	T_EQ_STR(json_string_value(json_object_get(p, "status")), "valid");
	T_EQ_INT(json_array_size(json_object_get(p, "history")), 4); /* issue, expire, lapse, renew */
	/* still marked valid, but past its date before the daily expiry ran: a buyer sees expired */
	T_EQ_INT(jcs_reg_procure(db, "low", models, 1, "2099-01-01", &q, &err), 0);
	T_ASSERT(json_is_false(json_object_get(json_array_get(json_object_get(q, "results"), 0), "labelled")));
	T_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(q, "results"), 0), "status")),
		 "expired");
	json_decref(q);

	/* the self-audit: two label statements, all consistent; then each kind of tampering */
	{
		json_t *au = NULL;
		const char *reg_no = json_string_value(json_object_get(json_object_get(app, "registration"), "reg_no"));
		char *sth = NULL;
		char sql[256];

		T_EQ_INT(jcs_reg_self_audit(db, &reg, &au, &err), 0);
		T_ASSERT(json_is_true(json_object_get(au, "ok")));
		T_EQ_INT(json_integer_value(json_object_get(au, "tree_size")), 2);
		T_EQ_INT(json_integer_value(json_object_get(au, "registrations")), 1);
		json_decref(au);
		T_EQ_INT(jcs_reg_log_sth(db, &reg, &sth, &err), 0); /* records the head of size 2 */
		free(sth);
		/* a registration edited to another status than its log says */
		snprintf(sql, sizeof(sql), "UPDATE registrations SET status = 'revoked' WHERE reg_no = '%s'", reg_no);
		T_EQ_INT(jcs_store_exec(db, sql, 0, NULL, NULL, &err), 0);
		T_EQ_INT(jcs_reg_self_audit(db, &reg, &au, &err), 0);
		T_ASSERT(json_is_false(json_object_get(au, "ok")));
		T_ASSERT(strstr(json_string_value(json_object_get(json_array_get(json_object_get(au, "problems"), 0),
								  "problem")), "the log says valid") != NULL);
		json_decref(au);
		snprintf(sql, sizeof(sql), "UPDATE registrations SET status = 'valid' WHERE reg_no = '%s'", reg_no);
		T_EQ_INT(jcs_store_exec(db, sql, 0, NULL, NULL, &err), 0);
		/* one leaf hash changed: no tree head over it is signed again (no fork) */
		T_EQ_INT(jcs_store_exec(db, "UPDATE tlog SET leaf_hash = '00' || substr(leaf_hash, 3) WHERE idx = 0", 0,
					NULL, NULL, &err), 0);
		T_EQ_INT(jcs_reg_log_sth(db, &reg, &sth, &err), JCS_ECRYPTO);
		T_ASSERT(sth == NULL);
		T_EQ_INT(jcs_reg_self_audit(db, &reg, &au, &err), 0);
		T_ASSERT(json_is_false(json_object_get(au, "ok")));
		T_ASSERT(json_integer_value(json_object_get(au, "problems_total")) >= 2); /* the leaf, the head */
		json_decref(au);
		/* an entry altered (hash recomputed by the attacker would still fail the signature) */
		T_EQ_INT(jcs_store_exec(db, "UPDATE tlog SET entry = replace(entry, 'Router', 'Routes') WHERE idx = 1", 0,
					NULL, NULL, &err), 0);
		T_EQ_INT(jcs_reg_self_audit(db, &reg, &au, &err), 0);
		T_ASSERT(json_integer_value(json_object_get(au, "problems_total")) >= 3);
		json_decref(au);
	}

	json_decref(app);
	json_decref(p);
	jcs_key_free(key);
	jcs_store_close(db);
}

T_TEST(test_login_accounts)
{
	struct jcs_store *db = open_db();
	struct jcs_actor a;
	char tok[65], tok2[65], api[65], s[65], c[65];

	T_EQ_INT(jcs_reg_user_create(db, "pw", JCS_ROLE_VENDOR, "x", "a-long-password", tok, NULL), 0);
	T_EQ_INT(jcs_reg_user_create(db, "api", JCS_ROLE_VENDOR, "x", NULL, api, NULL), 0);
	/* failures never lock the account (throttling is per client, in the server) */
	for (int i = 0; i < 8; i++)
		T_EQ_INT(jcs_reg_login(db, "pw", "wrong-password", 1000, &a, s, c, NULL), JCS_EPERM);
	/* unknown and password-less accounts: the same answer as a wrong password */
	T_EQ_INT(jcs_reg_login(db, "nobody", "a-long-password", 1000, &a, s, c, NULL), JCS_EPERM);
	T_EQ_INT(jcs_reg_login(db, "api", "", 1000, &a, s, c, NULL), JCS_EPERM);
	T_EQ_INT(jcs_reg_login(db, "pw", "a-long-password", 1000, &a, s, c, NULL), 0);
	T_EQ_INT(jcs_reg_session(db, s, 1002, &a, c, NULL), 0);
	T_EQ_STR(a.name, "pw");
	T_EQ_INT(jcs_reg_session(db, s, 1000 + JCS_REG_SESSION_SECONDS + 2, &a, c, NULL), JCS_EPERM);

	/* a disabled account: no sign-in, no session, no token; enabled again, all work */
	T_EQ_INT(jcs_reg_user_disable(db, "pw", true, NULL), 0);
	T_EQ_INT(jcs_reg_session(db, s, 1002, &a, c, NULL), JCS_EPERM);
	T_EQ_INT(jcs_reg_auth_token(db, tok, &a, NULL), JCS_EPERM);
	T_EQ_INT(jcs_reg_login(db, "pw", "a-long-password", 1000, &a, s, c, NULL), JCS_EPERM);
	T_EQ_INT(jcs_reg_user_disable(db, "pw", false, NULL), 0);
	T_EQ_INT(jcs_reg_auth_token(db, tok, &a, NULL), 0);
	T_EQ_INT(jcs_reg_user_disable(db, "ghost", true, NULL), JCS_ENOTFOUND);

	/* token rotation and revocation */
	T_EQ_INT(jcs_reg_user_token(db, "pw", tok2, NULL), 0);
	T_EQ_INT(jcs_reg_auth_token(db, tok, &a, NULL), JCS_EPERM);
	T_EQ_INT(jcs_reg_auth_token(db, tok2, &a, NULL), 0);
	T_EQ_INT(jcs_reg_user_token(db, "pw", NULL, NULL), 0);
	T_EQ_INT(jcs_reg_auth_token(db, tok2, &a, NULL), JCS_EPERM);
	jcs_store_close(db);
	cleanup();
}

/* The cached tree answers exactly what the proofs over all leaves answer, for every size,
 * index and prefix, while the log grows between calls (incremental sync). */
T_TEST(test_logtree_matches_full_proofs)
{
	struct jcs_store *db = open_db();
	struct jcs_logtree *t;
	uint8_t leaves[45 * JCS_HASH_LEN];
	struct jcs_err err = {0};

	T_EQ_INT(jcs_logtree_new(&t), 0);
	T_EQ_INT(jcs_store_exec(db, "DELETE FROM tlog", 0, NULL, NULL, &err), 0);
	for (uint64_t n = 1; n <= 45; n++) {
		char idx[24], hx[65];
		const char *p[] = {idx, hx};
		jcs_hash root;

		jcs_tlog_leaf_hash(&n, sizeof(n), leaves + (n - 1) * JCS_HASH_LEN);
		jcs_hash_hex(leaves + (n - 1) * JCS_HASH_LEN, hx);
		snprintf(idx, sizeof(idx), "%llu", (unsigned long long)(n - 1));
		T_EQ_INT(jcs_store_exec(db, "INSERT INTO tlog (idx, kind, reg_no, leaf_hash, entry, at)"
					" VALUES ($1, 'label', 'x', $2, '{}', 0)", 2, p, NULL, &err), 0);
		jcs_tlog_root(leaves, n, root);
		for (uint64_t i = 0; i < n; i++) {
			struct jcs_inclusion got = {0};
			struct jcs_tlog_path want;

			T_EQ_INT(jcs_logtree_inclusion(t, db, i, 0, &got, &err), 0);
			T_EQ_INT(jcs_tlog_inclusion_proof(leaves, n, i, &want), 0);
			T_EQ_INT(got.tree_size, n);
			T_EQ_INT(got.path.n, want.n);
			T_ASSERT(memcmp(got.path.h, want.h, want.n * JCS_HASH_LEN) == 0);
			T_EQ_INT(jcs_tlog_inclusion_verify(leaves + i * JCS_HASH_LEN, i, n, &got.path, root), 0);
		}
		for (uint64_t m = 1; m <= n; m++) {
			struct jcs_consistency got = {0};
			struct jcs_tlog_path want;

			T_EQ_INT(jcs_logtree_consistency(t, db, m, n, &got, &err), 0);
			T_EQ_INT(jcs_tlog_consistency_proof(leaves, n, m, &want), 0);
			T_EQ_INT(got.path.n, want.n);
			T_ASSERT(memcmp(got.path.h, want.h, want.n * JCS_HASH_LEN) == 0);
		}
	}
	{
		struct jcs_inclusion got;

		T_EQ_INT(jcs_logtree_inclusion(t, db, 45, 0, &got, &err), JCS_ENOTFOUND);
		T_EQ_INT(jcs_logtree_inclusion(t, db, 3, 46, &got, &err), JCS_ENOTFOUND);
	}
	/* a gap in the stored log is damage, not a shorter tree */
	T_EQ_INT(jcs_store_exec(db, "INSERT INTO tlog (idx, kind, reg_no, leaf_hash, entry, at)"
				" VALUES (46, 'label', 'x', 'ab', '{}', 0)", 0, NULL, NULL, &err), 0);
	{
		struct jcs_inclusion got;

		T_EQ_INT(jcs_logtree_inclusion(t, db, 0, 0, &got, &err), JCS_ECRYPTO);
	}
	jcs_logtree_free(t);
	jcs_store_close(db);
	cleanup();
}

T_TEST(test_parsers)
{
	struct jcs_form f;
	struct jcs_multipart m;
	char **models;
	size_t n;
	static const char csv[] = "\xef\xbb\xbfmodel\r\nA-1,x\r\n\"B,2\"\n\n  C3 \n";
	static const char body[] = "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nreport"
				   "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".json\""
				   "\r\nContent-Type: application/json\r\n\r\n{\"x\":\r\n1}\r\n--XyZ--\r\n";

	T_EQ_INT(jcs_form_parse("a=1&b=x+y%21&&c", 15, &f, NULL), 0);
	T_EQ_STR(jcs_form_get(&f, "b"), "x y!");
	T_EQ_STR(jcs_form_get(&f, "c"), "");
	jcs_form_free(&f);
	T_EQ_INT(jcs_form_parse("a=%4", 4, &f, NULL), JCS_EPARSE);
	T_EQ_INT(jcs_form_parse("a=%00", 5, &f, NULL), JCS_EPARSE);
	T_EQ_INT(jcs_multipart_parse("multipart/form-data; boundary=XyZ", body, sizeof(body) - 1, &m, NULL), 0);
	T_EQ_INT(m.n, 2);
	T_EQ_STR(m.part[1].filename, "a \"b\".json");
	T_EQ_INT(m.part[1].len, 9);
	T_EQ_INT(memcmp(m.part[1].data, "{\"x\":\r\n1}", 9), 0);
	T_EQ_INT(jcs_multipart_parse("multipart/form-data; boundary=XyZ", body, 40, &m, NULL), JCS_EPARSE);
	T_EQ_INT(jcs_csv_models(csv, sizeof(csv) - 1, 10, &models, &n, NULL), 0);
	T_EQ_INT(n, 3);
	T_EQ_STR(models[1], "B,2");
	T_EQ_STR(models[2], "C3");
	jcs_csv_models_free(models, n);
	T_EQ_INT(jcs_csv_models("a\nb\nc\n", 6, 2, &models, &n, NULL), JCS_ELIMIT);
	/* Shift_JIS (as Excel saves it in Japan): "型番\nカメラ-1\n" */
	T_EQ_INT(jcs_csv_models("\x8c\x5e\x94\xd4\n\x83\x4a\x83\x81\x83\x89-1\n", 13, 10, &models, &n, NULL), 0);
	T_EQ_INT(n, 1);
	T_EQ_STR(models[0], "カメラ-1");
	jcs_csv_models_free(models, n);
	/* neither UTF-8 nor Shift_JIS */
	T_EQ_INT(jcs_csv_models("\x85\xff\xfe\n", 4, 10, &models, &n, NULL), JCS_EPARSE);
}

T_MAIN(T_CASE(test_migrations_idempotent), T_CASE(test_text_ok), T_CASE(test_issue_expire_renew),
       T_CASE(test_login_accounts), T_CASE(test_logtree_matches_full_proofs), T_CASE(test_parsers))
