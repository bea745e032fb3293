/* Minimal unit-test harness: each test file defines tests with T_TEST and lists them in
 * T_MAIN(...). The runner prints one line per failure and "N passed, N failed". */
#ifndef JCS_T_H
#define JCS_T_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int t_failed_checks;

#define T_FAIL(...) do { \
	fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); \
	t_failed_checks++; \
} while (0)

#define T_ASSERT(cond) do { if (!(cond)) T_FAIL("assertion failed: %s", #cond); } while (0)
#define T_EQ_INT(a, b) do { long long t_a = (long long)(a), t_b = (long long)(b); \
	if (t_a != t_b) T_FAIL("%s == %lld, expected %s == %lld", #a, t_a, #b, t_b); } while (0)
#define T_EQ_STR(a, b) do { const char *t_a = (a), *t_b = (b); \
	if (!t_a || !t_b || strcmp(t_a, t_b) != 0) \
		T_FAIL("%s == \"%s\", expected \"%s\"", #a, t_a ? t_a : "(null)", t_b ? t_b : "(null)"); } while (0)
#define T_CONTAINS(hay, needle) do { const char *t_h = (hay), *t_n = (needle); \
	if (!t_h || !strstr(t_h, t_n)) T_FAIL("%s does not contain \"%s\": \"%s\"", #hay, t_n, t_h ? t_h : "(null)"); } while (0)

#define T_TEST(name) static void name(void)

/* The path of test data rel under $JCS_FIXTURES (tests/fixtures by default) in buf, or NULL
 * after failing the test with the file name and errno when it cannot be opened: a missing
 * fixture fails its test cleanly instead of crashing it. */
static inline const char *t_fixture(char *buf, size_t len, const char *rel)
{
	const char *root = getenv("JCS_FIXTURES");
	int fd;

	snprintf(buf, len, "%s/%s", root && *root ? root : "tests/fixtures", rel);
	fd = open(buf, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "fixture %s: %s (tests/fixtures/MANIFEST.md)\n", buf, strerror(errno));
		t_failed_checks++;
		return NULL;
	}
	close(fd);
	return buf;
}

struct t_case { const char *name; void (*fn)(void); };
#define T_CASE(fn) {#fn, fn}

#define T_MAIN(...) \
int main(void) { \
	static const struct t_case cases[] = {__VA_ARGS__}; \
	int passed = 0, failed = 0; \
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) { \
		int before = t_failed_checks; \
		cases[i].fn(); \
		if (t_failed_checks == before) passed++; \
		else { failed++; fprintf(stderr, "FAIL %s\n", cases[i].name); } \
	} \
	printf("%d passed, %d failed\n", passed, failed); \
	return failed ? 1 : 0; \
}

#endif
