/* feat_stat.c — placeholder until the family is implemented: fails loudly. */
#include "features.h"

rgx_err feat_stat(const roi_t *roi, const feat_settings_t *s, featvec_t *out)
{
    (void)roi, (void)s, (void)out;
    return rgx_fail(RGX_ERR_INTERNAL, "feature family 'stat' is not implemented yet");
}
