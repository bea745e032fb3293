/* The criteria catalogue: JC-STAR criteria, finding ids, crosswalks to other schemes,
 * level profiles and the procurement rule. Loaded once from data/catalog/ (embedded at
 * build time) and immutable afterwards; safe to share between threads. */
#ifndef JCSTAR_CATALOG_H
#define JCSTAR_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "jcstar/jcstar.h"

JCS_API_BEGIN

struct jcs_text {
	const char *ja;
	const char *en;
};

/* A link from a criterion to a provision of another scheme. */
struct jcs_xref {
	const char *scheme;    /* scheme id: etsi, psti, cls, nist, cra, gov */
	const char *ref;       /* provision id within the scheme, e.g. "5.1-1" */
	bool official;         /* published correspondence (else our inference) */
};

enum jcs_target { JCS_TARGET_PRODUCT, JCS_TARGET_VENDOR };

struct jcs_criterion {
	const char *id;              /* "S1.1-01" */
	int level;                   /* 1 for ★1 */
	int number;                  /* (1)…(16) in the seed's table */
	struct jcs_text title;
	struct jcs_text category;
	struct jcs_text threat;
	enum jcs_target target;      /* product or vendor criterion */
	const char *method;          /* IPA's evaluation: "doc", "device" or "doc+scan" */
	struct jcs_text supply;      /* what the vendor's declaration must supply */
	bool needs_test;             /* conform needs a test result (probe pass or test report) */
	const char *const *findings; /* finding ids that bear on it (NULL-terminated) */
	const struct jcs_xref *xrefs;
	size_t nxrefs;
};

struct jcs_finding_def {
	const char *id;
	struct jcs_text title;
	const char *const *criteria; /* NULL-terminated */
};

struct jcs_provision {
	const char *ref;
	const char *title;
	bool mandatory;               /* "shall" (else a recommendation) */
};

struct jcs_scheme {
	const char *id;              /* "etsi" */
	const char *name;            /* "ETSI EN 303 645" */
	const char *basis;           /* short description of the scheme's basis */
	const struct jcs_provision *provisions;
	size_t nprovisions;
};

struct jcs_profile {
	const char *id;              /* "star1", "star2-camera" */
	int level;
	struct jcs_text name;
	bool published;              /* false: criteria not yet published (placeholder) */
	const char *note;
	const char *const *criteria; /* NULL-terminated; empty for placeholders */
};

struct jcs_procurement_rule {
	const char *importance;      /* "low", "medium", "high" */
	int min_level;
};

struct jcs_catalog {
	const struct jcs_criterion *criteria;
	size_t ncriteria;
	const struct jcs_finding_def *findings;
	size_t nfindings;
	const struct jcs_scheme *schemes;
	size_t nschemes;
	const struct jcs_profile *profiles;
	size_t nprofiles;
	const struct jcs_procurement_rule *procurement;
	size_t nprocurement;
};

/* The catalogue (loaded on first call). NULL only if the embedded data is broken, with err set. */
const struct jcs_catalog *jcs_catalog_get(struct jcs_err *err);

const struct jcs_criterion *jcs_catalog_criterion(const struct jcs_catalog *c, const char *id);
const struct jcs_finding_def *jcs_catalog_finding(const struct jcs_catalog *c, const char *id);
const struct jcs_scheme *jcs_catalog_scheme(const struct jcs_catalog *c, const char *id);
const struct jcs_provision *jcs_scheme_provision(const struct jcs_scheme *s, const char *ref);
/* The published profile for a level, or a placeholder, or NULL. */
const struct jcs_profile *jcs_catalog_profile(const struct jcs_catalog *c, const char *id);
/* Minimum level for an importance ("low", "medium", "high"), or JCS_ENOTFOUND. */
int jcs_catalog_min_level(const struct jcs_catalog *c, const char *importance);

JCS_API_END

#endif
