#!/usr/bin/env bash
# make_corpus_geno.sh — rebuilds the seed corpora of fuzz_bed and fuzz_bgen
# (tests/fuzz/corpus/bed, tests/fuzz/corpus/bgen) from a tiny VCF (9 samples x 24 variants on
# two chromosomes, missing, phased and haploid calls): PLINK filesets written by plink2, BGEN
# written by plink2 (v1.1, v1.2, v1.3) and by tests/e2e/bgen_write.py (layouts 1 and 2, no
# compression, zlib, zstd, bit depths 1 to 32, phased, three alleles, ploidy 3, a .sample).
# Needs plink2, zstd and /usr/bin/python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
C=tests/fuzz/corpus; rm -rf "$C/bed" "$C/bgen"; mkdir -p "$C/bed" "$C/bgen"
/usr/bin/python3 - "$W/t.vcf" "$W/d.vcf" <<'PY'
import random, sys
random.seed(1)
n, head = 9, "##fileformat=VCFv4.2\n##contig=<ID=1>\n##contig=<ID=2>\n"
head += '##FORMAT=<ID=GT,Number=1,Type=String,Description="g">\n'
cols = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join("S%d" % i for i in range(n))
t, d = open(sys.argv[1], "w"), open(sys.argv[2], "w")
t.write(head + cols + "\n")
d.write(head.replace('ID=GT,Number=1,Type=String', 'ID=DS,Number=1,Type=Float') + cols + "\n")
for v in range(24):
    c, p = 1 + v // 12, 1000 * (v % 12 + 1)
    site = "%d\t%d\tv%d\tA\tG\t.\tPASS\t.\t" % (c, p, v)
    calls, ds = [], []
    for i in range(n):
        a, b = random.random() < 0.3, random.random() < 0.3
        r = random.random()
        calls.append("./." if r < 0.05 else ("%d" % a) if r < 0.1 else "%d|%d" % (a, b))
        ds.append("%.3f" % (a + b + random.random() * 0.2 * (1 - a - b + 1) / 2))
    t.write(site + "GT\t" + "\t".join(calls) + "\n")
    d.write(site + "DS\t" + "\t".join(ds) + "\n")
PY
# PLINK: hard calls (haploid calls are read as homozygous by plink2).
plink2 --vcf "$W/t.vcf" --make-bed --out "$W/b" >/dev/null 2>&1
pack_bed() { # $1 prefix, $2 output: 16-bit lengths of .fam and .bim, .fam, .bim, .bed
  /usr/bin/python3 - "$1" "$2" <<'PY'
import struct, sys
fam, bim, bed = (open(sys.argv[1] + e, "rb").read() for e in (".fam", ".bim", ".bed"))
open(sys.argv[2], "wb").write(struct.pack("<HH", len(fam), len(bim)) + fam + bim + bed)
PY
}
pack_bed "$W/b" "$C/bed/plink2.bin"
head -c 3 "$W/b.bed" > "$W/e.bed" && cp "$W/b.fam" "$W/e.fam" && : > "$W/e.bim"
pack_bed "$W/e" "$C/bed/no_variants.bin"
# BGEN from plink2.
plink2 --vcf "$W/t.vcf" --export bgen-1.1 ref-first --out "$W/p11" >/dev/null 2>&1
plink2 --vcf "$W/d.vcf" dosage=DS --export bgen-1.2 ref-first --out "$W/p12" >/dev/null 2>&1
plink2 --vcf "$W/d.vcf" dosage=DS --export bgen-1.3 ref-first bits=8 --out "$W/p13" >/dev/null 2>&1
for f in p11 p12 p13; do cp "$W/$f.bgen" "$C/bgen/plink2_$f.bgen"; done
# BGEN from the test's writer.
B="/usr/bin/python3 tests/e2e/bgen_write.py"
$B "$W/t.vcf" "$C/bgen/l2_none_1.bgen" --compression none --bits 1
$B "$W/t.vcf" "$C/bgen/l2_zlib_13_phased.bgen" --bits 13 --phased --multi 3
$B "$W/t.vcf" "$C/bgen/l2_zstd_32.bgen" --compression zstd --bits 32 --ploidy3 5
$B "$W/d.vcf" "$C/bgen/l2_none_16_ds.bgen" --compression none --bits 16 --from-ds
$B "$W/d.vcf" "$C/bgen/l2_none_8_ds_phased.bgen" --compression none --bits 8 --from-ds --phased
$B "$W/d.vcf" "$C/bgen/l1_none_ds.bgen" --layout 1 --compression none --from-ds
$B "$W/d.vcf" "$C/bgen/l1_zlib_ds.bgen" --layout 1 --from-ds
# A file without sample ids, with its .sample in front ('S', its length, the .sample).
$B "$W/t.vcf" "$W/s.bgen" --compression none --bits 8 --no-ids --sample "$W/s.sample"
/usr/bin/python3 - "$W/s.sample" "$W/s.bgen" "$C/bgen/sample_file.bin" <<'PY'
import sys
s, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
open(sys.argv[3], "wb").write(b"S" + bytes([len(s)]) + s + b)
PY
ls -l "$C/bed" "$C/bgen"
