/* UPnP / TR-064 device descriptions: the few elements that name the device (S1.1-10), and
 * the UPnP IGD port-mapping check (S1.1-13). Not a general XML parser: finds <tag>text</tag>
 * of the first device, bounded by n. */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probe/probe.h"

#define MAX_DESC (256 << 10)

/* Text of the first <tag>…</tag> (tag may carry a namespace prefix) into out. */
static bool element(const char *x, size_t n, const char *tag, char *out, size_t olen)
{
	size_t tl = strlen(tag);
	const char *p = x, *end = x + n;

	out[0] = 0;
	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p)), *gt, *name, *close;

		if (!lt)
			return false;
		if (!(gt = memchr(lt, '>', (size_t)(end - lt))))
			return false;
		name = lt + 1;
		/* skip an "ns:" prefix */
		for (const char *q = name; q < gt && *q != ' ' && *q != '/'; q++)
			if (*q == ':')
				name = q + 1;
		if ((size_t)(gt - name) == tl && memcmp(name, tag, tl) == 0 && gt[-1] != '/') {
			close = memchr(gt + 1, '<', (size_t)(end - gt - 1));
			if (!close)
				return false;
			jcs_printable((const uint8_t *)gt + 1, (size_t)(close - gt - 1), out, olen);
			return true;
		}
		p = gt + 1;
	}
	return false;
}

int jcs_upnp_parse(const char *xml, size_t n, struct jcs_upnp_desc *d)
{
	memset(d, 0, sizeof(*d));
	if (n > MAX_DESC)
		return JCS_ELIMIT;
	if (!element(xml, n, "deviceType", d->device_type, sizeof(d->device_type)))
		return JCS_EPARSE;
	element(xml, n, "manufacturer", d->manufacturer, sizeof(d->manufacturer));
	element(xml, n, "modelName", d->model_name, sizeof(d->model_name));
	element(xml, n, "modelNumber", d->model_number, sizeof(d->model_number));
	element(xml, n, "friendlyName", d->friendly, sizeof(d->friendly));
	return 0;
}

int jcs_upnp_wan_service(const char *xml, size_t n, char *control, size_t clen, char *type, size_t tlen)
{
	static const char *const wan[] = {"service:WANIPConnection:", "service:WANPPPConnection:", NULL};

	if (n > MAX_DESC)
		return JCS_ELIMIT;
	for (size_t i = 0; wan[i]; i++) {
		const char *at = memmem(xml, n, wan[i], strlen(wan[i])), *start, *rest;
		size_t k = 0;

		if (!at)
			continue;
		/* the full service type: back to the element's '>' and forward to '<' */
		for (start = at; start > xml && start[-1] != '>'; start--)
			;
		while (start + k < xml + n && start[k] != '<' && k + 1 < tlen)
			k++;
		memcpy(type, start, k);
		type[k] = 0;
		rest = start + k;
		if (element(rest, (size_t)(xml + n - rest), "controlURL", control, clen) && control[0] == '/')
			return 0;
	}
	return JCS_ENOTFOUND;
}

/* The address the device sees us at (the internal client a LAN attacker would map). */
static int local_addr(struct jcs_probe *p, int port, char *me, size_t mlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct jcs_tr t;
	int rc = jcs_probe_open(p, port, false, &t, NULL);

	if (!rc && (getsockname(t.fd, (struct sockaddr *)&ss, &sl) ||
		    getnameinfo((struct sockaddr *)&ss, sl, me, (socklen_t)mlen, NULL, 0, NI_NUMERICHOST)))
		rc = JCS_ENET;
	jcs_tr_close(&t);
	return rc;
}

/* One SOAP action of the WAN service over a fresh connection: the HTTP status or a negative
 * JCS_E*. */
static int soap(struct jcs_probe *p, int port, const char *control, const char *type, const char *action,
		const char *args, struct jcs_buf *reply)
{
	struct jcs_buf hdr = JCS_BUF_INIT, body = JCS_BUF_INIT;
	struct jcs_http_reply r;
	struct jcs_tr t;
	int rc = jcs_probe_open(p, port, false, &t, NULL);

	if (rc)
		goto out;
	jcs_buf_printf(&hdr, "Content-Type: text/xml; charset=\"utf-8\"\r\nSOAPAction: \"%s#%s\"\r\n", type, action);
	jcs_buf_printf(&body,
		       "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
		       "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:%s xmlns:u=\"%s\">%s"
		       "</u:%s></s:Body></s:Envelope>",
		       action, type, args, action);
	if ((rc = jcs_buf_error(&hdr)) || (rc = jcs_buf_error(&body)))
		goto out;
	rc = jcs_http_request(&t, p->host, "POST", control, hdr.data, body.data, &r, reply);
	if (!rc)
		rc = r.status;
out:
	jcs_tr_close(&t);
	jcs_buf_free(&hdr);
	jcs_buf_free(&body);
	return rc;
}

void jcs_upnp_igd_check(struct jcs_probe *p, int port, const char *control, const char *type, const char *loc,
			struct jcs_evidence *ev)
{
	char me[64] = "", args[768], got[64] = "", fault[16] = "", desc[96] = "";
	struct jcs_buf reply = JCS_BUF_INIT, addreply = JCS_BUF_INIT;
	int ext = 40000 + (int)(p->nonce % 20000), add, get = 0, del = 0;
	long code;

	add = local_addr(p, port, me, sizeof(me));
	if (add == 0) {
		snprintf(args, sizeof(args),
			 "<NewRemoteHost></NewRemoteHost><NewExternalPort>%d</NewExternalPort><NewProtocol>TCP</NewProtocol>"
			 "<NewInternalPort>%d</NewInternalPort><NewInternalClient>%s</NewInternalClient><NewEnabled>1</NewEnabled>"
			 "<NewPortMappingDescription>jcstar-probe</NewPortMappingDescription><NewLeaseDuration>120</NewLeaseDuration>",
			 ext, ext, me);
		add = soap(p, port, control, type, "AddPortMapping", args, &addreply);
	}
	/* a SOAP fault carries the UPnP error: 606 "Action not authorized", 718 "ConflictInMappingEntry"
	 * (miniupnpd's answer when its permission rules deny) and others */
	if (add == 500 && addreply.len) {
		element(addreply.data, addreply.len, "errorCode", fault, sizeof(fault));
		element(addreply.data, addreply.len, "errorDescription", desc, sizeof(desc));
	}
	code = strtol(fault, NULL, 10);
	if (add == 200) {
		/* is it really there? then remove it again */
		snprintf(args, sizeof(args),
			 "<NewRemoteHost></NewRemoteHost><NewExternalPort>%d</NewExternalPort><NewProtocol>TCP</NewProtocol>", ext);
		get = soap(p, port, control, type, "GetSpecificPortMappingEntry", args, &reply);
		if (get == 200)
			element(reply.data ? reply.data : "", reply.len, "NewInternalClient", got, sizeof(got));
		del = soap(p, port, control, type, "DeletePortMapping", args, NULL);
	}
	if (add == 200)
		jcs_evidence_add(ev, "probe.interface.risky", JCS_FAIL, JCS_SEV_HIGH, loc,
				 "UPnP IGD adds port mappings without authentication",
				 json_pack("{s:s, s:s, s:i, s:s, s:i, s:b, s:b}", "control_url", control, "service_type", type,
					   "external_port", ext, "internal_client", me, "add_status", add, "verified",
					   get == 200 && strcmp(got, me) == 0, "deleted", del == 200),
				 NULL);
	else if (add == 401 || add == 403 || code == 606 || code == 718)
		jcs_evidence_add(ev, "probe.interface.risky", JCS_PASS, JCS_SEV_NONE, loc,
				 "UPnP IGD refused a port mapping",
				 json_pack("{s:s, s:s, s:i, s:s, s:s}", "control_url", control, "service_type", type, "add_status",
					   add, "upnp_error", fault, "description", desc),
				 NULL);
	else
		jcs_evidence_add(ev, "probe.interface.risky", JCS_INCONCLUSIVE, JCS_SEV_NONE, loc,
				 "UPnP IGD port mapping could not be tested",
				 json_pack("{s:s, s:s, s:i, s:s, s:s}", "control_url", control, "service_type", type, "add_status",
					   add, "upnp_error", fault, "description", desc),
				 NULL);
	jcs_buf_free(&reply);
	jcs_buf_free(&addreply);
}
