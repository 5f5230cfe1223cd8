#!/usr/bin/env bash
# PET SUV body weight from the DICOM tags against a hand computation (tests/e2e/mkdicom.py's
# suv_by_hand, in Python from the same tags): the ROI's mean SUV is its mean activity
# concentration times the factor.  Decay START with the injection as DateTime or as a Time on
# the Series Date, ADMIN, GML kept as it is, GE's private scan DateTime when the series time
# was rewritten; and a clear error for each missing tag.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
MK="/usr/bin/python3 $RGX_ROOT/tests/e2e/mkdicom.py"
/usr/bin/python3 -c 'import pydicom, numpy' 2>/dev/null || skip_all "needs Debian's python3-pydicom and python3-numpy"
cat > "$D/c.yaml" <<'YAML'
extract:
  default:
    interpolation: {method: none}
    discretisation: {method: fbn, bins: 8}
    features:
      families: [stat]
YAML
mean() { "$RADIOGX" features "$1" "$1/rtstruct.dcm:Sphere" -c "$D/c.yaml" 2>&1 | awk -F'\t' '/^radiogx/ { print; exit } $1 == "stat_mean" { print $2 }'; }
# Mean activity of the ROI (Bq/ml) from the series read as CT-like values: the truth's mean.
truth=$($MK series "$D/ref")
act=$(/usr/bin/python3 -c "import json,sys; print(repr(json.loads(sys.argv[1])['Sphere']['mean']))" "$truth")
case_() { # NAME EDITS...
  local n=$1; shift
  local args=() e
  for e in "$@"; do args+=(--pet-edit "$e"); done
  local js; js=$($MK pet "$D/$n" --no-truth "${args[@]}") || { ok 1 "$n: mkdicom.py"; return; }
  local f; f=$(/usr/bin/python3 -c "import json,sys; print(repr(json.loads(sys.argv[1])['suv_factor']))" "$js")
  local got; got=$(mean "$D/$n")
  # float voxels: 1e-6 relative
  ok $(awk -v g="$got" -v a="$act" -v f="$f" 'BEGIN { w = a * f; d = (g - w) / w; if (d < 0) d = -d; exit !(d < 1e-6) }'; echo $?) \
    "$n: mean SUV $got = mean activity x $(printf '%.6g' "$f") (by hand)"
}
case_ start_datetime
case_ start_time RadiopharmaceuticalStartDateTime= RadiopharmaceuticalStartTime=091000
case_ admin DecayCorrection=ADMIN
case_ gml Units=GML
case_ ge_private SeriesTime=121000 AcquisitionTime=101500 GE_SCAN=20240115101500 \
  RadiopharmaceuticalStartDateTime= GE_ADMIN=20240115091000
# The factor itself, by hand for the default tags: 72.5 kg, 350 MBq at 09:10, series 10:15,
# half-life 6586.2 s: 72500 / (3.5e8 x 2^(-3900 / 6586.2)) = 3.1227e-4 g/Bq.
f=$(awk 'BEGIN { printf "%.6g", 72500 / (3.5e8 * exp(-log(2) * 3900 / 6586.2)) }')
js=$($MK pet "$D/check" --no-truth)
is "$(/usr/bin/python3 -c "import json,sys; print('%.6g' % json.loads(sys.argv[1])['suv_factor'])" "$js")" "$f" \
  "the hand computation itself: $f"
err() { # NAME EXPECTED EDITS...
  local n=$1 want=$2; shift 2
  local args=() e
  for e in "$@"; do args+=(--pet-edit "$e"); done
  $MK pet "$D/$n" --no-truth "${args[@]}" > /dev/null 2>&1 || true
  run "$RADIOGX" features "$D/$n" "$D/$n/rtstruct.dcm:Sphere" -c "$D/c.yaml"
  is "$rc" 5 "$n: an input error"
  like "$out" "$want" "$n: the message names what is missing"
}
err no_weight "PET SUV needs Patient's Weight (0010,1030)" PatientWeight=
err no_dose "PET SUV needs Radionuclide Total Dose (0018,1074)" RadionuclideTotalDose=
err no_halflife "PET SUV needs Radionuclide Half Life (0018,1075)" RadionuclideHalfLife=
err no_injection "PET SUV needs the injection time" RadiopharmaceuticalStartDateTime=
err no_units "PET SUV needs Units (0054,1001)" Units=
err no_decay "PET SUV needs Decay Correction (0054,1102)" DecayCorrection=
err cnts "PET Units CNTS without Philips' SUV Scale Factor" Units=CNTS
err rewritten "the Acquisition Time precedes the Series Time" SeriesTime=121000
done_testing
