/* jcstar.evidence/1: building, round trip, and rejection of malformed files. */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t.h"

#include "jcstar/buf.h"
#include "jcstar/evidence.h"

T_TEST(build_and_round_trip)
{
	struct jcs_evidence *ev = jcs_evidence_new("probe", "127.0.0.1"), *back = NULL;
	struct jcs_finding f;
	struct jcs_err err = {0};
	char *s;

	T_EQ_INT(jcs_evidence_add(ev, "probe.auth.none", JCS_FAIL, JCS_SEV_HIGH, "tcp/23 (telnet)", "shell",
				  json_pack("{s:s}", "banner", "# "), &err), 0);
	T_EQ_INT(jcs_evidence_add(ev, "probe.no.such", JCS_FAIL, JCS_SEV_HIGH, "x", "y", json_object(), &err),
		 JCS_EINVAL);
	T_CONTAINS(err.msg, "unknown finding id 'probe.no.such'");
	json_array_append_new(jcs_evidence_section(ev, "services"),
			      json_pack("{s:i, s:s, s:s, s:b}", "port", 23, "proto", "tcp", "service", "telnet", "tls", 0));
	T_ASSERT(jcs_evidence_section(ev, "bogus") == NULL);
	jcs_evidence_finish(ev);
	s = jcs_evidence_dumps(ev);
	T_EQ_INT(jcs_evidence_parse(s, strlen(s), "mem", &back, &err), 0);
	T_EQ_INT(jcs_evidence_count(back), 1);
	jcs_evidence_get(back, 0, &f);
	T_EQ_STR(f.id, "probe.auth.none");
	T_EQ_INT(f.result, JCS_FAIL);
	T_EQ_INT(f.severity, JCS_SEV_HIGH);
	T_EQ_STR(f.location, "tcp/23 (telnet)");
	T_EQ_STR(json_string_value(json_array_get(f.criteria, 0)), "S1.1-01");
	T_EQ_STR(jcs_evidence_kind(back), "probe");
	free(s);
	jcs_evidence_free(ev);
	jcs_evidence_free(back);
}

/* Each malformed document and the exact error it must produce. */
static const struct {
	const char *doc, *msg;
} bad[] = {
	{"", "bad.json:1:1: invalid JSON: '[' or '{' expected near end of file"},
	{"[1]", "bad.json: evidence must be a JSON object"},
	{"{}", "bad.json: not a jcstar.evidence/1 file ('schema' is missing or different)"},
	{"{\"schema\":\"jcstar.evidence/2\"}", "bad.json: not a jcstar.evidence/1 file ('schema' is missing or different)"},
	{"{\"schema\":\"jcstar.evidence/1\",\"kind\":\"probe\"}", "bad.json: document: 'subject' must be a string"},
	{"{\"schema\":\"jcstar.evidence/1\",\"kind\":\"camera\",\"subject\":\"x\",\"findings\":[]}",
	 "bad.json: kind must be probe, firmware or manual, not 'camera'"},
	{"{\"schema\":\"jcstar.evidence/1\",\"kind\":\"probe\",\"subject\":\"x\"}", "bad.json: 'findings' must be an array"},
	{"{\"schema\":\"jcstar.evidence/1\",\"kind\":\"probe\",\"subject\":\"x\",\"findings\":[],\"services\":{}}",
	 "bad.json: 'services' must be an array"},
	{"{\"schema\":\"jcstar.evidence/1\",\"kind\":\"probe\",\"subject\":\"x\",\"findings\":[3]}",
	 "bad.json: findings[0] must be an object"},
	{"{\"schema\":\"jcstar.evidence/1\",\"kind\":\"probe\",\"subject\":\"x\",\"findings\":[{\"id\":\"probe.x\",\"result\":\"fail\"}]}",
	 "bad.json: findings[0]: unknown finding id 'probe.x'"},
	{"{\"schema\":\"jcstar.evidence/1\",\"kind\":\"probe\",\"subject\":\"x\",\"findings\":[{\"id\":\"probe.auth.none\",\"result\":\"bad\"}]}",
	 "bad.json: findings[0]: result must be pass, fail, info or inconclusive, not 'bad'"},
	{"{\"schema\":\"jcstar.evidence/1\",\"kind\":\"probe\",\"subject\":\"x\",\"findings\":[{\"id\":\"probe.auth.none\",\"result\":\"fail\",\"criteria\":[\"S9\"]}]}",
	 "bad.json: findings[0]: criteria[0] is not a known criterion id"},
	{"{\"schema\":\"jcstar.evidence/1\",\"kind\":\"probe\",\"subject\":\"x\",\"findings\":[{\"id\":\"probe.auth.none\",\"result\":\"fail\",\"severity\":\"meh\"}]}",
	 "bad.json: findings[0]: severity must be none, low, medium, high or critical"},
	{"{\"schema\":\"jcstar.evidence/1\",\"kind\":\"firmware\",\"subject\":\"x\",\"findings\":[],"
	 "\"image\":{\"sha256\":\"ABC\"}}",
	 "bad.json: image: 'sha256' must be 64 lowercase hex digits"},
	{"{\"schema\":\"jcstar.evidence/1\",\"kind\":\"firmware\",\"subject\":\"x\",\"findings\":[],\"image\":[]}",
	 "bad.json: 'image' must be an object"},
	{"{\"schema\":\"jcstar.evidence/1\",\"schema\":\"jcstar.evidence/1\"}",
	 "bad.json:1:38: invalid JSON: duplicate object key near '\"schema\"'"},
};

T_TEST(rejects_malformed)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jcs_evidence *ev = (struct jcs_evidence *)&ev;
		struct jcs_err err = {0};
		int rc = jcs_evidence_parse(bad[i].doc, strlen(bad[i].doc), "bad.json", &ev, &err);
		T_ASSERT(rc == JCS_EPARSE || rc == JCS_ESCHEMA);
		T_ASSERT(ev == NULL);
		T_EQ_STR(err.msg, bad[i].msg);
	}
}

T_TEST(fills_missing_criteria)
{
	const char *doc = "{\"schema\":\"jcstar.evidence/1\",\"kind\":\"manual\",\"subject\":\"lab\",\"findings\":"
			  "[{\"id\":\"probe.auth.bruteforce\",\"result\":\"pass\"}]}";
	struct jcs_evidence *ev = NULL;
	struct jcs_finding f;

	T_EQ_INT(jcs_evidence_parse(doc, strlen(doc), "m.json", &ev, NULL), 0);
	jcs_evidence_get(ev, 0, &f);
	T_ASSERT(jcs_criteria_name(f.criteria, "S1.1-04"));
	T_EQ_STR(f.location, "");
	jcs_evidence_free(ev);
}

/* The hash of the bytes parsed (sha256sum of the same text), and an image recorded by its
 * hash; a document built in memory has none. */
T_TEST(hashes)
{
	const char *doc = "{\"schema\":\"jcstar.evidence/1\",\"kind\":\"manual\",\"subject\":\"lab\",\"findings\":[]}";
	char path[] = "/tmp/jcs-test-image.XXXXXX";
	struct jcs_evidence *ev = NULL, *back = NULL;
	struct jcs_err err = {0};
	const json_t *img;
	char *text;
	int fd;

	T_EQ_INT(jcs_evidence_parse(doc, strlen(doc), "m.json", &ev, NULL), 0);
	/* printf '%s' "$doc" | sha256sum */
	T_EQ_STR(jcs_evidence_sha256(ev), "6077186cc34b6fd456601f76d640e89f0da33a3523a8fbc28ef203fbd97b9b31");
	jcs_evidence_free(ev);

	ev = jcs_evidence_new("firmware", "img.bin");
	T_EQ_STR(jcs_evidence_sha256(ev), "");
	fd = mkstemp(path);
	T_ASSERT(fd >= 0 && write(fd, "abc", 3) == 3);
	close(fd);
	T_EQ_INT(jcs_evidence_set_image(ev, path, &err), 0);
	img = json_object_get(jcs_evidence_json(ev), "image");
	T_EQ_STR(json_string_value(json_object_get(img, "sha256")),
		 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); /* FIPS 180-2 "abc" */
	T_EQ_INT(json_integer_value(json_object_get(img, "size")), 3);
	T_EQ_STR(json_string_value(json_object_get(img, "file")), strrchr(path, '/') + 1);
	text = jcs_evidence_dumps(ev);
	T_EQ_INT(jcs_evidence_parse(text, strlen(text), "round.json", &back, &err), 0);
	free(text);
	jcs_evidence_free(back);
	unlink(path);
	T_EQ_INT(jcs_evidence_set_image(ev, path, &err), JCS_EIO);
	T_CONTAINS(err.msg, "No such file");
	jcs_evidence_free(ev);
}

/* Output files: a FIFO (like -o /dev/null, a device) is written in place and stays a FIFO,
 * a symbolic link stays a link and its target gets the bytes; -o on a directory is refused.
 * (Renaming over such a path once replaced /dev/null with a regular file.) */
T_TEST(output_to_special_files)
{
	char dir[] = "/tmp/jcs-out-XXXXXX", fifo[64], got[64], link[64], target[64];
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_err err;
	struct stat st;
	pid_t child;
	int status = -1;

	T_ASSERT(mkdtemp(dir) != NULL);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(got, sizeof(got), "%s/got", dir);
	T_EQ_INT(mkfifo(fifo, 0600), 0);
	child = fork();
	if (child == 0) { /* the reader: copy what comes through the FIFO into a file */
		struct jcs_buf in = JCS_BUF_INIT;
		struct jcs_err e;
		_exit(jcs_read_file(fifo, 1024, &in, &e) || jcs_write_file_atomic(got, in.data, in.len, &e) ? 1 : 0);
	}
	T_ASSERT(child > 0);
	T_EQ_INT(jcs_write_file_atomic(fifo, "through the pipe", 16, &err), 0);
	T_EQ_INT(waitpid(child, &status, 0), child);
	T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_EQ_INT(lstat(fifo, &st), 0);
	T_ASSERT(S_ISFIFO(st.st_mode));
	T_EQ_INT(jcs_read_file(got, 1024, &b, &err), 0);
	T_EQ_STR(b.data, "through the pipe");

	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	T_EQ_INT(jcs_write_file_atomic(target, "old", 3, &err), 0);
	T_EQ_INT(symlink(target, link), 0);
	T_EQ_INT(jcs_write_file_atomic(link, "new", 3, &err), 0);
	T_EQ_INT(lstat(link, &st), 0);
	T_ASSERT(S_ISLNK(st.st_mode));
	jcs_buf_reset(&b);
	T_EQ_INT(jcs_read_file(target, 1024, &b, &err), 0);
	T_EQ_STR(b.data, "new");

	T_EQ_INT(jcs_write_file_atomic(dir, "x", 1, &err), JCS_EINVAL);
	T_CONTAINS(err.msg, "is a directory");
	jcs_buf_free(&b);
	unlink(fifo);
	unlink(got);
	unlink(link);
	unlink(target);
	rmdir(dir);
}

T_MAIN(T_CASE(output_to_special_files), T_CASE(build_and_round_trip), T_CASE(rejects_malformed), T_CASE(fills_missing_criteria), T_CASE(hashes))
