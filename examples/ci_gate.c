/* Gate a CI job on a firmware image with libjcstar: unpack and analyse the image, print the
 * failing findings and fail the job when there are any.
 *
 *     cc $(pkg-config --cflags --libs jcstar) ci_gate.c -o ci_gate
 *     ./ci_gate FIRMWARE.img [EVIDENCE.json]
 *
 * Exit status: 0 no failing finding and the analysis complete, 1 failing findings,
 * 4 no failing finding but the analysis incomplete (a part could not be unpacked or a budget
 * ran out: nothing failed is not the same as passed), 3 the image could not be analysed.
 * EVIDENCE.json (optional) receives the jcstar.evidence/1 document for `jcstar assess`. */
#include <stdio.h>

#include <jcstar/evidence.h>
#include <jcstar/firmware.h>
#include <jcstar/fwanalyze.h>

int main(int argc, char **argv)
{
	struct jcs_evidence *ev = NULL;
	struct jcs_fw_analysis *an = NULL;
	struct jcs_fw_sink sink;
	struct jcs_err err = {0};
	size_t fails = 0, inconclusive = 0;
	int rc = 3;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s FIRMWARE.img [EVIDENCE.json]\n", argv[0]);
		return 2;
	}
	if (!(ev = jcs_evidence_new("firmware", argv[1]))) {
		fprintf(stderr, "ci_gate: out of memory\n");
		return 3;
	}
	if (jcs_evidence_set_image(ev, argv[1], &err) || jcs_fw_analyze_new(ev, NULL, &an, &err))
		goto out;
	sink = jcs_fw_analyze_sink(an);
	if (jcs_fw_walk(argv[1], NULL, &sink, &err) || jcs_fw_analyze_finish(an, &err))
		goto out;
	jcs_evidence_finish(ev);
	if (argc == 3 && jcs_evidence_write(ev, argv[2], &err))
		goto out;
	for (size_t i = 0; i < jcs_evidence_count(ev); i++) {
		struct jcs_finding f;
		jcs_evidence_get(ev, i, &f);
		if (f.result == JCS_FAIL) {
			printf("FAIL %-8s %s: %s (%s)\n", jcs_severity_name(f.severity), f.id, f.title, f.location);
			fails++;
		} else if (f.result == JCS_INCONCLUSIVE) {
			inconclusive++;
		}
	}
	printf("%s: %zu failing, %zu inconclusive of %zu findings; analysis %s\n", argv[1], fails, inconclusive,
	       jcs_evidence_count(ev), jcs_evidence_complete(ev) ? "complete" : "incomplete");
	rc = fails ? 1 : jcs_evidence_complete(ev) ? 0 : 4;
out:
	if (rc == 3)
		fprintf(stderr, "ci_gate: %s\n", err.msg);
	jcs_fw_analyze_free(an);
	jcs_evidence_free(ev);
	return rc;
}
