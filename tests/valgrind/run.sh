#!/bin/bash
# run.sh TEST — one test of `make check-valgrind` under valgrind's memcheck, TAP on stdout.
#   A unit test binary runs under valgrind: an error or a definite leak makes it exit 99,
#   which prove reports as a failure.
#   An end-to-end script (tests/e2e/*.t) runs with every radiogx process under valgrind
#   (RADIOGX is tests/valgrind/radiogx, one log per process); one more test point, the last,
#   says whether any of those processes reported an error or a definite leak, and shows the
#   first report.
set -u
t=$1
here=$RGX_ROOT/tests/valgrind
# Open MPI's shared-memory transport copies between ranks with process_vm_readv, which
# valgrind cannot see: what a rank receives would look uninitialised.  Without the single
# copy the data passes through shared memory that valgrind sees written.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
case "$t" in
  *.t) ;;
  *) RGX_VG_BIN=$t RGX_VG_FLAGS="-q --error-exitcode=99" exec "$here/radiogx" ;;
esac

logs=$(mktemp -d /tmp/rgx_vg.XXXXXX)
trap 'rm -rf "$logs"' EXIT
# RGX_VG_KEEP=DIR keeps every process's log there (to read them all, not just the first).
[ -n "${RGX_VG_KEEP:-}" ] && trap 'mkdir -p "$RGX_VG_KEEP" && mv "$logs"/vg.*.log "$RGX_VG_KEEP"/ 2>/dev/null; rm -rf "$logs"' EXIT
# No --error-exitcode: the tests check radiogx's own exit status, which must stay its own.
# --child-silent-after-fork: a process started without mpirun forks Open MPI's daemon, whose
# log would end at its exec with no summary.
RGX_VG_BIN=$RADIOGX RADIOGX=$here/radiogx \
  RGX_VG_FLAGS="--child-silent-after-fork=yes --log-file=$logs/vg.%p.log" bash "$t" > "$logs/tap"
status=$?
n=0 plan=
while IFS= read -r line; do
  case "$line" in
    "1..0 # SKIP"*) echo "$line"; exit 0 ;;
    1..[0-9]*) plan=${line#1..} ;;
    "ok "[0-9]* | "not ok "[0-9]*) n=$((n + 1)); printf '%s\n' "$line" ;;
    *) printf '%s\n' "$line" ;;
  esac
done < "$logs/tap"
if [ -n "$plan" ] && [ "$plan" != "$n" ]; then
  echo "# the script planned $plan tests and ran $n" >&2
  status=1
fi

procs=0 bad=0 first=
for f in "$logs"/vg.*.log; do
  [ -e "$f" ] || continue
  procs=$((procs + 1))
  if ! grep -q 'ERROR SUMMARY: 0 errors' "$f"; then
    bad=$((bad + 1))
    [ -n "$first" ] || first=$f
  fi
done
n=$((n + 1))
if [ "$procs" -gt 0 ] && [ "$bad" = 0 ]; then
  echo "ok $n - valgrind: no memory error or definite leak in $procs radiogx processes"
else
  echo "not ok $n - valgrind: $bad of $procs radiogx processes reported errors or leaks"
  if [ -n "$first" ]; then
    grep -q 'ERROR SUMMARY' "$first" || echo "#   (no summary: the process was killed or exec'd)"
    echo "#   $(basename "$first"):"
    grep -v '^==[0-9]*== *$' "$first" | sed -n '1,60p' | sed 's/^/#   /'
  fi >&2
  status=1
fi
echo "1..$n"
exit "$status"
