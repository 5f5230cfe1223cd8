/* tap.h — a minimal TAP producer for the unit test programs (run by prove).
 *
 *     int main(void) { ok(1 + 1 == 2, "sum"); is_double(x, 0.5, 1e-12, "x"); return tap_done(); }
 */
#ifndef RGX_TAP_H
#define RGX_TAP_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *file, int line, const char *fmt, const char *name)
{
    tap_n++;
    if (!cond) tap_failed++;
    printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
    if (!cond) printf("#   failed at %s:%d%s%s\n", file, line, fmt ? ": " : "", fmt ? fmt : "");
    fflush(stdout);
    return cond;
}

#define ok(cond, name) tap_ok(!!(cond), __FILE__, __LINE__, NULL, name)

#define is_int(got, want, name)                                                                    \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        char m_[160];                                                                              \
        snprintf(m_, sizeof m_, "got %lld, expected %lld", g_, w_);                                \
        tap_ok(g_ == w_, __FILE__, __LINE__, m_, name);                                            \
    } while (0)

#define is_double(got, want, tol, name)                                                            \
    do {                                                                                           \
        double g_ = (got), w_ = (want);                                                            \
        char m_[200];                                                                              \
        snprintf(m_, sizeof m_, "got %.17g, expected %.17g (tolerance %g)", g_, w_,                \
                 (double)(tol));                                                                   \
        tap_ok(fabs(g_ - w_) <= (tol) || (isnan(g_) && isnan(w_)), __FILE__, __LINE__, m_, name);  \
    } while (0)

#define is_str(got, want, name)                                                                    \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        char m_[512];                                                                              \
        snprintf(m_, sizeof m_, "got \"%s\", expected \"%s\"", g_ ? g_ : "(null)", w_);            \
        tap_ok(g_ && strcmp(g_, w_) == 0, __FILE__, __LINE__, m_, name);                           \
    } while (0)

/* Passes when hay contains needle (for checking error messages). */
#define like(hay, needle, name)                                                                    \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        char m_[1200];                                                                             \
        snprintf(m_, sizeof m_, "\"%.1000s\" does not contain \"%s\"", h_ ? h_ : "(null)", n_);    \
        tap_ok(h_ && strstr(h_, n_) != NULL, __FILE__, __LINE__, m_, name);                        \
    } while (0)

static inline int tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
