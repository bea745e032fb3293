/* Known-vulnerability matching: the MANIFEST.md ground truth for binaries/ x vulndb/nvd,
 * NVD configuration semantics on small records, OSV ranges, withdrawn and GIT records,
 * compressed feeds, bad feeds. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "jcstar/buf.h"
#include "firmware/version.h"
#include "firmware/vex.h"
#include "firmware/vulnmatch.h"
#include "fw_analysis.h"
#include "t.h"

T_TEST(manifest_ground_truth)
{
	char path[4096], nvd[4096];
	struct jcs_buf man = JCS_BUF_INIT;
	struct jcs_err err;
	regex_t row, cve;
	regmatch_t m[3];
	const char *table;
	size_t rows = 0;

	if (!t_fixture(path, sizeof(path), "MANIFEST.md") || !t_fixture(nvd, sizeof(nvd), "vulndb/nvd"))
		return;
	T_EQ_INT(jcs_read_file(path, 0, &man, &err), 0);
	table = man.data ? strstr(man.data, "## Version-range expectations") : NULL;
	T_ASSERT(table != NULL);
	/* | `binaries/F` | pkg ver | cpe | CVE records ... | */
	T_EQ_INT(regcomp(&row, "^\\| `(binaries/[^`]+)` \\|[^|]*\\|[^|]*\\|([^|]*)\\|", REG_EXTENDED | REG_NEWLINE), 0);
	T_EQ_INT(regcomp(&cve, "CVE-[0-9]+-[0-9]+", REG_EXTENDED), 0);
	for (const char *p = table; p && regexec(&row, p, 3, m, 0) == 0; p += m[0].rm_eo) {
		char file[512], want[512], full[4096], got[512] = "";
		struct jcs_sbom *s = NULL;
		json_t *out = json_array(), *v;
		struct jcs_vulnmatch vm;
		size_t i;
		regmatch_t c;
		snprintf(file, sizeof(file), "%.*s", (int)(m[1].rm_eo - m[1].rm_so), p + m[1].rm_so);
		want[0] = 0;
		for (const char *q = p + m[2].rm_so; q < p + m[2].rm_eo && regexec(&cve, q, 1, &c, 0) == 0 &&
		     q + c.rm_eo <= p + m[2].rm_eo; q += c.rm_eo)
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%.*s;", (int)(c.rm_eo - c.rm_so), q + c.rm_so);
		if (!t_fixture(full, sizeof(full), file)) {
			rows++; /* counted: the missing file has failed the test */
			json_decref(out);
			continue;
		}
		T_EQ_INT(jcs_sbom_new(&s, &err), 0);
		T_EQ_INT(sbom_archive(s, full, &err), 0);
		T_EQ_INT(jcs_sbom_finish(s), 0);
		vm = (struct jcs_vulnmatch){.sbom = s, .out = out};
		T_EQ_INT(jcs_vulndb_scan(&vm, nvd, &err), 0);
		T_EQ_INT(vm.files, 11);
		json_array_foreach(out, i, v) {
			T_EQ_STR(json_string_value(json_object_get(v, "status")), "affected");
			T_ASSERT(strstr(json_string_value(json_object_get(v, "rule")), "cpe:2.3:") != NULL);
			if (!strstr(got, json_string_value(json_object_get(v, "id"))))
				snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s;",
					 json_string_value(json_object_get(v, "id")));
		}
		if (strcmp(got, want) != 0)
			T_FAIL("%s: matched '%s', MANIFEST says '%s'", file, got, want);
		rows++;
		json_decref(out);
		jcs_sbom_free(s);
	}
	T_EQ_INT(rows, 21);
	regfree(&row);
	regfree(&cve);
	jcs_buf_free(&man);
}

/* An SBOM from an opkg status text. */
static struct jcs_sbom *sbom_of(const char *status)
{
	struct jcs_sbom *s = NULL;
	struct jcs_err err;
	struct jcs_fw_file f = {0};

	f.path = "/usr/lib/opkg/status";
	f.type = JCS_FW_FILE;
	f.data = (const uint8_t *)status;
	f.len = f.size = strlen(status);
	if (jcs_sbom_new(&s, &err) || jcs_sbom_file(s, &f, &err))
		return NULL;
	return s;
}

/* Match one JSON document; returns "ID:status;" list. */
static const char *match(struct jcs_sbom *s, const char *doc, int *rc)
{
	static char res[512];
	json_t *out = json_array(), *v;
	struct jcs_vulnmatch vm = {.sbom = s, .out = out};
	struct jcs_err err;
	size_t i;

	res[0] = 0;
	*rc = jcs_vulndb_doc(&vm, doc, strlen(doc), "test", &err);
	json_array_foreach(out, i, v)
		snprintf(res + strlen(res), sizeof(res) - strlen(res), "%s:%s;", json_string_value(json_object_get(v, "id")),
			 json_string_value(json_object_get(v, "status")));
	json_decref(out);
	return res;
}

#define CPE(v, c, extra) "{\"vulnerable\": " #v ", \"criteria\": \"" c "\"" extra "}"
#define NODE(op, neg, ...) "{\"operator\": \"" op "\", \"negate\": " #neg ", \"cpeMatch\": [" __VA_ARGS__ "]}"
#define CVE(id, cfgop, ...) "{\"id\": \"" id "\", \"configurations\": [{" cfgop "\"nodes\": [" __VA_ARGS__ "]}]}"

T_TEST(nvd_configuration_semantics)
{
	struct jcs_sbom *s = sbom_of("Package: busybox\nVersion: 1.24.2-1\nStatus: install ok installed\n\n"
				     "Package: kernel\nVersion: 5.10.176-1\nStatus: install ok installed\n\n"
				     "Package: openssh-server\nVersion: 6.7p1-5\nStatus: install ok installed\n");
	int rc;

	T_ASSERT(s != NULL);
	T_EQ_INT(jcs_sbom_count(s), 3);
	/* ranges: EndIncluding hits the boundary, EndExcluding does not */
	T_EQ_STR(match(s, CVE("CVE-1", "", NODE("OR", false, CPE(true, "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", ", \"versionEndIncluding\": \"1.24.2\""))), &rc),
		 "CVE-1:affected;");
	T_EQ_STR(match(s, CVE("CVE-2", "", NODE("OR", false, CPE(true, "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", ", \"versionEndExcluding\": \"1.24.2\""))), &rc), "");
	T_EQ_STR(match(s, CVE("CVE-3", "", NODE("OR", false, CPE(true, "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", ", \"versionStartExcluding\": \"1.24.2\""))), &rc), "");
	T_EQ_STR(match(s, CVE("CVE-4", "", NODE("OR", false, CPE(true, "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", ", \"versionStartIncluding\": \"1.20\", \"versionEndExcluding\": \"1.30\""))), &rc),
		 "CVE-4:affected;");
	/* exact version with an update field: openssh 6.7 p1 */
	T_EQ_STR(match(s, CVE("CVE-5", "", NODE("OR", false, CPE(true, "cpe:2.3:a:openbsd:openssh:6.7:p1:*:*:*:*:*:*", ""))), &rc), "CVE-5:affected;");
	T_EQ_STR(match(s, CVE("CVE-6", "", NODE("OR", false, CPE(true, "cpe:2.3:a:openbsd:openssh:6.6:p1:*:*:*:*:*:*", ""))), &rc), "");
	/* AND with a hardware platform we cannot see: depends on the platform */
	T_EQ_STR(match(s, CVE("CVE-7", "\"operator\": \"AND\", ",
			      NODE("OR", false, CPE(true, "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", "")) ","
			      NODE("OR", false, CPE(false, "cpe:2.3:h:acme:router-x:-:*:*:*:*:*:*:*", ""))), &rc),
		 "CVE-7:affected-if-platform-matches;");
	/* AND with a platform we do see (the kernel) in range / out of range */
	T_EQ_STR(match(s, CVE("CVE-8", "\"operator\": \"AND\", ",
			      NODE("OR", false, CPE(true, "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", "")) ","
			      NODE("OR", false, CPE(false, "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*", ", \"versionStartIncluding\": \"5.10\""))), &rc),
		 "CVE-8:affected;");
	T_EQ_STR(match(s, CVE("CVE-9", "\"operator\": \"AND\", ",
			      NODE("OR", false, CPE(true, "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", "")) ","
			      NODE("OR", false, CPE(false, "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*", ", \"versionEndExcluding\": \"4.0\""))), &rc),
		 "");
	/* negate: vulnerable unless the kernel is 5.x */
	T_EQ_STR(match(s, CVE("CVE-10", "\"operator\": \"AND\", ",
			      NODE("OR", false, CPE(true, "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", "")) ","
			      NODE("OR", true, CPE(false, "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*", ", \"versionStartIncluding\": \"5.0\""))), &rc),
		 "");
	/* a platform only (vulnerable: false) is never a finding by itself */
	T_EQ_STR(match(s, CVE("CVE-11", "", NODE("OR", false, CPE(false, "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*", ""))), &rc), "");
	/* rejected records and API responses */
	T_EQ_STR(match(s, "{\"id\": \"CVE-12\", \"vulnStatus\": \"Rejected\", \"configurations\": [{\"nodes\": [" NODE("OR", false, CPE(true, "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", "")) "]}]}", &rc), "");
	T_EQ_STR(match(s, "{\"resultsPerPage\": 1, \"vulnerabilities\": [{\"cve\": " CVE("CVE-13", "", NODE("OR", false, CPE(true, "cpe:2.3:a:busybox:busybox:1.24.2:*:*:*:*:*:*:*", ""))) "}]}", &rc),
		 "CVE-13:affected;");
	T_EQ_INT(rc, 0);
	match(s, "{\"id\": 3", &rc);
	T_EQ_INT(rc, JCS_EPARSE);
	match(s, "{\"foo\": 3}", &rc);
	T_EQ_INT(rc, JCS_ESCHEMA);
	jcs_sbom_free(s);
}

T_TEST(osv_feeds)
{
	char osv[4096];
	const char *feeds[] = {osv};
	struct mem_file vulnerable[] = {{"/lib/apk/db/installed", "P:openssl\nV:1.0.2p-r0\n\nP:musl\nV:1.1.19-r10\n", NULL, 0}};
	struct mem_file fixed[] = {{"/lib/apk/db/installed", "P:openssl\nV:1.0.2q-r0\n", NULL, 0}};
	struct jcs_evidence *ev;

	if (!t_fixture(osv, sizeof(osv), "vulndb/osv"))
		return;
	ev = fw_run_files(vulnerable, 1, feeds, 1);
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_FAIL, NULL), 1);
	T_EQ_INT(json_array_size(jcs_evidence_section(ev, "vulnerabilities")), 1);
	T_EQ_STR(json_string_value(json_object_get(json_array_get(jcs_evidence_section(ev, "vulnerabilities"), 0), "id")),
		 "CVE-2018-5407");
	T_EQ_STR(json_string_value(json_object_get(json_object_get(json_array_get(jcs_evidence_section(ev, "vulnerabilities"), 0), "cvss"), "vector")),
		 "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N");
	jcs_evidence_free(ev);
	ev = fw_run_files(fixed, 1, feeds, 1);
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_FAIL, NULL), 0);
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_PASS, NULL), 1);
	jcs_evidence_free(ev);
	ev = fw_run_files(fixed, 1, NULL, 0);
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_INCONCLUSIVE, NULL), 1);
	jcs_evidence_free(ev);
}

T_TEST(compressed_feed)
{
	char dir[] = "/tmp/jcs-vulndb-XXXXXX", gz[512], src[4096];
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_err err;
	const char *feeds[] = {dir};
	struct mem_file f[] = {{"/usr/lib/opkg/status", "Package: mosquitto-ssl\nVersion: 1.4.10-3\nStatus: install ok installed\n", NULL, 0}};
	struct jcs_evidence *ev;
	gzFile z;

	if (!t_fixture(src, sizeof(src), "vulndb/nvd/CVE-2021-34432.json"))
		return;
	T_ASSERT(mkdtemp(dir) != NULL);
	snprintf(gz, sizeof(gz), "%s/CVE-2021-34432.json.gz", dir);
	T_EQ_INT(jcs_read_file(src, 0, &b, &err), 0);
	z = gzopen(gz, "wb");
	T_ASSERT(z && gzwrite(z, b.data, (unsigned)b.len) == (int)b.len);
	gzclose(z);
	ev = fw_run_files(f, 1, feeds, 1);
	/* an opkg package judged by NVD only: upstream range, backport unknown */
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_INCONCLUSIVE, "/usr/lib/opkg/status"), 1);
	T_EQ_STR(fw_detail(ev, "fw.component.vulnerable", JCS_INCONCLUSIVE, "status"), "affected-upstream");
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_FAIL, NULL), 0);
	jcs_evidence_free(ev);
	unlink(gz);
	rmdir(dir);
	jcs_buf_free(&b);
}

/* ---- distribution backports, the deciding source, VEX ---- */

#define DEB12_STATUS                                                                              \
	"Package: libcurl4\nStatus: install ok installed\nSource: curl\nVersion: 7.88.1-10+deb12u4\n\n" \
	"Package: curl\nStatus: install ok installed\nVersion: 7.88.1-10+deb12u4\n"

static const struct mem_file deb12[] = {
	{"/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"
			    "VERSION_CODENAME=bookworm\n", NULL, 0},
	{"/var/lib/dpkg/status", DEB12_STATUS, NULL, 0}};

static bool is_str(const json_t *o, const char *k, const char *want)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v && strcmp(v, want) == 0;
}

/* The fw.component.vulnerable finding of vulnerability id for the component named comp. */
static bool find_vuln(const struct jcs_evidence *ev, const char *id, const char *comp, struct jcs_finding *f)
{
	for (size_t i = 0; i < jcs_evidence_count(ev); i++) {
		jcs_evidence_get(ev, i, f);
		if (strcmp(f->id, "fw.component.vulnerable") == 0 && is_str(f->details, "id", id) &&
		    is_str(f->details, "component", comp))
			return true;
	}
	return false;
}

static const json_t *vuln_of(const struct jcs_evidence *ev, const char *id, const char *comp)
{
	struct jcs_finding f;
	return find_vuln(ev, id, comp, &f) ? f.details : NULL;
}

static enum jcs_result result_of(const struct jcs_evidence *ev, const char *id, const char *comp)
{
	struct jcs_finding f;
	return find_vuln(ev, id, comp, &f) ? f.result : (enum jcs_result)-1;
}

T_TEST(debian_backport_osv)
{
	char nvd[4096], osv[4096];
	const char *feeds[] = {nvd, osv};
	struct jcs_evidence *ev;
	const json_t *v;

	if (!t_fixture(nvd, sizeof(nvd), "vulndb/nvd/CVE-2023-38545.json"))
		return;
	if (!t_fixture(osv, sizeof(osv), "vulndb/osv-debian"))
		return;
	/* NVD alone: libcurl 7.88.1 is in the upstream range, but it is a Debian package:
	 * inconclusive (backport unknown), never a fail */
	ev = fw_run_files(deb12, 2, feeds, 1);
	T_EQ_INT(result_of(ev, "CVE-2023-38545", "libcurl"), JCS_INCONCLUSIVE);
	T_EQ_STR(json_string_value(json_object_get(vuln_of(ev, "CVE-2023-38545", "libcurl"), "status")), "affected-upstream");
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_FAIL, NULL), 0);
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_PASS, NULL), 0);
	jcs_evidence_free(ev);
	/* with Debian's advisories: CVE-2023-38545 fixed in 7.88.1-10+deb12u4 (the backport),
	 * the NVD match is overruled and the deciding source named; CVE-2023-46218 (fixed only in
	 * deb12u5) is still reported, by Debian, for both packages of source curl */
	ev = fw_run_files(deb12, 2, feeds, 2);
	v = vuln_of(ev, "CVE-2023-38545", "libcurl");
	T_EQ_INT(result_of(ev, "CVE-2023-38545", "libcurl"), JCS_INFO);
	T_EQ_STR(json_string_value(json_object_get(v, "status")), "fixed");
	T_ASSERT(strstr(json_string_value(json_object_get(v, "decided_by")), "OSV Debian:12 advisory DEBIAN-CVE-2023-38545") != NULL);
	T_ASSERT(strstr(json_string_value(json_object_get(v, "decided_by")), "7.88.1-10+deb12u4") != NULL);
	T_EQ_INT(result_of(ev, "DEBIAN-CVE-2023-46218", "libcurl"), JCS_FAIL);
	T_EQ_INT(result_of(ev, "DEBIAN-CVE-2023-46218", "curl"), JCS_FAIL);
	T_EQ_STR(json_string_value(json_object_get(vuln_of(ev, "DEBIAN-CVE-2023-46218", "curl"), "decided_by")),
		 "OSV Debian advisory DEBIAN-CVE-2023-46218");
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_FAIL, NULL), 2);
	jcs_evidence_free(ev);
}

T_TEST(debian_backport_tracker_and_release)
{
	char nvd[4096], trk[4096], osv[4096];
	const char *feeds[] = {nvd, trk};
	const char *osv_feeds[] = {osv};
	struct mem_file deb11[] = {{"/etc/debian_version", "11.8\n", NULL, 0}, {"/var/lib/dpkg/status", DEB12_STATUS, NULL, 0}};
	struct jcs_evidence *ev;

	if (!t_fixture(nvd, sizeof(nvd), "vulndb/nvd/CVE-2023-38545.json"))
		return;
	if (!t_fixture(trk, sizeof(trk), "vulndb/debian-tracker/curl.json"))
		return;
	if (!t_fixture(osv, sizeof(osv), "vulndb/osv-debian"))
		return;
	ev = fw_run_files(deb12, 2, feeds, 2);
	T_EQ_INT(result_of(ev, "CVE-2023-38545", "libcurl"), JCS_INFO);
	T_ASSERT(strstr(json_string_value(json_object_get(vuln_of(ev, "CVE-2023-38545", "libcurl"), "decided_by")),
			"Debian security tracker (bookworm)") != NULL);
	T_EQ_INT(result_of(ev, "CVE-2023-46218", "libcurl"), JCS_FAIL);
	T_EQ_INT(result_of(ev, "CVE-2023-28320", "libcurl"), (enum jcs_result)-1); /* never affected */
	jcs_evidence_free(ev);
	/* a Debian 11 image: the Debian:12 records do not speak of it, the Debian:11 fix
	 * (7.74.0-1.3+deb11u10) is older than the installed version: nothing affected */
	ev = fw_run_files(deb11, 2, osv_feeds, 1);
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_FAIL, NULL), 0);
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_PASS, NULL), 1);
	jcs_evidence_free(ev);
	/* dpkg ordering: ~ sorts before everything, revisions compare as dpkg does */
	T_ASSERT(jcs_version_cmp_deb("7.88.1-10+deb12u4", "7.88.1-10+deb12u5") < 0);
	T_ASSERT(jcs_version_cmp_deb("7.88.1-10+deb12u10", "7.88.1-10+deb12u5") > 0);
	T_ASSERT(jcs_version_cmp_deb("1.0~rc1-1", "1.0-1") < 0);
	T_ASSERT(jcs_version_cmp_deb("1:0.9-1", "2.0-1") > 0);
	T_EQ_INT(jcs_version_cmp_deb("7.88.1-10+deb12u4", "7.88.1-10+deb12u4"), 0);
}

T_TEST(vex_input)
{
	char osv[4096], ovex[4096], cvex[4096];
	const char *feeds[] = {osv};
	struct jcs_evidence *ev;
	const json_t *v;
	struct jcs_vex *x = NULL;
	struct jcs_err err;

	if (!t_fixture(osv, sizeof(osv), "vulndb/osv-debian"))
		return;
	if (!t_fixture(ovex, sizeof(ovex), "vex/openvex-curl.json"))
		return;
	if (!t_fixture(cvex, sizeof(cvex), "vex/cyclonedx-vex-curl.json"))
		return;
	/* OpenVEX: libcurl4 not affected with a justification; the claim for curl has none and
	 * is ignored (still a fail, the ignored statement shown) */
	ev = fw_run_files_vex(deb12, 2, feeds, 1, ovex);
	T_ASSERT(ev != NULL);
	v = vuln_of(ev, "DEBIAN-CVE-2023-46218", "libcurl");
	T_EQ_INT(result_of(ev, "DEBIAN-CVE-2023-46218", "libcurl"), JCS_INFO);
	T_EQ_STR(json_string_value(json_object_get(v, "status")), "not_affected");
	T_ASSERT(strstr(json_string_value(json_object_get(v, "decided_by")), "vulnerable_code_not_in_execute_path") != NULL);
	T_EQ_INT(result_of(ev, "DEBIAN-CVE-2023-46218", "curl"), JCS_FAIL);
	T_ASSERT(json_object_get(json_object_get(vuln_of(ev, "DEBIAN-CVE-2023-46218", "curl"), "vex"), "ignored") != NULL);
	jcs_evidence_free(ev);
	/* CycloneDX VEX through the document's bom-ref */
	ev = fw_run_files_vex(deb12, 2, feeds, 1, cvex);
	T_EQ_INT(result_of(ev, "DEBIAN-CVE-2023-46218", "libcurl"), JCS_INFO);
	T_EQ_INT(result_of(ev, "DEBIAN-CVE-2023-46218", "curl"), JCS_FAIL);
	jcs_evidence_free(ev);
	/* a document that is neither */
	T_EQ_INT(jcs_vex_parse("{\"statements\": []}", 18, "x", &x, &err), JCS_ESCHEMA);
	T_EQ_INT(jcs_vex_parse("[", 1, "x", &x, &err), JCS_EPARSE);
}

T_MAIN(T_CASE(manifest_ground_truth), T_CASE(nvd_configuration_semantics), T_CASE(osv_feeds),
       T_CASE(compressed_feed), T_CASE(debian_backport_osv), T_CASE(debian_backport_tracker_and_release),
       T_CASE(vex_input))
