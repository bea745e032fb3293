/* UPnP / TR-064 device descriptions: the few elements that name the device (S1.1-10).
 * Not a general XML parser: finds <tag>text</tag> of the first device, bounded by n. */
#include <string.h>

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
