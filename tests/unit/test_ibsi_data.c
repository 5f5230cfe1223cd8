/* test_ibsi_data.c — the IBSI reference tables and digital phantom load as SOURCE.md says:
 * row counts, valued rows, the pass rule, and the phantom's ROI statistics. */
#include "tap.h"
#include "ibsi.h"

int main(void)
{
    static const struct { const char *file; int rows, valued; } t[] = {
        {"reference_values/ibsi_1_reference_values_digital_phantom.csv", 487, 482},
        {"reference_values/ibsi_1_reference_values_config_A.csv", 411, 406},
        {"reference_values/ibsi_1_reference_values_config_B.csv", 411, 406},
        {"reference_values/ibsi_1_reference_values_config_C.csv", 275, 270},
        {"reference_values/ibsi_1_reference_values_config_D.csv", 275, 270},
        {"reference_values/ibsi_1_reference_values_config_E.csv", 275, 270},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        ibsi_ref_t *r;
        int n = ibsi_ref_load(t[k].file, &r), valued = 0;
        for (int i = 0; i < n; i++) valued += r[i].valued;
        is_int(n, t[k].rows, t[k].file);
        is_int(valued, t[k].valued, "valued rows");
        free(r);
    }
    ibsi_ref_t *r;
    int n = ibsi_ref_load("reference_values/ibsi_1_reference_values_digital_phantom.csv", &r);
    const ibsi_ref_t *vol = NULL, *mean = NULL;
    for (int i = 0; i < n; i++) {
        if (!strcmp(r[i].tag, "morph_volume")) vol = &r[i];
        if (!strcmp(r[i].tag, "stat_mean")) mean = &r[i];
    }
    ok(vol && vol->value == 556 && vol->tol == 4, "morph_volume 556 +- 4");
    ok(mean && ibsi_ref_pass(mean, 2.1486) && !ibsi_ref_pass(mean, 2.156),
       "zero tolerance: 3 digits");
    ok(vol && ibsi_ref_pass(vol, 559.9) && !ibsi_ref_pass(vol, 560.1), "explicit tolerance");
    free(r);

    ibsi_phantom_t p;
    if (!ok(ibsi_phantom_load(&p) == 0, "digital phantom loads")) return tap_done();
    is_int(p.roi.dim[0] * p.roi.dim[1] * p.roi.dim[2], 80, "5 x 4 x 4 voxels");
    is_int(p.roi.n_mask, 74, "74 ROI voxels");
    double s = 0;
    for (int i = 0; i < 80; i++) s += p.roi.mask[i] ? p.roi.intensity[i] : 0;
    is_double(s / 74, 2.1486, 1e-4, "ROI mean 2.1486");
    is_double(p.roi.spacing[0], 2.0, 1e-12, "2 mm spacing");
    ibsi_phantom_free(&p);
    return tap_done();
}
