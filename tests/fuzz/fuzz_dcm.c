/* fuzz_dcm.c — libFuzzer harness for radiogx's DICOM reading: the Part 10 parser (dcm.c)
 * walked into every sequence and every value read as text and as numbers, the pixel format
 * and the first frames decoded in whatever transfer syntax the file claims (native, RLE,
 * lossless JPEG, JPEG-LS, JPEG 2000, JPEG), the PET SUV tags, and the file read as an
 * RTSTRUCT (its ROIs rasterised) and as a SEG (its frames placed) on a small grid.  Any input must
 * give RGX_OK or an error, never a crash, a leak or a read out of bounds.
 *
 * Seed corpus: tests/fuzz/corpus/dcm/ (tests/fuzz/make_corpus_dicom.sh: small files written by
 * tests/e2e/mkdicom.py and compressed by DCMTK and GDCM). */
#include "fuzz.h"
#include "dcm.h"
#include "dcm_pix.h"
#include "dicom.h"

static void walk(const dcm_set_t *s, int depth)
{
    for (size_t i = 0; i < s->n; i++) {
        const dcm_el_t *el = &s->el[i];
        char buf[256];
        double v[8];
        size_t n;
        dcm_str(s, el->tag, buf, sizeof buf);
        dcm_nums(s, el->tag, v, 8, &n);
        const dcm_set_t *items;
        if (depth < 20 && dcm_items(s, el->tag, &items, &n) == RGX_OK)
            for (size_t k = 0; k < n; k++) walk(&items[k], depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int flags = 0; flags <= DCM_HEADER; flags += DCM_HEADER) {
        dcm_file_t *f = NULL;
        if (dcm_open_mem(data, size, "fuzz.dcm", flags, &f) != RGX_OK) continue;
        walk(dcm_root(f), 0);
        double suv;
        dicom_pet_suv_factor(dcm_root(f), &suv);
        /* As a structure set and as a segmentation, on a 24 x 20 x 12 grid of 1 mm voxels. */
        image_t grid = {.dim = {24, 20, 12}, .spacing = {1, 1, 1}, .affine_source = "fuzz"}, m;
        for (int a = 0; a < 3; a++) grid.affine[a][a] = a < 2 ? -1 : 1;
        if (!flags && dicom_rtstruct_mask(f, NULL, &grid, &m) == RGX_OK) image_free(&m);
        if (!flags && dicom_seg_mask(f, NULL, &grid, &m) == RGX_OK) image_free(&m);
        dcm_pixfmt_t pf;
        /* Frames of at most 4 M pixels, so that the fuzzer does not chase allocations. */
        if (!flags && dcm_pix_format(dcm_root(f), &pf) == RGX_OK && pf.frame_bytes <= (16u << 20)) {
            void *out = malloc(pf.frame_bytes);
            for (long k = 0; out && k < pf.frames && k < 3; k++) dcm_pix_frame(f, &pf, k, out);
            free(out);
        }
        dcm_close(f);
    }
    return 0;
}
