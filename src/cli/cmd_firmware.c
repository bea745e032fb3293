/* jcstar firmware IMAGE [--extract DIR] [--list] [--max-size N] [--dir] [-o EVIDENCE]
 *                [--sbom FILE.cdx.json] [--vulndb FEED]... [--vex FILE] [--no-analysis] */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "jcstar/buf.h"
#include "jcstar/fwanalyze.h"
#include "jcstar/firmware.h"
#include "jcstar/evidence.h"

enum { O_SBOM = CLI_OPT_FIRST_OWN, O_VULNDB, O_VEX, O_NOANALYSIS, O_MAXSIZE, O_DIR, O_LIST };

static const struct cli_opt opts[] = {
	CLI_OUTPUT(N_("write the evidence (jcstar.evidence/1) to FILE (- = stdout alone; the summary\n"
		      "then goes to stderr)")),
	CLI_FORMAT("text|json", N_("what stdout carries without -o: the summary (text, default) or the\n"
				  "evidence (json, the same as -o -)")),
	{"sbom", O_SBOM, "FILE", N_("write a CycloneDX 1.5 SBOM (JSON)"), false},
	{"vulndb", O_VULNDB, "FEED", N_("NVD CVE API 2.0, OSV or Debian security tracker JSON file or\n"
				       "directory (.json, .json.gz, .json.xz); repeatable. Packages from\n"
				       "dpkg/opkg/apk are judged by their distribution's advisories"), false},
	{"vex", O_VEX, "FILE", N_("vendor VEX (OpenVEX or CycloneDX VEX): CVEs marked not affected,\n"
				  "with a justification"), false},
	{"jobs", 'j', "N", N_("threads decompressing and cracking (default: one per core); the\n"
			     "output is the same for every N"), false},
	{"list", O_LIST, NULL, N_("one line per file: container, type, size, path"), false},
	{"extract", 'x', "DIR", N_("also write the tree under DIR (one sub-directory per container)"), false},
	{"max-size", O_MAXSIZE, "N", N_("cap on the total unpacked bytes (suffix K, M or G; default 4G)"), false},
	{"dir", O_DIR, NULL, N_("IMAGE is an already extracted root filesystem directory"), false},
	{"no-analysis", O_NOANALYSIS, NULL, N_("only unpack (with --list / --extract)"), false},
	CLI_FAIL_ON("fail|inconclusive", N_("fail: exit 1 when a finding failed (a known vulnerability, a\n"
					   "secret, a default account, ...); inconclusive: also when a finding\n"
					   "is inconclusive (a part that could not be unpacked)")),
	CLI_QUIET(N_("no summary, only errors")),
	CLI_VERBOSE(N_("accepted for symmetry")),
	{0},
};

const struct cli_cmd cli_spec_firmware = {
	"firmware", "IMAGE [-o FILE] [--sbom FILE] [--vulndb FEED]... [--vex FILE] [--fail-on WHAT] [OPTIONS]",
	N_("Static analysis of a firmware image: carve it, unpack every container and filesystem\n"
	   "found (recursively) and walk the files without writing them to disk; audit the files\n"
	   "(accounts, secrets, services, console, TLS, update and reset mechanisms), list the\n"
	   "components (SBOM) and match them against offline vulnerability feeds. Parts that\n"
	   "cannot be unpacked are listed as 'inconclusive' with their offset."),
	opts, 1, 1, "IMAGE",
	N_("0 done, nothing failed that --fail-on asks about\n1 --fail-on: a finding failed (or is inconclusive)\n"
	   "2 usage, a missing or unreadable IMAGE or feed, a directory without --dir\n3 runtime error\n"
	   "4 incomplete: nothing in IMAGE was recognised as firmware, or part of it could not be\n"
	   "read (1 outranks 4)"),
};

struct fw_cli {
	bool list;
	struct cli_progress prog;
	uint64_t image_size; /* the progress line's total (0: unknown) */
	FILE *human; /* the summary and --list: stdout, or stderr with -o - */
	uint64_t files, dirs, links, other, bytes, problems;
	uint64_t unread; /* problems other than a refused extraction: parts not read */
	struct jcs_fw_sink next; /* the analysis, when on */
};

static int on_file(void *ctx, const struct jcs_fw_file *f)
{
	struct fw_cli *c = ctx;

	switch (f->type) {
	case JCS_FW_FILE: c->files++; c->bytes += f->size; break;
	case JCS_FW_DIR: c->dirs++; break;
	case JCS_FW_SYMLINK:
	case JCS_FW_HARDLINK: c->links++; break;
	default: c->other++; break;
	}
	if (c->list) {
		fprintf(c->human, "%-28s %-8s %10" PRIu64 " %s", f->container, jcs_fw_type_name(f->type), f->size, f->path);
		if (f->link)
			fprintf(c->human, " -> %s", f->link);
		fputc('\n', c->human);
	}
	return c->next.file ? c->next.file(c->next.ctx, f) : 0;
}

static void on_problem(void *ctx, const struct jcs_fw_problem *p)
{
	struct fw_cli *c = ctx;

	c->problems++;
	c->unread += strcmp(p->format, "extract") != 0;
	fprintf(c->human, "%-28s %-8s %10s inconclusive: %s at 0x%" PRIx64 ": %s\n", p->container, "problem", "",
	       p->format, p->offset, p->reason);
	if (c->next.problem)
		c->next.problem(c->next.ctx, p);
}

static void progress(void *ctx, uint64_t files, uint64_t bytes, const char *path)
{
	struct fw_cli *c = ctx;
	char phase[160];

	/* the unpacked bytes have no known total (a compressed image unpacks to more than its
	 * size): the count is shown beside the image's size, with no percentage or time left */
	if (c->image_size)
		snprintf(phase, sizeof(phase), _("firmware: %" PRIu64 " files, %" PRIu64 " MiB unpacked (image %" PRIu64
						  " MiB) %.40s"),
			 files, bytes >> 20, c->image_size >> 20, path);
	else
		snprintf(phase, sizeof(phase), _("firmware: %" PRIu64 " files, %" PRIu64 " MiB read %.40s"), files,
			 bytes >> 20, path);
	cli_progress(&c->prog, phase, 0, 0, "");
}

/* The summary table on stdout: one line per finding, then the SBOM and vulnerability counts. */
static void summary(const struct jcs_evidence *ev, const struct jcs_fw_analysis_stats *as, FILE *h)
{
	size_t n = jcs_evidence_count(ev), counts[4] = {0};

	fprintf(h, "\n%-13s %-8s %-32s %s\n", _("RESULT"), _("SEVERITY"), _("FINDING"), _("LOCATION / TITLE"));
	for (size_t i = 0; i < n; i++) {
		struct jcs_finding f;
		char tb[512];
		jcs_evidence_get(ev, i, &f);
		counts[f.result]++;
		fprintf(h, "%-13s %-8s %-32s %s%s%s\n", cli_result(f.result), jcs_severity_name(f.severity),
		       f.id, f.location, *f.location ? "  " : "", cli_title(&f, tb, sizeof(tb)));
	}
	fprintf(h, _("findings: %zu fail, %zu pass, %zu info, %zu inconclusive; components: %zu; "
		     "known vulnerabilities: %zu\n"),
	       counts[JCS_FAIL], counts[JCS_PASS], counts[JCS_INFO], counts[JCS_INCONCLUSIVE],
	       as->components, as->vulnerabilities);
}

/* --fail-on: a failed finding, or (inconclusive) one that is inconclusive. */
static bool findings_hit(const struct jcs_evidence *ev, enum cli_fail_on fail_on)
{
	for (size_t i = 0; ev && i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		jcs_evidence_get(ev, i, &f);
		if (f.result == JCS_FAIL || (f.result == JCS_INCONCLUSIVE && fail_on == CLI_FAIL_INCONCLUSIVE))
			return true;
	}
	return false;
}

static int write_sbom(const struct jcs_fw_analysis *a, const char *subject, const char *path,
		      struct jcs_err *err)
{
	json_t *doc = jcs_fw_analyze_cyclonedx(a, subject);
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	int rc;

	json_decref(doc);
	if (!text)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	rc = jcs_write_file_atomic(path, text, strlen(text), err);
	free(text);
	return rc;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end || v == 0)
		return -1;
	*out = v;
	return 0;
}

int cmd_firmware(int argc, char **argv)
{
	struct jcs_fw_limits lim = JCS_FW_LIMITS_DEFAULT;
	struct fw_cli st = {0};
	struct jcs_fw_sink list_sink = {on_file, on_problem, &st, NULL}, *x = NULL;
	const struct jcs_fw_sink *sink = &list_sink;
	struct jcs_fw_extract_stats xs = {0};
	const char *extract = NULL, *output = NULL, *sbom = NULL, *vex = NULL, *subject, *image;
	const char **feeds = NULL;
	size_t nfeeds = 0;
	bool is_dir = false, analysis = true;
	struct jcs_evidence *ev = NULL;
	struct jcs_fw_analysis *an = NULL;
	struct jcs_fw_analysis_stats as = {0};
	struct jcs_err err = {0};
	struct cli_parse p = {0};
	enum cli_fail_on fail_on = CLI_FAIL_NONE;
	struct stat sb;
	bool hit;
	int c, rc;

	while ((c = cli_getopt(&p, &cli_spec_firmware, argc, argv)) != -1) {
		switch (c) {
		case CLI_EXIT: free(feeds); return p.exit;
		case 'x': extract = p.arg; break;
		case O_LIST: st.list = true; break;
		case O_MAXSIZE:
			if (parse_size(p.arg, &lim.max_total)) {
				free(feeds);
				cli_error(_("--max-size: expected a positive size such as 512M"));
				return EXIT_USAGE;
			}
			break;
		case O_DIR: is_dir = true; break;
		case CLI_OPT_OUTPUT: output = p.arg; break;
		case CLI_OPT_FORMAT:
			if (strcmp(p.arg, "json") == 0 && !output)
				output = "-";
			break;
		case CLI_OPT_FAIL_ON:
			if (cli_fail_on_parse(p.arg, "fail|inconclusive", &fail_on)) {
				free(feeds);
				return EXIT_USAGE;
			}
			break;
		case O_SBOM: sbom = p.arg; break;
		case O_VEX: vex = p.arg; break;
		case O_NOANALYSIS: analysis = false; break;
		case 'j': {
			char *end;
			unsigned long n = strtoul(p.arg, &end, 10);
			if (*end || n < 1 || n > 256) {
				free(feeds);
				cli_error(_("--jobs: expected a number from 1 to 256"));
				return EXIT_USAGE;
			}
			lim.jobs = (unsigned)n;
			break;
		}
		case O_VULNDB: {
			const char **nf = realloc(feeds, (nfeeds + 1) * sizeof(*nf));
			if (!nf) {
				free(feeds);
				cli_error(_("out of memory"));
				return EXIT_RUNTIME;
			}
			feeds = nf;
			feeds[nfeeds++] = p.arg;
			break;
		}
		default: break;
		}
	}
	image = argv[p.ind];
	if (!analysis && (output || sbom || nfeeds || vex || fail_on)) {
		free(feeds);
		cli_error(_("--no-analysis only unpacks: -o, --sbom, --vulndb, --vex and --fail-on need the analysis"));
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < nfeeds; i++)
		if (access(feeds[i], R_OK) != 0) {
			cli_error(_("--vulndb %s: cannot read it (%s)"), feeds[i], strerror(errno));
			free(feeds);
			return EXIT_USAGE;
		}
	if (stat(image, &sb) != 0) {
		cli_error(_("%s: no such file"), image);
		free(feeds);
		return EXIT_USAGE;
	}
	if (S_ISDIR(sb.st_mode) != is_dir) {
		cli_error(is_dir ? _("%s: not a directory (--dir takes an extracted root filesystem)")
				 : _("%s: is a directory, not a file (an extracted root filesystem needs --dir)"),
			  image);
		free(feeds);
		return EXIT_USAGE;
	}
	if (!is_dir && cli_input_file(image)) {
		free(feeds);
		return EXIT_USAGE;
	}
	st.image_size = is_dir ? 0 : (uint64_t)sb.st_size;
	cli_progress_init(&st.prog);
	st.human = cli_human(output);
	subject = strrchr(image, '/') ? strrchr(image, '/') + 1 : image;
	if (analysis) {
		struct jcs_fw_analyze_opts ao = {.vulndb = feeds, .nvulndb = nfeeds, .vex = vex, .jobs = lim.jobs};
		if (st.prog.on) {
			ao.progress = progress;
			ao.progress_ctx = &st;
		}
		ev = jcs_evidence_new("firmware", *subject ? subject : image);
		if (!ev) {
			free(feeds);
			cli_error("out of memory");
			return EXIT_RUNTIME;
		}
		rc = is_dir ? 0 : jcs_evidence_set_image(ev, image, &err);
		if (rc == 0)
			rc = jcs_fw_analyze_new(ev, &ao, &an, &err);
		if (rc)
			goto out;
		st.next = jcs_fw_analyze_sink(an);
		list_sink.prescan = st.next.prescan;
	}
	if (extract) {
		x = jcs_fw_extract_sink_new(extract, &lim, &list_sink, &err);
		if (!x) {
			rc = err.code ? err.code : JCS_EIO;
			goto out;
		}
		sink = x;
	}
	rc = is_dir ? jcs_fw_walk_dir(image, sink, &err) : jcs_fw_walk(image, &lim, sink, &err);
	if (x) {
		jcs_fw_extract_sink_stats(x, &xs);
		jcs_fw_extract_sink_free(x);
	}
	cli_progress_end(&st.prog);
	fprintf(st.human, "summary: %" PRIu64 " files (%" PRIu64 " bytes), %" PRIu64 " directories, %" PRIu64
	       " links, %" PRIu64 " other, %" PRIu64 " inconclusive parts\n",
	       st.files, st.bytes, st.dirs, st.links, st.other, st.problems);
	if (extract)
		fprintf(st.human, "extracted to %s: %" PRIu64 " files, %" PRIu64 " directories, %" PRIu64
		       " symlinks, %" PRIu64 " bytes, %" PRIu64 " entries refused\n",
		       extract, xs.files, xs.dirs, xs.symlinks, xs.bytes, xs.refused);
	if (rc == 0 && an) {
		rc = jcs_fw_analyze_finish(an, &err);
		jcs_fw_analyze_stats(an, &as);
		if (rc == 0) {
			jcs_evidence_finish(ev);
			if (cli_verbosity >= 0)
				summary(ev, &as, st.human);
		}
		if (rc == 0 && output)
			rc = jcs_evidence_write(ev, output, &err);
		if (rc == 0 && sbom)
			rc = write_sbom(an, subject, sbom, &err);
	}
out:
	hit = rc == 0 && fail_on && findings_hit(ev, fail_on);
	jcs_fw_analyze_free(an);
	jcs_evidence_free(ev);
	free(feeds);
	if (rc)
		return cli_fail(&err);
	if (st.files + st.dirs + st.links + st.other == 0) {
		cli_error(_("incomplete: nothing in %s was recognised as firmware (no container, filesystem or archive)"),
			  image);
		return EXIT_INCOMPLETE;
	}
	if (hit) /* as probe: a finding --fail-on asks about outranks incompleteness */
		return EXIT_FINDINGS;
	if (st.unread) {
		cli_error(_("incomplete: %" PRIu64 " part(s) of %s could not be read (listed as inconclusive above)"),
			  st.unread, image);
		return EXIT_INCOMPLETE;
	}
	return EXIT_OK;
}
