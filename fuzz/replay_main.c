/* Replays every file of a fuzz corpus directory through LLVMFuzzerTestOneInput, so each
 * corpus runs as a regression test in every build (libFuzzer is only used by make fuzz). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jcstar/jcstar.h"
#include "jcstar/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	struct jcs_err err;
	struct dirent **ents;
	int n, runs = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	n = scandir(argv[1], &ents, NULL, alphasort);
	if (n < 0) {
		perror(argv[1]);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct jcs_buf b = JCS_BUF_INIT;
		char path[4096];

		if (ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", argv[1], ents[i]->d_name);
			if (jcs_read_file(path, 0, &b, &err) == 0) {
				/* copy to an exact-size heap block so ASan sees overreads */
				uint8_t *exact = malloc(b.len ? b.len : 1);
				if (b.len)
					memcpy(exact, b.data, b.len);
				LLVMFuzzerTestOneInput(exact, b.len);
				free(exact);
				runs++;
			}
		}
		jcs_buf_free(&b);
		free(ents[i]);
	}
	free(ents);
	if (runs == 0) {
		fprintf(stderr, "%s: empty corpus\n", argv[1]);
		return 1;
	}
	printf("%d passed, 0 failed\n", runs);
	return 0;
}
