/* test_image.c — a mask read with image_read_mask (only the box of its labels kept) gives
 * the same voxels and label boxes as the whole mask read with image_read. */
#include <stdlib.h>
#include <unistd.h>

#include "image.h"
#include "tap.h"

/* Labels 1 and 2 in two blocks of a 40 x 30 x 20 grid; types uint8, int16 and int32. */
static void test_window(int datatype, const char *dir)
{
    image_t m = {.dim = {40, 30, 20}, .spacing = {1, 1, 2}};
    for (int a = 0; a < 3; a++) m.affine[a][a] = m.spacing[a];
    float *v;
    if (image_alloc(&m, &v) != RGX_OK) {
        ok(0, "image_alloc");
        return;
    }
    for (int z = 5; z < 9; z++)
        for (int y = 7; y < 12; y++)
            for (int x = 10; x < 19; x++) v[x + 40 * (y + 30 * z)] = 1;
    for (int z = 8; z < 11; z++)
        for (int y = 3; y < 6; y++)
            for (int x = 21; x < 24; x++) v[x + 40 * (y + 30 * z)] = 2;
    char path[512];
    snprintf(path, sizeof path, "%s/mask_%d.nii.gz", dir, datatype);
    is_int(image_write(path, &m, datatype), RGX_OK, "mask written");
    image_t whole = {0}, win = {0};
    is_int(image_read(path, &whole), RGX_OK, "read whole");
    is_int(image_read_mask(path, &win, 4 << 20), RGX_OK, "read as a mask");
    char name[96];
    snprintf(name, sizeof name, "datatype %d: only the labels' box is kept", datatype);
    ok(win.windowed && win.win_n[0] == 14 && win.win_n[1] == 9 && win.win_n[2] == 6 &&
           win.win_lo[0] == 10 && win.win_lo[1] == 3 && win.win_lo[2] == 5,
       name);
    /* Every voxel, in runs of odd lengths that cross rows and planes. */
    size_t n = image_nvox(&m), bad = 0;
    float a[97], b[97];
    for (size_t i = 0; i < n; i += 97) {
        size_t k = n - i < 97 ? n - i : 97;
        image_values(&whole, i, k, a), image_values(&win, i, k, b);
        for (size_t t = 0; t < k; t++) bad += a[t] != b[t];
    }
    snprintf(name, sizeof name, "datatype %d: same voxels (%zu differ)", datatype, bad);
    ok(bad == 0, name);
    for (int label = 0; label <= 3; label++) {
        int l1[3], h1[3], l2[3], h2[3];
        image_box_of(&whole, (float)label, l1, h1), image_box_of(&win, (float)label, l2, h2);
        int same = 1;
        for (int t = 0; t < 3; t++) same &= l1[t] == l2[t] && h1[t] == h2[t];
        snprintf(name, sizeof name, "datatype %d: same box of label %d", datatype, label);
        ok(same, name);
    }
    image_free(&whole), image_free(&win), image_free(&m);
    unlink(path);
}

int main(void)
{
    char dir[] = "/tmp/rgx_test_image.XXXXXX";
    if (!mkdtemp(dir)) return 1;
    test_window(2, dir);  /* DT_UINT8 */
    test_window(4, dir);  /* DT_INT16 */
    test_window(8, dir);  /* DT_INT32 */
    rmdir(dir);
    return tap_done();
}
