#!/usr/bin/env bash
# BGEN in every form the format allows, written by the test's own writer (tests/e2e/
# bgen_write.py, from the specification) from the VCF radiogx also scans: hard calls at bit
# depths 1, 13 and 32, unphased and phased, haploid calls, layouts 1 and 2, no compression,
# zlib and zstd give the VCF's bits; dosages at odd bit depths, phased, and in layout 1 agree
# with plink2 --bgen on the same files; --genotype-format bgen reads a BGEN under another
# name; a multi-allelic record is skipped and counted, a call of ploidy 3 made missing and
# counted; sample ids from a .sample file and the rules between it and the
# file's own block; a .bgi index (SQLite, as bgenix writes it) gives the same bits, with
# --region and --chr, for 1-4 ranks; and bad input is refused with the file and the record.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
nps=$(plain_or_asan "2 3 4" 3) # rank counts compared with 1 rank
command -v plink2 >/dev/null || skip_all "plink2 is not installed (scripts/deps.sh installs it)"
command -v zstd >/dev/null || skip_all "zstd is not installed (scripts/deps.sh installs it)"
PY=/usr/bin/python3
W="$PY $RGX_ROOT/tests/e2e/bgen_write.py"
D=$(tmpdir)
cd "$D"
"$RADIOGX" simulate --patients 200 --variants 1500 --chromosomes 3 --dims 16,16,8 --seed 23 \
  --out c >/dev/null 2>&1 || { echo "not ok 1 - simulate"; exit 1; }
$PY - c/covariates.tsv pheno.tsv <<'PY'
import random, sys
random.seed(8)
ids = [l.split("\t")[0] for l in open(sys.argv[1])][1:]
with open(sys.argv[2], "w") as f:
    f.write("#IID\t" + "\t".join("y%d" % k for k in range(4)) + "\n")
    for i in ids:
        f.write(i + "\t" + "\t".join("NA" if k == 3 and random.random() < 0.1 else
                                     "%.7f" % random.gauss(0, 1) for k in range(4)) + "\n")
PY
common=(-p pheno.tsv --covar c/covariates.tsv --pheno-transform none --maf 0.01 --call-rate 0)
# The VCF's GT with edge cases: 3% missing calls, every call phased, 1% haploid calls; record 5
# multi-allelic.  (bgen_write.py writes record 5 with a third allele.)
$PY - c/genotypes.vcf.gz edge.vcf <<'PY'
import gzip, random, sys
random.seed(2)
out = open(sys.argv[2], "w")
n = 0
for line in gzip.open(sys.argv[1], "rt"):
    if line.startswith("##FORMAT=<ID=DS"):
        continue
    if line.startswith("#"):
        out.write(line)
        continue
    f = line.rstrip("\n").split("\t")
    n += 1
    f[8] = "GT"
    calls = []
    for s in f[9:]:
        a = s.split(":")[0].replace("/", "|")
        r = random.random()
        calls.append(".|." if r < 0.03 else a[0] if r < 0.04 else a)
    f[9:] = calls
    out.write("\t".join(f) + "\n")
PY
bgzip -f edge.vcf && tabix -f -p vcf edge.vcf.gz
# The VCF radiogx compares with has record 5 multi-allelic too.
zcat edge.vcf.gz | awk -F'\t' -v OFS='\t' '!/^#/ && ++n == 5 { $5 = $5 "," ($5 == "T" ? "C" : "T") } { print }' \
  | bgzip > edgem.vcf.gz && tabix -p vcf edgem.vcf.gz
run "$RADIOGX" scan -g edgem.vcf.gz "${common[@]}" -o vcf.h5
is "$rc" 0 "scan of the VCF with edge cases"
run "$RADIOGX" scan -g edge.vcf.gz "${common[@]}" -o vcf0.h5
same() { # $1 label, $2 $3 run files, then the objects that must be bitwise identical
  local label=$1 a=$2 b=$3 o
  shift 3
  for o in "$@"; do
    h5diff "$a" "$b" "$o" "$o" >/dev/null 2>&1
    is "$?" 0 "$label: $o identical"
  done
}

# --- hard calls: the VCF's bits, whatever the bit depth, layout and compression -----------
# Layout 1 has neither ploidy nor allele count: its VCF has no haploid calls, no third allele.
zcat edge.vcf.gz | awk -F'\t' -v OFS='\t' '/^#/ { print; next } { for (i = 10; i <= NF; i++) if ($i !~ /\|/) $i = $i "|" $i; print }' \
  | bgzip > dip.vcf.gz && tabix -p vcf dip.vcf.gz
run "$RADIOGX" scan -g dip.vcf.gz "${common[@]}" -o vcf1.h5
for form in "2 none 1" "2 zlib 13 --phased" "2 zstd 32" "2 zstd 8 --phased" "1 none 16" "1 zlib 16"; do
  set -- $form
  name="layout$1_$2_$3${4:+_phased}"
  if [ "$1" = 1 ]; then
    $W dip.vcf.gz "$name.bgen" --layout 1 --compression "$2"
  else
    $W edge.vcf.gz "$name.bgen" --compression "$2" --bits "$3" ${4:-} --multi 5
  fi
  run "$RADIOGX" scan -g "$name.bgen" "${common[@]}" -o "$name.h5"
  is "$rc" 0 "scan of $name.bgen"
  [ "$2" = zstd ] && like "$out" "BGEN v1.3 probabilities (layout 2, zstd)" \
    "$name: the log names the version, layout and compression"
  ref=vcf1.h5
  if [ "$1" = 2 ]; then
    like "$out" "skipped: 1 multi-allelic" "$name: the record with three alleles skipped and counted"
    ref=vcf.h5
  fi
  same "$name vs the VCF" "$ref" "$name.h5" /variants /assoc
done

# A call of ploidy 3 is made missing and counted.
$W edge.vcf.gz p3.bgen --ploidy3 7 --bits 8
run "$RADIOGX" scan -g p3.bgen "${common[@]}" -o p3.h5
like "$out" "1 calls of ploidy 0 or above 2 made missing" "ploidy 3: counted in the log"

# --- dosages: plink2 --bgen ref-first on the same files ------------------------------------
versus_plink2() { # $1 tag, $2 file: radiogx's sumstats and plink2 --glm on the same BGEN
  run "$RADIOGX" scan -g "$2" "${common[@]}" -o "$1.h5"
  is "$rc" 0 "scan of $2"
  "$RADIOGX" export "$1.h5" --sumstats "ss_$1" "${ssf[@]}" >/dev/null 2>&1
  plink2 --bgen "$2" ref-first --pheno pheno.tsv --covar c/covariates.tsv --glm hide-covar \
    omit-ref --maf 0.05 --threads 1 --memory 2000 --out "pl_$1" >/dev/null 2>&1
}
# As tests/e2e/scan.t's DS check: plink2 keeps dosages on a grid of 1/16384.
check() { # $1 label, $2 tag
  local line n rb rs lp bs k
  for k in 0 3; do
    zcat "ss_$2/y$k.tsv.gz" > "y$k.tsv"
    line=$(awk -f "$RGX_ROOT/tests/e2e/glm_cmp.awk" "pl_$2.y$k.glm.linear" "y$k.tsv")
    read -r n rb rs lp bs <<< "$line"
    ok "$(awk -v n="$n" -v lp="$lp" -v bs="$bs" 'BEGIN { exit !(n > 300 && lp <= 1e-3 && bs <= 1e-3) }'; echo $?)" \
      "$1 y$k: $n variants (MAF >= 5%), |dlog10p| $lp, |dbeta|/se $bs"
  done
}
for form in "3" "23 --phased"; do  # (plink2 reads at most 28 bits)
  set -- $form
  $W c/genotypes.vcf.gz "ds$1.bgen" --from-ds --bits "$1" ${2:-}
  versus_plink2 "ds$1" "ds$1.bgen"
  check "dosages, $1 bits${2:+, phased}, vs plink2 --bgen" "ds$1"
done
# Layout 1 (v1.1): three 16-bit probabilities per sample, whose rounded values need not sum
# to 32768 (radiogx divides by their sum).
$W c/genotypes.vcf.gz dsl1.bgen --from-ds --layout 1
versus_plink2 dsl1 dsl1.bgen
check "dosages, layout 1 (v1.1), vs plink2 --bgen" dsl1

# --genotype-format bgen: a BGEN under another name (its .sample: NAME.sample).
mkdir other && cp ds3.bgen other/g.dat
run "$RADIOGX" scan -g other/g.dat --genotype-format bgen "${common[@]}" -o dat.h5
is "$rc" 0 "--genotype-format bgen: a BGEN named g.dat"
same "--genotype-format bgen" ds3.h5 dat.h5 /variants /assoc
run "$RADIOGX" scan -g other/g.dat "${common[@]}" -o x.h5
like "$out" "g.dat: cannot open as VCF/BCF" "the same file by its name alone: read as a VCF, refused"

# --- sample ids ---------------------------------------------------------------------------
$W edge.vcf.gz noids.bgen --no-ids --sample noids.sample
run "$RADIOGX" scan -g noids.bgen "${common[@]}" -o noids.h5
is "$rc" 0 "no sample block: the ids from noids.sample"
same "ids from the .sample" vcf0.h5 noids.h5 /assoc
awk 'NR == 1 { print "ID missing"; next } NR == 2 { print "0 0"; next } { print $2, 0 }' noids.sample > v2.sample
cp noids.bgen v2.bgen
run "$RADIOGX" scan -g v2.bgen "${common[@]}" -o v2.h5
same "a one-column .sample (ID header)" noids.h5 v2.h5 /assoc
cp noids.bgen none.bgen
run "$RADIOGX" scan -g none.bgen "${common[@]}" -o x.h5
like "$out" "none.bgen: no sample ids: the file has no sample identifier block and there is no .sample file beside it" \
  "no sample block and no .sample: refused"
cp layout2_none_1.bgen both.bgen
awk 'NR == 7 { $2 = "Z999" } { print }' noids.sample > both.sample
run "$RADIOGX" scan -g both.bgen "${common[@]}" -o x.h5
like "$out" "both.bgen: sample 5 is 'Z999' in both.sample but" "a .sample that contradicts the block: refused"
head -n -1 noids.sample > short.sample && cp noids.bgen short.bgen
run "$RADIOGX" scan -g short.bgen "${common[@]}" -o x.h5
like "$out" "short.sample: 199 samples, short.bgen has 200" "a .sample one line short: refused"

# --- the .bgi index -------------------------------------------------------------------------
$W edge.vcf.gz ix.bgen --bits 8 --compression zstd --multi 5 --bgi ix.bgen.bgi
run "$RADIOGX" scan -g ix.bgen "${common[@]}" -o ix.h5
like "$out" "from ix.bgen (indexed)" "the .bgi is used"
same ".bgi vs the VCF" vcf.h5 ix.h5 /variants /assoc
chr2=$(zcat edge.vcf.gz | awk '!/^#/ && $1 == 2 { if (++n == 100) a = $2; if (n == 300) b = $2 } END { print a "-" b }')
for sel in "--region 2:$chr2" "--chr 1,3"; do
  run "$RADIOGX" scan -g ix.bgen "${common[@]}" $sel -o ixr.h5
  run "$RADIOGX" scan -g edgem.vcf.gz "${common[@]}" $sel -o vcfr.h5
  same ".bgi with $sel vs the VCF's" vcfr.h5 ixr.h5 /variants /assoc
done
for np in $nps; do
  run mpirun -np $np "$RADIOGX" scan -g ix.bgen "${common[@]}" -P scan.unit_mb=5 -o ix$np.h5
  is "$rc" 0 ".bgi, $np ranks"
done
run "$RADIOGX" scan -g ix.bgen "${common[@]}" -P scan.unit_mb=5 -o ix1.h5
for np in $nps; do same ".bgi, $np ranks vs 1" ix1.h5 ix$np.h5 /variants /assoc /hits; done
cp ix.bgen noix.bgen
run mpirun -np 3 "$RADIOGX" scan -g noix.bgen "${common[@]}" -P scan.unit_mb=5 -o noix3.h5
same "no .bgi (one pass), 3 ranks vs the .bgi's" ix1.h5 noix3.h5 /variants /assoc
# An index that does not list one of the file's variants: a unit's count disagrees.
cp ix.bgen stale.bgen && cp ix.bgen.bgi stale.bgen.bgi
$PY - stale.bgen.bgi <<'PY'
import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
pos = [r[0] for r in d.execute("SELECT position FROM Variant WHERE chromosome = '2' ORDER BY position")]
d.execute("DELETE FROM Variant WHERE chromosome = '2' AND position = ?", (pos[50],))
d.commit()
PY
run "$RADIOGX" scan -g stale.bgen "${common[@]}" -o x.h5
like "$out" "listed by stale.bgen.bgi: the index is not this file's" "a .bgi that does not match: refused"
cp ix.bgen junk.bgen && echo "not sqlite" > junk.bgen.bgi
run "$RADIOGX" scan -g junk.bgen "${common[@]}" -o x.h5
like "$out" "junk.bgen.bgi: " "a .bgi that is not SQLite: refused, named"

# --- bad input ------------------------------------------------------------------------------
bad() { # $1 label, $2 file, $3 the expected message
  run "$RADIOGX" scan -g "$2" "${common[@]}" -o x.h5
  ok "$([ "$rc" = 5 ] && echo 0 || echo 1)" "$1: input error (status $rc)"
  like "$out" "$3" "$1: the message"
}
size=$(stat -c %s layout2_zlib_13_phased.bgen)
head -c $((size - 100)) layout2_zlib_13_phased.bgen > trunc.bgen
bad "truncated .bgen" trunc.bgen "trunc.bgen: variant 1500"
like "$out" "the file ends inside it (truncated)" "truncated .bgen: says so"
cp layout2_none_1.bgen magic.bgen && printf 'bgex' | dd of=magic.bgen bs=1 seek=16 conv=notrunc 2>/dev/null
bad "wrong magic" magic.bgen "magic.bgen: not a BGEN file (no 'bgen' magic number)"
cp layout2_none_1.bgen lay.bgen && printf '\x0c' | dd of=lay.bgen bs=1 seek=20 conv=notrunc 2>/dev/null
bad "layout 3" lay.bgen "lay.bgen: BGEN layout 3: only layouts 1 (v1.1) and 2"
$W edge.vcf.gz z.bgen --bits 8 --corrupt 3
bad "a corrupt zlib block" z.bgen "z.bgen: variant 3 (1:"
like "$out" "its zlib block does not decompress" "a corrupt zlib block: says so"
for b in 0 33; do
  $W edge.vcf.gz b$b.bgen --bits 8 --compression none --bits-byte "$b"
  bad "bit depth $b" b$b.bgen "b$b.bgen: variant 1 (1:"
  like "$out" "bit depth $b (1 to 32)" "bit depth $b: says so"
done
zcat edge.vcf.gz | awk '!/^#/ && ++n == 20 { l = $0; next } { print } !/^#/ && n == 21 { print l }' > uns.vcf
$W uns.vcf uns.bgen --bits 8
bad "unsorted positions" uns.bgen "uns.bgen: variant 21 (1:"
like "$out" "the variants of a chromosome must be sorted by position" "unsorted: says so"

done_testing
