/* Label images: "JC-STAR", level stars, a QR code of the product page (libqrencode) and
 * the registration number, as SVG (vector, system fonts), and as PNG: that same SVG drawn
 * by librsvg at print resolution, so both come from one layout, in QR-module units. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <librsvg/rsvg.h>
#include <png.h>
#include <qrencode.h>

#include "registry/label.h"
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
	L->qr_top = ceil(L->star_cy + L->star_r); /* QR modules on whole pixels in the PNG */
	L->regno_top = L->qr_top + L->w;
	L->regno_cap = 0.06 * L->w;
	L->h = ceil(L->regno_top + L->regno_cap + L->pad);
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

/* 8-bit greyscale w x h pixels (255 = white) as PNG, with its resolution in pixels per metre. */
static int png_encode(const uint8_t *px, int w, int h, unsigned ppm, struct jcs_buf *out, struct jcs_err *err)
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
	rows = malloc((size_t)h * sizeof(*rows));
	if (!rows)
		png_error(png, "out of memory");
	for (int y = 0; y < h; y++)
		rows[y] = (png_bytep)px + (size_t)y * w;
	png_set_write_fn(png, out, png_write_buf, png_flush_nop);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
	png_set_compression_level(png, 9);
	png_write_info(png, info);
	png_write_image(png, rows);
	png_write_end(png, NULL);
out:
	free(rows);
	png_destroy_write_struct(&png, &info);
	return rc;
}

/* Draw svg with librsvg on a white w x h canvas and keep its grey levels. */
static int rasterise(const struct jcs_buf *svg, int w, int h, uint8_t *px, struct jcs_err *err)
{
	GError *gerr = NULL;
	RsvgHandle *doc = rsvg_handle_new_from_data((const guint8 *)svg->data, svg->len, &gerr);
	cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cairo_t *cr = cairo_create(sf);
	RsvgRectangle vp = {0, 0, w, h};
	int rc = 0;

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	if (!doc || !rsvg_handle_render_document(doc, cr, &vp, &gerr) || cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		rc = jcs_err_set(err, JCS_EINVAL, "label PNG: %s",
				 gerr ? gerr->message : cairo_status_to_string(cairo_status(cr)));
		goto out;
	}
	cairo_surface_flush(sf);
	for (int y = 0; y < h; y++) {
		const uint32_t *row = (const uint32_t *)(cairo_image_surface_get_data(sf) +
							 (size_t)y * cairo_image_surface_get_stride(sf));
		for (int x = 0; x < w; x++) {
			uint32_t v = row[x];
			px[(size_t)y * w + x] =
				(uint8_t)((299 * ((v >> 16) & 255) + 587 * ((v >> 8) & 255) + 114 * (v & 255)) / 1000);
		}
	}
out:
	if (gerr)
		g_error_free(gerr);
	if (doc)
		g_object_unref(doc);
	cairo_destroy(cr);
	cairo_surface_destroy(sf);
	return rc;
}

int jcs_label_png(const struct jcs_label *l, int dpi, double width_mm, struct jcs_buf *out, struct jcs_err *err)
{
	struct jcs_buf svg = JCS_BUF_INIT;
	struct layout L;
	QRcode *qr = NULL;
	uint8_t *px = NULL;
	int rc, s, w, h;

	if (dpi < 72 || dpi > 2400 || !(width_mm >= 10 && width_mm <= 200))
		return jcs_err_set(err, JCS_EINVAL, "label PNG: resolution must be 72..2400 dpi and width 10..200 mm");
	if ((rc = check_input(l, &qr, err)) || (rc = jcs_label_svg(l, &svg, err)))
		goto out;
	layout_of(qr->width, &L);
	/* whole pixels per module, rounded up so the label is at least dpi at width_mm */
	s = (int)ceil(dpi * width_mm / 25.4 / L.w);
	w = (int)L.w * s;
	h = (int)L.h * s;
	if (!(px = malloc((size_t)w * h))) {
		rc = jcs_err_set(err, JCS_ENOMEM, "out of memory");
		goto out;
	}
	if (!(rc = rasterise(&svg, w, h, px, err)))
		rc = png_encode(px, w, h, (unsigned)lround(w / (width_mm / 1000)), out, err);
out:
	free(px);
	jcs_buf_free(&svg);
	QRcode_free(qr);
	return rc;
}
