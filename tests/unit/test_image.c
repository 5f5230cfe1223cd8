/* test_image.c — reading voxels in pieces: a mask read with image_read_mask (only the box of
 * its labels kept) and an image read with image_read_box give the same voxels and label
 * boxes as the whole file read with image_read; damaged and multi-member gzip files. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "tap.h"

/* The voxels where a and b differ, read in runs of odd length that cross rows and planes. */
static size_t count_differ(const image_t *a, const image_t *b)
{
    size_t n = image_nvox(a), bad = 0;
    float u[97], v[97];
    for (size_t i = 0; i < n; i += 97) {
        size_t k = n - i < 97 ? n - i : 97;
        image_values(a, i, k, u), image_values(b, i, k, v);
        for (size_t t = 0; t < k; t++) bad += u[t] != v[t];
    }
    return bad;
}

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
    is_int(image_read_mask(path, &win), RGX_OK, "read as a mask");
    char name[96];
    snprintf(name, sizeof name, "datatype %d: only the labels' box is kept", datatype);
    ok(win.windowed && win.win_n[0] == 14 && win.win_n[1] == 9 && win.win_n[2] == 6 &&
           win.win_lo[0] == 10 && win.win_lo[1] == 3 && win.win_lo[2] == 5,
       name);
    size_t n = image_nvox(&m), bad = count_differ(&whole, &win);
    float a[97], b[97];
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
    /* A box of the image: the same voxels inside, NaN outside. */
    image_t box = {0};
    const int lo[3] = {12, -3, 6}, hi[3] = {30, 8, 40}; /* clipped to the grid */
    is_int(image_read_box(path, &box, lo, hi), RGX_OK, "read a box");
    bad = 0;
    size_t nan_out = 0, outside = 0;
    for (size_t i = 0; i < n; i += 97) {
        size_t k = n - i < 97 ? n - i : 97;
        image_values(&whole, i, k, a), image_values(&box, i, k, b);
        for (size_t t = 0; t < k; t++) {
            size_t at = i + t;
            int x = (int)(at % 40), y = (int)(at / 40 % 30), z = (int)(at / 1200);
            int in = x >= 12 && x <= 30 && y >= 0 && y <= 8 && z >= 6 && z <= 19;
            if (in) bad += a[t] != b[t];
            else outside++, nan_out += isnan(b[t]) != 0;
        }
    }
    snprintf(name, sizeof name, "datatype %d: a box holds the same voxels (%zu differ)", datatype,
             bad);
    ok(bad == 0, name);
    ok(nan_out == outside && outside > 0, "and NaN outside it");
    image_free(&whole), image_free(&win), image_free(&m), image_free(&box);
    unlink(path);
}

/* A label map whose labels span whole planes (the kept planes are the box): same voxels. */
static void test_whole_planes(const char *dir)
{
    image_t m = {.dim = {33, 17, 12}, .spacing = {1, 1, 1}};
    for (int a = 0; a < 3; a++) m.affine[a][a] = 1;
    float *v;
    if (image_alloc(&m, &v) != RGX_OK) return;
    for (int i = 0; i < 33 * 17; i++) /* planes 4 and 7 */
        v[i + 33 * 17 * 4] = 1, v[i + 33 * 17 * 7] = 3;
    char path[512];
    snprintf(path, sizeof path, "%s/planes.nii.gz", dir);
    is_int(image_write(path, &m, 2), RGX_OK, "whole-plane mask written");
    image_t whole = {0}, win = {0};
    is_int(image_read(path, &whole), RGX_OK, "read whole");
    is_int(image_read_mask(path, &win), RGX_OK, "read as a mask");
    ok(win.windowed && win.win_lo[2] == 4 && win.win_n[2] == 4 && win.win_n[0] == 33 &&
           win.win_n[1] == 17,
       "the box: planes 4 .. 7, whole");
    ok(count_differ(&whole, &win) == 0, "same voxels");
    image_free(&whole), image_free(&win), image_free(&m);
    unlink(path);
}

/* Copies from to to without its last `cut` bytes and with the byte `flip` from the end
 * changed (flip < 0: none). */
static int copy_damaged(const char *from, const char *to, long cut, long flip)
{
    FILE *f = fopen(from, "rb"), *g = fopen(to, "wb");
    int okay = f && g;
    unsigned char *b = NULL;
    long n = 0;
    if (okay && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > cut && fseek(f, 0, SEEK_SET) == 0 &&
        (b = malloc((size_t)n)) && fread(b, 1, (size_t)n, f) == (size_t)n) {
        if (flip > 0) b[n - flip] ^= 0x5a;
        okay = fwrite(b, 1, (size_t)(n - cut), g) == (size_t)(n - cut);
    } else {
        okay = 0;
    }
    free(b);
    if (f) fclose(f);
    if (g && fclose(g) != 0) okay = 0;
    return okay;
}

/* A float image: all NaN or not; a truncated, a corrupted and a two-member .nii.gz. */
static void test_files(const char *dir)
{
    image_t m = {.dim = {64, 64, 48}, .spacing = {1, 1, 1}};
    for (int a = 0; a < 3; a++) m.affine[a][a] = 1;
    float *v;
    if (image_alloc(&m, &v) != RGX_OK) return;
    size_t n = image_nvox(&m);
    for (size_t i = 0; i < n; i++) v[i] = NAN;
    char p1[512], p2[512];
    snprintf(p1, sizeof p1, "%s/nan.nii.gz", dir);
    is_int(image_write(p1, &m, 16), RGX_OK, "all-NaN float image written");
    image_t r = {0};
    is_int(image_read(p1, &r), RGX_OK, "read");
    ok(image_all_nan(&r), "every voxel NaN: seen while reading");
    image_free(&r);
    v[n - 1] = 3.5f; /* one number, in the last piece */
    for (size_t i = 0; i < n - 1; i++) v[i] = (float)(i % 1000) * 0.25f;
    is_int(image_write(p1, &m, 16), RGX_OK, "float image written");
    const int lo[3] = {0, 0, 0}, hi[3] = {3, 3, 3};
    is_int(image_read_box(p1, &r, lo, hi), RGX_OK, "a box read");
    ok(!image_all_nan(&r), "not all NaN");
    image_free(&r);
    image_t whole = {0};
    is_int(image_read(p1, &whole), RGX_OK, "read whole");
    /* Truncated: the last 1000 compressed bytes gone.  Then one byte of the CRC flipped. */
    snprintf(p2, sizeof p2, "%s/bad.nii.gz", dir);
    ok(copy_damaged(p1, p2, 1000, -1), "truncated copy made");
    like(image_read(p2, &r) == RGX_OK ? "" : rgx_errmsg(), "truncated",
         "a truncated .nii.gz fails: truncated");
    ok(copy_damaged(p1, p2, 0, 8), "copy with a bad CRC made");
    like(image_read(p2, &r) == RGX_OK ? "" : rgx_errmsg(), "checksum",
         "a bad CRC fails: checksum mismatch");
    char cmd[8192];
    /* Two gzip members (the file split in two, each compressed): the same voxels. */
    snprintf(cmd, sizeof cmd,
             "gzip -dc '%s' > '%s.raw' && head -c 1000000 '%s.raw' | gzip -1 > '%s' && "
             "tail -c +1000001 '%s.raw' | gzip -1 >> '%s' && rm '%s.raw'",
             p1, p2, p2, p2, p2, p2, p2);
    ok(system(cmd) == 0, "two-member .nii.gz made");
    is_int(image_read(p2, &r), RGX_OK, "a two-member .nii.gz is read");
    ok(r.vox && memcmp(r.vox, whole.vox, n * sizeof(float)) == 0, "with the same voxels");
    image_free(&r), image_free(&whole), image_free(&m);
    unlink(p1), unlink(p2);
}

int main(void)
{
    char dir[] = "/tmp/rgx_test_image.XXXXXX";
    if (!mkdtemp(dir)) return 1;
    test_window(2, dir);  /* DT_UINT8 */
    test_window(4, dir);  /* DT_INT16 */
    test_window(8, dir);  /* DT_INT32 */
    test_whole_planes(dir);
    test_files(dir);
    rmdir(dir);
    return tap_done();
}
