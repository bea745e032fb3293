/* jcstar label: keys, signing, offline verification, rendering and a file-based log of
 * label credentials (docs/jcstar-label.1.md, format: docs/label-credential.md). */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "registry/label.h"
#include "registry/tlog.h"

/* Exit codes of `jcstar label verify` beyond the common ones (docs/jcstar-label.1.md). */
enum { EXIT_BAD_SIGNATURE = 4, EXIT_NOT_IN_LOG = 5, EXIT_UNCHECKED = 6 };

#define LOG_MAX_ENTRIES 100000

static int read_input(const char *path, size_t max, struct jcs_buf *b, struct jcs_err *err)
{
	int rc = jcs_read_file(path, max, b, err);
	if (!rc && !b->data)
		rc = jcs_buf_reserve(b, 1);
	return rc;
}

static int load_key(const char *path, bool need_private, struct jcs_key **k)
{
	struct jcs_err err = {0};

	if (!path) {
		cli_error("--key FILE is required");
		return EXIT_USAGE;
	}
	if (jcs_key_load(path, k, &err))
		return cli_fail(&err);
	if (need_private && !jcs_key_is_private(*k)) {
		cli_error("%s: a private key is needed to sign", path);
		jcs_key_free(*k);
		*k = NULL;
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int write_out(const char *path, const char *data, size_t len)
{
	struct jcs_err err = {0};
	return jcs_write_file_atomic(path ? path : "-", data, len, &err) ? cli_fail(&err) : EXIT_OK;
}

/* ------------------------------------------------------------- keygen, pubkey */

static int label_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, NULL, 'o'}, {"pub", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *out = NULL, *pub = NULL;
	struct jcs_key *k = NULL;
	struct jcs_err err = {0};
	char *pem = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:p:h", opts, NULL)) != -1)
		switch (c) {
		case 'o': out = optarg; break;
		case 'p': pub = optarg; break;
		case 'h':
			printf("usage: jcstar label keygen --out KEY.pem [--pub PUB.pem]\n"
			       "Generate the registry's Ed25519 signing key (PKCS#8 PEM, mode 0600, never\n"
			       "overwritten) and write its public key to --pub or stdout.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	if (!out || optind != argc) {
		cli_error("usage: jcstar label keygen --out KEY.pem [--pub PUB.pem]");
		return EXIT_USAGE;
	}
	if (jcs_key_generate(&k, &err) || jcs_key_save(k, out, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	pem = jcs_key_public_pem(k);
	rc = pem ? write_out(pub, pem, strlen(pem)) : EXIT_RUNTIME;
	if (rc == EXIT_OK)
		fprintf(stderr, "jcstar: key %s written to %s (key id %s)\n", "Ed25519", out, jcs_key_id(k));
out:
	free(pem);
	jcs_key_free(k);
	return rc;
}

static int label_pubkey(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'}, {"out", required_argument, NULL, 'o'},
		{"id", no_argument, NULL, 'i'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *key = NULL, *out = NULL;
	struct jcs_key *k = NULL;
	bool id = false;
	char *pem;
	int c, rc;

	while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1)
		switch (c) {
		case 'k': key = optarg; break;
		case 'o': out = optarg; break;
		case 'i': id = true; break;
		case 'h':
			printf("usage: jcstar label pubkey --key KEY.pem [-o PUB.pem] [--id]\n"
			       "Print the public key (SPKI PEM) of a key file, or with --id its key id.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	if ((rc = load_key(key, false, &k)))
		return rc;
	if (id) {
		printf("%s\n", jcs_key_id(k));
		jcs_key_free(k);
		return EXIT_OK;
	}
	pem = jcs_key_public_pem(k);
	rc = pem ? write_out(out, pem, strlen(pem)) : EXIT_RUNTIME;
	free(pem);
	jcs_key_free(k);
	return rc;
}

/* ------------------------------------------------------------- sign, revoke */

static int label_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},      {"regno", required_argument, NULL, 'r'},
		{"vendor", required_argument, NULL, 'v'},   {"product", required_argument, NULL, 'p'},
		{"model", required_argument, NULL, 'm'},    {"level", required_argument, NULL, 'l'},
		{"issued", required_argument, NULL, 'i'},   {"expires", required_argument, NULL, 'e'},
		{"status", required_argument, NULL, 's'},   {"registry", required_argument, NULL, 'R'},
		{"url", required_argument, NULL, 'u'},      {"signed-at", required_argument, NULL, 'S'},
		{"out", required_argument, NULL, 'o'},      {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct jcs_label l = {.status = JCS_LSTAT_VALID};
	const char *key = NULL, *out = NULL, *models[JCS_LABEL_MAX_MODELS];
	struct jcs_key *k = NULL;
	struct jcs_err err = {0};
	char today[11], expires[11], *s = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1)
		switch (c) {
		case 'k': key = optarg; break;
		case 'r': l.registration_number = optarg; break;
		case 'v': l.vendor = optarg; break;
		case 'p': l.product = optarg; break;
		case 'm':
			if (l.nmodels == JCS_LABEL_MAX_MODELS) {
				cli_error("at most %d --model", JCS_LABEL_MAX_MODELS);
				return EXIT_USAGE;
			}
			models[l.nmodels++] = optarg;
			break;
		case 'l': l.level = atoi(optarg); break;
		case 'i': l.issued = optarg; break;
		case 'e': l.expires = optarg; break;
		case 's':
			if (!strcmp(optarg, "valid")) l.status = JCS_LSTAT_VALID;
			else if (!strcmp(optarg, "suspended")) l.status = JCS_LSTAT_SUSPENDED;
			else if (!strcmp(optarg, "revoked")) l.status = JCS_LSTAT_REVOKED;
			else {
				cli_error("--status: valid, suspended or revoked");
				return EXIT_USAGE;
			}
			break;
		case 'R': l.registry = optarg; break;
		case 'u': l.url = optarg; break;
		case 'S': l.signed_at = optarg; break;
		case 'o': out = optarg; break;
		case 'h':
			printf("usage: jcstar label sign --key KEY.pem --regno JCS-L-YYYY-NNNNNN --vendor NAME\n"
			       "         --product NAME --model M [--model M ...] --level N --registry ID --url URL\n"
			       "         [--issued YYYY-MM-DD (today)] [--expires YYYY-MM-DD (issued + 2 years)]\n"
			       "         [--status valid|suspended|revoked] [--signed-at TIME] [-o FILE]\n"
			       "Sign a label credential (for offline operators and tests; the registry signs its own).\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	if (optind != argc) {
		cli_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	l.models = models;
	if (!l.issued) {
		jcs_date_of(time(NULL), today, sizeof(today));
		l.issued = today;
	}
	if (!l.expires) {
		if (jcs_date_add_years(l.issued, 2, expires, sizeof(expires))) {
			cli_error("--issued: not a date (YYYY-MM-DD): %s", l.issued);
			return EXIT_USAGE;
		}
		l.expires = expires;
	}
	if ((rc = load_key(key, true, &k)))
		return rc;
	if (jcs_label_sign(&l, k, &s, &err))
		rc = cli_fail(&err);
	else
		rc = write_out(out, s, strlen(s));
	free(s);
	jcs_key_free(k);
	return rc;
}

static int label_revoke(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},      {"regno", required_argument, NULL, 'r'},
		{"reason", required_argument, NULL, 'w'},   {"suspend", no_argument, NULL, 'u'},
		{"effective", required_argument, NULL, 'e'}, {"registry", required_argument, NULL, 'R'},
		{"signed-at", required_argument, NULL, 'S'}, {"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	struct jcs_revocation r = {.status = JCS_LSTAT_REVOKED};
	const char *key = NULL, *out = NULL;
	struct jcs_key *k = NULL;
	struct jcs_err err = {0};
	char today[11], *s = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1)
		switch (c) {
		case 'k': key = optarg; break;
		case 'r': r.registration_number = optarg; break;
		case 'w': r.reason = optarg; break;
		case 'u': r.status = JCS_LSTAT_SUSPENDED; break;
		case 'e': r.effective = optarg; break;
		case 'R': r.registry = optarg; break;
		case 'S': r.signed_at = optarg; break;
		case 'o': out = optarg; break;
		case 'h':
			printf("usage: jcstar label revoke --key KEY.pem --regno REGNO --reason TEXT --registry ID\n"
			       "         [--suspend] [--effective YYYY-MM-DD (today)] [--signed-at TIME] [-o FILE]\n"
			       "Sign a revocation (final) or, with --suspend, a suspension of a label.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	if (optind != argc) {
		cli_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!r.effective) {
		jcs_date_of(time(NULL), today, sizeof(today));
		r.effective = today;
	}
	if ((rc = load_key(key, true, &k)))
		return rc;
	if (jcs_revocation_sign(&r, k, &s, &err))
		rc = cli_fail(&err);
	else
		rc = write_out(out, s, strlen(s));
	free(s);
	jcs_key_free(k);
	return rc;
}

/* ------------------------------------------------------------- verify */

struct verify_opts {
	const char *file, *key, *revocations, *proof, *sth, *status, *at, *now;
	bool json;
};

/* The pieces a verification reads: from their own files, or from a label bundle
 * (jcstar.label-bundle/1, what the registry's /bundle serves) given as FILE. */
struct verify_in {
	struct jcs_buf label, proof, sth, status;
	bool bundle;
};

#define BUNDLE_MAX (4 * JCS_STMT_MAX)

static void verify_in_free(struct verify_in *in)
{
	jcs_buf_free(&in->label);
	jcs_buf_free(&in->proof);
	jcs_buf_free(&in->sth);
	jcs_buf_free(&in->status);
}

static int bundle_part(const json_t *b, const char *key, struct jcs_buf *out)
{
	const json_t *v = json_object_get(b, key);
	char *s;
	int rc;

	if (!v)
		return 0;
	if (!(s = json_dumps(v, JSON_COMPACT)))
		return JCS_ENOMEM;
	jcs_buf_reset(out);
	rc = jcs_buf_puts(out, s);
	free(s);
	return rc;
}

static int read_part(const char *path, size_t max, struct jcs_buf *b, struct jcs_err *err)
{
	if (!path)
		return 0;
	jcs_buf_reset(b);
	return read_input(path, max, b, err);
}

static int load_inputs(const struct verify_opts *o, struct verify_in *in, struct jcs_err *err)
{
	json_t *doc;
	int rc = read_part(o->file, BUNDLE_MAX, &in->label, err);

	if (rc)
		return rc;
	doc = json_loadb(in->label.data, in->label.len, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(doc) && json_is_string(json_object_get(doc, "schema")) &&
	    strcmp(json_string_value(json_object_get(doc, "schema")), "jcstar.label-bundle/1") == 0) {
		in->bundle = true;
		rc = bundle_part(doc, "inclusion", &in->proof) || bundle_part(doc, "sth", &in->sth) ||
		     bundle_part(doc, "status", &in->status) || bundle_part(doc, "label", &in->label) ? JCS_ENOMEM : 0;
	} else if (in->label.len > JCS_STMT_MAX) {
		rc = jcs_err_set(err, JCS_ELIMIT, "%s: larger than %d bytes", o->file, JCS_STMT_MAX);
	}
	json_decref(doc);
	if (!rc)
		rc = read_part(o->proof, JCS_STMT_MAX, &in->proof, err);
	if (!rc)
		rc = read_part(o->sth, JCS_STMT_MAX, &in->sth, err);
	if (!rc)
		rc = read_part(o->status, JCS_STMT_MAX, &in->status, err);
	return rc;
}

static void print_label(const struct jcs_label *l)
{
	printf("  product      %s (", l->product);
	for (size_t i = 0; i < l->nmodels; i++)
		printf("%s%s", i ? ", " : "", l->models[i]);
	printf(")\n  vendor       %s\n  level        ★%d\n  issued       %s, expires %s\n", l->vendor, l->level,
	       l->issued, l->expires);
	printf("  page         %s\n  registry     %s\n  signed       %s by key %.16s…\n", l->url, l->registry,
	       l->signed_at, l->key_id);
}

static json_t *label_json(const struct jcs_label *l)
{
	json_t *m = json_array();
	for (size_t i = 0; i < l->nmodels; i++)
		json_array_append_new(m, json_string(l->models[i]));
	return json_pack("{s:s, s:s, s:s, s:o, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "registration_number",
			 l->registration_number, "vendor", l->vendor, "product", l->product, "models", m, "level",
			 l->level, "issued", l->issued, "expires", l->expires, "status",
			 jcs_label_status_name(l->status), "registry", l->registry, "url", l->url, "signed_at",
			 l->signed_at, "key_id", l->key_id);
}

/* What was checked besides the signature (JSON members "log", "revocations", "status"). */
struct verify_facts {
	json_t *log, *rev, *status;
};

static void facts_free(struct verify_facts *f)
{
	json_decref(f->log);
	json_decref(f->rev);
	json_decref(f->status);
	memset(f, 0, sizeof(*f));
}

static int report(const struct verify_opts *o, const char *status, const char *detail, const struct jcs_label *l,
		  struct verify_facts *f, int code)
{
	if (o->json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:i}", "schema", "jcstar.label-verify/1", "file", o->file,
				      "status", status, "exit_code", code);
		if (detail)
			json_object_set_new(j, "detail", json_string(detail));
		if (l)
			json_object_set_new(j, "label", label_json(l));
		json_object_set(j, "log", f->log ? f->log : json_null());
		json_object_set(j, "revocations", f->rev ? f->rev : json_null());
		json_object_set(j, "status_statement", f->status ? f->status : json_null());
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(j);
	} else {
		printf("%s: %s%s%s\n", l ? l->registration_number : o->file, status, detail ? ": " : "",
		       detail ? detail : "");
		if (l)
			print_label(l);
	}
	facts_free(f);
	return code;
}

/* Report a failure of one piece of evidence: a bad signature (exit 4), "not in log" (exit 5)
 * or malformed input (cli_fail). */
static int evidence_fail(const struct verify_opts *o, const char *what, struct jcs_err *err,
			 const struct jcs_label *l, struct verify_facts *f, const char *verdict, int code)
{
	char line[2 * sizeof(err->msg)];

	snprintf(line, sizeof(line), "%s: %s", what, err->msg);
	if (err->code == JCS_ECRYPTO)
		return report(o, verdict, line, l, f, code);
	facts_free(f);
	jcs_err_set(err, err->code, "%s", line);
	return cli_fail(err);
}

static int parse_now(const char *s, uint64_t *ms)
{
	struct tm tm = {0};
	const char *end;

	if (!s) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		*ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
		return 0;
	}
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end || tm.tm_year < 70)
		return JCS_EPARSE;
	*ms = (uint64_t)timegm(&tm) * 1000;
	return 0;
}

static int do_verify(const struct verify_opts *o)
{
	struct verify_in in = {JCS_BUF_INIT, JCS_BUF_INIT, JCS_BUF_INIT, JCS_BUF_INIT, false};
	struct jcs_buf aux = JCS_BUF_INIT, leaf = JCS_BUF_INIT;
	struct verify_facts f = {0};
	struct jcs_key *k = NULL;
	struct jcs_label *l = NULL;
	struct jcs_revlist *rl = NULL;
	struct jcs_label_state st;
	struct jcs_status status;
	struct jcs_status_check sc = {0};
	struct jcs_sth sth;
	struct jcs_err err = {0};
	char today[11], line[2 * sizeof(err.msg)], leafhex[JCS_HASH_HEX + 1];
	jcs_hash lh;
	int rc;

	if ((rc = load_key(o->key, false, &k)))
		return rc;
	if (parse_now(o->now, &sc.now_ms)) {
		cli_error("--now: not a time (YYYY-MM-DDTHH:MM:SSZ): %s", o->now);
		rc = EXIT_USAGE;
		goto out;
	}
	if (load_inputs(o, &in, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	if (in.proof.len && !in.sth.len) {
		cli_error("an inclusion proof needs the signed tree head it refers to (--sth)");
		rc = EXIT_USAGE;
		goto out;
	}
	rc = jcs_label_verify(in.label.data, in.label.len, k, &l, &err);
	if (rc == JCS_ECRYPTO) {
		rc = report(o, "bad signature", err.msg, NULL, &f, EXIT_BAD_SIGNATURE);
		goto out;
	}
	if (rc) {
		rc = cli_fail(&err);
		goto out;
	}
	if (o->revocations) {
		if (read_input(o->revocations, JCS_REVLIST_MAX, &aux, &err) ||
		    jcs_revlist_verify(aux.data, aux.len, k, &rl, &err)) {
			snprintf(line, sizeof(line), "revocation list %s", o->revocations);
			rc = evidence_fail(o, line, &err, NULL, &f, "bad signature", EXIT_BAD_SIGNATURE);
			goto out;
		}
		f.rev = json_pack("{s:s, s:I}", "file", o->revocations, "entries", (json_int_t)jcs_revlist_count(rl));
	}
	if (in.sth.len) {
		if (jcs_sth_verify(in.sth.data, in.sth.len, k, &sth, &err)) {
			rc = evidence_fail(o, "tree head", &err, l, &f, "not in log", EXIT_NOT_IN_LOG);
			goto out;
		}
		sc.sth = &sth;
	}
	if (in.proof.len) {
		struct jcs_inclusion proof;

		if (jcs_inclusion_parse(in.proof.data, in.proof.len, &proof, &err)) {
			rc = evidence_fail(o, "inclusion proof", &err, l, &f, "not in log", EXIT_NOT_IN_LOG);
			goto out;
		}
		if (jcs_tlog_check_inclusion(in.label.data, in.label.len, &proof, &sth, &err)) {
			rc = report(o, "not in log", err.msg, l, &f, EXIT_NOT_IN_LOG);
			goto out;
		}
		f.log = json_pack("{s:b, s:I, s:I, s:I}", "included", 1, "leaf_index", (json_int_t)proof.leaf_index,
				  "tree_size", (json_int_t)sth.tree_size, "timestamp", (json_int_t)sth.timestamp);
	}
	if (in.status.len) {
		if (jcs_status_verify(in.status.data, in.status.len, k, &status, &err)) {
			rc = evidence_fail(o, "status statement", &err, l, &f, "bad signature", EXIT_BAD_SIGNATURE);
			goto out;
		}
		sc.status = &status;
		f.status = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "status", jcs_reg_status_name(status.status),
				     "label_index", (json_int_t)status.label_index, "status_index",
				     (json_int_t)status.status_index, "tree_size", (json_int_t)status.tree_size,
				     "produced", (json_int_t)status.produced, "next_update",
				     (json_int_t)status.next_update);
	}
	if (jcs_envelope_canonical(in.label.data, in.label.len, &leaf, &err) ||
	    jcs_tlog_leaf_hash(leaf.data, leaf.len, lh)) {
		rc = cli_fail(&err);
		goto out;
	}
	jcs_hash_hex(lh, leafhex);
	sc.leaf_hash = leafhex;
	if (o->at)
		snprintf(today, sizeof(today), "%s", o->at);
	else
		jcs_date_of((time_t)(sc.now_ms / 1000), today, sizeof(today));
	if (jcs_label_state(l, today, rl, &sc, &st, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	if (f.status)
		json_object_set_new(f.status, "checked", json_boolean(st.status_checked));
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
	rc = report(o, jcs_label_verdict_name(st.verdict), line[0] ? line : NULL, l, &f,
		    st.verdict == JCS_VERDICT_VALID       ? EXIT_OK
		    : st.verdict == JCS_VERDICT_UNCHECKED ? EXIT_UNCHECKED
							  : EXIT_FINDINGS);
	if (!o->json) {
		printf("  signature    good\n");
		printf("  log          %s\n", in.proof.len ? "included (inclusion proof checked against the signed tree head)"
						    : "not checked (no inclusion proof and tree head)");
		if (st.status_checked)
			printf("  status       checked: %s at log entry %llu of %llu (statement good until %llu ms)\n",
			       jcs_reg_status_name(status.status), (unsigned long long)status.status_index,
			       (unsigned long long)status.tree_size, (unsigned long long)status.next_update);
		else
			printf("  status       not checked (%s)\n", st.unchecked_why ? st.unchecked_why : "?");
		printf("  revocations  %s\n", o->revocations ? "checked" : "not checked (no --revocations)");
	}
out:
	facts_free(&f);
	jcs_revlist_free(rl);
	jcs_label_free(l);
	jcs_key_free(k);
	verify_in_free(&in);
	jcs_buf_free(&aux);
	jcs_buf_free(&leaf);
	return rc;
}

static int label_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},     {"revocations", required_argument, NULL, 'r'},
		{"proof", required_argument, NULL, 'p'},   {"sth", required_argument, NULL, 's'},
		{"status", required_argument, NULL, 'S'},  {"now", required_argument, NULL, 'n'},
		{"at", required_argument, NULL, 'a'},      {"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	struct verify_opts o = {0};
	int c;

	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1)
		switch (c) {
		case 'k': o.key = optarg; break;
		case 'r': o.revocations = optarg; break;
		case 'p': o.proof = optarg; break;
		case 's': o.sth = optarg; break;
		case 'S': o.status = optarg; break;
		case 'n': o.now = optarg; break;
		case 'a': o.at = optarg; break;
		case 'j': o.json = true; break;
		case 'h':
			printf("usage: jcstar label verify FILE|BUNDLE|- --key PUB.pem [--status FILE]\n"
			       "         [--proof FILE --sth FILE] [--revocations FILE] [--at YYYY-MM-DD]\n"
			       "         [--now YYYY-MM-DDTHH:MM:SSZ] [--json]\n"
			       "Check a label credential (or the registry's offline bundle) against the registry's\n"
			       "public key. 'valid' needs a fresh status statement for this credential.\n"
			       "exit: 0 valid, 1 expired/expiry grace/not yet valid/suspended/revoked/superseded,\n"
			       "      2 usage or malformed input, 3 runtime error, 4 bad signature, 5 not in log,\n"
			       "      6 status not checked (no fresh status statement)\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	if (optind != argc - 1 || !o.key) {
		cli_error("usage: jcstar label verify FILE|BUNDLE|- --key PUB.pem [--status FILE] [--proof FILE --sth FILE]");
		return EXIT_USAGE;
	}
	if (o.proof && !o.sth) {
		cli_error("--proof needs --sth");
		return EXIT_USAGE;
	}
	if (o.at && !jcs_date_valid(o.at)) {
		cli_error("--at: not a date (YYYY-MM-DD): %s", o.at);
		return EXIT_USAGE;
	}
	o.file = argv[optind];
	return do_verify(&o);
}

/* ------------------------------------------------------------- render */

static int label_render(int argc, char **argv)
{
	static const struct option opts[] = {
		{"svg", required_argument, NULL, 's'}, {"png", required_argument, NULL, 'p'},
		{"dpi", required_argument, NULL, 'd'}, {"width-mm", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *svg = NULL, *png = NULL;
	struct jcs_buf text = JCS_BUF_INIT, img = JCS_BUF_INIT;
	struct jcs_label *l = NULL;
	struct jcs_err err = {0};
	int c, dpi = JCS_LABEL_DPI, rc = EXIT_OK;
	double width_mm = JCS_LABEL_WIDTH_MM;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		switch (c) {
		case 's': svg = optarg; break;
		case 'p': png = optarg; break;
		case 'd': dpi = atoi(optarg); break;
		case 'w': width_mm = atof(optarg); break;
		case 'h':
			printf("usage: jcstar label render FILE|- [--svg OUT.svg] [--png OUT.png] [--dpi N] [--width-mm W]\n"
			       "Draw the label of a credential (JC-STAR, level stars, QR code of its page,\n"
			       "registration number). The PNG is the SVG printed W mm wide (default %d) at\n"
			       "N dots per inch or more (default %d).\n"
			       "Rendering does not verify the signature; use 'jcstar label verify' for that.\n",
			       JCS_LABEL_WIDTH_MM, JCS_LABEL_DPI);
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	if (optind != argc - 1 || (!svg && !png)) {
		cli_error("usage: jcstar label render FILE|- [--svg OUT.svg] [--png OUT.png] [--dpi N] [--width-mm W]");
		return EXIT_USAGE;
	}
	if (read_input(argv[optind], JCS_STMT_MAX, &text, &err) || jcs_label_parse(text.data, text.len, &l, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	if (svg) {
		if (jcs_label_svg(l, &img, &err)) {
			rc = cli_fail(&err);
			goto out;
		}
		if ((rc = write_out(svg, img.data, img.len)))
			goto out;
	}
	if (png) {
		jcs_buf_reset(&img);
		if (jcs_label_png(l, dpi, width_mm, &img, &err)) {
			rc = cli_fail(&err);
			goto out;
		}
		rc = write_out(png, img.data, img.len);
	}
out:
	jcs_label_free(l);
	jcs_buf_free(&text);
	jcs_buf_free(&img);
	return rc;
}

/* ------------------------------------------------------------- log */

/* Build a transparency log of the given statements (in order) and write its signed tree
 * head and one inclusion proof per statement: what the registry serves, for offline use. */
/* One log entry of `label log`: its file, text and registration number. */
struct log_entry {
	size_t index;
	char regno[JCS_REGNO_MAX];
	bool is_label;
};

static int by_regno(const void *a, const void *b)
{
	const struct log_entry *x = a, *y = b;
	int c = strcmp(x->regno, y->regno);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* DIR/NAME.status.json for every label credential: the status statement of its registration
 * at the tree head, derived from the entries in log order (jcs_status_acc). */
static int log_statuses(const struct jcs_key *k, const char *registry, char **files, size_t n, const uint8_t *leaves,
			const jcs_hash root, uint64_t now_ms, const char *dir, struct jcs_err *err)
{
	struct log_entry *e = calloc(n, sizeof(*e));
	struct jcs_buf text = JCS_BUF_INIT, path = JCS_BUF_INIT;
	char today[11], roothex[JCS_HASH_HEX + 1], leafhex[JCS_HASH_HEX + 1];
	int rc = e ? 0 : jcs_err_set(err, JCS_ENOMEM, "out of memory");

	for (size_t i = 0; !rc && i < n; i++) {
		struct jcs_label *l = NULL;
		struct jcs_revocation *r = NULL;

		jcs_buf_reset(&text);
		e[i].index = i;
		if ((rc = read_input(files[i], JCS_STMT_MAX, &text, err)))
			break;
		if (jcs_label_verify(text.data, text.len, k, &l, err) == 0) {
			snprintf(e[i].regno, sizeof(e[i].regno), "%s", l->registration_number);
			e[i].is_label = true;
		} else if (jcs_revocation_verify(text.data, text.len, k, &r, err) == 0) {
			snprintf(e[i].regno, sizeof(e[i].regno), "%s", r->registration_number);
		} /* anything else (a tree head) concerns no registration */
		jcs_label_free(l);
		jcs_revocation_free(r);
	}
	if (!rc)
		qsort(e, n, sizeof(*e), by_regno);
	jcs_date_of((time_t)(now_ms / 1000), today, sizeof(today));
	jcs_hash_hex(root, roothex);
	for (size_t g = 0; !rc && g < n;) {
		struct jcs_status_acc acc = {0};
		size_t end = g;
		char *st = NULL;

		while (end < n && strcmp(e[end].regno, e[g].regno) == 0)
			end++;
		snprintf(acc.st.registration_number, sizeof(acc.st.registration_number), "%s", e[g].regno);
		snprintf(acc.st.registry, sizeof(acc.st.registry), "%s", registry);
		for (size_t j = g; e[g].regno[0] && !rc && j < end; j++) {
			jcs_buf_reset(&text);
			jcs_hash_hex(leaves + e[j].index * JCS_HASH_LEN, leafhex);
			if (!(rc = read_input(files[e[j].index], JCS_STMT_MAX, &text, err)))
				rc = jcs_status_acc_add(&acc, e[j].index, text.data, text.len, leafhex, k, err);
		}
		if (e[g].regno[0] && !rc && !(rc = jcs_status_acc_finish(&acc, today, n, roothex, now_ms, err)))
			rc = jcs_status_sign(&acc.st, k, &st, err);
		for (size_t j = g; e[g].regno[0] && !rc && j < end; j++) {
			char *name;
			if (!e[j].is_label)
				continue;
			name = strdup(files[e[j].index]);
			jcs_buf_reset(&path);
			jcs_buf_printf(&path, "%s/%s.status.json", dir, name ? basename(name) : "x");
			free(name);
			rc = jcs_write_file_atomic(path.data, st, strlen(st), err);
		}
		free(st);
		g = end;
	}
	free(e);
	jcs_buf_free(&text);
	jcs_buf_free(&path);
	return rc;
}

static int label_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'}, {"out-dir", required_argument, NULL, 'd'},
		{"registry", required_argument, NULL, 'R'}, {"consistency-from", required_argument, NULL, 'c'},
		{"now", required_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *key = NULL, *dir = NULL, *registry = NULL, *now = NULL;
	uint64_t now_ms;
	struct jcs_buf text = JCS_BUF_INIT, leaf = JCS_BUF_INIT, path = JCS_BUF_INIT;
	struct jcs_key *k = NULL;
	struct jcs_err err = {0};
	struct jcs_sth sth = {0};
	uint8_t *leaves = NULL;
	long from = 0;
	size_t n;
	char *s = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1)
		switch (c) {
		case 'k': key = optarg; break;
		case 'd': dir = optarg; break;
		case 'R': registry = optarg; break;
		case 'c': from = atol(optarg); break;
		case 'n': now = optarg; break;
		case 'h':
			printf("usage: jcstar label log --key KEY.pem --registry ID --out-dir DIR [--consistency-from M]\n"
			       "         [--now YYYY-MM-DDTHH:MM:SSZ] STATEMENT...\n"
			       "Append signed statements (labels, revocations) in order to a new RFC 6962 log and write\n"
			       "DIR/sth.json (signed tree head), DIR/NAME.proof.json (inclusion proof of each\n"
			       "statement), DIR/NAME.status.json (status statement of each label's registration at\n"
			       "that tree head, produced --now, good for a day) and with --consistency-from M,\n"
			       "DIR/consistency.json (tree M to all).\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	n = (size_t)(argc - optind);
	if (!dir || !registry || n == 0 || n > LOG_MAX_ENTRIES || from < 0 || (size_t)from > n) {
		cli_error("usage: jcstar label log --key KEY.pem --registry ID --out-dir DIR STATEMENT... "
			  "(1..%d statements; 0 <= M <= count)", LOG_MAX_ENTRIES);
		return EXIT_USAGE;
	}
	if (parse_now(now, &now_ms)) {
		cli_error("--now: not a time (YYYY-MM-DDTHH:MM:SSZ): %s", now);
		return EXIT_USAGE;
	}
	if ((rc = load_key(key, true, &k)))
		return rc;
	leaves = malloc(n * JCS_HASH_LEN);
	if (!leaves) {
		rc = EXIT_RUNTIME;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		jcs_buf_reset(&text);
		jcs_buf_reset(&leaf);
		if (read_input(argv[optind + i], JCS_STMT_MAX, &text, &err) ||
		    jcs_envelope_canonical(text.data, text.len, &leaf, &err) ||
		    jcs_tlog_leaf_hash(leaf.data, leaf.len, leaves + i * JCS_HASH_LEN)) {
			char why[sizeof(err.msg)];
			snprintf(why, sizeof(why), "%s", err.msg);
			jcs_err_set(&err, err.code, "%s: %s", argv[optind + i], why);
			rc = cli_fail(&err);
			goto out;
		}
	}
	sth.tree_size = n;
	jcs_tlog_root(leaves, n, sth.root);
	snprintf(sth.registry, sizeof(sth.registry), "%s", registry);
	if (jcs_sth_sign(&sth, k, &s, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	jcs_buf_printf(&path, "%s/sth.json", dir);
	if ((rc = write_out(path.data, s, strlen(s))))
		goto out;
	if (log_statuses(k, registry, argv + optind, n, leaves, sth.root, now_ms, dir, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct jcs_inclusion p = {.leaf_index = i, .tree_size = n};
		char *name = strdup(argv[optind + i]), *js;
		jcs_tlog_inclusion_proof(leaves, n, i, &p.path);
		js = jcs_inclusion_json(&p);
		jcs_buf_reset(&path);
		jcs_buf_printf(&path, "%s/%s.proof.json", dir, name ? basename(name) : "x");
		rc = js ? write_out(path.data, js, strlen(js)) : EXIT_RUNTIME;
		free(js);
		free(name);
		if (rc)
			goto out;
	}
	if (from > 0) {
		struct jcs_consistency cp = {.first = (uint64_t)from, .second = n};
		char *js;
		jcs_tlog_consistency_proof(leaves, n, (uint64_t)from, &cp.path);
		js = jcs_consistency_json(&cp);
		jcs_buf_reset(&path);
		jcs_buf_printf(&path, "%s/consistency.json", dir);
		rc = js ? write_out(path.data, js, strlen(js)) : EXIT_RUNTIME;
		free(js);
	}
out:
	free(s);
	free(leaves);
	jcs_key_free(k);
	jcs_buf_free(&text);
	jcs_buf_free(&leaf);
	jcs_buf_free(&path);
	return rc;
}

/* Check that tree head NEW extends tree head OLD (a monitor's check). */
static int label_consistency(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'}, {"old", required_argument, NULL, 'o'},
		{"new", required_argument, NULL, 'n'}, {"proof", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *key = NULL, *old = NULL, *new = NULL, *proof = NULL;
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_key *k = NULL;
	struct jcs_err err = {0};
	struct jcs_sth s1, s2;
	struct jcs_consistency cp;
	int c, rc;

	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1)
		switch (c) {
		case 'k': key = optarg; break;
		case 'o': old = optarg; break;
		case 'n': new = optarg; break;
		case 'p': proof = optarg; break;
		case 'h':
			printf("usage: jcstar label consistency --key PUB.pem --old STH --new STH --proof FILE\n"
			       "Check that the log of tree head NEW contains the log of tree head OLD unchanged\n"
			       "(RFC 6962 consistency proof). exit: 0 consistent, 5 not consistent.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	if (!old || !new || !proof || optind != argc) {
		cli_error("usage: jcstar label consistency --key PUB.pem --old STH --new STH --proof FILE");
		return EXIT_USAGE;
	}
	if ((rc = load_key(key, false, &k)))
		return rc;
	if (read_input(old, JCS_STMT_MAX, &b, &err) || jcs_sth_verify(b.data, b.len, k, &s1, &err) ||
	    (jcs_buf_reset(&b), read_input(new, JCS_STMT_MAX, &b, &err)) || jcs_sth_verify(b.data, b.len, k, &s2, &err) ||
	    (jcs_buf_reset(&b), read_input(proof, JCS_STMT_MAX, &b, &err)) ||
	    jcs_consistency_parse(b.data, b.len, &cp, &err)) {
		rc = err.code == JCS_ECRYPTO ? (cli_error("%s", err.msg), EXIT_NOT_IN_LOG) : cli_fail(&err);
		goto out;
	}
	if (cp.first != s1.tree_size || cp.second != s2.tree_size ||
	    jcs_tlog_consistency_verify(cp.first, cp.second, s1.root, s2.root, &cp.path)) {
		printf("inconsistent: tree %llu is not a prefix of tree %llu\n", (unsigned long long)s1.tree_size,
		       (unsigned long long)s2.tree_size);
		rc = EXIT_NOT_IN_LOG;
		goto out;
	}
	printf("consistent: tree %llu is a prefix of tree %llu\n", (unsigned long long)s1.tree_size,
	       (unsigned long long)s2.tree_size);
out:
	jcs_buf_free(&b);
	jcs_key_free(k);
	return rc;
}

/* ------------------------------------------------------------- dispatch */

static const struct label_cmd {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} label_cmds[] = {
	{"verify", label_verify, "check a label credential offline (signature, expiry, revocation, log)"},
	{"render", label_render, "draw a credential's label as SVG and/or PNG"},
	{"keygen", label_keygen, "generate a registry signing key"},
	{"pubkey", label_pubkey, "print the public key (or key id) of a key file"},
	{"sign", label_sign, "sign a label credential"},
	{"revoke", label_revoke, "sign a revocation or suspension"},
	{"log", label_log, "build a transparency log of statements: tree head and proofs"},
	{"consistency", label_consistency, "check that one tree head extends another"},
};

int cmd_label(int argc, char **argv)
{
	bool help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
	FILE *f = help ? stdout : stderr;

	if (argc >= 2 && !help) {
		for (size_t i = 0; i < sizeof(label_cmds) / sizeof(label_cmds[0]); i++)
			if (strcmp(argv[1], label_cmds[i].name) == 0)
				return label_cmds[i].fn(argc - 1, argv + 1);
		cli_error("unknown label command '%s'", argv[1]);
	}
	fprintf(f, "usage: jcstar label COMMAND [OPTIONS]   ('jcstar label COMMAND --help' for details)\n\n");
	for (size_t i = 0; i < sizeof(label_cmds) / sizeof(label_cmds[0]); i++)
		fprintf(f, "  %-12s %s\n", label_cmds[i].name, label_cmds[i].summary);
	return help ? EXIT_OK : EXIT_USAGE;
}
