/* feat_gldzm.c — grey level distance zone matrix features (IBSI 1, 3.9): the zones of GLSZM
 * counted by their distance to the ROI border (the smallest city-block distance of their
 * voxels; border voxels have 1; 4-connected in a slice, 6-connected in 3D); 16 features for
 * 2D, 2.5D and 3D. */
#include "texture.h"

static const char *const names[16] = {"sde",   "lde",  "lgze",     "hgze",   "sdlge",
                                      "sdhge", "ldlge", "ldhge",   "glnu",   "glnu_norm",
                                      "zdnu",  "zdnu_norm", "z_perc", "gl_var", "zd_var",
                                      "zd_entr"};

rgx_err feat_gldzm(const roi_t *r, const feat_settings_t *s, featvec_t *out)
{
    return tex_zone_family(r, s, 1, "dzm", names, out);
}
