/* test_strmap.c — the id hash against a linear search, through growth and duplicates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "tap.h"

int main(void)
{
    enum { N = 5000 };
    static char ids[N][16];
    strmap_t m;
    ok(strmap_init(&m, 4) == RGX_OK, "init with room for 4 (grows later)");
    int put_ok = 1;
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "S%05d", (i * 7919) % N);
        long old;
        put_ok &= strmap_put(&m, ids[i], i, &old) == RGX_OK && old == -1;
    }
    ok(put_ok, "5000 distinct ids added, none reported as present");
    is_int(m.n, N, "5000 keys");
    int found = 1;
    for (int i = 0; i < N; i++) found &= strmap_get(&m, ids[i]) == i;
    ok(found, "each id finds its own value after the map grew");
    is_int(strmap_get(&m, "S99999"), -1, "an absent id is -1");
    is_int(strmap_get(&m, ""), -1, "the empty string is absent");
    long old = 0;
    ok(strmap_put(&m, ids[42], 7, &old) == RGX_OK, "a duplicate put succeeds");
    is_int(old, 42, "and reports the first value");
    is_int(strmap_get(&m, ids[42]), 42, "which it keeps");
    strmap_free(&m);
    strmap_t e = {0};
    is_int(strmap_get(&e, "x"), -1, "an empty (zeroed) map finds nothing");
    return tap_done();
}
