/* Label images: "JC-STAR", level stars, a QR code of the product page (libqrencode) and
 * the registration number, as SVG (vector, system fonts) and PNG (libpng, built-in 5x7
 * bitmap font). Both use the same layout, in QR-module units. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "jcstar/label.h"
#include "registry/stmt.h"

#define QUIET 4 /* QR quiet zone, modules */

/* Layout in module units; W = QR width incl. quiet zone on both sides. */
struct layout {
	double w, h;
	double pad;           /* top/bottom padding */
	double title_top, title_cap;
	double star_cy, star_r;
	double qr_top;        /* top of the quiet zone */
	double regno_top, regno_cap;
};

static void layout_of(int qrwidth, struct layout *L)
{
	L->w = qrwidth + 2 * QUIET;
	L->pad = 2;
	L->title_top = L->pad;
	L->title_cap = 0.12 * L->w;
	L->star_r = 0.07 * L->w;
	L->star_cy = L->title_top + L->title_cap + 1.5 + L->star_r;
	L->qr_top = L->star_cy + L->star_r;
	L->regno_top = L->qr_top + L->w;
	L->regno_cap = 0.06 * L->w;
	L->h = L->regno_top + L->regno_cap + L->pad;
}

/* The 10 vertices of a five-pointed star (point up) centred at (cx, cy). */
static void star_points(double cx, double cy, double r, double xy[20])
{
	for (int i = 0; i < 10; i++) {
		double a = -M_PI / 2 + i * M_PI / 5, rr = i % 2 ? r * 0.382 : r;
		xy[2 * i] = cx + rr * cos(a);
		xy[2 * i + 1] = cy + rr * sin(a);
	}
}

static double star_cx(const struct layout *L, int level, int i)
{
	double step = 2.4 * L->star_r;
	return L->w / 2 + (i - (level - 1) / 2.0) * step;
}

static int check_input(const struct jcs_label *l, QRcode **qr, struct jcs_err *err)
{
	int level;

	*qr = NULL;
	if (!l->registration_number || jcs_regno_parse(l->registration_number, &level, NULL, NULL))
		return jcs_err_set(err, JCS_EINVAL, "label image: bad registration number");
	if (level != l->level)
		return jcs_err_set(err, JCS_EINVAL, "label image: level does not match the registration number");
	if (!l->url || !stmt_is_url(l->url))
		return jcs_err_set(err, JCS_EINVAL, "label image: the product page URL must be http(s)://");
	*qr = QRcode_encodeString(l->url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!*qr)
		return jcs_err_set(err, errno == ENOMEM ? JCS_ENOMEM : JCS_EINVAL, "QR encoding failed: %s",
				   strerror(errno));
	return 0;
}

/* ------------------------------------------------------------- SVG */

int jcs_label_svg(const struct jcs_label *l, struct jcs_buf *out, struct jcs_err *err)
{
	struct layout L;
	QRcode *qr;
	double xy[20];
	int rc = check_input(l, &qr, err);

	if (rc)
		return rc;
	layout_of(qr->width, &L);
	jcs_buf_printf(out,
		       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		       "viewBox=\"0 0 %.2f %.2f\">\n<title>JC-STAR ★%d %s</title>\n<desc>",
		       L.w * 6, L.h * 6, L.w, L.h, l->level, l->registration_number);
	jcs_buf_put_html(out, l->url);
	jcs_buf_printf(out, "</desc>\n<rect width=\"%.2f\" height=\"%.2f\" fill=\"#fff\"/>\n", L.w, L.h);
	jcs_buf_printf(out,
		       "<text x=\"%.2f\" y=\"%.2f\" font-family=\"DejaVu Sans, Arial, sans-serif\" "
		       "font-weight=\"bold\" font-size=\"%.2f\" text-anchor=\"middle\">JC-STAR</text>\n",
		       L.w / 2, L.title_top + L.title_cap, L.title_cap / 0.72);
	for (int i = 0; i < l->level; i++) {
		star_points(star_cx(&L, l->level, i), L.star_cy, L.star_r, xy);
		jcs_buf_puts(out, "<polygon fill=\"#000\" points=\"");
		for (int k = 0; k < 10; k++)
			jcs_buf_printf(out, "%s%.2f,%.2f", k ? " " : "", xy[2 * k], xy[2 * k + 1]);
		jcs_buf_puts(out, "\"/>\n");
	}
	/* QR: one path, dark runs of each row as rectangles */
	jcs_buf_printf(out, "<path fill=\"#000\" shape-rendering=\"crispEdges\" d=\"");
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width;) {
			int run = 0;
			while (x + run < qr->width && (qr->data[y * qr->width + x + run] & 1))
				run++;
			if (run)
				jcs_buf_printf(out, "M%d %.2fh%dv1h-%dz", x + QUIET, L.qr_top + QUIET + y, run, run);
			x += run ? run : 1;
		}
	jcs_buf_puts(out, "\"/>\n");
	jcs_buf_printf(out,
		       "<text x=\"%.2f\" y=\"%.2f\" font-family=\"DejaVu Sans Mono, Courier New, monospace\" "
		       "font-size=\"%.2f\" text-anchor=\"middle\">%s</text>\n</svg>\n",
		       L.w / 2, L.regno_top + L.regno_cap, L.regno_cap / 0.7, l->registration_number);
	QRcode_free(qr);
	if ((rc = jcs_buf_error(out)))
		return jcs_err_set(err, rc, "label SVG: %s", jcs_strerror(rc));
	return 0;
}

/* ------------------------------------------------------------- PNG */

/* 5x7 glyphs (one byte per row, bit 4 = leftmost column) for the characters a label uses. */
static const struct glyph {
	char c;
	uint8_t rows[7];
} font[] = {
	{'0', {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e}}, {'1', {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e}},
	{'2', {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f}}, {'3', {0x1e, 0x01, 0x01, 0x0e, 0x01, 0x01, 0x1e}},
	{'4', {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02}}, {'5', {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e}},
	{'6', {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e}}, {'7', {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
	{'8', {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e}}, {'9', {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c}},
	{'A', {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11}}, {'C', {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e}},
	{'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c}}, {'R', {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11}},
	{'S', {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e}}, {'T', {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
	{'-', {0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00}},
};

struct canvas {
	int w, h;
	uint8_t *px; /* 8-bit grey, 255 = white */
};

static void fill(struct canvas *c, int x, int y, int w, int h)
{
	for (int j = y < 0 ? 0 : y; j < y + h && j < c->h; j++)
		for (int i = x < 0 ? 0 : x; i < x + w && i < c->w; i++)
			c->px[(size_t)j * c->w + i] = 0;
}

static int text_width(const char *s, int k)
{
	return ((int)strlen(s) * 6 - 1) * k;
}

static void draw_text(struct canvas *c, const char *s, int cx, int top, int k)
{
	int x = cx - text_width(s, k) / 2;

	for (; *s; s++, x += 6 * k)
		for (size_t g = 0; g < sizeof(font) / sizeof(font[0]); g++)
			if (font[g].c == *s)
				for (int r = 0; r < 7; r++)
					for (int b = 0; b < 5; b++)
						if (font[g].rows[r] & (0x10 >> b))
							fill(c, x + b * k, top + r * k, k, k);
}

/* Even-odd point-in-polygon fill, sampled at pixel centres. */
static void draw_polygon(struct canvas *c, const double *xy, int n)
{
	double x0 = xy[0], x1 = xy[0], y0 = xy[1], y1 = xy[1];

	for (int i = 1; i < n; i++) {
		x0 = fmin(x0, xy[2 * i]);
		x1 = fmax(x1, xy[2 * i]);
		y0 = fmin(y0, xy[2 * i + 1]);
		y1 = fmax(y1, xy[2 * i + 1]);
	}
	for (int y = y0 < 0 ? 0 : (int)y0; y <= (int)y1 && y < c->h; y++)
		for (int x = x0 < 0 ? 0 : (int)x0; x <= (int)x1 && x < c->w; x++) {
			double px = x + 0.5, py = y + 0.5;
			bool in = false;
			for (int i = 0, j = n - 1; i < n; j = i++) {
				double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
				if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi)
					in = !in;
			}
			if (in)
				c->px[(size_t)y * c->w + x] = 0;
		}
}

static void png_write_buf(png_structp png, png_bytep data, size_t len)
{
	struct jcs_buf *b = png_get_io_ptr(png);
	if (jcs_buf_append(b, data, len))
		png_error(png, "out of memory");
}

static void png_flush_nop(png_structp png)
{
	(void)png;
}

static int png_encode(const struct canvas *c, struct jcs_buf *out, struct jcs_err *err)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	png_bytep *volatile rows = NULL;
	int rc = 0;

	if (!info) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	if (setjmp(png_jmpbuf(png))) {
		rc = jcs_err_set(err, JCS_ENOMEM, "PNG encoding failed");
		goto out;
	}
	rows = malloc((size_t)c->h * sizeof(*rows));
	if (!rows)
		png_error(png, "out of memory");
	for (int y = 0; y < c->h; y++)
		rows[y] = c->px + (size_t)y * c->w;
	png_set_write_fn(png, out, png_write_buf, png_flush_nop);
	png_set_IHDR(png, info, (png_uint_32)c->w, (png_uint_32)c->h, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, 9);
	png_write_info(png, info);
	png_write_image(png, rows);
	png_write_end(png, NULL);
out:
	free(rows);
	png_destroy_write_struct(&png, &info);
	return rc;
}

int jcs_label_png(const struct jcs_label *l, int scale, struct jcs_buf *out, struct jcs_err *err)
{
	struct canvas c = {0};
	struct layout L;
	QRcode *qr = NULL;
	double xy[20];
	int rc, kt, kr, s = scale;

	if (scale < 1 || scale > 16)
		return jcs_err_set(err, JCS_EINVAL, "PNG scale must be 1..16 pixels per module");
	rc = check_input(l, &qr, err);
	if (rc)
		return rc;
	layout_of(qr->width, &L);
	if (L.regno_cap * s < 7) { /* small QR codes: the number needs at least 7 pixel rows */
		L.h += 7.0 / s - L.regno_cap;
		L.regno_cap = 7.0 / s;
	}
	kt = (int)floor(L.title_cap * s / 7 + 1e-9);
	kr = (int)floor(L.regno_cap * s / 7 + 1e-9);
	if (kt < 1 || kr < 1 || text_width(l->registration_number, kr) > (int)(L.w * s)) {
		int need = (text_width(l->registration_number, 1) + (int)L.w - 1) / (int)L.w;
		rc = jcs_err_set(err, JCS_EINVAL, "PNG scale %d is too small for the text; use %d or more", scale,
				 need > 7 / (int)L.title_cap ? need : 7 / (int)L.title_cap + 1);
		goto out;
	}
	c.w = (int)lround(L.w * s);
	c.h = (int)lround(L.h * s);
	c.px = malloc((size_t)c.w * c.h);
	if (!c.px) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	memset(c.px, 255, (size_t)c.w * c.h);
	draw_text(&c, "JC-STAR", c.w / 2, (int)lround(L.title_top * s), kt);
	for (int i = 0; i < l->level; i++) {
		star_points(star_cx(&L, l->level, i) * s, L.star_cy * s, L.star_r * s, xy);
		draw_polygon(&c, xy, 10);
	}
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			if (qr->data[y * qr->width + x] & 1)
				fill(&c, (x + QUIET) * s, (int)lround((L.qr_top + QUIET + y) * s), s, s);
	draw_text(&c, l->registration_number, c.w / 2, (int)lround(L.regno_top * s), kr);
	rc = png_encode(&c, out, err);
out:
	free(c.px);
	QRcode_free(qr);
	return rc;
}
