/* Known-vulnerability matching: the MANIFEST.md ground truth for binaries/ x vulndb/nvd,
 * NVD configuration semantics on small records, OSV ranges, withdrawn and GIT records,
 * compressed feeds, bad feeds. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/buf.h"
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
		vm = (struct jcs_vulnmatch){s, out, 0, 0};
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
	struct jcs_vulnmatch vm = {s, out, 0, 0};
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
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_FAIL, "/usr/lib/opkg/status"), 1);
	T_EQ_INT(fw_count(ev, "fw.component.vulnerable", JCS_FAIL, NULL), 1);
	jcs_evidence_free(ev);
	unlink(gz);
	rmdir(dir);
	jcs_buf_free(&b);
}

T_MAIN(T_CASE(manifest_ground_truth), T_CASE(nvd_configuration_semantics), T_CASE(osv_feeds),
       T_CASE(compressed_feed))
