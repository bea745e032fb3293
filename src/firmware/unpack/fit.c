/* U-Boot FIT image (flattened device tree): every /images/NAME node's "data" (or external
 * "data-offset"/"data-size") is reported and carved. A device tree without /images is a
 * plain DTB: reported as one file when it is embedded in something larger. */
#include <stdio.h>
#include <string.h>

#include "core/cur.h"
#include "firmware/unpack/header.h"

#define FDT_DEPTH_MAX 32

struct fitimg {
	char name[64];
	const uint8_t *data;
	uint32_t len;
	int64_t ext_off, ext_size;
};

static int emit_image(struct jcs_fw_walk *w, const struct fitimg *im, const uint8_t *p, size_t len, uint32_t total)
{
	char path[96];

	snprintf(path, sizeof(path), "/images/%s", im->name);
	if (im->data)
		return jcs_fw_emit_part(w, path, p, len, (uint64_t)(im->data - p), im->len);
	if (im->ext_off >= 0 && im->ext_size >= 0)
		return jcs_fw_emit_part(w, path, p, len, ((uint64_t)total + 3) / 4 * 4 + (uint64_t)im->ext_off,
					(uint64_t)im->ext_size);
	jcs_fw_problem(w, 0, "FIT image node '%s' has no data", im->name);
	return 0;
}

static int fit_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct jcs_cur h = jcs_cur_make(p, len), s, strings;
	uint32_t total, off_struct, off_strings, version, size_strings, size_struct;
	char stack[FDT_DEPTH_MAX][64];
	struct fitimg im = {0};
	int depth = 0, rc = 0, nimages = 0;
	bool in_image = false;

	jcs_cur_skip(&h, 4);
	total = jcs_cur_u32be(&h);
	off_struct = jcs_cur_u32be(&h);
	off_strings = jcs_cur_u32be(&h);
	jcs_cur_skip(&h, 4);
	version = jcs_cur_u32be(&h);
	jcs_cur_skip(&h, 8);
	size_strings = jcs_cur_u32be(&h);
	size_struct = jcs_cur_u32be(&h);
	if (h.bad || version < 16 || version > 17 || total < 40 || off_struct >= total || off_strings > total)
		return JCS_ENOTFOUND;
	if (total > len)
		return jcs_err_set(err, JCS_EPARSE, "device tree truncated: %u bytes declared, %zu present", total, len);
	*used = total;
	if (size_struct == 0 || size_struct > total - off_struct)
		size_struct = total - off_struct;
	if (size_strings > total - off_strings)
		return jcs_err_set(err, JCS_EPARSE, "device tree strings block outside the blob");
	h = jcs_cur_make(p, total);
	s = jcs_cur_at(&h, off_struct, size_struct);
	strings = jcs_cur_at(&h, off_strings, size_strings);
	for (;;) {
		uint32_t tok = jcs_cur_u32be(&s);
		if (s.bad)
			return jcs_err_set(err, JCS_EPARSE, "device tree structure truncated");
		if (tok == 1) { /* BEGIN_NODE */
			size_t nl;
			const char *n = jcs_cur_str(&s, &nl);
			if (!n || depth >= FDT_DEPTH_MAX)
				return jcs_err_set(err, JCS_EPARSE, "device tree node name unterminated or nested too deep");
			snprintf(stack[depth], sizeof(stack[depth]), "%.*s", (int)(nl < 63 ? nl : 63), n);
			depth++;
			jcs_cur_align(&s, 4);
			if (depth == 3 && !strcmp(stack[1], "images")) {
				memset(&im, 0, sizeof(im));
				im.ext_off = im.ext_size = -1;
				snprintf(im.name, sizeof(im.name), "%s", stack[2]);
				for (char *q = im.name; *q; q++)
					if (*q == '/')
						*q = '_';
				in_image = true;
			}
		} else if (tok == 2) { /* END_NODE */
			if (depth == 0)
				return jcs_err_set(err, JCS_EPARSE, "device tree END_NODE without node");
			if (depth == 3 && in_image) {
				in_image = false;
				nimages++;
				if ((rc = emit_image(w, &im, p, len, total)) < 0)
					return rc;
			}
			depth--;
		} else if (tok == 3) { /* PROP */
			uint32_t plen = jcs_cur_u32be(&s), nameoff = jcs_cur_u32be(&s);
			struct jcs_cur val = jcs_cur_sub(&s, plen), name = strings;
			const char *pname;
			size_t nl;
			if (val.bad || nameoff >= size_strings || !jcs_cur_seek(&name, nameoff))
				return jcs_err_set(err, JCS_EPARSE, "device tree property outside the blob");
			jcs_cur_align(&s, 4);
			if (!(pname = jcs_cur_str(&name, &nl)))
				continue;
			if (in_image && depth == 3) {
				if (!strcmp(pname, "data")) {
					im.data = val.p;
					im.len = plen;
				} else if (!strcmp(pname, "data-offset") && plen == 4) {
					im.ext_off = jcs_cur_u32be(&val);
				} else if (!strcmp(pname, "data-size") && plen == 4) {
					im.ext_size = jcs_cur_u32be(&val);
				}
			}
		} else if (tok == 4) { /* NOP */
		} else if (tok == 9) { /* END */
			break;
		} else {
			return jcs_err_set(err, JCS_EPARSE, "device tree: unknown token 0x%x", tok);
		}
	}
	if (nimages == 0 && total < len) /* a plain device tree inside a larger blob: reported as a file */
		return jcs_fw_emit(w, &(struct jcs_fw_file){.path = "/devicetree.dtb", .type = JCS_FW_FILE,
							    .mode = 0644, .size = total, .data = p, .len = total},
				   JCS_FW_EMIT_NONE);
	return 0;
}

const struct jcs_fw_unpacker jcs_fw_unpack_fit = {
	.name = "fdt",
	.sigs = {{"\xd0\x0d\xfe\xed", 4, 0}},
	.unpack = fit_unpack,
};
