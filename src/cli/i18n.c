/* The CLI's language (GNU gettext, domain "jcstar", po/ja.po) and human finding titles. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "jcstar/catalog.h"

#ifndef JCS_LOCALEDIR
#define JCS_LOCALEDIR "/usr/local/share/locale"
#endif

static bool japanese;

/* The language asked for: POSIX order LC_ALL, LC_MESSAGES, LANG ("ja_JP.UTF-8" → "ja"). */
static const char *asked_language(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};

	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return v;
	}
	return "";
}

/* Where the message catalogues are: $JCSTAR_LOCALEDIR, a locale/ directory beside the binary
 * (the build tree), else the installed prefix. */
static void locale_dir(char *buf, size_t len)
{
	const char *env = getenv("JCSTAR_LOCALEDIR");
	char exe[4096];
	ssize_t n;
	struct stat st;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;
		exe[n] = 0;
		if ((slash = strrchr(exe, '/'))) {
			*slash = 0;
			snprintf(buf, len, "%s/locale", exe);
			if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
				return;
		}
	}
	snprintf(buf, len, "%s", JCS_LOCALEDIR);
}

void cli_i18n_init(const char *argv0)
{
	const char *lang = asked_language();
	char dir[4200];

	(void)argv0;
	if (!setlocale(LC_ALL, "") && *lang && strcmp(lang, "C") && strcmp(lang, "POSIX")) {
		/* the locale asked for is not generated on this machine: keep its language for the
		 * messages, with C.UTF-8 for the rest (gettext honours LANGUAGE outside the C locale) */
		char l[32];
		snprintf(l, sizeof(l), "%.*s", (int)strcspn(lang, "_.@"), lang);
		setlocale(LC_ALL, "C.UTF-8");
		setenv("LANGUAGE", l, 0);
	}
	{
		const char *language = getenv("LANGUAGE");
		const char *msgs = setlocale(LC_MESSAGES, NULL);
		bool c_locale = !msgs || strcmp(msgs, "C") == 0 || strcmp(msgs, "POSIX") == 0;
		const char *eff = !c_locale && language && *language ? language : lang;
		japanese = !c_locale && strncmp(eff, "ja", 2) == 0;
	}
	locale_dir(dir, sizeof(dir));
	bindtextdomain("jcstar", dir);
	bind_textdomain_codeset("jcstar", "UTF-8");
	textdomain("jcstar");
}

bool cli_japanese(void)
{
	return japanese;
}

const char *cli_title(const struct jcs_finding *f, char *buf, size_t len)
{
	const char *t = gettext(f->title);
	const struct jcs_finding_def *def;

	if (t != f->title || !japanese)
		return t;
	def = jcs_catalog_finding(jcs_catalog_get(NULL), f->id);
	if (!def || !def->title.ja || !*def->title.ja)
		return f->title;
	snprintf(buf, len, "%s（%s）", def->title.ja, f->title);
	return buf;
}

const char *cli_result(enum jcs_result r)
{
	static const char *const names[] = {N_("pass"), N_("fail"), N_("info"), N_("inconclusive")};
	const char *en = jcs_result_name(r);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(en, names[i]) == 0)
			return _(names[i]);
	return en;
}
