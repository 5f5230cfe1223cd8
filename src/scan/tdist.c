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

/* Sixteen evaluations at a time, as four vectors of four: each is a chain of 15 dependent
 * multiply-adds, so the core needs many chains in flight (four interleaved scalar chains ran at
 * ~30 ns per value).  The same operations in the same order as tdist_table_mlog10p, without
 * contraction into FMA (ISO C mode): the same bits in every clone. */
typedef double v4d __attribute__((vector_size(32)));
enum { LANES = 16, VECS = LANES / 4 };

__attribute__((target_clones("avx512f", "avx2", "default"))) void
tdist_table_mlog10p_n(const tdist_table_t *const *tabs, double *x, size_t n)
{
    static const double none[TDIST_DEG]; /* lanes on the exact path evaluate zeros */
    size_t k = 0;
    for (; k + LANES <= n; k += LANES) {
        const double *c[LANES];
        v4d u[VECS];
        unsigned exact = 0;
        for (int l = 0; l < LANES; l++) {
            double ul = 0;
            int s = seg_of(tabs[k + l], x[k + l], &ul);
            if (s < 0) exact |= 1u << l, ul = 0;
            c[l] = s < 0 ? none : tabs[k + l]->c[s];
            u[l / 4][l % 4] = ul;
        }
        /* Named vectors, not arrays: the chains stay in registers. */
        v4d a0 = {0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int j = TDIST_DEG - 1; j >= 1; j--) {
#define STEP(V, A, B)                                                                              \
    do {                                                                                           \
        v4d cj = {c[4 * V][j], c[4 * V + 1][j], c[4 * V + 2][j], c[4 * V + 3][j]};                 \
        v4d t = 2 * u[V] * A - B + cj;                                                             \
        B = A, A = t;                                                                              \
    } while (0)
            STEP(0, a0, b0);
            STEP(1, a1, b1);
            STEP(2, a2, b2);
            STEP(3, a3, b3);
#undef STEP
        }
        const v4d a[VECS] = {a0, a1, a2, a3}, b[VECS] = {b0, b1, b2, b3};
        for (int l = 0; l < LANES; l++) {
            int v = l / 4, i = l % 4;
            double r = u[v][i] * a[v][i] - b[v][i] + c[l][0];
            x[k + l] = exact >> l & 1 ? tdist_table_mlog10p(tabs[k + l], x[k + l]) : r < 0 ? 0 : r;
        }
    }
    for (; k < n; k++) x[k] = tdist_table_mlog10p(tabs[k], x[k]);
}
