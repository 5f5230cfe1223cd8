/* pca_project.c — see pca_project.h. */
#include "pca_project.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "h5in.h"
#include "pca_krylov.h"
#include "strmap.h"
#include "util.h"
#include "runfile.h"

rgx_err pca_reference_read(const char *path, pca_reference_t *R)
{
    memset(R, 0, sizeof *R);
    hid_t f;
    rgx_err err = h5in_open(path, &f);
    if (err) return err;
    char **chrom = NULL, **ref = NULL, **alt = NULL;
    double *pos = NULL;
    size_t m = 0, m2 = 0, c0 = 0, K = 0, lm = 0;
    strmap_t *map = calloc(1, sizeof *map);
    if (!map) err = rgx_fail(RGX_ERR_MEMORY, "out of memory");
    if (!err && !h5in_exists(f, RF_PCA_LOADINGS))
        err = rgx_fail(RGX_ERR_INPUT, "%s: no /pca/loadings (not a radiogx pca run file)", path);
    if (err || (err = h5in_read_strings(f, RF_PCA_VARIANTS_CHROM, &m, &chrom)) ||
        (err = h5in_read_strings(f, RF_PCA_VARIANTS_REF, &m2, &ref)) ||
        (err = h5in_read_strings(f, RF_PCA_VARIANTS_ALT, &m2, &alt)) ||
        (err = h5in_read_doubles(f, RF_PCA_VARIANTS_POS, &m2, &c0, &pos)) ||
        (err = h5in_read_doubles(f, RF_PCA_VARIANTS_AF, &m2, &c0, &R->af)) ||
        (err = h5in_read_doubles(f, RF_PCA_LOADINGS, &lm, &K, &R->loading)) ||
        (err = h5in_read_doubles(f, RF_PCA_EIGENVALUES, &R->K, &c0, &R->eigval)))
        goto out;
    if (lm != m || K != R->K || !K) {
        err = rgx_fail(RGX_ERR_INPUT,
                       "%s: /pca/loadings is %zu x %zu for %zu variants and %zu "
                       "eigenvalues",
                       path, lm, K, m, R->K);
        goto out;
    }
    if ((err = strmap_init(map, m ? m : 1)) ||
        (err = rgx_calloc(&R->ref.key, m ? m : 1, sizeof(char *))))
        goto out;
    R->ref.map = map, R->ref.m = m, R->ref.af = R->af;
    map = NULL;
    for (size_t j = 0; j < m && !err; j++) {
        if ((err = pca_ref_key(chrom[j], (long)pos[j], ref[j], alt[j], &R->ref.key[j]))) break;
        long old;
        if (!(err = strmap_put(R->ref.map, R->ref.key[j], (long)j, &old)) && old >= 0)
            err = rgx_fail(RGX_ERR_INPUT, "%s: variant %s twice in /pca/variants", path,
                           R->ref.key[j]);
    }
out:
    free(map), free(pos);
    h5in_free_strings(chrom, m), h5in_free_strings(ref, m), h5in_free_strings(alt, m);
    h5in_close(f);
    return err;
}

void pca_reference_free(pca_reference_t *R)
{
    if (R->ref.map) strmap_free(R->ref.map), free(R->ref.map);
    for (size_t j = 0; R->ref.key && j < R->ref.m; j++) free(R->ref.key[j]);
    free(R->ref.key), free(R->af), free(R->loading), free(R->eigval);
    memset(R, 0, sizeof *R);
}

rgx_err pca_project_scores(const pca_geno_t *G, const pca_tiles_t *T, const pca_reference_t *R,
                           double *scores)
{
    size_t K = R->K, m = G->m, *sel = NULL;
    double *Z = NULL;
    rgx_err err = rgx_calloc(&Z, (m ? m : 1) * K, sizeof *Z);
    if (!err) err = rgx_calloc(&sel, m ? m : 1, sizeof *sel);
    for (size_t j = 0; !err && j < m; j++) {
        sel[j] = j;
        for (size_t k = 0; k < K; k++)
            Z[j * K + k] =
                R->loading[G->ref_index[j] * K + k] / sqrt((double)R->ref.m * R->eigval[k]);
    }
    memset(scores, 0, (T->n_rows ? T->n_rows : 1) * K * sizeof *scores);
    if (!err) err = pca_mult_x(G, sel, m, T, Z, K, scores);
    free(Z), free(sel);
    return err;
}
