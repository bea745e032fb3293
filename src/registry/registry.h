/* The label registry's domain layer (jcstar serve): accounts and authentication,
 * applications and their attachments, the workflow (workflow.c: the one transition table),
 * registrations, the public list, procurement queries and the transparency log.
 * Everything goes through a struct jcs_store; results come back as jansson objects
 * (caller json_decref()s). Library code: never prints, never exits. */
#ifndef JCS_REGISTRY_REGISTRY_H
#define JCS_REGISTRY_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "jcstar/jcstar.h"
#include "jcstar/label.h"
#include "registry/store.h"

/* Caps on what callers may store. */
#define JCS_REG_NAME_MAX     64        /* account name */
#define JCS_REG_TEXT_MAX     JCS_TEXT_MAX
#define JCS_REG_MODELS_MAX   JCS_LABEL_MAX_MODELS
#define JCS_REG_ATTACH_MAX   (4u << 20) /* one attachment */
#define JCS_REG_PROCURE_MAX  1000      /* model numbers in one procurement query */
#define JCS_REG_LIST_MAX     500       /* rows in one page of the public list */
#define JCS_REG_SESSION_SECONDS (8 * 3600)
#define JCS_REG_CHANGE_MAX   10        /* change notices per application ... */
#define JCS_REG_CHANGE_WINDOW 3600     /* ... in this many seconds */
#define JCS_REG_TOKEN_HEX    64        /* API tokens and session ids: 32 random bytes in hex */

enum jcs_role {
	JCS_ROLE_PUBLIC,
	JCS_ROLE_VENDOR,
	JCS_ROLE_REVIEWER,
	JCS_ROLE_LIAISON,   /* government liaison (supply-chain inquiry) */
	JCS_ROLE_LAB,       /* accredited evaluation lab (★3/★4 evaluation reports) */
	JCS_ROLE_ADMIN,
	JCS_ROLE_SYSTEM,    /* the server itself (automatic expiry); never an account */
};
const char *jcs_role_name(enum jcs_role r);
int jcs_role_parse(const char *s, enum jcs_role *out);

struct jcs_actor {
	long long id;                    /* 0 for public and system */
	enum jcs_role role;
	char name[JCS_REG_NAME_MAX + 1];
	char org[JCS_REG_TEXT_MAX + 1];  /* vendor company / lab name */
};

struct jcs_logtree;

/* What the server knows that the store does not: signing key, public base URL and its
 * cache of the log's Merkle tree (logtree.h; NULL: proofs read the whole log). */
struct jcs_registry {
	const struct jcs_key *key;
	struct jcs_logtree *tree;
	char base_url[256];      /* "http://127.0.0.1:8080", no trailing slash */
	char registry_id[128];   /* host part of base_url, in every signed statement */
	/* Asked before anything is signed: 0, or an error (the self-audit failed) that refuses
	 * the signature. NULL = always allowed. */
	int (*may_sign)(const struct jcs_registry *reg, struct jcs_err *err);
	void *ctx;               /* for may_sign */
};

/* ------------------------------------------------------------ accounts */

/* Create an account; token_out (JCS_REG_TOKEN_HEX + 1 bytes) receives its API token, shown
 * once (only its SHA-256 is stored). password may be NULL (API-only account). */
int jcs_reg_user_create(struct jcs_store *db, const char *name, enum jcs_role role, const char *org,
			const char *password, char *token_out, struct jcs_err *err);
/* Create the first admin account "admin" if no admin exists; *created says whether it did. */
int jcs_reg_bootstrap(struct jcs_store *db, char *token_out, bool *created, struct jcs_err *err);
int jcs_reg_auth_token(struct jcs_store *db, const char *token, struct jcs_actor *out, struct jcs_err *err);
/* Password login (JCS_EPERM "wrong name or password" for an unknown, disabled or
 * password-less account too, after the same hashing work). Throttling is the caller's
 * (per client). Creates a session: session_out and csrf_out receive JCS_REG_TOKEN_HEX + 1
 * bytes each. */
int jcs_reg_login(struct jcs_store *db, const char *name, const char *password, time_t now,
		  struct jcs_actor *out, char *session_out, char *csrf_out, struct jcs_err *err);
int jcs_reg_session(struct jcs_store *db, const char *session, time_t now, struct jcs_actor *out,
		    char *csrf_out, struct jcs_err *err);
int jcs_reg_logout(struct jcs_store *db, const char *session, struct jcs_err *err);
/* New API token for the account (token_out, JCS_REG_TOKEN_HEX + 1 bytes; the old one stops
 * working), or with token_out NULL revoke it (no API access until a new one is made). */
int jcs_reg_user_token(struct jcs_store *db, const char *name, char *token_out, struct jcs_err *err);
/* Disable (no token, session or sign-in works; sessions are deleted) or enable an account. */
int jcs_reg_user_disable(struct jcs_store *db, const char *name, bool disabled, struct jcs_err *err);
/* Every account: [{name, role, org, disabled, token}] (token: whether one is set). */
int jcs_reg_users(struct jcs_store *db, json_t **out, struct jcs_err *err);

/* --------------------------------------------------------- applications */

/* New draft from a JSON object {product, category, level, models[], firmware, support_end,
 * contact, update_info, lab} (vendor only). */
int jcs_reg_app_create(struct jcs_store *db, const struct jcs_actor *a, const json_t *fields,
		       long long *id, struct jcs_err *err);
/* One application as the actor may see it, with attachments (metadata), audit trail and
 * the actions the actor may take now. JCS_ENOTFOUND also when the actor may not see it. */
int jcs_reg_app_get(struct jcs_store *db, const struct jcs_actor *a, long long id, json_t **out,
		    struct jcs_err *err);
/* The actor's applications (vendor: own; lab: assigned; liaison: in inquiry; reviewer and
 * admin: all), optionally only in one state. */
int jcs_reg_app_list(struct jcs_store *db, const struct jcs_actor *a, const char *state, json_t **out,
		     struct jcs_err *err);
/* The stored application (no visibility check; workflow and server internals). */
int jcs_reg_app_row(struct jcs_store *db, long long id, json_t **out, struct jcs_err *err);
/* Whether the actor is the application's party: its vendor, its assigned lab (by org),
 * the liaison once an inquiry exists; reviewers and admins see everything. */
bool jcs_reg_app_visible(const struct jcs_actor *a, const json_t *app);
/* Attach a document: kind "report" (jcstar report JSON), "checklist" (CSV), "form" (vendor,
 * before acceptance) or "evaluation" (lab, ★3/★4). */
int jcs_reg_attach(struct jcs_store *db, const struct jcs_actor *a, long long id, const char *kind,
		   const char *name, const char *ctype, const void *data, size_t len, long long *att_id,
		   struct jcs_err *err);
/* Raw attachment content (caller frees *data) if the actor may see the application. */
int jcs_reg_attachment(struct jcs_store *db, const struct jcs_actor *a, long long id, long long att_id,
		       char **name, char **ctype, char **data, size_t *len, struct jcs_err *err);

/* Review on evidence (review.c). Parse and check a jcstar.report/1 (docs/report.md): schema,
 * level, product, summary consistent with the criteria's verdicts. *out = {"ready",
 * "statement", "level", "counts", "verdicts": [{"criterion", "verdict"}], "differences":
 * [{"field", "application", "report"}]} with the differences from app (vendor, model,
 * firmware, level; none when app is NULL). */
int jcs_reg_review_report(const char *text, size_t len, const json_t *app, json_t **out, struct jcs_err *err);
/* A checklist CSV: UTF-8, a header naming the criterion column, criterion rows. */
int jcs_reg_check_checklist(const char *text, size_t len, struct jcs_err *err);
/* An SBOM: CycloneDX JSON (as jcstar firmware --format cyclonedx writes it) with a
 * components array whose entries each name a component. */
int jcs_reg_check_sbom(const char *text, size_t len, struct jcs_err *err);
/* The review of the application's newest report (plus "sha256", "file"); NULL if none. */
int jcs_reg_app_review(struct jcs_store *db, const json_t *app, json_t **out, struct jcs_err *err);
/* Fields of a new application from a jcstar.report/1 (checked as a report attachment is):
 * {"vendor", "product", "models", "firmware", "level"} and, when the report gives them,
 * "category", "support_end", "contact". "vendor" is the report's: the application's vendor
 * is always the filing account's organisation. */
int jcs_reg_prefill(const char *text, size_t len, json_t **out, struct jcs_err *err);
/* SHA-256 (lowercase hex, 65 bytes with the NUL) of the application's newest attachment of
 * kind, recomputed from the stored content (JCS_EDB if it no longer matches the recorded
 * hash); JCS_ENOTFOUND when it has none. What a jcstar.label/2 binds. */
int jcs_reg_app_doc_sha256(struct jcs_store *db, const json_t *app, const char *kind, char out[65],
			   struct jcs_err *err);

/* ------------------------------------------------------------- workflow */

/* Apply action to application id as actor (workflow.c). args: {reason, question, answer,
 * changes{...}} as the action needs. JCS_EPERM: role or ownership; JCS_ECONFLICT: not
 * allowed from the current state or a concurrent change; JCS_ESCHEMA: guard failed. */
int jcs_reg_transition(struct jcs_store *db, const struct jcs_registry *reg, const struct jcs_actor *a,
		       long long id, const char *action, const json_t *args, json_t **out,
		       struct jcs_err *err);
/* Actions actor may apply to an application in state (JSON array of names). */
json_t *jcs_reg_actions_for(const struct jcs_actor *a, const char *state, bool owner);
/* Expire every issued label whose expiry date is before today (YYYY-MM-DD). */
int jcs_reg_expire(struct jcs_store *db, const struct jcs_registry *reg, const char *today, int *count,
		   struct jcs_err *err);
/* The transition table as JSON (documentation, /api/v1/workflow). */
json_t *jcs_reg_workflow_json(void);

/* -------------------------------------------------------- public list */

struct jcs_reg_filter {
	const char *q;        /* substring of vendor, product or model */
	const char *vendor, *model, *category;
	int level;            /* 0 = any */
	const char *status;   /* valid|suspended|revoked|expired or NULL */
	long long offset, limit;
};
/* {"total":N,"items":[...]} */
int jcs_reg_products(struct jcs_store *db, const struct jcs_reg_filter *f, json_t **out, struct jcs_err *err);
int jcs_reg_product(struct jcs_store *db, const char *reg_no, json_t **out, struct jcs_err *err);
/* Generation of the public data: changes whenever an action changes what the public list
 * or a product page shows (server-side page caches compare it; works across processes). */
int jcs_reg_public_generation(struct jcs_store *db, long long *gen, struct jcs_err *err);
/* The signed label envelope of a registration (caller frees). */
int jcs_reg_label(struct jcs_store *db, const char *reg_no, char **out, struct jcs_err *err);
/* JSON array of every revocation/suspension envelope ever logged. */
int jcs_reg_revocations(struct jcs_store *db, char **out, struct jcs_err *err);

/* Procurement: per model number, labelled or not, level, valid until, and whether it meets
 * the catalogue's minimum level for importance ("low", "medium", "high"). */
int jcs_reg_procure(struct jcs_store *db, const char *importance, const char *const *models, size_t n,
		    const char *today, json_t **out, struct jcs_err *err);

/* ------------------------------------------------------ transparency log */

/* Append a signed envelope (kind "label" or "revocation", of registration reg_no) to the log
 * inside the caller's transaction; *index = its leaf index. */
int jcs_reg_log_append(struct jcs_store *db, const char *kind, const char *reg_no, const char *envelope,
		       long long *index, struct jcs_err *err);
/* {"label": envelope, "inclusion": proof, "sth": signed tree head, "status": status
 * statement at that tree head} for the newest label statement of reg_no: everything
 * `jcstar label verify` needs offline. */
int jcs_reg_label_bundle(struct jcs_store *db, const struct jcs_registry *reg, const char *reg_no, char **out,
			 struct jcs_err *err);
/* Signed status statement (jcstar.status/1) of reg_no at the current tree head, derived from
 * the log entries of reg_no in log order (caller frees). JCS_ENOTFOUND if unknown. */
int jcs_reg_status(struct jcs_store *db, const struct jcs_registry *reg, const char *reg_no, char **out,
		   struct jcs_err *err);
/* Signed tree head over the current log (caller frees). */
int jcs_reg_log_sth(struct jcs_store *db, const struct jcs_registry *reg, char **out, struct jcs_err *err);
/* Inclusion proof of leaf index in the tree of size (0 = current) / consistency m..n. */
int jcs_reg_log_inclusion(struct jcs_store *db, const struct jcs_registry *reg, long long index, long long size,
			  char **out, struct jcs_err *err);
int jcs_reg_log_consistency(struct jcs_store *db, const struct jcs_registry *reg, long long m, long long n,
			    char **out, struct jcs_err *err);
/* One leaf {index, leaf_hash, entry, at}. */
int jcs_reg_log_entry(struct jcs_store *db, long long index, json_t **out, struct jcs_err *err);

/* Self-audit: check every log leaf (index gapless, leaf hash = hash of its entry, entry
 * signed by the registry's key and about the reg_no it is filed under), that the log
 * extends the largest tree head ever signed, and that every registration agrees with its
 * log entries (status in log order, expiry, current credential). *out = {"ok", "checked_at",
 * "tree_size", "registrations", "problems": [{"reg_no", "problem"}...] (at most 100),
 * "problems_total"}. Returns an error only when the check itself cannot run. */
int jcs_reg_self_audit(struct jcs_store *db, const struct jcs_registry *reg, json_t **out, struct jcs_err *err);
/* 0 or the refusal of reg->may_sign. */
int jcs_reg_may_sign(const struct jcs_registry *reg, struct jcs_err *err);

/* --------------------------------------------------------------- utils */

/* Next value of a named counter inside the caller's transaction. */
int jcs_reg_counter_next(struct jcs_store *db, const char *name, long long *out, struct jcs_err *err);
/* Record an audit entry inside the caller's transaction. */
int jcs_reg_audit(struct jcs_store *db, long long app_id, const struct jcs_actor *a, const char *action,
		  const char *from, const char *to, const char *reason, struct jcs_err *err);
/* Valid UTF-8 with no control characters except \n and \t (multi-line text when lines). */
bool jcs_reg_text_ok(const char *s, size_t max, bool lines);
/* nbytes (<= 64) random bytes as lowercase hex into out (2 * nbytes + 1 bytes). */
int jcs_reg_random_hex(char *out, size_t nbytes);
/* Hex SHA-256 of s (out >= 65 bytes). */
void jcs_reg_sha256_hex(const void *p, size_t n, char *out);

#endif
