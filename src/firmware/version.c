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
