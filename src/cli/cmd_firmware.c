/* jcstar firmware IMAGE [--extract DIR] [--list] [--max-size N] [--dir] [-o EVIDENCE]
 *                [--sbom FILE.cdx.json] [--vulndb FEED]... [--vex FILE] [--no-analysis] */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "firmware/analyze.h"
#include "firmware/firmware.h"
#include "jcstar/evidence.h"

static const char usage_text[] =
	"usage: jcstar firmware IMAGE [--extract DIR] [--list] [--max-size N] [--dir]\n"
	"                [-o EVIDENCE.json] [--sbom FILE.cdx.json] [--vulndb FEED]... [--vex FILE]\n"
	"                [--jobs N] [--no-analysis]\n"
	"Static analysis of a firmware image: carve it, unpack every container and filesystem\n"
	"found (recursively) and walk the files without writing them to disk; audit the files\n"
	"(accounts, secrets, services, console, TLS, update and reset mechanisms), list the\n"
	"components (SBOM) and match them against offline vulnerability feeds.\n"
	"  -o, --output FILE  write the evidence (jcstar.evidence/1 JSON; - = stdout)\n"
	"  --sbom FILE        write a CycloneDX 1.5 SBOM (JSON)\n"
	"  --vulndb FEED      NVD CVE API 2.0, OSV or Debian security tracker JSON file or\n"
	"                     directory (.json, .json.gz, .json.xz); repeatable. Packages from\n"
	"                     dpkg/opkg/apk are judged by their distribution's advisories\n"
	"  --vex FILE         vendor VEX (OpenVEX or CycloneDX VEX): CVEs marked not affected,\n"
	"                     with a justification\n"
	"  --no-analysis      only unpack (with --list / --extract)\n"
	"  -j, --jobs N       threads decompressing and cracking (default: one per core);\n"
	"                     the output is the same for every N\n"
	"  --list         one line per file: container, type, size, path\n"
	"  --extract DIR  also write the tree under DIR (one sub-directory per container)\n"
	"  --max-size N   cap on the total unpacked bytes (suffix K, M or G; default 4G)\n"
	"  --dir          IMAGE is an already extracted root filesystem directory\n"
	"Parts that cannot be unpacked are listed as 'inconclusive' with their offset.\n";

struct fw_cli {
	bool list, progress_shown;
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

	c->progress_shown = true;
	fprintf(stderr, "\rfirmware: %" PRIu64 " files, %" PRIu64 " MiB read  %.50s\033[K", files,
		bytes >> 20, path);
}

/* The summary table on stdout: one line per finding, then the SBOM and vulnerability counts. */
static void summary(const struct jcs_evidence *ev, const struct jcs_fw_analysis_stats *as, FILE *h)
{
	size_t n = jcs_evidence_count(ev), counts[4] = {0};

	fprintf(h, "\n%-13s %-8s %-32s %s\n", "RESULT", "SEVERITY", "FINDING", "LOCATION / TITLE");
	for (size_t i = 0; i < n; i++) {
		struct jcs_finding f;
		jcs_evidence_get(ev, i, &f);
		counts[f.result]++;
		fprintf(h, "%-13s %-8s %-32s %s%s%s\n", jcs_result_name(f.result), jcs_severity_name(f.severity),
		       f.id, f.location, *f.location ? "  " : "", f.title);
	}
	fprintf(h, "findings: %zu fail, %zu pass, %zu info, %zu inconclusive; components: %zu; "
	       "known vulnerabilities: %zu\n",
	       counts[JCS_FAIL], counts[JCS_PASS], counts[JCS_INFO], counts[JCS_INCONCLUSIVE],
	       as->components, as->vulnerabilities);
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
	static const struct option opts[] = {
		{"extract", required_argument, NULL, 'x'},
		{"list", no_argument, NULL, 'l'},
		{"max-size", required_argument, NULL, 'm'},
		{"dir", no_argument, NULL, 'd'},
		{"output", required_argument, NULL, 'o'},
		{"sbom", required_argument, NULL, 's'},
		{"vulndb", required_argument, NULL, 'v'},
		{"vex", required_argument, NULL, 'V'},
		{"no-analysis", no_argument, NULL, 'n'},
		{"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct jcs_fw_limits lim = JCS_FW_LIMITS_DEFAULT;
	struct fw_cli st = {0};
	struct jcs_fw_sink list_sink = {on_file, on_problem, &st, NULL}, *x = NULL;
	const struct jcs_fw_sink *sink = &list_sink;
	struct jcs_fw_extract_stats xs = {0};
	const char *extract = NULL, *output = NULL, *sbom = NULL, *vex = NULL, *subject;
	const char **feeds = NULL;
	size_t nfeeds = 0;
	bool is_dir = false, analysis = true;
	struct jcs_evidence *ev = NULL;
	struct jcs_fw_analysis *an = NULL;
	struct jcs_fw_analysis_stats as = {0};
	struct jcs_err err = {0};
	int c, rc;

	while ((c = getopt_long(argc, argv, "x:lm:do:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'x': extract = optarg; break;
		case 'l': st.list = true; break;
		case 'm':
			if (parse_size(optarg, &lim.max_total)) {
				cli_error("--max-size: expected a positive size such as 512M");
				return EXIT_USAGE;
			}
			break;
		case 'd': is_dir = true; break;
		case 'o': output = optarg; break;
		case 's': sbom = optarg; break;
		case 'V': vex = optarg; break;
		case 'n': analysis = false; break;
		case 'j': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*end || n < 1 || n > 256) {
				free(feeds);
				cli_error("--jobs: expected a number from 1 to 256");
				return EXIT_USAGE;
			}
			lim.jobs = (unsigned)n;
			break;
		}
		case 'v': {
			const char **nf = realloc(feeds, (nfeeds + 1) * sizeof(*nf));
			if (!nf) {
				free(feeds);
				cli_error("out of memory");
				return EXIT_RUNTIME;
			}
			feeds = nf;
			feeds[nfeeds++] = optarg;
			break;
		}
		case 'h': free(feeds); fputs(usage_text, stdout); return EXIT_OK;
		default: free(feeds); fputs(usage_text, stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || (!analysis && (output || sbom || nfeeds || vex))) {
		free(feeds);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < nfeeds; i++)
		if (access(feeds[i], R_OK) != 0) {
			cli_error("--vulndb %s: cannot read it", feeds[i]);
			free(feeds);
			return EXIT_USAGE;
		}
	st.human = cli_human(output);
	subject = strrchr(argv[optind], '/') ? strrchr(argv[optind], '/') + 1 : argv[optind];
	if (analysis) {
		struct jcs_fw_analyze_opts ao = {.vulndb = feeds, .nvulndb = nfeeds, .vex = vex, .jobs = lim.jobs};
		if (cli_stderr_is_tty()) {
			ao.progress = progress;
			ao.progress_ctx = &st;
		}
		ev = jcs_evidence_new("firmware", *subject ? subject : argv[optind]);
		if (!ev) {
			free(feeds);
			cli_error("out of memory");
			return EXIT_RUNTIME;
		}
		rc = is_dir ? 0 : jcs_evidence_set_image(ev, argv[optind], &err);
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
	rc = is_dir ? jcs_fw_walk_dir(argv[optind], sink, &err) : jcs_fw_walk(argv[optind], &lim, sink, &err);
	if (x) {
		jcs_fw_extract_sink_stats(x, &xs);
		jcs_fw_extract_sink_free(x);
	}
	fprintf(st.human, "summary: %" PRIu64 " files (%" PRIu64 " bytes), %" PRIu64 " directories, %" PRIu64
	       " links, %" PRIu64 " other, %" PRIu64 " inconclusive parts\n",
	       st.files, st.bytes, st.dirs, st.links, st.other, st.problems);
	if (extract)
		fprintf(st.human, "extracted to %s: %" PRIu64 " files, %" PRIu64 " directories, %" PRIu64
		       " symlinks, %" PRIu64 " bytes, %" PRIu64 " entries refused\n",
		       extract, xs.files, xs.dirs, xs.symlinks, xs.bytes, xs.refused);
	if (st.progress_shown)
		fputs("\r\033[K", stderr);
	if (rc == 0 && an) {
		rc = jcs_fw_analyze_finish(an, &err);
		jcs_fw_analyze_stats(an, &as);
		if (rc == 0) {
			jcs_evidence_finish(ev);
			summary(ev, &as, st.human);
		}
		if (rc == 0 && output)
			rc = jcs_evidence_write(ev, output, &err);
		if (rc == 0 && sbom)
			rc = write_sbom(an, subject, sbom, &err);
	}
out:
	jcs_fw_analyze_free(an);
	jcs_evidence_free(ev);
	free(feeds);
	if (rc)
		return cli_fail(&err);
	if (st.files + st.dirs + st.links + st.other == 0) {
		cli_error("incomplete: nothing in %s was recognised as firmware (no container, filesystem or archive)",
			  argv[optind]);
		return EXIT_INCOMPLETE;
	}
	if (st.unread) {
		cli_error("incomplete: %" PRIu64 " part(s) of %s could not be read (listed as inconclusive above)",
			  st.unread, argv[optind]);
		return EXIT_INCOMPLETE;
	}
	return EXIT_OK;
}
