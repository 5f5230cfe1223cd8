#!/usr/bin/env bash
# radiogx scan against plink2 --glm (GT hard calls and DS dosages, shared and separate
# missingness), bitwise identity for 1-4 ranks and for VCF/BCF, indexed or not, a null
# lambda_GC, and clear errors.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
nps=$(plain_or_asan "2 3 4" 3) # rank counts compared with 1 rank
command -v plink2 >/dev/null || skip_all "plink2 is not installed (scripts/deps.sh installs it)"
D=$(tmpdir)
"$RADIOGX" simulate --patients 240 --variants 4000 --chromosomes 8 --dims 16,16,8 --seed 11 \
  --out "$D/c" >/dev/null 2>&1 || { echo "not ok 1 - simulate"; exit 1; }
# 12 null phenotypes: 0-3 complete, 4-7 share one missingness pattern, 8-11 their own.
python3 - "$D/c/covariates.tsv" "$D/pheno.tsv" <<'PY'
import random, sys
random.seed(3)
ids = [l.split("\t")[0] for l in open(sys.argv[1])][1:]
shared = set(random.sample(ids, 30))
with open(sys.argv[2], "w") as f:
    f.write("#IID\t" + "\t".join("y%d" % k for k in range(12)) + "\n")
    for i in ids:
        row = []
        for k in range(12):
            miss = (4 <= k < 8 and i in shared) or (k >= 8 and random.random() < 0.1)
            row.append("NA" if miss else "%.7f" % random.gauss(0, 1))
        f.write(i + "\t" + "\t".join(row) + "\n")
PY
G="$D/c/genotypes.vcf.gz"
common=(-p "$D/pheno.tsv" --covar "$D/c/covariates.tsv" --pheno-transform none --maf 0.01 --call-rate 0)

# plink2 on the same files as a radiogx run, whose summary statistics are exported for check:
# $1 tag (ss_TAG, pl_TAG), $2 radiogx's run file, $3 VCF, $4 covariates, then plink2's own
# options (its dosage import, --maf).
versus_plink2() {
  local tag=$1 run=$2 vcf=$3 cov=$4
  shift 4
  "$RADIOGX" export "$run" --sumstats "$D/ss_$tag" "${ssf[@]}" >/dev/null 2>&1
  plink2 --vcf "$vcf" "$@" --pheno "$D/pheno.tsv" --covar "$cov" --glm hide-covar omit-ref \
    --threads 1 --memory 2000 --out "$D/pl_$tag" >/dev/null 2>&1
}

check() { # $1 label, $2 dosage mode, $3 beta tolerance (relative), $4 log10p tolerance, $5 beta/SE tolerance
  local worst=0 line n rb rs lp bs k
  for k in 0 4 8; do
    zcat "$D/ss_$2/y$k.tsv.gz" > "$D/y$k.tsv"
    line=$(awk -f "$RGX_ROOT/tests/e2e/glm_cmp.awk" "$D/pl_$2.y$k.glm.linear" "$D/y$k.tsv")
    read -r n rb rs lp bs <<< "$line"
    ok "$(awk -v n="$n" -v rb="$rb" -v rs="$rs" -v lp="$lp" -v bs="$bs" -v tb="$3" -v tp="$4" -v ts="$5" \
      'BEGIN { exit !(n > 1000 && (tb == "" || (rb <= tb && rs <= tb)) && lp <= tp && (ts == "" || bs <= ts)) }'; echo $?)" \
      "$1 y$k: $n variants, beta rel $rb, se rel $rs, |dlog10p| $lp, |dbeta|/se $bs"
  done
}

# GT hard calls: the models are identical, so agreement to plink2's printed precision.
run "$RADIOGX" scan -g "$G" "${common[@]}" --dosage GT -o "$D/gt.h5"
is "$rc" 0 "scan (GT)"
like "$out" "12 phenotypes in 6 missingness groups" "groups by missingness"
versus_plink2 GT "$D/gt.h5" "$G" "$D/c/covariates.tsv" --maf 0.01
check "GT vs plink2" GT 1e-5 1e-4 ""

# Eight covariates and the intercept: more than the sparse-group kernel takes at once (six),
# so its second block of weights is exercised too.
python3 - "$D/c/covariates.tsv" "$D/cov8.tsv" <<'PY'
import random, sys
random.seed(5)
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
with open(sys.argv[2], "w") as f:
    f.write("\t".join(rows[0] + ["pc1", "pc2", "pc3", "pc4"]) + "\n")
    for r in rows[1:]:
        f.write("\t".join(r + ["%.4f" % random.gauss(0, 1) for _ in range(4)]) + "\n")
PY
run "$RADIOGX" scan -g "$G" -p "$D/pheno.tsv" --covar "$D/cov8.tsv" --pheno-transform none \
  --maf 0.01 --call-rate 0 --dosage GT -o "$D/gt8.h5"
is "$rc" 0 "scan (GT, 8 covariates)"
like "$out" "8 covariates + intercept" "8 covariates + intercept"
versus_plink2 GT8 "$D/gt8.h5" "$G" "$D/cov8.tsv" --maf 0.01
check "GT, 8 covariates, vs plink2" GT8 1e-5 1e-4 ""

# DS dosages.  plink2 stores dosages on a grid of 1/16384, which moves the estimates of rare
# variants by up to ~1e-3 SE; so (a) the raw VCF at MAF >= 5% within the stated tolerances,
# and (b) the dosages put on plink2's grid first: then the models are identical again.
run "$RADIOGX" scan -g "$G" "${common[@]}" --dosage DS -o "$D/ds.h5"
is "$rc" 0 "scan (DS)"
versus_plink2 DS "$D/ds.h5" "$G" "$D/c/covariates.tsv" dosage=DS --maf 0.05
check "DS vs plink2 (MAF >= 5%)" DS "" 1e-3 1e-3
zcat "$G" | awk -F'\t' 'BEGIN { OFS = "\t" } /^#/ { print; next }
  { for (i = 10; i <= NF; i++) { split($i, a, ":"); $i = a[1] ":" sprintf("%.10f", int(a[2] * 16384 + 0.5) / 16384) } print }' \
  | bgzip > "$D/q.vcf.gz" && tabix "$D/q.vcf.gz"
run "$RADIOGX" scan -g "$D/q.vcf.gz" "${common[@]}" --dosage DS -o "$D/q.h5"
versus_plink2 Q "$D/q.h5" "$D/q.vcf.gz" "$D/c/covariates.tsv" dosage=DS --maf 0.01
check "DS on plink2's grid vs plink2" Q 1e-5 1e-4 ""

# The same bits for 1, 2, 3 and 4 ranks, and from BCF and an unindexed VCF.
for np in $nps; do
  run mpirun -np $np "$RADIOGX" scan -g "$G" "${common[@]}" --dosage DS -o "$D/ds$np.h5"
  run h5diff "$D/ds.h5" "$D/ds$np.h5" /assoc /assoc
  is "$rc" 0 "$np ranks: /assoc identical to 1 rank"
  run h5diff "$D/ds.h5" "$D/ds$np.h5" /variants /variants
  is "$rc" 0 "$np ranks: /variants identical"
done
bcftools view -Ob -o "$D/g.bcf" "$G" && bcftools index "$D/g.bcf"
zcat "$G" > "$D/plain.vcf"
for f in g.bcf plain.vcf; do
  run mpirun -np 2 "$RADIOGX" scan -g "$D/$f" "${common[@]}" --dosage DS -o "$D/$f.h5"
  run h5diff "$D/ds.h5" "$D/$f.h5" /assoc /assoc
  is "$rc" 0 "$f: /assoc identical to the indexed VCF.gz"
done
# An input every rank fails to read is said once for the job (comm_log_failure), not by
# each rank.
run mpirun -np 2 "$RADIOGX" scan -g "$D/g.bcf" -p "$D/nothing.tsv" -o "$D/nothing.h5"
is "$rc" 5 "a phenotype file that is not there: input error"
is "$(echo "$out" | grep -c 'ERROR\]')" 1 "one error line for the two ranks ($out)"
like "$out" "r0 ERROR] scan: phenotype file $D/nothing.tsv: cannot read (every rank)" \
  "the message once, naming every rank"
# Phenotypes not scanned: the first 10 named, then a count (every name with -v).  y0 kept;
# z1..z11 the same value for every sample (no variance), z12 one observation.
awk -F'\t' -v OFS='\t' 'NR == 1 { h = $1 OFS $2; for (k = 1; k <= 12; k++) h = h OFS "z" k; print h; next }
  { r = $1 OFS $2; for (k = 1; k <= 11; k++) r = r OFS 1.5; print r OFS (NR == 2 ? 0.7 : "NA") }' \
  "$D/pheno.tsv" > "$D/flat.tsv"
run "$RADIOGX" scan -g "$G" -p "$D/flat.tsv" --covar "$D/c/covariates.tsv" -o "$D/flat.h5"
is "$rc" 0 "a scan with 12 phenotypes that cannot be scanned and one that can"
is "$(echo "$out" | grep -c 'not scanned: ')" 10 "10 of them named"
like "$out" "WARN] scan: 12 of 13 phenotypes not scanned (1 too few observations, 11 no variance;" \
  "then the count, by reason"
is "$(h5dump -a /phenotypes/not_scanned "$D/flat.h5" | grep -o '(0): [0-9]*')" "(0): 12" \
  "the run file's count"
run "$RADIOGX" scan -v -g "$G" -p "$D/flat.tsv" --covar "$D/c/covariates.tsv" -o "$D/flat.h5"
is "$(echo "$out" | grep -c 'not scanned: ')" 12 "with -v, all 12 named"

# radiogx parses VCF text itself (only the FORMAT key it needs); HTSlib parses the BCF.  On a
# VCF full of edge cases both must give the same bits: missing calls ("./.", ".", absent
# subfields; an empty one is an error, tests/e2e/inputs.t), haploid and phased calls, DS
# written ".5", "1e-0" or with 16 digits, the FORMAT keys in another order, a multi-allelic
# record and one with ALT ".".
python3 - "$G" "$D/edge.vcf" <<'PY'
import gzip, random, sys
random.seed(9)
out = open(sys.argv[2], "w")
n = 0
for line in gzip.open(sys.argv[1], "rt"):
    if line.startswith("#"):
        out.write(line)
        continue
    f = line.rstrip("\n").split("\t")
    n += 1
    if n == 5:
        f[4] = "A,C" if f[3] != "A" else "G,C"   # multi-allelic: skipped by both
    if n == 6:
        f[4] = "."                                  # no ALT: skipped by both
    swap = n % 7 == 0                               # FORMAT DS:GT
    if swap:
        f[8] = "DS:GT"
    for i in range(9, len(f)):
        gt, ds = f[i].split(":")
        r = random.random()
        if r < 0.02: gt, ds = "./.", "."
        elif r < 0.04: gt, ds = ".", "."
        elif r < 0.06: gt = gt.replace("/", "|")
        elif r < 0.08: gt, ds = ("1" if ds == "2" else "0"), ("2" if ds == "2" else "0")
        elif r < 0.10 and ds == "1": ds = "1e-0"
        elif r < 0.12 and ds == "0": ds = ".0"
        elif r < 0.14 and ds == "1": ds = "1.000000000000001"
        elif r < 0.16: ds = None                    # truncated: GT only
        if swap:
            f[i] = (ds if ds is not None else ".") + ":" + gt
        else:
            f[i] = gt if ds is None else gt + ":" + ds
    out.write("\t".join(f) + "\n")
PY
bgzip -f "$D/edge.vcf" && tabix -f "$D/edge.vcf.gz"
bcftools view -Ob -o "$D/edge.bcf" "$D/edge.vcf.gz" 2>/dev/null && bcftools index -f "$D/edge.bcf"
for dm in DS GT; do
  run "$RADIOGX" scan -g "$D/edge.vcf.gz" "${common[@]}" --dosage $dm -o "$D/edge_v$dm.h5"
  like "$out" "skipped: 1 multi-allelic records" "edge-case VCF ($dm): the multi-allelic record skipped"
  like "$out" "and 1 without an ALT allele" "edge-case VCF ($dm): the ALT '.' record skipped"
  run "$RADIOGX" scan -g "$D/edge.bcf" "${common[@]}" --dosage $dm -o "$D/edge_b$dm.h5"
  run h5diff "$D/edge_v$dm.h5" "$D/edge_b$dm.h5" /assoc /assoc
  is "$rc" 0 "edge-case VCF ($dm): /assoc identical to HTSlib's parse of the same records (BCF)"
  run h5diff "$D/edge_v$dm.h5" "$D/edge_b$dm.h5" /variants /variants
  is "$rc" 0 "edge-case VCF ($dm): /variants identical"
done

# Null phenotypes: lambda_GC near 1 on average over the 12.
lam=$(h5dump -y -d /phenotypes/lambda_gc "$D/ds.h5" | awk '/DATA/{f=1; next} f && /[0-9]/ { gsub(/[,}]/, " "); for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) { s += $i; n++ } } END { printf "%.3f", s / n }')
ok "$(awk -v l="$lam" 'BEGIN { exit !(l > 0.95 && l < 1.05) }'; echo $?)" "null phenotypes: mean lambda_GC $lam within 1 +- 0.05"

# Outlier removal: a value far from the others becomes missing; the scan then equals a scan
# of the same table with that value written as NA.
awk -F'\t' -v OFS='\t' 'NR == 2 { $2 = 1000 } { print }' "$D/pheno.tsv" > "$D/po.tsv"
awk -F'\t' -v OFS='\t' 'NR == 2 { $2 = "NA" } { print }' "$D/pheno.tsv" > "$D/pna.tsv"
run "$RADIOGX" scan -g "$G" -p "$D/po.tsv" --covar "$D/c/covariates.tsv" --pheno-transform none --pheno-outliers 5 -o "$D/po.h5"
like "$out" "1 phenotype values beyond mean +- 5 SD set to missing (in 1 phenotypes)" "outliers: one value removed"
run "$RADIOGX" scan -g "$G" -p "$D/pna.tsv" --covar "$D/c/covariates.tsv" --pheno-transform none -o "$D/pna.h5"
run h5diff "$D/po.h5" "$D/pna.h5" /assoc /assoc
is "$rc" 0 "outliers: the same results as with the value missing"

# Errors say what and where.
printf '#IID\ty\nS0001\tabc\n' > "$D/bad.tsv"
run "$RADIOGX" scan -g "$G" -p "$D/bad.tsv" -o "$D/x.h5"
like "$out" "phenotype column 'y', sample S0001: 'abc' is not a number" "bad phenotype cell"
printf 'ID\ty\n' > "$D/bad2.tsv"
run "$RADIOGX" scan -g "$G" -p "$D/bad2.tsv" -o "$D/x.h5"
like "$out" "bad2.tsv:1: the header must start with #IID or #FID IID" "bad header"
run "$RADIOGX" scan -g "$D/none.vcf.gz" -p "$D/pheno.tsv" -o "$D/x.h5"
like "$out" "none.vcf.gz: cannot open as VCF/BCF" "missing genotype file"
run "$RADIOGX" scan -g "$G" -p "$D/pheno.tsv" -o "$D/x.h5" --maf 2
is "$rc" 3 "out-of-range option is a config error"
# --no-checksums: the genotype file is recorded without its SHA-256, the tables with theirs.
run "$RADIOGX" scan -g "$G" "${common[@]}" --no-checksums -o "$D/nock.h5"
is "$rc" 0 "--no-checksums runs"
shas=$(h5dump -d /provenance/inputs/sha256 "$D/nock.h5" | grep -cE '"[0-9a-f]{64}"')
is "$shas" 2 "--no-checksums: the phenotype and covariate tables hashed, the genotype file not"

done_testing
