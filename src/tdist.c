/* tdist.c — see tdist.h. */
#include "tdist.h"

#include <gsl/gsl_sf_gamma.h>
#include <math.h>

/* Continued fraction of the incomplete beta function (modified Lentz), valid for
 * x < (a + 1) / (a + b + 2). */
static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int mi = 1; mi <= 10000; mi++) {
        double m2 = 2.0 * mi;
        double aa = mi * (b - mi) * x / ((a + m2 - 1) * (a + m2));
        d = 1 + aa * d, c = 1 + aa / c;
        if (fabs(d) < tiny) d = tiny;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + mi) * (a + b + mi) * x / ((a + m2) * (a + m2 + 1));
        d = 1 + aa * d, c = 1 + aa / c;
        if (fabs(d) < tiny) d = tiny;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15) break;
    }
    return h;
}

/* The exact tail with lnb = ln B(df / 2, 1 / 2) given. */
static double mlog10p_exact(double t, double df, double lnb)
{
    if (isnan(t)) return NAN;
    /* p = I_x(df/2, 1/2) with x = df / (df + t^2). */
    double a = df / 2, b = 0.5, at = fabs(t), x = df / (df + t * t);
    if (!(x < (a + 1) / (a + b + 2))) {
        /* Small |t|: p = 1 - I_{1-x}(1/2, a), whose continued fraction converges fast there
         * (and p is not small, so the subtraction loses nothing that matters).  1 - x =
         * t^2 / (df + t^2) without cancellation. */
        double y = at * at / (df + at * at);
        if (y == 0) return 0;
        double lnJ = b * log(y) + a * log1p(-y) - log(b) - lnb + log(betacf(b, a, y));
        double r = -log1p(-exp(lnJ)) / M_LN10;
        return r < 0 ? 0 : r;
    }
    /* In log space: ln I = a ln x + b ln(1 - x) - ln a - ln B(a, b) + ln cf, so that p far
     * below 1e-308 stays finite.  For |t| so large that t^2 overflows, ln x = ln df - 2 ln |t|. */
    double lx, ln1mx;
    if (at > 1e100) {
        lx = log(df) - 2 * log(at);
        ln1mx = -exp(lx);
        x = exp(lx);
    } else {
        lx = log(x);
        ln1mx = log(at * at / (df + at * at));
    }
    double lnI = a * lx + b * ln1mx - log(a) - lnb + log(betacf(a, b, x));
    double r = -lnI / M_LN10;
    return r < 0 ? 0 : r;
}

double tdist_mlog10p(double t, double df)
{
    return mlog10p_exact(t, df, gsl_sf_lnbeta(df / 2, 0.5));
}

/* Chebyshev interpolation at the points of the first kind: -log10 p is analytic in |t| on
 * [0, inf), so 16 coefficients per segment of width 1/2 reach rounding level. */
void tdist_table_init(tdist_table_t *tab, double df)
{
    tab->df = df;
    tab->lnb = df >= 1 ? gsl_sf_lnbeta(df / 2, 0.5) : NAN;
    enum { N = TDIST_DEG };
    for (int s = 0; s < TDIST_SEGS; s++) {
        double f[N];
        for (int k = 0; k < N; k++) {
            double x = cos(M_PI * (k + 0.5) / N);
            f[k] = mlog10p_exact((s + (x + 1) / 2) * TDIST_WIDTH, df, tab->lnb);
        }
        for (int j = 0; j < N; j++) {
            double c = 0;
            for (int k = 0; k < N; k++) c += f[k] * cos(M_PI * j * (k + 0.5) / N);
            tab->c[s][j] = 2.0 / N * c;
        }
        tab->c[s][0] /= 2;
    }
}

/* The table's segment and local coordinate for |t|, or -1 when the exact path is needed. */
static inline int seg_of(const tdist_table_t *tab, double t, double *x)
{
    double at = fabs(t);
    if (!(at < TDIST_SEGS * TDIST_WIDTH) || !(tab->df >= 1)) return -1;
    int s = (int)(at * (1 / TDIST_WIDTH));
    *x = 2 * (at * (1 / TDIST_WIDTH) - s) - 1;
    return s;
}

double tdist_table_mlog10p(const tdist_table_t *tab, double t)
{
    double x, b1 = 0, b2 = 0;
    int s = seg_of(tab, t, &x);
    if (s < 0) /* NaN, the far tail, or no df */
        return tab->df >= 1 ? mlog10p_exact(t, tab->df, tab->lnb) : NAN;
    const double *c = tab->c[s];
    for (int j = TDIST_DEG - 1; j >= 1; j--) {
        double b = 2 * x * b1 - b2 + c[j];
        b2 = b1, b1 = b;
    }
    double r = x * b1 - b2 + c[0];
    return r < 0 ? 0 : r;
}

void tdist_table_mlog10p_n(const tdist_table_t *const *tabs, double *x, size_t n)
{
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        double u[4];
        int s[4];
        for (int l = 0; l < 4; l++) s[l] = seg_of(tabs[k + l], x[k + l], &u[l]);
        if (s[0] < 0 || s[1] < 0 || s[2] < 0 || s[3] < 0) {
            for (int l = 0; l < 4; l++) x[k + l] = tdist_table_mlog10p(tabs[k + l], x[k + l]);
            continue;
        }
        const double *c0 = tabs[k]->c[s[0]], *c1 = tabs[k + 1]->c[s[1]],
                     *c2 = tabs[k + 2]->c[s[2]], *c3 = tabs[k + 3]->c[s[3]];
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (int j = TDIST_DEG - 1; j >= 1; j--) { /* Clenshaw, as tdist_table_mlog10p */
            double t0 = 2 * u[0] * a0 - b0 + c0[j], t1 = 2 * u[1] * a1 - b1 + c1[j];
            double t2 = 2 * u[2] * a2 - b2 + c2[j], t3 = 2 * u[3] * a3 - b3 + c3[j];
            b0 = a0, b1 = a1, b2 = a2, b3 = a3;
            a0 = t0, a1 = t1, a2 = t2, a3 = t3;
        }
        double r[4] = {u[0] * a0 - b0 + c0[0], u[1] * a1 - b1 + c1[0], u[2] * a2 - b2 + c2[0],
                       u[3] * a3 - b3 + c3[0]};
        for (int l = 0; l < 4; l++) x[k + l] = r[l] < 0 ? 0 : r[l];
    }
    for (; k < n; k++) x[k] = tdist_table_mlog10p(tabs[k], x[k]);
}
