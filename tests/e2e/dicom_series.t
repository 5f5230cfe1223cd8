#!/usr/bin/env bash
# DICOM series and RTSTRUCT round trips on synthetic series written by pydicom
# (tests/e2e/mkdicom.py, which also counts the expected voxels from the polygons it writes):
# a sphere and a hollow sphere (two contours per slice through the hole: even-odd rule) on a
# 48 x 40 x 30 grid; the voxels inside, their intensities (f(i,j,k) = 3i - 2j + 5k + 7 HU
# through Rescale Slope 0.5 / Intercept -1024) and the volume against the analytic one.  Then
# the same voxels as DICOM-SEG segments (binary and fractional); the same volume as an
# oblique series, in reversed and shuffled file order, in every
# uncompressed transfer syntax, as one enhanced multi-frame file, and compressed by DCMTK and
# GDCM (RLE, JPEG lossless SV1 and SV6, JPEG-LS, JPEG 2000): the same features.  Last, what
# must be an error: a missing slice, uneven spacing, a duplicate slice, two series in one
# folder, an unknown or unnamed ROI, a truncated file; and the manifest path through plan
# and extract under MPI.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
MK="/usr/bin/python3 $RGX_ROOT/tests/e2e/mkdicom.py"
/usr/bin/python3 -c 'import pydicom, numpy' 2>/dev/null || skip_all "needs Debian's python3-pydicom and python3-numpy"
cat > "$D/c.yaml" <<'YAML'
extract:
  default:
    interpolation: {method: none}
    discretisation: {method: none}
    features:
      families: [morph, stat]
YAML
feat() { # SERIES MASK [LABEL] -> "vol_approx mean min max" (or the error)
  "$RADIOGX" features "$1" "$2" -c "$D/c.yaml" --label "${3:-1}" 2>&1 | awk -F'\t' '
    /^radiogx/ { print; exit } $1 == "morph_vol_approx" { v = $2 } $1 == "stat_mean" { m = $2 }
    $1 == "stat_min" { lo = $2 } $1 == "stat_max" { hi = $2 } END { if (v != "") print v, m, lo, hi }'
}
# Two feature lines agree: the volume within 1e-6 relative (an oblique series' positions are
# written to 6 decimals), mean, min, max exactly.
same() {
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
    d = x[1] - y[1]; if (d < 0) d = -d;
    exit !(y[1] > 0 && d <= 1e-6 * y[1] && x[2] == y[2] && x[3] == y[3] && x[4] == y[4]) }'
}

# ---- the reference series and the truth ----
truth=$($MK series "$D/ax" --seg)
ok $? "mkdicom.py writes the axial series and its RTSTRUCT"
for roi in Sphere Hollow; do
  want=$(/usr/bin/python3 -c "import json,sys; t=json.loads(sys.argv[1])['$roi']; print(t['voxels'], repr(t['volume']), repr(t['mean']), t['min'], t['max'], t['analytic'])" "$truth")
  read -r nvox vol mean lo hi analytic <<< "$want"
  sel=$(printf '%s' "$roi" | tr 'A-Z' 'a-z')   # names are matched ignoring case
  got=$(feat "$D/ax" "$D/ax/rtstruct.dcm:$sel")
  read -r gvol gmean glo ghi <<< "$got"
  eval "ref_$roi=\"\$got\""
  ok $(awk -v a="$gvol" -v b="$vol" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-9 * b) }'; echo $?) \
    "$roi: $nvox voxel centres inside the contours, ${vol} mm3 (got $gvol)"
  is "$gmean $glo $ghi" "$(awk -v m="$mean" -v l="$lo" -v h="$hi" 'BEGIN { printf "%.17g %g %g", m, l, h }')" \
    "$roi: the ROI's intensities through the rescale (mean, min, max)"
  ok $(awk -v a="$gvol" -v b="$analytic" 'BEGIN { d = (a - b) / b; if (d < 0) d = -d; exit !(d < 0.01) }'; echo $?) \
    "$roi: volume $gvol mm3 within 1% of the analytic $(printf '%.2f' "$analytic") mm3"
done

# Several ROIs in one mask: labels 1, 2 in the order named, the later over the earlier.
got=$(feat "$D/ax" "$D/ax/rtstruct.dcm:Sphere,Hollow" 2)
same "$got" "$ref_Hollow"; ok $? "rtstruct.dcm:Sphere,Hollow: label 2 is Hollow"
got=$(feat "$D/ax" "$D/ax/rtstruct.dcm:Sphere,Hollow" 1)
read -r v1 _ <<< "$got"; read -r vs _ <<< "$ref_Sphere"; read -r vh _ <<< "$ref_Hollow"
ok $(awk -v a="$v1" -v s="$vs" -v h="$vh" 'BEGIN { d = a - (s - h); if (d < 0) d = -d; exit !(a != "" && d < 1e-6) }'; echo $?) \
  "... and label 1 the rest of Sphere (its volume less Hollow's: $v1 mm3)"

# ---- DICOM-SEG: the same voxels as segments ----
for roi in Sphere Hollow; do
  eval "ref=\"\$ref_$roi\""
  got=$(feat "$D/ax" "$D/ax/seg.dcm:$(printf '%s' "$roi" | tr 'a-z' 'A-Z')")
  same "$got" "$ref"; ok $? "SEG (binary, frames shuffled): segment '$roi' by its label ($got)"
  got=$(feat "$D/ax" "$D/ax/seg_frac.dcm:$roi")
  same "$got" "$ref"; ok $? "SEG (fractional, values below half the maximum outside): '$roi'"
done
got=$(feat "$D/ax" "$D/ax/seg.dcm" 2)
same "$got" "$ref_Hollow"; ok $? "SEG without a name: every segment as its number (2: Hollow, over Sphere)"
run "$RADIOGX" features "$D/ax" "$D/ax/seg.dcm:Liver" -c "$D/c.yaml"
like "$out" "no segment labelled 'Liver'; the segments are 'Sphere', 'Hollow'" "an unknown segment lists the segments there are"

# ---- the same volume written other ways ----
variant() { # NAME MKDICOM-ARGS...
  local n=$1; shift
  $MK series "$D/$n" --no-truth "$@" > /dev/null || { ok 1 "$n: mkdicom.py"; return; }
  for roi in Sphere Hollow; do
    local got ref; got=$(feat "$D/$n" "$D/$n/rtstruct.dcm:$roi"); eval "ref=\"\$ref_$roi\""
    same "$got" "$ref"; ok $? "$n ($*): $roi as the axial series ($got)"
  done
}
variant oblique --orient oblique
variant reversed --order reversed
variant explicit --syntax explicit
variant bigendian --syntax big
variant deflated --syntax deflated
variant rle --syntax rle
variant enhanced --enhanced --order shuffled
variant enhanced_oblique --enhanced --orient oblique --order reversed

# Compressed by other tools (DCMTK, GDCM) from the axial series.
convert() { # NAME TOOL ARGS...
  local n=$1; shift
  command -v "$1" >/dev/null || { ok 1 "$n: $1 is not installed (scripts/deps.sh installs dcmtk and libgdcm-tools)"; return; }
  mkdir -p "$D/$n"; cp "$D/ax/rtstruct.dcm" "$D/$n/"
  for f in "$D"/ax/IM*.dcm; do "$@" "$f" "$D/$n/$(basename "$f")" >/dev/null 2>&1 || { ok 1 "$n: $* failed"; return; }; done
  local ts; ts=$(/usr/bin/python3 -c "import pydicom,sys; print(pydicom.dcmread(sys.argv[1]).file_meta.TransferSyntaxUID)" "$D/$n/IM000.dcm")
  for roi in Sphere Hollow; do
    local got ref; got=$(feat "$D/$n" "$D/$n/rtstruct.dcm:$roi"); eval "ref=\"\$ref_$roi\""
    same "$got" "$ref"; ok $? "$n ($ts by $1): $roi as the uncompressed series"
  done
}
convert dcmtk_rle dcmcrle
convert ljpeg_sv1 dcmcjpeg +e1
convert ljpeg_sv6 dcmcjpeg +el +sv 6
convert jpegls dcmcjpls
convert j2k gdcmconv --j2k

# ---- errors ----
$MK series "$D/missing" --no-truth --drop 10 > /dev/null
run "$RADIOGX" features "$D/missing" "$D/missing/rtstruct.dcm:Sphere" -c "$D/c.yaml"
like "$out" "1 missing slice between $D/missing/IM009.dcm" "a missing slice is an error naming its neighbours"
$MK series "$D/uneven" --no-truth --shift 20 0.4 > /dev/null
run "$RADIOGX" features "$D/uneven" "$D/uneven/rtstruct.dcm:Sphere" -c "$D/c.yaml"
like "$out" "uneven slice spacing: 1.9000 mm between $D/uneven/IM019.dcm" "uneven spacing is an error"
$MK series "$D/dup" --no-truth --dup 5 > /dev/null
run "$RADIOGX" features "$D/dup" "$D/dup/rtstruct.dcm:Sphere" -c "$D/c.yaml"
like "$out" "two slices at one position" "a duplicate slice is an error"
mkdir -p "$D/study"; cp -r "$D/ax" "$D/study/s1"; cp -r "$D/explicit" "$D/study/s2"
u1=$(/usr/bin/python3 -c "import pydicom,sys; print(pydicom.dcmread(sys.argv[1]).SeriesInstanceUID)" "$D/ax/IM000.dcm")
u2=$(/usr/bin/python3 -c "import pydicom,sys; print(pydicom.dcmread(sys.argv[1]).SeriesInstanceUID)" "$D/explicit/IM000.dcm")
run "$RADIOGX" features "$D/study" "$D/ax/rtstruct.dcm:Sphere" -c "$D/c.yaml"
like "$out" "holds 2 image series" "a study folder with two series is an error"
like "$out" "$u1 (CT, 30 slices)" "... naming the first SeriesInstanceUID"
like "$out" "$u2 (CT, 30 slices)" "... and the second"
run "$RADIOGX" features "$D/ax" "$D/ax/rtstruct.dcm" -c "$D/c.yaml"
like "$out" "rtstruct.dcm holds 2 ROIs: name one as" "an RTSTRUCT with several ROIs needs a name"
like "$out" "(the ROIs are 'Sphere', 'Hollow')" "... and the names are listed"
cp -r "$D/ax" "$D/trunc"; head -c 3000 "$D/ax/IM015.dcm" > "$D/trunc/IM015.dcm"
run "$RADIOGX" features "$D/trunc" "$D/trunc/rtstruct.dcm:Sphere" -c "$D/c.yaml"
is "$rc" 5 "a truncated slice: input error, exit status 5"
like "$out" "IM015.dcm" "... naming the file"

# ---- the manifest: plan and extract under MPI ----
mkdir -p "$D/cohort"
cp -r "$D/ax" "$D/cohort/P1"; cp -r "$D/oblique" "$D/cohort/P2"; cp -r "$D/missing" "$D/cohort/P3"
printf 'patient_id\timage_CT\tmask_CT\n' > "$D/cohort/m.tsv"
printf 'P1\tP1\tP1/rtstruct.dcm:Hollow\n' >> "$D/cohort/m.tsv"
printf 'P2\tP2\tP2/rtstruct.dcm:HOLLOW\n' >> "$D/cohort/m.tsv"
printf 'P3\tP3\tP3/rtstruct.dcm:Hollow\n' >> "$D/cohort/m.tsv"
printf 'P4\tP1\tP1/rtstruct.dcm:Liver\n' >> "$D/cohort/m.tsv"
run "$RADIOGX" plan --manifest "$D/cohort/m.tsv"
like "$out" "2 ready, 2 with bad inputs" "plan: two DICOM patients ready, two bad"
like "$out" "m.tsv:4: patient P3: image_CT: $D/cohort/P3: 1 missing slice" "plan names the missing slice"
like "$out" "m.tsv:5: patient P4: mask_CT: $D/cohort/P1/rtstruct.dcm: no ROI named 'Liver'; the ROIs are 'Sphere', 'Hollow'" "plan names the missing ROI and the ROIs there are"
cd "$D/cohort"
run mpirun -np 2 "$RADIOGX" extract -m m.tsv -c "$D/c.yaml" -o "$D/r.h5"
is "$rc" 0 "extract from DICOM under 2 ranks"
v=$(/usr/bin/python3 -c "
import h5py, sys
f = h5py.File(sys.argv[1]); n = [x.decode() for x in f['/features/names'][:]]
v = f['/features/values'][:]; k = n.index('CT.1.morph_vol_approx'); m = n.index('CT.1.stat_mean')
print('%.10g %.10g %s %s' % (v[0, k], v[1, k], repr(v[0, m]), list(f['/samples/status'][:])))" "$D/r.h5")
read -r v1 v2 m1 st <<< "$v"
read -r rv rm _ <<< "$ref_Hollow"
is "$v1 $m1" "$(printf '%.10g' "$rv") $rm" "P1's row holds the Hollow ROI's volume and mean"
ok $(awk -v a="$v2" -v b="$rv" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-6 * b) }'; echo $?) \
  "P2 (oblique) gives the same volume ($v2)"
like "$v" "[0, 0, 1, 1]" "P3 and P4 failed, with their reasons in /samples"
done_testing
