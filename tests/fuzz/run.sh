#!/usr/bin/env bash
# run.sh SECONDS HARNESS... — runs each libFuzzer harness (build-fuzz/fuzz_<name>) for
# SECONDS, one after the other, at the lowest priority (the machine is shared): its working
# corpus is build-fuzz/corpus/<name> (kept between runs; the seeds are tests/fuzz/corpus/<name>),
# an input that crashes, leaks, times out (10 s) or runs out of memory (2 GB) is saved under
# tests/fuzz/crashes/<name>/ (commit it with the fix: `make test` replays it), and the log is
# build-fuzz/logs/<name>.log.  Prints per harness: wall and CPU seconds (user + system, what
# counts on a shared machine), executions, coverage (cov, ft),
# corpus size, and any new file under crashes/.  The harnesses' own stderr is closed
# (-close_fd_mask=2: the libraries' warnings about bad input made 280 MB of log in 5 min of the
# VCF harness); libFuzzer's lines and the sanitizers' reports still go to the log.
# Exit status 1 when a harness found one.
set -u
secs=$1; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
status=0
printf '%-10s %6s %6s %12s %7s %7s %7s  %s\n' harness wall cpu executions cov ft corpus findings
for bin in "$@"; do
  name=${bin##*/fuzz_}
  work="$root/build-fuzz/corpus/$name" crash="$root/tests/fuzz/crashes/$name"
  seeds="$root/tests/fuzz/corpus/$name" log="$root/build-fuzz/logs/$name.log"
  mkdir -p "$work" "$crash" "$(dirname "$log")"
  before=$(ls "$crash" | wc -l)
  start=$(date +%s)
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  LSAN_OPTIONS=suppressions=$root/tests/lsan.supp:print_suppressions=0:use_tls=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    /usr/bin/time -o "$log.cpu" -f '%U %S' nice -n 19 "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$crash/" "$work" \
      $( [ -d "$seeds" ] && echo "$seeds" ) > "$log" 2>&1
  took=$(( $(date +%s) - start ))
  cpu=$(tail -1 "$log.cpu" | awk '{ printf "%.0f", $1 + $2 }')
  execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  after=$(ls "$crash" | wc -l)
  found=$(( after - before ))
  [ "$found" -gt 0 ] && status=1
  printf '%-10s %6s %6s %12s %7s %7s %7s  %s\n' "$name" "$took" "$cpu" "${execs:-?}" \
    "$(echo "$cov" | awk '{ print $2 }')" "$(echo "$cov" | awk '{ print $4 }')" \
    "$(ls "$work" | wc -l)" "$([ "$found" -gt 0 ] && echo "$found new in tests/fuzz/crashes/$name (see $log)" || echo none)"
done
exit $status
