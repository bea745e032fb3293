/* Growable byte buffer. Always NUL-terminated (data[len] == 0) once anything is added.
 * Errors are sticky, like the cursor's (core/cur.h): the first failed append (no memory, over
 * max) is remembered in err, every later append does nothing and returns it, so a writer
 * appends freely and checks jcs_buf_error() once before using the result. A buffer with an
 * error holds a prefix of what was meant: it must never be written or sent as if complete. */
#ifndef JCS_CORE_BUF_H
#define JCS_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "jcstar/jcstar.h"

JCS_API_BEGIN

struct jcs_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* 0 = unlimited; appends past it fail with JCS_ELIMIT */
	int err;    /* sticky: the first failure (negative JCS_E*), 0 while all is well */
};

#define JCS_BUF_INIT {NULL, 0, 0, 0, 0}

/* Make b fail with rc (sticky), e.g. to carry a nested buffer's failure into the result. */
static inline int jcs_buf_fail(struct jcs_buf *b, int rc)
{
	if (!b->err)
		b->err = rc;
	return b->err;
}

/* 0, or the first append failure since the buffer was initialised, reset or freed. */
static inline int jcs_buf_error(const struct jcs_buf *b)
{
	return b->err;
}

int jcs_buf_reserve(struct jcs_buf *b, size_t extra);
int jcs_buf_append(struct jcs_buf *b, const void *p, size_t n);
int jcs_buf_puts(struct jcs_buf *b, const char *s);
int jcs_buf_putc(struct jcs_buf *b, char c);
int jcs_buf_printf(struct jcs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int jcs_buf_vprintf(struct jcs_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Append s with &<>"' escaped for HTML text and attribute values. */
int jcs_buf_put_html(struct jcs_buf *b, const char *s);
/* Append s as one CSV field (RFC 4180 quoting when needed). */
int jcs_buf_put_csv(struct jcs_buf *b, const char *s);
/* Empty the buffer (and clear its error); the memory is kept. */
void jcs_buf_reset(struct jcs_buf *b);
/* Zero the contents (secrets) before freeing. */
void jcs_buf_wipe(struct jcs_buf *b);
void jcs_buf_free(struct jcs_buf *b);
/* Hand over the data (caller frees); the buffer is left empty. NULL when out of memory or
 * when the buffer has an error (its contents are freed). */
char *jcs_buf_steal(struct jcs_buf *b);

/* Read a whole file (at most max bytes, 0 = 1 GiB) into b. */
int jcs_read_file(const char *path, size_t max, struct jcs_buf *b, struct jcs_err *err);
/* Write data to path atomically (temp file in the same directory, fsync, rename):
 * a failure never leaves a half-written file. path "-" writes to stdout. */
/* Line and 1-based column of a JSON parse error at byte position (jansson's json_error_t.position)
 * when jansson gives column 0 (an error at the end of input, after a newline): the place just
 * after the last character that is not white space. */
void jcs_json_where(const char *text, size_t len, size_t position, int *line, int *column);

/* Write data to path: "-" is stdout; a regular file (or a new one) is replaced atomically (a
 * temporary file renamed over it, through a symbolic link to its target); a device, FIFO or
 * socket (-o /dev/null) is written in place and never replaced. */
int jcs_write_file_atomic(const char *path, const void *data, size_t len, struct jcs_err *err);

JCS_API_END

#endif
