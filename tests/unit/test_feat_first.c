/* test_feat_first.c — intensity statistics, intensity histogram and intensity-volume
 * histogram and local intensity on the IBSI digital phantom, every valued row of the reference
 * table. */
#include "tap.h"
#include "ibsi.h"

int main(void)
{
    ibsi_phantom_t ph;
    ibsi_ref_t *ref;
    int nref = ibsi_ref_load("reference_values/ibsi_1_reference_values_digital_phantom.csv", &ref);
    if (ibsi_phantom_load(&ph) != 0 || nref <= 0) {
        printf("1..0 # SKIP the IBSI data is not at %s\n", ibsi_path(""));
        return 0;
    }
    feat_settings_t s = ibsi_phantom_settings();
    featvec_t v = {0};
    is_int(feat_stat(&ph.roi, &s, &v), RGX_OK, "stat");
    is_int(feat_ih(&ph.roi, &s, &v), RGX_OK, "ih");
    is_int(feat_ivh(&ph.roi, &s, &v), RGX_OK, "ivh");
    is_int(feat_local(&ph.roi, &s, &v), RGX_OK, "loc");
    int a = ibsi_check_prefix(&v, ref, nref, "stat_", "phantom");
    int b = ibsi_check_prefix(&v, ref, nref, "ih_", "phantom");
    int c = ibsi_check_prefix(&v, ref, nref, "ivh_", "phantom");
    int l = ibsi_check_prefix(&v, ref, nref, "loc_", "phantom");
    printf("# IBSI digital phantom: stat %d/18, ih %d/23, ivh %d/6, loc %d/2\n", a, b, c, l);
    featvec_free(&v);
    ibsi_phantom_free(&ph);
    free(ref);
    return tap_done();
}
