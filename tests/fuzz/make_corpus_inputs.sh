#!/usr/bin/env bash
# make_corpus_inputs.sh — rebuilds the seed corpora of fuzz_nifti, fuzz_manifest, fuzz_table,
# fuzz_config, fuzz_vcf and fuzz_h5in (tests/fuzz/corpus/<harness>/): small files of each
# kind radiogx reads, the odd cases of tests/e2e/inputs.t among them.  Needs /usr/bin/python3
# and bgzip.
set -euo pipefail
cd "$(dirname "$0")/../.."
C=tests/fuzz/corpus
for h in nifti manifest table config vcf h5in; do rm -rf "${C:?}/$h"; mkdir -p "$C/$h"; done
/usr/bin/python3 - "$C" <<'PY'
import gzip, os, random, struct, sys
sys.path.insert(0, "tests/e2e")
from mkcohort import nifti_bytes
C = sys.argv[1]
random.seed(14)
def put(h, name, data):
    open(os.path.join(C, h, name), "wb").write(data if isinstance(data, bytes) else data.encode())

# NIfTI: every datatype family, both byte orders, gzipped, scaled, NIfTI-2, a label map.
dims, sp = (6, 5, 4), (1.0, 1.0, 2.0)
n = dims[0] * dims[1] * dims[2]
vals = [(i * 7) % 23 for i in range(n)]
lab = [1 if 1 <= i % 6 <= 3 and 8 <= i < 90 else 0 for i in range(n)]
put("nifti", "int16.nii", nifti_bytes(dims, sp, "int16", vals))
put("nifti", "uint8_be.nii", nifti_bytes(dims, sp, "uint8", lab, ">"))
put("nifti", "float32_nan.nii", nifti_bytes(dims, sp, "float32", [float("nan") if i % 9 == 0 else v for i, v in enumerate(vals)]))
put("nifti", "float64_scaled.nii", nifti_bytes(dims, sp, "float64", vals, "<", 2.0, -5.0))
put("nifti", "mask.nii.gz", gzip.compress(nifti_bytes(dims, sp, "uint8", lab), mtime=0))
put("nifti", "int32.nii.gz", gzip.compress(nifti_bytes(dims, sp, "int32", vals), mtime=0))
h = bytearray(540)
struct.pack_into("<i", h, 0, 540); h[4:12] = b"n+2\0\r\n\x1a\n"
struct.pack_into("<hh", h, 12, 4, 16)
struct.pack_into("<8q", h, 16, 3, dims[0], dims[1], dims[2], 1, 1, 1, 1)
struct.pack_into("<8d", h, 104, 1.0, sp[0], sp[1], sp[2], 1, 1, 1, 1)
struct.pack_into("<q", h, 168, 544); struct.pack_into("<dd", h, 176, 1.0, 0.0)
struct.pack_into("<ii", h, 344, 1, 0)
put("nifti", "nifti2_qform.nii", bytes(h) + b"\0" * 4 + struct.pack("<%dh" % n, *vals))

# Manifests.
m = "patient_id\timage_CT\tmask\tsample_id\tsite\n"
m += "".join("P%d\tct/P%d.nii.gz\tmask/P%d.nii.gz\tS%d\tsite%d\n" % (i, i, i, i, i % 2) for i in range(4))
put("manifest", "shared_mask.tsv", m)
put("manifest", "bom_crlf.tsv", "\ufeff" + m.replace("\n", "\r\n"))
put("manifest", "channels.tsv", "#patient_id\timage_CT\timage_PET\tmask_CT\tmask_PET\tgenotypes\n"
    "# a comment\nA\ta.nii\tb.nii\tc.nii\td.nii\tg.vcf.gz\n\nB\te.nii\tf.nii\tg.nii\th.nii\tg2.bed\n")
put("manifest", "bad.tsv", "patient_id\timage_CT\tmask\nP1\ta\tb\nP1\tc\t\nP2\td\te\tf\n")

# Tables: the first byte picks phenotypes (0), covariates (1) or a text column (2).
ids = ["S%04d" % i for i in range(1, 9)]
ph = "#IID\ty\tz\n" + "".join("%s\t%.3f\t%s\n" % (s, random.gauss(0, 1), "NA" if k % 3 == 0 else k) for k, s in enumerate(ids))
put("table", "pheno", b"\0" + ph.encode())
put("table", "pheno_fid", b"\0" + ("#FID IID y\n" + "".join("F %s %d\n" % (s, k) for k, s in enumerate(ids))).encode())
cov = "#IID\tage\tsex\tsite\n" + "".join("%s\t%d\t%d\tsite%d\n" % (s, 40 + k, 1 + k % 2, k % 3) for k, s in enumerate(ids))
put("table", "covar", b"\1" + cov.encode())
put("table", "covar_crlf", b"\1" + ("\ufeff" + cov.replace("\n", "\r\n")).encode())
put("table", "batch", b"\2" + cov.encode())
put("table", "bad", b"\0" + b"#IID\ty\ty\nA\t1\t2\nA\tinf\t.\n")

# Configs: the ready profiles and two of the tests'.
for root, _, files in os.walk("config"):
    for f in files:
        if f.endswith(".yaml"):
            put("config", root.replace("/", "_") + "_" + f, open(os.path.join(root, f), "rb").read())
put("config", "scan.yaml", "scan:\n  maf: 0.05\n  hwe: 1e-6\n  pheno_transform: none\n  chroms: [1, 2]\n")
put("config", "filters.yaml", "extract:\n  default:\n    filters:\n      - {type: log, sigma_mm: 1.5}\n"
    "      - {type: laws, kernel: L5E5E5, rotation_invariant: true, energy_distance: 7}\n"
    "    features: {families: [stat, ih]}\n")

# VCF text: GT:DS, two contigs with lengths, haploid, missing, phased, a multi-allelic record.
vh = ("##fileformat=VCFv4.2\n##contig=<ID=1,length=5000000>\n##contig=<ID=X,length=3000000>\n"
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="g">\n'
      '##FORMAT=<ID=DS,Number=1,Type=Float,Description="d">\n'
      "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(ids) + "\n")
recs = []
for v in range(12):
    chrom, pos = ("1", 1000 * (v + 1)) if v < 8 else ("X", 2000 * v)
    alt = "G,T" if v == 5 else "G"
    calls = []
    for i in range(len(ids)):
        a, b = random.random() < 0.4, random.random() < 0.4
        r = random.random()
        gt = "./." if r < 0.1 else "%d" % a if chrom == "X" and i % 2 else "%d%s%d" % (a, "|" if r < 0.5 else "/", b)
        calls.append(gt + ":" + ("." if gt == "./." else "%.3f" % (a + b)))
    recs.append("%s\t%d\tv%d\tA\t%s\t.\tPASS\t.\tGT:DS\t%s\n" % (chrom, pos, v, alt, "\t".join(calls)))
put("vcf", "gt_ds.vcf", vh + "".join(recs))
put("vcf", "odd_calls.vcf", vh + recs[0] + recs[1].replace("0/1:", "0/1/1:", 1).replace("1|0:", "0|.:", 1) + recs[2].replace("GT:DS", "DS:GT"))
put("vcf", "gt_only.vcf", vh.replace("#CHROM", '##INFO=<ID=AF,Number=A,Type=Float,Description="a">\n#CHROM') + "".join(r.replace("GT:DS", "GT").replace(":", "\t", 0) for r in recs[:4]))
with gzip.GzipFile(os.path.join(C, "vcf", "bgzf_like.vcf.gz"), "wb", mtime=0) as f:
    f.write((vh + "".join(recs)).encode())

# h5in: byte strings the harness turns into run files (sizes, object flags, values).
for k in range(6):
    b = bytes([3, 2, 4, 2, 2, 1, 0 if k < 4 else 255]) + bytes(random.choice([0, 0, 0, 1, 7, 40, 120, 170, 210, 240]) for _ in range(600))
    put("h5in", "run%d" % k, b)
put("h5in", "report", b"\xff" + bytes(random.randrange(0, 160) for _ in range(900)))
PY
# A BGZF VCF as HTSlib writes it (the gzip one above is a plain gzip stream).
zcat "$C/vcf/bgzf_like.vcf.gz" | bgzip -c > "$C/vcf/bgzf.vcf.gz"; rm "$C/vcf/bgzf_like.vcf.gz"
du -sh "$C"/{nifti,manifest,table,config,vcf,h5in}
