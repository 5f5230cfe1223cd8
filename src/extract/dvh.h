/* dvh.h — dose-volume features of one structure from the doses at its voxels (equal volumes).
 *
 * With N voxel doses d sorted in descending order and the cumulative DVH V(D) = share of
 * the voxels with d >= D:
 *   dvh_dmean, dvh_dmin, dvh_dmax            mean, least and greatest dose (Gy)
 *   dvh_d<x>pct  (x in d_pct)                the dose the hottest x% of the volume receives
 *                                            at least: the k-th largest dose, k = ceil(x N /
 *                                            100) (D100% = Dmin)
 *   dvh_d<x>cc   (x in d_cc)                 the same for the hottest x cm3: k = ceil(x /
 *                                            voxel cm3); NaN when the structure is smaller
 *   dvh_v<x>gy, dvh_v<x>gy_cc (x in v_gy)    V(x Gy) in % of the volume and in cm3
 *   dvh_v<x>pct  (x in v_pct)                V(x% of the prescription dose), in %
 *   dvh_volume_cc                            the structure's volume
 * and, when the number of fractions n is given, the same dose statistics of EQD2 = D (D / n +
 * a/b) / (2 + a/b) voxel by voxel (dvh_eqd2_dmean, _dmin, _dmax, _d<x>pct, _d<x>cc), with the
 * structure's alpha/beta.  x is written with 'p' for a decimal point (dvh_d0p1cc). */
#ifndef RGX_DVH_H
#define RGX_DVH_H

#include <stddef.h>

#include "err.h"
#include "features.h"

enum { DVH_MAX_LIST = 32 };

typedef struct {
    double d_pct[DVH_MAX_LIST], d_cc[DVH_MAX_LIST], v_gy[DVH_MAX_LIST], v_pct[DVH_MAX_LIST];
    size_t n_d_pct, n_d_cc, n_v_gy, n_v_pct;
    double prescription_gy; /* for v_pct (NaN: none given) */
    long fractions;         /* 0: no EQD2 */
    double bin_gy;          /* the cumulative DVH curve: V(k bin_gy), k = 0 .. n_bins - 1 */
    size_t n_bins;
} dvh_opt_t;

/* Features of doses d[0 .. n-1] (sorted in place, descending), voxel_cc cm3 each; alpha_beta
 * for EQD2 (Gy).  curve: n_bins values of V in % (NULL: not wanted).  n = 0 gives NaN
 * features (the names are the same: dvh_names). */
rgx_err dvh_compute(const dvh_opt_t *o, double *d, size_t n, double voxel_cc, double alpha_beta,
                    featvec_t *out, double *curve);

#endif
