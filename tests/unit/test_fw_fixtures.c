/* Every image of $JCS_FIXTURES/firmware/ (MANIFEST.md) unpacks to its ground-truth files
 * (paths and md5 from the manifest's "payload P", dumpimage, unzip, bzip2, dd), or is
 * reported inconclusive where the format is not supported. */
#include <dirent.h>

#include "fwtest.h"
#include "t.h"

/* payload P (MANIFEST.md notes) */
#define P1 "e802ca22f6cd2d9357cf3da1d191879e"
#define P2 "08dd892caa120da5985fb0c0ec739295"
#define P3 "dfb79b49698fbae3d6eaca69b211b79d"
#define LSB "030a6c03519bd00b405e95f8759c9c8f" /* lsb-release: zcat binwalk/gzip.bin | md5sum */

struct want {
	const char *path, *md5; /* md5 NULL: a directory */
};

struct fixture {
	const char *image;
	int nfiles;                /* exact number of regular files, -1 = at least the listed ones */
	const char *problem;       /* substring of an expected problem (NULL: none allowed) */
	struct want w[8];
};

#define PAYLOAD(pre) {{pre "/testfile1", P1}, {pre "/testfile2", P2}, {pre "/generic folder", NULL}, \
		      {pre "/generic folder/test file 3_.txt", P3}}

static const struct fixture fixtures[] = {
	{"squashfs/gzip.sqfs", 3, NULL, PAYLOAD("")},
	{"squashfs/lz4.sqfs", 3, NULL, PAYLOAD("")},
	{"squashfs/lzma.sqfs", 3, NULL, PAYLOAD("")},
	{"squashfs/lzo.sqfs", 3, NULL, PAYLOAD("")},
	{"squashfs/xz.sqfs", 3, NULL, PAYLOAD("")},
	{"squashfs/zstd.sqfs", 3, NULL, PAYLOAD("")},
	{"squashfs/avm_le.sqfs4", 3, NULL, PAYLOAD("")},
	{"squashfs/zlib_le.sqfs3", 3, NULL, PAYLOAD("")},
	{"squashfs/zlib_be.sqfs3", 3, NULL, PAYLOAD("")},
	{"squashfs/lzma1_le.sqfs3", 3, NULL, PAYLOAD("")},
	{"squashfs/lzma1_be.sqfs3", 3, NULL, PAYLOAD("")},
	{"squashfs/lzma_le.sqfs2", 3, NULL, PAYLOAD("")},
	{"squashfs/lzma_be.sqfs2", 3, NULL, PAYLOAD("")},
	/* not supported: reported, never silently skipped */
	{"squashfs/avm_be.sqfs4", -1, "big-endian SquashFS 4", {{NULL, NULL}}},
	{"cramfs/cramfs.img", 3, NULL, PAYLOAD("")},
	{"jffs2/jffs2_le.img", 3, NULL, PAYLOAD("")},
	{"jffs2/jffs2_be.img", 3, NULL, PAYLOAD("")},
	{"yaffs2/yaffs2_le.img", 3, NULL, PAYLOAD("")},
	{"yaffs2/yaffs2_be.img", 3, NULL, PAYLOAD("")},
	{"ubi/test.ubifs", 3, NULL, PAYLOAD("")},
	{"ubi/ubi.img", 4, NULL, {{"/rootfs", NULL}, {"/testfile1", P1}, {"/testfile2", P2},
				  {"/generic folder/test file 3_.txt", P3}}},
	{"ext/ext2.img.xz", 4, NULL, PAYLOAD("/get_files_test")},
	{"ext/ext3.img.xz", 4, NULL, PAYLOAD("/get_files_test")},
	{"ext/ext4.img.xz", 4, NULL, PAYLOAD("/get_files_test")},
	{"archives/test.cpio", 3, NULL, PAYLOAD("/get_files_test")},
	{"headers/trx.img", 4, NULL, PAYLOAD("/get_files_test")},
	{"vendor/dahua_dh.bin", 3, NULL, PAYLOAD("/get_files_test")},
	/* dumpimage -T flat_dt -p 0/1/2 */
	{"headers/fit.itb", -1, NULL, {{"/images/kernel", "aef41ffafb7a6370bf39846a0bf39934"},
				       {"/images/fdt", "9a93b3cecba2522ac8a2d29af7ac9d3f"},
				       {"/images/rootfs", "79456747fc0709efb0729cc7c2a11771"},
				       {"/root/random-data", NULL}}},
	/* uImage data = dd bytes 64..64+32753; the trailing TP-Link image is cut short */
	{"headers/uboot.image_with_header", -1, "/kernel truncated",
	 {{"/u-boot image", "0c5f0d3a7a70fd8c9576ccb84df2f5d2"}}},
	/* upstream test: the SquashFS payload has sha256 73b648f4…, md5 below */
	{"vendor/draytek_vigor167_valid.bin", 3, NULL, {{"/payload", "193a19fe1173bf494394c88936556af5"},
							{"/bin/can_you_find_me.txt", NULL},
							{"/test_squashfs.sqsh", NULL}}},
	{"vendor/broadcom-sao.bin", 2, NULL, {{"/root/fact.bin", NULL}, {"/devicetree.dtb", NULL}}},
	{"vendor/dlink_fw_mh01_test.bin", 0, "payload encrypted", {{NULL, NULL}}},
	{"binwalk/gzip.bin", 1, NULL, {{"/lsb-release", LSB}}},
	{"binwalk/7z.bin", 1, NULL, {{"/lsb-release", LSB}}},
	{"binwalk/cramfs.bin", 1, NULL, {{"/lsb-release", LSB}}},
	{"binwalk/squashfs.bin", 1, NULL, {{"/lsb-release", LSB}}},
	{"binwalk/bzip2.bin", 1, NULL, {{"/bzip2.out", "6a70914f833ce811ed3132b0dc1b2805"}}}, /* bzip2 -dc */
	{"binwalk/zip.bin", 1, NULL, {{"/CH-sys-48.53.64.67.bin", "58df9214226cfe46760215bfca0c496c"}}}, /* unzip -p */
	{"binwalk/yaffs2.bin", 13, NULL, {{"/yaffs_guts.h", NULL}, {"/mkyaffs2image.c", NULL}, {"/yaffs_ecc.c", NULL}}},
	{"binwalk/romfs.bin", 1, NULL, {{"/lsb-release", LSB}}},
};

static void check(const struct fixture *fx)
{
	char path[1024], rel[300];
	struct fwt *t;
	struct jcs_fw_sink sink;
	struct jcs_err err = {0};
	int rc;

	snprintf(rel, sizeof(rel), "firmware/%s", fx->image);
	if (!t_fixture(path, sizeof(path), rel))
		return;
	t = fwt_new();
	sink = fwt_sink(t);
	rc = jcs_fw_walk(path, NULL, &sink, &err);
	if (rc)
		T_FAIL("%s: walk failed: %s", fx->image, err.msg);
	for (int i = 0; i < 8 && fx->w[i].path; i++) {
		const struct fwt_entry *e = fwt_find(t, fx->w[i].path);
		if (!e) {
			T_FAIL("%s: %s not found", fx->image, fx->w[i].path);
			continue;
		}
		if (fx->w[i].md5 && strcmp(e->md5, fx->w[i].md5))
			T_FAIL("%s: %s md5 %s, expected %s", fx->image, fx->w[i].path, e->md5, fx->w[i].md5);
	}
	if (fx->nfiles >= 0 && (int)t->nfiles != fx->nfiles)
		T_FAIL("%s: %zu files, expected %d", fx->image, t->nfiles, fx->nfiles);
	if (fx->problem && !strstr(t->problems, fx->problem))
		T_FAIL("%s: expected a problem '%s', got: %s", fx->image, fx->problem, t->problems);
	if (!fx->problem && t->nproblems)
		T_FAIL("%s: unexpected problems: %s", fx->image, t->problems);
	free(t);
}

T_TEST(every_fixture_image)
{
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		check(&fixtures[i]);
}

/* Every image in the fixture directory is covered by the table above (opendir: a missing or
 * empty directory fails, it is not an empty listing). */
T_TEST(table_covers_fixture_directory)
{
	static const char *const dirs[] = {"archives", "binwalk", "cramfs", "ext", "headers", "jffs2",
					   "squashfs", "ubi", "vendor", "yaffs2"};
	size_t seen = 0;

	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		char path[1024], rel[64];
		size_t images = 0;
		struct dirent *de;
		DIR *dir;

		snprintf(rel, sizeof(rel), "firmware/%s", dirs[d]);
		if (!t_fixture(path, sizeof(path), rel))
			continue;
		if (!(dir = opendir(path))) {
			T_FAIL("%s: %s", path, strerror(errno));
			continue;
		}
		while ((de = readdir(dir))) {
			char img[600];
			bool found = false;
			if (de->d_name[0] == '.')
				continue;
			snprintf(img, sizeof(img), "%s/%s", dirs[d], de->d_name);
			for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]) && !found; i++)
				found = !strcmp(fixtures[i].image, img);
			if (!found)
				T_FAIL("fixture %s has no expectation", img);
			images++;
		}
		closedir(dir);
		if (!images)
			T_FAIL("%s holds no image", path);
		seen += images;
	}
	/* and every table line names an image that is there */
	T_EQ_INT(seen, sizeof(fixtures) / sizeof(fixtures[0]));
}

T_MAIN(T_CASE(every_fixture_image), T_CASE(table_covers_fixture_directory))
