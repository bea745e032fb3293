/* Multi-pattern component signature matcher (see sigmatch.h). */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/sigmatch.h"

#define MAX_TOKENS 8
#define MAX_PATTERNS 4096
#define MAX_STAR 96 /* bytes a {*} may cover */

enum tok_type { T_LIT, T_BOUND, T_VER, T_STAR };

struct tok {
	enum tok_type t;
	const char *s; /* literal (points into the pattern copy) */
	size_t n;
};

struct pat {
	struct tok tok[MAX_TOKENS];
	int ntok, anchor;
	size_t comp;
	char *text; /* owned copy that the literals point into */
};

struct jcs_sigmatch {
	struct pat *pats;
	size_t npats;
	int32_t (*go)[256]; /* dense goto table (after failure resolution) */
	int32_t *out;       /* per state: first output node, -1 = none */
	struct outnode {
		int32_t pat, next;
	} *outs;
	size_t nstates, nouts;
	/* bit set for the byte pairs that start an anchor (anchors have 3+ bytes): at the root
	 * state, a position whose pair is not set leads back to the root with no output, so the
	 * scan skips it without touching the goto table */
	uint8_t pair[65536 / 8];
};

static void pair_set(struct jcs_sigmatch *m, unsigned b0, unsigned b1)
{
	m->pair[(b0 << 8 | b1) >> 3] |= (uint8_t)(1u << (b1 & 7));
}

static bool pair_has(const struct jcs_sigmatch *m, unsigned b0, unsigned b1)
{
	return m->pair[(b0 << 8 | b1) >> 3] & (1u << (b1 & 7));
}

static bool is_bound(uint8_t c)
{
	return c == 0 || c == '\n' || c == '\r';
}

static bool is_verc(uint8_t c)
{
	return isalnum(c) || c == '.';
}

int jcs_sig_version_ok(const char *s, size_t n)
{
	bool dot = false;

	if (n == 0 || n > JCS_SIG_MAX_VERSION || !isdigit((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_verc((uint8_t)s[i]))
			return 0;
		dot |= s[i] == '.' && i + 1 < n && isalnum((unsigned char)s[i + 1]);
	}
	return dot;
}

/* Split a pattern into tokens; the anchor is the longest literal. */
static int parse_pattern(const char *src, struct pat *p, struct jcs_err *err)
{
	char *w;
	size_t best = 0;
	int nver = 0;

	p->text = strdup(src);
	if (!p->text)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	p->ntok = 0;
	p->anchor = -1;
	for (const char *s = src; *s;) {
		struct tok t = {T_LIT, NULL, 0};
		if (p->ntok == MAX_TOKENS)
			return jcs_err_set(err, JCS_EINVAL, "signature '%s': too many parts", src);
		if (*s == '^' || *s == '|') {
			t.t = T_BOUND;
			s++;
		} else if (strncmp(s, "{v}", 3) == 0) {
			t.t = T_VER;
			nver++;
			s += 3;
		} else if (strncmp(s, "{*}", 3) == 0) {
			t.t = T_STAR;
			s += 3;
		} else {
			size_t n = 0;
			while (s[n] && s[n] != '^' && s[n] != '|' && strncmp(s + n, "{v}", 3) &&
			       strncmp(s + n, "{*}", 3))
				n++;
			w = p->text + (s - src);
			t.s = w;
			t.n = n;
			s += n;
		}
		p->tok[p->ntok++] = t;
	}
	for (int i = 0; i < p->ntok; i++)
		if (p->tok[i].t == T_LIT && p->tok[i].n > best) {
			best = p->tok[i].n;
			p->anchor = i;
		}
	if (nver != 1 || p->anchor < 0 || best < 3)
		return jcs_err_set(err, JCS_EINVAL,
				   "signature '%s': needs exactly one {v} and a literal of 3+ bytes", src);
	for (int i = 0; i < p->ntok; i++)
		if (p->tok[i].t == T_STAR && (i == 0 || i == p->ntok - 1 || p->tok[i - 1].t != T_LIT ||
					      p->tok[i + 1].t != T_LIT))
			return jcs_err_set(err, JCS_EINVAL, "signature '%s': {*} must stand between literals", src);
	return 0;
}

void jcs_sigmatch_free(struct jcs_sigmatch *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->npats; i++)
		free(m->pats[i].text);
	free(m->pats);
	free(m->go);
	free(m->out);
	free(m->outs);
	free(m);
}

int jcs_sigmatch_new(const char *const *pat, const size_t *comp, size_t n,
		     struct jcs_sigmatch **out, struct jcs_err *err)
{
	struct jcs_sigmatch *m = calloc(1, sizeof(*m));
	size_t maxstates = 1, nst = 1;
	int32_t *fail = NULL, *queue = NULL;
	int rc = 0;

	*out = NULL;
	if (!m || n > MAX_PATTERNS)
		return jcs_err_set(err, m ? JCS_ELIMIT : JCS_ENOMEM, "signature table too large");
	m->pats = calloc(n ? n : 1, sizeof(*m->pats));
	if (!m->pats) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		m->npats = i + 1;
		m->pats[i].comp = comp[i];
		rc = parse_pattern(pat[i], &m->pats[i], err);
		if (rc)
			goto out;
		maxstates += m->pats[i].tok[m->pats[i].anchor].n;
	}
	m->go = malloc(maxstates * sizeof(*m->go));
	m->out = malloc(maxstates * sizeof(*m->out));
	m->outs = malloc((n ? n : 1) * sizeof(*m->outs));
	fail = calloc(maxstates, sizeof(*fail));
	queue = malloc(maxstates * sizeof(*queue));
	if (!m->go || !m->out || !m->outs || !fail || !queue) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	memset(m->go, 0xff, maxstates * sizeof(*m->go)); /* -1 = no edge yet */
	for (size_t i = 0; i < maxstates; i++)
		m->out[i] = -1;
	/* trie of the anchors */
	for (size_t i = 0; i < n; i++) {
		const struct tok *a = &m->pats[i].tok[m->pats[i].anchor];
		int32_t s = 0;
		for (size_t k = 0; k < a->n; k++) {
			uint8_t c = (uint8_t)a->s[k];
			if (m->go[s][c] < 0)
				m->go[s][c] = (int32_t)nst++;
			s = m->go[s][c];
		}
		pair_set(m, (uint8_t)a->s[0], (uint8_t)a->s[1]);
		m->outs[m->nouts] = (struct outnode){(int32_t)i, m->out[s]};
		m->out[s] = (int32_t)m->nouts++;
	}
	m->nstates = nst;
	/* failure links, breadth first; complete the goto table; outputs of the failure state are
	 * reachable through the chain (copied as list links) */
	{
		size_t head = 0, tail = 0;
		for (int c = 0; c < 256; c++) {
			if (m->go[0][c] < 0)
				m->go[0][c] = 0;
			else {
				fail[m->go[0][c]] = 0;
				queue[tail++] = m->go[0][c];
			}
		}
		while (head < tail) {
			int32_t s = queue[head++];
			/* append fail[s]'s outputs to s's list (shared tails are fine: lists only grow at
			 * their heads and fail states are processed first) */
			if (m->out[fail[s]] >= 0) {
				if (m->out[s] < 0)
					m->out[s] = m->out[fail[s]];
				else {
					int32_t k = m->out[s];
					while (m->outs[k].next >= 0)
						k = m->outs[k].next;
					m->outs[k].next = m->out[fail[s]];
				}
			}
			for (int c = 0; c < 256; c++) {
				int32_t t = m->go[s][c];
				if (t < 0)
					m->go[s][c] = m->go[fail[s]][c];
				else {
					fail[t] = m->go[fail[s]][c];
					queue[tail++] = t;
				}
			}
		}
	}
out:
	free(fail);
	free(queue);
	if (rc)
		jcs_sigmatch_free(m);
	else
		*out = m;
	return rc;
}

/* Match tokens [from, to) forward starting at *pos; version into ver. */
static bool match_fwd(const struct pat *p, int from, const uint8_t *d, size_t len, size_t *pos,
		      char *ver)
{
	size_t i = *pos;

	for (int k = from; k < p->ntok; k++) {
		const struct tok *t = &p->tok[k];
		switch (t->t) {
		case T_LIT:
			if (len - i < t->n || memcmp(d + i, t->s, t->n))
				return false;
			i += t->n;
			break;
		case T_BOUND: /* end of data, or one boundary byte */
			if (i < len && !is_bound(d[i++]))
				return false;
			break;
		case T_VER: {
			size_t s = i;
			while (i < len && i - s <= JCS_SIG_MAX_VERSION && is_verc(d[i]))
				i++;
			while (i > s && d[i - 1] == '.')
				i--;
			if (!jcs_sig_version_ok((const char *)d + s, i - s))
				return false;
			memcpy(ver, d + s, i - s);
			ver[i - s] = 0;
			break;
		}
		case T_STAR: {
			const struct tok *nx = &p->tok[k + 1];
			size_t lim = i + MAX_STAR < len ? i + MAX_STAR : len;
			bool found = false;
			for (; i + nx->n <= lim; i++) {
				if (is_bound(d[i]))
					return false;
				if (memcmp(d + i, nx->s, nx->n) == 0) {
					found = true;
					break;
				}
			}
			if (!found)
				return false;
			break;
		}
		}
	}
	*pos = i;
	return true;
}

/* Match tokens anchor-1 .. 0 backward, ending at pos (exclusive). */
static bool match_bwd(const struct pat *p, const uint8_t *d, size_t pos, char *ver)
{
	size_t i = pos;

	for (int k = p->anchor - 1; k >= 0; k--) {
		const struct tok *t = &p->tok[k];
		switch (t->t) {
		case T_LIT:
			if (i < t->n || memcmp(d + i - t->n, t->s, t->n))
				return false;
			i -= t->n;
			break;
		case T_BOUND: /* start of data, or one boundary byte */
			if (i > 0 && !is_bound(d[--i]))
				return false;
			break;
		case T_VER: {
			size_t e = i;
			while (i > 0 && e - i <= JCS_SIG_MAX_VERSION && is_verc(d[i - 1]))
				i--;
			while (e > i && d[e - 1] == '.')
				e--;
			if (!jcs_sig_version_ok((const char *)d + i, e - i))
				return false;
			memcpy(ver, d + i, e - i);
			ver[e - i] = 0;
			break;
		}
		case T_STAR: {
			const struct tok *pv = &p->tok[k - 1];
			size_t lim = i > MAX_STAR ? i - MAX_STAR : 0;
			bool found = false;
			for (; i >= lim + pv->n && i > 0; i--) {
				if (is_bound(d[i - 1]))
					return false;
				if (i >= pv->n && memcmp(d + i - pv->n, pv->s, pv->n) == 0) {
					found = true;
					break;
				}
			}
			if (!found)
				return false;
			break;
		}
		}
	}
	return true;
}

int jcs_sigmatch_scan(const struct jcs_sigmatch *m, const void *data, size_t len,
		      int (*cb)(void *ctx, const struct jcs_sig_hit *h), void *ctx)
{
	const uint8_t *d = data;
	int32_t s = 0;

	if (!m || m->npats == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s == 0) {
			while (i + 1 < len && !pair_has(m, d[i], d[i + 1]))
				i++;
			if (i + 1 >= len) /* no anchor starts on the last byte */
				break;
		}
		s = m->go[s][d[i]];
		for (int32_t o = m->out[s]; o >= 0; o = m->outs[o].next) {
			const struct pat *p = &m->pats[m->outs[o].pat];
			const struct tok *a = &p->tok[p->anchor];
			size_t start = i + 1 - a->n, pos = i + 1;
			struct jcs_sig_hit h;
			int rc;

			memset(&h, 0, sizeof(h));
			if (!match_bwd(p, d, start, h.version) ||
			    !match_fwd(p, p->anchor + 1, d, len, &pos, h.version) || !h.version[0])
				continue;
			h.component = p->comp;
			h.pattern = (size_t)m->outs[o].pat;
			h.offset = start;
			rc = cb(ctx, &h);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int jcs_sigmatch_name(const char *pattern, const char *name, char *ver, size_t cap)
{
	const char *v = strstr(pattern, "{v}");
	size_t pl, sl, nl = strlen(name), vl;

	if (!v)
		return 0;
	pl = (size_t)(v - pattern);
	sl = strlen(v + 3);
	if (nl < pl + sl + 1 || strncmp(name, pattern, pl) || strcmp(name + nl - sl, v + 3))
		return 0;
	vl = nl - pl - sl;
	if (vl >= cap || !jcs_sig_version_ok(name + pl, vl))
		return 0;
	memcpy(ver, name + pl, vl);
	ver[vl] = 0;
	return 1;
}
