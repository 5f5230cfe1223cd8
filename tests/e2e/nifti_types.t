#!/usr/bin/env bash
# The voxel reader (image.c: streamed, a .nii.gz inflated in pieces by ISA-L) on every NIfTI-1
# scalar datatype, both byte orders, .nii and .nii.gz, a gzip of two members, NIfTI-2 (both
# byte orders), .hdr/.img pairs (plain and gzipped), scl_slope/scl_inter, and a truncated
# .nii.gz: the same image must give the same features whatever its encoding, and a damaged
# file a clear error.
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
# NIfTI-2: a 540-byte header of 64-bit fields (and 4 extension bytes), the same voxels.
import struct
def nifti2_bytes(dtype, values, order):
    code, bitpix, fmt = TYPES[dtype]
    h = bytearray(540)
    struct.pack_into(order + "i", h, 0, 540)
    h[4:12] = b"n+2\0\r\n\x1a\n"
    struct.pack_into(order + "hh", h, 12, code, bitpix)
    struct.pack_into(order + "8q", h, 16, 3, dims[0], dims[1], dims[2], 1, 1, 1, 1)
    struct.pack_into(order + "8d", h, 104, 1.0, sp[0], sp[1], sp[2], 1, 1, 1, 1)
    struct.pack_into(order + "q", h, 168, 544)             # vox_offset
    struct.pack_into(order + "dd", h, 176, 1.0, 0.0)       # scl_slope, scl_inter
    struct.pack_into(order + "ii", h, 344, 0, 1)           # qform_code 0, sform_code 1
    struct.pack_into(order + "4d", h, 400, sp[0], 0, 0, -10.0)
    struct.pack_into(order + "4d", h, 432, 0, sp[1], 0, -12.0)
    struct.pack_into(order + "4d", h, 464, 0, 0, sp[2], 5.0)
    struct.pack_into(order + "i", h, 500, 2)               # xyzt_units: mm
    return bytes(h) + b"\0\0\0\0" + struct.pack(order + "%d%s" % (len(vals), fmt), *[int(v) for v in values])
for order, on in (("<", "le"), (">", "be")):
    write("nifti2_" + on, nifti2_bytes("int16", vals, order), "gz")
# A .hdr/.img pair ("ni1", voxels from offset 0 of the .img), plain and gzipped.
b = image("int16", "<", vals)
h = bytearray(b[:348]); h[108:112] = struct.pack("<f", 0.0); h[344:348] = b"ni1\0"
open(d + "/pair.hdr", "wb").write(h); open(d + "/pair.img", "wb").write(b[352:])
with gzip.GzipFile(d + "/pairz.hdr.gz", "wb", mtime=0) as f: f.write(h)
with gzip.GzipFile(d + "/pairz.img.gz", "wb", mtime=0) as f: f.write(b[352:])
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
is "$(feats "$D/int16_le_members.nii.gz")" "$ref" "a gzip of two members: the same features"
is "$(feats "$D/nifti2_le.nii.gz")" "$ref" "NIfTI-2, little-endian: the same features"
is "$(feats "$D/nifti2_be.nii.gz")" "$ref" "NIfTI-2, big-endian: the same features"
is "$(feats "$D/pair.hdr")" "$ref" "a .hdr/.img pair: the same features"
is "$(feats "$D/pairz.hdr.gz")" "$ref" "a gzipped .hdr/.img pair: the same features"
is "$(feats "$D/scaled.nii.gz")" "$(feats "$D/scaled_ref.nii.gz")" "scl_slope 2, scl_inter -5 applied"
run "$RADIOGX" features "$D/cut.nii.gz" "$D/mask.nii.gz" --config "$D/stat.yaml"
ok "$([ "$rc" != 0 ]; echo $?)" "a truncated .nii.gz fails"
like "$out" "cut.nii.gz" "and the message names the file"
done_testing
