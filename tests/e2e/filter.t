#!/usr/bin/env bash
# Filters in a cohort run and on the command line: `radiogx extract` with a channel's filter
# list gives /features bitwise identical for 1 and 3 ranks, named <channel>.<label>.<tag>.<
# feature> with the family after the last dot, equal to `radiogx features` for a patient;
# `radiogx filter` option and config errors name what is wrong.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
python3 "$RGX_ROOT/tests/e2e/mkcohort.py" "$D/c" 6 7
cat > "$D/c/study.yaml" <<'YAML'
study:
  manifest: manifest.tsv
  genotypes: genotypes.vcf.gz
extract:
  default:
    interpolation: {method: linear, spacing: [1.5, 1.5, 1.5], round_intensities: true}
    resegmentation: {range: [-1000, 3000]}
    features: {families: [morph, stat]}
    filters:
      - {type: log, sigma: 2}
      - {type: wavelet, wavelet: coif1, bands: LLH, level: 2}
      - {type: laws, kernel: L5E5E5, energy_distance: 3, rotation_invariant: true,
         features: {families: [stat, ih, cm], discretisation: {method: fbn, bins: 16}}}
      - {type: gabor, dims: 2d, sigma: 3, lambda: 4, gamma: 0.5, theta_step: 45}
YAML
cd "$D/c"
run "$RADIOGX" extract -c study.yaml -o "$D/r1.h5"
is "$rc" 0 "extract with filters, 1 rank"
run mpirun -np 3 "$RADIOGX" extract -c study.yaml -o "$D/r3.h5"
is "$rc" 0 "3 ranks"
run h5diff "$D/r1.h5" "$D/r3.h5" /features /features
is "$rc" 0 "3 ranks: /features bitwise identical to 1 rank"
run "$RADIOGX" export "$D/r1.h5" --features "$D/f.tsv"
head -1 "$D/f.tsv" | tr '\t' '\n' > "$D/cols"
ok "$(grep -cx 'CT\.1\.log_s2\.stat_mean' "$D/cols" | grep -qx 1; echo $?)" "a LoG column CT.1.log_s2.stat_mean"
ok "$(grep -cx 'CT\.1\.laws_l5e5e5_en3_rimax\.cm_joint_max_3D_avg' "$D/cols" | grep -qx 1; echo $?)" "a texture column of a response map"
is "$(grep -c '^CT\.1\.gabor2d_s3_l4_g0p5_t0_ts45_mean\.stat_' "$D/cols")" 18 "18 statistics of the Gabor map"
fam=$(h5dump -d /features/family "$D/r1.h5" | tr -d '\\000' | grep -c '"cm"')
ok "$([ "$fam" -gt 0 ]; echo $?)" "response-map texture columns are family cm"
# One patient by radiogx features: the same numbers as the cohort run.
img=$(awk -F'\t' 'NR == 2 { print $2 }' manifest.tsv); msk=$(awk -F'\t' 'NR == 2 { print $3 }' manifest.tsv)
run "$RADIOGX" features "$img" "$msk" -c study.yaml -q
printf '%s\n' "$out" > "$D/one.tsv"
want=$(awk -F'\t' '$1 == "log_s2.stat_mean" { print $2 }' "$D/one.tsv")
got=$(awk -F'\t' -v c="$(grep -nx 'CT\.1\.log_s2\.stat_mean' "$D/cols" | cut -d: -f1)" 'NR == 2 { print $c }' "$D/f.tsv")
ok "$(awk -v a="$want" -v b="$got" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= 1e-9 * (a < 0 ? -a : a) + 1e-12) }'; echo $?)" "radiogx features agrees with the cohort run ($want, $got)"

# radiogx filter
run "$RADIOGX" filter "$img" -c study.yaml -o "$D/m.nii.gz" --filter 2
is "$rc" 0 "radiogx filter writes a map"
[ -s "$D/m.nii.gz" ]; ok $? "the map exists"
run "$RADIOGX" filter "$img" -c study.yaml -o "$D/m.nii.gz" --filter 9
is "$rc" 3 "--filter past the list: config error"
like "$out" "--filter 9, but the default block lists 4 filters" "its message"
run "$RADIOGX" filter "$img" -c study.yaml
is "$rc" 2 "no --out: usage error"
run "$RADIOGX" filter "$img" -o "$D/m.nii.gz"
is "$rc" 3 "no filter in the config"
like "$out" "lists 0 filters" "its message"
cat > "$D/bad.yaml" <<'YAML'
extract:
  default:
    filters:
      - {type: laws, kernel: L5E5E5, lambda: 3}
YAML
run "$RADIOGX" filter "$img" -c "$D/bad.yaml" -o "$D/m.nii.gz"
is "$rc" 3 "a key of another filter type"
like "$out" "bad.yaml:4: extract.default.filters.0.lambda (filter 1 of the list): does not apply to a laws filter" "names file, line, key"
run "$RADIOGX" filter /nonexistent.nii.gz -c study.yaml -o "$D/m.nii.gz"
ok "$([ "$rc" -ne 0 ]; echo $?)" "a missing image fails"
like "$out" "/nonexistent.nii.gz" "naming it"
run "$RADIOGX" filter --help
like "$out" "Usage: radiogx filter IMAGE" "--help"
done_testing
