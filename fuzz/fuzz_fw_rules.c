/* Fuzz the audit rules' parsers (inittab, init scripts, systemd units, inetd.conf, UCI, conf
 * key/value, PEM/DER keys) and the SBOM: the input is streamed as each of the files the rules
 * parse, then the analysis finishes. Account files are left out (cracking is slow by design;
 * fuzz_fw_accounts covers their parser). */
#include <stddef.h>
#include <stdint.h>

#include "jcstar/fwanalyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"/etc/inittab", "/etc/rc.local", "/etc/init.d/S50svc", "/etc/init.d/svc",
		"/etc/inetd.conf", "/etc/xinetd.d/svc", "/lib/systemd/system/svc.service",
		"/etc/config/system", "/etc/config/dropbear", "/etc/config/wireless", "/etc/app.conf",
		"/www/js/app.js", "/etc/ssl/private/key.pem", "/etc/dropbear/dropbear_rsa_host_key",
		"/lib/upgrade/common.sh", "/etc/opkg.conf", "/etc/rc.button/reset", "/usr/sbin/daemon",
	};
	struct jcs_evidence *ev = jcs_evidence_new("firmware", "fuzz");
	struct jcs_fw_analysis *a = NULL;
	struct jcs_err err;
	struct jcs_fw_sink s;

	if (!ev || jcs_fw_analyze_new(ev, NULL, &a, &err)) {
		jcs_evidence_free(ev);
		return 0;
	}
	s = jcs_fw_analyze_sink(a);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct jcs_fw_file f = {0};
		f.path = paths[i];
		f.container = "fuzz";
		f.type = JCS_FW_FILE;
		f.data = data;
		f.len = f.size = size;
		if (s.file(s.ctx, &f))
			break;
	}
	{
		struct jcs_fw_file l = {0};
		l.path = "/etc/rc.d/S50svc";
		l.type = JCS_FW_SYMLINK;
		l.link = "../init.d/svc";
		s.file(s.ctx, &l);
	}
	jcs_fw_analyze_finish(a, &err);
	jcs_fw_analyze_free(a);
	jcs_evidence_free(ev);
	return 0;
}
