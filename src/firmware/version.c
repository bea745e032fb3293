/* Version comparison (version.h). */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "firmware/version.h"

/* 0 = not a pre-release tag; otherwise its rank (dev < alpha < beta < pre < rc). */
static int pre_rank(const char *s, size_t n)
{
	static const struct {
		const char *tag;
		int rank;
	} tags[] = {{"dev", 1}, {"alpha", 2}, {"a", 2}, {"beta", 3}, {"b", 3}, {"pre", 4}, {"rc", 5}};
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (strlen(tags[i].tag) == n && strncasecmp(s, tags[i].tag, n) == 0)
			return tags[i].rank;
	return 0;
}

static bool is_sep(char c)
{
	return c && !isalnum((unsigned char)c);
}

/* Sign of what remains on one side once the other has ended: a pre-release tag makes it
 * older, anything else (a number, a letter release) newer. */
static int rest(const char *s)
{
	size_t n = 0;

	while (is_sep(*s))
		s++;
	if (!*s)
		return 0;
	if (isdigit((unsigned char)*s))
		return 1;
	while (isalpha((unsigned char)s[n]))
		n++;
	return pre_rank(s, n) ? -1 : 1;
}

int jcs_version_cmp(const char *a, const char *b)
{
	for (;;) {
		while (is_sep(*a))
			a++;
		while (is_sep(*b))
			b++;
		if (!*a || !*b)
			return !*a && !*b ? 0 : (!*a ? -rest(b) : rest(a));
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			size_t na, nb;
			int c;
			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (na = 0; isdigit((unsigned char)a[na]); na++)
				;
			for (nb = 0; isdigit((unsigned char)b[nb]); nb++)
				;
			if (na != nb)
				return na < nb ? -1 : 1;
			c = strncmp(a, b, na);
			if (c)
				return c < 0 ? -1 : 1;
			a += na;
			b += nb;
		} else if (isalpha((unsigned char)*a) && isalpha((unsigned char)*b)) {
			size_t na, nb;
			int ra, rb, c;
			for (na = 0; isalpha((unsigned char)a[na]); na++)
				;
			for (nb = 0; isalpha((unsigned char)b[nb]); nb++)
				;
			ra = pre_rank(a, na);
			rb = pre_rank(b, nb);
			if (ra || rb) {
				if (ra != rb)
					return !ra ? 1 : !rb ? -1 : (ra < rb ? -1 : 1);
			} else {
				c = strncmp(a, b, na < nb ? na : nb);
				if (c || na != nb)
					return c ? (c < 0 ? -1 : 1) : (na < nb ? -1 : 1);
			}
			a += na;
			b += nb;
		} else {
			/* a number ranks above a letter run ("1.2.1" > "1.2a") */
			return isdigit((unsigned char)*a) ? 1 : -1;
		}
	}
}

char *jcs_version_upstream(const char *v, char *out, size_t cap)
{
	const char *c = strchr(v, ':'), *dash;
	size_t n;

	if (c && c > v && strspn(v, "0123456789") == (size_t)(c - v))
		v = c + 1;
	dash = strrchr(v, '-');
	n = dash && dash > v ? (size_t)(dash - v) : strlen(v);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, v, n);
	out[n] = 0;
	return out;
}

/* dpkg's character order: '~' lowest, then the end of the part, then letters, then the rest. */
static int deb_order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	return c ? c + 256 : 0;
}

/* dpkg's verrevcmp over [a, ae) and [b, be). */
static int deb_part(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		int diff = 0;
		while ((a < ae && !isdigit((unsigned char)*a)) || (b < be && !isdigit((unsigned char)*b))) {
			int ac = a < ae ? deb_order((unsigned char)*a) : 0;
			int bc = b < be ? deb_order((unsigned char)*b) : 0;
			if (ac != bc)
				return ac < bc ? -1 : 1;
			a += a < ae;
			b += b < be;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && b < be && isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			if (!diff)
				diff = *a - *b;
			a++;
			b++;
		}
		if (a < ae && isdigit((unsigned char)*a))
			return 1;
		if (b < be && isdigit((unsigned char)*b))
			return -1;
		if (diff)
			return diff < 0 ? -1 : 1;
	}
	return 0;
}

static void deb_split(const char *v, unsigned long *epoch, const char **up, const char **upe,
		      const char **rev, const char **reve)
{
	const char *c = strchr(v, ':'), *end = v + strlen(v), *dash;

	*epoch = 0;
	if (c && c > v && strspn(v, "0123456789") == (size_t)(c - v)) {
		for (const char *p = v; p < c; p++)
			*epoch = *epoch * 10 + (unsigned long)(*p - '0');
		v = c + 1;
	}
	dash = strrchr(v, '-');
	*up = v;
	*upe = dash ? dash : end;
	*rev = dash ? dash + 1 : end;
	*reve = end;
}

int jcs_version_cmp_deb(const char *a, const char *b)
{
	unsigned long ea, eb;
	const char *ua, *uae, *ra, *rae, *ub, *ube, *rb, *rbe;
	int c;

	deb_split(a, &ea, &ua, &uae, &ra, &rae);
	deb_split(b, &eb, &ub, &ube, &rb, &rbe);
	if (ea != eb)
		return ea < eb ? -1 : 1;
	c = deb_part(ua, uae, ub, ube);
	return c ? c : deb_part(ra, rae, rb, rbe);
}

char *jcs_version_numeric(const char *v, char *out, size_t cap)
{
	size_t n = 0;

	while (v[n] && (isdigit((unsigned char)v[n]) || (v[n] == '.' && isdigit((unsigned char)v[n + 1]))))
		n++;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, v, n);
	out[n] = 0;
	return out;
}
