/* The public half of the key that signed the label fuzz corpora (fuzz/corpus/label, revlist,
 * sth): with it the fuzzers reach the signature check and what follows. The private half
 * was thrown away after signing the samples. */
#ifndef JCS_FUZZ_LABEL_KEY_H
#define JCS_FUZZ_LABEL_KEY_H

#include <string.h>

#include "jcstar/label.h"

static const char fuzz_label_pub[] = "-----BEGIN PUBLIC KEY-----\n"
				     "MCowBQYDK2VwAyEAgwB9FfMVYleLBtBDMzzF2iaHNtZV5EvH7Mkz9GtJhyM=\n"
				     "-----END PUBLIC KEY-----\n";

static struct jcs_key *fuzz_label_key(void)
{
	static struct jcs_key *k;

	if (!k && jcs_key_load_pem(fuzz_label_pub, strlen(fuzz_label_pub), &k, NULL))
		__builtin_trap();
	return k;
}

#endif
