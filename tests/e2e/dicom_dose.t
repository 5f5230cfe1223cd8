#!/usr/bin/env bash
# RTDOSE and dose-volume features.  (1) A linear dose ramp (10 + 0.5 (x - x0) Gy, an RTDOSE on
# a 2.5 x 2.5 x 3 mm grid) across a cube structure (an RTSTRUCT on the CT's 0.9 x 0.8 x 1.5 mm
# grid): trilinear interpolation of a linear dose is exact, so every DVH feature has a closed
# form over the cube's voxel doses, computed here by awk from mkdicom.py's list; and the
# continuous ramp's closed forms (Dmean = (lo + hi) / 2, Dx = hi - x% (hi - lo), Vx = (hi -
# x) / (hi - lo)) hold to within one voxel's dose step.  EQD2 by hand.  (2) A Gaussian dose
# over a sphere against plastimatch's `dvh` on the same dose and the same structure voxels
# (plastimatch's own rasterisation of the RTSTRUCT, as a label map), and on radiogx's own
# rasterisation of it: the cumulative DVHs agree (plastimatch prints 6 digits).  (3) The dose channel in a manifest through plan and extract: DOSE.<structure>.*
# columns, /dvh, and plan's coverage check.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
MK="/usr/bin/python3 $RGX_ROOT/tests/e2e/mkdicom.py"
/usr/bin/python3 -c 'import pydicom, numpy, h5py' 2>/dev/null || skip_all "needs Debian's python3-pydicom, python3-numpy and python3-h5py"

# ---- (1) the ramp across the cube ----
js=$($MK dose "$D/ramp")
ok $? "mkdicom.py writes the CT, the RTSTRUCT and the ramp RTDOSE"
mkdir -p "$D/ramp/cohort"
printf 'patient_id\timage_CT\tmask_CT\timage_DOSE\tmask_DOSE\n' > "$D/ramp/m.tsv"
printf 'P1\tCT\trtstruct.dcm:Cube\trtdose.dcm\trtstruct.dcm\n' >> "$D/ramp/m.tsv"
cat > "$D/ramp/c.yaml" <<'YAML'
extract:
  default:
    interpolation: {method: none}
    features: {families: [stat]}
dose:
  structures: [cube, Sphere]
  d_percent: [2, 50, 95, 98]
  d_cc: [0.5, 2]
  v_gy: [15, 20]
  v_percent: [95]
  prescription_gy: 21
  fractions: 5
  alpha_beta: 3
  structure: {Cube: {alpha_beta: 10}}
YAML
cd "$D/ramp"
run "$RADIOGX" extract -m m.tsv -c c.yaml -o r.h5
is "$rc" 0 "extract: the dose channel"
/usr/bin/python3 - r.h5 > got.tsv <<'PY'
import h5py, sys
f = h5py.File(sys.argv[1])
for n, v in zip(f['/features/names'][:], f['/features/values'][0]):
    n = n.decode()
    if n.startswith("DOSE.cube."): print("%s\t%.17g" % (n[len("DOSE.cube."):], v))
PY
feat() { awk -F'\t' -v t="$1" '$1 == t { print $2 }' got.tsv; }
# Closed forms over the cube's voxel doses d (ascending in the JSON), N of them.
/usr/bin/python3 -c "import json,sys; d=json.loads(sys.argv[1]); print('\n'.join(map(repr, d['cube_doses'])))" "$js" > d.txt
read -r vcc lo hi <<< "$(/usr/bin/python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(d['voxel_cc'], d['lo'], d['hi'])" "$js")"
want() { # EXPR over sorted-descending d[1..N]: an awk program body that prints
  sort -g -r d.txt | awk -v vcc="$vcc" -v lo="$lo" -v hi="$hi" "{ d[NR] = \$1; s += \$1 } END { N = NR; $1 }"
}
close() { # GOT WANT TOL NAME
  ok $(awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }'; echo $?) "$4 (got $1, expected $2)"
}
N=$(wc -l < d.txt)
close "$(feat dvh_dmean)" "$(want 'printf "%.12f", s / N')" 1e-9 "Dmean = mean of the voxel doses"
close "$(feat dvh_dmin)" "$(want 'printf "%.12f", d[N]')" 1e-9 "Dmin"
close "$(feat dvh_dmax)" "$(want 'printf "%.12f", d[1]')" 1e-9 "Dmax"
for x in 2 50 95 98; do
  close "$(feat dvh_d${x}pct)" "$(want "k = int($x * N / 100); if (k < $x * N / 100) k++; printf \"%.12f\", d[k]")" 1e-9 "D$x%: the ceil($x N / 100)-th largest dose"
  close "$(feat dvh_d${x}pct)" "$(awk -v lo="$lo" -v hi="$hi" -v x=$x 'BEGIN { printf "%.6f", hi - x / 100 * (hi - lo) }')" \
    "$(awk -v lo="$lo" -v hi="$hi" 'BEGIN { print (hi - lo) / 20 }')" "D$x%: the continuous ramp's closed form to one voxel step"
done
for x in 0.5 2; do
  t=$(printf '%s' "$x" | tr . p)
  close "$(feat dvh_d${t}cc)" "$(want "k = $x / vcc; if (k > int(k)) k = int(k) + 1; printf \"%.12f\", d[k]")" 1e-9 "D${x}cc"
done
for x in 15 20; do
  close "$(feat dvh_v${x}gy)" "$(want "for (i = 1; i <= N; i++) c += d[i] >= $x; printf \"%.12f\", 100 * c / N")" 1e-9 "V${x}Gy in %"
  close "$(feat dvh_v${x}gy_cc)" "$(want "for (i = 1; i <= N; i++) c += d[i] >= $x; printf \"%.12f\", c * vcc")" 1e-9 "V${x}Gy in cm3"
  close "$(feat dvh_v${x}gy)" "$(awk -v lo="$lo" -v hi="$hi" -v x=$x 'BEGIN { v = (hi - x) / (hi - lo); if (v > 1) v = 1; if (v < 0) v = 0; printf "%.6f", 100 * v }')" 5.01 \
    "V${x}Gy: the continuous ramp's closed form to one voxel column (5%)"
done
close "$(feat dvh_v95pct)" "$(want "for (i = 1; i <= N; i++) c += d[i] >= 19.95; printf \"%.12f\", 100 * c / N")" 1e-9 "V95% of 21 Gy = V19.95Gy"
close "$(feat dvh_volume_cc)" "$(awk -v n="$N" -v v="$vcc" 'BEGIN { printf "%.12f", n * v }')" 1e-9 "the cube's volume ($N voxels)"
# EQD2 with alpha/beta 10 (the cube's own) and 5 fractions, voxel by voxel.
close "$(feat dvh_eqd2_dmean)" "$(want 'for (i = 1; i <= N; i++) e += d[i] * (d[i] / 5 + 10) / 12; printf "%.12f", e / N')" 1e-9 "EQD2 mean (a/b 10, 5 fractions), voxel by voxel"
close "$(feat dvh_eqd2_dmax)" "$(want 'printf "%.12f", d[1] * (d[1] / 5 + 10) / 12')" 1e-9 "EQD2 of Dmax"
curve=$(/usr/bin/python3 -c "
import h5py; f = h5py.File('r.h5'); s = [x.decode() for x in f['/dvh/structures'][:]]
g = f['/dvh/dose_gy'][:]; v = f['/dvh/volume_pct'][0]; n = len(g)
k = list(g).index(20.0) if 20.0 in list(g) else int(round(20 / (g[1] - g[0])))
print(s, n, '%.9f' % v[k], '%.9f' % v[0])")
like "$curve" "['cube', 'Sphere'] 1001" "/dvh: the structures as the config names them, 1001 dose steps (0 to 100 Gy by 0.1)"
like "$curve" "$(printf '%.9f' "$(feat dvh_v20gy)") 100.000000000" "/dvh: V(20 Gy) is dvh_v20gy, V(0) is 100%"

# ---- plan: coverage and names ----
printf 'P2\tCT\trtstruct.dcm:Cube\trtdose.dcm\trtstruct.dcm\n' >> m.tsv
sed 's/structures: \[cube, Sphere\]/structures: [cube, Liver]/' c.yaml > c2.yaml
run "$RADIOGX" plan --manifest m.tsv --config c2.yaml
like "$out" "image_DOSE: " "plan checks the dose channel"
like "$out" "no ROI named 'Liver'; the ROIs are 'Sphere', 'Hollow', 'Cube'" "plan names a missing structure"
/usr/bin/python3 - rtdose.dcm small.dcm <<'PY'
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
n = 6  # keep 6 of the frames: the grid no longer covers the structures' upper slices
ds.NumberOfFrames = n
ds.GridFrameOffsetVector = ds.GridFrameOffsetVector[:n]
ds.PixelData = ds.PixelData[:ds.Rows * ds.Columns * 4 * n]
ds.save_as(sys.argv[2])
PY
printf 'patient_id\timage_CT\tmask_CT\timage_DOSE\tmask_DOSE\n' > m3.tsv
printf 'P1\tCT\trtstruct.dcm:Cube\tsmall.dcm\trtstruct.dcm\n' >> m3.tsv
run "$RADIOGX" plan --manifest m3.tsv --config c.yaml
like "$out" "small.dcm: the dose grid does not cover structure 'cube'" "plan: a dose grid that does not cover a structure"

# ---- (2) against plastimatch dvh ----
cd "$D"
if ! command -v plastimatch > /dev/null; then
  ok 1 "plastimatch is not installed (scripts/deps.sh installs it)"
else
  $MK dose "$D/g" --gauss --rois Sphere > /dev/null
  cd "$D/g"
  plastimatch convert --input rtstruct.dcm --referenced-ct CT --output-labelmap lm.nii.gz \
    --output-ss-img ss.nii.gz --output-ss-list ss.txt > pc.log 2>&1
  ok $? "plastimatch convert: the RTSTRUCT as its label map and structure-set image"
  plastimatch dvh --input-ss-img ss.nii.gz --input-ss-list ss.txt --input-dose rtdose.dcm \
    --output-csv dvh.csv --num-bins 400 --bin-width 0.2 > pd.log 2>&1
  ok $? "plastimatch dvh"
  # plastimatch's bin k counts doses d with floor((d + 0.1) / 0.2) >= k: d >= (k - 0.5) 0.2.
  # radiogx's curve at 0.1 Gy steps: V(j 0.1); so plastimatch's row k is radiogx's j = 2k - 1.
  # With plastimatch's label map (label 1: the sphere) both count the same voxels; with the
  # RTSTRUCT radiogx rasterises the sphere itself.
  printf 'extract:\n  default:\n    interpolation: {method: none}\n    features: {families: [stat]}\n' > c.yaml
  printf 'dose:\n  structures: ["1"]\n  dvh_bin_gy: 0.1\n  dvh_max_gy: 80\n' >> c.yaml
  sed 's/\["1"\]/[Sphere]/' c.yaml > cr.yaml
  printf 'patient_id\timage_CT\tmask_CT\timage_DOSE\tmask_DOSE\n' > m.tsv
  cp m.tsv m2.tsv
  printf 'P1\tCT\trtstruct.dcm:Sphere\trtdose.dcm\tlm.nii.gz\n' >> m.tsv
  printf 'P1\tCT\trtstruct.dcm:Sphere\trtdose.dcm\trtstruct.dcm\n' >> m2.tsv
  run "$RADIOGX" extract -m m.tsv -c c.yaml -o l.h5
  is "$rc" 0 "extract: the dose over plastimatch's label map of the sphere"
  run "$RADIOGX" extract -m m2.tsv -c cr.yaml -o r.h5
  is "$rc" 0 "extract: the dose over radiogx's rasterisation of the sphere"
  res=$(/usr/bin/python3 - <<'PY'
import csv, h5py
rows = list(csv.reader(open("dvh.csv")))
hdr = rows[0]; col = [c.strip() for c in hdr].index("Sphere")
pl = [float(r[col]) * 100 for r in rows[1:]]          # plastimatch: fraction -> %
def curve(fn):
    f = h5py.File(fn); return list(f['/dvh/volume_pct'][0])
lm, rs = curve("l.h5"), curve("r.h5")
worst = max(abs(pl[k] - lm[2 * k - 1]) for k in range(1, 400) if 2 * k - 1 < len(lm))
worst_rs = max(abs(pl[k] - rs[2 * k - 1]) for k in range(1, 400) if 2 * k - 1 < len(rs))
f = h5py.File("l.h5"); n = [x.decode() for x in f['/features/names'][:]]
vol_l = f['/features/values'][0][n.index('DOSE.1.dvh_volume_cc')]
f = h5py.File("r.h5"); n = [x.decode() for x in f['/features/names'][:]]
vol_r = f['/features/values'][0][n.index('DOSE.Sphere.dvh_volume_cc')]
print("%.6f %.6f %.6f %.6f" % (worst, worst_rs, vol_l, vol_r))
PY
)
  read -r worst worst_rs vol_l vol_r <<< "$res"
  ok $(awk -v w="$worst" 'BEGIN { exit !(w != "" && w < 0.2) }'; echo $?) \
    "same voxels: radiogx's cumulative DVH is plastimatch's within 0.2% of the volume at every 0.2 Gy bin (worst $worst%)"
  ok $(awk -v w="$worst_rs" 'BEGIN { exit !(w != "" && w < 0.2) }'; echo $?) \
    "radiogx's own rasterisation of the RTSTRUCT: within 0.2% of plastimatch's DVH too (worst $worst_rs%)"
  is "$vol_r" "$vol_l" "radiogx's rasterised sphere has the volume of plastimatch's ($vol_l cm3)"
fi
done_testing
