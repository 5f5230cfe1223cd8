/* test_util.c — util.c: SHA-256 against FIPS 180-4 vectors, strbuf, paths, edit distance. */
#include "tap.h"
#include "util.h"

#include <stdlib.h>

int main(void)
{
    char hex[65];
    sha256_buf("abc", 3, hex);
    is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 abc");
    sha256_buf("", 0, hex);
    is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 empty");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_buf(m, strlen(m), hex);
    is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "sha256 448 bits");

    strbuf_t sb = {0};
    for (int i = 0; i < 1000; i++) sb_printf(&sb, "%d,", i);
    ok(sb.len == strlen(sb.s), "strbuf length");
    ok(strncmp(sb.s, "0,1,2,", 6) == 0 && strstr(sb.s, "999,") != NULL, "strbuf content");
    free(sb.s);

    char *p;
    path_join(&p, "a/b", "c.nii.gz");
    is_str(p, "a/b/c.nii.gz", "path_join relative");
    free(p);
    path_join(&p, "a/b", "/abs/c");
    is_str(p, "/abs/c", "path_join absolute");
    free(p);
    path_dirname(&p, "x/y/manifest.tsv");
    is_str(p, "x/y", "dirname");
    free(p);
    path_dirname(&p, "manifest.tsv");
    is_str(p, ".", "dirname of a bare name");
    free(p);

    is_int(edit_distance("rnage", "range"), 2, "edit distance of a swap");
    is_int(edit_distance("bin_width", "bin_widht"), 2, "edit distance");
    is_int(edit_distance("same", "same"), 0, "edit distance of equal strings");
    return tap_done();
}
