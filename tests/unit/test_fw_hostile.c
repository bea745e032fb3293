/* Hostile images built here: path traversal, absolute names, symlink escapes (stored and
 * planted on disk), hard links, device nodes, setuid bits, decompression bombs, truncated and
 * corrupt headers, directory loops, huge counts, nesting depth. Each asserts a clear report
 * and that nothing is written outside the extraction root. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "fwtest.h"
#include "t.h"

/* ---- builders ---- */

struct img {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct img *m, const void *p, size_t n)
{
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2 + 4096;
		m->p = realloc(m->p, m->cap);
	}
	memcpy(m->p + m->len, p, n);
	m->len += n;
}

static void zeros(struct img *m, size_t n)
{
	uint8_t z[512] = {0};
	while (n) {
		size_t k = n > sizeof(z) ? sizeof(z) : n;
		put(m, z, k);
		n -= k;
	}
}

/* ustar header + data; type '0' file, '1' hard link, '2' symlink, '3'/'4' devices, '5' dir */
static void tar_add(struct img *m, const char *name, char type, unsigned mode, const char *link, const char *data)
{
	uint8_t h[512] = {0};
	size_t dlen = data ? strlen(data) : 0;
	unsigned sum = 0;

	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)(dlen & 07777777777));
	snprintf((char *)h + 136, 12, "%011o", 0);
	memset(h + 148, ' ', 8);
	h[156] = (uint8_t)type;
	if (link)
		snprintf((char *)h + 157, 100, "%s", link);
	memcpy(h + 257, "ustar\0" "00", 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	put(m, h, 512);
	if (dlen) {
		put(m, data, dlen);
		zeros(m, (512 - dlen % 512) % 512);
	}
}

static void tar_end(struct img *m)
{
	zeros(m, 1024);
}

static int write_img(const char *path, const struct img *m)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(m->p, 1, m->len, f);
	return fclose(f);
}

/* gzip of n zero bytes (streamed, so the test itself stays small in memory) */
static void gzip_zeros(struct img *m, size_t n)
{
	static uint8_t in[1 << 16], out[1 << 16];
	z_stream z = {0};

	deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY);
	while (n || z.avail_in) {
		int flush = Z_NO_FLUSH;
		size_t k = n > sizeof(in) ? sizeof(in) : n;
		n -= k;
		z.next_in = in;
		z.avail_in = (uInt)k;
		if (!n)
			flush = Z_FINISH;
		do {
			z.next_out = out;
			z.avail_out = sizeof(out);
			deflate(&z, flush);
			put(m, out, sizeof(out) - z.avail_out);
		} while (z.avail_out == 0);
	}
	deflateEnd(&z);
}

static void gzip_buf(struct img *m, const uint8_t *p, size_t n)
{
	uLongf cap = compressBound((uLong)n) + 64;
	uint8_t *out = malloc(cap);
	z_stream z = {0};

	deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	put(m, out, cap - z.avail_out);
	deflateEnd(&z);
	free(out);
}

/* ---- helpers ---- */

static char tmpdir[256];

static void mk_tmp(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/jcs-fw-hostile-XXXXXX");
	T_ASSERT(mkdtemp(tmpdir) != NULL);
}

static void rm_tmp(void)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	T_ASSERT(system(cmd) == 0);
}

/* Number of entries under dir (recursive), not following symlinks. */
static int count_tree(const char *dir)
{
	char cmd[PATH_MAX + 64];
	int n = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "find '%s' -mindepth 1 | wc -l", dir);
	f = popen(cmd, "r");
	if (f && fscanf(f, "%d", &n) != 1)
		n = -1;
	if (f)
		pclose(f);
	return n;
}

/* Walk image file through an extraction sink into tmpdir/root. */
static int extract(const char *image, const struct jcs_fw_limits *lim, struct fwt *t, struct jcs_fw_extract_stats *st)
{
	char root[400];
	struct jcs_fw_sink rec = fwt_sink(t), *x;
	struct jcs_err err = {0};
	int rc;

	snprintf(root, sizeof(root), "%s/root", tmpdir);
	x = jcs_fw_extract_sink_new(root, lim, &rec, &err);
	T_ASSERT(x != NULL);
	if (!x)
		return -1;
	rc = jcs_fw_walk(image, lim, x, &err);
	jcs_fw_extract_sink_stats(x, st);
	jcs_fw_extract_sink_free(x);
	return rc;
}

/* ---- tests ---- */

T_TEST(path_traversal_names_stay_inside)
{
	struct img m = {0};
	struct fwt *t = fwt_new();
	struct jcs_fw_extract_stats st;
	char image[400], outside[400];
	struct stat sb;

	mk_tmp();
	tar_add(&m, "../../../escaped-dotdot", '0', 0644, NULL, "evil1\n");
	tar_add(&m, "/etc/escaped-absolute", '0', 0644, NULL, "evil2\n");
	tar_add(&m, "a/../../b/../../escaped-mixed", '0', 0644, NULL, "evil3\n");
	tar_end(&m);
	snprintf(image, sizeof(image), "%s/trav.tar", tmpdir);
	T_ASSERT(write_img(image, &m) == 0);
	T_EQ_INT(extract(image, NULL, t, &st), 0);
	/* names are clamped into the root and the traversal is reported */
	T_ASSERT(fwt_find(t, "/escaped-dotdot") != NULL);
	T_ASSERT(fwt_find(t, "/etc/escaped-absolute") != NULL);
	T_ASSERT(fwt_find(t, "/escaped-mixed") != NULL);
	T_CONTAINS(t->problems, "path traversal");
	snprintf(outside, sizeof(outside), "%s/escaped-dotdot", tmpdir);
	T_ASSERT(stat(outside, &sb) != 0);
	T_ASSERT(stat("/escaped-dotdot", &sb) != 0 && stat("/etc/escaped-absolute", &sb) != 0);
	snprintf(outside, sizeof(outside), "%s/root/tar@0x0/escaped-dotdot", tmpdir);
	T_ASSERT(stat(outside, &sb) == 0);
	T_EQ_INT(st.files, 3);
	rm_tmp();
	free(t);
	free(m.p);
}

T_TEST(symlink_escape_refused)
{
	struct img m = {0};
	struct fwt *t = fwt_new();
	struct jcs_fw_extract_stats st;
	char image[400], p[400];
	struct stat sb;

	mk_tmp();
	tar_add(&m, "evil", '2', 0777, "../../../../../../tmp", NULL);
	tar_add(&m, "evil/pwned", '0', 0644, NULL, "through the link\n");
	tar_add(&m, "bin/sh", '2', 0777, "/bin/busybox", NULL);    /* absolute but inside the fs: kept */
	tar_add(&m, "up", '2', 0777, "../outside", NULL);          /* one level up from the fs root */
	tar_end(&m);
	snprintf(image, sizeof(image), "%s/sym.tar", tmpdir);
	T_ASSERT(write_img(image, &m) == 0);
	T_EQ_INT(extract(image, NULL, t, &st), 0);
	T_CONTAINS(t->problems, "evil: symlink target points outside");
	T_CONTAINS(t->problems, "up: symlink target points outside");
	/* the file went into a real directory inside the root, not through a link */
	snprintf(p, sizeof(p), "%s/root/tar@0x0/evil", tmpdir);
	T_ASSERT(lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode));
	T_ASSERT(stat("/tmp/pwned", &sb) != 0);
	snprintf(p, sizeof(p), "%s/root/tar@0x0/bin/sh", tmpdir);
	{
		char target[256] = {0};
		T_ASSERT(readlink(p, target, sizeof(target) - 1) > 0);
		T_EQ_STR(target, "../bin/busybox");
	}
	T_EQ_INT(st.symlinks, 1);
	rm_tmp();
	free(t);
	free(m.p);
}

T_TEST(planted_symlink_in_root_not_followed)
{
	struct img m = {0};
	struct fwt *t = fwt_new();
	struct jcs_fw_extract_stats st;
	char image[400], p[400], outside[400];

	mk_tmp();
	/* a symlink already in the extraction root (e.g. left by an earlier run or a racer) */
	snprintf(outside, sizeof(outside), "%s/outside", tmpdir);
	T_ASSERT(mkdir(outside, 0755) == 0);
	snprintf(p, sizeof(p), "%s/root", tmpdir);
	T_ASSERT(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/root/tar@0x0", tmpdir);
	T_ASSERT(symlink(outside, p) == 0);
	tar_add(&m, "etc/passwd", '0', 0644, NULL, "root::0:0::/:/bin/sh\n");
	tar_end(&m);
	snprintf(image, sizeof(image), "%s/plant.tar", tmpdir);
	T_ASSERT(write_img(image, &m) == 0);
	T_EQ_INT(extract(image, NULL, t, &st), 0);
	T_EQ_INT(count_tree(outside), 0);
	T_CONTAINS(t->problems, "not a plain directory");
	T_EQ_INT(st.files, 0);
	rm_tmp();
	free(t);
	free(m.p);
}

T_TEST(links_devices_setuid)
{
	struct img m = {0};
	struct fwt *t = fwt_new();
	struct jcs_fw_extract_stats st;
	char image[400], p[400];
	struct stat sb;

	mk_tmp();
	tar_add(&m, "bin/busybox", '0', 04755, NULL, "\x7f" "ELF setuid\n");
	tar_add(&m, "bin/sgid", '0', 02755, NULL, "sgid\n");
	tar_add(&m, "bin/hard", '1', 0644, "/etc/shadow", NULL);
	tar_add(&m, "dev/sda", '4', 0600, NULL, NULL);
	tar_end(&m);
	snprintf(image, sizeof(image), "%s/dev.tar", tmpdir);
	T_ASSERT(write_img(image, &m) == 0);
	T_EQ_INT(extract(image, NULL, t, &st), 0);
	/* the setuid bit is visible to analysis ... */
	T_ASSERT(fwt_find(t, "/bin/busybox") && (fwt_find(t, "/bin/busybox")->mode & 04000));
	/* ... and dropped on disk */
	snprintf(p, sizeof(p), "%s/root/tar@0x0/bin/busybox", tmpdir);
	T_ASSERT(stat(p, &sb) == 0 && !(sb.st_mode & (S_ISUID | S_ISGID | S_ISVTX)));
	snprintf(p, sizeof(p), "%s/root/tar@0x0/bin/sgid", tmpdir);
	T_ASSERT(stat(p, &sb) == 0 && !(sb.st_mode & S_ISGID));
	T_CONTAINS(t->problems, "hard links are not created");
	T_CONTAINS(t->problems, "device nodes are not created");
	snprintf(p, sizeof(p), "%s/root/tar@0x0/dev/sda", tmpdir);
	T_ASSERT(lstat(p, &sb) != 0);
	snprintf(p, sizeof(p), "%s/root/tar@0x0/bin/hard", tmpdir);
	T_ASSERT(lstat(p, &sb) != 0);
	T_EQ_INT(st.refused, 2);
	rm_tmp();
	free(t);
	free(m.p);
}

T_TEST(decompression_bomb_ratio)
{
	struct img m = {0};
	struct fwt *t = fwt_new();
	struct jcs_fw_sink s = fwt_sink(t);
	struct jcs_fw_limits lim = JCS_FW_LIMITS_DEFAULT;
	struct jcs_err err = {0};

	gzip_zeros(&m, 40u << 20); /* 40 MiB of zeros in ~40 KiB */
	lim.max_file_in_memory = 64u << 20;
	T_EQ_INT(jcs_fw_walk_mem(m.p, m.len, &lim, &s, &err), 0);
	T_CONTAINS(t->problems, "decompression ratio over 1000");
	T_EQ_INT(t->nfiles, 0);
	free(t);
	free(m.p);
}

T_TEST(decompression_bomb_total_and_memory_caps)
{
	struct img m = {0};
	struct fwt *t = fwt_new();
	struct jcs_fw_sink s = fwt_sink(t);
	struct jcs_fw_limits lim = JCS_FW_LIMITS_DEFAULT;
	struct jcs_err err = {0};

	gzip_zeros(&m, 8u << 20);
	/* in-memory cap: the stream is cut and reported */
	lim.max_file_in_memory = 1u << 20;
	T_EQ_INT(jcs_fw_walk_mem(m.p, m.len, &lim, &s, &err), 0);
	T_CONTAINS(t->problems, "larger than the in-memory cap");
	T_ASSERT(t->nfiles == 1 && t->e[0].size <= (1u << 20));
	/* total cap: the walk stops with a clear error */
	memset(t, 0, sizeof(*t));
	lim = (struct jcs_fw_limits)JCS_FW_LIMITS_DEFAULT;
	lim.max_total = 4u << 20;
	T_EQ_INT(jcs_fw_walk_mem(m.p, m.len, &lim, &s, &err), JCS_ELIMIT);
	T_CONTAINS(err.msg, "total unpacked size over the limit");
	free(t);
	free(m.p);
}

T_TEST(file_count_cap)
{
	struct img m = {0};
	struct fwt *t = fwt_new();
	struct jcs_fw_sink s = fwt_sink(t);
	struct jcs_fw_limits lim = JCS_FW_LIMITS_DEFAULT;
	struct jcs_err err = {0};

	for (int i = 0; i < 50; i++) {
		char name[32];
		snprintf(name, sizeof(name), "f%d", i);
		tar_add(&m, name, '0', 0644, NULL, "x");
	}
	tar_end(&m);
	lim.max_files = 10;
	T_EQ_INT(jcs_fw_walk_mem(m.p, m.len, &lim, &s, &err), JCS_ELIMIT);
	T_CONTAINS(err.msg, "more than 10 files");
	T_EQ_INT(t->nfiles, 10);
	free(t);
	free(m.p);
}

T_TEST(nesting_depth_cap)
{
	struct img a = {0}, b = {0};
	struct fwt *t = fwt_new();
	struct jcs_fw_sink s = fwt_sink(t);
	struct jcs_fw_limits lim = JCS_FW_LIMITS_DEFAULT;
	struct jcs_err err = {0};

	put(&a, "innermost\n", 10);
	for (int i = 0; i < 20; i++) { /* gzip(gzip(...)) 20 deep */
		b.len = 0;
		gzip_buf(&b, a.p, a.len);
		a.len = 0;
		put(&a, b.p, b.len);
	}
	lim.max_depth = 5;
	T_EQ_INT(jcs_fw_walk_mem(a.p, a.len, &lim, &s, &err), 0);
	T_EQ_INT(t->nfiles, 6); /* the top stream plus 5 nested levels, no deeper */
	free(t);
	free(a.p);
	free(b.p);
}

/* CramFS whose sub-directory points back at itself. */
T_TEST(cramfs_directory_loop)
{
	struct img m = {0};
	struct fwt *t = fwt_new();
	struct jcs_fw_sink s = fwt_sink(t);
	struct jcs_err err = {0};
	uint8_t sb[64] = {0x45, 0x3d, 0xcd, 0x28};
	uint32_t root[3], ent[3], size = 4096;

	memcpy(sb + 4, &size, 4);
	memcpy(sb + 16, "Compressed ROMFS", 16);
	put(&m, sb, 64);
	/* root inode: dir, size 16 (one entry of 12 + 4 name bytes), children at 76 */
	root[0] = 0040755;
	root[1] = 16;
	root[2] = (76 / 4) << 6;
	put(&m, root, 12);
	/* entry "loop": dir whose children are itself (offset 76) */
	ent[0] = 0040755;
	ent[1] = 16;
	ent[2] = (76 / 4) << 6 | 1;
	put(&m, ent, 12);
	put(&m, "loop", 4);
	zeros(&m, 4096 - m.len);
	T_EQ_INT(jcs_fw_walk_mem(m.p, m.len, NULL, &s, &err), 0);
	T_CONTAINS(t->problems, "directory loop");
	T_ASSERT(t->n < 4);
	free(t);
	free(m.p);
}

/* CramFS claiming a directory far larger than the image, and a huge file count. */
T_TEST(cramfs_huge_directory)
{
	struct img m = {0};
	struct fwt *t = fwt_new();
	struct jcs_fw_sink s = fwt_sink(t);
	struct jcs_err err = {0};
	uint8_t sb[64] = {0x45, 0x3d, 0xcd, 0x28};
	uint32_t root[3], size = 4096, files = 0xffffffffu;

	memcpy(sb + 4, &size, 4);
	memcpy(sb + 16, "Compressed ROMFS", 16);
	memcpy(sb + 44, &files, 4);
	put(&m, sb, 64);
	root[0] = 0040755;
	root[1] = 0xffffff; /* 16 MiB of directory entries */
	root[2] = (76 / 4) << 6;
	put(&m, root, 12);
	zeros(&m, 4096 - m.len);
	T_EQ_INT(jcs_fw_walk_mem(m.p, m.len, NULL, &s, &err), 0);
	T_CONTAINS(t->problems, "outside the image");
	T_EQ_INT(t->n, 0);
	free(t);
	free(m.p);
}

/* The outcome of a walk is well formed: 0 or a JCS_E* code with a message, and every entry
 * has an absolute path, a container and a known type. */
static void well_formed(const char *what, int rc, const struct jcs_err *err, const struct fwt *t)
{
	if (rc > 0 || rc < JCS_ECONFLICT)
		T_FAIL("%s: result %d is not a JCS_E* code", what, rc);
	if (rc && !err->msg[0])
		T_FAIL("%s: error %d without a message", what, rc);
	for (size_t i = 0; i < t->n; i++) {
		const struct fwt_entry *e = &t->e[i];
		if (e->path[0] != '/' || !e->container[0] || e->type > JCS_FW_OTHER)
			T_FAIL("%s: malformed entry '%s' in '%s' (type %d)", what, e->path, e->container, (int)e->type);
	}
}

/* The regular file with this path and content in t. */
static bool has_file(const struct fwt *t, const struct fwt_entry *f)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].type == JCS_FW_FILE && !strcmp(t->e[i].path, f->path) && !strcmp(t->e[i].md5, f->md5))
			return true;
	return false;
}

/* The offset in the image of the outermost container of e ("trx@0x0/partition0!/zip@0x0"). */
static unsigned long long top_offset(const struct fwt_entry *e)
{
	const char *at = strchr(e->container, '@');
	return at ? strtoull(at + 1, NULL, 16) : 0;
}

/* Every fixture image truncated at eight points and with bytes flipped: never a crash or a hang
 * (the ASan/UBSan build runs this too), always a well-formed outcome. A cut is never silently
 * accepted: when the cut image yields a file the intact one does not have (by path and
 * content), or loses a file of a container that starts before the cut, a problem is reported
 * (an inconclusive part). A container wholly beyond the cut leaves no trace: not checked. */
T_TEST(truncated_and_corrupt_fixtures)
{
	static const char *const images[] = {
		"squashfs/gzip.sqfs", "squashfs/xz.sqfs", "squashfs/zlib_le.sqfs3", "squashfs/zlib_be.sqfs3",
		"squashfs/lzma_le.sqfs2", "squashfs/lzma1_be.sqfs3", "cramfs/cramfs.img", "jffs2/jffs2_le.img",
		"jffs2/jffs2_be.img", "yaffs2/yaffs2_le.img", "ubi/test.ubifs", "ubi/ubi.img", "headers/fit.itb",
		"headers/trx.img", "headers/uboot.image_with_header", "archives/test.cpio", "binwalk/7z.bin",
		"binwalk/zip.bin", "vendor/dahua_dh.bin", "binwalk/yaffs2.bin",
	};
	unsigned seed = 12345;

	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		char path[600], rel[300], what[400];
		struct jcs_buf b = JCS_BUF_INIT;
		struct jcs_err err = {0};
		struct fwt *whole = fwt_new();
		struct jcs_fw_sink s = fwt_sink(whole);
		int rc;

		snprintf(rel, sizeof(rel), "firmware/%s", images[i]);
		if (!t_fixture(path, sizeof(path), rel)) {
			free(whole);
			continue;
		}
		if (jcs_read_file(path, 0, &b, &err)) {
			T_FAIL("%s", err.msg);
			free(whole);
			continue;
		}
		rc = jcs_fw_walk_mem((const uint8_t *)b.data, b.len, NULL, &s, &err);
		T_EQ_INT(rc, 0);
		well_formed(images[i], rc, &err, whole);
		T_ASSERT(whole->nfiles > 0);
		for (int cut = 1; cut <= 8; cut++) {
			size_t n = b.len * (size_t)cut / 9;
			uint8_t *copy = malloc(n ? n : 1);
			struct fwt *t = fwt_new();
			size_t lost = 0, extra = 0;

			s = fwt_sink(t);
			memcpy(copy, b.data, n); /* a copy of exactly n bytes: ASan sees any read past the cut */
			memset(&err, 0, sizeof(err));
			rc = jcs_fw_walk_mem(copy, n, NULL, &s, &err);
			snprintf(what, sizeof(what), "%s cut to %zu of %zu bytes", images[i], n, b.len);
			well_formed(what, rc, &err, t);
			for (size_t k = 0; k < whole->n; k++)
				lost += whole->e[k].type == JCS_FW_FILE && top_offset(&whole->e[k]) < n &&
					!has_file(t, &whole->e[k]);
			for (size_t k = 0; k < t->n; k++)
				extra += t->e[k].type == JCS_FW_FILE && !has_file(whole, &t->e[k]);
			if ((lost || extra) && !rc && !t->nproblems)
				T_FAIL("%s: %zu files lost, %zu new or changed, and no problem reported", what, lost, extra);
			free(t);
			free(copy);
		}
		for (int round = 0; round < (b.len > (256u << 10) ? 3 : 24); round++) {
			uint8_t *copy = malloc(b.len);
			struct fwt *t = fwt_new();

			s = fwt_sink(t);
			memcpy(copy, b.data, b.len);
			for (int k = 0; k < 8; k++) {
				seed = seed * 1103515245u + 12345u;
				copy[(seed >> 8) % (b.len < 4096 ? b.len : 4096)] ^= (uint8_t)(1u << (seed % 8));
			}
			memset(&err, 0, sizeof(err));
			rc = jcs_fw_walk_mem(copy, b.len, NULL, &s, &err);
			snprintf(what, sizeof(what), "%s with 8 bits flipped (round %d)", images[i], round);
			well_formed(what, rc, &err, t);
			free(t);
			free(copy);
		}
		free(whole);
		jcs_buf_free(&b);
	}
}

/* Filesystems that declare their size: a cut image is reported as truncated. */
T_TEST(truncated_filesystems_reported)
{
	static const struct {
		const char *image, *problem;
		size_t cut;
	} cases[] = {
		{"squashfs/gzip.sqfs", "SquashFS truncated", 300},
		{"squashfs/zlib_be.sqfs3", "SquashFS truncated", 300},
		{"squashfs/lzma_le.sqfs2", "SquashFS truncated", 250},
		{"cramfs/cramfs.img", "CramFS truncated", 1000},
		{"ubi/test.ubifs", "UBIFS truncated", 600000},
		{"headers/trx.img", "TRX truncated", 2000},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[600], rel[300];
		struct jcs_buf b = JCS_BUF_INIT;
		struct jcs_err err = {0};
		struct fwt *t;
		struct jcs_fw_sink s;

		snprintf(rel, sizeof(rel), "firmware/%s", cases[i].image);
		if (!t_fixture(path, sizeof(path), rel))
			continue;
		if (jcs_read_file(path, 0, &b, &err) || b.len <= cases[i].cut) {
			T_FAIL("%s: %s (%zu bytes)", path, err.msg, b.len);
			jcs_buf_free(&b);
			continue;
		}
		t = fwt_new();
		s = fwt_sink(t);
		T_EQ_INT(jcs_fw_walk_mem((const uint8_t *)b.data, cases[i].cut, NULL, &s, &err), 0);
		if (!strstr(t->problems, cases[i].problem))
			T_FAIL("%s cut to %zu: expected '%s', got: %s", cases[i].image, cases[i].cut, cases[i].problem,
			       t->problems);
		jcs_buf_free(&b);
		free(t);
	}
}

T_TEST(walk_dir_reports_links_without_following)
{
	char p[400], q[400];
	struct fwt *t = fwt_new();
	struct jcs_fw_sink s = fwt_sink(t);
	struct jcs_err err = {0};
	const struct fwt_entry *e;

	mk_tmp();
	snprintf(p, sizeof(p), "%s/etc", tmpdir);
	T_ASSERT(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/etc/passwd", tmpdir);
	{
		FILE *f = fopen(p, "w");
		T_ASSERT(f != NULL);
		if (f) {
			fputs("root::0:0:root:/root:/bin/sh\n", f);
			fclose(f);
		}
	}
	snprintf(q, sizeof(q), "%s/etc/loop", tmpdir);
	T_ASSERT(symlink("..", q) == 0);
	T_EQ_INT(jcs_fw_walk_dir(tmpdir, &s, &err), 0);
	e = fwt_find(t, "/etc/passwd");
	T_ASSERT(e && e->type == JCS_FW_FILE && e->size == 29 && e->md5[0]);
	e = fwt_find(t, "/etc/loop");
	T_ASSERT(e && e->type == JCS_FW_SYMLINK);
	T_EQ_INT(t->n, 3); /* /etc, /etc/loop, /etc/passwd — the loop is not followed */
	rm_tmp();
	free(t);
}

/* ---- regression inputs of the fuzz corpora (fuzz/mkcorpus-firmware.sh builds them) ---- */

/* Walk fuzz/corpus/DIR/NAME; a missing file fails the test (it does not crash it). */
static int walk_corpus(const char *rel, const struct jcs_fw_limits *lim, struct fwt *t)
{
	const char *src = getenv("JCS_SRC");
	struct jcs_fw_sink s = fwt_sink(t);
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_err err = {0};
	char path[600];
	int rc;

	snprintf(path, sizeof(path), "%s/fuzz/corpus/%s", src ? src : ".", rel);
	if (jcs_read_file(path, 0, &b, &err)) {
		T_FAIL("%s", err.msg);
		return -1;
	}
	rc = jcs_fw_walk_mem((const uint8_t *)b.data, b.len, lim, &s, &err);
	jcs_buf_free(&b);
	return rc;
}

static bool has_content(const struct fwt *t, const char *path, const char *text, size_t size)
{
	const struct fwt_entry *e = fwt_find(t, path);
	uint8_t *want = calloc(1, size);
	char md5[33];

	if (!e || !want) {
		free(want);
		return false;
	}
	memcpy(want, text, strlen(text));
	fwt_md5(want, size, md5);
	free(want);
	return e->type == JCS_FW_FILE && e->size == size && strcmp(e->md5, md5) == 0;
}

/* A stored (uncompressed) fragment may not exceed the block size: it was copied into a
 * block-sized buffer (heap overflow). The twin reads the same file from a normal fragment. */
T_TEST(squashfs3_stored_fragment_over_block)
{
	struct fwt *t = fwt_new();

	T_EQ_INT(walk_corpus("fw_squashfs3/regress-stored-fragment-over-block.sqfs3", NULL, t), 0);
	T_CONTAINS(t->problems, "file /hello: uncompressed fragment 0 larger than the block size");
	T_ASSERT(fwt_find(t, "/hello") == NULL);
	T_ASSERT(has_content(t, "/passwd", "root::0:0:root:/root:/bin/sh\n", 29));
	memset(t, 0, sizeof(*t));
	T_EQ_INT(walk_corpus("fw_squashfs3/frag.sqfs3", NULL, t), 0);
	T_ASSERT(has_content(t, "/hello", "hello squashfs 3\n", 17));
	T_EQ_INT(t->nproblems, 0);
	free(t);
}

/* 64 KiB blocks, 2^48 + 3 blocks declared: the byte size wrapped to the image size and an
 * extent at block 2^48 - 1 passed the (wrapping) range check. The twin is a sane image. */
T_TEST(ext_block_count_wrap)
{
	struct fwt *t = fwt_new();

	T_EQ_INT(walk_corpus("fw_ext/regress-48bit-wrap.ext", NULL, t), 0);
	T_CONTAINS(t->problems, "ext filesystem truncated: 281474976710659 blocks of 65536 bytes declared");
	T_CONTAINS(t->problems, "file /wrap: block map or extent tree points outside the filesystem");
	T_ASSERT(fwt_find(t, "/wrap") == NULL);
	memset(t, 0, sizeof(*t));
	T_EQ_INT(walk_corpus("fw_ext/crafted.ext", NULL, t), 0);
	T_ASSERT(has_content(t, "/hello", "hello ext\n", 10));
	T_EQ_INT(t->nproblems, 0);
	free(t);
}

/* An extent tree of depth 5 whose index entries all point to the same block (~2e8 leaf
 * visits): a shared block is refused at its second visit, the file is an inconclusive part. */
T_TEST(ext_shared_extent_blocks)
{
	struct fwt *t = fwt_new();

	T_EQ_INT(walk_corpus("fw_ext/regress-extent-fanout.ext", NULL, t), 0);
	T_CONTAINS(t->problems, "file /big: block map or extent tree points outside the filesystem or revisits a block");
	T_ASSERT(fwt_find(t, "/big") == NULL);
	memset(t, 0, sizeof(*t));
	T_EQ_INT(walk_corpus("fw_ext/extent-tree.ext", NULL, t), 0);
	T_ASSERT(has_content(t, "/big", "extent tree leaf data\n", 1024));
	T_EQ_INT(t->nproblems, 0);
	free(t);
}

/* A UBI LEB numbered 0xffffffff: (highest LEB + 1) wrapped to 0 in 32 bits and the LEB was
 * copied far past a zero-sized buffer. Now the volume is too big to hold, and says so. */
T_TEST(ubi_leb_number_wrap)
{
	struct fwt *t = fwt_new();

	T_EQ_INT(walk_corpus("fw_ubi/regress-lnum-wrap.ubi", NULL, t), 0);
	T_CONTAINS(t->problems, "UBI volume 0 (/rootfs) larger than the in-memory cap: not analysed");
	T_ASSERT(fwt_find(t, "/rootfs") == NULL);
	memset(t, 0, sizeof(*t));
	T_EQ_INT(walk_corpus("fw_ubi/rootfs.ubi", NULL, t), 0);
	T_ASSERT(fwt_find(t, "/rootfs") != NULL && fwt_find(t, "/etc/passwd") != NULL);
	free(t);
}

/* A SquashFS 4 file inode claiming 4 GiB in a 2 KiB image: libsquashfs allocated and read a
 * block list of size / block size words for it before anything was checked (an extended
 * inode claiming 2^40 bytes: a gigabyte per directory entry, minutes under ASan). The claim
 * is now read first and refused beyond max_ratio times the image: that file is reported
 * unread, the others are read. The twin is the same image with the true size. */
T_TEST(squashfs4_claimed_file_size)
{
	struct fwt *t = fwt_new();
	const struct fwt_entry *e;

	T_EQ_INT(walk_corpus("fw_squashfs4/regress-claimed-size.sqfs", NULL, t), 0);
	T_CONTAINS(t->problems, "/etc/numbers claims 4294967295 bytes, more than the image can expand to: not read");
	T_ASSERT(fwt_find(t, "/etc/numbers") == NULL);
	T_ASSERT(has_content(t, "/etc/passwd", "root::0:0:root:/root:/bin/sh\n", 29));
	memset(t, 0, sizeof(*t));
	T_EQ_INT(walk_corpus("fw_squashfs4/regress-claimed-size-ext.sqfs", NULL, t), 0);
	T_CONTAINS(t->problems, "/bin/sparse claims 1099511627776 bytes, more than the image can expand to: not read");
	T_ASSERT(fwt_find(t, "/bin/sparse") == NULL && fwt_find(t, "/etc/numbers") != NULL);
	memset(t, 0, sizeof(*t));
	T_EQ_INT(walk_corpus("fw_squashfs4/uncompressed-4k.sqfs", NULL, t), 0);
	T_ASSERT((e = fwt_find(t, "/etc/numbers")) != NULL && e->size == 1092);
	T_ASSERT((e = fwt_find(t, "/bin/sparse")) != NULL && e->size == 12288);
	T_EQ_INT(t->nproblems, 0);
	free(t);
}

/* A big-endian CramFS (mkfs.cramfs -N big) was read as little-endian: the byte-order test
 * compared the magic as read little-endian with its own value, so it never matched, and the
 * swapped fields gave garbage entries. Now it is reported unsupported; the twin is the same
 * tree little-endian. */
T_TEST(cramfs_big_endian_reported)
{
	struct fwt *t = fwt_new();

	T_EQ_INT(walk_corpus("fw_cramfs/big-endian-holes.cramfs", NULL, t), 0);
	T_CONTAINS(t->problems, "big-endian CramFS is not supported");
	T_EQ_INT(t->nfiles, 0);
	memset(t, 0, sizeof(*t));
	T_EQ_INT(walk_corpus("fw_cramfs/rootfs.cramfs", NULL, t), 0);
	T_ASSERT(has_content(t, "/etc/passwd", "root::0:0:root:/root:/bin/sh\n", 29));
	T_EQ_INT(t->nproblems, 0);
	free(t);
}

static uint64_t count_entries;

static int count_file(void *ctx, const struct jcs_fw_file *f)
{
	(void)ctx;
	(void)f;
	count_entries++;
	return 0;
}

/* 8192 directories and a deleted name in one JFFS2 directory: every entry once, the deletion
 * wins (the newest dirent of a name). Under a small work budget the same image ends as an
 * inconclusive part "work budget exceeded"; its small twin fits the same budget. */
T_TEST(jffs2_many_dirents)
{
	struct jcs_fw_limits lim = JCS_FW_LIMITS_DEFAULT;
	struct fwt *t = fwt_new();
	struct jcs_fw_sink s = {count_file, fwt_problem, t, NULL};
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_err err = {0};
	const char *src = getenv("JCS_SRC");
	char path[600];

	snprintf(path, sizeof(path), "%s/fuzz/corpus/fw_jffs2/regress-many-dirents.jffs2", src ? src : ".");
	T_ASSERT(jcs_read_file(path, 0, &b, &err) == 0);
	count_entries = 0;
	T_EQ_INT(jcs_fw_walk_mem((const uint8_t *)b.data, b.len, NULL, &s, &err), 0);
	T_EQ_INT(count_entries, 8192);
	T_EQ_INT(t->nproblems, 0);
	memset(t, 0, sizeof(*t));
	T_EQ_INT(walk_corpus("fw_jffs2/regress-many-dirents.jffs2", NULL, t), 0);
	T_ASSERT(fwt_find(t, "/d00000") && fwt_find(t, "/d04000") && !fwt_find(t, "/dup"));
	lim.max_steps = 1000;
	memset(t, 0, sizeof(*t));
	T_EQ_INT(walk_corpus("fw_jffs2/regress-many-dirents.jffs2", &lim, t), 0);
	T_CONTAINS(t->problems, "jffs2: work budget exceeded (1000 steps)");
	memset(t, 0, sizeof(*t));
	T_EQ_INT(walk_corpus("fw_jffs2/dirents.jffs2", &lim, t), 0);
	T_EQ_INT(t->n, 4);
	T_EQ_INT(t->nproblems, 0);
	jcs_buf_free(&b);
	free(t);
}

/* A UBIFS superblock followed by node headers every 24 bytes: the reader checksummed the
 * rest of the image at every one (quadratic). Now only node types it reads are checked, up
 * to their largest size, each charged to the budget: a small budget makes the image an
 * inconclusive part; a real image (mkfs.ubifs) fits the same budget. */
T_TEST(ubifs_magic_every_24_bytes)
{
	struct jcs_fw_limits lim = JCS_FW_LIMITS_DEFAULT;
	struct fwt *t = fwt_new();

	T_EQ_INT(walk_corpus("fw_ubifs/regress-magic-every-24-bytes.ubifs", NULL, t), 0);
	T_ASSERT(!strstr(t->problems, "work budget"));
	lim.max_steps = 10000;
	memset(t, 0, sizeof(*t));
	T_EQ_INT(walk_corpus("fw_ubifs/regress-magic-every-24-bytes.ubifs", &lim, t), 0);
	T_CONTAINS(t->problems, "ubifs: work budget exceeded (10000 steps)");
	memset(t, 0, sizeof(*t));
	T_EQ_INT(walk_corpus("fw_ubifs/rootfs.ubifs", &lim, t), 0);
	T_ASSERT(fwt_find(t, "/etc/passwd") != NULL);
	T_ASSERT(!strstr(t->problems, "work budget"));
	free(t);
}

T_MAIN(T_CASE(path_traversal_names_stay_inside), T_CASE(symlink_escape_refused),
       T_CASE(planted_symlink_in_root_not_followed), T_CASE(links_devices_setuid), T_CASE(decompression_bomb_ratio),
       T_CASE(decompression_bomb_total_and_memory_caps), T_CASE(file_count_cap), T_CASE(nesting_depth_cap),
       T_CASE(cramfs_directory_loop), T_CASE(cramfs_huge_directory), T_CASE(truncated_and_corrupt_fixtures), T_CASE(truncated_filesystems_reported),
       T_CASE(walk_dir_reports_links_without_following), T_CASE(squashfs3_stored_fragment_over_block),
       T_CASE(ext_block_count_wrap), T_CASE(ext_shared_extent_blocks), T_CASE(jffs2_many_dirents),
       T_CASE(ubifs_magic_every_24_bytes), T_CASE(ubi_leb_number_wrap), T_CASE(squashfs4_claimed_file_size),
       T_CASE(cramfs_big_endian_reported))
