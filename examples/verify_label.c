/* Verify a JC-STAR label credential offline with libjcstar, as a buyer's program would:
 *
 *     cc $(pkg-config --cflags --libs jcstar) verify_label.c -o verify_label
 *     ./verify_label REGISTRY.pub LABEL.json [STATUS.json]
 *
 * LABEL.json is a credential or the registry's offline bundle (/api/v1/products/REG/bundle,
 * which carries its own status statement); STATUS.json a separate status statement.
 * Exit status: 0 only when the label is valid (good signature and a fresh status statement),
 * 1 when it is not (expired, revoked, suspended, forged, not in the log, status not checked),
 * 2 for unreadable or malformed input. */
#include <stdio.h>

#include <jcstar/label.h>

int main(int argc, char **argv)
{
	struct jcs_buf label = JCS_BUF_INIT, status = JCS_BUF_INIT;
	struct jcs_label_check_in in = {0};
	struct jcs_label_check *c = NULL;
	const struct jcs_label *l;
	struct jcs_key *pub = NULL;
	struct jcs_err err = {0};
	int rc = 2;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s REGISTRY.pub LABEL.json [STATUS.json]\n", argv[0]);
		return 2;
	}
	if (jcs_key_load(argv[1], &pub, &err) || jcs_read_file(argv[2], 0, &label, &err) ||
	    (argc == 4 && jcs_read_file(argv[3], 0, &status, &err)))
		goto out;
	in.name = argv[2];
	in.label = label.data ? label.data : "";
	in.label_len = label.len;
	if (argc == 4) {
		in.status = status.data ? status.data : "";
		in.status_len = status.len;
	}
	if (jcs_label_check(pub, &in, &c, &err))
		goto out;
	l = jcs_label_check_label(c);
	printf("%s: %s", l ? l->registration_number : argv[2], jcs_label_check_status(c));
	if (jcs_label_check_detail(c))
		printf(" (%s)", jcs_label_check_detail(c));
	if (l)
		printf("\n  %s %s, level %d, expires %s", l->vendor, l->product, l->level, l->expires);
	printf("\n");
	rc = jcs_label_check_outcome(c) == JCS_LABEL_VALID ? 0 : 1;
out:
	if (rc == 2)
		fprintf(stderr, "verify_label: %s\n", err.msg);
	jcs_label_check_free(c);
	jcs_key_free(pub);
	jcs_buf_free(&label);
	jcs_buf_free(&status);
	return rc;
}
