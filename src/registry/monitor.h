/* Living labels (docs/monitoring.md): the components of every labelled product's SBOM in an
 * index (purl package and CPE vendor:product keys), vulnerability feeds imported into the
 * store (NVD CVE API 2.0, OSV, CISA KEV; incremental), matching with the firmware matcher
 * (firmware/vulnmatch.h) on the labels a feed delta touches, vulnerability cases with the
 * vendor's response workflow, CycloneDX VEX of a product and signed webhooks to the vendor.
 * Library code: never prints, never exits. */
#ifndef JCS_REGISTRY_MONITOR_H
#define JCS_REGISTRY_MONITOR_H

#include <jansson.h>
#include <stdbool.h>

#include "firmware/vulnmatch.h"
#include "registry/registry.h"

#define JCS_MON_FEED_RECORDS 1000000 /* records in one feed file */
#define JCS_MON_WEBHOOK_TRIES 6       /* delivery attempts before giving up */

struct jcs_sbom;

/* Matching state: the firmware component table, loaded once (not thread-safe: one user at
 * a time). */
struct jcs_monitor;
int jcs_mon_new(struct jcs_monitor **out, struct jcs_err *err);
void jcs_mon_free(struct jcs_monitor *m);

/* Inside the caller's transaction: index the newest SBOM attachment of application app_id
 * as the components of reg_no at its firmware version (replacing the previous version's);
 * nothing when the application carries no SBOM. */
int jcs_mon_index(struct jcs_store *db, long long app_id, const char *reg_no, const char *firmware,
		  struct jcs_err *err);

/* Index keys of a feed record ("cpe:PART:VENDOR:PRODUCT", "pkg:TYPE:NAME"; at most 256). */
int jcs_mon_record_keys(enum jcs_feed_kind kind, const json_t *rec, struct jcs_strv *keys);

struct jcs_mon_stats {
	long long files, files_skipped, records, changed, labels, cases_opened;
};

/* Import one feed document (name labels it; the same name with the same SHA-256 is skipped)
 * and match what changed. */
int jcs_mon_import(struct jcs_store *db, struct jcs_monitor *m, const char *name, const char *text, size_t len,
		   struct jcs_mon_stats *st, struct jcs_err *err);
/* Import every feed file under dir (new or changed files only). */
int jcs_mon_import_dir(struct jcs_store *db, struct jcs_monitor *m, const char *dir, struct jcs_mon_stats *st,
		       struct jcs_err *err);
/* Match every label against every stored record (after a change of the matcher). */
int jcs_mon_rematch(struct jcs_store *db, struct jcs_monitor *m, struct jcs_mon_stats *st, struct jcs_err *err);

/* Mark KEV-listed cases unresolved kev_days after they opened as overdue (their labels show
 * "under review"); *changed = how many. */
int jcs_mon_sweep(struct jcs_store *db, int kev_days, int *changed, struct jcs_err *err);

/* Cases the actor may see (vendor: its organisation's; reviewer, admin: all), optionally
 * of one reg_no and/or state. */
int jcs_mon_cases(struct jcs_store *db, const struct jcs_actor *a, const char *reg_no, const char *state,
		  json_t **out, struct jcs_err *err);
int jcs_mon_case(struct jcs_store *db, const struct jcs_actor *a, long long id, json_t **out,
		 struct jcs_err *err);
/* Apply a case action: assess, not_affected {justification, detail}, affected {fix_date,
 * detail}, fixed {fixed_version}, acknowledge, reopen. */
int jcs_mon_transition(struct jcs_store *db, const struct jcs_registry *reg, const struct jcs_actor *a,
		       long long id, const json_t *args, json_t **out, struct jcs_err *err);
/* The case workflow table as JSON. */
json_t *jcs_mon_workflow_json(void);

/* Public monitoring summary of a label: {"open": n, "open_kev": n, "under_review": bool,
 * "cases": [{vuln, component, state, kev, ...}]}. */
int jcs_mon_public(struct jcs_store *db, const char *reg_no, json_t **out, struct jcs_err *err);
/* Open known-exploited cases of a label. */
int jcs_mon_open_kev(struct jcs_store *db, const char *reg_no, long long *n, struct jcs_err *err);
/* CycloneDX 1.5 VEX document of a label's cases (new reference in *out). */
int jcs_mon_vex(struct jcs_store *db, const char *reg_no, json_t **out, struct jcs_err *err);

/* Webhooks: the vendor organisation's endpoint; the secret is made here and returned once. */
int jcs_mon_webhook_set(struct jcs_store *db, const struct jcs_actor *a, const char *url, char *secret_out,
			struct jcs_err *err);
/* Deliver due webhook events (bounded: at most max this call); *sent = successes. */
int jcs_mon_deliver(struct jcs_store *db, int max, int *sent, struct jcs_err *err);
/* The delivery log of the actor's organisation (admin: all). */
int jcs_mon_deliveries(struct jcs_store *db, const struct jcs_actor *a, json_t **out, struct jcs_err *err);

#endif
