/* Offline verification of a label credential (jcs_label_check, include/jcstar/label.h): the
 * signature, then every piece of evidence the buyer holds (revocation list, tree head and
 * inclusion proof, status statement), then the verdict of jcs_label_state. What `jcstar label
 * verify` prints, and what a buyer's own program links against. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "jcstar/digest.h"
#include "jcstar/label.h"
#include "jcstar/tlog.h"
#include "registry/stmt.h"

#define BUNDLE_SCHEMA "jcstar.label-bundle/1"
#define BUNDLE_MAX (4 * JCS_STMT_MAX)

struct jcs_label_check {
	enum jcs_label_outcome outcome;
	enum jcs_label_verdict verdict;
	const char *status;        /* the word for the outcome: "valid", "bad signature", "expired", ... */
	char detail[2 * sizeof(((struct jcs_err *)0)->msg)];
	bool status_checked;       /* a fresh status statement for this credential was used */
	const char *unchecked_why; /* static text, when not */
	struct jcs_label *label;
	json_t *json;              /* {status, detail?, label?, log, revocations, status_statement} */
};

static const char *const outcome_names[] = {
	[JCS_LABEL_VALID] = "valid",
	[JCS_LABEL_NOT_VALID] = "not valid",
	[JCS_LABEL_BAD_SIGNATURE] = "bad signature",
	[JCS_LABEL_NOT_IN_LOG] = "not in log",
	[JCS_LABEL_UNCHECKED] = "status not checked",
	[JCS_LABEL_MISMATCH] = "document mismatch",
};

const char *jcs_label_outcome_name(enum jcs_label_outcome o)
{
	return (size_t)o < sizeof(outcome_names) / sizeof(outcome_names[0]) ? outcome_names[o] : "?";
}

/* The pieces a verification reads: given separately, or from a label bundle
 * (jcstar.label-bundle/1, what the registry's /bundle serves) given as the label. */
struct pieces {
	json_t *bundle;
	char *label, *proof, *sth, *status; /* owned copies from the bundle, or NULL */
	struct {
		const char *p;
		size_t n;
	} l, pr, st, ss;
};

static int bundle_part(const json_t *b, const char *key, char **own, const char **p, size_t *n)
{
	const json_t *v = json_object_get(b, key);

	if (!v)
		return 0;
	if (!(*own = json_dumps(v, JSON_COMPACT)))
		return JCS_ENOMEM;
	*p = *own;
	*n = strlen(*own);
	return 0;
}

static int pieces_open(const struct jcs_label_check_in *in, struct pieces *pc, struct jcs_err *err)
{
	const char *name = in->name ? in->name : "label";
	const json_t *schema;

	pc->l.p = in->label, pc->l.n = in->label_len;
	pc->pr.p = in->proof, pc->pr.n = in->proof ? in->proof_len : 0;
	pc->st.p = in->sth, pc->st.n = in->sth ? in->sth_len : 0;
	pc->ss.p = in->status, pc->ss.n = in->status ? in->status_len : 0;
	if (!in->label)
		return jcs_err_set(err, JCS_EINVAL, "%s: no label credential given", name);
	if (in->label_len > BUNDLE_MAX)
		return jcs_err_set(err, JCS_ELIMIT, "%s: larger than %d bytes", name, BUNDLE_MAX);
	pc->bundle = json_loadb(in->label, in->label_len, JSON_REJECT_DUPLICATES, NULL);
	schema = json_object_get(pc->bundle, "schema");
	if (json_is_object(pc->bundle) && json_is_string(schema) && strcmp(json_string_value(schema), BUNDLE_SCHEMA) == 0) {
		/* separately given pieces take precedence over the bundle's */
		if ((!in->proof && bundle_part(pc->bundle, "inclusion", &pc->proof, &pc->pr.p, &pc->pr.n)) ||
		    (!in->sth && bundle_part(pc->bundle, "sth", &pc->sth, &pc->st.p, &pc->st.n)) ||
		    (!in->status && bundle_part(pc->bundle, "status", &pc->status, &pc->ss.p, &pc->ss.n)) ||
		    bundle_part(pc->bundle, "label", &pc->label, &pc->l.p, &pc->l.n))
			return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	} else if (in->label_len > JCS_STMT_MAX) {
		return jcs_err_set(err, JCS_ELIMIT, "%s: larger than %d bytes", name, JCS_STMT_MAX);
	}
	if (pc->pr.n && !pc->st.n)
		return jcs_err_set(err, JCS_EINVAL, "an inclusion proof needs the signed tree head it refers to");
	return 0;
}

static void pieces_close(struct pieces *pc)
{
	json_decref(pc->bundle);
	free(pc->label);
	free(pc->proof);
	free(pc->sth);
	free(pc->status);
}

/* The label as JSON, with a jcstar.label/2's bindings ("sbom_sha256" "none" when the
 * application had no SBOM). */
static json_t *label_json(const struct jcs_label *l)
{
	json_t *m = json_array(), *j;
	for (size_t i = 0; i < l->nmodels; i++)
		json_array_append_new(m, json_string(l->models[i]));
	j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "schema",
		      l->version < 2 ? JCS_SCHEMA_LABEL : JCS_SCHEMA_LABEL2, "registration_number",
		      l->registration_number, "vendor", l->vendor, "product", l->product, "models", m, "level", l->level,
		      "issued", l->issued, "expires", l->expires, "status", jcs_label_status_name(l->status), "registry",
		      l->registry, "url", l->url, "signed_at", l->signed_at, "key_id", l->key_id);
	if (j && l->version >= 2 &&
	    (json_object_set_new(j, "firmware", json_string(l->firmware)) ||
	     json_object_set_new(j, "report_sha256", json_string(l->report_sha256)) ||
	     json_object_set_new(j, "sbom_sha256", json_string(l->sbom_sha256 ? l->sbom_sha256 : "none")))) {
		json_decref(j);
		return NULL;
	}
	return j;
}


/* The result: outcome, the status word and an optional detail line. */
static int conclude(struct jcs_label_check *c, enum jcs_label_outcome o, const char *status, const char *detail)
{
	c->outcome = o;
	c->status = status;
	snprintf(c->detail, sizeof(c->detail), "%s", detail ? detail : "");
	if (json_object_set_new(c->json, "status", json_string(status)) ||
	    (c->detail[0] && json_object_set_new(c->json, "detail", json_string(c->detail))) ||
	    (c->label && json_object_set_new(c->json, "label", label_json(c->label))))
		return JCS_ENOMEM;
	return 0;
}

/* The files given in doc[] are the ones the label binds (by SHA-256); a mismatch concludes. */
static int check_docs(const struct jcs_label_check_in *in, struct jcs_label_check *c, bool *mismatch,
		      struct jcs_err *err)
{
	json_t *docs = NULL;
	int rc = 0;

	*mismatch = false;
	for (int d = 0; d < 2 && !rc && !*mismatch; d++) {
		char sha[JCS_SHA256_HEX], line[sizeof(c->detail)];

		if (!in->doc[d])
			continue;
		if ((rc = jcs_sha256_file(in->doc[d], sha, NULL, err)))
			break;
		if ((!docs && !(docs = json_object())) ||
		    json_object_set_new(docs, d == JCS_LABEL_DOC_REPORT ? "report" : "sbom",
					json_pack("{s:s, s:s}", "file", in->doc[d], "sha256", sha))) {
			rc = JCS_ENOMEM;
			break;
		}
		if (jcs_label_check_doc(c->label, (enum jcs_label_doc)d, sha, err)) {
			snprintf(line, sizeof(line), "%s: %s", in->doc[d], err ? err->msg : "not the file the label binds");
			*mismatch = true;
			rc = conclude(c, JCS_LABEL_MISMATCH, d == JCS_LABEL_DOC_REPORT ? "report mismatch" : "sbom mismatch",
				      line);
		}
	}
	if (docs && json_object_set_new(c->json, "documents", docs))
		rc = JCS_ENOMEM;
	return rc;
}

/* A piece of evidence failed: a bad signature is an outcome (with what, and why), anything
 * else (malformed input) an error naming the piece. */
static int evidence_fail(struct jcs_label_check *c, const char *what, struct jcs_err *err,
			 enum jcs_label_outcome o, int rc)
{
	char line[sizeof(c->detail)];

	snprintf(line, sizeof(line), "%s: %s", what, err ? err->msg : jcs_strerror(rc));
	if (rc == JCS_ECRYPTO)
		return conclude(c, o, jcs_label_outcome_name(o), line);
	return jcs_err_set(err, rc, "%s", line);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int check(const struct jcs_key *pub, const struct jcs_label_check_in *in, struct jcs_label_check *c,
		 struct jcs_err *err)
{
	struct pieces pc = {0};
	struct jcs_buf leaf = JCS_BUF_INIT;
	struct jcs_revlist *rl = NULL;
	struct jcs_label_state st;
	struct jcs_status status;
	struct jcs_status_check sc = {.now_ms = in->now_ms ? in->now_ms : now_ms()};
	struct jcs_sth sth;
	char today[11], line[sizeof(c->detail)], leafhex[JCS_HASH_HEX + 1];
	jcs_hash lh;
	json_t *facts;
	int rc;

	if ((rc = stmt_need_key(pub, err)))
		return rc;
	if (in->date && !jcs_date_valid(in->date))
		return jcs_err_set(err, JCS_EINVAL, "not a date (YYYY-MM-DD): %s", in->date);
	if ((rc = pieces_open(in, &pc, err)))
		goto out;
	rc = jcs_label_verify(pc.l.p, pc.l.n, pub, &c->label, err);
	if (rc == JCS_ECRYPTO) {
		rc = conclude(c, JCS_LABEL_BAD_SIGNATURE, "bad signature", err ? err->msg : NULL);
		goto out;
	}
	if (rc) { /* not a credential at all: name the input */
		if (err) {
			char msg[sizeof(err->msg)];
			snprintf(msg, sizeof(msg), "%s", err->msg);
			jcs_err_set(err, rc, "%s: %s", in->name ? in->name : "label", msg);
		}
		goto out;
	}
	if (in->revocations) {
		rc = jcs_revlist_verify(in->revocations, in->revocations_len, pub, &rl, err);
		if (rc) {
			snprintf(line, sizeof(line), "revocation list %s", in->revocations_name ? in->revocations_name : "");
			jcs_label_free(c->label); /* a forged list: the reply names no label */
			c->label = NULL;
			rc = evidence_fail(c, line, err, JCS_LABEL_BAD_SIGNATURE, rc);
			goto out;
		}
		facts = json_pack("{s:s?, s:I}", "file", in->revocations_name, "entries", (json_int_t)jcs_revlist_count(rl));
		if ((rc = json_object_set_new(c->json, "revocations", facts) ? JCS_ENOMEM : 0))
			goto out;
	}
	if (pc.st.n) {
		if ((rc = jcs_sth_verify(pc.st.p, pc.st.n, pub, &sth, err))) {
			rc = evidence_fail(c, "tree head", err, JCS_LABEL_NOT_IN_LOG, rc);
			goto out;
		}
		sc.sth = &sth;
	}
	if (pc.pr.n) {
		struct jcs_inclusion proof;

		if ((rc = jcs_inclusion_parse(pc.pr.p, pc.pr.n, &proof, err))) {
			rc = evidence_fail(c, "inclusion proof", err, JCS_LABEL_NOT_IN_LOG, rc);
			goto out;
		}
		if ((rc = jcs_tlog_check_inclusion(pc.l.p, pc.l.n, &proof, &sth, err))) {
			rc = rc == JCS_ECRYPTO ? conclude(c, JCS_LABEL_NOT_IN_LOG, "not in log", err ? err->msg : NULL) : rc;
			goto out;
		}
		facts = json_pack("{s:b, s:I, s:I, s:I}", "included", 1, "leaf_index", (json_int_t)proof.leaf_index,
				  "tree_size", (json_int_t)sth.tree_size, "timestamp", (json_int_t)sth.timestamp);
		if ((rc = json_object_set_new(c->json, "log", facts) ? JCS_ENOMEM : 0))
			goto out;
	}
	{
		bool mismatch;
		if ((rc = check_docs(in, c, &mismatch, err)) || mismatch)
			goto out;
	}
	if (pc.ss.n) {
		if ((rc = jcs_status_verify(pc.ss.p, pc.ss.n, pub, &status, err))) {
			rc = evidence_fail(c, "status statement", err, JCS_LABEL_BAD_SIGNATURE, rc);
			goto out;
		}
		sc.status = &status;
	}
	if ((rc = jcs_envelope_canonical(pc.l.p, pc.l.n, &leaf, err)))
		goto out;
	if ((rc = jcs_tlog_leaf_hash(leaf.data, leaf.len, lh))) {
		rc = jcs_err_set(err, rc, "out of memory");
		goto out;
	}
	jcs_hash_hex(lh, leafhex);
	sc.leaf_hash = leafhex;
	if (in->date)
		snprintf(today, sizeof(today), "%s", in->date);
	else
		jcs_date_of((time_t)(sc.now_ms / 1000), today, sizeof(today));
	if ((rc = jcs_label_state(c->label, today, rl, &sc, &st, err)))
		goto out;
	if (sc.status) {
		facts = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:b}", "status", jcs_reg_status_name(status.status),
				  "label_index", (json_int_t)status.label_index, "status_index",
				  (json_int_t)status.status_index, "tree_size", (json_int_t)status.tree_size, "produced",
				  (json_int_t)status.produced, "next_update", (json_int_t)status.next_update, "checked",
				  st.status_checked);
		if ((rc = json_object_set_new(c->json, "status_statement", facts) ? JCS_ENOMEM : 0))
			goto out;
	}
	c->verdict = st.verdict;
	c->status_checked = st.status_checked;
	c->unchecked_why = st.status_checked ? NULL : st.unchecked_why;
	line[0] = 0;
	if (st.by)
		snprintf(line, sizeof(line), "%s since %s: %s", jcs_label_status_name(st.by->status), st.by->effective,
			 st.by->reason);
	else if (st.verdict == JCS_VERDICT_UNCHECKED)
		snprintf(line, sizeof(line), "%s", st.unchecked_why);
	else if (st.verdict == JCS_VERDICT_SUPERSEDED)
		snprintf(line, sizeof(line), "the log holds a newer credential (leaf %llu)",
			 (unsigned long long)status.label_index);
	else if (sc.status && (st.verdict == JCS_VERDICT_REVOKED || st.verdict == JCS_VERDICT_SUSPENDED))
		snprintf(line, sizeof(line), "%s in the registry's log (entry %llu)", jcs_reg_status_name(status.status),
			 (unsigned long long)status.status_index);
	else if (st.verdict != JCS_VERDICT_VALID)
		snprintf(line, sizeof(line), "on %s", today);
	rc = conclude(c,
		      st.verdict == JCS_VERDICT_VALID       ? JCS_LABEL_VALID
		      : st.verdict == JCS_VERDICT_UNCHECKED ? JCS_LABEL_UNCHECKED
							    : JCS_LABEL_NOT_VALID,
		      jcs_label_verdict_name(st.verdict), line[0] ? line : NULL);
out:
	jcs_revlist_free(rl);
	jcs_buf_free(&leaf);
	pieces_close(&pc);
	return rc == JCS_ENOMEM ? jcs_err_set(err, rc, "out of memory") : rc;
}

int jcs_label_check(const struct jcs_key *pub, const struct jcs_label_check_in *in, struct jcs_label_check **out,
		    struct jcs_err *err)
{
	struct jcs_label_check *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (!c || !(c->json = json_pack("{s:n, s:n, s:n, s:n}", "log", "revocations", "status_statement", "documents"))) {
		free(c);
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	}
	c->outcome = JCS_LABEL_BAD_SIGNATURE; /* never valid by default */
	c->verdict = JCS_VERDICT_UNCHECKED;
	if ((rc = check(pub, in, c, err))) {
		jcs_label_check_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

enum jcs_label_outcome jcs_label_check_outcome(const struct jcs_label_check *c)
{
	return c->outcome;
}

enum jcs_label_verdict jcs_label_check_verdict(const struct jcs_label_check *c)
{
	return c->verdict;
}

const char *jcs_label_check_status(const struct jcs_label_check *c)
{
	return c->status;
}

const char *jcs_label_check_detail(const struct jcs_label_check *c)
{
	return c->detail[0] ? c->detail : NULL;
}

bool jcs_label_check_status_checked(const struct jcs_label_check *c, const char **why)
{
	if (why)
		*why = c->unchecked_why;
	return c->status_checked;
}

const struct jcs_label *jcs_label_check_label(const struct jcs_label_check *c)
{
	return c->label;
}

const json_t *jcs_label_check_json(const struct jcs_label_check *c)
{
	return c->json;
}

void jcs_label_check_free(struct jcs_label_check *c)
{
	if (!c)
		return;
	jcs_label_free(c->label);
	json_decref(c->json);
	free(c);
}
