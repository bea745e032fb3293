/* jcstar label: keys, signing, offline verification, rendering and a file-based log of
 * label credentials (docs/jcstar-label.1.md, format: docs/label-credential.md). */
#include <getopt.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "jcstar/buf.h"
#include "jcstar/digest.h"
#include "jcstar/label.h"
#include "jcstar/tlog.h"

/* `jcstar label verify`: a bad signature and a label not in the log are findings (the label is
 * not valid, exit 1, the status says which); 6 = status not checked; 7 = --report/--sbom is not
 * the file the label binds (docs/jcstar-label.1.md). */
enum { EXIT_BAD_SIGNATURE = EXIT_FINDINGS, EXIT_NOT_IN_LOG = EXIT_FINDINGS, EXIT_MISMATCH = 7 };

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

enum { O_PUB = CLI_OPT_FIRST_OWN };
static const struct cli_opt keygen_opts[] = {
	CLI_OUTPUT(N_("the new private key (PKCS#8 PEM, mode 0600, never overwritten); required")),
	{"pub", O_PUB, "FILE", N_("write the public key there (default stdout)"), false},
	{"out", CLI_OPT_OUTPUT, "FILE", N_("= -o"), true},
	{0},
};
const struct cli_cmd cli_spec_label_keygen = {"label keygen", "-o KEY.pem [--pub PUB.pem]",
	N_("Generate the registry's Ed25519 signing key and write its public key to --pub or stdout."),
	keygen_opts, 0, 0, "", N_("0 done\n2 usage\n3 the key file exists or cannot be written")};

static int label_keygen(int argc, char **argv)
{
	const char *out = NULL, *pub = NULL;
	struct jcs_key *k = NULL;
	struct jcs_err err = {0};
	char *pem = NULL;
	struct cli_parse p = {0};
	int c, rc;

	while ((c = cli_getopt(&p, &cli_spec_label_keygen, argc, argv)) != -1)
		switch (c) {
		case CLI_EXIT: return p.exit;
		case CLI_OPT_OUTPUT: out = p.arg; break;
		case O_PUB: pub = p.arg; break;
		default: break;
		}
	if (!out) {
		cli_error(_("label keygen: -o KEY.pem is required"));
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

enum { O_KEY = CLI_OPT_FIRST_OWN + 10, O_ID };
static const struct cli_opt pubkey_opts[] = {
	{"key", O_KEY, "FILE", N_("the key file (private or public PEM); required"), false},
	CLI_OUTPUT(N_("write the public key (SPKI PEM) to FILE (default stdout)")),
	{"id", O_ID, NULL, N_("print the key id instead"), false},
	{"out", CLI_OPT_OUTPUT, "FILE", N_("= -o"), true},
	{0},
};
const struct cli_cmd cli_spec_label_pubkey = {"label pubkey", "--key KEY.pem [-o PUB.pem] [--id]",
	N_("Print the public key (SPKI PEM) of a key file, or with --id its key id."),
	pubkey_opts, 0, 0, "", N_("0 done\n2 usage, a missing or malformed key file\n3 the key file is readable by others")};

static int label_pubkey(int argc, char **argv)
{
	const char *key = NULL, *out = NULL;
	struct jcs_key *k = NULL;
	bool id = false;
	char *pem;
	struct cli_parse p = {0};
	int c, rc;

	while ((c = cli_getopt(&p, &cli_spec_label_pubkey, argc, argv)) != -1)
		switch (c) {
		case CLI_EXIT: return p.exit;
		case O_KEY: key = p.arg; break;
		case CLI_OPT_OUTPUT: out = p.arg; break;
		case O_ID: id = true; break;
		default: break;
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

enum { S_KEY = CLI_OPT_FIRST_OWN + 20, S_REGNO, S_VENDOR, S_PRODUCT, S_MODEL, S_LEVEL, S_ISSUED, S_EXPIRES,
       S_STATUS, S_REGISTRY, S_URL, S_SIGNED, S_FIRMWARE, S_REPORT, S_SBOM };
static const struct cli_opt sign_opts[] = {
	{"key", S_KEY, "FILE", N_("the registry's private key; required"), false},
	{"regno", S_REGNO, "REGNO", N_("registration number JCS-L-YYYY-NNNNNN (L = level)"), false},
	{"vendor", S_VENDOR, "NAME", N_("the vendor"), false},
	{"product", S_PRODUCT, "NAME", N_("the product"), false},
	{"model", S_MODEL, "M", N_("a model number; repeatable"), false},
	{"level", S_LEVEL, "N", N_("the level (★N)"), false},
	{"issued", S_ISSUED, "YYYY-MM-DD", N_("date of issue (default today)"), false},
	{"expires", S_EXPIRES, "YYYY-MM-DD", N_("expiry (default issued + 2 years)"), false},
	{"status", S_STATUS, "STATUS", N_("valid (default), suspended or revoked"), false},
	{"registry", S_REGISTRY, "ID", N_("the registry's id"), false},
	{"url", S_URL, "URL", N_("the label's public page"), false},
	{"signed-at", S_SIGNED, "TIME", N_("signing time YYYY-MM-DDTHH:MM:SSZ (default now)"), false},
	{"report", S_REPORT, "FILE", N_("sign a jcstar.label/2 binding this report's SHA-256 (needs --firmware)"), false},
	{"sbom", S_SBOM, "FILE", N_("and this SBOM's (without it the label says there is none)"), false},
	{"firmware", S_FIRMWARE, "VERSION", N_("the firmware version a jcstar.label/2 binds"), false},
	CLI_OUTPUT(N_("write the credential to FILE (default stdout)")),
	{"out", CLI_OPT_OUTPUT, "FILE", N_("= -o"), true},
	{0},
};
const struct cli_cmd cli_spec_label_sign = {"label sign", "--key KEY.pem --regno REGNO --vendor NAME --product NAME --model M... --level N --registry ID --url URL [-o FILE]",
	N_("Sign a label credential (for offline operators and tests; the registry signs its own)."),
	sign_opts, 0, 0, "", N_("0 done\n2 usage or a field the credential format refuses\n3 runtime error")};

static int label_sign(int argc, char **argv)
{
	struct jcs_label l = {.status = JCS_LSTAT_VALID};
	const char *docs[2] = {NULL, NULL};
	char sha[2][JCS_SHA256_HEX];
	const char *key = NULL, *out = NULL, *models[JCS_LABEL_MAX_MODELS];
	struct jcs_key *k = NULL;
	struct jcs_err err = {0};
	char today[11], expires[11], *s = NULL;
	struct cli_parse p = {0};
	int c, rc;

	while ((c = cli_getopt(&p, &cli_spec_label_sign, argc, argv)) != -1)
		switch (c) {
		case CLI_EXIT: return p.exit;
		case S_KEY: key = p.arg; break;
		case S_REGNO: l.registration_number = p.arg; break;
		case S_VENDOR: l.vendor = p.arg; break;
		case S_PRODUCT: l.product = p.arg; break;
		case S_MODEL:
			if (l.nmodels == JCS_LABEL_MAX_MODELS) {
				cli_error("at most %d --model", JCS_LABEL_MAX_MODELS);
				return EXIT_USAGE;
			}
			models[l.nmodels++] = p.arg;
			break;
		case S_LEVEL: l.level = atoi(p.arg); break;
		case S_ISSUED: l.issued = p.arg; break;
		case S_EXPIRES: l.expires = p.arg; break;
		case S_STATUS:
			if (!strcmp(p.arg, "valid")) l.status = JCS_LSTAT_VALID;
			else if (!strcmp(p.arg, "suspended")) l.status = JCS_LSTAT_SUSPENDED;
			else if (!strcmp(p.arg, "revoked")) l.status = JCS_LSTAT_REVOKED;
			else {
				cli_error("--status: valid, suspended or revoked");
				return EXIT_USAGE;
			}
			break;
		case S_REGISTRY: l.registry = p.arg; break;
		case S_URL: l.url = p.arg; break;
		case S_SIGNED: l.signed_at = p.arg; break;
		case S_FIRMWARE: l.firmware = p.arg; break;
		case S_REPORT: docs[JCS_LABEL_DOC_REPORT] = p.arg; break;
		case S_SBOM: docs[JCS_LABEL_DOC_SBOM] = p.arg; break;
		case CLI_OPT_OUTPUT: out = p.arg; break;
		default: break;
		}
	l.models = models;
	for (int d = 0; d < 2; d++)
		if (docs[d] && jcs_sha256_file(docs[d], sha[d], NULL, &err))
			return cli_fail(&err);
	if (docs[JCS_LABEL_DOC_SBOM] && !docs[JCS_LABEL_DOC_REPORT]) {
		cli_error("--sbom needs --report (a jcstar.label/2 binds both)");
		return EXIT_USAGE;
	}
	l.report_sha256 = docs[JCS_LABEL_DOC_REPORT] ? sha[JCS_LABEL_DOC_REPORT] : NULL;
	l.sbom_sha256 = docs[JCS_LABEL_DOC_SBOM] ? sha[JCS_LABEL_DOC_SBOM] : NULL;
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

enum { R_KEY = CLI_OPT_FIRST_OWN + 40, R_REGNO, R_REASON, R_SUSPEND, R_EFFECTIVE, R_REGISTRY, R_SIGNED };
static const struct cli_opt revoke_opts[] = {
	{"key", R_KEY, "FILE", N_("the registry's private key; required"), false},
	{"regno", R_REGNO, "REGNO", N_("the label's registration number"), false},
	{"reason", R_REASON, "TEXT", N_("why"), false},
	{"suspend", R_SUSPEND, NULL, N_("a suspension (reversible) instead of a revocation (final)"), false},
	{"effective", R_EFFECTIVE, "YYYY-MM-DD", N_("from when (default today)"), false},
	{"registry", R_REGISTRY, "ID", N_("the registry's id"), false},
	{"signed-at", R_SIGNED, "TIME", N_("signing time YYYY-MM-DDTHH:MM:SSZ (default now)"), false},
	CLI_OUTPUT(N_("write the statement to FILE (default stdout)")),
	{"out", CLI_OPT_OUTPUT, "FILE", N_("= -o"), true},
	{0},
};
const struct cli_cmd cli_spec_label_revoke = {"label revoke", "--key KEY.pem --regno REGNO --reason TEXT --registry ID [--suspend] [-o FILE]",
	N_("Sign a revocation (final) or, with --suspend, a suspension of a label."),
	revoke_opts, 0, 0, "", N_("0 done\n2 usage\n3 runtime error")};

static int label_revoke(int argc, char **argv)
{
	struct jcs_revocation r = {.status = JCS_LSTAT_REVOKED};
	const char *key = NULL, *out = NULL;
	struct jcs_key *k = NULL;
	struct jcs_err err = {0};
	char today[11], *s = NULL;
	struct cli_parse p = {0};
	int c, rc;

	while ((c = cli_getopt(&p, &cli_spec_label_revoke, argc, argv)) != -1)
		switch (c) {
		case CLI_EXIT: return p.exit;
		case R_KEY: key = p.arg; break;
		case R_REGNO: r.registration_number = p.arg; break;
		case R_REASON: r.reason = p.arg; break;
		case R_SUSPEND: r.status = JCS_LSTAT_SUSPENDED; break;
		case R_EFFECTIVE: r.effective = p.arg; break;
		case R_REGISTRY: r.registry = p.arg; break;
		case R_SIGNED: r.signed_at = p.arg; break;
		case CLI_OPT_OUTPUT: out = p.arg; break;
		default: break;
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
	const char *docs[2]; /* --report, --sbom: files to check against the label */
	bool json;
};

#define BUNDLE_MAX (4 * JCS_STMT_MAX)

static int read_part(const char *path, size_t max, struct jcs_buf *b, struct jcs_err *err)
{
	return path ? read_input(path, max, b, err) : 0;
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
	if (l->version < 2) {
		printf("  binds        no report, SBOM or firmware (%s)\n", JCS_SCHEMA_LABEL);
		return;
	}
	printf("  firmware     %s\n  report       sha256 %s\n", l->firmware, l->report_sha256);
	printf("  sbom         %s%s\n", l->sbom_sha256 ? "sha256 " : "", l->sbom_sha256 ? l->sbom_sha256
											: "none (the application had no SBOM)");
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

/* Print the library's result (jcs_label_check) as text or JSON; the exit code of its outcome. */
static int report(const struct verify_opts *o, const struct jcs_label_check *c)
{
	static const int codes[] = {
		[JCS_LABEL_VALID] = EXIT_OK,
		[JCS_LABEL_NOT_VALID] = EXIT_FINDINGS,
		[JCS_LABEL_BAD_SIGNATURE] = EXIT_BAD_SIGNATURE,
		[JCS_LABEL_NOT_IN_LOG] = EXIT_NOT_IN_LOG,
		[JCS_LABEL_UNCHECKED] = EXIT_UNCHECKED,
		[JCS_LABEL_MISMATCH] = EXIT_MISMATCH,
	};
	enum jcs_label_outcome oc = jcs_label_check_outcome(c);
	const struct jcs_label *l = jcs_label_check_label(c);
	const char *detail = jcs_label_check_detail(c), *why = NULL;
	const json_t *j = jcs_label_check_json(c);
	bool checked = jcs_label_check_status_checked(c, &why);
	int code = codes[oc];

	if (o->json) {
		json_t *out = json_deep_copy(j);
		json_object_set_new(out, "schema", json_string("jcstar.label-verify/1"));
		json_object_set_new(out, "file", json_string(o->file));
		json_object_set_new(out, "exit_code", json_integer(code));
		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(out);
		return code;
	}
	printf("%s: %s%s%s\n", l ? l->registration_number : o->file, jcs_label_check_status(c), detail ? ": " : "",
	       detail ? detail : "");
	if (l)
		print_label(l);
	if (oc == JCS_LABEL_BAD_SIGNATURE || oc == JCS_LABEL_NOT_IN_LOG || oc == JCS_LABEL_MISMATCH)
		return code;
	printf("  signature    good\n");
	printf("  log          %s\n", json_is_object(json_object_get(j, "log"))
				       ? "included (inclusion proof checked against the signed tree head)"
				       : "not checked (no inclusion proof and tree head)");
	if (checked) {
		const json_t *s = json_object_get(j, "status_statement");
		printf("  status       checked: %s at log entry %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
		       " (statement good until %" JSON_INTEGER_FORMAT " ms)\n",
		       json_string_value(json_object_get(s, "status")), json_integer_value(json_object_get(s, "status_index")),
		       json_integer_value(json_object_get(s, "tree_size")), json_integer_value(json_object_get(s, "next_update")));
	} else {
		printf("  status       not checked (%s)\n", why ? why : "?");
	}
	printf("  revocations  %s\n", o->revocations ? "checked" : "not checked (no --revocations)");
	for (int d = 0; d < 2; d++)
		if (o->docs[d])
			printf("  %-12s %s is the %s the label binds\n", d == JCS_LABEL_DOC_REPORT ? "report file" : "sbom file",
			       o->docs[d], jcs_label_doc_name((enum jcs_label_doc)d));
	return code;
}

static int do_verify(const struct verify_opts *o)
{
	struct jcs_buf label = JCS_BUF_INIT, rev = JCS_BUF_INIT, proof = JCS_BUF_INIT, sth = JCS_BUF_INIT,
		       status = JCS_BUF_INIT;
	struct jcs_label_check_in in = {.name = o->file, .revocations_name = o->revocations, .date = o->at,
					.doc = {o->docs[0], o->docs[1]}};
	struct jcs_label_check *c = NULL;
	struct jcs_key *k = NULL;
	struct jcs_err err = {0};
	int rc;

	if ((rc = load_key(o->key, false, &k)))
		return rc;
	if (parse_now(o->now, &in.now_ms)) {
		cli_error("--now: not a time (YYYY-MM-DDTHH:MM:SSZ): %s", o->now);
		rc = EXIT_USAGE;
		goto out;
	}
	if (read_part(o->file, BUNDLE_MAX, &label, &err) || read_part(o->revocations, JCS_REVLIST_MAX, &rev, &err) ||
	    read_part(o->proof, JCS_STMT_MAX, &proof, &err) || read_part(o->sth, JCS_STMT_MAX, &sth, &err) ||
	    read_part(o->status, JCS_STMT_MAX, &status, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	if (o->proof && !o->sth) {
		cli_error("an inclusion proof needs the signed tree head it refers to (--sth)");
		rc = EXIT_USAGE;
		goto out;
	}
	in.label = label.data, in.label_len = label.len;
	in.revocations = o->revocations ? rev.data : NULL, in.revocations_len = rev.len;
	in.proof = o->proof ? proof.data : NULL, in.proof_len = proof.len;
	in.sth = o->sth ? sth.data : NULL, in.sth_len = sth.len;
	in.status = o->status ? status.data : NULL, in.status_len = status.len;
	if (jcs_label_check(k, &in, &c, &err))
		rc = cli_fail(&err);
	else
		rc = report(o, c);
out:
	jcs_label_check_free(c);
	jcs_key_free(k);
	jcs_buf_free(&label);
	jcs_buf_free(&rev);
	jcs_buf_free(&proof);
	jcs_buf_free(&sth);
	jcs_buf_free(&status);
	return rc;
}

enum { V_KEY = CLI_OPT_FIRST_OWN + 60, V_REV, V_PROOF, V_STH, V_STATUS, V_NOW, V_AT, V_JSON, V_REPORT, V_SBOM };
static const struct cli_opt verify_opts_table[] = {
	{"key", V_KEY, "PUB.pem", N_("the registry's public key; required"), false},
	{"status", V_STATUS, "FILE", N_("a status statement (jcstar.status/1) for this label; 'valid' needs a\n"
				     "fresh one"), false},
	{"proof", V_PROOF, "FILE", N_("inclusion proof of the credential in the log (needs --sth)"), false},
	{"sth", V_STH, "FILE", N_("the signed tree head the proof and status refer to"), false},
	{"revocations", V_REV, "FILE", N_("a signed revocation list"), false},
	{"at", V_AT, "YYYY-MM-DD", N_("judge expiry on this date (default today)"), false},
	{"now", V_NOW, "TIME", N_("the time freshness is judged at (YYYY-MM-DDTHH:MM:SSZ)"), false},
	{"report", V_REPORT, "FILE", N_("confirm FILE is the report a jcstar.label/2 binds (exit 7 if not)"), false},
	{"sbom", V_SBOM, "FILE", N_("confirm FILE is the SBOM a jcstar.label/2 binds (exit 7 if not)"), false},
	{"json", V_JSON, NULL, N_("print jcstar.label-verify/1 JSON instead of text"), false},
	CLI_FORMAT("text|json", N_("text (default) or json (the same as --json)")),
	{0},
};
const struct cli_cmd cli_spec_label_verify = {"label verify", "FILE|BUNDLE|- --key PUB.pem [--status FILE] [--proof FILE --sth FILE] [--revocations FILE] [--report FILE] [--sbom FILE] [--json]",
	N_("Check a label credential (or the registry's offline bundle) against the registry's\n"
	   "public key. 'valid' needs a fresh status statement for this credential."),
	verify_opts_table, 1, 1, "FILE",
	N_("0 valid\n1 not valid: expired, expiry grace, not yet valid, suspended, revoked, superseded,\n"
	   "  a bad signature, or not in the log (the status says which)\n2 usage, a missing or malformed input (the file is named)\n"
	   "3 runtime error\n6 status not checked: no fresh status statement\n"
	   "7 --report/--sbom is not the file the label binds (or a jcstar.label/1, which binds none)")};

static int label_verify(int argc, char **argv)
{
	struct verify_opts o = {0};
	struct cli_parse p = {0};
	int c;

	while ((c = cli_getopt(&p, &cli_spec_label_verify, argc, argv)) != -1)
		switch (c) {
		case CLI_EXIT: return p.exit;
		case V_KEY: o.key = p.arg; break;
		case V_REV: o.revocations = p.arg; break;
		case V_PROOF: o.proof = p.arg; break;
		case V_STH: o.sth = p.arg; break;
		case V_STATUS: o.status = p.arg; break;
		case V_NOW: o.now = p.arg; break;
		case V_AT: o.at = p.arg; break;
		case V_JSON: o.json = true; break;
		case V_REPORT: o.docs[JCS_LABEL_DOC_REPORT] = p.arg; break;
		case V_SBOM: o.docs[JCS_LABEL_DOC_SBOM] = p.arg; break;
		case CLI_OPT_FORMAT:
			o.json = strcmp(p.arg, "json") == 0;
			break;
		default: break;
		}
	if (!o.key) {
		cli_error(_("label verify: --key PUB.pem is required"));
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
	o.file = argv[p.ind];
	return do_verify(&o);
}

/* ------------------------------------------------------------- render */

enum { D_SVG = CLI_OPT_FIRST_OWN + 80, D_PNG, D_DPI, D_WIDTH };
static const struct cli_opt render_opts[] = {
	{"svg", D_SVG, "FILE", N_("write the label as SVG"), false},
	{"png", D_PNG, "FILE", N_("write the label as PNG: the SVG printed W mm wide at N dpi or more"), false},
	{"dpi", D_DPI, "N", N_("PNG resolution in dots per inch (default 300 or more)"), false},
	{"width-mm", D_WIDTH, "W", N_("printed width of the label in millimetres (default 30)"), false},
	{0},
};
const struct cli_cmd cli_spec_label_render = {"label render", "FILE|- [--svg OUT.svg] [--png OUT.png] [--dpi N] [--width-mm W]",
	N_("Draw the label of a credential (JC-STAR, level stars, QR code of its page, registration\n"
	   "number). Rendering does not verify the signature; use 'jcstar label verify' for that."),
	render_opts, 1, 1, "FILE", N_("0 done\n2 usage, a missing or malformed credential\n3 runtime error")};

static int label_render(int argc, char **argv)
{
	const char *svg = NULL, *png = NULL;
	struct jcs_buf text = JCS_BUF_INIT, img = JCS_BUF_INIT;
	struct jcs_label *l = NULL;
	struct jcs_err err = {0};
	struct cli_parse p = {0};
	int c, dpi = JCS_LABEL_DPI, rc = EXIT_OK;
	double width_mm = JCS_LABEL_WIDTH_MM;

	while ((c = cli_getopt(&p, &cli_spec_label_render, argc, argv)) != -1)
		switch (c) {
		case CLI_EXIT: return p.exit;
		case D_SVG: svg = p.arg; break;
		case D_PNG: png = p.arg; break;
		case D_DPI: dpi = atoi(p.arg); break;
		case D_WIDTH: width_mm = atof(p.arg); break;
		default: break;
		}
	if (!svg && !png) {
		cli_error(_("label render: --svg FILE or --png FILE is required"));
		return EXIT_USAGE;
	}
	if (read_input(argv[p.ind], JCS_STMT_MAX, &text, &err) || jcs_label_parse(text.data, text.len, &l, &err)) {
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

enum { L_KEY = CLI_OPT_FIRST_OWN + 90, L_DIR, L_REGISTRY, L_FROM, L_NOW };
static const struct cli_opt log_opts[] = {
	{"key", L_KEY, "FILE", N_("the registry's private key; required"), false},
	{"registry", L_REGISTRY, "ID", N_("the registry's id; required"), false},
	{"out-dir", L_DIR, "DIR", N_("where to write (created when missing); required"), false},
	{"consistency-from", L_FROM, "M", N_("also write DIR/consistency.json (tree M to all)"), false},
	{"now", L_NOW, "TIME", N_("when the status statements are produced (YYYY-MM-DDTHH:MM:SSZ)"), false},
	{0},
};
const struct cli_cmd cli_spec_label_log = {"label log", "--key KEY.pem --registry ID --out-dir DIR [--consistency-from M] STATEMENT...",
	N_("Append signed statements (labels, revocations) in order to a new RFC 6962 log and write\n"
	   "DIR/sth.json, DIR/NAME.proof.json and DIR/NAME.status.json for each statement."),
	log_opts, 1, -1, "STATEMENT", N_("0 done\n2 usage, a missing or malformed statement (named)\n3 runtime error")};

static int label_log(int argc, char **argv)
{
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
	struct cli_parse pa = {0};
	int c, rc;

	while ((c = cli_getopt(&pa, &cli_spec_label_log, argc, argv)) != -1)
		switch (c) {
		case CLI_EXIT: return pa.exit;
		case L_KEY: key = pa.arg; break;
		case L_DIR: dir = pa.arg; break;
		case L_REGISTRY: registry = pa.arg; break;
		case L_FROM: from = atol(pa.arg); break;
		case L_NOW: now = pa.arg; break;
		default: break;
		}
	n = (size_t)(argc - pa.ind);
	if (!dir || !registry || n == 0 || n > LOG_MAX_ENTRIES || from < 0 || (size_t)from > n) {
		cli_error("usage: jcstar label log --key KEY.pem --registry ID --out-dir DIR STATEMENT... "
			  "(1..%d statements; 0 <= M <= count)", LOG_MAX_ENTRIES);
		return EXIT_USAGE;
	}
	if (parse_now(now, &now_ms)) {
		cli_error("--now: not a time (YYYY-MM-DDTHH:MM:SSZ): %s", now);
		return EXIT_USAGE;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		cli_error("--out-dir %s: %s", dir, strerror(errno));
		return EXIT_RUNTIME;
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
		if (read_input(argv[pa.ind + i], JCS_STMT_MAX, &text, &err) ||
		    jcs_envelope_canonical(text.data, text.len, &leaf, &err) ||
		    jcs_tlog_leaf_hash(leaf.data, leaf.len, leaves + i * JCS_HASH_LEN)) {
			char why[sizeof(err.msg)];
			snprintf(why, sizeof(why), "%s", err.msg);
			jcs_err_set(&err, err.code, "%s: %s", argv[pa.ind + i], why);
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
	if (log_statuses(k, registry, argv + pa.ind, n, leaves, sth.root, now_ms, dir, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct jcs_inclusion p = {.leaf_index = i, .tree_size = n};
		char *name = strdup(argv[pa.ind + i]), *js;
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
enum { C_KEY = CLI_OPT_FIRST_OWN + 100, C_OLD, C_NEW, C_PROOF };
static const struct cli_opt consistency_opts[] = {
	{"key", C_KEY, "PUB.pem", N_("the registry's public key; required"), false},
	{"old", C_OLD, "STH", N_("the older signed tree head"), false},
	{"new", C_NEW, "STH", N_("the newer signed tree head"), false},
	{"proof", C_PROOF, "FILE", N_("the consistency proof"), false},
	{0},
};
const struct cli_cmd cli_spec_label_consistency = {"label consistency", "--key PUB.pem --old STH --new STH --proof FILE",
	N_("Check that the log of tree head NEW contains the log of tree head OLD unchanged\n(RFC 6962 consistency proof)."),
	consistency_opts, 0, 0, "", N_("0 consistent\n1 not consistent, or a bad signature\n2 usage, a missing or malformed file\n3 runtime error")};

static int label_consistency(int argc, char **argv)
{
	const char *key = NULL, *old = NULL, *new = NULL, *proof = NULL;
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_key *k = NULL;
	struct jcs_err err = {0};
	struct jcs_sth s1, s2;
	struct jcs_consistency cp;
	struct cli_parse p = {0};
	int c, rc;

	while ((c = cli_getopt(&p, &cli_spec_label_consistency, argc, argv)) != -1)
		switch (c) {
		case CLI_EXIT: return p.exit;
		case C_KEY: key = p.arg; break;
		case C_OLD: old = p.arg; break;
		case C_NEW: new = p.arg; break;
		case C_PROOF: proof = p.arg; break;
		default: break;
		}
	if (!old || !new || !proof) {
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

	if (argc >= 2 && strcmp(argv[1], "--version") == 0) { /* each label command has its own too */
		printf("jcstar %s\n", jcs_version());
		return EXIT_OK;
	}
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
