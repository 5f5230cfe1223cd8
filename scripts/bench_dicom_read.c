/* bench_dicom_read.c — scripts/bench_dicom's radiogx reader: the volume at PATH (a DICOM
 * series folder or a NIfTI file) read whole through image.h, its values summed; with -H the
 * header only (for DICOM: every file's header, ordered and checked). */
#include <stdio.h>
#include <string.h>

#include "image.h"

int main(int argc, char **argv)
{
    image_t img = {0};
    int hdr = argc > 2 && !strcmp(argv[2], "-H");
    rgx_err err = hdr ? image_read_header(argv[1], &img) : image_read(argv[1], &img);
    if (err) {
        fprintf(stderr, "%s\n", rgx_errmsg());
        return 1;
    }
    double sum = 0;
    float run[4096];
    size_t n = hdr ? 0 : image_nvox(&img);
    for (size_t i = 0; i < n; i += 4096) {
        size_t m = n - i < 4096 ? n - i : 4096;
        image_values(&img, i, m, run);
        for (size_t k = 0; k < m; k++) sum += run[k];
    }
    printf("%d slices, sum %.17g\n", img.dim[2], sum);
    image_free(&img);
    return 0;
}
