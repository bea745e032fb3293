/* The stream between firmware unpacking and what consumes it (audit rules, SBOM, extraction
 * to disk). Unpackers never build the whole tree in memory: they call sink->file() once per
 * entry, with the file's bytes valid only during the call. */
#ifndef JCS_FIRMWARE_FWFILE_H
#define JCS_FIRMWARE_FWFILE_H

#include <stddef.h>
#include <stdint.h>

#include "jcstar/jcstar.h"

enum jcs_fw_type { JCS_FW_FILE, JCS_FW_DIR, JCS_FW_SYMLINK, JCS_FW_HARDLINK, JCS_FW_DEVICE, JCS_FW_OTHER };

struct jcs_fw_file {
	const char *path;        /* normalised, absolute within its filesystem: "/etc/shadow" (no "..") */
	const char *container;   /* where it came from: "squashfs@0x40000", "cpio@0x1200/gzip@0x100" */
	enum jcs_fw_type type;
	uint32_t mode;           /* permission bits as stored (setuid etc. visible here, dropped on extract) */
	uint32_t uid, gid;
	uint64_t size;           /* full size of the file */
	const uint8_t *data;     /* contents (JCS_FW_FILE); may be NULL when size exceeds the in-memory cap */
	size_t len;              /* bytes at data (== size unless capped) */
	const char *link;        /* symlink / hardlink target as stored (untrusted) */
	const void *prescan;     /* the sink's prescan note for these bytes, or NULL (see below) */
};

/* A part of the image that could not be unpacked: reported, never silently skipped. */
struct jcs_fw_problem {
	const char *container;   /* e.g. "jffs2@0x20000" */
	uint64_t offset;
	const char *format;
	const char *reason;      /* "unsupported compressor lzo", "truncated inode table", ... */
};

/* The part of a consumer's per-file work that depends on the bytes alone (a signature scan):
 * an unpacker that decompresses on worker threads calls fn there, right after a file's bytes
 * are read, and hands the note to file() as f->prescan; free() releases it after file().
 * fn must be safe to run on several threads at once and concurrently with file(); it may
 * return NULL (file() then does the work itself, as for every file no worker read), so the
 * result never depends on which thread did it. */
struct jcs_fw_prescan {
	void *(*fn)(void *ctx, const uint8_t *data, size_t len);
	void (*free)(void *note);
	void *ctx;
};

struct jcs_fw_sink {
	/* Return 0 to continue, a negative JCS_E* to stop the walk. */
	int (*file)(void *ctx, const struct jcs_fw_file *f);
	void (*problem)(void *ctx, const struct jcs_fw_problem *p); /* may be NULL */
	void *ctx;
	const struct jcs_fw_prescan *prescan; /* may be NULL; a sink that forwards files forwards it */
};

#endif
