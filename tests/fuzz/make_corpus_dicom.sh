#!/usr/bin/env bash
# make_corpus_dicom.sh — rebuilds the seed corpora of fuzz_dcm and fuzz_ljpeg (tests/fuzz/corpus/)
# from tiny series written by tests/e2e/mkdicom.py (8 x 6 x 4 voxels) in every transfer
# syntax radiogx reads, compressed by DCMTK and GDCM; one slice of each, the RTSTRUCT, binary
# and fractional SEGs, an enhanced multi-frame file, a PET slice.  Needs python3-pydicom, dcmtk, libgdcm-tools.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
C=tests/fuzz/corpus; rm -rf "$C/dcm" "$C/ljpeg"; mkdir -p "$C/dcm" "$C/ljpeg"
export MKDICOM_TINY=1
MK="/usr/bin/python3 tests/e2e/mkdicom.py"
for s in implicit explicit big deflated rle; do
  $MK series "$W/$s" --syntax $s --no-truth > /dev/null; cp "$W/$s/IM001.dcm" "$C/dcm/$s.dcm"
done
cp "$W/implicit/rtstruct.dcm" "$C/dcm/rtstruct.dcm"
$MK series "$W/seg" --seg > /dev/null; cp "$W/seg/seg.dcm" "$W/seg/seg_frac.dcm" "$C/dcm/"
$MK series "$W/enh" --enhanced --order shuffled --no-truth > /dev/null; cp "$W/enh/enhanced.dcm" "$C/dcm/enhanced.dcm"
$MK pet "$W/pet" --no-truth > /dev/null; cp "$W/pet/IM001.dcm" "$C/dcm/pet.dcm"
f="$W/implicit/IM001.dcm"
dcmcjpeg +e1 "$f" "$C/dcm/ljpeg_sv1.dcm"; dcmcjpeg +el +sv 6 "$f" "$C/dcm/ljpeg_sv6.dcm"
dcmcjpls "$f" "$C/dcm/jpegls.dcm"; gdcmconv --j2k "$f" "$C/dcm/j2k.dcm"; dcmcrle "$f" "$C/dcm/rle_dcmtk.dcm"
# fuzz_ljpeg's inputs: 4 bytes (width - 1, height - 1, sample width code, 1 = lossless JPEG)
# and the codestream of the first fragment.
for n in ljpeg_sv1 ljpeg_sv6; do
  /usr/bin/python3 - "$C/dcm/$n.dcm" "$C/ljpeg/$n.bin" <<'PY'
import sys, pydicom
from pydicom.encaps import generate_pixel_data_frame
ds = pydicom.dcmread(sys.argv[1])
frame = next(generate_pixel_data_frame(ds.PixelData))
open(sys.argv[2], "wb").write(bytes([ds.Columns - 1, ds.Rows - 1, 1, 1]) + frame)
PY
done
ls -la "$C/dcm" "$C/ljpeg"
