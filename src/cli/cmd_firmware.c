/* jcstar firmware IMAGE [--extract DIR] [--list] [--max-size N] [--dir] */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "firmware/firmware.h"

static const char usage_text[] =
	"usage: jcstar firmware IMAGE [--extract DIR] [--list] [--max-size N] [--dir]\n"
	"Static analysis of a firmware image: carve it, unpack every container and filesystem\n"
	"found (recursively) and walk the files without writing them to disk.\n"
	"  --list         one line per file: container, type, size, path\n"
	"  --extract DIR  also write the tree under DIR (one sub-directory per container)\n"
	"  --max-size N   cap on the total unpacked bytes (suffix K, M or G; default 4G)\n"
	"  --dir          IMAGE is an already extracted root filesystem directory\n"
	"Parts that cannot be unpacked are listed as 'inconclusive' with their offset.\n";

struct fw_cli {
	bool list;
	uint64_t files, dirs, links, other, bytes, problems;
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
		printf("%-28s %-8s %10" PRIu64 " %s", f->container, jcs_fw_type_name(f->type), f->size, f->path);
		if (f->link)
			printf(" -> %s", f->link);
		putchar('\n');
	}
	return 0;
}

static void on_problem(void *ctx, const struct jcs_fw_problem *p)
{
	struct fw_cli *c = ctx;

	c->problems++;
	printf("%-28s %-8s %10s inconclusive: %s at 0x%" PRIx64 ": %s\n", p->container, "problem", "",
	       p->format, p->offset, p->reason);
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct jcs_fw_limits lim = JCS_FW_LIMITS_DEFAULT;
	struct fw_cli st = {0};
	struct jcs_fw_sink list_sink = {on_file, on_problem, &st}, *x = NULL;
	const struct jcs_fw_sink *sink = &list_sink;
	struct jcs_fw_extract_stats xs = {0};
	const char *extract = NULL;
	bool is_dir = false;
	struct jcs_err err = {0};
	int c, rc;

	while ((c = getopt_long(argc, argv, "x:lm:dh", opts, NULL)) != -1) {
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
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: fputs(usage_text, stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (extract) {
		x = jcs_fw_extract_sink_new(extract, &lim, &list_sink, &err);
		if (!x)
			return cli_fail(&err);
		sink = x;
	}
	rc = is_dir ? jcs_fw_walk_dir(argv[optind], sink, &err) : jcs_fw_walk(argv[optind], &lim, sink, &err);
	if (x) {
		jcs_fw_extract_sink_stats(x, &xs);
		jcs_fw_extract_sink_free(x);
	}
	printf("summary: %" PRIu64 " files (%" PRIu64 " bytes), %" PRIu64 " directories, %" PRIu64
	       " links, %" PRIu64 " other, %" PRIu64 " inconclusive parts\n",
	       st.files, st.bytes, st.dirs, st.links, st.other, st.problems);
	if (extract)
		printf("extracted to %s: %" PRIu64 " files, %" PRIu64 " directories, %" PRIu64
		       " symlinks, %" PRIu64 " bytes, %" PRIu64 " entries refused\n",
		       extract, xs.files, xs.dirs, xs.symlinks, xs.bytes, xs.refused);
	if (rc)
		return cli_fail(&err);
	return EXIT_OK;
}
