/* fuzz_nifti.c — libFuzzer harness for the NIfTI reader (src/io/image.c over nifticlib's
 * header parsing): the input is a file, written as f.nii.gz when it starts with gzip's magic
 * bytes and as f.nii otherwise, read for its header, as a label map (the box of its labels),
 * whole and as a box, every voxel converted to float.  Any input must give RGX_OK or an
 * error, never a crash, a leak or a read out of bounds.  Images of more than 16 M voxels
 * are read for their header only, so that the fuzzer does not chase allocations.
 *
 * Seed corpus: tests/fuzz/corpus/nifti/ (tests/fuzz/make_corpus_inputs.sh). */
#include "fuzz.h"
#include "image.h"

static void values(const image_t *img)
{
    float row[64];
    size_t n = image_nvox(img);
    for (size_t i = 0; i < n; i += 64) image_values(img, i, n - i < 64 ? n - i : 64, row);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_dir("fuzz_nifti");
    char path[160];
    int gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    if (fuzz_put(dir, gz ? "f.nii.gz" : "f.nii", data, size, path, sizeof path)) return 0;
    image_t img;
    if (image_read_header(path, &img) == RGX_OK && image_nvox(&img) <= (16u << 20)) {
        if (image_read_mask(path, &img) == RGX_OK) {
            int lo[3], hi[3];
            image_box_of(&img, 1.0f, lo, hi);
            values(&img);
            image_free(&img);
        }
        if (image_read(path, &img) == RGX_OK) {
            values(&img);
            image_free(&img);
        }
        int lo[3] = {1, 1, 1}, hi[3] = {3, 2, 4};
        if (image_read_box(path, &img, lo, hi) == RGX_OK) {
            values(&img);
            image_free(&img);
        }
    }
    unlink(path);
    return 0;
}
