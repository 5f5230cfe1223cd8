#!/usr/bin/env bash
# radiogx run: the same bits for 1, 2, 3, 4 and 8 ranks (h5diff with no tolerance on
# /features, /assoc, /variants, /hits; the exported tables byte for byte), and after
# interruptions: a stop request (USR1, exit 75) during the scan, kill -9 during the scan and
# kill -9 during extraction, each resumed with another rank count.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
cd "$D"
"$RADIOGX" simulate --patients 80 --variants 8000 --dims 24,24,10 --seed 11 --inject-failures \
  --out coh >/dev/null 2>&1
# Small blocks, so that a signal lands in the middle of the scan; under AddressSanitizer
# (slower by an order) larger ones, and fewer rank counts: that run is for memory errors.
block=$(plain_or_asan 16 128) nps=$(plain_or_asan "2 3 4 8" 3)
cat > s.yaml <<EOF
study:
  name: r
  genome_build: GRCh38
  genotyping_technology: [Genome-wide genotyping array]
  manifest: coh/manifest.tsv
  genotypes: coh/genotypes.vcf.gz
  covariates: coh/covariates.tsv
extract:
  default:
    features:
      families: [stat, ih]   # (every family: extract.t checks them for 1-4 ranks)
scan:
  block_size: $block
  checkpoint_after: 0
EOF
same() { # DIR: the run in DIR equals the reference run in R1
  local bad=""
  # (/samples/time is each patient's wall time: the one dataset that may differ.)
  for o in /features /assoc /variants /hits /phenotypes /samples/status /samples/reason /samples/sample_id; do
    h5diff R1/run.h5 "$1/run.h5" "$o" "$o" >/dev/null 2>&1 || bad="$bad $o"
  done
  for f in features.tsv hits.tsv sumstats/CT.1.stat_mean.tsv.gz; do
    cmp -s "R1/$f" "$1/$f" || bad="$bad $f"
  done
  echo "${bad:-identical}"
}
run mpirun -np 1 "$RADIOGX" run -c s.yaml --out R1
is "$rc" 0 "1 rank"
for np in $nps; do
  run mpirun -np $np "$RADIOGX" run -c s.yaml --out R$np
  is "$rc" 0 "$np ranks"
  is "$(same R$np)" identical "$np ranks: the same bits as 1 rank"
done

# A file in DIR's checkpoint folder larger than SIZE bytes (the stage has done some work).
wait_ckpt() { # DIR STAGE SIZE
  for i in $(seq 800); do
    [ -n "$(find "$1" -name "$2.*" -size +"$3"c 2>/dev/null)" ] && return 0
    sleep 0.02
  done
  return 1
}
# 1. A stop request during the scan: exit 75, then resume with 3 ranks.
( mpirun -np 2 "$RADIOGX" run -c s.yaml --out S > S.log 2>&1; echo $? > S.rc ) &
wait_ckpt S/run.h5.ckpt scan 40000
pkill -USR1 -f "radiogx run -c s.yaml --out S"
wait
if [ "$(cat S.rc)" = 75 ]; then
  like "$(cat S.log)" "scan stopped on request" "USR1 during the scan: stops with exit 75"
  [ ! -e S/run.h5 ]; ok $? "no run file yet"
  run mpirun -np 3 "$RADIOGX" run -c s.yaml --out S
  is "$rc" 0 "resumed with 3 ranks"
  like "$out" "scan: resuming:" "the scan took the recorded blocks"
else
  is "$(cat S.rc)" 0 "the stop came after the end: the run simply finished"
fi
is "$(same S)" identical "after a stop in the scan: identical"

# kill -9 of the whole job once a stage has recorded some work, then a rerun with NP ranks.
kill_and_resume() { # OUT CKPT_DIR STAGE SIZE NP LABEL
  ( mpirun -np 2 "$RADIOGX" run -c s.yaml --out "$1" > "$1.log" 2>&1 ) &
  wait_ckpt "$2" "$3" "$4"
  pkill -9 -f "radiogx run -c s.yaml --out $1"
  wait 2>/dev/null
  run mpirun -np "$5" "$RADIOGX" run -c s.yaml --out "$1"
  is "$rc" 0 "after kill -9 in $6: rerun with $5 rank(s)"
}
# 2. kill -9 during the scan, resumed with 1 rank.
kill_and_resume K K/run.h5.ckpt scan 40000 1 "the scan"
like "$out" "scan: resuming:" "the scan took the recorded blocks"
is "$(same K)" identical "after kill -9 in the scan: identical"
# 3. kill -9 during extraction, resumed with 4 ranks.
kill_and_resume E E/features.h5.ckpt extract 2000 4 "extraction"
is "$(same E)" identical "after kill -9 in extraction: identical"
[ ! -e E/run.h5.ckpt ] && [ ! -e E/features.h5.ckpt ]; ok $? "checkpoints removed at the end"
done_testing
