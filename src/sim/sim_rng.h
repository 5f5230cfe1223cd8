/* sim_rng.h — the simulator's random numbers: xoshiro256** seeded through splitmix64.
 *
 * Every stream is derived from (seed, kind, index) alone, so a patient's image or a block's
 * genotypes do not depend on the order or the thread that makes them: the output is the same
 * bytes for the same arguments whatever the thread count.  libc's rand() is not used: it
 * differs between C libraries. */
#ifndef RGX_SIM_RNG_H
#define RGX_SIM_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} rng_t;

static inline uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Stream `index` of kind `kind` (a small constant per use) for a seed. */
static inline void rng_stream(rng_t *r, uint64_t seed, uint64_t kind, uint64_t index)
{
    uint64_t x = seed ^ (kind * 0xd1b54a32d192ed03ull) ^ (index * 0x8cb92ba72f3d8dd7ull);
    splitmix64(&x);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static inline uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t t = s[1] << 17, res = s[1] * 5;
    res = ((res << 7) | (res >> 57)) * 9;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return res;
}

/* Uniform on [0, 1) with 53 random bits. */
static inline double rng_unif(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Standard normal (Box-Muller; the second value is dropped to keep streams simple). */
static inline double rng_norm(rng_t *r)
{
    double u = rng_unif(r), v = rng_unif(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

/* Gamma(a, 1) by Marsaglia and Tsang (2000); a < 1 through Gamma(a + 1) U^(1/a). */
static inline double rng_gamma(rng_t *r, double a)
{
    if (a < 1) {
        double u = rng_unif(r);
        return rng_gamma(r, a + 1) * pow(1.0 - u, 1.0 / a);
    }
    double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = rng_norm(r), v = 1 + c * x;
        if (v <= 0) continue;
        v = v * v * v;
        double u = rng_unif(r);
        if (log(1.0 - u) < 0.5 * x * x + d - d * v + d * log(v)) return d * v;
    }
}

/* Beta(a, b) as a ratio of gammas. */
static inline double rng_beta(rng_t *r, double a, double b)
{
    double x = rng_gamma(r, a), y = rng_gamma(r, b);
    return x + y > 0 ? x / (x + y) : 0.5;
}

#endif
