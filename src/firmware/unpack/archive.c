#include <string.h>

#include <archive_entry.h>

#include "firmware/unpack/archive.h"
#include "firmware/unpack/stream.h"

static enum jcs_fw_type entry_type(struct archive_entry *e)
{
	if (archive_entry_hardlink(e))
		return JCS_FW_HARDLINK;
	switch (archive_entry_filetype(e)) {
	case AE_IFREG: return JCS_FW_FILE;
	case AE_IFDIR: return JCS_FW_DIR;
	case AE_IFLNK: return JCS_FW_SYMLINK;
	case AE_IFCHR:
	case AE_IFBLK: return JCS_FW_DEVICE;
	default: return JCS_FW_OTHER;
	}
}

int jcs_fw_archive_unpack(struct jcs_fw_walk *w, const struct jcs_fw_archive_fmt *fmt, const uint8_t *p,
			  size_t len, size_t *used, struct jcs_err *err)
{
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(w);
	struct jcs_fw_out o = {.max = lim->max_file_in_memory};
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int64_t last_pos = -1, last_size = 0;
	uint64_t nentries = 0, total = 0;
	int rc = 0, r;

	if (!a)
		return jcs_err_set(err, JCS_ENOMEM, "libarchive init failed");
	fmt->enable(a);
	if (fmt->filter) {
		fmt->filter(a);
		archive_read_support_format_raw(a);
	}
	if (archive_read_open_memory(a, p, len) != ARCHIVE_OK) {
		rc = JCS_ENOTFOUND;
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		struct jcs_fw_file f = {0};
		int64_t size = archive_entry_size(e);
		const char *name = archive_entry_pathname(e);
		bool truncated = false;

		nentries++;
		last_pos = archive_read_header_position(a);
		last_size = size > 0 ? size : 0;
		f.path = name ? name : "";
		if (fmt->filter && (!name || !strcmp(name, "data")))
			f.path = "/bzip2.out";
		f.type = fmt->filter ? JCS_FW_FILE : entry_type(e);
		f.mode = archive_entry_perm(e) | (archive_entry_mode(e) & 07000);
		f.uid = (uint32_t)archive_entry_uid(e);
		f.gid = (uint32_t)archive_entry_gid(e);
		f.link = archive_entry_hardlink(e) ? archive_entry_hardlink(e) : archive_entry_symlink(e);
		o.len = 0;
		if (f.type == JCS_FW_FILE) {
			for (;;) {
				ssize_t n;
				if ((rc = jcs_fw_out_reserve(&o, 64 << 10, err)) < 0) {
					if (rc != JCS_ELIMIT)
						goto out;
					truncated = true;
					rc = 0;
					break;
				}
				n = archive_read_data(a, o.data + o.len, o.cap - o.len);
				if (n < 0) {
					jcs_fw_problem(w, (uint64_t)last_pos, "entry '%.200s': %s", f.path,
						       archive_error_string(a) ? archive_error_string(a) : "read error");
					break;
				}
				if (n == 0)
					break;
				o.len += (size_t)n;
				if ((rc = jcs_fw_account(w, len, total + o.len, err)) < 0)
					goto out;
			}
			total += o.len;
			if (truncated)
				jcs_fw_problem(w, (uint64_t)last_pos, "'%.200s' larger than the in-memory cap: not analysed",
					       f.path);
			f.size = size >= 0 && !fmt->filter ? (uint64_t)size : o.len;
			f.data = truncated ? NULL : o.data;
			f.len = truncated ? 0 : o.len;
		}
		if ((rc = jcs_fw_emit(w, &f, fmt->filter ? JCS_FW_EMIT_CARVE : JCS_FW_EMIT_LEAF)) < 0)
			goto out;
	}
	if (r != ARCHIVE_EOF) {
		if (nentries == 0) {
			rc = JCS_ENOTFOUND;
			goto out;
		}
		rc = jcs_err_set(err, JCS_EPARSE, "%s after %llu entries", archive_error_string(a) ?
			archive_error_string(a) : "corrupt archive", (unsigned long long)nentries);
	} else if (nentries == 0) {
		rc = JCS_ENOTFOUND;
	}
	if (fmt->extent)
		*used = fmt->extent(p, len, last_pos, last_size);
out:
	archive_read_free(a);
	jcs_fw_out_free(&o);
	return rc;
}
