/* Transparency log: RFC 6962 reference vectors (certificate-transparency's test data:
 * leaves, roots for sizes 1..8, a few proofs) and properties over every tree size <= 64. */
#include <stdint.h>
#include <string.h>

#include "jcstar/tlog.h"
#include "t.h"

#define N 64

/* The eight reference leaves (data, not hashes). */
static const struct { const char *hex; } ct_leaves[] = {
	{""}, {"00"}, {"10"}, {"2021"}, {"3031"}, {"40414243"}, {"5051525354555657"},
	{"606162636465666768696a6b6c6d6e6f"},
};
static const char *const ct_roots[] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct vec {
	uint64_t a, b; /* inclusion: index, size; consistency: first, second */
	const char *path[3];
	size_t n;
};

static const struct vec ct_inclusion[] = {
	{0, 8, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}, 3},
	{5, 8, {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}, 3},
	{2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}, 1},
	{1, 5, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}, 3},
	{0, 1, {NULL}, 0},
};

static const struct vec ct_consistency[] = {
	{1, 1, {NULL}, 0},
	{1, 8, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}, 3},
	{6, 8, {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}, 3},
	{2, 5, {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}, 2},
	/* re-derived by hand: PROOF(2, D[8]) = [MTH(D[2:4]), MTH(D[4:8])] */
	{2, 8, {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}, 2},
};

static uint8_t ct[8 * JCS_HASH_LEN];
static uint8_t big[N * JCS_HASH_LEN];

static void setup(void)
{
	static int done;
	uint8_t data[16];

	if (done++)
		return;
	for (size_t i = 0; i < 8; i++) {
		size_t n = strlen(ct_leaves[i].hex) / 2;
		for (size_t j = 0; j < n; j++) {
			unsigned v;
			sscanf(ct_leaves[i].hex + 2 * j, "%2x", &v);
			data[j] = (uint8_t)v;
		}
		T_EQ_INT(jcs_tlog_leaf_hash(data, n, ct + i * JCS_HASH_LEN), 0);
	}
	for (uint32_t i = 0; i < N; i++) {
		uint8_t d[4] = {(uint8_t)i, (uint8_t)(i * 7), 0xa5, (uint8_t)(i >> 3)};
		jcs_tlog_leaf_hash(d, sizeof(d), big + i * JCS_HASH_LEN);
	}
}

static void hex_of(const jcs_hash h, char *out)
{
	jcs_hash_hex(h, out);
}

static void path_of(const struct vec *v, struct jcs_tlog_path *p)
{
	p->n = v->n;
	for (size_t i = 0; i < v->n; i++)
		T_EQ_INT(jcs_hash_from_hex(v->path[i], p->h[i]), 0);
}

T_TEST(reference_roots)
{
	jcs_hash r;
	char hex[65];

	setup();
	jcs_tlog_root(ct, 0, r);
	hex_of(r, hex);
	T_EQ_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	for (uint64_t n = 1; n <= 8; n++) {
		jcs_tlog_root(ct, n, r);
		hex_of(r, hex);
		T_EQ_STR(hex, ct_roots[n - 1]);
	}
}

T_TEST(hash_prefixes)
{
	/* leaf = SHA-256(0x00 || d), node = SHA-256(0x01 || l || r): re-derived with OpenSSL's CLI
	 * (printf '\x00' | sha256sum) for the empty leaf, and from the root of size 2 */
	jcs_hash l0, l1, n;
	char hex[65];

	setup();
	memcpy(l0, ct, 32);
	memcpy(l1, ct + 32, 32);
	hex_of(l0, hex);
	T_EQ_STR(hex, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
	jcs_tlog_node_hash(l0, l1, n);
	hex_of(n, hex);
	T_EQ_STR(hex, ct_roots[1]);
	jcs_tlog_node_hash(l1, l0, n);
	hex_of(n, hex);
	T_ASSERT(strcmp(hex, ct_roots[1]) != 0);
}

T_TEST(reference_inclusion)
{
	setup();
	for (size_t i = 0; i < sizeof(ct_inclusion) / sizeof(ct_inclusion[0]); i++) {
		const struct vec *v = &ct_inclusion[i];
		struct jcs_tlog_path want, got;
		jcs_hash root;

		path_of(v, &want);
		T_EQ_INT(jcs_tlog_inclusion_proof(ct, v->b, v->a, &got), 0);
		T_EQ_INT(got.n, want.n);
		T_ASSERT(memcmp(got.h, want.h, want.n * JCS_HASH_LEN) == 0);
		jcs_hash_from_hex(ct_roots[v->b - 1], root);
		T_EQ_INT(jcs_tlog_inclusion_verify(ct + v->a * JCS_HASH_LEN, v->a, v->b, &want, root), 0);
	}
}

T_TEST(reference_consistency)
{
	setup();
	for (size_t i = 0; i < sizeof(ct_consistency) / sizeof(ct_consistency[0]); i++) {
		const struct vec *v = &ct_consistency[i];
		struct jcs_tlog_path want, got;
		jcs_hash r1, r2;

		path_of(v, &want);
		T_EQ_INT(jcs_tlog_consistency_proof(ct, v->b, v->a, &got), 0);
		T_EQ_INT(got.n, want.n);
		T_ASSERT(memcmp(got.h, want.h, want.n * JCS_HASH_LEN) == 0);
		jcs_hash_from_hex(ct_roots[v->a - 1], r1);
		jcs_hash_from_hex(ct_roots[v->b - 1], r2);
		T_EQ_INT(jcs_tlog_consistency_verify(v->a, v->b, r1, r2, &want), 0);
	}
}

/* Every inclusion proof of every tree size <= 64 verifies; flipping any single byte of the
 * proof, the leaf or the root, or changing index/size/length, makes it fail. */
T_TEST(inclusion_all_sizes)
{
	long proofs = 0, mutants = 0;

	setup();
	for (uint64_t n = 1; n <= N; n++) {
		jcs_hash root;
		jcs_tlog_root(big, n, root);
		for (uint64_t i = 0; i < n; i++) {
			struct jcs_tlog_path p, q;
			jcs_hash leaf, bad;
			memcpy(leaf, big + i * JCS_HASH_LEN, JCS_HASH_LEN);
			T_EQ_INT(jcs_tlog_inclusion_proof(big, n, i, &p), 0);
			if (jcs_tlog_inclusion_verify(leaf, i, n, &p, root) != 0)
				T_FAIL("inclusion %llu/%llu does not verify", (unsigned long long)i, (unsigned long long)n);
			proofs++;
			for (size_t k = 0; k < p.n * JCS_HASH_LEN; k++) {
				q = p;
				q.h[k / JCS_HASH_LEN][k % JCS_HASH_LEN] ^= 0x01;
				if (jcs_tlog_inclusion_verify(leaf, i, n, &q, root) == 0)
					T_FAIL("flipped proof byte %zu verifies (%llu/%llu)", k, (unsigned long long)i,
					       (unsigned long long)n);
				mutants++;
			}
			for (size_t k = 0; k < JCS_HASH_LEN; k++) {
				memcpy(bad, leaf, JCS_HASH_LEN);
				bad[k] ^= 0x80;
				T_ASSERT(jcs_tlog_inclusion_verify(bad, i, n, &p, root) != 0);
				memcpy(bad, root, JCS_HASH_LEN);
				bad[k] ^= 0x80;
				T_ASSERT(jcs_tlog_inclusion_verify(leaf, i, n, &p, bad) != 0);
				mutants += 2;
			}
			if (n > 1) {
				T_ASSERT(jcs_tlog_inclusion_verify(leaf, i ^ 1, n, &p, root) != 0 || (i ^ 1) >= n);
				q = p;
				q.n--;
				T_ASSERT(jcs_tlog_inclusion_verify(leaf, i, n, &q, root) != 0);
			}
			q = p;
			memcpy(q.h[q.n++], root, JCS_HASH_LEN);
			T_ASSERT(jcs_tlog_inclusion_verify(leaf, i, n, &q, root) != 0);
			T_ASSERT(jcs_tlog_inclusion_verify(leaf, i, n * 2, &p, root) != 0);
		}
	}
	T_EQ_INT(proofs, N * (N + 1) / 2);
	T_ASSERT(mutants > proofs * 64);
	T_EQ_INT(jcs_tlog_inclusion_proof(big, 5, 5, &(struct jcs_tlog_path){0}), JCS_EINVAL);
}

T_TEST(consistency_all_sizes)
{
	jcs_hash roots[N + 1];
	long proofs = 0;

	setup();
	for (uint64_t n = 0; n <= N; n++)
		jcs_tlog_root(big, n, roots[n]);
	for (uint64_t n = 1; n <= N; n++)
		for (uint64_t m = 1; m <= n; m++) {
			struct jcs_tlog_path p, q;
			T_EQ_INT(jcs_tlog_consistency_proof(big, n, m, &p), 0);
			if (jcs_tlog_consistency_verify(m, n, roots[m], roots[n], &p) != 0)
				T_FAIL("consistency %llu->%llu does not verify", (unsigned long long)m, (unsigned long long)n);
			proofs++;
			for (size_t k = 0; k < p.n * JCS_HASH_LEN; k++) {
				q = p;
				q.h[k / JCS_HASH_LEN][k % JCS_HASH_LEN] ^= 0x10;
				if (jcs_tlog_consistency_verify(m, n, roots[m], roots[n], &q) == 0)
					T_FAIL("flipped byte %zu verifies (%llu->%llu)", k, (unsigned long long)m,
					       (unsigned long long)n);
			}
			if (m < n) {
				T_ASSERT(jcs_tlog_consistency_verify(m, n, roots[m - 1], roots[n], &p) != 0);
				T_ASSERT(jcs_tlog_consistency_verify(m, n, roots[m], roots[n - 1], &p) != 0);
				T_ASSERT(jcs_tlog_consistency_verify(m, n, roots[n], roots[m], &p) != 0);
				q = p;
				q.n--;
				T_ASSERT(jcs_tlog_consistency_verify(m, n, roots[m], roots[n], &q) != 0);
				if (m > 1)
					T_ASSERT(jcs_tlog_consistency_verify(m - 1, n, roots[m], roots[n], &p) != 0);
			}
			q = p;
			memcpy(q.h[q.n++], roots[n], JCS_HASH_LEN);
			T_ASSERT(jcs_tlog_consistency_verify(m, n, roots[m], roots[n], &q) != 0);
		}
	T_EQ_INT(proofs, N * (N + 1) / 2);
	T_EQ_INT(jcs_tlog_consistency_proof(big, 5, 0, &(struct jcs_tlog_path){0}), JCS_EINVAL);
	T_EQ_INT(jcs_tlog_consistency_proof(big, 5, 6, &(struct jcs_tlog_path){0}), JCS_EINVAL);
}

T_TEST(proof_json_round_trip)
{
	struct jcs_inclusion in = {0}, back;
	struct jcs_consistency c = {0}, cback;
	struct jcs_err err;
	char *s;

	setup();
	in.leaf_index = 5;
	in.tree_size = 8;
	T_EQ_INT(jcs_tlog_inclusion_proof(ct, 8, 5, &in.path), 0);
	s = jcs_inclusion_json(&in);
	T_ASSERT(s != NULL);
	T_CONTAINS(s, "{\"audit_path\":[\"bc1a0643");
	T_EQ_INT(jcs_inclusion_parse(s, strlen(s), &back, &err), 0);
	T_EQ_INT(back.leaf_index, 5);
	T_EQ_INT(back.tree_size, 8);
	T_ASSERT(memcmp(&back.path, &in.path, sizeof(in.path)) == 0);
	free(s);

	c.first = 6;
	c.second = 8;
	T_EQ_INT(jcs_tlog_consistency_proof(ct, 8, 6, &c.path), 0);
	s = jcs_consistency_json(&c);
	T_EQ_INT(jcs_consistency_parse(s, strlen(s), &cback, &err), 0);
	T_EQ_INT(cback.path.n, 3);
	free(s);

	/* malformed */
	T_EQ_INT(jcs_inclusion_parse("{}", 2, &back, &err), JCS_ESCHEMA);
	s = "{\"schema\":\"jcstar.inclusion/1\",\"leaf_index\":8,\"tree_size\":8,\"audit_path\":[]}";
	T_EQ_INT(jcs_inclusion_parse(s, strlen(s), &back, &err), JCS_ESCHEMA);
	s = "{\"schema\":\"jcstar.inclusion/1\",\"leaf_index\":1,\"tree_size\":8,\"audit_path\":[\"AB\"]}";
	T_EQ_INT(jcs_inclusion_parse(s, strlen(s), &back, &err), JCS_ESCHEMA);
	s = "{\"schema\":\"jcstar.inclusion/1\",\"leaf_index\":-1,\"tree_size\":8,\"audit_path\":[]}";
	T_EQ_INT(jcs_inclusion_parse(s, strlen(s), &back, &err), JCS_ESCHEMA);
	s = "{\"schema\":\"jcstar.consistency/1\",\"first\":0,\"second\":8,\"consistency\":[]}";
	T_EQ_INT(jcs_consistency_parse(s, strlen(s), &cback, &err), JCS_ESCHEMA);
	T_EQ_INT(jcs_inclusion_parse("[", 1, &back, &err), JCS_EPARSE);
}

T_TEST(signed_tree_head)
{
	struct jcs_key *k = NULL, *other = NULL;
	struct jcs_sth sth = {0}, got;
	struct jcs_err err;
	char *s = NULL;

	setup();
	T_EQ_INT(jcs_key_generate(&k, &err), 0);
	T_EQ_INT(jcs_key_generate(&other, &err), 0);
	sth.tree_size = 8;
	sth.timestamp = 1767225600000ull;
	jcs_tlog_root(ct, 8, sth.root);
	snprintf(sth.registry, sizeof(sth.registry), "registry.example");
	T_EQ_INT(jcs_sth_sign(&sth, k, &s, &err), 0);
	T_CONTAINS(s, "\"root_hash\":\"5dc9da79a70659a9");
	T_EQ_INT(jcs_sth_verify(s, strlen(s), k, &got, &err), 0);
	T_EQ_INT(got.tree_size, 8);
	T_EQ_INT(got.timestamp, 1767225600000ull);
	T_ASSERT(memcmp(got.root, sth.root, 32) == 0);
	T_EQ_STR(got.key_id, jcs_key_id(k));
	T_EQ_INT(jcs_sth_verify(s, strlen(s), other, &got, &err), JCS_ECRYPTO);
	/* tampered size */
	{
		char *p = strstr(s, "\"tree_size\":8");
		p[12] = '9';
		T_EQ_INT(jcs_sth_verify(s, strlen(s), k, &got, &err), JCS_ECRYPTO);
	}
	free(s);
	jcs_key_free(k);
	jcs_key_free(other);
}

T_MAIN(T_CASE(reference_roots), T_CASE(hash_prefixes), T_CASE(reference_inclusion),
       T_CASE(reference_consistency), T_CASE(inclusion_all_sizes), T_CASE(consistency_all_sizes),
       T_CASE(proof_json_round_trip), T_CASE(signed_tree_head))
