/* plot_sites.c — see plot_sites.h. */
#include "plot_sites.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "util.h"

enum { W = 1100, H = 440, PANEL_W = 500 };

/* Site colours (Okabe-Ito, then darker variants): distinguishable, also for colour-blind
 * readers. */
static void site_colour(cairo_t *cr, size_t s, double alpha)
{
    static const double c[8][3] = {{0.90, 0.62, 0.00}, {0.34, 0.71, 0.91}, {0.00, 0.62, 0.45},
                                   {0.80, 0.47, 0.65}, {0.00, 0.45, 0.70}, {0.84, 0.37, 0.00},
                                   {0.94, 0.89, 0.26}, {0.35, 0.35, 0.35}};
    double f = s / 8 % 2 ? 0.6 : 1.0;
    cairo_set_source_rgba(cr, c[s % 8][0] * f, c[s % 8][1] * f, c[s % 8][2] * f, alpha);
}

typedef struct {
    double x0, y0, w, h;       /* pixels */
    double xlo, xhi, ylo, yhi; /* data */
} frame_t;

static double fx(const frame_t *f, double x)
{
    return f->x0 + f->w * (x - f->xlo) / (f->xhi - f->xlo);
}

static double fy(const frame_t *f, double y)
{
    return f->y0 + f->h * (1 - (y - f->ylo) / (f->yhi - f->ylo));
}

/* A tick step of 1, 2 or 5 times a power of ten, for about five ticks. */
static double tick_step(double range)
{
    double raw = range / 5, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static void text(cairo_t *cr, double x, double y, double size, const char *s)
{
    cairo_set_font_size(cr, size);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}

/* The frame's box, its y ticks and (xticks) x ticks. */
static void frame_axes(cairo_t *cr, const frame_t *f, int xticks)
{
    char buf[32];
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, f->x0, f->y0, f->w, f->h);
    cairo_stroke(cr);
    double st = tick_step(f->yhi - f->ylo);
    for (double t = ceil(f->ylo / st) * st; t <= f->yhi; t += st) {
        cairo_move_to(cr, f->x0 - 4, fy(f, t)), cairo_line_to(cr, f->x0, fy(f, t));
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%.4g", fabs(t) < st * 1e-6 ? 0 : t);
        text(cr, f->x0 - 8 - 5.8 * (double)strlen(buf), fy(f, t) + 4, 10, buf);
    }
    if (!xticks) return;
    st = tick_step(f->xhi - f->xlo);
    for (double t = ceil(f->xlo / st) * st; t <= f->xhi; t += st) {
        cairo_move_to(cr, fx(f, t), f->y0 + f->h), cairo_line_to(cr, fx(f, t), f->y0 + f->h + 4);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%.4g", fabs(t) < st * 1e-6 ? 0 : t);
        text(cr, fx(f, t) - 2.9 * (double)strlen(buf), f->y0 + f->h + 15, 10, buf);
    }
}

static rgx_err open_png(cairo_surface_t **s, cairo_t **cr, const char *title)
{
    *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
    *cr = cairo_create(*s);
    if (cairo_status(*cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(*cr), cairo_surface_destroy(*s);
        return rgx_fail(RGX_ERR_MEMORY, "cannot create a %dx%d image", W, H);
    }
    cairo_set_source_rgb(*cr, 1, 1, 1);
    cairo_paint(*cr);
    cairo_select_font_face(*cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_source_rgb(*cr, 0, 0, 0);
    text(*cr, 60, 22, 15, title);
    return RGX_OK;
}

static rgx_err close_png(cairo_surface_t *s, cairo_t *cr, const char *png)
{
    rgx_err err = plot_png_write(s, png);
    cairo_destroy(cr), cairo_surface_destroy(s);
    return err;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of sorted v (linear interpolation, R's type 7). */
static double quantile(const double *v, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    return lo + 1 < n ? v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]) : v[lo];
}

/* One box: quartiles, median, whiskers to the furthest values within 1.5 IQR, points beyond. */
static void draw_box(cairo_t *cr, const frame_t *f, double xc, const double *v, size_t n)
{
    if (!n) return;
    double q1 = quantile(v, n, 0.25), q2 = quantile(v, n, 0.5), q3 = quantile(v, n, 0.75);
    double iqr = q3 - q1, lo = q1, hi = q3, half = 14;
    for (size_t i = 0; i < n; i++) {
        if (v[i] >= q1 - 1.5 * iqr && v[i] < lo) lo = v[i];
        if (v[i] <= q3 + 1.5 * iqr && v[i] > hi) hi = v[i];
    }
    cairo_rectangle(cr, xc - half, fy(f, q3), 2 * half, fy(f, q1) - fy(f, q3));
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    cairo_set_line_width(cr, 2);
    cairo_move_to(cr, xc - half, fy(f, q2)), cairo_line_to(cr, xc + half, fy(f, q2));
    cairo_stroke(cr);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, xc, fy(f, q3)), cairo_line_to(cr, xc, fy(f, hi));
    cairo_move_to(cr, xc - half / 2, fy(f, hi)), cairo_line_to(cr, xc + half / 2, fy(f, hi));
    cairo_move_to(cr, xc, fy(f, q1)), cairo_line_to(cr, xc, fy(f, lo));
    cairo_move_to(cr, xc - half / 2, fy(f, lo)), cairo_line_to(cr, xc + half / 2, fy(f, lo));
    cairo_stroke(cr);
    for (size_t i = 0; i < n; i++)
        if (v[i] < lo || v[i] > hi) {
            cairo_arc(cr, xc, fy(f, v[i]), 2, 0, 2 * M_PI);
            cairo_stroke(cr);
        }
}

/* The finite values' range over both panels (one scale for before and after). */
static void range2(const plot_panel_t p[2], int use_x, double *lo, double *hi)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < p[k].n; i++) {
            double v = use_x ? p[k].x[i] : p[k].y[i];
            if (!isfinite(v)) continue;
            if (v < *lo) *lo = v;
            if (v > *hi) *hi = v;
        }
    if (!(*lo <= *hi)) *lo = 0, *hi = 1;
    double pad = (*hi - *lo) * 0.05 + (*hi == *lo ? 1 : 0);
    *lo -= pad, *hi += pad;
}

rgx_err plot_site_boxes(const char *png, const char *title, const plot_panel_t panel[2],
                        char *const *site_name, size_t n_sites)
{
    cairo_surface_t *s;
    cairo_t *cr;
    double *v = NULL;
    size_t nmax = panel[0].n > panel[1].n ? panel[0].n : panel[1].n;
    rgx_err err = rgx_calloc(&v, nmax + 1, sizeof *v);
    if (err || (err = open_png(&s, &cr, title))) {
        free(v);
        return err;
    }
    double lo, hi;
    range2(panel, 0, &lo, &hi);
    for (int k = 0; k < 2; k++) {
        frame_t f = {70 + k * (PANEL_W + 50), 55, PANEL_W, H - 120, 0, (double)n_sites, lo, hi};
        cairo_set_source_rgb(cr, 0, 0, 0);
        text(cr, f.x0, f.y0 - 8, 12, panel[k].title);
        frame_axes(cr, &f, 0);
        for (size_t b = 0; b < n_sites; b++) {
            size_t m = 0;
            for (size_t i = 0; i < panel[k].n; i++)
                if (panel[k].site[i] == (int)b && isfinite(panel[k].y[i])) v[m++] = panel[k].y[i];
            qsort(v, m, sizeof *v, cmp_double);
            double xc = fx(&f, (double)b + 0.5);
            site_colour(cr, b, 0.8);
            draw_box(cr, &f, xc, v, m);
            cairo_set_source_rgb(cr, 0, 0, 0);
            char lab[40];
            snprintf(lab, sizeof lab, "%.12s", site_name[b]);
            text(cr, xc - 3 * (double)strlen(lab), f.y0 + f.h + 16, 10, lab);
            snprintf(lab, sizeof lab, "n=%zu", m);
            text(cr, xc - 3 * (double)strlen(lab), f.y0 + f.h + 30, 9, lab);
        }
    }
    free(v);
    return close_png(s, cr, png);
}

rgx_err plot_site_scatter(const char *png, const char *title, const plot_panel_t panel[2],
                          char *const *site_name, size_t n_sites, const char *xlabel,
                          const char *ylabel)
{
    cairo_surface_t *s;
    cairo_t *cr;
    rgx_err err = open_png(&s, &cr, title);
    if (err) return err;
    for (int k = 0; k < 2; k++) {
        const plot_panel_t *p = &panel[k];
        double xlo, xhi, ylo, yhi;
        plot_panel_t two[2] = {*p, *p}; /* each panel its own range: PCs of other data */
        range2(two, 1, &xlo, &xhi);
        range2(two, 0, &ylo, &yhi);
        frame_t f = {70 + k * (PANEL_W + 50), 55, PANEL_W - 90, H - 120, xlo, xhi, ylo, yhi};
        cairo_set_source_rgb(cr, 0, 0, 0);
        text(cr, f.x0, f.y0 - 8, 12, p->title);
        frame_axes(cr, &f, 1);
        text(cr, f.x0 + f.w / 2 - 15, f.y0 + f.h + 32, 11, xlabel);
        cairo_save(cr);
        cairo_move_to(cr, f.x0 - 48, f.y0 + f.h / 2 + 15);
        cairo_rotate(cr, -M_PI / 2);
        cairo_set_font_size(cr, 11);
        cairo_show_text(cr, ylabel);
        cairo_restore(cr);
        for (size_t i = 0; i < p->n; i++) {
            if (!isfinite(p->x[i]) || !isfinite(p->y[i])) continue;
            site_colour(cr, (size_t)p->site[i], 0.75);
            cairo_arc(cr, fx(&f, p->x[i]), fy(&f, p->y[i]), 2.5, 0, 2 * M_PI);
            cairo_fill(cr);
        }
        for (size_t b = 0; b < n_sites && b < 24; b++) { /* the legend, right of the frame */
            double ly = f.y0 + 10 + 15 * (double)b;
            site_colour(cr, b, 1);
            cairo_arc(cr, f.x0 + f.w + 12, ly - 4, 4, 0, 2 * M_PI);
            cairo_fill(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            char lab[40];
            snprintf(lab, sizeof lab, "%.12s", site_name[b]);
            text(cr, f.x0 + f.w + 20, ly, 10, lab);
        }
    }
    return close_png(s, cr, png);
}
