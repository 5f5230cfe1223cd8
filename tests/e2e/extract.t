#!/usr/bin/env bash
# radiogx extract: failure reasons, /features bitwise identical for 1-4 ranks, resume after a
# signal (exit 75) and after kill -9 gives the same file, export --features, verify.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
nps=$(plain_or_asan "2 3 4" 3) # rank counts compared with 1 rank
D=$(tmpdir)
python3 "$RGX_ROOT/tests/e2e/mkcohort.py" "$D/c" 24 7 --bad
cat > "$D/c/study.yaml" <<'YAML'
study:
  manifest: manifest.tsv
  genotypes: genotypes.vcf.gz
extract:
  default:
    interpolation: {method: linear, spacing: [1.5, 1.5, 1.5], round_intensities: true}
    resegmentation: {range: [-1000, 3000]}
    discretisation: {method: fbs, bin_width: 25}
YAML
cd "$D/c"
run "$RADIOGX" extract -c study.yaml -o "$D/r1.h5"
is "$rc" 0 "1 rank"
like "$out" "patient BAD_TRUNC (manifest line 26) failed: image_CT: img/truncated.nii.gz" "truncated image fails with its reason"
like "$out" "patient BAD_NAN (manifest line 29) failed: image_CT: img/nan.nii.gz: every voxel is NaN" "all-NaN image fails"
like "$out" "29 patients x 422 features written; 4 failed" "counts"
reasons=$(h5dump -d /samples/reason "$D/r1.h5" | tr -d '\\000')
like "$reasons" "mask for image_CT has no ROI voxel" "empty mask reason in /samples/reason"
like "$reasons" "image_CT and its mask are not on the same grid" "grid mismatch reason"
like "$reasons" "sample_id 'S_ABSENT' is not in the genotype file" "no-genotype note"
like "$(h5dump -d /samples/status "$D/r1.h5")" "(23): 0, 1, 1, 1, 1, 2" "statuses: 4 failed, 1 without genotypes"
for np in $nps; do
  run mpirun -np $np "$RADIOGX" extract -c study.yaml -o "$D/r$np.h5"
  is "$rc" 0 "$np ranks"
  run h5diff "$D/r1.h5" "$D/r$np.h5" /features /features
  is "$rc" 0 "$np ranks: /features bitwise identical to 1 rank"
  run h5diff "$D/r1.h5" "$D/r$np.h5" /samples/reason /samples/reason
  is "$rc" 0 "$np ranks: same reasons"
done

# A stop request: every rank stops after its patient, checkpoints, exits 75; rerun resumes.
# (A simulated cohort of full-size images, so that the signal lands mid-run.)
"$RADIOGX" simulate --patients 60 --variants 100 --chromosomes 1 --seed 3 --out "$D/big" >/dev/null 2>&1
cp study.yaml "$D/big/study.yaml"
cd "$D/big"
run "$RADIOGX" extract -c study.yaml -o "$D/b1.h5"
is "$rc" 0 "the simulated cohort, uninterrupted"
( mpirun -np 2 "$RADIOGX" extract -c study.yaml -o "$D/s.h5" > "$D/s.log" 2>&1; echo $? > "$D/s.rc" ) &
for i in $(seq 400); do [ -n "$(find "$D/s.h5.ckpt" -name "extract.*" -size +1k 2>/dev/null)" ] && break; sleep 0.01; done
pkill -USR1 -f "radiogx extract -c study.yaml -o $D/s.h5" 2>/dev/null
wait
src=$(cat "$D/s.rc")
if [ "$src" = 75 ]; then
  like "$(cat "$D/s.log")" "rerun the same command to resume (exit status 75)" "signal: checkpoint and exit 75"
  [ ! -e "$D/s.h5" ]; ok $? "signal: no run file yet"
else
  is "$src" 0 "signal came after the end: the run simply finished"
fi
run mpirun -np 3 "$RADIOGX" extract -c study.yaml -o "$D/s.h5"
is "$rc" 0 "resume with another rank count"
like "$out" "resuming:" "it resumed from the checkpoints"
run h5diff "$D/b1.h5" "$D/s.h5" /features /features
is "$rc" 0 "after the stop and resume: /features identical"
[ ! -e "$D/s.h5.ckpt" ]; ok $? "checkpoints removed at the end"
cd "$D/c"

# kill -9 of the whole job after some patients, then resume.
( "$RADIOGX" extract -c study.yaml -o "$D/k.h5" >/dev/null 2>&1 ) &
pid=$!
for i in $(seq 400); do [ -n "$(find "$D/k.h5.ckpt" -name "extract.*" -size +0 2>/dev/null)" ] && break; sleep 0.01; done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
run "$RADIOGX" extract -c study.yaml -o "$D/k.h5"
is "$rc" 0 "rerun after kill -9"
run h5diff "$D/r1.h5" "$D/k.h5" /features /features
is "$rc" 0 "after kill -9 and resume: /features identical"

# The table.
run "$RADIOGX" export "$D/r1.h5" --features "$D/f.tsv"
is "$rc" 0 "export --features"
is "$(head -1 "$D/f.tsv" | cut -f1-6)" "$(printf 'patient_id\tsample_id\tsite\tstatus\tCT.1.morph_volume\tCT.1.morph_vol_approx')" "header"
is "$(grep -c . "$D/f.tsv")" 30 "one row per patient"
like "$(grep '^BAD_NAN' "$D/f.tsv")" "failed	NA	NA" "a failed patient's row is NA"
[ "$(stat -c %a "$D/f.tsv")" = 640 ]; ok $? "features.tsv mode 0640"
[ "$(stat -c %a "$D/r1.h5")" = 640 ]; ok $? "run file mode 0640"

# verify reruns the recorded command and finds the same bits; a changed input is caught.
run "$RADIOGX" verify "$D/r3.h5"
is "$rc" 0 "verify: identical"
like "$out" "identical" "verify says identical"
cp img/P0001.nii.gz "$D/keep.nii.gz"; printf 'x' | dd of=img/P0001.nii.gz bs=1 seek=400 conv=notrunc 2>/dev/null
run "$RADIOGX" verify "$D/r3.h5"
is "$rc" 5 "verify: a changed input stops it"
like "$out" "img/P0001.nii.gz: changed" "and names it"
cp "$D/keep.nii.gz" img/P0001.nii.gz

# A broken config stops before any work, with its line.
printf 'extract:\n  default:\n    discretisation: {method: fbs, bin_wdth: 25}\n' > bad.yaml
run "$RADIOGX" extract -m manifest.tsv -c bad.yaml -o "$D/x.h5"
is "$rc" 3 "broken config: exit 3"
like "$out" "bad.yaml:3" "with its line"
done_testing
