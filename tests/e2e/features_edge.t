#!/usr/bin/env bash
# `radiogx features` on degenerate ROIs: one voxel, one slice, an ROI touching the image
# border, and an ROI that vanishes when interpolated.  Features that a case leaves undefined
# may be NaN; nothing may crash, and the values that are defined must be right.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
python3 - "$D" "$RGX_ROOT/tests/e2e" <<'PY'
import sys; sys.path.insert(0, sys.argv[2])
from mkcohort import nifti
d = sys.argv[1]
dims = (12, 10, 8)
n = dims[0] * dims[1] * dims[2]
idx = lambda i, j, k: i + dims[0] * (j + dims[1] * k)
img = [((i * 7 + j * 3 + k * 5) % 11) * 10 - 20 for k in range(dims[2]) for j in range(dims[1]) for i in range(dims[0])]
nifti(d + "/img.nii.gz", dims, (1, 1, 2), "int16", img)
one = [0] * n; one[idx(5, 5, 4)] = 1
nifti(d + "/one.nii.gz", dims, (1, 1, 2), "uint8", one)
sl = [1 if k == 3 and 2 <= i < 9 and 3 <= j < 8 else 0 for k in range(dims[2]) for j in range(dims[1]) for i in range(dims[0])]
nifti(d + "/slice.nii.gz", dims, (1, 1, 2), "uint8", sl)
edge = [1 if i < 4 and j < 5 and k < 3 else 0 for k in range(dims[2]) for j in range(dims[1]) for i in range(dims[0])]
nifti(d + "/edge.nii.gz", dims, (1, 1, 2), "uint8", edge)
PY
cat > "$D/native.yaml" <<'Y'
extract:
  default:
    interpolation: {method: none}
    resegmentation: {range: null}
    discretisation: {method: fbn, bins: 8}
    features:
      families: [morph, loc, stat, ih, ivh, cm, rlm, szm, dzm, ngt, ngl]
      texture_dims: [2d, 2.5d, 3d]
Y
value() { printf '%s\n' "$out" | awk -F'\t' -v t="$1" '$1 == t { print $2 }'; }
run "$RADIOGX" features "$D/img.nii.gz" "$D/one.nii.gz" --config "$D/native.yaml"
is "$rc" 0 "one voxel: runs"
is "$(value morph_vol_approx)" 2 "one voxel: voxel-counting volume 1 x 1 x 2 mm"
like "$(value morph_volume)" '0.3333333333' "one voxel: mesh volume, the octahedron 4/3 x 0.5 x 0.5 x 1"
is "$(value stat_var)" 0 "one voxel: variance 0"
is "$(printf '%s\n' "$out" | grep -c $'\t')" "$(printf '%s\n' "$out" | grep -c $'^[a-z]')" "one voxel: every line is tag<TAB>value"
run "$RADIOGX" features "$D/img.nii.gz" "$D/slice.nii.gz" --config "$D/native.yaml"
is "$rc" 0 "one slice: runs"
is "$(value morph_vol_approx)" 70 "one slice: 7 x 5 voxels of 2 mm^3"
run "$RADIOGX" features "$D/img.nii.gz" "$D/edge.nii.gz" --config "$D/native.yaml"
is "$rc" 0 "ROI on the image border: runs"
is "$(value morph_vol_approx)" 120 "ROI on the border: 4 x 5 x 3 voxels of 2 mm^3"
run "$RADIOGX" features "$D/img.nii.gz" "$D/edge.nii.gz" --config "$RGX_ROOT/config/ibsi/config_E.yaml"
is "$rc" 0 "ROI on the border, cubic spline interpolation: runs"
run "$RADIOGX" features "$D/img.nii.gz" "$D/one.nii.gz" --config "$RGX_ROOT/config/ibsi/config_C.yaml"
isnt_ok=$([ "$rc" != 0 ] && echo 1 || echo 0)
is "$isnt_ok" 1 "one voxel at 2 mm: fails"
like "$out" "no voxel left in the interpolated mask" "one voxel at 2 mm: says why"
# A required key left out: the error points at the section that lacks it (line 4 here).
printf 'extract:\n  default:\n    resegmentation: {range: null}\n    interpolation: {method: linear}\n' > "$D/nospacing.yaml"
run "$RADIOGX" features "$D/img.nii.gz" "$D/slice.nii.gz" --config "$D/nospacing.yaml"
like "$out" "nospacing.yaml:4: extract.default.interpolation.spacing (not set): interpolation needs" "a missing key: the section's line, not line 0"
done_testing
