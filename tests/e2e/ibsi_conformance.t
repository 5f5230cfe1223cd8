#!/usr/bin/env bash
# IBSI 1 conformance: `radiogx features` on the digital phantom (config/ibsi/phantom.yaml) and
# on the CT phantom (config/ibsi/config_A..E.yaml) against the reference tables, by the IBSI
# rule.  Every computed family must pass all its rows; families this version does not compute
# are listed, and the summary line counts them against the 1,804 valued features.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
R="$RGX_SHARED/data/ibsi1"
[ -d "$R" ] || skip_all "the IBSI data is not at $R (set RGX_SHARED)"
D=$(tmpdir)
total=0; computed=0
conf() { # label config image mask reference
  if [ ! -f "$RGX_ROOT/config/ibsi/$2.yaml" ]; then
    echo "# $1: config/ibsi/$2.yaml is not written yet (it needs interpolation)"
    return
  fi
  run "$RADIOGX" features "$3" "$4" --config "$RGX_ROOT/config/ibsi/$2.yaml"
  is "$rc" 0 "$1: radiogx features runs"
  printf '%s\n' "$out" | grep -v '^\[' > "$D/$1.tsv"
  local res; res=$(python3 "$RGX_ROOT/tests/e2e/ibsi_check.py" "$R/reference_values/$5" "$D/$1.tsv" "$1")
  printf '%s\n' "$res" | grep -v '^COUNTS'
  # Count the TAP lines printed by the checker into this script's totals.
  local okc notc; okc=$(printf '%s\n' "$res" | grep -c '^ok - '); notc=$(printf '%s\n' "$res" | grep -c '^not ok - ')
  _n=$((_n + okc + notc)); _fail=$((_fail + notc))
  read -r _ _ p v c <<< "$(printf '%s\n' "$res" | grep '^COUNTS')"
  total=$((total + p)); computed=$((computed + c))
}
P="$R/digital_phantom"; C="$R/ct_phantom"
conf phantom phantom "$P/phantom.nii.gz" "$P/mask.nii.gz" ibsi_1_reference_values_digital_phantom.csv
for x in A B C D E; do
  conf "config_$x" "config_$x" "$C/phantom.nii.gz" "$C/mask.nii.gz" "ibsi_1_reference_values_config_$x.csv"
done
echo "# IBSI conformance: $total of 1804 valued features pass (482 phantom + 1322 CT); $computed computed by this version"
done_testing
