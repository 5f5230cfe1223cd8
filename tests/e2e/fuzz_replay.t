#!/usr/bin/env bash
# Every fuzz harness (tests/fuzz/fuzz_<parser>.c, built with tests/fuzz/replay.c instead of
# libFuzzer) over its seed corpus and every input a campaign saved (tests/fuzz/crashes/): each
# must end normally.  Under `make asan=1 test` the replay runs with ASan, UBSan and LSan, so a
# crash, an out-of-bounds read or a leak that was fixed stays fixed (tests/fuzz/README.md).
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
shopt -s nullglob
F="$RGX_ROOT/tests/fuzz"
for src in "$F"/fuzz_*.c; do
  name=$(basename "$src" .c); name=${name#fuzz_}
  bin="$RGX_BUILD/fuzz/replay_$name"
  if [ ! -x "$bin" ]; then
    ok 1 "$name: $bin is built (make builds it for the tests)"
    continue
  fi
  files=("$F/corpus/$name"/* "$F/crashes/$name"/*)
  run "$bin" "${files[@]}"
  is "$rc" 0 "$name: ${#files[@]} inputs (seeds and saved findings) replayed, none fails"
done
done_testing
