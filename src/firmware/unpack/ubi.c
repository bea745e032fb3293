/* UBI: erase-counter and volume-id headers per physical erase block (PEB). The volume table
 * names the volumes; each volume's logical erase blocks (newest copy by sequence number)
 * are joined and reported as "/<volume name>", carved in turn (UBIFS, SquashFS...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/ckd.h"
#include "core/cur.h"
#include "firmware/unpack/header.h"

#define UBI_LAYOUT_VOL 0x7fffefffu
#define UBI_VOLS_MAX 128
#define UBI_PEBS_MAX (1u << 20)

struct leb {
	uint32_t vol, lnum, data_size;
	uint64_t sqnum;
	size_t off; /* data offset in the image */
};

static int by_vol(const void *a, const void *b)
{
	const struct leb *x = a, *y = b;
	if (x->vol != y->vol)
		return x->vol < y->vol ? -1 : 1;
	if (x->lnum != y->lnum)
		return x->lnum < y->lnum ? -1 : 1;
	return x->sqnum < y->sqnum ? -1 : x->sqnum > y->sqnum;
}

/* The erase-counter header at offset o of img: its magic, offsets and CRC. */
static bool ec_hdr(const struct jcs_cur *img, size_t o, uint32_t *vid_off, uint32_t *data_off)
{
	struct jcs_cur c = jcs_cur_at(img, o, 64);
	const uint8_t *h = jcs_cur_take(&c, 64);
	uint32_t crc;

	if (!h || memcmp(h, "UBI#", 4))
		return false;
	jcs_cur_seek(&c, 16);
	*vid_off = jcs_cur_u32be(&c);
	*data_off = jcs_cur_u32be(&c);
	jcs_cur_seek(&c, 60);
	crc = jcs_cur_u32be(&c);
	return !c.bad && JCS_FW_CRC_OK(crc, ~crc32(0, h, 60) & 0xffffffffu) && *vid_off >= 64 && *data_off > *vid_off;
}

static int ubi_unpack(struct jcs_fw_walk *w, const uint8_t *p, size_t len, size_t *used, struct jcs_err *err)
{
	const struct jcs_fw_limits *lim = jcs_fw_walk_limits(w);
	struct jcs_cur img = jcs_cur_make(p, len);
	uint32_t vid_off, data_off, v2, d2;
	char names[UBI_VOLS_MAX][130];
	struct leb *lebs = NULL;
	size_t peb = 0, n = 0, cap = 0, o;
	int rc = 0;

	if (!ec_hdr(&img, 0, &vid_off, &data_off))
		return JCS_ENOTFOUND;
	for (size_t s = 512; s <= (4u << 20) && s < len; s *= 2) /* PEB size: distance to the next EC header */
		if (ec_hdr(&img, s, &v2, &d2)) {
			peb = s;
			break;
		}
	if (!peb)
		peb = len; /* a single PEB */
	if (data_off >= peb)
		return jcs_err_set(err, JCS_EPARSE, "UBI data offset 0x%x beyond the PEB size 0x%zx", data_off, peb);
	memset(names, 0, sizeof(names));
	for (o = 0; o + peb <= len && n < UBI_PEBS_MAX; o += peb) {
		struct jcs_cur c;
		uint32_t vol, lnum, dsize;
		uint64_t sq;
		const uint8_t *vid;
		if ((rc = jcs_fw_charge(w, 1 + jcs_fw_bytes_steps(peb))))
			goto out;
		c = jcs_cur_at(&img, o, peb); /* o + peb <= len */
		if (!ec_hdr(&img, o, &v2, &d2)) {
			const uint8_t *m = jcs_cur_take(&c, 4);
			if (!m || memcmp(m, "UBI#", 4)) /* not UBI any more: the end */
				break;
			jcs_fw_problem(w, o, "PEB erase-counter header CRC mismatch");
			continue;
		}
		jcs_cur_seek(&c, v2);
		vid = jcs_cur_take(&c, 64);
		if (!vid || memcmp(vid, "UBI!", 4))
			continue; /* unused PEB */
		if (d2 != data_off) {
			jcs_fw_problem(w, o, "PEB data offset 0x%x differs from the first PEB's 0x%x", d2, data_off);
			continue;
		}
		{
			struct jcs_cur h = jcs_cur_make(vid, 64);
			jcs_cur_seek(&h, 60);
			if (!JCS_FW_CRC_OK(jcs_cur_u32be(&h), ~crc32(0, vid, 60) & 0xffffffffu)) {
				jcs_fw_problem(w, o + v2, "volume-id header CRC mismatch");
				continue;
			}
		}
		jcs_cur_seek(&c, v2 + 8);
		vol = jcs_cur_u32be(&c);
		lnum = jcs_cur_u32be(&c);
		jcs_cur_skip(&c, 4);
		dsize = jcs_cur_u32be(&c);
		jcs_cur_seek(&c, v2 + 40);
		sq = jcs_cur_u64be(&c);
		if (c.bad || d2 >= peb)
			continue;
		if (vol == UBI_LAYOUT_VOL) {
			struct jcs_cur t = jcs_cur_at(&c, d2, peb - d2);
			for (int i = 0; i < UBI_VOLS_MAX && jcs_cur_left(&t) >= 172; i++) {
				struct jcs_cur r = jcs_cur_sub(&t, 172);
				const uint8_t *rec = r.p, *name;
				uint16_t nl;
				uint32_t crc;
				jcs_cur_skip(&r, 14);
				nl = jcs_cur_u16be(&r);
				name = jcs_cur_take(&r, 128);
				jcs_cur_skip(&r, 24);
				crc = jcs_cur_u32be(&r);
				if (!r.bad && nl > 0 && nl <= 127 && JCS_FW_CRC_OK(crc, ~crc32(0, rec, 168) & 0xffffffffu))
					snprintf(names[i], sizeof(names[i]), "%.*s", (int)nl, (const char *)name);
			}
			continue;
		}
		if (n == cap) {
			struct leb *nl = realloc(lebs, (cap = cap ? cap * 2 : 64) * sizeof(*nl));
			if (!nl) {
				rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
				goto out;
			}
			lebs = nl;
		}
		lebs[n++] = (struct leb){vol, lnum, dsize, sq, o + d2};
	}
	*used = o;
	if (n > 1)
		qsort(lebs, n, sizeof(*lebs), by_vol);
	for (size_t i = 0; i < n && rc == 0;) {
		uint32_t vol = lebs[i].vol;
		uint64_t maxl = 0, size;
		size_t j = i, leb_size = peb - data_off;
		uint8_t *buf;
		char path[160];
		while (j < n && lebs[j].vol == vol) {
			if (lebs[j].lnum > maxl)
				maxl = lebs[j].lnum;
			j++;
		}
		snprintf(path, sizeof(path), "/%s", vol < UBI_VOLS_MAX && names[vol][0] ? names[vol] : "volume");
		if (jcs_mul_overflow(maxl + 1, (uint64_t)leb_size, &size) || size > lim->max_file_in_memory) {
			jcs_fw_problem(w, 0, "UBI volume %u (%s) larger than the in-memory cap: not analysed", vol, path);
			i = j;
			continue;
		}
		buf = malloc((size_t)size ? (size_t)size : 1);
		if (!buf) {
			rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
			goto out;
		}
		memset(buf, 0xff, (size_t)size);
		for (size_t k = i; k < j; k++) { /* ascending sqnum: the newest copy of a LEB wins */
			struct jcs_cur d = jcs_cur_at(&img, lebs[k].off, leb_size); /* off + leb_size = PEB end */
			if (!d.bad) /* lnum <= maxl: inside buf */
				memcpy(buf + (size_t)lebs[k].lnum * leb_size, d.p, leb_size);
		}
		rc = jcs_fw_emit(w, &(struct jcs_fw_file){.path = path, .type = JCS_FW_FILE, .mode = 0644,
							   .size = size, .data = buf, .len = (size_t)size},
				 JCS_FW_EMIT_CARVE);
		free(buf);
		i = j;
	}
out:
	free(lebs);
	return rc;
}

const struct jcs_fw_unpacker jcs_fw_unpack_ubi = {
	.name = "ubi",
	.sigs = {{"UBI#", 4, 0}},
	.unpack = ubi_unpack,
};
