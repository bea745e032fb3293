/* libjcstar — public API. Library code never prints and never exits; every
 * function returns 0 or a negative JCS_E* code, and fills a struct jcs_err with a
 * human-readable message when the caller passes one. */
#ifndef JCSTAR_H
#define JCSTAR_H

#include <stdarg.h>
#include <stddef.h>

/* Everything declared between JCS_API_BEGIN and JCS_API_END (the headers under
 * include/jcstar/) is libjcstar's API. The library is built with -fvisibility=hidden, so these
 * are the only symbols libjcstar.so exports. */
#define JCS_API_BEGIN _Pragma("GCC visibility push(default)")
#define JCS_API_END   _Pragma("GCC visibility pop")

JCS_API_BEGIN

#define JCS_SCHEMA_EVIDENCE "jcstar.evidence/1"
#define JCS_SCHEMA_REPORT   "jcstar.report/1"

enum jcs_error {
	JCS_OK = 0,
	JCS_ENOMEM = -1,       /* out of memory */
	JCS_EINVAL = -2,       /* invalid argument */
	JCS_EIO = -3,          /* I/O error */
	JCS_EPARSE = -4,       /* malformed input */
	JCS_ESCHEMA = -5,      /* well-formed input that breaks its schema */
	JCS_ELIMIT = -6,       /* a size, count, time or depth cap was hit */
	JCS_ENOTFOUND = -7,    /* no such thing */
	JCS_ETIMEOUT = -8,     /* timed out */
	JCS_EUNSUPPORTED = -9, /* format or feature not supported */
	JCS_ECRYPTO = -10,     /* cryptographic failure */
	JCS_ENET = -11,        /* network failure */
	JCS_EDB = -12,         /* database failure */
	JCS_EPERM = -13,       /* not allowed */
	JCS_ECONFLICT = -14,   /* state conflict (wrong workflow state, duplicate) */
};

/* Message for an error code; never NULL. */
const char *jcs_strerror(int code);

/* Error detail. Functions taking `struct jcs_err *err` fill it on failure (err may be NULL). */
struct jcs_err {
	int code;
	char msg[1024];
};

/* Set err (if non-NULL) and return code, so callers can `return jcs_err_set(...)`. */
int jcs_err_set(struct jcs_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int jcs_err_vset(struct jcs_err *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

const char *jcs_version(void);

JCS_API_END

#endif
