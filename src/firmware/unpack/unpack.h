/* Internal interface between the walker (src/firmware/walk.c) and the unpackers
 * (src/firmware/unpack/NAME.c, one per format, listed once in src/firmware/unpack/table.c). */
#ifndef JCS_FIRMWARE_UNPACK_H
#define JCS_FIRMWARE_UNPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/firmware.h"

struct jcs_fw_walk; /* walk state: limits, counters, sink, current container chain */

/* A carving signature: magic bytes found `at` bytes after the start of the structure. */
struct jcs_fw_sig {
	const char *magic;
	uint8_t len;
	uint16_t at;
};

#define JCS_FW_SIGS_MAX 4

struct jcs_fw_unpacker {
	const char *name;            /* container label and problem format: "squashfs", "trx" */
	struct jcs_fw_sig sigs[JCS_FW_SIGS_MAX]; /* up to the first {NULL}; none = probed at offset 0 only */
	/* Unpack the structure starting at p (len bytes available to the end of the blob):
	 * report entries with jcs_fw_emit(); set *used to the bytes it occupies (0 = unknown).
	 * Return 0, JCS_ENOTFOUND when this is not the format after all (a false signature hit:
	 * silent), or another JCS_E* with a reason in err (reported as a problem at this offset). */
	int (*unpack)(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err);
};

extern const struct jcs_fw_unpacker *const jcs_fw_unpackers[];
extern const size_t jcs_fw_nunpackers;

/* Run one unpacker on data at offset 0 (fuzz targets, tests); its result is returned and, on
 * failure, also reported as a problem. */
int jcs_fw_walk_one(const struct jcs_fw_unpacker *u, const uint8_t *data, size_t len,
		    const struct jcs_fw_limits *lim, const struct jcs_fw_sink *sink, struct jcs_err *err);

/* How jcs_fw_emit() treats a file's bytes after the sink has seen them. */
enum jcs_fw_emit_mode {
	JCS_FW_EMIT_LEAF,   /* a file inside a filesystem: unpacked only if a signature is at offset 0 */
	JCS_FW_EMIT_CARVE,  /* a payload (partition, decompressed stream): carved all through */
	JCS_FW_EMIT_NONE,   /* reported only (e.g. the structure itself) */
};

/* Report an entry. f->path is the raw stored name (normalised here: "..", "." and repeated
 * '/' removed, traversal reported as a problem); f->container is filled in. Recurses into
 * the file's bytes per mode. Returns 0 or a negative JCS_E* that must stop the unpacker. */
int jcs_fw_emit(struct jcs_fw_walk *w, struct jcs_fw_file *f, enum jcs_fw_emit_mode mode);

/* Report a problem inside the current container at offset off (relative to its start). */
void jcs_fw_problem(struct jcs_fw_walk *w, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Account for produced bytes: JCS_ELIMIT when the walk total or the ratio to in_len is over. */
int jcs_fw_account(struct jcs_fw_walk *w, uint64_t in_len, uint64_t out_len, struct jcs_err *err);
/* Charge n steps of work to the walk's budget (lim.max_steps): JCS_ELIMIT once it is spent.
 * Every unpacker loop over hostile structures charges; the error must stop the unpacker
 * (return it), which the walk then reports as the part "work budget exceeded". The rest of
 * the image is reported unread, not unpacked. */
int jcs_fw_charge(struct jcs_fw_walk *w, uint64_t n);
/* Steps for scanning or checksumming len bytes (one per 64 KiB, at least 1). */
static inline uint64_t jcs_fw_bytes_steps(uint64_t len)
{
	return (len >> 16) + 1;
}
/* True when the walk must stop (a global limit was hit or the sink said stop). */
bool jcs_fw_stopped(const struct jcs_fw_walk *w);
const struct jcs_fw_limits *jcs_fw_walk_limits(const struct jcs_fw_walk *w);
/* The sink's prescan hook (fwfile.h), or NULL. */
const struct jcs_fw_prescan *jcs_fw_walk_prescan(const struct jcs_fw_walk *w);

/* A stored checksum matches the computed one. Fuzz builds (cmake -DJCS_FUZZ=ON defines
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) accept any, so that mutated inputs reach the
 * parsers behind CRC-protected headers (JFFS2, UBI, UBIFS); never in a product build. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define JCS_FW_CRC_OK(stored, computed) ((void)(stored), (void)(computed), true)
#else
#define JCS_FW_CRC_OK(stored, computed) ((stored) == (computed))
#endif

/* Output buffer for decompressors: grows up to cap; ratio and totals are checked by callers. */
struct jcs_fw_out {
	uint8_t *data;
	size_t len, cap, max;
};
int jcs_fw_out_reserve(struct jcs_fw_out *o, size_t extra, struct jcs_err *err);
void jcs_fw_out_free(struct jcs_fw_out *o);

/* One-shot decompressors shared by filesystem readers (block = independent compressed unit).
 * Return the decompressed length (<= outcap) or a negative JCS_E*. */
enum jcs_fw_comp { JCS_FW_ZLIB, JCS_FW_DEFLATE, JCS_FW_LZMA_ALONE, JCS_FW_LZMA_RAW, JCS_FW_XZ, JCS_FW_LZO, JCS_FW_LZ4, JCS_FW_ZSTD };
long jcs_fw_decompress(enum jcs_fw_comp c, const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap);

#endif
