/* feat_glszm.c — grey level size zone matrix features (IBSI 1, 3.8): zones of connected
 * voxels of one grey level (8-connected in a slice, 26-connected in 3D) counted by size;
 * 16 features for 2D, 2.5D and 3D. */
#include "texture.h"

static const char *const names[16] = {"sze",   "lze",  "lgze",     "hgze",   "szlge",
                                      "szhge", "lzlge", "lzhge",   "glnu",   "glnu_norm",
                                      "zsnu",  "zsnu_norm", "z_perc", "gl_var", "zs_var",
                                      "zs_entr"};

rgx_err feat_glszm(const roi_t *r, const feat_settings_t *s, featvec_t *out)
{
    return tex_zone_family(r, s, 0, "szm", names, out);
}
