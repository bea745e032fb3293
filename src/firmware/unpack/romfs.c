/* ROMFS ("-rom1fs-", big-endian): 16-byte aligned file headers chained per directory by
 * their next pointer. Cycles in the chains and directory loops are caught by a visit budget
 * (no image can hold more headers than size/16) and a depth stack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cur.h"
#include "firmware/unpack/unpack.h"

#define R_DEPTH_MAX 64

struct rfs {
	struct jcs_fw_walk *w;
	struct jcs_cur img; /* the volume (its declared size) */
	uint64_t budget; /* headers still allowed to be visited */
	uint32_t stack[R_DEPTH_MAX];
	int depth;
	char path[4096];
};

/* Parse the header at off: fields, name and the cursor over the rest of the image from its
 * (16-byte aligned) data; false when malformed. */
static bool header(const struct rfs *r, uint32_t off, uint32_t *next, uint32_t *spec, uint32_t *size,
		   const char **name, struct jcs_cur *data)
{
	struct jcs_cur c = r->img;
	size_t nl;

	if (off % 16 || !jcs_cur_seek(&c, off))
		return false;
	*next = jcs_cur_u32be(&c);
	*spec = jcs_cur_u32be(&c);
	*size = jcs_cur_u32be(&c);
	jcs_cur_skip(&c, 4);
	*name = jcs_cur_str(&c, &nl);
	if (!jcs_cur_align(&c, 16))
		return false;
	*data = jcs_cur_at(&c, c.off, jcs_cur_left(&c));
	return !data->bad;
}

static int walk_dir(struct rfs *r, uint32_t first)
{
	size_t base = strlen(r->path);
	uint32_t off = first;
	int rc = 0;

	for (int i = 0; i < r->depth; i++)
		if (r->stack[i] == first) {
			jcs_fw_problem(r->w, first, "directory loop at %.300s", r->path);
			return 0;
		}
	if (r->depth >= R_DEPTH_MAX) {
		jcs_fw_problem(r->w, first, "directory %.300s nested too deep: not descended", r->path);
		return 0;
	}
	r->stack[r->depth++] = first;
	while (off && rc == 0) {
		uint32_t next, spec, size, type;
		const char *name;
		struct jcs_cur data;
		const uint8_t *body;
		struct jcs_fw_file f = {.path = r->path};
		char *link = NULL;
		if (r->budget-- == 0) {
			jcs_fw_problem(r->w, off, "more headers than the image can hold: a cycle in %.300s", r->path);
			break;
		}
		if (!header(r, off & ~15u, &next, &spec, &size, &name, &data)) {
			jcs_fw_problem(r->w, off, "file header outside the image in %.300s", r->path);
			break;
		}
		off &= ~15u;
		type = next & 7;
		f.mode = type == 1 || (next & 8) ? 0755 : 0644; /* bit 3 of next: executable */
		next &= ~15u;
		if (!strcmp(name, ".") || !strcmp(name, "..")) {
			off = next;
			continue;
		}
		snprintf(r->path + base, sizeof(r->path) - base, "/%s", name);
		switch (type) {
		case 0: f.type = JCS_FW_HARDLINK; f.link = ""; break;
		case 1: f.type = JCS_FW_DIR; break;
		case 2:
		case 3:
			if (!(body = jcs_cur_take(&data, size))) {
				jcs_fw_problem(r->w, off, "%.300s: data beyond the image", r->path);
				r->path[base] = 0;
				off = next;
				continue;
			}
			f.size = size;
			if (type == 2) {
				f.type = JCS_FW_FILE;
				f.data = body;
				f.len = size;
			} else {
				f.type = JCS_FW_SYMLINK;
				link = strndup((const char *)body, size);
				if (!link)
					return JCS_ENOMEM;
				f.link = link;
			}
			break;
		case 4: case 5: f.type = JCS_FW_DEVICE; break;
		default: f.type = JCS_FW_OTHER; break;
		}
		rc = jcs_fw_emit(r->w, &f, JCS_FW_EMIT_LEAF);
		free(link);
		if (rc == 0 && type == 1 && (spec & ~15u))
			rc = walk_dir(r, spec & ~15u);
		r->path[base] = 0;
		off = next;
	}
	r->depth--;
	return rc;
}

static int romfs_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	struct jcs_cur c = jcs_cur_make(p, len);
	struct rfs r = {.w = w};
	uint32_t size;
	size_t nl;

	jcs_cur_skip(&c, 8);
	size = jcs_cur_u32be(&c);
	jcs_cur_skip(&c, 4);
	if (c.bad || size < 32)
		return JCS_ENOTFOUND;
	if (size > len) {
		jcs_fw_problem(w, 0, "ROMFS truncated: %u bytes declared, %zu present", size, len);
		size = (uint32_t)len;
	}
	*used = size;
	r.img = jcs_cur_make(p, size);
	r.budget = size / 16;
	c = jcs_cur_at(&r.img, 16, size - 16);
	if (!jcs_cur_str(&c, &nl) || !jcs_cur_align(&c, 16))
		return jcs_err_set(err, JCS_EPARSE, "ROMFS volume name unterminated");
	return walk_dir(&r, (uint32_t)(16 + c.off));
}

const struct jcs_fw_unpacker jcs_fw_unpack_romfs = {
	.name = "romfs",
	.sigs = {{"-rom1fs-", 8, 0}},
	.unpack = romfs_unpack,
};
