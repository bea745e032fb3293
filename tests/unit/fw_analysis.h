/* Helpers of the firmware analysis unit tests: run the analysis over in-memory files or a
 * directory and look findings up. */
#ifndef JCS_TEST_FW_ANALYSIS_H
#define JCS_TEST_FW_ANALYSIS_H

#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "jcstar/buf.h"
#include "jcstar/fwanalyze.h"
#include "firmware/sbom.h"
#include "jcstar/firmware.h"
#include "jcstar/evidence.h"

struct mem_file {
	const char *path;
	const char *text; /* contents (NULL for a directory or symlink) */
	const char *link; /* symlink target */
	size_t len;       /* 0 = strlen(text) */
};

static inline struct jcs_evidence *fw_run_files_opts(const struct mem_file *files, size_t n,
					      const struct jcs_fw_analyze_opts *opts)
{
	struct jcs_evidence *ev = jcs_evidence_new("firmware", "test");
	struct jcs_fw_analyze_opts o = *opts;
	struct jcs_fw_analysis *a = NULL;
	struct jcs_err err = {0};
	struct jcs_fw_sink s;

	if (!ev || jcs_fw_analyze_new(ev, &o, &a, &err)) {
		fprintf(stderr, "analyze_new: %s\n", err.msg);
		jcs_evidence_free(ev);
		return NULL;
	}
	s = jcs_fw_analyze_sink(a);
	for (size_t i = 0; i < n; i++) {
		struct jcs_fw_file f = {0};
		f.path = files[i].path;
		f.container = "test";
		f.type = files[i].link ? JCS_FW_SYMLINK : files[i].text ? JCS_FW_FILE : JCS_FW_DIR;
		f.mode = 0755;
		f.link = files[i].link;
		if (files[i].text) {
			f.data = (const uint8_t *)files[i].text;
			f.len = files[i].len ? files[i].len : strlen(files[i].text);
			f.size = f.len;
		}
		if (s.file(s.ctx, &f))
			break;
	}
	if (jcs_fw_analyze_finish(a, &err)) {
		fprintf(stderr, "analyze_finish: %s\n", err.msg);
		jcs_evidence_free(ev);
		ev = NULL;
	}
	jcs_fw_analyze_free(a);
	return ev;
}

static inline struct jcs_evidence *fw_run_files_vex(const struct mem_file *files, size_t n, const char *const *feeds,
					     size_t nfeeds, const char *vex)
{
	struct jcs_fw_analyze_opts o = {.vulndb = feeds, .nvulndb = nfeeds, .vex = vex};
	return fw_run_files_opts(files, n, &o);
}

static inline struct jcs_evidence *fw_run_files(const struct mem_file *files, size_t n, const char *const *feeds,
					 size_t nfeeds)
{
	return fw_run_files_vex(files, n, feeds, nfeeds, NULL);
}

static inline struct jcs_evidence *fw_run_dir(const char *dir, const char *const *feeds, size_t nfeeds)
{
	struct jcs_evidence *ev = jcs_evidence_new("firmware", dir);
	struct jcs_fw_analyze_opts o = {.vulndb = feeds, .nvulndb = nfeeds};
	struct jcs_fw_analysis *a = NULL;
	struct jcs_err err = {0};
	struct jcs_fw_sink s;

	if (!ev || jcs_fw_analyze_new(ev, &o, &a, &err)) {
		jcs_evidence_free(ev);
		return NULL;
	}
	s = jcs_fw_analyze_sink(a);
	if (jcs_fw_walk_dir(dir, &s, &err) || jcs_fw_analyze_finish(a, &err)) {
		fprintf(stderr, "%s: %s\n", dir, err.msg);
		jcs_evidence_free(ev);
		ev = NULL;
	}
	jcs_fw_analyze_free(a);
	return ev;
}

/* Number of findings with this id and result whose location contains loc (NULL = any). */
static inline size_t fw_count(const struct jcs_evidence *ev, const char *id, enum jcs_result r, const char *loc)
{
	size_t n = 0;

	for (size_t i = 0; ev && i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		jcs_evidence_get(ev, i, &f);
		if (strcmp(f.id, id) == 0 && f.result == r && (!loc || strstr(f.location, loc)))
			n++;
	}
	return n;
}

/* Findings of this id, any result. */
static inline size_t fw_count_id(const struct jcs_evidence *ev, const char *id)
{
	return fw_count(ev, id, JCS_PASS, NULL) + fw_count(ev, id, JCS_FAIL, NULL) +
	       fw_count(ev, id, JCS_INFO, NULL) + fw_count(ev, id, JCS_INCONCLUSIVE, NULL);
}

/* The evidence detail string key of the first finding with id and result. */
static inline const char *fw_detail(const struct jcs_evidence *ev, const char *id, enum jcs_result r, const char *key)
{
	for (size_t i = 0; ev && i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		jcs_evidence_get(ev, i, &f);
		if (strcmp(f.id, id) == 0 && f.result == r)
			return json_string_value(json_object_get(f.details, key));
	}
	return NULL;
}

static inline void fw_dump(const struct jcs_evidence *ev)
{
	for (size_t i = 0; ev && i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		jcs_evidence_get(ev, i, &f);
		fprintf(stderr, "  %s %s %s %s\n", jcs_result_name(f.result), f.id, f.location, f.title);
	}
}

/* Feed every member of a tar.gz through the SBOM. */
static inline int sbom_archive(struct jcs_sbom *s, const char *path, struct jcs_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int rc = 0;

	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		archive_read_free(a);
		return jcs_err_set(err, JCS_EIO, "%s: %s", path, archive_error_string(a));
	}
	while (rc == 0 && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		struct jcs_buf b = JCS_BUF_INIT;
		char name[1024], chunk[65536];
		ssize_t n;
		struct jcs_fw_file f = {0};
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0)
			jcs_buf_append(&b, chunk, (size_t)n);
		snprintf(name, sizeof(name), "/%s", archive_entry_pathname(e) + (archive_entry_pathname(e)[0] == '.' ? 2 : 0));
		f.path = name;
		f.container = "tar";
		f.type = JCS_FW_FILE;
		f.data = (const uint8_t *)(b.data ? b.data : "");
		f.len = f.size = b.len;
		rc = jcs_sbom_file(s, &f, err);
		jcs_buf_free(&b);
	}
	archive_read_free(a);
	return rc;
}

#endif
