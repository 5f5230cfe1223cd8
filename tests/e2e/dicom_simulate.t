#!/usr/bin/env bash
# `radiogx simulate --format dicom`: the same cohort as NIfTI and as DICOM (CT series, RTSTRUCT,
# RTDOSE) from one seed.  Read back, the DICOM series and its RTSTRUCT give the NIfTI image
# and mask's features exactly (the contours, along voxel edges, rasterise to the mask voxel
# for voxel; the labels survive as two ROIs); pydicom reads what radiogx wrote; the same
# arguments give the same bytes; and the whole pipeline runs from it (`radiogx run`, 2 ranks)
# with the dose channel's DVH features as phenotypes and each failure case marked with its
# reason.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
args=(--patients 16 --variants 3000 --chromosomes 2 --dims 48,40,16 --seed 5 --labels 2 --inject-failures -T 2)
run "$RADIOGX" simulate "${args[@]}" --out "$D/nii"
is "$rc" 0 "simulate: the NIfTI cohort"
run "$RADIOGX" simulate "${args[@]}" --format dicom --out "$D/dcm"
is "$rc" 0 "simulate --format dicom"
run "$RADIOGX" simulate "${args[@]}" --format dicom --out "$D/dcm2"
diff -r "$D/dcm" "$D/dcm2" > /dev/null; ok $? "the same arguments give the same bytes"
head -1 "$D/dcm/manifest.tsv" > "$D/h"
like "$(cat "$D/h")" "image_CT	mask_CT	image_DOSE	mask_DOSE" "the manifest has the CT and the dose channel"
like "$(sed -n 2p "$D/dcm/manifest.tsv")" "dicom/P0001/RS.dcm:GTV,Normal" "the CT mask is two RTSTRUCT ROIs"
# pydicom reads every object.
v=$(/usr/bin/python3 - "$D/dcm/dicom/P0001" <<'PY' 2>&1
import sys, glob, pydicom
d = sys.argv[1]
ct = [pydicom.dcmread(f) for f in sorted(glob.glob(d + "/CT/*.dcm"))]
rs, rd = pydicom.dcmread(d + "/RS.dcm"), pydicom.dcmread(d + "/RD.dcm")
a = ct[0].pixel_array; dose = rd.pixel_array * float(rd.DoseGridScaling)
print(len(ct), ct[0].Modality, a.shape, [r.ROIName for r in rs.StructureSetROISequence],
      rd.Modality, dose.shape, round(float(dose.max()), 1), rd.FrameOfReferenceUID == ct[0].FrameOfReferenceUID)
PY
)
like "$v" "16 CT (40, 48) ['GTV', 'Normal'] RTDOSE (16, 20, 24) 59." "pydicom reads the series, RTSTRUCT and RTDOSE ($v)"
like "$v" " True" "... in one frame of reference"
# Features of the DICOM patient = features of the NIfTI patient, for both labels: every
# intensity and texture feature bit for bit, morphology to 1e-6 (NIfTI keeps the spacing as
# float32, 0.800000012; DICOM as the text 0.8).
for l in 1 2; do
  "$RADIOGX" features "$D/nii/images/P0002_CT.nii.gz" "$D/nii/masks/P0002.nii.gz" --label $l 2>&1 | grep -v '^\[' > "$D/a.tsv"
  "$RADIOGX" features "$D/dcm/dicom/P0002/CT" "$D/dcm/dicom/P0002/RS.dcm:GTV,Normal" --label $l 2>&1 | grep -v '^\[' > "$D/b.tsv"
  bad=$(paste "$D/a.tsv" "$D/b.tsv" | awk -F'\t' '
    { n++ } $1 != $3 { bad++; next }
    $1 ~ /^morph_/ { d = $2 - $4; if (d < 0) d = -d; s = $2 < 0 ? -$2 : $2; if (d > 1e-6 * s + 1e-12) bad++; next }
    $2 != $4 { bad++ } END { print n + 0, bad + 0 }')
  read -r n nbad <<< "$bad"
  ok $([ "$n" -gt 40 ] && [ "$nbad" = 0 ]; echo $?) \
    "label $l: the DICOM series and RTSTRUCT give the NIfTI image and mask's $n features ($nbad differ)"
done
# The pipeline from DICOM.
cat > "$D/s.yaml" <<YAML
study:
  name: t
  manifest: $D/dcm/manifest.tsv
  genotypes: $D/dcm/genotypes.vcf.gz
  covariates: $D/dcm/covariates.tsv
  out_dir: $D/out
  genome_build: GRCh38
  genotyping_technology: [Genome-wide genotyping array]
extract:
  default:
    interpolation: {method: none}
    discretisation: {method: fbs, bin_width: 25}
    # Not stat: the Normal label's CT values straddle 0, so its stat_qcod is infinite for
    # some patients, the scan makes those missing, and the 9 patients left of that
    # missingness group cannot carry the site covariates.
    features: {families: [morph, ih]}
dose:
  structures: [GTV, normal]
  d_cc: [1]
  fractions: 30
scan:
  min_obs: 5
  maf: 0.05
YAML
run mpirun -np 2 "$RADIOGX" run --config "$D/s.yaml"
is "$rc" 0 "radiogx run from the DICOM cohort, 2 ranks"
# The GTV's mean dose by hand: the RTDOSE read by pydicom, interpolated (scipy, order 1) at the
# centres of the NIfTI cohort's GTV voxels (the dose grid is the CT's at twice the in-plane
# step, offset half a CT voxel: CT voxel i is dose index (i - 0.5) / 2).
r=$(/usr/bin/python3 - "$D/out/t/run.h5" "$D/nii" "$D/dcm" <<'PY'
import sys, gzip, struct, h5py, numpy as np, pydicom
from scipy.ndimage import map_coordinates
f = h5py.File(sys.argv[1])
n = [x.decode() for x in f['/features/names'][:]]; v = f['/features/values'][:]
ids = [x.decode() for x in f['/samples/patient_id'][:]]; why = [x.decode() for x in f['/samples/reason'][:]]
st = list(f['/samples/status'][:])
k = n.index('DOSE.GTV.dvh_dmean')
good = worst = 0
for i, p in enumerate(ids):
    if not p.startswith('P'): continue
    b = gzip.open("%s/masks/%s.nii.gz" % (sys.argv[2], p)).read()
    dim = struct.unpack('<8h', b[40:56]); off = int(struct.unpack('<f', b[108:112])[0])
    m = np.frombuffer(b[off:], np.uint8)[:dim[1] * dim[2] * dim[3]].reshape(dim[3], dim[2], dim[1])
    rd = pydicom.dcmread("%s/dicom/%s/RD.dcm" % (sys.argv[3], p))
    dose = rd.pixel_array.astype(float) * float(rd.DoseGridScaling)
    z, y, x = np.nonzero(m == 1)
    want = map_coordinates(dose, [z, (y - 0.5) / 2, (x - 0.5) / 2], order=1, mode='nearest').mean()
    worst = max(worst, abs(v[i, k] - want)); good += abs(v[i, k] - want) < 1e-4
print('dose', good, 'worst %.2g' % worst)
for i, p in enumerate(ids):
    if p.startswith('F_'): print(p, st[i], why[i][:200])
print('phenotypes', 'DOSE.GTV.dvh_eqd2_dmean' in [x.decode() for x in f['/phenotypes/names'][:]])
PY
)
printf '%s\n' "$r" | sed 's/^/# /'
like "$r" "dose 16 " "every patient's DOSE.GTV.dvh_dmean is the mean dose by hand (scipy) to 1e-4 Gy"
like "$r" "F_TRUNC 1 image_CT:" "F_TRUNC: a truncated slice fails the patient"
like "$r" "F_EMPTY 1 mask for image_CT has no ROI voxel" "F_EMPTY: an ROI without contours is an empty mask: the patient fails"
like "$r" "F_GRID 1 image_CT:" "F_GRID: a missing slice"
like "$r" "missing slice" "... named as such"
like "$r" "F_NAN 1 image_CT:" "F_NAN: two series in the CT folder"
like "$r" "holds 2 image series" "... named as such"
like "$r" "phenotypes True" "the DVH features are scanned as phenotypes"
# Dose features as covariates: `scan --covar-from-run` against the same scan given, by hand
# (Python), the phenotype table without those features and the covariate table with them.
cd "$D"
run mpirun -np 2 "$RADIOGX" scan -g dcm/genotypes.vcf.gz --run out/t/run.h5 --covar dcm/covariates.tsv \
  --covar-from-run 'DOSE.GTV.dvh_dmean,DOSE.*.dvh_d2pct' --min-obs 5 --maf 0.05 -o c1.h5
is "$rc" 0 "scan --covar-from-run 'DOSE.GTV.dvh_dmean,DOSE.*.dvh_d2pct'"
/usr/bin/python3 - out/t/run.h5 dcm/covariates.tsv <<'PY'
import sys, h5py, math
f = h5py.File(sys.argv[1])
n = [x.decode() for x in f['/features/names'][:]]; v = f['/features/values'][:]
sid = [x.decode() for x in f['/samples/sample_id'][:]]; st = list(f['/samples/status'][:])
cov = [i for i, x in enumerate(n) if x in ('DOSE.GTV.dvh_dmean', 'DOSE.GTV.dvh_d2pct', 'DOSE.normal.dvh_d2pct')]
fmt = lambda x: 'NA' if math.isnan(x) else '%.17g' % x
rows = {sid[i]: i for i in range(len(sid)) if st[i] == 0}
with open('p.tsv', 'w') as o:
    o.write('#IID\t' + '\t'.join(x for j, x in enumerate(n) if j not in cov) + '\n')
    for s, i in rows.items():
        o.write(s + '\t' + '\t'.join(fmt(v[i, j]) for j in range(len(n)) if j not in cov) + '\n')
lines = open(sys.argv[2]).read().splitlines()
with open('c.tsv', 'w') as o:
    o.write(lines[0] + '\t' + '\t'.join(n[j] for j in cov) + '\n')
    for l in lines[1:]:
        i = rows.get(l.split()[0])
        o.write(l + '\t' + '\t'.join(fmt(v[i, j]) if i is not None else 'NA' for j in cov) + '\n')
PY
run mpirun -np 2 "$RADIOGX" scan -g dcm/genotypes.vcf.gz -p p.tsv --covar c.tsv --min-obs 5 --maf 0.05 -o c2.h5
is "$rc" 0 "the same scan from the tables made by hand"
cmp=$(/usr/bin/python3 -c "
import h5py, numpy as np
a, b = h5py.File('c1.h5'), h5py.File('c2.h5')
na = [x.decode() for x in a['/phenotypes/names'][:]]
print(len(na), 'DOSE.GTV.dvh_dmean' in na, 'DOSE.normal.dvh_d2pct' in na,
      np.array_equal(a['/assoc/xty'][:], b['/assoc/xty'][:], equal_nan=True),
      na == [x.decode() for x in b['/phenotypes/names'][:]])")
like "$cmp" " False False True True" "the covariates are not phenotypes, and /assoc is bit for bit the hand-made scan's ($cmp)"
ls c1.h5.covar.tsv c1.h5.pheno.tsv > /dev/null 2>&1; ok $((! $?)) "the derived tables are removed after the scan"
done_testing
