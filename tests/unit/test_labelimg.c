/* Label images: an independent decoder (zbarimg, zbar-tools) reads the product page's URL from
 * the PNG's QR code; the PNG decodes with libpng, is at print resolution for its physical
 * width, and carries the reference QR module for module; the SVG draws the same modules and
 * the right number of stars. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "registry/label.h"
#include "t.h"

#define URL "https://registry.example/products/JCS-2-2026-000042"

static struct jcs_label sample(int level, const char *regno)
{
	struct jcs_label l = {.registration_number = regno, .level = level, .url = URL};
	return l;
}

/* Dark module grid of the reference encoding (libqrencode, EC level M). */
static QRcode *reference(void)
{
	return QRcode_encodeString(URL, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

/* What zbarimg (an independent QR decoder) reads from the PNG label, or "" (the test fails). */
static void zbar_read(const struct jcs_buf *png, char *out, size_t len)
{
	char path[] = "/tmp/jcs-label-XXXXXX.png", cmd[128];
	int fd = mkstemps(path, 4);
	FILE *p;
	size_t n = 0;

	out[0] = 0;
	if (fd < 0 || write(fd, png->data, png->len) != (ssize_t)png->len) {
		T_FAIL("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "zbarimg --quiet --raw '%s' 2>/dev/null", path);
	if ((p = popen(cmd, "r"))) {
		n = fread(out, 1, len - 1, p);
		int rc = pclose(p);
		if (rc != 0)
			T_FAIL("zbarimg (zbar-tools, scripts/debian-packages.txt) found no QR code (status %d)", rc);
	}
	out[n] = 0;
	out[strcspn(out, "\n")] = 0;
	unlink(path);
}

/* The QR code on the label decodes, with a decoder that shares no code with the encoder, to the
 * product page's URL, printed small and large. */
T_TEST(qr_decodes_to_the_product_url)
{
	for (int mm = 12; mm <= 40; mm += 28) {
		struct jcs_label l = sample(2, "JCS-2-2026-000042");
		struct jcs_buf b = JCS_BUF_INIT;
		struct jcs_err err;
		char got[512];

		T_EQ_INT(jcs_label_png(&l, JCS_LABEL_DPI, mm, &b, &err), 0);
		zbar_read(&b, got, sizeof(got));
		T_EQ_STR(got, URL);
		jcs_buf_free(&b);
	}
	/* and a different URL gives a different code: the decoder reads this label, not a constant */
	{
		struct jcs_label l = sample(1, "JCS-1-2026-000007");
		struct jcs_buf b = JCS_BUF_INIT;
		struct jcs_err err;
		char got[512];

		l.url = "https://registry.example/products/JCS-1-2026-000007";
		T_EQ_INT(jcs_label_png(&l, JCS_LABEL_DPI, JCS_LABEL_WIDTH_MM, &b, &err), 0);
		zbar_read(&b, got, sizeof(got));
		T_EQ_STR(got, "https://registry.example/products/JCS-1-2026-000007");
		jcs_buf_free(&b);
	}
}

/* The resolution the PNG declares (pHYs, pixels per metre; 0 if none). */
static unsigned png_ppm(const struct jcs_buf *b)
{
	/* chunks after the signature: length, type, data, CRC */
	for (size_t i = 8; i + 8 <= b->len;) {
		const uint8_t *p = (const uint8_t *)b->data + i;
		size_t n = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
		if (memcmp(p + 4, "pHYs", 4) == 0 && n == 9 && i + 17 <= b->len && p[16] == 1)
			return (unsigned)p[8] << 24 | (unsigned)p[9] << 16 | (unsigned)p[10] << 8 | p[11];
		i += 12 + n;
	}
	return 0;
}

/* Printed JCS_LABEL_WIDTH_MM wide, the label has at least JCS_LABEL_DPI dots per inch, says so
 * in its pHYs chunk, and the declared resolution times the width is its pixel width. */
T_TEST(png_is_print_resolution)
{
	struct jcs_label l = sample(3, "JCS-3-2026-000042");
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_err err;
	png_image img;
	unsigned ppm;

	T_EQ_INT(jcs_label_png(&l, JCS_LABEL_DPI, JCS_LABEL_WIDTH_MM, &b, &err), 0);
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	T_ASSERT(png_image_begin_read_from_memory(&img, b.data, b.len));
	ppm = png_ppm(&b);
	T_ASSERT(ppm * 0.0254 >= JCS_LABEL_DPI);
	T_ASSERT(img.width >= (unsigned)ceil(JCS_LABEL_DPI * JCS_LABEL_WIDTH_MM / 25.4));
	T_ASSERT(fabs(img.width - ppm * JCS_LABEL_WIDTH_MM / 1000.0) <= 1);
	png_image_free(&img);
	jcs_buf_free(&b);
}

T_TEST(png_decodes_and_carries_the_qr)
{
	struct jcs_label l = sample(2, "JCS-2-2026-000042");
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_err err;
	png_image img;
	uint8_t *px = NULL;
	QRcode *qr = reference();
	int s;

	T_ASSERT(qr != NULL);
	T_EQ_INT(jcs_label_png(&l, JCS_LABEL_DPI, JCS_LABEL_WIDTH_MM, &b, &err), 0);
	T_ASSERT(b.len > 100 && memcmp(b.data, "\x89PNG\r\n\x1a\n", 8) == 0);
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	T_ASSERT(png_image_begin_read_from_memory(&img, b.data, b.len));
	s = (int)img.width / (qr->width + 8); /* whole pixels per module */
	T_EQ_INT(img.width, (qr->width + 8) * s);
	T_ASSERT(s >= 2 && img.height > img.width);
	img.format = PNG_FORMAT_GRAY;
	px = malloc(PNG_IMAGE_SIZE(img));
	T_ASSERT(png_image_finish_read(&img, NULL, px, 0, NULL));
	if (px && qr) {
		/* the QR's left edge is module column 4 (quiet zone); its first dark pixel from the
		 * top is the top-left finder pattern */
		int x0 = 4 * s, y0 = -1, bad = 0;
		for (int y = 0; y < (int)img.height && y0 < 0; y++)
			if (px[(size_t)y * img.width + x0 + s / 2] < 128)
				y0 = y;
		T_ASSERT(y0 > 0);
		for (int y = 0; y < qr->width && y0 > 0; y++)
			for (int x = 0; x < qr->width; x++) {
				int dark = px[(size_t)(y0 + y * s + s / 2) * img.width + x0 + x * s + s / 2] < 128;
				bad += dark != (qr->data[y * qr->width + x] & 1);
			}
		T_EQ_INT(bad, 0);
		/* the quiet zone around it is white */
		for (int x = 0; x < (int)img.width && y0 > 4 * s; x++)
			bad += px[(size_t)(y0 - 2 * s) * img.width + x] < 128 && (x < x0 || x >= x0 + qr->width * s);
		T_EQ_INT(bad, 0);
	}
	free(px);
	QRcode_free(qr);
	jcs_buf_free(&b);
}

/* Parse the SVG's QR path ("M x y h w v1 h-w z" runs) back into a module grid. */
static int svg_grid(const char *svg, int width, uint8_t *grid)
{
	const char *d = strstr(svg, "shape-rendering=\"crispEdges\" d=\"");
	double ymin = 1e9;
	int x, w, w2, n, runs = 0;
	double y;

	if (!d)
		return -1;
	d += strlen("shape-rendering=\"crispEdges\" d=\"");
	for (const char *p = d; sscanf(p, "M%d %lfh%dv1h-%dz%n", &x, &y, &w, &w2, &n) == 4; p += n)
		ymin = fmin(ymin, y);
	for (const char *p = d; sscanf(p, "M%d %lfh%dv1h-%dz%n", &x, &y, &w, &w2, &n) == 4; p += n) {
		int row = (int)lround(y - ymin);
		if (w != w2 || x < 4 || x - 4 + w > width || row >= width)
			return -1;
		for (int i = 0; i < w; i++)
			grid[row * width + x - 4 + i] = 1;
		runs++;
	}
	return runs;
}

T_TEST(svg_draws_the_same_modules)
{
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_err err;
	QRcode *qr = reference();
	uint8_t *grid = calloc((size_t)qr->width * qr->width, 1);
	int bad = 0;

	for (int level = 1; level <= 4; level++) {
		char regno[JCS_REGNO_MAX];
		struct jcs_label l;
		const char *p;
		int stars = 0;

		jcs_regno_format(level, 2026, 42, regno, sizeof(regno));
		l = sample(level, regno);
		jcs_buf_reset(&b);
		T_EQ_INT(jcs_label_svg(&l, &b, &err), 0);
		for (p = b.data; (p = strstr(p, "<polygon")); p++)
			stars++;
		T_EQ_INT(stars, level);
		T_CONTAINS(b.data, regno);
		T_CONTAINS(b.data, ">JC-STAR<");
		T_CONTAINS(b.data, "<desc>" URL "</desc>");
	}
	T_ASSERT(svg_grid(b.data, qr->width, grid) > 0);
	for (int i = 0; i < qr->width * qr->width; i++)
		bad += grid[i] != (qr->data[i] & 1);
	T_EQ_INT(bad, 0);
	free(grid);
	QRcode_free(qr);
	jcs_buf_free(&b);
}

T_TEST(bad_input)
{
	struct jcs_buf b = JCS_BUF_INIT;
	struct jcs_err err;
	struct jcs_label l = sample(1, "JCS-1-2026-000001");

	T_EQ_INT(jcs_label_png(&l, 71, JCS_LABEL_WIDTH_MM, &b, &err), JCS_EINVAL);
	T_EQ_INT(jcs_label_png(&l, 2401, JCS_LABEL_WIDTH_MM, &b, &err), JCS_EINVAL);
	T_EQ_INT(jcs_label_png(&l, JCS_LABEL_DPI, 9.9, &b, &err), JCS_EINVAL);
	T_EQ_INT(jcs_label_png(&l, JCS_LABEL_DPI, 0.0 / 0.0, &b, &err), JCS_EINVAL);
	T_CONTAINS(err.msg, "resolution must be");
	l.level = 2; /* does not match the number */
	T_EQ_INT(jcs_label_svg(&l, &b, &err), JCS_EINVAL);
	l = sample(1, "JCS-1-2026-000001");
	l.url = "file:///etc/passwd";
	T_EQ_INT(jcs_label_svg(&l, &b, &err), JCS_EINVAL);
	l.url = "https://x/\"><script>";
	T_EQ_INT(jcs_label_svg(&l, &b, &err), JCS_EINVAL); /* not URL characters */
	l.url = "https://x/?a=1&b='2'";
	jcs_buf_reset(&b);
	T_EQ_INT(jcs_label_svg(&l, &b, &err), 0);
	T_CONTAINS(b.data, "<desc>https://x/?a=1&amp;b=&#39;2&#39;</desc>");
	jcs_buf_free(&b);
}

T_MAIN(T_CASE(qr_decodes_to_the_product_url), T_CASE(png_is_print_resolution), T_CASE(png_decodes_and_carries_the_qr), T_CASE(svg_draws_the_same_modules), T_CASE(bad_input))
