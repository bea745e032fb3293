#include <stdio.h>

#include "jcstar/jcstar.h"

static const char *const messages[] = {
	[0] = "success",
	[-JCS_ENOMEM] = "out of memory",
	[-JCS_EINVAL] = "invalid argument",
	[-JCS_EIO] = "I/O error",
	[-JCS_EPARSE] = "malformed input",
	[-JCS_ESCHEMA] = "input does not follow its schema",
	[-JCS_ELIMIT] = "limit exceeded",
	[-JCS_ENOTFOUND] = "not found",
	[-JCS_ETIMEOUT] = "timed out",
	[-JCS_EUNSUPPORTED] = "unsupported",
	[-JCS_ECRYPTO] = "cryptographic failure",
	[-JCS_ENET] = "network failure",
	[-JCS_EDB] = "database failure",
	[-JCS_EPERM] = "not permitted",
	[-JCS_ECONFLICT] = "conflict",
};

const char *jcs_strerror(int code)
{
	if (code > 0 || (size_t)-code >= sizeof(messages) / sizeof(messages[0]))
		return "unknown error";
	return messages[-code];
}

int jcs_err_vset(struct jcs_err *err, int code, const char *fmt, va_list ap)
{
	if (err) {
		err->code = code;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	}
	return code;
}

int jcs_err_set(struct jcs_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	jcs_err_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

const char *jcs_version(void)
{
	return JCS_VERSION;
}
