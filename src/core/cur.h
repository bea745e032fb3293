/* Bounds-checked reader for hostile bytes (network replies, firmware, uploads).
 * Errors are sticky: once a read runs past the end, every later read returns 0 and
 * cur->bad stays set, so a parser checks once at the end (see docs/hacking.md). */
#ifndef JCS_CORE_CUR_H
#define JCS_CORE_CUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jcs_cur {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad;
};

static inline struct jcs_cur jcs_cur_make(const void *p, size_t len)
{
	struct jcs_cur c = {(const uint8_t *)p, len, 0, false};
	return c;
}

static inline size_t jcs_cur_left(const struct jcs_cur *c)
{
	return c->bad ? 0 : c->len - c->off;
}

/* Pointer to the next n bytes and advance, or NULL (and bad) if fewer remain. */
static inline const uint8_t *jcs_cur_take(struct jcs_cur *c, size_t n)
{
	const uint8_t *p;

	if (c->bad || n > c->len - c->off) {
		c->bad = true;
		return NULL;
	}
	p = c->p + c->off;
	c->off += n;
	return p;
}

static inline bool jcs_cur_skip(struct jcs_cur *c, size_t n)
{
	return jcs_cur_take(c, n) != NULL;
}

/* Move to absolute offset off (<= len). */
static inline bool jcs_cur_seek(struct jcs_cur *c, size_t off)
{
	if (c->bad || off > c->len) {
		c->bad = true;
		return false;
	}
	c->off = off;
	return true;
}

/* A sub-cursor over the next n bytes (advances c). */
static inline struct jcs_cur jcs_cur_sub(struct jcs_cur *c, size_t n)
{
	const uint8_t *p = jcs_cur_take(c, n);
	struct jcs_cur s = {p, p ? n : 0, 0, p == NULL};
	return s;
}

static inline uint8_t jcs_cur_u8(struct jcs_cur *c)
{
	const uint8_t *p = jcs_cur_take(c, 1);
	return p ? p[0] : 0;
}

static inline uint16_t jcs_cur_u16le(struct jcs_cur *c)
{
	const uint8_t *p = jcs_cur_take(c, 2);
	return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

static inline uint16_t jcs_cur_u16be(struct jcs_cur *c)
{
	const uint8_t *p = jcs_cur_take(c, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint32_t jcs_cur_u32le(struct jcs_cur *c)
{
	const uint8_t *p = jcs_cur_take(c, 4);
	return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

static inline uint32_t jcs_cur_u32be(struct jcs_cur *c)
{
	const uint8_t *p = jcs_cur_take(c, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3] : 0;
}

/* In the byte order of the structure being read (formats found in both orders). */
static inline uint16_t jcs_cur_u16e(struct jcs_cur *c, bool be)
{
	return be ? jcs_cur_u16be(c) : jcs_cur_u16le(c);
}

static inline uint32_t jcs_cur_u32e(struct jcs_cur *c, bool be)
{
	return be ? jcs_cur_u32be(c) : jcs_cur_u32le(c);
}

/* A cursor over the n bytes at absolute offset off of c (c itself does not move); bad when
 * they are not all inside c. */
static inline struct jcs_cur jcs_cur_at(const struct jcs_cur *c, uint64_t off, uint64_t n)
{
	bool ok = !c->bad && off <= c->len && n <= c->len - off;
	struct jcs_cur s = {ok ? c->p + off : NULL, ok ? (size_t)n : 0, 0, !ok};
	return s;
}

static inline uint64_t jcs_cur_u64le(struct jcs_cur *c)
{
	uint64_t lo = jcs_cur_u32le(c);
	return lo | (uint64_t)jcs_cur_u32le(c) << 32;
}

static inline uint64_t jcs_cur_u64be(struct jcs_cur *c)
{
	uint64_t hi = jcs_cur_u32be(c);
	return hi << 32 | jcs_cur_u32be(c);
}

/* The NUL-terminated string at the cursor (its length in *n, the NUL not counted) and advance
 * past the NUL; NULL (and bad) when no NUL comes before the end. */
static inline const char *jcs_cur_str(struct jcs_cur *c, size_t *n)
{
	const uint8_t *p = c->bad || c->off == c->len ? NULL : c->p + c->off;
	const uint8_t *z = p ? (const uint8_t *)memchr(p, 0, c->len - c->off) : NULL;

	if (!z) {
		c->bad = true;
		return NULL;
	}
	*n = (size_t)(z - p);
	c->off += *n + 1;
	return (const char *)p;
}

/* Advance to the next multiple of a (a power of two) counted from the start of the cursor. */
static inline bool jcs_cur_align(struct jcs_cur *c, size_t a)
{
	return jcs_cur_skip(c, (a - (c->off & (a - 1))) & (a - 1));
}

#endif
