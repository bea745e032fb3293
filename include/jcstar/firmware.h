/* Firmware unpacking: carve an image, unpack what is found (recursively, with limits) and
 * stream every file to a sink (jcstar/fwfile.h). Nothing is written to disk unless the
 * extraction sink is used. See docs/firmware-unpack.md. */
#ifndef JCS_FIRMWARE_FIRMWARE_H
#define JCS_FIRMWARE_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

#include "jcstar/fwfile.h"
#include "jcstar/jcstar.h"

JCS_API_BEGIN

struct jcs_fw_limits {
	unsigned jobs;             /* threads decompressing file data (0 = one per core) */
	uint64_t max_total;        /* total bytes produced by decompression / unpacking */
	uint64_t max_files;        /* files reported in one walk */
	uint32_t max_ratio;        /* output/input of one compressed stream (bomb guard) */
	int max_depth;             /* container nesting (image → trx → squashfs → cpio ...) */
	size_t max_file_in_memory; /* a file bigger than this is reported with data == NULL */
	uint64_t max_steps;        /* work budget of one walk (0 = default): a step is one structure
				    * visited (node, inode, extent, entry, block) or 64 KiB scanned */
};

#define JCS_FW_LIMITS_DEFAULT {                                                        \
	.max_total = 4ULL << 30, .max_files = 1000000, .max_ratio = 1000, .max_depth = 8, \
	.max_file_in_memory = 64u << 20, .max_steps = JCS_FW_STEPS_DEFAULT }

/* 16M steps: a real image (a million files, gigabytes of blocks) uses a few million, while a
 * hostile one (shared extent blocks, quadratic node lists, a CRC at every magic) ends within
 * seconds as an inconclusive part with the reason "work budget exceeded". */
#define JCS_FW_STEPS_DEFAULT (1ULL << 24)

/* Carve the image at image_path (mmap'd), unpack everything found, recurse into what that
 * yields up to lim->max_depth, and call sink->file() per entry. Every part that cannot be
 * unpacked (unsupported, corrupt, over a limit) goes to sink->problem with its offset.
 * lim may be NULL (defaults). Returns 0, or a negative JCS_E* when the image cannot be read,
 * a global limit (max_total, max_files) is hit, or the sink stops the walk. */
int jcs_fw_walk(const char *image_path, const struct jcs_fw_limits *lim, const struct jcs_fw_sink *sink,
		struct jcs_err *err);

/* The same over bytes in memory (fuzzers, nested callers). name labels the top container. */
int jcs_fw_walk_mem(const uint8_t *data, size_t len, const struct jcs_fw_limits *lim,
		    const struct jcs_fw_sink *sink, struct jcs_err *err);

/* Walk an already extracted tree (a rootfs directory): every file under dir is reported with
 * its path relative to dir ("/etc/passwd"); symlinks are reported, never followed.
 * Files bigger than the default max_file_in_memory are reported with data == NULL. */
int jcs_fw_walk_dir(const char *dir, const struct jcs_fw_sink *sink, struct jcs_err *err);

/* Extraction sink: writes each file under dir (created if missing), in a sub-directory per
 * container ("DIR/squashfs@0x40000/etc/passwd"), then forwards the entry to next (may be
 * NULL). Safety: every path is resolved component by component under a directory fd with
 * O_NOFOLLOW, so nothing is ever written outside dir; symlinks whose target leaves the
 * filesystem root, hard links, device nodes and fifos are not created; setuid/setgid/sticky
 * bits are dropped; lim caps bytes written, file count and path depth. Every refused entry
 * is reported to next->problem (format "extract"). Free with jcs_fw_extract_sink_free. */
struct jcs_fw_sink *jcs_fw_extract_sink_new(const char *dir, const struct jcs_fw_limits *lim,
					    const struct jcs_fw_sink *next, struct jcs_err *err);
/* Counters of an extraction sink. */
struct jcs_fw_extract_stats {
	uint64_t files, dirs, symlinks, bytes, refused;
};
void jcs_fw_extract_sink_stats(const struct jcs_fw_sink *s, struct jcs_fw_extract_stats *st);
void jcs_fw_extract_sink_free(struct jcs_fw_sink *s);

const char *jcs_fw_type_name(enum jcs_fw_type t);

JCS_API_END

#endif
