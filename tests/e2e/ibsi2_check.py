#!/usr/bin/python3
"""ibsi2_check.py REFERENCE.nii[.gz] MAP.nii[.gz] — compares a response map with an IBSI 2
reference response map by the IBSI rule: every voxel within 1% of the reference map's range
of intensities.  Prints "PASS <max |diff|> <range> <percent>" or "FAIL ..." (and where the
largest difference is); the exit status is 0 either way unless a file cannot be read or the
grids differ.  Reads NIfTI-1 itself (numpy only), so it shares no code with radiogx."""
import gzip, struct, sys
import numpy as np

DT = {2: np.uint8, 4: np.int16, 8: np.int32, 16: np.float32, 64: np.float64, 256: np.int8,
      512: np.uint16, 768: np.uint32}

def read(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    e = "<" if struct.unpack("<i", raw[:4])[0] == 348 else ">"
    if struct.unpack(e + "i", raw[:4])[0] != 348:
        sys.exit("%s: not a NIfTI-1 file" % path)
    dim = struct.unpack(e + "8h", raw[40:56])
    dt = struct.unpack(e + "h", raw[70:72])[0]
    off = int(struct.unpack(e + "f", raw[108:112])[0])
    slope, inter = struct.unpack(e + "2f", raw[112:120])
    n = dim[1:1 + dim[0]]
    a = np.frombuffer(raw[off:], dtype=np.dtype(DT[dt]).newbyteorder(e),
                      count=int(np.prod(n))).astype(np.float64)
    if slope not in (0, 1) or inter != 0:
        a = a * (slope if slope else 1) + inter
    return a.reshape(n[::-1]), n

ref, rn = read(sys.argv[1])
got, gn = read(sys.argv[2])
if tuple(rn) != tuple(gn):
    sys.exit("grids differ: reference %s, map %s" % (rn, gn))
rng = ref.max() - ref.min()
diff = np.abs(got - ref)
worst = np.unravel_index(np.nanargmax(np.where(np.isnan(diff), np.inf, diff)), diff.shape)
d = diff[worst]
ok = not np.isnan(got).any() and d <= 0.01 * rng
pct = 100 * d / rng if rng > 0 else (0.0 if d == 0 else float("inf"))
print("%s %.6g %.6g %.4f voxel(x=%d,y=%d,z=%d) got %.6g reference %.6g" %
      ("PASS" if ok else "FAIL", d, rng, pct, worst[2], worst[1], worst[0], got[worst], ref[worst]))
