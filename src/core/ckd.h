/* Checked arithmetic for sizes and offsets computed from hostile input (C23 ckd_* style over
 * the GCC/clang builtins): each returns true when the exact result does not fit in *r.
 * Typical use: if (jcs_mul_overflow(n, bs, &sz) || jcs_add_overflow(off, sz, &end) || end > len) fail;
 * jcs_range_ok(off, n, len) is the common "n bytes at off lie inside len" test. */
#ifndef JCS_CORE_CKD_H
#define JCS_CORE_CKD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define jcs_add_overflow(a, b, r) __builtin_add_overflow((a), (b), (r))
#define jcs_mul_overflow(a, b, r) __builtin_mul_overflow((a), (b), (r))

/* True when [off, off + n) lies inside [0, len), without wrapping. */
static inline bool jcs_range_ok(uint64_t off, uint64_t n, uint64_t len)
{
	return off <= len && n <= len - off;
}

#endif
