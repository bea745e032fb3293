#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jcstar/jcstar.h"
#include "jcstar/buf.h"

int jcs_buf_reserve(struct jcs_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return b->err;
	if (extra > SIZE_MAX - b->len - 1)
		return jcs_buf_fail(b, JCS_ELIMIT);
	need = b->len + extra + 1;
	if (b->max && need > b->max + 1)
		return jcs_buf_fail(b, JCS_ELIMIT);
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return jcs_buf_fail(b, JCS_ENOMEM);
	b->data = p;
	b->cap = cap;
	return 0;
}

int jcs_buf_append(struct jcs_buf *b, const void *p, size_t n)
{
	int rc = jcs_buf_reserve(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int jcs_buf_puts(struct jcs_buf *b, const char *s)
{
	return jcs_buf_append(b, s, strlen(s));
}

int jcs_buf_putc(struct jcs_buf *b, char c)
{
	return jcs_buf_append(b, &c, 1);
}

int jcs_buf_vprintf(struct jcs_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	if (b->err)
		return b->err;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return jcs_buf_fail(b, JCS_EINVAL);
	rc = jcs_buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int jcs_buf_printf(struct jcs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = jcs_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int jcs_buf_put_html(struct jcs_buf *b, const char *s)
{
	int rc = 0;

	for (; *s && !rc; s++) {
		switch (*s) {
		case '&': rc = jcs_buf_puts(b, "&amp;"); break;
		case '<': rc = jcs_buf_puts(b, "&lt;"); break;
		case '>': rc = jcs_buf_puts(b, "&gt;"); break;
		case '"': rc = jcs_buf_puts(b, "&quot;"); break;
		case '\'': rc = jcs_buf_puts(b, "&#39;"); break;
		default: rc = jcs_buf_putc(b, *s);
		}
	}
	return rc;
}

int jcs_buf_put_csv(struct jcs_buf *b, const char *s)
{
	int rc;

	if (!strpbrk(s, ",\"\r\n"))
		return jcs_buf_puts(b, s);
	rc = jcs_buf_putc(b, '"');
	for (; *s && !rc; s++)
		rc = *s == '"' ? jcs_buf_puts(b, "\"\"") : jcs_buf_putc(b, *s);
	return rc ? rc : jcs_buf_putc(b, '"');
}

void jcs_buf_reset(struct jcs_buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data)
		b->data[0] = 0;
}

void jcs_buf_wipe(struct jcs_buf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap);
	jcs_buf_free(b);
}

void jcs_buf_free(struct jcs_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

char *jcs_buf_steal(struct jcs_buf *b)
{
	char *p = b->data;

	if (b->err) { /* a prefix is never handed over as the whole */
		jcs_buf_free(b);
		return NULL;
	}
	if (!p)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

int jcs_read_file(const char *path, size_t max, struct jcs_buf *b, struct jcs_err *err)
{
	char tmp[65536];
	size_t n;
	FILE *f;
	int rc = 0;

	if (!max)
		max = (size_t)1 << 30;
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) /* a missing or unreadable input is bad input, not a runtime failure */
		return jcs_err_set(err, errno == ENOENT || errno == EACCES || errno == ENOTDIR ? JCS_EINVAL : JCS_EIO,
				   "%s: %s", path, strerror(errno));
	{
		struct stat st;
		if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
			fclose(f);
			return jcs_err_set(err, JCS_EINVAL, "%s: is a directory, not a file", path);
		}
	}
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		if (b->len + n > max) {
			rc = jcs_err_set(err, JCS_ELIMIT, "%s: larger than %zu bytes", path, max);
			goto out;
		}
		if ((rc = jcs_buf_append(b, tmp, n))) {
			jcs_err_set(err, rc, "%s: %s", path, jcs_strerror(rc));
			goto out;
		}
	}
	if (ferror(f))
		rc = jcs_err_set(err, JCS_EIO, "%s: read error: %s", path, strerror(errno));
	else if (jcs_buf_reserve(b, 0) == 0)
		b->data[b->len] = 0;
out:
	if (f != stdin)
		fclose(f);
	return rc;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int jcs_write_file_atomic(const char *path, const void *data, size_t len, struct jcs_err *err)
{
	struct jcs_buf tmp = JCS_BUF_INIT;
	struct stat st;
	char *target = NULL;
	int fd, rc = 0;

	if (strcmp(path, "-") == 0) {
		if (write_all(STDOUT_FILENO, data, len))
			return jcs_err_set(err, JCS_EIO, "stdout: %s", strerror(errno));
		return 0;
	}
	/* Only a regular file is replaced by renaming; a device, FIFO or socket (-o /dev/null,
	 * a pipe) is written in place, and a symbolic link keeps pointing where it points. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return jcs_err_set(err, JCS_EINVAL, "%s: is a directory, not a file", path);
		if ((fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)) < 0 || write_all(fd, data, len)) {
			rc = jcs_err_set(err, JCS_EIO, "%s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return rc;
		}
		return close(fd) ? jcs_err_set(err, JCS_EIO, "%s: %s", path, strerror(errno)) : 0;
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (!(target = realpath(path, NULL)))
			return jcs_err_set(err, JCS_EIO, "%s: %s", path, strerror(errno));
		path = target;
	}
	if (jcs_buf_printf(&tmp, "%s.tmp.XXXXXX", path)) {
		free(target);
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	}
	fd = mkstemp(tmp.data);
	if (fd < 0) {
		rc = jcs_err_set(err, JCS_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (write_all(fd, data, len) || fchmod(fd, 0644) || fsync(fd)) {
		rc = jcs_err_set(err, JCS_EIO, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp.data);
		goto out;
	}
	close(fd);
	if (rename(tmp.data, path)) {
		rc = jcs_err_set(err, JCS_EIO, "%s: %s", path, strerror(errno));
		unlink(tmp.data);
	}
out:
	jcs_buf_free(&tmp);
	free(target);
	return rc;
}

void jcs_json_where(const char *text, size_t len, size_t position, int *line, int *column)
{
	size_t p = position < len ? position : len, start = 0;

	while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t' || text[p - 1] == '\n' || text[p - 1] == '\r'))
		p--;
	*line = 1;
	for (size_t i = 0; i < p; i++)
		if (text[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	*column = (int)(p - start) + 1;
}
