/* plot.c — see plot.h. */
#include "plot.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "outfile.h"

typedef struct {
    cairo_surface_t *s;
    cairo_t *cr;
    double x0, y0, w, h; /* the plotting area, pixels */
    double xmax, ymax;   /* data ranges (from 0) */
} canvas_t;

static rgx_err canvas_open(canvas_t *c, int width, int height, const char *title)
{
    c->s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    c->cr = cairo_create(c->s);
    if (cairo_status(c->cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(c->cr), cairo_surface_destroy(c->s);
        return rgx_fail(RGX_ERR_MEMORY, "cannot create a %dx%d image", width, height);
    }
    cairo_set_source_rgb(c->cr, 1, 1, 1);
    cairo_paint(c->cr);
    cairo_select_font_face(c->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_source_rgb(c->cr, 0, 0, 0);
    cairo_set_font_size(c->cr, 15);
    cairo_move_to(c->cr, 60, 24);
    cairo_show_text(c->cr, title);
    c->x0 = 60, c->y0 = 40, c->w = width - 80, c->h = height - 90;
    return RGX_OK;
}

static double px(const canvas_t *c, double x)
{
    return c->x0 + c->w * (c->xmax > 0 ? x / c->xmax : 0);
}

static double py(const canvas_t *c, double y)
{
    return c->y0 + c->h * (1 - (c->ymax > 0 ? y / c->ymax : 0));
}

/* Axes, the y ticks (whole numbers) and the y label. */
static void axes(canvas_t *c, const char *ylabel, int xticks)
{
    cairo_t *cr = c->cr;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, c->x0, c->y0);
    cairo_line_to(cr, c->x0, c->y0 + c->h);
    cairo_line_to(cr, c->x0 + c->w, c->y0 + c->h);
    cairo_stroke(cr);
    cairo_set_font_size(cr, 11);
    double step = c->ymax > 40 ? 10 : c->ymax > 16 ? 5 : c->ymax > 6 ? 2 : 1;
    char buf[32];
    for (double t = 0; t <= c->ymax + 1e-9; t += step) {
        cairo_move_to(cr, c->x0 - 5, py(c, t));
        cairo_line_to(cr, c->x0, py(c, t));
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%g", t);
        cairo_move_to(cr, c->x0 - 8 - 6.5 * (double)strlen(buf), py(c, t) + 4);
        cairo_show_text(cr, buf);
        if (xticks && t <= c->xmax + 1e-9) {
            cairo_move_to(cr, px(c, t), c->y0 + c->h);
            cairo_line_to(cr, px(c, t), c->y0 + c->h + 5);
            cairo_stroke(cr);
            cairo_move_to(cr, px(c, t) - 3.2 * (double)strlen(buf), c->y0 + c->h + 17);
            cairo_show_text(cr, buf);
        }
    }
    cairo_save(cr);
    cairo_move_to(cr, 16, c->y0 + c->h / 2 + 40);
    cairo_rotate(cr, -M_PI / 2);
    cairo_show_text(cr, ylabel);
    cairo_restore(cr);
}

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int n)
{
    outfile_t *o = closure;
    return fwrite(data, 1, n, o->f) == n ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

rgx_err plot_png_write(cairo_surface_t *s, const char *png)
{
    outfile_t o;
    rgx_err err = outfile_open(&o, png);
    if (err) return err;
    cairo_status_t st = cairo_surface_write_to_png_stream(s, png_write, &o);
    if (st == CAIRO_STATUS_SUCCESS || outfile_failed(&o))
        return outfile_commit(&o); /* names the file and the system's reason */
    outfile_abort(&o);
    return rgx_fail(RGX_ERR_IO, "%s: cannot write the PNG: %s", png, cairo_status_to_string(st));
}

static rgx_err canvas_close(canvas_t *c, const char *png)
{
    rgx_err err = plot_png_write(c->s, png);
    cairo_destroy(c->cr), cairo_surface_destroy(c->s);
    return err;
}

rgx_err plot_manhattan(const char *png, const char *title, char *const *chrom, const double *pos,
                       const double *m, size_t n, double threshold)
{
    canvas_t c;
    rgx_err err = canvas_open(&c, 1200, 450, title);
    if (err) return err;
    /* The x axis: chromosomes one after another, each as long as its last position. */
    double total = 0, top = threshold > 0 ? threshold + 1 : 1;
    for (size_t v = 0; v < n; v++) {
        if (v + 1 == n || strcmp(chrom[v], chrom[v + 1])) total += pos[v];
        if (isfinite(m[v]) && m[v] > top) top = m[v];
    }
    c.xmax = total > 0 ? total : 1, c.ymax = ceil(top * 1.05);
    axes(&c, "-log10 p", 0);
    cairo_t *cr = c.cr;
    double offset = 0;
    int k = 0;
    size_t start = 0;
    for (size_t v = 0; v < n; v++) {
        int last = v + 1 == n || strcmp(chrom[v], chrom[v + 1]);
        if (k % 2)
            cairo_set_source_rgb(cr, 0.55, 0.65, 0.85);
        else
            cairo_set_source_rgb(cr, 0.1, 0.25, 0.55);
        if (isfinite(m[v])) {
            /* Small squares: millions of variants stay cheap to draw. */
            double r = m[v] >= threshold && threshold > 0 ? 2.5 : 1.2;
            cairo_rectangle(cr, px(&c, offset + pos[v]) - r, py(&c, m[v]) - r, 2 * r, 2 * r);
            cairo_fill(cr);
        }
        if (last) {
            cairo_set_source_rgb(cr, 0, 0, 0);
            cairo_set_font_size(cr, 10);
            double mid = px(&c, offset + (pos[start] + pos[v]) / 2);
            cairo_move_to(cr, mid - 3 * (double)strlen(chrom[v]), c.y0 + c.h + 15);
            cairo_show_text(cr, chrom[v]);
            offset += pos[v], k++, start = v + 1;
        }
    }
    if (threshold > 0) {
        cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
        cairo_set_line_width(cr, 1);
        double dash = 4;
        cairo_set_dash(cr, &dash, 1, 0);
        cairo_move_to(cr, c.x0, py(&c, threshold));
        cairo_line_to(cr, c.x0 + c.w, py(&c, threshold));
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 11);
    cairo_move_to(cr, c.x0 + c.w / 2 - 30, c.y0 + c.h + 35);
    cairo_show_text(cr, "chromosome");
    return canvas_close(&c, png);
}

rgx_err plot_qq(const char *png, const char *title, const double *expected, const double *observed,
                size_t n, double lambda)
{
    canvas_t c;
    rgx_err err = canvas_open(&c, 520, 520, title);
    if (err) return err;
    double top = 1;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(observed[i]) && observed[i] > top) top = observed[i];
        if (expected[i] > top) top = expected[i];
    }
    c.xmax = c.ymax = ceil(top * 1.05);
    axes(&c, "observed -log10 p", 1);
    cairo_t *cr = c.cr;
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_move_to(cr, px(&c, 0), py(&c, 0));
    cairo_line_to(cr, px(&c, c.xmax), py(&c, c.ymax));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.1, 0.25, 0.55);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(observed[i])) continue;
        cairo_rectangle(cr, px(&c, expected[i]) - 1.5, py(&c, observed[i]) - 1.5, 3, 3);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 11);
    cairo_move_to(cr, c.x0 + c.w / 2 - 50, c.y0 + c.h + 35);
    cairo_show_text(cr, "expected -log10 p");
    if (isfinite(lambda)) {
        char buf[48];
        snprintf(buf, sizeof buf, "lambda GC = %.3f", lambda);
        cairo_move_to(cr, c.x0 + 12, c.y0 + 16);
        cairo_show_text(cr, buf);
    }
    return canvas_close(&c, png);
}

void plot_finish(void)
{
    cairo_debug_reset_static_data();
}
