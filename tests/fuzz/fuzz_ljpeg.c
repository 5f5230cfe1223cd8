/* fuzz_ljpeg.c — libFuzzer harness for the lossless JPEG (process 14) decoder, dcm_ljpeg.c,
 * which radiogx writes itself (Debian's libjpeg-turbo 2.1 has none), and for the RLE decoder:
 * the first 4 bytes choose the frame size and sample width, the rest is the codestream.
 * Seed corpus: tests/fuzz/corpus/ljpeg/ (frames from DCMTK's dcmcjpeg, by
 * tests/fuzz/make_corpus_dicom.sh). */
#include "dcm_pix.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    int w = 1 + data[0] % 64, h = 1 + data[1] % 64,
        bp = data[2] % 3 == 0   ? 1
             : data[2] % 3 == 1 ? 2
                                : 4;
    void *out = malloc((size_t)w * (size_t)h * (size_t)bp);
    if (!out) return 0;
    if (data[3] & 1) {
        dcm_ljpeg_decode("fuzz", data + 4, size - 4, w, h, bp, out);
    } else {
        dcm_frag_t fr = {data + 4, (uint32_t)(size - 4)};
        dcm_rle_decode("fuzz", &fr, 1, w, h, bp, out);
    }
    free(out);
    return 0;
}
