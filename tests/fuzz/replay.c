/* replay.c — feeds files to a fuzz harness without libFuzzer: `make test` links each
 * tests/fuzz/fuzz_<parser>.c with this main and runs it over the harness's seed corpus and
 * every input a campaign ever saved (tests/fuzz/crashes/<parser>/), under ASan and UBSan in
 * `make asan=1 test` (tests/e2e/fuzz_replay.t).  Prints one TAP line per file; a crash ends the
 * program, which prove reports. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        unsigned char *buf = NULL;
        long n = -1;
        if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
            buf = malloc(n ? (size_t)n : 1);
        int ok = buf && fread(buf, 1, (size_t)n, f) == (size_t)n;
        if (f) fclose(f);
        if (ok) LLVMFuzzerTestOneInput(buf, (size_t)n);
        printf("%sok %d - %s\n", ok ? "" : "not ", i, argv[i]);
        fflush(stdout);
        bad += !ok;
        free(buf);
    }
    printf("1..%d\n", argc - 1);
    return bad != 0;
}
