#!/usr/bin/env bash
# The voxel reader (image.c: streamed, a .nii.gz inflated in pieces by ISA-L) on every NIfTI-1
# scalar datatype, both byte orders, .nii and .nii.gz, a gzip of two members,
# scl_slope/scl_inter, and a truncated .nii.gz: the same image must give the same features
# whatever its encoding, and a damaged file a clear error.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
python3 - "$D" "$RGX_ROOT/tests/e2e" <<'PY'
import gzip, sys
sys.path.insert(0, sys.argv[2])
from mkcohort import TYPES, nifti_bytes
d = sys.argv[1]
dims, sp = (14, 12, 9), (1.0, 1.0, 2.0)
vals = [((i * 7 + j * 3 + k * 5) % 23) * 5 for k in range(dims[2]) for j in range(dims[1]) for i in range(dims[0])]
mask = [1 if 2 <= i < 12 and 2 <= j < 10 and 1 <= k < 8 else 0 for k in range(dims[2]) for j in range(dims[1]) for i in range(dims[0])]
image = lambda t, order, v, slope=1.0, inter=0.0: nifti_bytes(dims, sp, t, v, order, slope, inter)
def write(name, blob, how):
    if how == "nii":
        open(d + "/" + name + ".nii", "wb").write(blob)
    elif how == "gz":
        with gzip.GzipFile(d + "/" + name + ".nii.gz", "wb", mtime=0) as f:
            f.write(blob)
    else:  # two gzip members, as some tools write
        half = len(blob) // 2
        open(d + "/" + name + ".nii.gz", "wb").write(gzip.compress(blob[:half], mtime=0) + gzip.compress(blob[half:], mtime=0))
write("mask", image("uint8", "<", mask), "gz")
for t in TYPES:
    for order, on in (("<", "le"), (">", "be")):
        for how in ("nii", "gz"):
            write("%s_%s_%s" % (t, on, how), image(t, order, vals), how)
write("int16_le_members", image("int16", "<", vals), "members")
# Scaled: stored v, meaning 2 v - 5; the reference stores 2 v - 5 as float32.
write("scaled", image("int16", "<", vals, 2.0, -5.0), "gz")
write("scaled_ref", image("float32", "<", [2 * v - 5 for v in vals]), "gz")
# Truncated: the gzip stream cut in the middle.
z = gzip.compress(image("int16", "<", vals), mtime=0)
open(d + "/cut.nii.gz", "wb").write(z[: len(z) // 2])
PY
cat > "$D/stat.yaml" <<'Y'
extract:
  default:
    interpolation: {method: none}
    resegmentation: {range: null}
    discretisation: {method: fbn, bins: 8}
    features:
      families: [stat, ih]
Y
feats() { "$RADIOGX" features "$1" "$D/mask.nii.gz" --config "$D/stat.yaml" 2>&1; }
ref=$(feats "$D/int16_le_gz.nii.gz")
like "$ref" "stat_mean" "reference image (int16, little-endian, .nii.gz) reads"
for t in uint8 int8 int16 uint16 int32 uint32 int64 uint64 float32 float64; do
  for on in le be; do
    for how in nii gz; do
      ext=nii; [ $how = gz ] && ext=nii.gz
      is "$(feats "$D/${t}_${on}_${how}.$ext")" "$ref" "$t $on .$ext: the same features"
    done
  done
done
is "$(feats "$D/int16_le_members.nii.gz")" "$ref" "a gzip of two members (through znz): the same features"
is "$(feats "$D/scaled.nii.gz")" "$(feats "$D/scaled_ref.nii.gz")" "scl_slope 2, scl_inter -5 applied"
run "$RADIOGX" features "$D/cut.nii.gz" "$D/mask.nii.gz" --config "$D/stat.yaml"
ok "$([ "$rc" != 0 ]; echo $?)" "a truncated .nii.gz fails"
like "$out" "cut.nii.gz" "and the message names the file"
done_testing
