#!/usr/bin/env bash
# No silent acceptance of bad input (docs/reliability.md, "Inputs: refused or repaired"): each
# malformed or ambiguous value of a phenotype or covariate table, a VCF/BCF, a PLINK fileset, a
# manifest, a config or a NIfTI image is an error naming the file, the line or record, the
# column and the value, or a repair that is counted or said; the repairs give the same results
# as the clean input.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
"$RADIOGX" simulate --patients 40 --variants 120 --chromosomes 2 --dims 16,16,8 --seed 5 \
  --out "$D/c" >/dev/null 2>&1 || { echo "not ok 1 - simulate"; exit 1; }
cd "$D"
zcat c/genotypes.vcf.gz > g.vcf
awk 'BEGIN { OFS = "\t" } NR == 1 { print "#IID", "y1", "y2"; next }
     { print $1, (NR * 37 % 101) / 10, (NR * 53 % 89) / 7 }' c/covariates.tsv > y.tsv
scan() { run "$RADIOGX" scan -q --pheno-transform none --maf 0 --call-rate 0 "$@"; }
same_assoc() { # $1 $2 run files, $3 name
  run h5diff "$1" "$2" /assoc /assoc
  is "$rc" 0 "$3"
}
scan -g g.vcf -p y.tsv --covar c/covariates.tsv -o ref.h5
is "$rc" 0 "the clean cohort scans"

# ---- phenotype and covariate tables (the issue's examples; the rest: tests/unit/test_pheno.c)
awk 'BEGIN { OFS = "\t" } NR == 1 { $3 = "y1" } { print }' y.tsv > dupcol.tsv
scan -g g.vcf -p dupcol.tsv -o x.h5
is "$rc" 5 "--pheno with two columns of one name: refused (exit 5)"
like "$out" "dupcol.tsv:1: phenotype column 'y1' appears twice (columns 2 and 3)" "... naming both"
{ cat y.tsv; sed -n 5p y.tsv; } > dupid.tsv
scan -g g.vcf -p dupid.tsv -o x.h5
is "$rc" 5 "--pheno with an IID on two rows: refused"
like "$out" "dupid.tsv:42: IID 'S0004' already on line 5" "... naming both lines"
{ cat c/covariates.tsv; sed -n 3p c/covariates.tsv; } > dupcov.tsv
scan -g g.vcf -p y.tsv --covar dupcov.tsv -o x.h5
like "$out" "dupcov.tsv:42: IID 'S0002' already on line 3" "--covar with an IID on two rows: refused"
for v in inf -inf 1e999 -nan; do
  awk -v v="$v" 'BEGIN { OFS = "\t" } NR == 8 { $3 = v } { print }' y.tsv > inf.tsv
  scan -g g.vcf -p inf.tsv -o x.h5
  like "$rc $out" "5 " "phenotype '$v': refused"
  like "$out" "inf.tsv:8: phenotype column 'y2', sample S0007: '$v' is not a finite number" \
    "... naming line, column, sample and value"
done
awk 'BEGIN { OFS = "\t" } NR == 3 { $2 = "inf" } { print }' c/covariates.tsv > infcov.tsv
scan -g g.vcf -p y.tsv --covar infcov.tsv -o x.h5
like "$out" "infcov.tsv:3: covariate column 'age', sample S0002: 'inf' is not a finite number" \
  "covariate 'inf': refused, not made a category"
# A spreadsheet's export (BOM, CRLF, trailing tabs) is read as the clean table.
{ printf '\xef\xbb\xbf'; sed 's/$/\t\r/' y.tsv; } > excel.tsv
sed 's/$/\r/' c/covariates.tsv > cov_crlf.tsv
scan -g g.vcf -p excel.tsv --covar cov_crlf.tsv -o excel.h5
is "$rc" 0 "BOM, CRLF and trailing tabs in the tables: read"
same_assoc ref.h5 excel.h5 "... with the clean tables' results"
awk 'BEGIN { OFS = "\t" } NR == 6 { $2 = "" } { print }' y.tsv > empty.tsv
scan -g g.vcf -p empty.tsv -o x.h5
like "$out" "empty.tsv:6: 2 fields, expected 3 as in the header" "an empty cell: refused (NA for missing)"

# ---- a run file's features as phenotypes (hand-edited, or from another tool)
cat > f.yaml <<'Y'
extract:
  default:
    interpolation: {method: none}
    discretisation: {method: fbn, bins: 8}
    features:
      families: [stat]
Y
(cd c && "$RADIOGX" extract -q -c ../f.yaml -m manifest.tsv -o ../f.h5 >/dev/null 2>&1)
/usr/bin/python3 - <<'PY'
import h5py, shutil
for name in ("finf", "fnan", "fdup"):
    shutil.copy("f.h5", name + ".h5")
    with h5py.File(name + ".h5", "r+") as f:
        v, s = f["/features/values"], f["/samples/sample_id"]
        if name == "finf": v[3, 0], v[7, 2] = float("inf"), -float("inf")
        if name == "fnan": v[3, 0], v[7, 2] = float("nan"), float("nan")
        if name == "fdup": s[5] = s[4]
PY
scan -g g.vcf --run finf.h5 -o finf_s.h5
is "$rc" 0 "a run file with infinite feature values: scanned"
like "$out" "2 infinite feature values of finf.h5 made missing" "... the values counted in the log"
scan -g g.vcf --run fnan.h5 -o fnan_s.h5
same_assoc finf_s.h5 fnan_s.h5 "... with the results of those values missing"
scan -g g.vcf --run fdup.h5 -o x.h5
is "$rc" 5 "a run file with a sample id on two rows: refused"
like "$out" "fdup.h5: /samples/sample_id 'S0005' is on two extracted rows" "... naming the id"

# ---- VCF text and BCF: calls that are not calls, ploidy, dosages out of range
# Record 3, sample S0004 (column 13) and S0005 (column 14) get the value given.
vcf() { # $1 output, then column=value pairs for record 3
  local o=$1; shift
  awk -v set="$*" 'BEGIN { OFS = "\t"; n = split(set, kv, " ") }
    /^#/ { print; next }
    { if (++k == 3) for (i = 1; i <= n; i++) { split(kv[i], p, "="); $(p[1]) = p[2] } print }' \
    g.vcf > "$o"
}
bad_call() { # $1 dosage mode, $2 value, $3 expected message part, $4 name
  vcf bad.vcf "13=$2"
  scan -g bad.vcf -p y.tsv --dosage "$1" -o x.h5
  like "$rc $out" "5 " "$4: refused"
  like "$out" "bad.vcf: the record at $rec: sample S0004: $3" "$4: names record, sample, value"
}
rec=$(grep -v '^#' g.vcf | sed -n 3p | cut -f1,2 | tr '\t' :)
bad_call GT '0|X:1' "GT '0|X' is not a call of a biallelic record" "GT 0|X"
bad_call GT '0/2:1' "GT '0/2' is not a call" "GT allele 2 in a biallelic record"
bad_call GT ':1' "GT '' is not a call" "an empty GT"
bad_call DS '0/1:2.5' "DS '2.5' is not a dosage in [0, 2]" "DS 2.5"
bad_call DS '0/1:-0.1' "DS '-0.1' is not a dosage in [0, 2]" "DS -0.1"
bad_call DS '0/1:inf' "DS 'inf' is not a dosage in [0, 2]" "DS inf"
bad_call DS '0/1:nan' "DS 'nan' is not a number" "DS nan"
bad_call DS '0/1:' "DS '' is empty" "an empty DS"
vcf bad.vcf "13=0/1:2.5"
bcftools view -Ob -o bad.bcf bad.vcf 2>/dev/null
scan -g bad.bcf -p y.tsv --dosage DS -o x.h5
like "$out" "bad.bcf: the record at $rec: sample S0004: DS 2.5 is not a dosage in [0, 2]" \
  "BCF: DS 2.5 refused too"
# Counted repairs: the same results as the call written missing (or homozygous).
counted() { # $1 value, $2 its equivalent, $3 log line part, $4 name
  vcf odd.vcf "13=$1" "14=$1"
  vcf eq.vcf "13=$2" "14=$2"
  scan -g odd.vcf -p y.tsv --dosage GT -o odd.h5
  is "$rc" 0 "$4: read"
  like "$out" "$3" "$4: counted in the log"
  scan -g eq.vcf -p y.tsv --dosage GT -o eq.h5
  same_assoc odd.h5 eq.h5 "$4: the same results as $2"
  bcftools view -Ob -o odd.bcf odd.vcf 2>/dev/null
  scan -g odd.bcf -p y.tsv --dosage GT -o oddb.h5
  like "$out" "$3" "$4 (BCF): counted"
  same_assoc odd.h5 oddb.h5 "$4 (BCF): the same results as the VCF"
}
counted '0/1/1:1' './.:.' "2 calls of ploidy 0 or above 2 made missing" "triploid 0/1/1"
counted '0/.:1' './.:.' "2 calls with one allele missing (0/.) made missing" "half call 0/."
counted '1:2' '1/1:2' "2 haploid calls on autosomes counted as homozygous, 0 or 2" \
  "haploid call on an autosome"
# Sample names twice in the header: HTSlib refuses the header.
awk 'BEGIN { OFS = "\t" } /^#CHROM/ { $11 = $10 } { print }' g.vcf > dups.vcf
scan -g dups.vcf -p y.tsv -o x.h5
is "$rc" 5 "a VCF with a sample named twice: refused"
like "$out" "dups.vcf: unreadable VCF/BCF header" "... as an unreadable header"
# A contig length beyond VCF's positions would make billions of units (found by fuzz_vcf).
sed '0,/^##contig=<ID=1,length=[0-9]*/s//##contig=<ID=1,length=9999999999995000000000/' g.vcf > len.vcf
scan -g len.vcf -p y.tsv -o x.h5
like "$rc $out" "5 " "a ##contig length of 1e22: refused"
like "$out" "len.vcf: ##contig=<ID=1,length=9999999999995000000000>: the length must be a number from 1 to 2^31-1" \
  "... naming the contig line"
# A byte-order mark: HTSlib does not recognise the file.
{ printf '\xef\xbb\xbf'; cat g.vcf; } > bom.vcf
scan -g bom.vcf -p y.tsv -o x.h5
like "$rc $out" "5 " "a VCF starting with a byte-order mark: refused"
like "$out" "bom.vcf: not a VCF or BCF file" "... as not a VCF"
# CRLF line ends: read as the clean file.
sed 's/$/\r/' g.vcf > crlf.vcf
scan -g crlf.vcf -p y.tsv --covar c/covariates.tsv -o crlf.h5
is "$rc" 0 "a VCF with CRLF line ends: read"
same_assoc ref.h5 crlf.h5 "... with the clean file's results"

# pca --keep: a sample listed twice would enter the PCs twice.
printf 'S0001\nS0002\r\nS0003\n# c\nS0002\n' > keep.txt
run "$RADIOGX" pca -g g.vcf --keep keep.txt --pcs 2 -o x.h5
is "$rc" 5 "pca --keep with a sample listed twice: refused"
like "$out" "keep.txt:5: sample 'S0002' already on line 2" "... naming both lines (CRLF read past)"

# ---- PLINK .bed/.bim/.fam: BOM and CRLF in the .fam and .bim
plink2 --vcf c/genotypes.vcf.gz --make-bed --out b >/dev/null 2>&1
scan -g b.bed -p y.tsv -o bed.h5
is "$rc" 0 "the .bed scans"
mkdir -p w && cp b.bed w/b.bed
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' b.fam; } > w/b.fam
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' b.bim; } > w/b.bim
scan -g w/b.bed -p y.tsv -o bedw.h5
is "$rc" 0 ".fam and .bim with a BOM and CRLF: read"
same_assoc bed.h5 bedw.h5 "... with the clean fileset's results"
run h5diff bed.h5 bedw.h5 /variants /variants
is "$rc" 0 "... and the same /variants (the first chromosome's name intact)"

# ---- the manifest
cd c
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' manifest.tsv; } > m_excel.tsv
run "$RADIOGX" plan --manifest m_excel.tsv
is "$rc" 0 "a manifest with a BOM and CRLF: planned"
like "$out" "40 ready, 0 with bad inputs" "... every patient read"
# Ids are data, never file names: '../x', 'a/b' and '.x' are kept as they are.
awk 'BEGIN { FS = OFS = "\t" } NR == 2 { $1 = "../x" } NR == 3 { $1 = "a/b" } NR == 4 { $1 = ".x" }
     { print }' manifest.tsv > m_ids.tsv
run "$RADIOGX" plan --manifest m_ids.tsv
is "$rc" 0 "patient ids '../x', 'a/b', '.x': accepted (ids are not file names)"
awk 'NR == 4 { $0 = $0 "\t" } { print }' manifest.tsv > m_tab.tsv
run "$RADIOGX" plan --manifest m_tab.tsv
is "$rc" 4 "a trailing tab in the manifest: refused (exit 4)"
like "$out" "m_tab.tsv:4:" "... with its line"
cd ..

# ---- config: BOM and CRLF read; non-finite numbers refused
printf '\xef\xbb\xbfscan:\r\n  hwe: 0.2\r\n' > bom.yaml
run "$RADIOGX" scan -c bom.yaml -g g.vcf -p y.tsv -o x.h5
is "$rc" 0 "a config with a BOM and CRLF: read"
like "$(h5dump -d /provenance/config x.h5)" "hwe: 0.2" "... its value taken"
for v in .nan 1e999 1e-400 .inf; do
  printf 'scan:\n  hwe: %s\n' "$v" > n.yaml
  run "$RADIOGX" scan -c n.yaml -g g.vcf -p y.tsv -o x.h5
  is "$rc" 3 "config scan.hwe: $v refused (exit 3)"
  like "$out" "n.yaml:2: scan.hwe" "... naming file, line and key"
done

# ---- NIfTI: non-finite voxels, NaN labels, unusable geometry
python3 - "$D/n" "$RGX_ROOT/tests/e2e" <<'PY'
import os, struct, sys
sys.path.insert(0, sys.argv[2])
from mkcohort import nifti_bytes
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
dims, sp = (12, 12, 6), (1.0, 1.0, 2.0)
idx = [(i, j, k) for k in range(dims[2]) for j in range(dims[1]) for i in range(dims[0])]
inside = [3 <= i < 9 and 3 <= j < 9 and 1 <= k < 5 for i, j, k in idx]
img = [float((i * 7 + j * 3 + k * 5) % 23) for i, j, k in idx]
mask = [1 if x else 0 for x in inside]
first = inside.index(True)
def put(name, blob): open(os.path.join(d, name), "wb").write(blob)
put("ok.nii", nifti_bytes(dims, sp, "float32", img))
put("mask.nii", nifti_bytes(dims, sp, "uint8", mask))
for name, v in (("nan", float("nan")), ("inf", float("inf"))):
    x = list(img); x[first] = v; x[first + 1] = v
    put(name + ".nii", nifti_bytes(dims, sp, "float32", x))
m = [float(v) for v in mask]; m[0] = float("nan")
put("mask_nan.nii", nifti_bytes(dims, sp, "float32", m))
m = [float(v) for v in mask]; m[first] = 1.5
put("mask_frac.nii", nifti_bytes(dims, sp, "float32", m))
def header_edit(name, src, edit):
    b = bytearray(nifti_bytes(dims, sp, "float32", img)); edit(b); put(name, bytes(b))
def no_xform_pixdim0(b):  # qform and sform codes 0, pixdim[1] = 0
    struct.pack_into("<hh", b, 252, 0, 0); struct.pack_into("<f", b, 80, 0.0)
header_edit("pixdim0.nii", img, no_xform_pixdim0)
header_edit("sform_nan.nii", img, lambda b: struct.pack_into("<f", b, 280, float("nan")))
header_edit("sform_zero.nii", img, lambda b: struct.pack_into("<4f", b, 296, 0, 0, 0, -12.0))
header_edit("sform_tiny.nii", img, lambda b: struct.pack_into("<f", b, 280, 1e-9))
def no_xform_pixdim_huge(b):  # qform and sform codes 0, pixdim[3] = 1e9
    struct.pack_into("<hh", b, 252, 0, 0); struct.pack_into("<f", b, 88, 1e9)
header_edit("pixdim_huge.nii", img, no_xform_pixdim_huge)
rows = ["patient_id\timage_CT\tmask"]
for p in ("ok", "nan", "inf", "pixdim0", "sform_nan", "sform_zero", "sform_tiny", "pixdim_huge"):
    rows.append("%s\t%s.nii\tmask.nii" % (p.upper(), p))
rows.append("MASKNAN\tok.nii\tmask_nan.nii")
rows.append("MASKFRAC\tok.nii\tmask_frac.nii")
open(os.path.join(d, "manifest.tsv"), "w").write("\n".join(rows) + "\n")
PY
cat > n/c.yaml <<'Y'
extract:
  default:
    interpolation: {method: none}
    resegmentation: {range: [-1000, .inf]}
    discretisation: {method: fbn, bins: 8}
    features:
      families: [stat, morph]
Y
run "$RADIOGX" extract -c n/c.yaml --manifest n/manifest.tsv -o n/r.h5
is "$rc" 0 "extract goes on past the bad images"
rs=$(h5dump -d /samples/reason n/r.h5 | sed 's/\\000//g')
like "$rs" "CT label 1: 2 of 144 ROI voxels NaN, left out of the intensity mask" \
  "NaN voxels in the ROI: left out and counted in /samples/reason"
like "$rs" "CT label 1: label 1: 2 of the 144 ROI intensities are infinite" \
  "infinite voxels in the ROI: the ROI fails with the count"
like "$rs" "pixdim0.nii: pixdim[1] is 0 (the pixdim's voxel spacing): it must be positive" \
  "pixdim 0 without sform or qform: refused, not taken as 1 mm"
like "$rs" "sform_nan.nii: the sform holds nan (row 1, column 1)" "an sform holding NaN: refused"
like "$rs" "sform_zero.nii: the sform's column 2 has length 0" "an sform column of length 0: refused"
like "$rs" "mask for image_CT holds NaN: expected integer labels" "a NaN label: refused"
like "$rs" "mask for image_CT holds 1.5: expected integer labels" "a label 1.5: refused"
like "$rs" "sform_tiny.nii: the voxel spacing along x is 1e-09 mm: expected 0.0001 to 10000 mm" \
  "a voxel of 1e-9 mm (it overflowed the local-intensity sphere's and the filters' reach): refused"
like "$rs" "pixdim_huge.nii: the voxel spacing along z is 1e+09 mm: expected 0.0001 to 10000 mm" \
  "a voxel of 1,000 km: refused"
like "$(h5dump -d /samples/status n/r.h5)" "0, 0, 1, 1, 1, 1, 1, 1, 1, 1" \
  "statuses: OK and NAN extracted, the rest failed"

done_testing
