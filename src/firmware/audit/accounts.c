/* Rule "accounts": fw.account.empty-password and fw.account.default-password.
 * Collects account records from passwd/shadow/htpasswd-like files (also inside binary blobs)
 * and, at the end, tries the bundled default-password list (data/creds/passwords.txt) against
 * every hash with libcrypt's crypt_r (DES, MD5, SHA-256/512, bcrypt, yescrypt) or our own code
 * for the non-crypt(3) formats (apr1, {SHA}, mosquitto). Guesses per hash are capped by the
 * hash's cost, so a slow hash is tried with the most common passwords only; the image has a
 * work budget spent on the cheapest hashes first and a time cap. The guesses run on all
 * cores (chunks of one hash's candidates over a thread pool); the password reported is the
 * first in list order that matches, so the result does not depend on the thread count.
 * An account whose guesses were not all made is inconclusive, never a pass. */
#include <crypt.h>
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "core/blob.h"
#include "firmware/audit/accounts.h"
#include "firmware/audit/audit.h"

#define MAX_ACCOUNT_FILE ((size_t)1 << 20)
#define MAX_ACCOUNTS 4096
#define CRACK_BUDGET 16000u /* cost units per hash (1 = one md5-crypt guess) */

static const char crypt64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const char *jcs_hash_type_name(enum jcs_hash_type t)
{
	static const char *const names[] = {"none", "empty", "des-crypt", "md5-crypt", "apr1",
					    "sha256-crypt", "sha512-crypt", "bcrypt", "yescrypt",
					    "sha1-base64", "mosquitto-sha512"};
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

/* Length of the run of characters of set at s. */
static size_t span(const char *s, const char *set)
{
	return strspn(s, set);
}

static bool is_b64(const char *s, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
	return span(s, b64) == n;
}

/* "$1$salt$hash22" after the magic: salt <= max chars, '$', then exactly hashlen chars. */
static bool crypt_shape(const char *s, size_t saltmax, size_t hashlen)
{
	size_t salt;

	if (strncmp(s, "rounds=", 7) == 0) {
		size_t d = span(s + 7, "0123456789");
		if (d == 0 || d > 9 || s[7 + d] != '$')
			return false;
		s += 8 + d;
	}
	salt = span(s, crypt64);
	if (salt > saltmax || s[salt] != '$')
		return false;
	s += salt + 1;
	return span(s, crypt64) == hashlen && s[hashlen] == 0;
}

enum jcs_hash_type jcs_hash_classify(const char *f, int nfields)
{
	size_t n = strlen(f);

	if (n == 0)
		return nfields >= 7 ? JCS_HASH_EMPTY : JCS_HASH_NONE;
	if (strncmp(f, "$1$", 3) == 0)
		return crypt_shape(f + 3, 8, 22) ? JCS_HASH_MD5 : JCS_HASH_NONE;
	if (strncmp(f, "$apr1$", 6) == 0)
		return crypt_shape(f + 6, 8, 22) ? JCS_HASH_APR1 : JCS_HASH_NONE;
	if (strncmp(f, "$5$", 3) == 0)
		return crypt_shape(f + 3, 16, 43) ? JCS_HASH_SHA256 : JCS_HASH_NONE;
	if (strncmp(f, "$6$", 3) == 0) {
		const char *d;
		if (crypt_shape(f + 3, 16, 86))
			return JCS_HASH_SHA512;
		d = strchr(f + 3, '$');
		if (d && d > f + 3 && is_b64(f + 3, (size_t)(d - f - 3)) && strlen(d + 1) == 88 &&
		    is_b64(d + 1, 88))
			return JCS_HASH_MOSQUITTO;
		return JCS_HASH_NONE;
	}
	if (n == 60 && f[0] == '$' && f[1] == '2' && strchr("aby", f[2]) && f[3] == '$' &&
	    isdigit((unsigned char)f[4]) && isdigit((unsigned char)f[5]) && f[6] == '$' &&
	    span(f + 7, crypt64) == 53)
		return JCS_HASH_BCRYPT;
	if (strncmp(f, "$y$", 3) == 0 && n >= 20 && span(f + 3, "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$") == n - 3)
		return JCS_HASH_YESCRYPT;
	if (strncmp(f, "{SHA}", 5) == 0 && n == 33 && is_b64(f + 5, 28))
		return JCS_HASH_SHA1_B64;
	if (n == 13 && nfields >= 7 && span(f, crypt64) == 13)
		return JCS_HASH_DES;
	return JCS_HASH_NONE;
}

static bool user_char(int c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.';
}

/* Parse one record [s, s+n) (printable bytes only). */
static int record(const char *s, size_t n, unsigned line, size_t *count, size_t max,
		  int (*cb)(void *, const struct jcs_account *), void *ctx)
{
	struct jcs_account a;
	const char *colon = memchr(s, ':', n), *f, *fe, *p;
	size_t ulen, flen;

	/* the user name ends at the first colon; tolerate leading junk bytes of a blob by
	 * taking the longest run of name characters before the colon */
	if (!colon)
		return 0;
	p = colon;
	while (p > s && user_char((unsigned char)p[-1]))
		p--;
	ulen = (size_t)(colon - p);
	if (ulen == 0 || ulen > 32)
		return 0;
	memset(&a, 0, sizeof(a));
	memcpy(a.user, p, ulen);
	f = colon + 1;
	fe = memchr(f, ':', (size_t)(s + n - f));
	if (!fe)
		fe = s + n;
	flen = (size_t)(fe - f);
	if (flen >= sizeof(a.hash))
		return 0;
	memcpy(a.hash, f, flen);
	a.nfields = 1;
	for (const char *q = p; q < s + n; q++)
		a.nfields += *q == ':';
	a.uid = -1;
	if (a.nfields == 7 && fe < s + n) {
		const char *u = fe + 1, *ue = memchr(u, ':', (size_t)(s + n - u));
		long uid = 0;
		bool ok = ue && ue > u && ue - u <= 9;
		for (const char *q = u; ok && q < ue; q++) {
			if (!isdigit((unsigned char)*q))
				ok = false;
			else
				uid = uid * 10 + (*q - '0');
		}
		if (ok)
			a.uid = uid;
	}
	a.type = jcs_hash_classify(a.hash, a.nfields);
	a.line = line;
	if (a.type == JCS_HASH_NONE)
		return 0;
	if (++*count > max)
		return JCS_ELIMIT;
	return cb(ctx, &a);
}

int jcs_accounts_scan(const void *data, size_t len, size_t max,
		      int (*cb)(void *ctx, const struct jcs_account *a), void *ctx)
{
	const char *p = data, *end = p + len, *start = p;
	unsigned line = 1;
	size_t count = 0;
	int rc = 0;

	for (; rc == 0 && p <= end; p++) {
		unsigned char c = p < end ? (unsigned char)*p : '\n';
		if (c >= 0x20 && c < 0x7f)
			continue;
		if (c == '\t')
			continue;
		if (p > start)
			rc = record(start, (size_t)(p - start), line, &count, max, cb, ctx);
		if (c == '\n')
			line++;
		start = p + 1;
	}
	return rc == JCS_ELIMIT ? 0 : rc;
}

unsigned jcs_hash_cost(const struct jcs_account *a)
{
	switch (a->type) {
	case JCS_HASH_DES:
	case JCS_HASH_MD5:
	case JCS_HASH_APR1:
	case JCS_HASH_SHA1_B64:
	case JCS_HASH_MOSQUITTO:
		return 1;
	case JCS_HASH_SHA256:
	case JCS_HASH_SHA512: {
		unsigned long rounds = 5000;
		if (strncmp(a->hash + 3, "rounds=", 7) == 0)
			rounds = strtoul(a->hash + 10, NULL, 10);
		if (rounds < 1000)
			rounds = 1000;
		/* a hash with absurd rounds takes minutes per guess: not checked */
		return rounds > 1000000 ? 0 : (unsigned)(rounds / 1000);
	}
	case JCS_HASH_BCRYPT: {
		unsigned cost = (unsigned)(a->hash[4] - '0') * 10 + (unsigned)(a->hash[5] - '0');
		return cost > 14 ? 0 : (1u << cost) / 16 + 1;
	}
	case JCS_HASH_YESCRYPT: {
		/* "$y$" flags, then N as log2 in crypt64: refuse memory-hard settings above 2^14 */
		const char *n = strchr(crypt64, a->hash[4]);
		return !n || n - crypt64 > 13 ? 0 : 64;
	}
	default:
		return 0;
	}
}

static void to64(char *out, unsigned long v, int n)
{
	while (n-- > 0) {
		*out++ = crypt64[v & 0x3f];
		v >>= 6;
	}
}

/* Apache's "$apr1$" = FreeBSD md5-crypt with another magic (libcrypt does not know it). */
static bool apr1_verify(const char *hash, const char *pw)
{
	static const char magic[] = "$apr1$";
	const char *salt = hash + 6, *d = strchr(salt, '$');
	size_t sl = d ? (size_t)(d - salt) : 0, pl = strlen(pw);
	unsigned char fin[16];
	char out[64], *o;
	EVP_MD_CTX *c = EVP_MD_CTX_new(), *alt = EVP_MD_CTX_new();
	bool ok = false;

	if (!c || !alt || !d || sl > 8)
		goto out;
	EVP_DigestInit_ex(alt, EVP_md5(), NULL);
	EVP_DigestUpdate(alt, pw, pl);
	EVP_DigestUpdate(alt, salt, sl);
	EVP_DigestUpdate(alt, pw, pl);
	EVP_DigestFinal_ex(alt, fin, NULL);
	EVP_DigestInit_ex(c, EVP_md5(), NULL);
	EVP_DigestUpdate(c, pw, pl);
	EVP_DigestUpdate(c, magic, 6);
	EVP_DigestUpdate(c, salt, sl);
	for (size_t i = pl; i > 0; i -= i > 16 ? 16 : i)
		EVP_DigestUpdate(c, fin, i > 16 ? 16 : i);
	memset(fin, 0, sizeof(fin));
	for (size_t i = pl; i; i >>= 1)
		EVP_DigestUpdate(c, (i & 1) ? (const void *)fin : (const void *)pw, 1);
	EVP_DigestFinal_ex(c, fin, NULL);
	for (int i = 0; i < 1000; i++) {
		EVP_DigestInit_ex(c, EVP_md5(), NULL);
		if (i & 1)
			EVP_DigestUpdate(c, pw, pl);
		else
			EVP_DigestUpdate(c, fin, 16);
		if (i % 3)
			EVP_DigestUpdate(c, salt, sl);
		if (i % 7)
			EVP_DigestUpdate(c, pw, pl);
		if (i & 1)
			EVP_DigestUpdate(c, fin, 16);
		else
			EVP_DigestUpdate(c, pw, pl);
		EVP_DigestFinal_ex(c, fin, NULL);
	}
	o = out + snprintf(out, sizeof(out), "%s%.*s$", magic, (int)sl, salt);
	to64(o, (unsigned long)fin[0] << 16 | fin[6] << 8 | fin[12], 4);
	to64(o + 4, (unsigned long)fin[1] << 16 | fin[7] << 8 | fin[13], 4);
	to64(o + 8, (unsigned long)fin[2] << 16 | fin[8] << 8 | fin[14], 4);
	to64(o + 12, (unsigned long)fin[3] << 16 | fin[9] << 8 | fin[15], 4);
	to64(o + 16, (unsigned long)fin[4] << 16 | fin[10] << 8 | fin[5], 4);
	to64(o + 20, fin[11], 2);
	o[22] = 0;
	ok = strcmp(out, hash) == 0;
out:
	EVP_MD_CTX_free(c);
	EVP_MD_CTX_free(alt);
	return ok;
}

/* {SHA}base64(sha1(pw)) and mosquitto's $6$base64(salt)$base64(sha512(pw || salt)). */
static bool digest_verify(const struct jcs_account *a, const char *pw)
{
	unsigned char salt[96], md[64], enc[100];
	unsigned int mdlen = 0;
	const char *s, *d;
	int sl = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool ok = false;

	if (!c)
		return false;
	if (a->type == JCS_HASH_SHA1_B64) {
		EVP_DigestInit_ex(c, EVP_sha1(), NULL);
		EVP_DigestUpdate(c, pw, strlen(pw));
		EVP_DigestFinal_ex(c, md, &mdlen);
		EVP_EncodeBlock(enc, md, (int)mdlen);
		ok = strcmp((char *)enc, a->hash + 5) == 0;
		goto out;
	}
	s = a->hash + 3;
	d = strchr(s, '$');
	if (!d || d - s > 128)
		goto out;
	sl = EVP_DecodeBlock(salt, (const unsigned char *)s, (int)(d - s));
	if (sl < 0 || (d - s) % 4)
		goto out;
	for (const char *q = d - 1; q >= s && *q == '='; q--)
		sl--;
	EVP_DigestInit_ex(c, EVP_sha512(), NULL);
	EVP_DigestUpdate(c, pw, strlen(pw));
	EVP_DigestUpdate(c, salt, (size_t)sl);
	EVP_DigestFinal_ex(c, md, &mdlen);
	EVP_EncodeBlock(enc, md, (int)mdlen);
	ok = strcmp((char *)enc, d + 1) == 0;
out:
	EVP_MD_CTX_free(c);
	return ok;
}

bool jcs_hash_verify(const struct jcs_account *a, const char *pw)
{
	struct crypt_data *cd;
	const char *out;
	bool ok;

	switch (a->type) {
	case JCS_HASH_APR1:
		return apr1_verify(a->hash, pw);
	case JCS_HASH_SHA1_B64:
	case JCS_HASH_MOSQUITTO:
		return digest_verify(a, pw);
	case JCS_HASH_DES:
	case JCS_HASH_MD5:
	case JCS_HASH_SHA256:
	case JCS_HASH_SHA512:
	case JCS_HASH_BCRYPT:
	case JCS_HASH_YESCRYPT:
		cd = calloc(1, sizeof(*cd));
		if (!cd)
			return false;
		out = crypt_r(pw, a->hash, cd);
		ok = out && strcmp(out, a->hash) == 0;
		free(cd);
		return ok;
	default:
		return false;
	}
}

/* ---- the rule ---- */

struct entry {
	struct jcs_account a;
	char *file, *container;
	struct jcs_strv also; /* other files with the same account and hash (backups, copies) */
};

struct state {
	struct entry *v;
	size_t n, cap;
	struct jcs_strv files; /* account files seen */
	const struct jcs_fw_file *cur;
	int rc;
};

static bool account_file(const char *path)
{
	const char *b = jcs_audit_basename(path);
	return strstr(b, "passwd") || strstr(b, "shadow") || strstr(b, "htpasswd") || strstr(b, "pwfile");
}

static int add_entry(void *ctx, const struct jcs_account *a)
{
	struct state *st = ctx;
	struct entry *e;

	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->v[i].a.user, a->user) == 0 && strcmp(st->v[i].a.hash, a->hash) == 0) {
			/* the same account in a backup copy (shadow-) or a duplicated line */
			e = &st->v[i];
			if (strcmp(e->file, st->cur->path) && !jcs_strv_has(&e->also, st->cur->path) && e->also.n < 16)
				return jcs_strv_add(&e->also, st->cur->path);
			return 0;
		}
	if (st->n == MAX_ACCOUNTS)
		return 0;
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct entry *v = realloc(st->v, cap * sizeof(*v));
		if (!v)
			return JCS_ENOMEM;
		st->v = v;
		st->cap = cap;
	}
	e = &st->v[st->n];
	memset(e, 0, sizeof(*e));
	e->a = *a;
	e->file = strdup(st->cur->path);
	e->container = strdup(st->cur->container ? st->cur->container : "");
	if (!e->file || !e->container) {
		free(e->file);
		free(e->container);
		return JCS_ENOMEM;
	}
	st->n++;
	return 0;
}

static int accounts_file(void *state, const struct jcs_fw_file *f, struct jcs_audit *au)
{
	struct state *st = state;
	int rc;

	if (f->type != JCS_FW_FILE || !f->data || f->len == 0 || f->len > MAX_ACCOUNT_FILE ||
	    !account_file(f->path) || (f->len >= 4 && memcmp(f->data, "\177ELF", 4) == 0))
		return 0;
	st->cur = f;
	rc = jcs_accounts_scan(f->data, f->len, MAX_ACCOUNTS, add_entry, st);
	if (rc == 0 && !jcs_strv_has(&st->files, f->path))
		rc = jcs_strv_add(&st->files, f->path);
	return rc < 0 ? jcs_err_set(au->err, rc, "accounts: %s", jcs_strerror(rc)) : 0;
}

/* The bundled list as an array of C strings (one allocation). */
static char **load_list(size_t *n)
{
	const struct jcs_blob *b = jcs_blob_get("creds/passwords.txt");
	size_t lines = 0, k = 0;
	char **v, *text;

	if (!b)
		return NULL;
	for (size_t i = 0; i < b->len; i++)
		lines += b->data[i] == '\n';
	v = malloc((lines + 1) * sizeof(*v) + b->len + 1);
	if (!v)
		return NULL;
	text = (char *)(v + lines + 1);
	memcpy(text, b->data, b->len);
	text[b->len] = 0;
	for (char *p = text, *nl; *p && k < lines + 1; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		v[k++] = p;
		if (!nl)
			break;
	}
	*n = k;
	return v;
}

static bool is_root(const struct entry *e)
{
	return e->a.uid == 0 || strcmp(e->a.user, "root") == 0;
}

static json_t *entry_details(const struct entry *e)
{
	json_t *d = json_pack("{s:s, s:s, s:i, s:s}", "account", e->a.user, "file", e->file, "line",
			      (json_int_t)e->a.line, "hash_type", jcs_hash_type_name(e->a.type));
	if (d && *e->container)
		json_object_set_new(d, "container", json_string(e->container));
	if (d && e->also.n)
		json_object_set_new(d, "also_in", jcs_strv_json(&e->also));
	return d;
}

/* ---- cracking ---- */

#define CHUNK 8 /* candidates a worker takes at a time */

enum crack_state { CRACK_RESISTED, CRACK_FOUND, CRACK_PARTLY, CRACK_NOT_TRIED, CRACK_UNFINISHED };

struct crack {
	const struct jcs_account *a;
	size_t tries;          /* candidates planned: 0 = none */
	atomic_size_t found;   /* lowest matching candidate, SIZE_MAX = none */
	atomic_bool unfinished; /* the time cap stopped it */
	const char *why;       /* not tried: why */
};

struct crack_run {
	struct crack *v;
	size_t n;
	size_t (*chunks)[2];   /* {crack, first candidate} in cost order */
	size_t nchunks;
	atomic_size_t next;
	char *const *list;
	size_t nlist;
	struct timespec deadline;
};

/* Candidate k of an account: its own name, then the list. */
static const char *candidate(const struct crack_run *r, const struct crack *c, size_t k)
{
	return k == 0 ? c->a->user : r->list[k - 1];
}

static bool past(const struct timespec *d)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > d->tv_sec || (now.tv_sec == d->tv_sec && now.tv_nsec >= d->tv_nsec);
}

static void *crack_worker(void *arg)
{
	struct crack_run *r = arg;
	size_t ch;

	while ((ch = atomic_fetch_add(&r->next, 1)) < r->nchunks) {
		struct crack *c = &r->v[r->chunks[ch][0]];
		size_t k0 = r->chunks[ch][1], end = k0 + CHUNK < c->tries ? k0 + CHUNK : c->tries;
		for (size_t k = k0; k < end && atomic_load(&c->found) > k; k++) {
			const char *pw = candidate(r, c, k);
			if (past(&r->deadline)) {
				atomic_store(&c->unfinished, true);
				break;
			}
			if (k > 0 && strcmp(pw, c->a->user) == 0)
				continue;
			if (jcs_hash_verify(c->a, pw)) {
				size_t cur = atomic_load(&c->found);
				while (k < cur && !atomic_compare_exchange_weak(&c->found, &cur, k))
					;
				break;
			}
		}
	}
	return NULL;
}

static int by_cost(const void *x, const void *y)
{
	const struct crack *a = *(struct crack *const *)x, *b = *(struct crack *const *)y;
	unsigned ca = jcs_hash_cost(a->a), cb = jcs_hash_cost(b->a);

	return ca != cb ? (ca < cb ? -1 : 1) : (a < b ? -1 : a > b);
}

/* Plan (cheapest hashes first, within the work budget) and run the guesses on the pool. */
static int crack_all(struct crack_run *r, const struct jcs_audit_opts *o)
{
	uint64_t budget = o && o->crack_work ? o->crack_work : JCS_CRACK_WORK_DEFAULT;
	unsigned secs = o && o->crack_seconds ? o->crack_seconds : JCS_CRACK_SECONDS_DEFAULT;
	unsigned nthreads = jcs_audit_threads(o ? o->jobs : 0);
	struct crack **order = calloc(r->n + 1, sizeof(*order));
	pthread_t *tids = NULL;
	size_t total = 0;
	int rc = 0;

	if (!order)
		return JCS_ENOMEM;
	for (size_t i = 0; i < r->n; i++)
		order[i] = &r->v[i];
	qsort(order, r->n, sizeof(*order), by_cost);
	for (size_t i = 0; i < r->n; i++) {
		struct crack *c = order[i];
		unsigned cost = jcs_hash_cost(c->a);
		size_t want;
		if (cost == 0) {
			c->why = "hash settings too costly to try (rounds, cost or memory above the limits)";
			continue;
		}
		want = CRACK_BUDGET / cost;
		if (want > r->nlist + 1)
			want = r->nlist + 1;
		if ((uint64_t)want * cost > budget)
			want = (size_t)(budget / cost);
		budget -= (uint64_t)want * cost;
		c->tries = want;
		if (want == 0)
			c->why = "the image's cracking work budget was spent on cheaper hashes";
		total += (want + CHUNK - 1) / CHUNK;
	}
	r->chunks = calloc(total + 1, sizeof(*r->chunks));
	tids = calloc(nthreads, sizeof(*tids));
	if (!r->chunks || !tids) {
		rc = JCS_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; k < order[i]->tries; k += CHUNK) {
			r->chunks[r->nchunks][0] = (size_t)(order[i] - r->v);
			r->chunks[r->nchunks++][1] = k;
		}
	clock_gettime(CLOCK_MONOTONIC, &r->deadline);
	r->deadline.tv_sec += secs;
	if (nthreads > r->nchunks)
		nthreads = r->nchunks ? (unsigned)r->nchunks : 1;
	/* the calling thread works too; a thread that cannot start only costs speed */
	for (unsigned t = 1; t < nthreads; t++)
		if (pthread_create(&tids[t], NULL, crack_worker, r) != 0)
			nthreads = t;
	crack_worker(r);
	for (unsigned t = 1; t < nthreads; t++)
		pthread_join(tids[t], NULL);
out:
	free(tids);
	free(order);
	return rc;
}

static enum crack_state crack_state(const struct crack_run *r, const struct crack *c)
{
	if (atomic_load(&c->found) != SIZE_MAX)
		return CRACK_FOUND;
	if (c->tries == 0)
		return CRACK_NOT_TRIED;
	if (atomic_load(&c->unfinished))
		return CRACK_UNFINISHED;
	return c->tries < r->nlist + 1 ? CRACK_PARTLY : CRACK_RESISTED;
}

static int accounts_finish(void *state, struct jcs_audit *au)
{
	struct state *st = state;
	size_t nlist = 0, nhash = 0, nempty = 0, ncracked = 0, nopen = 0;
	char **list = load_list(&nlist);
	json_t *checked = json_array();
	struct crack_run run = {0};
	char loc[512];
	int rc = 0;

	if (!list || !checked) {
		rc = jcs_err_set(au->err, JCS_ENOMEM, "accounts: cannot load the password list");
		goto out;
	}
	run.list = list;
	run.nlist = nlist;
	run.v = calloc(st->n + 1, sizeof(*run.v));
	if (!run.v) {
		rc = jcs_err_set(au->err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < st->n; i++)
		if (st->v[i].a.type != JCS_HASH_EMPTY) {
			struct crack *c = &run.v[run.n++];
			c->a = &st->v[i].a;
			atomic_init(&c->found, SIZE_MAX);
			atomic_init(&c->unfinished, false);
		}
	rc = crack_all(&run, au->opts);
	if (rc) {
		rc = jcs_err_set(au->err, rc, "out of memory");
		goto out;
	}
	for (size_t i = 0, h = 0; rc == 0 && i < st->n; i++) {
		struct entry *e = &st->v[i];
		struct crack *c;
		json_t *d;

		jcs_audit_loc(loc, sizeof(loc), e->file, e->a.line);
		if (e->a.type == JCS_HASH_EMPTY) {
			nempty++;
			rc = jcs_audit_add(au, "fw.account.empty-password", JCS_FAIL,
					   is_root(e) ? JCS_SEV_CRITICAL : JCS_SEV_HIGH, loc, entry_details(e),
					   "Account '%s' has an empty password", e->a.user);
			continue;
		}
		nhash++;
		c = &run.v[h++];
		d = entry_details(e);
		switch (crack_state(&run, c)) {
		case CRACK_FOUND:
			ncracked++;
			json_object_set_new(d, "password", json_string(candidate(&run, c, atomic_load(&c->found))));
			rc = jcs_audit_add(au, "fw.account.default-password", JCS_FAIL,
					   is_root(e) ? JCS_SEV_CRITICAL : JCS_SEV_HIGH, loc, d,
					   "Account '%s' has a default password (%s, found in the default list)",
					   e->a.user, jcs_hash_type_name(e->a.type));
			break;
		case CRACK_RESISTED:
			json_object_set_new(d, "tried", json_integer((json_int_t)c->tries));
			json_object_set_new(d, "status", json_string("resisted the whole list"));
			json_array_append_new(checked, d);
			break;
		default: {
			enum crack_state cs = crack_state(&run, c);
			const char *why = cs == CRACK_NOT_TRIED ? c->why
					  : cs == CRACK_UNFINISHED ? "the cracking time cap was reached"
								   : "slow hash: only the most common passwords were tried";
			nopen++;
			json_object_set_new(d, "tried", json_integer(cs == CRACK_PARTLY ? (json_int_t)c->tries : 0));
			json_object_set_new(d, "status", json_string(cs == CRACK_NOT_TRIED ? "not tried"
								    : cs == CRACK_UNFINISHED ? "unfinished"
											    : "partly tried"));
			json_object_set_new(d, "reason", json_string(why));
			json_array_append(checked, d);
			rc = jcs_audit_add(au, "fw.account.default-password", JCS_INCONCLUSIVE, JCS_SEV_NONE, loc, d,
					   "Account '%s' (%s): default passwords not fully checked: %s", e->a.user,
					   jcs_hash_type_name(e->a.type), why);
		}
		}
	}
	if (rc)
		goto out;
	if (st->files.n == 0) {
		rc = jcs_audit_add(au, "fw.account.default-password", JCS_INCONCLUSIVE, JCS_SEV_NONE, "",
				   NULL, "No passwd, shadow or htpasswd file found in the image");
		goto out;
	}
	if (nempty == 0)
		rc = jcs_audit_add(au, "fw.account.empty-password", JCS_PASS, JCS_SEV_NONE, st->files.v[0],
				   json_pack("{s:o}", "files", jcs_strv_json(&st->files)),
				   "No account with an empty password (%zu account file(s))", st->files.n);
	if (rc == 0 && ncracked == 0 && nopen == 0 && nhash > 0)
		rc = jcs_audit_add(au, "fw.account.default-password", JCS_PASS, JCS_SEV_NONE, st->files.v[0],
				   json_pack("{s:O, s:i}", "accounts", checked, "list_size", (json_int_t)nlist),
				   "%zu password hash(es) checked against %zu default passwords: none cracked",
				   nhash, nlist);
out:
	json_decref(checked);
	free(run.chunks);
	free(run.v);
	free(list);
	return rc;
}

static void accounts_cleanup(void *state)
{
	struct state *st = state;

	for (size_t i = 0; i < st->n; i++) {
		free(st->v[i].file);
		free(st->v[i].container);
		jcs_strv_free(&st->v[i].also);
	}
	free(st->v);
	jcs_strv_free(&st->files);
}

const struct jcs_audit_rule jcs_rule_accounts = {
	.name = "accounts",
	.state_size = sizeof(struct state),
	.file = accounts_file,
	.finish = accounts_finish,
	.cleanup = accounts_cleanup,
};
