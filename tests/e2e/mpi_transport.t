#!/usr/bin/env bash
# One node's MPI transport (src/core/mpienv.c): a job whose ranks are all on this node asks
# Open MPI for its shared-memory layer (OMPI_MCA_pml=ob1, said in the first log line) — under
# mpirun and with no launcher — but not when the user has set OMPI_MCA_pml; the results are the
# same bits either way.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
"$RADIOGX" simulate --patients 24 --variants 300 --chromosomes 1 --dims 16,16,8 --seed 3 \
  --out "$D/c" >/dev/null 2>&1
awk 'NR == 1 { print "#IID\ty"; next } { print $1 "\t" (NR * 7919 % 101) / 10 }' \
  "$D/c/covariates.tsv" > "$D/p.tsv"
scan() { # scan OUT: the scan of the simulated cohort into OUT
  "$RADIOGX" scan -g "$D/c/genotypes.vcf.gz" -p "$D/p.tsv" --covar "$D/c/covariates.tsv" \
    --covar-names age,sex --maf 0.05 -o "$1"
}
said="Open MPI's shared-memory layer (one node: OMPI_MCA_pml=ob1)"

run env -u OMPI_MCA_pml mpirun -np 2 bash -c "$(declare -f scan); D=$D RADIOGX=$RADIOGX scan $D/a.h5"
is "$rc" 0 "mpirun -np 2: the scan runs"
like "$out" "2 ranks on 1 host" "mpirun -np 2: one host"
like "$out" "$said" "mpirun -np 2 on one node: the shared-memory layer asked for"

run env OMPI_MCA_pml=ob1 mpirun -np 2 bash -c "$(declare -f scan); D=$D RADIOGX=$RADIOGX scan $D/b.h5"
is "$rc" 0 "OMPI_MCA_pml set by the user: the scan runs"
unlike "$out" "$said" "OMPI_MCA_pml set by the user: left as it is"

run env -u OMPI_MCA_pml bash -c "$(declare -f scan); D=$D RADIOGX=$RADIOGX scan $D/c.h5"
is "$rc" 0 "no launcher: the scan runs"
like "$out" "$said" "no launcher (one process): the shared-memory layer asked for"

for f in b c; do
  d=$(h5diff -r "$D/a.h5" "$D/$f.h5" /assoc /assoc 2>&1); s=$?
  ok $s "/assoc of $f.h5 bitwise as a.h5's (the transport does not change the results)"
  [ "$s" = 0 ] || printf '%s\n' "$d" | tail -3 | sed 's/^/#   /' >&2
done
done_testing
