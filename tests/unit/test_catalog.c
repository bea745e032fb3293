#include "t.h"

#include "jcstar/catalog.h"

T_TEST(sixteen_criteria)
{
	struct jcs_err err = {0};
	const struct jcs_catalog *cat = jcs_catalog_get(&err);
	const struct jcs_profile *p;
	char id[16];

	T_ASSERT(cat != NULL);
	if (!cat) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	T_EQ_INT(cat->ncriteria, 16);
	for (int i = 0; i < 16; i++) {
		const struct jcs_criterion *c = &cat->criteria[i];
		snprintf(id, sizeof(id), "S1.1-%02d", i + 1);
		T_EQ_STR(c->id, id);
		T_EQ_INT(c->number, i + 1);
		T_ASSERT(c->title.ja && c->title.en && c->supply.ja && c->supply.en && c->threat.ja);
		T_ASSERT(strcmp(c->method, "doc") == 0 || strcmp(c->method, "device") == 0 ||
			 strcmp(c->method, "doc+scan") == 0);
		T_ASSERT(c->nxrefs > 0);
	}
	/* IPA tests S1.1-04 on the device; vendor criteria are 05, 09, 16 (seed table) */
	T_EQ_STR(jcs_catalog_criterion(cat, "S1.1-04")->method, "device");
	T_EQ_INT(jcs_catalog_criterion(cat, "S1.1-05")->target, JCS_TARGET_VENDOR);
	T_EQ_INT(jcs_catalog_criterion(cat, "S1.1-09")->target, JCS_TARGET_VENDOR);
	T_EQ_INT(jcs_catalog_criterion(cat, "S1.1-16")->target, JCS_TARGET_VENDOR);
	T_EQ_INT(jcs_catalog_criterion(cat, "S1.1-01")->target, JCS_TARGET_PRODUCT);
	T_EQ_STR(jcs_catalog_criterion(cat, "S1.1-02")->title.ja, "容易に推測可能なデフォルトパスワードの禁止");
	p = jcs_catalog_profile(cat, "star1");
	T_ASSERT(p && p->published && p->criteria[15] && !p->criteria[16]);
	p = jcs_catalog_profile(cat, "star2-camera");
	T_ASSERT(p && !p->published && !p->criteria[0]);
}

T_TEST(crosswalks_resolve)
{
	const struct jcs_catalog *cat = jcs_catalog_get(NULL);
	int official_psti = 0;

	for (size_t i = 0; i < cat->ncriteria; i++)
		for (size_t k = 0; k < cat->criteria[i].nxrefs; k++) {
			const struct jcs_xref *x = &cat->criteria[i].xrefs[k];
			const struct jcs_scheme *s = jcs_catalog_scheme(cat, x->scheme);
			T_ASSERT(s && jcs_scheme_provision(s, x->ref));
			official_psti += strcmp(x->scheme, "psti") == 0 && x->official;
		}
	/* IPA accepts PSTI conformity for exactly S1.1-02, -05, -16 */
	T_EQ_INT(official_psti, 3);
	T_EQ_INT(jcs_catalog_scheme(cat, "psti")->nprovisions, 3);
	T_EQ_INT(jcs_catalog_scheme(cat, "gov")->nprovisions, 7);
	T_EQ_INT(jcs_catalog_scheme(cat, "cls")->nprovisions, 16);
	T_ASSERT(jcs_scheme_provision(jcs_catalog_scheme(cat, "cra"), "I.m"));
	T_ASSERT(jcs_scheme_provision(jcs_catalog_scheme(cat, "cra"), "II.8"));
}

T_TEST(findings_and_procurement)
{
	const struct jcs_catalog *cat = jcs_catalog_get(NULL);
	const struct jcs_finding_def *f = jcs_catalog_finding(cat, "probe.auth.bruteforce");

	T_ASSERT(f && strcmp(f->criteria[0], "S1.1-04") == 0);
	T_ASSERT(jcs_catalog_finding(cat, "fw.update.signature"));
	T_ASSERT(!jcs_catalog_finding(cat, "probe.nonexistent"));
	T_EQ_INT(jcs_catalog_min_level(cat, "low"), 1);
	T_EQ_INT(jcs_catalog_min_level(cat, "medium"), 3);
	T_EQ_INT(jcs_catalog_min_level(cat, "high"), 3);
	T_EQ_INT(jcs_catalog_min_level(cat, "critical"), JCS_ENOTFOUND);
}

T_MAIN(T_CASE(sixteen_criteria), T_CASE(crosswalks_resolve), T_CASE(findings_and_procurement))
