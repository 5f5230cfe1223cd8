#!/usr/bin/env bash
# Genotype formats against independent truth: plink2 writes the simulated cohort's genotypes
# as PLINK .bed and as BGEN 1.1, 1.2 and 1.3; radiogx scans them and the VCF/BCF they came
# from: the same /variants, the same /assoc where the formats hold the same values (hard
# calls), equal within the formats' quantisation otherwise (BGEN 8 and 16 bits), agreement
# with plink2 --glm run on the same files, bitwise-identical outputs for 1-4 ranks, one file
# per site, and bad .bed input refused with the file and the line named (BGEN's edge cases
# and bad input: tests/e2e/geno_bgen.t).
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
nps=$(plain_or_asan "2 3 4" 3) # rank counts compared with 1 rank
command -v plink2 >/dev/null || skip_all "plink2 is not installed (scripts/deps.sh installs it)"
PY=/usr/bin/python3
D=$(tmpdir)
cd "$D"
"$RADIOGX" simulate --patients 240 --variants 3000 --chromosomes 4 --dims 16,16,8 --seed 21 \
  --out c >/dev/null 2>&1 || { echo "not ok 1 - simulate"; exit 1; }
# 8 null phenotypes: 0-3 complete, 4-5 one shared missingness pattern, 6-7 their own.
$PY - c/covariates.tsv pheno.tsv <<'PY'
import random, sys
random.seed(4)
ids = [l.split("\t")[0] for l in open(sys.argv[1])][1:]
shared = set(random.sample(ids, 25))
with open(sys.argv[2], "w") as f:
    f.write("#IID\t" + "\t".join("y%d" % k for k in range(8)) + "\n")
    for i in ids:
        row = []
        for k in range(8):
            miss = (4 <= k < 6 and i in shared) or (k >= 6 and random.random() < 0.1)
            row.append("NA" if miss else "%.7f" % random.gauss(0, 1))
        f.write(i + "\t" + "\t".join(row) + "\n")
PY
common=(-p pheno.tsv --covar c/covariates.tsv --pheno-transform none --maf 0.01 --call-rate 0)
G=c/genotypes.vcf.gz

# A GT-only VCF with 3% of the calls missing (the simulated one has none): the missing code
# of the .bed is then exercised too.
$PY - "$G" gtm.vcf <<'PY'
import gzip, random, sys
random.seed(6)
out = open(sys.argv[2], "w")
for line in gzip.open(sys.argv[1], "rt"):
    if line.startswith("##FORMAT=<ID=DS"):
        continue
    if line.startswith("#"):
        out.write(line)
        continue
    f = line.rstrip("\n").split("\t")
    f[8] = "GT"
    f[9:] = ["./." if random.random() < 0.03 else s.split(":")[0] for s in f[9:]]
    out.write("\t".join(f) + "\n")
PY
bgzip -f gtm.vcf && tabix -f -p vcf gtm.vcf.gz
plink2 --vcf "$G" --make-bed --out b >/dev/null 2>&1 && plink2 --vcf gtm.vcf.gz --make-bed \
  --out bm >/dev/null 2>&1
ok $? "plink2 --make-bed wrote the filesets"

# Summary statistics of a run, and plink2 --glm on the same genotypes: $1 tag, $2 run file,
# $3 plink2's --maf, then plink2's input options.
versus_plink2() {
  local tag=$1 run=$2 maf=$3
  shift 3
  "$RADIOGX" export "$run" --sumstats "ss_$tag" "${ssf[@]}" >/dev/null 2>&1
  plink2 "$@" --pheno pheno.tsv --covar c/covariates.tsv --glm hide-covar omit-ref \
    --maf "$maf" --threads 1 --memory 2000 --out "pl_$tag" >/dev/null 2>&1
}
# $1 label, $2 tag, $3 beta/se relative tolerance (empty: not checked), $4 log10p tolerance,
# $5 |dbeta|/se tolerance (empty: not checked), $6 the fewest variants compared [800] -- as
# tests/e2e/scan.t.
check() {
  local line n rb rs lp bs k
  for k in 0 4 6; do
    zcat "ss_$2/y$k.tsv.gz" > "y$k.tsv"
    line=$(awk -f "$RGX_ROOT/tests/e2e/glm_cmp.awk" "pl_$2.y$k.glm.linear" "y$k.tsv")
    read -r n rb rs lp bs <<< "$line"
    ok "$(awk -v n="$n" -v rb="$rb" -v rs="$rs" -v lp="$lp" -v bs="$bs" -v tb="$3" -v tp="$4" \
      -v ts="$5" -v nmin="${6:-800}" 'BEGIN { exit !(n > nmin && (tb == "" || (rb <= tb && rs <= tb)) && lp <= tp &&
      (ts == "" || bs <= ts)) }'; echo $?)" \
      "$1 y$k: $n variants, beta rel $rb, se rel $rs, |dlog10p| $lp, |dbeta|/se $bs"
  done
}
same() { # $1 label, $2 $3 run files, then the objects that must be bitwise identical
  local label=$1 a=$2 b=$3 o
  shift 3
  for o in "$@"; do
    h5diff "$a" "$b" "$o" "$o" >/dev/null 2>&1
    is "$?" 0 "$label: $o identical"
  done
}

# --- PLINK .bed --------------------------------------------------------------------------
# Hard calls: the .bed and the VCF's GT hold the same values, so the same bits.
run "$RADIOGX" scan -g "$G" "${common[@]}" --dosage GT -o vcf_gt.h5
is "$rc" 0 "scan of the VCF (GT)"
run "$RADIOGX" scan -g b.bed "${common[@]}" -o bed.h5
is "$rc" 0 "scan of the .bed"
like "$out" "hard calls (PLINK .bed) from b.bed" "the log names the format"
same ".bed vs VCF GT" vcf_gt.h5 bed.h5 /variants /assoc /hits
run "$RADIOGX" scan -g gtm.vcf.gz "${common[@]}" --dosage GT -o vcfm.h5
run "$RADIOGX" scan -g bm.bed "${common[@]}" -o bedm.h5
is "$rc" 0 "scan of the .bed with missing calls"
same ".bed with 3% missing calls vs its VCF" vcfm.h5 bedm.h5 /variants /assoc /hits
# The prefix names the fileset; --genotype-format bed takes a .bed under another name.
run "$RADIOGX" scan -g b "${common[@]}" -o bedp.h5
is "$rc" 0 "the fileset given by its prefix"
same "prefix" bed.h5 bedp.h5 /variants /assoc
n_in=$(h5dump -d /provenance/inputs/path bedp.h5 | grep -cE '"b\.(bed|bim|fam)')
is "$n_in" 3 "the provenance lists the .bed, .bim and .fam"
mkdir -p other && cp b.bed other/g.dat && cp b.bim other/g.bim && cp b.fam other/g.fam
run "$RADIOGX" scan -g other/g.dat --genotype-format bed "${common[@]}" -o beddat.h5
is "$rc" 0 "--genotype-format bed: a .bed named g.dat, with g.bim and g.fam"
same "--genotype-format bed" bed.h5 beddat.h5 /variants /assoc
run "$RADIOGX" scan -g b.bed --genotype-format vcf "${common[@]}" -o x.h5
like "$out" "b.bed: cannot open as VCF/BCF" "--genotype-format vcf on a .bed: a VCF error"
run "$RADIOGX" scan -g b.bed --dosage DS "${common[@]}" -o x.h5
like "$out" "b.bed: a .bed holds hard calls: --dosage DS does not apply" "--dosage DS on a .bed: refused"

# plink2 --bfile on the same fileset: allele 1 is ALT, the dosage counts it.
versus_plink2 bed bed.h5 0.01 --bfile b
check ".bed vs plink2 --bfile" bed 1e-5 1e-4 ""

# 1-4 ranks, and a region through the .bim's marks.
for np in $nps; do
  run mpirun -np $np "$RADIOGX" scan -g b.bed "${common[@]}" -P scan.unit_mb=5 -o bed$np.h5
  is "$rc" 0 ".bed, $np ranks"
done
run "$RADIOGX" scan -g b.bed "${common[@]}" -P scan.unit_mb=5 -o bed1.h5
for np in $nps; do same ".bed, $np ranks vs 1" bed1.h5 bed$np.h5 /variants /assoc /hits; done
same ".bed: 5 Mb units vs 20" bed.h5 bed1.h5 /variants /assoc
chr2=$(awk '$1 == 2' b.bim | sed -n '200p;500p' | awk '{ printf "%s%s", (NR > 1 ? "-" : ""), $4 }')
run "$RADIOGX" scan -g b.bed "${common[@]}" --region "2:$chr2" -o bedr.h5
run "$RADIOGX" scan -g "$G" "${common[@]}" --dosage GT --region "2:$chr2" -o vcfr.h5
same ".bed --region 2:$chr2 vs the VCF's" vcfr.h5 bedr.h5 /variants /assoc
nv=$(h5dump -d /variants/pos bedr.h5 | grep -o 'SIMPLE { ( [0-9]*' | grep -o '[0-9]*$')
is "$nv" 301 "--region: the 301 records from the 200th to the 500th of chromosome 2"

# One fileset per site (samples split across ranks): equal to the pooled scan, bitwise
# identical for 1-4 ranks.
sites=$(cut -f5 c/manifest.tsv | tail -n +2 | sort -u)
list=""
for s in $sites; do
  awk -F'\t' -v s="$s" 'NR > 1 && $5 == s { print "0\t" $4 }' c/manifest.tsv > "$s.keep"
  plink2 --bfile bm --keep "$s.keep" --make-bed --out "site_$s" >/dev/null 2>&1
  list="$list${list:+,}site_$s.bed"
done
for np in 1 $nps; do
  run mpirun -np $np "$RADIOGX" scan -g "$list" "${common[@]}" -o sites$np.h5
  is "$rc" 0 "one .bed per site, $np ranks"
done
run h5diff -p 1e-9 bedm.h5 sites1.h5 /assoc /assoc
is "$rc" 0 "one .bed per site: /assoc equals the pooled scan to 1e-9 relative"
same "one .bed per site vs pooled" bedm.h5 sites1.h5 /variants
for np in $nps; do same "one .bed per site, $np ranks vs 1" sites1.h5 sites$np.h5 /assoc /hits; done

# --- BGEN written by plink2 (ref-first: the second allele is ALT) -------------------------
# Hard calls with 3% missing: v1.1 (layout 1, zlib), v1.2 (zlib) and v1.3 (zstd) at 8 bits
# hold the VCF's values exactly: the same bits as its GT scan.
plink2 --vcf gtm.vcf.gz --export bgen-1.1 ref-first --out h11 >/dev/null 2>&1
plink2 --vcf gtm.vcf.gz --export bgen-1.2 ref-first bits=8 --out h12 >/dev/null 2>&1
plink2 --vcf gtm.vcf.gz --export bgen-1.3 ref-first bits=8 --out h13 >/dev/null 2>&1
for f in h11 h12 h13; do
  run "$RADIOGX" scan -g $f.bgen "${common[@]}" -o $f.h5
  is "$rc" 0 "scan of plink2's $f.bgen"
  same "BGEN $f (hard calls) vs the VCF's GT" vcfm.h5 $f.h5 /variants /assoc /hits
done
like "$out" "BGEN v1.3 probabilities (layout 2, zstd) from h13.bgen" "the log names the format"
# Dosages: BGEN 1.2 at 16 bits and 1.3 (zstd) at 8 bits from the VCF's DS, against plink2
# --bgen ref-first on the same files (plink2's 1/16384 grid: MAF >= 5%, as scan.t's DS check).
plink2 --vcf "$G" dosage=DS --export bgen-1.2 ref-first --out d16 >/dev/null 2>&1
plink2 --vcf "$G" dosage=DS --export bgen-1.3 ref-first bits=8 --out d8 >/dev/null 2>&1
for f in d16 d8; do
  run "$RADIOGX" scan -g $f.bgen "${common[@]}" -o $f.h5
  is "$rc" 0 "scan of plink2's $f.bgen (dosages)"
  versus_plink2 $f $f.h5 0.05 --bgen $f.bgen ref-first
  check "BGEN $f vs plink2 --bgen ref-first" $f "" 1e-3 1e-3 300
done
# Across formats, within the quantisation: the VCF's DS on plink2's grid (what plink2 put in
# the BGEN) against the 16-bit BGEN, whose probabilities round each dosage by at most
# 1.5 / 65535; and the 8-bit one (1.5 / 255).  Per variant |dbeta| / SE is at most about
# dosage error x sqrt(n) / SD(g): 2e-3 and 0.5 at MAF 5%; over the variants the worst seen
# is far below that.
zcat "$G" | awk -F'\t' 'BEGIN { OFS = "\t" } /^#/ { print; next }
  { for (i = 10; i <= NF; i++) { split($i, a, ":"); $i = a[1] ":" sprintf("%.10f", int(a[2] * 16384 + 0.5) / 16384) } print }' \
  | bgzip > q.vcf.gz && tabix -p vcf q.vcf.gz
run "$RADIOGX" scan -g q.vcf.gz "${common[@]}" --dosage DS -o q.h5
"$RADIOGX" export q.h5 --sumstats ss_q "${ssf[@]}" >/dev/null 2>&1
for f in d16 d8; do
  same "BGEN $f vs the VCF: sites" q.h5 $f.h5 /variants/chrom /variants/pos /variants/id \
    /variants/ref /variants/alt
done
for k in 0 4 6; do
  zcat ss_q/y$k.tsv.gz > q$k.tsv
  for f in d16 d8; do
    zcat ss_$f/y$k.tsv.gz > $f$k.tsv
    read -r n db dp <<< "$(awk -v maf=0.05 -f "$RGX_ROOT/tests/e2e/ss_cmp.awk" q$k.tsv $f$k.tsv)"
    [ $f = d16 ] && tb=1e-3 || tb=0.05
    ok "$(awk -v n="$n" -v db="$db" -v dp="$dp" -v tb=$tb 'BEGIN { exit !(n > 300 && db <= tb && dp <= 5 * tb) }'; echo $?)" \
      "BGEN $f vs the VCF's DS y$k: $n variants (MAF >= 5%), |dbeta|/se $db, |dlog10p| $dp"
  done
done
# 1-4 ranks, and one BGEN per site.
for np in $nps; do
  run mpirun -np $np "$RADIOGX" scan -g d8.bgen "${common[@]}" -P scan.unit_mb=5 -o d8_$np.h5
  is "$rc" 0 "BGEN, $np ranks"
done
run "$RADIOGX" scan -g d8.bgen "${common[@]}" -P scan.unit_mb=5 -o d8_1.h5
for np in $nps; do same "BGEN, $np ranks vs 1" d8_1.h5 d8_$np.h5 /variants /assoc /hits; done
list=""
for s in $sites; do
  plink2 --bfile bm --keep "$s.keep" --export bgen-1.3 ref-first bits=8 --out "bsite_$s" >/dev/null 2>&1
  list="$list${list:+,}bsite_$s.bgen"
done
for np in 1 3; do
  run mpirun -np $np "$RADIOGX" scan -g "$list" "${common[@]}" -o bsites$np.h5
  is "$rc" 0 "one BGEN per site, $np ranks"
done
run h5diff -p 1e-9 h13.h5 bsites1.h5 /assoc /assoc
is "$rc" 0 "one BGEN per site: /assoc equals the pooled scan to 1e-9 relative"
same "one BGEN per site, 3 ranks vs 1" bsites1.h5 bsites3.h5 /variants /assoc /hits

# Bad input: each refused with the file and the line or record.
bad() { # $1 label, $2 fileset prefix, $3 the expected message
  run "$RADIOGX" scan -g "$2.bed" "${common[@]}" -o x.h5
  ok "$([ "$rc" = 5 ] && echo 0 || echo 1)" "$1: input error (status $rc)"
  like "$out" "$3" "$1: the message"
}
mk() { cp b.bed "$1.bed" && cp b.bim "$1.bim" && cp b.fam "$1.fam"; }
mk t && head -c 100000 b.bed > t.bed
bad "truncated .bed" t "t.bed: 100000 bytes, but 3000 variants (t.bim lines) x 240 samples (t.fam lines) take 180003"
mk m && printf '\x6c\x1c\x01' | dd of=m.bed conv=notrunc 2>/dev/null
bad "wrong magic" m "m.bed: not a PLINK 1 .bed file"
mk i && printf '\x6c\x1b\x00' | dd of=i.bed conv=notrunc 2>/dev/null
bad "individual-major .bed" i "i.bed: an individual-major .bed; rewrite it SNP-major"
mk f && echo "0 S9999 0 0 0 -9" >> f.fam
bad ".fam one line too many" f "f.bed: 180003 bytes, but 3000 variants (f.bim lines) x 241 samples"
mk v && tail -1 b.bim >> v.bim
bad ".bim one line too many" v "v.bed: 180003 bytes, but 3001 variants"
mk u && awk 'NR == 10 { l = $0; next } { print } NR == 11 { print l }' b.bim > u.bim
bad "unsorted .bim" u "u.bim:11: position $(sed -n 10p b.bim | cut -f4) after $(sed -n 11p b.bim | cut -f4): the records of a chromosome must be sorted"
mk s && awk 'NR == 5 { $1 = 2 } { print }' OFS='\t' b.bim > s.bim
bad "a chromosome split in two" s "s.bim:6: the records of a chromosome must be together: chromosome appears again after others: '1'"
mk p && awk 'NR == 7 { $4 = "12x" } { print }' OFS='\t' b.bim > p.bim
bad "a bad position" p "p.bim:7: position (column 4) must be a number from 1 to 2^31-1, not '12x'"
mk c5 && awk 'NR == 3 { NF = 5 } { print }' OFS='\t' b.bim > c5.bim
bad "a .bim line with 5 columns" c5 "c5.bim:3: 5 columns, expected 6"
mk d && awk 'NR == 9 { $2 = "S0003" } { print }' OFS='\t' b.fam > d.fam
bad "a duplicate IID" d "d.fam:9: IID 'S0003' already on line 3"
run "$RADIOGX" scan -g nowhere.bed "${common[@]}" -o x.h5
like "$out" "nowhere.bed: cannot open" "a missing .bed"

done_testing
