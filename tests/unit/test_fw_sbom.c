/* SBOM: signature matcher, version comparison, package databases, every package of
 * $JCS_FIXTURES/binaries named and versioned as MANIFEST.md says, CycloneDX 1.5 structure. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jcstar/buf.h"
#include "firmware/pkgdb.h"
#include "firmware/sbom.h"
#include "firmware/sigmatch.h"
#include "firmware/version.h"
#include "fw_analysis.h"
#include "t.h"

struct hits {
	char v[8][40];
	size_t comp[8];
	size_t n;
};

static int collect(void *ctx, const struct jcs_sig_hit *h)
{
	struct hits *x = ctx;
	if (x->n < 8) {
		snprintf(x->v[x->n], sizeof(x->v[0]), "%s", h->version);
		x->comp[x->n++] = h->component;
	}
	return 0;
}

T_TEST(sigmatch_patterns)
{
	const char *pats[] = {"BusyBox v{v}", "|{v}|Dnsmasq version %s", "^curl {v} (",
			      "GNU C Library {*} release version {v}", "OpenSSH_{v}|"};
	size_t comp[] = {0, 1, 2, 3, 4};
	struct jcs_sigmatch *m = NULL;
	struct jcs_err err;
	struct hits h;
	static const char data[] = "xx\0BusyBox v1.36.1 (2023)\0" "2.80\nDnsmasq version %s  %s\n"
				   "libcurl 7.1.0 (x)\0curl 8.5.0 (x86_64)\0"
				   "GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36.\0"
				   "OpenSSH_2.3.0*\0OpenSSH_9.2p1\0";

	T_EQ_INT(jcs_sigmatch_new(pats, comp, 5, &m, &err), 0);
	memset(&h, 0, sizeof(h));
	T_EQ_INT(jcs_sigmatch_scan(m, data, sizeof(data) - 1, collect, &h), 0);
	T_EQ_INT(h.n, 5);
	T_EQ_STR(h.v[0], "1.36.1");
	T_EQ_STR(h.v[1], "2.80");
	T_EQ_STR(h.v[2], "8.5.0");
	T_EQ_STR(h.v[3], "2.36");
	T_EQ_STR(h.v[4], "9.2p1");
	jcs_sigmatch_free(m);
	{ /* the byte-pair skip: an anchor right after its repeated first byte, an anchor ending
	   * on the buffer's last byte */
		const char *edge[] = {"abc{v}", "{v}xyz"};
		static const char tail[] = "aabc1.0\0" "9.9.9xyz";
		T_EQ_INT(jcs_sigmatch_new(edge, comp, 2, &m, &err), 0);
		memset(&h, 0, sizeof(h));
		T_EQ_INT(jcs_sigmatch_scan(m, tail, sizeof(tail) - 1, collect, &h), 0);
		T_EQ_INT(h.n, 2);
		T_EQ_STR(h.v[0], "1.0");
		T_EQ_STR(h.v[1], "9.9.9");
		T_EQ_INT(h.comp[1], 1);
		jcs_sigmatch_free(m);
	}
	{
		const char *bad[] = {"no version here"};
		T_ASSERT(jcs_sigmatch_new(bad, comp, 1, &m, &err) == JCS_EINVAL);
	}
	{
		char v[40];
		T_EQ_INT(jcs_sigmatch_name("libuClibc-{v}.so", "libuClibc-0.9.33.2.so", v, sizeof(v)), 1);
		T_EQ_STR(v, "0.9.33.2");
		T_EQ_INT(jcs_sigmatch_name("libuClibc-{v}.so", "libuClibc.so", v, sizeof(v)), 0);
	}
}

T_TEST(version_compare)
{
	static const struct {
		const char *a, *b;
		int cmp;
	} cases[] = {
		{"1.0.2g", "1.0.2", 1},     {"1.0.2g", "1.0.2zg", -1}, {"2.84rc2", "2.84", -1},
		{"2.84", "2.81", 1},        {"2019.78", "2016.73", 1}, {"1.4.10", "1.4.9", 1},
		{"6.7p1", "6.7", 1},        {"5.10.0", "5.15.149", -1}, {"1.18.5", "1.24.2", -1},
		{"3.0.8", "3.0.8", 0},      {"1.0.2q-r0", "1.0.2p-r1", 1}, {"7.77.0", "7.69.0", 1},
		{"2.0.0beta1", "2.0.0", -1}, {"1.2", "1.2.0.1", -1},
	};
	char up[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int c = jcs_version_cmp(cases[i].a, cases[i].b);
		c = c < 0 ? -1 : c > 0;
		if (c != cases[i].cmp)
			T_FAIL("cmp(%s, %s) = %d, expected %d", cases[i].a, cases[i].b, c, cases[i].cmp);
	}
	T_EQ_STR(jcs_version_upstream("1:1.18.5-1ubuntu4", up, sizeof(up)), "1.18.5");
	T_EQ_STR(jcs_version_upstream("2019.78-2", up, sizeof(up)), "2019.78");
	T_EQ_STR(jcs_version_upstream("1.0.2q-r0", up, sizeof(up)), "1.0.2q");
	T_EQ_STR(jcs_version_upstream("2.36", up, sizeof(up)), "2.36");
}

static int count_pkg(void *ctx, const struct jcs_pkg *p)
{
	struct jcs_buf *b = ctx;
	return jcs_buf_printf(b, "%s=%s;", p->name, p->version);
}

T_TEST(package_databases)
{
	static const char dpkg[] = "Package: busybox\nStatus: install ok installed\nVersion: 1:1.35.0-4\n"
				   "Description: x\n continuation\n\nPackage: old\nStatus: deinstall ok config-files\n"
				   "Version: 1.0\n\nPackage: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\n";
	static const char opkg[] = "Package: dropbear\nVersion: 2019.78-2\nStatus: install user installed\n\n"
				   "Package: nover\nStatus: install user installed\n\n";
	static const char apk[] = "C:Q1abc=\nP:openssl\nV:1.0.2p-r0\nA:x86_64\n\nP:musl\nV:1.1.19-r10\n";
	struct jcs_buf b = JCS_BUF_INIT;

	T_EQ_INT(jcs_pkgdb_kind_of("/var/lib/dpkg/status"), JCS_PKGDB_DPKG);
	T_EQ_INT(jcs_pkgdb_kind_of("/usr/lib/opkg/status"), JCS_PKGDB_OPKG);
	T_EQ_INT(jcs_pkgdb_kind_of("/lib/apk/db/installed"), JCS_PKGDB_APK);
	T_EQ_INT(jcs_pkgdb_kind_of("/etc/passwd"), JCS_PKGDB_NONE);
	T_EQ_INT(jcs_pkgdb_parse(JCS_PKGDB_DPKG, dpkg, strlen(dpkg), 100, count_pkg, &b), 0);
	T_EQ_STR(b.data, "busybox=1:1.35.0-4;libssl3=3.0.11-1~deb12u2;");
	jcs_buf_reset(&b);
	T_EQ_INT(jcs_pkgdb_parse(JCS_PKGDB_OPKG, opkg, strlen(opkg), 100, count_pkg, &b), 0);
	T_EQ_STR(b.data, "dropbear=2019.78-2;");
	jcs_buf_reset(&b);
	T_EQ_INT(jcs_pkgdb_parse(JCS_PKGDB_APK, apk, strlen(apk), 100, count_pkg, &b), 0);
	T_EQ_STR(b.data, "openssl=1.0.2p-r0;musl=1.1.19-r10;");
	jcs_buf_free(&b);
	{
		struct mem_file f[] = {{"/var/lib/dpkg/status", dpkg, NULL, 0}};
		struct jcs_evidence *ev = fw_run_files(f, 1, NULL, 0);
		json_t *c = jcs_evidence_section(ev, "components");
		T_EQ_INT(json_array_size(c), 2);
		T_EQ_STR(json_string_value(json_object_get(json_array_get(c, 1), "name")), "openssl");
		T_EQ_STR(json_string_value(json_object_get(json_array_get(c, 1), "version")), "3.0.11");
		T_EQ_STR(json_string_value(json_object_get(json_array_get(c, 1), "purl")),
			 "pkg:deb/debian/libssl3@3.0.11-1~deb12u2");
		T_EQ_STR(json_string_value(json_object_get(json_array_get(c, 0), "cpe")),
			 "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*");
		jcs_evidence_free(ev);
	}
}

T_TEST(binaries_fixtures)
{
	char path[4096];
	struct jcs_buf man = JCS_BUF_INIT;
	struct jcs_err err;
	regex_t re;
	regmatch_t m[4];
	size_t checked = 0;

	if (!t_fixture(path, sizeof(path), "MANIFEST.md"))
		return;
	T_EQ_INT(jcs_read_file(path, 0, &man, &err), 0);
	/* | `binaries/F` | ... | package `NAME`, version **VER** (from file name) */
	T_EQ_INT(regcomp(&re, "^\\| `(binaries/[^`]+)` .*package `([^`]+)`, version \\*\\*([^*]+)\\*\\*",
			 REG_EXTENDED | REG_NEWLINE), 0);
	for (const char *p = man.data; p && regexec(&re, p, 4, m, 0) == 0; p += m[0].rm_eo) {
		char file[512], pkg[128], ver[64], full[4096];
		struct jcs_sbom *s = NULL;
		const char *want;
		bool found = false;
		snprintf(file, sizeof(file), "%.*s", (int)(m[1].rm_eo - m[1].rm_so), p + m[1].rm_so);
		snprintf(pkg, sizeof(pkg), "%.*s", (int)(m[2].rm_eo - m[2].rm_so), p + m[2].rm_so);
		snprintf(ver, sizeof(ver), "%.*s", (int)(m[3].rm_eo - m[3].rm_so), p + m[3].rm_so);
		checked++;
		if (!t_fixture(full, sizeof(full), file))
			continue;
		T_EQ_INT(jcs_sbom_new(&s, &err), 0);
		T_EQ_INT(sbom_archive(s, full, &err), 0);
		T_EQ_INT(jcs_sbom_finish(s), 0);
		want = jcs_sbom_canonical(s, pkg);
		for (size_t i = 0; i < jcs_sbom_count(s); i++) {
			const struct jcs_component *c = jcs_sbom_get(s, i);
			if (strcmp(c->name, want) != 0)
				continue;
			if (strcmp(c->version, ver) == 0)
				found = true;
			else
				T_FAIL("%s: %s found with version %s, expected %s", file, want, c->version, ver);
		}
		if (!found)
			T_FAIL("%s: component %s %s not identified", file, want, ver);
		jcs_sbom_free(s);
	}
	regfree(&re);
	jcs_buf_free(&man);
	T_EQ_INT(checked, 21); /* every package in binaries/ */
}

T_TEST(cyclonedx_structure)
{
	static const char opkg[] = "Package: busybox\nVersion: 1.36.1-1\nStatus: install user installed\n\n"
				   "Package: vendor-agent\nVersion: 2.0-1\nStatus: install user installed\n";
	struct jcs_sbom *s = NULL;
	struct jcs_err err;
	struct jcs_fw_file f = {0};
	json_t *doc, *comps, *c, *refs = json_object();
	size_t i;

	T_EQ_INT(jcs_sbom_new(&s, &err), 0);
	f.path = "/usr/lib/opkg/status";
	f.type = JCS_FW_FILE;
	f.data = (const uint8_t *)opkg;
	f.len = f.size = strlen(opkg);
	T_EQ_INT(jcs_sbom_file(s, &f, &err), 0);
	doc = jcs_sbom_cyclonedx(s, "image.bin", NULL);
	T_ASSERT(doc != NULL);
	/* required by the CycloneDX 1.5 schema: bomFormat, specVersion; and what we promise */
	T_EQ_STR(json_string_value(json_object_get(doc, "bomFormat")), "CycloneDX");
	T_EQ_STR(json_string_value(json_object_get(doc, "specVersion")), "1.5");
	T_ASSERT(strncmp(json_string_value(json_object_get(doc, "serialNumber")), "urn:uuid:", 9) == 0);
	T_ASSERT(strlen(json_string_value(json_object_get(doc, "serialNumber"))) == 45);
	T_EQ_INT(json_integer_value(json_object_get(doc, "version")), 1);
	T_EQ_STR(json_string_value(json_object_get(json_object_get(json_object_get(doc, "metadata"), "component"), "type")),
		 "firmware");
	comps = json_object_get(doc, "components");
	T_EQ_INT(json_array_size(comps), 2);
	json_array_foreach(comps, i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));
		T_ASSERT(type && (strcmp(type, "application") == 0 || strcmp(type, "library") == 0 ||
				  strcmp(type, "operating-system") == 0));
		T_ASSERT(json_is_string(json_object_get(c, "name")));
		T_ASSERT(json_is_string(json_object_get(c, "bom-ref")));
		T_ASSERT(strncmp(json_string_value(json_object_get(c, "purl")), "pkg:", 4) == 0);
		json_object_set(refs, json_string_value(json_object_get(c, "bom-ref")), json_true());
	}
	T_EQ_STR(json_string_value(json_object_get(json_array_get(comps, 0), "purl")),
		 "pkg:opkg/openwrt/busybox@1.36.1-1");
	T_EQ_STR(json_string_value(json_object_get(json_array_get(comps, 0), "cpe")),
		 "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*");
	T_ASSERT(json_object_get(json_array_get(comps, 1), "cpe") == NULL);
	json_array_foreach(json_object_get(json_array_get(json_object_get(doc, "dependencies"), 0), "dependsOn"), i, c)
		T_ASSERT(json_object_get(refs, json_string_value(c)) != NULL);
	json_decref(refs);
	json_decref(doc);
	jcs_sbom_free(s);
}

/* The component named name in the evidence (or NULL). */
static const json_t *comp_named(const struct jcs_evidence *ev, const char *name)
{
	json_t *c, *list = jcs_evidence_section((struct jcs_evidence *)ev, "components");
	size_t i;

	json_array_foreach(list, i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
			return c;
	return NULL;
}

/* OpenWrt: the generic "libc" package is musl when musl's loader is in the image; the kernel
 * package's version loses OpenWrt's release and hash; purls carry the distribution. Without a
 * loader, "libc" stays itself and gets no CPE (not glibc). */
T_TEST(openwrt_naming)
{
	static const char opkg[] = "Package: libc\nVersion: 1.1.24-2\nStatus: install user installed\n\n"
				   "Package: kernel\nVersion: 4.14.195-1-3a4d1e8b0d7c2a7bd38b1c6a1d9bb5e0\n"
				   "Status: install user installed\n";
	static const char rel[] = "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='19.07.4'\n";
	struct mem_file with[] = {{"/etc/openwrt_release", rel, NULL, 0},
				  {"/lib/ld-musl-mipsel-sf.so.1", NULL, "libc.so", 0},
				  {"/usr/lib/opkg/status", opkg, NULL, 0}};
	struct mem_file without[] = {{"/usr/lib/opkg/status", opkg, NULL, 0}};
	struct jcs_evidence *ev = fw_run_files(with, 3, NULL, 0);
	const json_t *c;

	c = comp_named(ev, "musl");
	T_ASSERT(c != NULL);
	T_EQ_STR(json_string_value(json_object_get(c, "version")), "1.1.24");
	T_EQ_STR(json_string_value(json_object_get(c, "cpe")), "cpe:2.3:a:musl-libc:musl:1.1.24:*:*:*:*:*:*:*");
	T_EQ_STR(json_string_value(json_object_get(c, "purl")), "pkg:opkg/openwrt/libc@1.1.24-2?distro=openwrt-19.07.4");
	T_ASSERT(comp_named(ev, "glibc") == NULL);
	c = comp_named(ev, "linux");
	T_ASSERT(c != NULL);
	T_EQ_STR(json_string_value(json_object_get(c, "version")), "4.14.195");
	T_EQ_STR(json_string_value(json_object_get(c, "cpe")), "cpe:2.3:o:linux:linux_kernel:4.14.195:*:*:*:*:*:*:*");
	jcs_evidence_free(ev);
	ev = fw_run_files(without, 1, NULL, 0);
	c = comp_named(ev, "libc");
	T_ASSERT(c != NULL);
	T_ASSERT(json_object_get(c, "cpe") == NULL);
	T_ASSERT(comp_named(ev, "glibc") == NULL && comp_named(ev, "musl") == NULL);
	T_EQ_STR(json_string_value(json_object_get(c, "purl")), "pkg:opkg/openwrt/libc@1.1.24-2");
	jcs_evidence_free(ev);
}

T_MAIN(T_CASE(openwrt_naming), T_CASE(sigmatch_patterns), T_CASE(version_compare), T_CASE(package_databases),
       T_CASE(binaries_fixtures), T_CASE(cyclonedx_structure))
