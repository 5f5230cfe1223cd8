#!/usr/bin/env bash
# IBSI 2 phase 2: `radiogx features` on the IBSI 1 CT phantom with configurations A (2D) and B
# (3D, config/ibsi2/phase2_A.yaml and phase2_B.yaml: the nine filters of the phase, filter 1
# being the unfiltered image) against the consensus feature values, by the reference's rule
# (|value - consensus| <= tolerance).  Prints the counts per filter and configuration; 323 of
# the 324 rows have a consensus value (8.B's quartile coefficient of dispersion has none).
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
C="$RGX_SHARED/data/ibsi1/ct_phantom"
REF="$RGX_SHARED/data/ibsi2/reference_values/ibsi_2_reference_values.csv"
[ -f "$REF" ] && [ -f "$C/phantom.nii.gz" ] || skip_all "the IBSI 2 reference values or the IBSI 1 CT phantom are not under $RGX_SHARED/data (set RGX_SHARED)"
D=$(tmpdir)
total=0; valued=0
conf() { # config prefix1..prefix9 (the filters' tags, "-" for the unfiltered image)
  local x=$1; shift
  run "$RADIOGX" features "$C/phantom.nii.gz" "$C/mask.nii.gz" --config "$RGX_ROOT/config/ibsi2/phase2_$x.yaml" -q
  is "$rc" 0 "configuration $x: radiogx features runs"
  printf '%s\n' "$out" > "$D/$x.tsv"
  local res; res=$(/usr/bin/python3 "$RGX_ROOT/tests/e2e/ibsi2_features.py" "$REF" "$D/$x.tsv" "$x" "$@")
  printf '%s\n' "$res" | grep -v '^COUNTS'
  local okc notc; okc=$(printf '%s\n' "$res" | grep -c '^ok - '); notc=$(printf '%s\n' "$res" | grep -c '^not ok - ')
  _n=$((_n + okc + notc)); _fail=$((_fail + notc))
  read -r _ _ p v <<< "$(printf '%s\n' "$res" | grep '^COUNTS')"
  echo "# configuration $x: $p of $v valued features pass"
  total=$((total + p)); valued=$((valued + v))
}
conf A - mean2d_s5 log2d_s1p5 laws2d_l5e5_en7_rimax gabor2d_s5_l2_g1p5_t0_ts22p5_mean \
  wav2d_db3_lh_l1_rimean wav2d_db3_hh_l2_rimean simoncelli2d_l1_periodic simoncelli2d_l2_periodic
conf B - mean_s5 log_s1p5 laws_l5e5e5_en7_rimax gabor_s5_l2_g1p5_t0_ts22p5_ri_mean \
  wav_db3_llh_l1_rimean wav_db3_hhh_l2_rimean simoncelli_l1_periodic simoncelli_l2_periodic
echo "# IBSI 2 phase 2: $total of $valued valued features pass (324 rows, 323 with a consensus value)"
is "$valued" 323 "every valued reference feature was checked"
done_testing
