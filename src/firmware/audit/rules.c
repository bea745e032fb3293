/* The audit rule table: one line per rule (each rule is one file in this directory). */
#include "firmware/audit/audit.h"

extern const struct jcs_audit_rule jcs_rule_accounts, jcs_rule_console, jcs_rule_services,
	jcs_rule_private_key, jcs_rule_credentials, jcs_rule_tls, jcs_rule_update, jcs_rule_reset;

const struct jcs_audit_rule *const jcs_audit_rules[] = {
	&jcs_rule_accounts,    /* fw.account.empty-password, fw.account.default-password */
	&jcs_rule_console,     /* fw.console.unauthenticated */
	&jcs_rule_services,    /* fw.service.risky-enabled */
	&jcs_rule_private_key, /* fw.secret.private-key */
	&jcs_rule_credentials, /* fw.secret.hardcoded-credential */
	&jcs_rule_tls,         /* fw.tls.verification-disabled */
	&jcs_rule_update,      /* fw.update.mechanism, fw.update.signature */
	&jcs_rule_reset,       /* fw.reset.mechanism */
	NULL,
};
