#!/usr/bin/env bash
# OpenBLAS's kernels (src/core/blas_core.c): on a CPU that OpenBLAS does not know, it takes its
# slowest kernels, and radiogx restarts itself with the ones the CPU can run.  Checked against
# the CPU's flags in /proc/cpuinfo: the kernels in use (radiogx --version, the start-up log)
# use AVX-512 where the CPU has it, AVX2 where it has AVX2 and FMA; a user's OPENBLAS_CORETYPE
# stands; a restarted radiogx keeps its process name; a restarted MPI scan keeps its
# arguments, and its results equal those of the oldest kernels (Prescott) to rounding.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
core() { "$@" --version 2>&1 | sed -n 's/^OpenBLAS kernels: \([A-Za-z0-9]*\).*/\1/p'; }

k=$(core "$RADIOGX")
ok "$([ -n "$k" ]; echo $?)" "radiogx --version names OpenBLAS's kernels ($k)"
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has() { for f in "$@"; do [[ $flags == *" $f "* ]] || return 1; done; }
if has avx512f avx512cd avx512bw avx512dq avx512vl; then
  like " SkylakeX Cooperlake SapphireRapids " " $k " "AVX-512 CPU: AVX-512 kernels ($k)"
elif has avx2 fma; then
  like " Haswell Excavator Zen SkylakeX Cooperlake SapphireRapids " " $k " \
    "AVX2 and FMA CPU: AVX2 kernels at least ($k)"
else
  ok 0 "# SKIP this CPU has no AVX2: OpenBLAS's own choice ($k)"
fi
is "$(core env OPENBLAS_CORETYPE=Prescott "$RADIOGX")" Prescott \
  "OPENBLAS_CORETYPE set by the user: it stands"
unlike "$(OPENBLAS_CORETYPE=Prescott "$RADIOGX" --version)" "chosen by radiogx" \
  "... and no restart is said"

# A restarted radiogx keeps its name (ps, top, pkill; started from /proc/self/exe it would be
# "exe"): export waits on a FIFO for its run file, after the restart.
if "$RADIOGX" --version | grep -q "chosen by radiogx"; then
  mkfifo "$D/fifo"
  "$RADIOGX" export "$D/fifo" --hits "$D/h.tsv" >/dev/null 2>&1 &
  p=$! name=""
  for _ in $(seq 200); do
    if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -q '^RADIOGX_OPENBLAS_DETECTED='; then
      name=$(cat "/proc/$p/comm"); break
    fi
    sleep 0.05
  done
  : > "$D/fifo" # a writer: export reads an empty "file" and stops
  wait "$p"
  is "$name" radiogx "restarted, the process keeps its name"
fi

"$RADIOGX" simulate --patients 40 --variants 200 --chromosomes 1 --dims 16,16,8 --seed 5 \
  --out "$D/c" >/dev/null 2>&1
awk 'NR == 1 { print "#IID\ty1\ty2"; next } { print $1 "\t" (NR * 7919 % 101) / 10 "\t" (NR * 31 % 17) }' \
  "$D/c/covariates.tsv" > "$D/p.tsv"
scan() { # OUT [ENV...]
  local o=$1; shift
  env "$@" mpirun -np 2 "$RADIOGX" scan -g "$D/c/genotypes.vcf.gz" -p "$D/p.tsv" \
    --covar "$D/c/covariates.tsv" --covar-names age,sex --maf 0.05 -o "$D/$o.h5"
}
run scan a
is "$rc" 0 "mpirun -np 2 scan with the kernels radiogx chose"
like "$out" "OpenBLAS kernels: $k" "the start-up log names them"
run scan b OPENBLAS_CORETYPE=Prescott
is "$rc" 0 "the same scan with OpenBLAS's oldest kernels (Prescott)"
like "$out" "OpenBLAS kernels: Prescott" "... named in the log"
for o in a b; do
  "$RADIOGX" export "$D/$o.h5" "${ssf[@]}" --sumstats "$D/$o" >/dev/null 2>&1
done
# beta and standard_error of every variant of both phenotypes (GWAS-SSF columns by name)
cols() { zcat "$1" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { print $c["beta"], $c["standard_error"] }'; }
n=0 bad=0
for f in "$D"/a/*.tsv.gz; do
  r=$(paste -d' ' <(cols "$f") <(cols "$D/b/$(basename "$f")") | awk '
    function rel(x, y) { d = x - y; if (d < 0) d = -d; m = (y < 0 ? -y : y); return m > 0 ? d / m : d }
    { n++; if (rel($1, $3) > 1e-9 || rel($2, $4) > 1e-9) bad++ } END { print n + 0, bad + 0 }')
  n=$((n + ${r% *})) bad=$((bad + ${r#* }))
done
ok "$([ "$n" -gt 100 ] && [ "$bad" = 0 ]; echo $?)" \
  "beta and SE of $n pairs within 1e-9 relative of the Prescott kernels' ($bad apart)"
done_testing
