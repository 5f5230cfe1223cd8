#!/usr/bin/env bash
# The exports' bytes against expected outputs kept in tests/expected/exports/, as bcftools'
# test suite keeps its own: a scan of a small cohort written here (16 samples, 8 variants on
# chromosomes 1 and 2, a monomorphic one, an indel, a missing call; two phenotypes, one with a
# missing value), then --hits, --loci and --sumstats (each GWAS-SSF file decompressed, and
# its metadata with the version, date and md5 masked) diffed against the expected files. The
# expected values are checked against independent truth here too: every GWAS-SSF row's beta,
# SE and p against numpy/scipy least squares on the same data.
#   RGX_REDO_OUTPUTS=1 prove tests/e2e/exports.t   rewrites the expected files (then review
#                                                    the diff: git diff tests/expected)
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
/usr/bin/python3 -c 'import numpy, scipy, yaml' 2>/dev/null ||
  skip_all "python3-numpy, python3-scipy or python3-yaml is not installed (scripts/deps.sh)"
E="$RGX_ROOT/tests/expected/exports"
D=$(tmpdir)
cd "$D"

# Genotypes: 16 samples; v1 drives y1; v4 (monomorphic) fails QC; v6 an indel; S3 misses v7.
{
  printf '##fileformat=VCFv4.2\n##contig=<ID=1,length=1000000>\n##contig=<ID=2,length=1000000>\n'
  printf '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
  printf '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT'
  for i in $(seq 1 16); do printf '\tS%d' "$i"; done; printf '\n'
  row() { printf '%s\t%s\t%s\t%s\t%s\t.\t.\t.\tGT' "$1" "$2" "$3" "$4" "$5"; shift 5
          for g in "$@"; do printf '\t%s' "$g"; done; printf '\n'; }
  row 1 100 v1 A G    0/0 0/1 1/1 0/1 0/0 1/1 0/1 0/0 0/1 1/1 0/0 0/1 0/1 0/0 1/1 0/1
  row 1 2000 v2 C T   0/1 0/0 0/0 0/1 1/1 0/0 0/1 0/1 0/0 0/0 0/1 1/1 0/0 0/1 0/0 0/1
  row 1 9000 v3 G A   0/0 0/0 0/1 0/0 0/0 0/1 0/0 0/0 0/1 0/0 0/0 0/0 0/1 0/0 0/0 1/1
  row 1 20000 v4 T C  0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0
  row 1 600000 v5 A C 0/1 0/1 0/0 1/1 0/1 0/0 0/0 0/1 1/1 0/1 0/0 0/0 0/1 0/1 0/0 0/0
  row 2 50 v6 A AT    0/0 0/1 0/1 0/0 0/0 0/1 1/1 0/0 0/0 0/1 0/0 0/1 0/0 0/0 0/1 0/0
  row 2 700 v7 C G    0/1 0/0 ./. 0/1 0/0 0/0 0/1 1/1 0/0 0/1 0/1 0/0 0/0 0/1 0/1 0/0
  row 2 9000 v8 G T   1/1 0/1 0/0 0/0 0/1 0/1 0/0 0/0 0/1 0/0 1/1 0/1 0/0 0/0 0/1 0/1
} > g.vcf
# y1 = 0.8 x (v1's ALT count) + age / 100 + fixed noise; y2 fixed numbers, S5 missing.
/usr/bin/python3 - <<'PY'
v1 = [0, 1, 2, 1, 0, 2, 1, 0, 1, 2, 0, 1, 1, 0, 2, 1]
noise = [0.31, -0.12, 0.05, -0.44, 0.27, 0.18, -0.09, 0.36, -0.21, 0.02, -0.33, 0.14, 0.41,
         -0.06, -0.25, 0.11]
y2 = [1.2, -0.7, 0.3, 2.1, None, -1.4, 0.8, 0.05, -0.35, 1.7, -0.9, 0.6, -1.1, 0.25, 0.95, -0.15]
age = [52, 61, 47, 70, 58, 66, 49, 55, 63, 72, 45, 59, 68, 51, 57, 64]
with open("pheno.tsv", "w") as f:
    f.write("#IID\ty1\ty2\n")
    for i in range(16):
        y1 = 0.8 * v1[i] + age[i] / 100 + noise[i]
        f.write("S%d\t%.6f\t%s\n" % (i + 1, y1, "NA" if y2[i] is None else "%.6f" % y2[i]))
with open("covar.tsv", "w") as f:
    f.write("#IID\tage\tsex\n")
    for i in range(16):
        f.write("S%d\t%d\t%d\n" % (i + 1, age[i], 1 + i % 2))
PY
run "$RADIOGX" scan -g g.vcf -p pheno.tsv --covar covar.tsv --pheno-transform none --maf 0 \
  --call-rate 0 --hits-threshold 0.5 --min-obs 10 -o run.h5
is "$rc" 0 "scan of the cohort"
like "$out" "7 variants tested x 2 phenotypes" "7 variants (v4 monomorphic) x 2 phenotypes"
run "$RADIOGX" export run.h5 --hits hits.tsv --loci loci.tsv --sumstats ss "${ssf[@]}"
is "$rc" 0 "export --hits --loci --sumstats"

# What is compared: the tables as written, each GWAS-SSF file decompressed, the sidecars with
# what changes from run to run masked (radiogx's version, the date, the data's md5).
mkdir got
cp hits.tsv loci.tsv got/
for p in y1 y2; do
  [ -s "ss/$p.tsv.gz" ] && [ -s "ss/$p.tsv.gz.tbi" ] && [ -s "ss/$p.tsv.gz-meta.yaml" ]
  ok $? "ss/$p.tsv.gz, its index and its sidecar written"
  zcat "ss/$p.tsv.gz" > "got/$p.tsv"
  sed -E -e 's/radiogx [^ )"]+/radiogx VERSION/g' -e 's/^(date_last_modified|data_file_md5sum): .*/\1: MASKED/' \
    "ss/$p.tsv.gz-meta.yaml" > "got/$p.tsv.gz-meta.yaml"
  is "$(md5sum < "ss/$p.tsv.gz" | cut -c1-32)" \
    "$(sed -n 's/^data_file_md5sum: //p' "ss/$p.tsv.gz-meta.yaml")" "$p: the sidecar's md5 is the file's"
done
run /usr/bin/python3 "$RGX_ROOT/tests/e2e/ssf_check.py" ss 2
like "$out" "checked 2 files, 14 rows, 0 problems" "both files pass the GWAS-SSF checks (ssf_check.py)"
if [ -n "${RGX_REDO_OUTPUTS:-}" ]; then
  mkdir -p "$E" && cp got/* "$E/"
  echo "# expected outputs rewritten in $E"
fi
for f in hits.tsv loci.tsv y1.tsv y2.tsv y1.tsv.gz-meta.yaml y2.tsv.gz-meta.yaml; do
  [ -s "$E/$f" ] && [ "$(wc -l < "$E/$f")" -gt 1 ] || echo "# $E/$f: missing or without rows"
  run diff -u "$E/$f" "got/$f"
  [ "$rc" = 0 ] && [ "$(wc -l < "$E/$f")" -gt 1 ]
  ok $? "$f: as expected (tests/expected/exports/$f)"
  [ "$rc" = 0 ] || printf '%s\n' "$out" | head -30 | sed 's/^/#   /'
done

# A run file of the earlier layout (/variants/qc and /variants/model stored as double, not
# int8) exports the same bytes: the readers take either.
/usr/bin/python3 - <<'PY'
import shutil, h5py
shutil.copy("run.h5", "old.h5")
with h5py.File("old.h5", "r+") as f:
    for k in ("/variants/qc", "/variants/model"):
        v, attrs = f[k][()], dict(f[k].attrs)
        del f[k]
        f.create_dataset(k, data=v.astype("f8"))
        for a, x in attrs.items(): f[k].attrs[a] = x
PY
is "$(/usr/bin/python3 -c 'import h5py; print(h5py.File("run.h5")["/variants/qc"].dtype, h5py.File("old.h5")["/variants/qc"].dtype)')" \
  "int8 float64" "the new file stores qc as int8, the rewritten one as double"
run "$RADIOGX" export old.h5 --hits old_hits.tsv --loci old_loci.tsv --sumstats old_ss \
  "${ssf[@]}"
is "$rc" 0 "export of the earlier layout"
cmp -s hits.tsv old_hits.tsv && cmp -s loci.tsv old_loci.tsv &&
  cmp -s <(zcat ss/y1.tsv.gz ss/y2.tsv.gz) <(zcat old_ss/y1.tsv.gz old_ss/y2.tsv.gz)
ok $? "the earlier layout exports the same hits, loci and GWAS-SSF rows"

# The expected values against least squares: y ~ 1 + dosage + age + sex on the samples with
# the phenotype (a missing call mean-imputed, as radiogx does), t test; every row's beta, SE
# and p, and n.  Arguments: the phenotype file, the export's folder, the phenotypes.
lstsq() {
  /usr/bin/python3 - "$@" <<'PY'
import gzip, sys, numpy as np
from scipy import stats
pfile, ssdir, names = sys.argv[1], sys.argv[2], sys.argv[3:]
samples, gt = None, {}
for l in open("g.vcf"):
    if l.startswith("##"): continue
    f = l.rstrip("\n").split("\t")
    if f[0] == "#CHROM": samples = f[9:]; continue
    g = np.array([np.nan if g == "./." else float(g[0]) + float(g[2]) for g in f[9:]])
    g[np.isnan(g)] = np.nanmean(g)  # a missing call takes the mean (docs/cmd-scan.md)
    gt[(f[0], f[1])] = g
ph = {l.split()[0]: l.split()[1:] for l in open(pfile) if not l.startswith("#")}
cols = open(pfile).readline().split()[1:]
cv = {l.split()[0]: [float(x) for x in l.split()[1:]] for l in open("covar.tsv") if not l.startswith("#")}
rows = worst = 0
for name in names:
    k = cols.index(name)
    it = iter(gzip.open("%s/%s.tsv.gz" % (ssdir, name), "rt"))
    head = next(it).split("\t")
    for l in it:
        r = dict(zip(head, l.rstrip("\n").split("\t")))
        g = gt[(r["chromosome"], r["base_pair_location"])]
        X, y = [], []
        for j, s in enumerate(samples):
            if ph[s][k] != "NA":
                X.append([1.0, g[j]] + cv[s]); y.append(float(ph[s][k]))
        X, y = np.array(X), np.array(y)
        b, res, rank, _ = np.linalg.lstsq(X, y, rcond=None)
        df = len(y) - X.shape[1]
        s2 = np.sum((y - X @ b) ** 2) / df
        se = np.sqrt(s2 * np.linalg.inv(X.T @ X)[1, 1])
        p = 2 * stats.t.sf(abs(b[1] / se), df)
        for got, want in ((r["beta"], b[1]), (r["standard_error"], se), (r["p_value"], p)):
            worst = max(worst, abs(float(got) - want) / abs(want))
        if int(r["n"]) != len(y): worst = 1
        rows += 1
print("rows %d worst %.3g" % (rows, worst))
PY
}
run lstsq pheno.tsv ss y1 y2
like "$out" "rows 14 worst" "14 GWAS-SSF rows (7 tested variants x 2 phenotypes)"
ok "$(echo "$out" | awk '/worst/ { exit !($4 < 1e-8) }'; echo $?)" \
  "every beta, SE and p within 1e-8 (relative) of least squares ($out)"
# More phenotypes than the export writes at once (200 files): 450 phenotypes, exported by one
# rank (batches of 200, 200 and 50) and by three (150 each, every third column): the same
# bytes in every file, and rows of the first, middle and last phenotypes against least squares.
/usr/bin/python3 - <<'PY'
rows = [l.split("\t") for l in open("pheno.tsv").read().splitlines()]
with open("many.tsv", "w") as f:
    f.write("#IID\t" + "\t".join("q%d" % k for k in range(450)) + "\n")
    for i, r in enumerate(rows[1:]):
        y = float(r[1])
        f.write(r[0] + "\t" + "\t".join("%.6f" % (y + 0.05 * ((i * (k + 3)) % 7 - 3))
                                          for k in range(450)) + "\n")
PY
run "$RADIOGX" scan -g g.vcf -p many.tsv --covar covar.tsv --pheno-transform none --maf 0 \
  --call-rate 0 --min-obs 10 -o many.h5
is "$rc" 0 "scan of 450 phenotypes"
run "$RADIOGX" export many.h5 --sumstats m1 "${ssf[@]}"
is "$rc" 0 "export of 450 phenotypes, one rank"
run mpirun -np 3 "$RADIOGX" export many.h5 --sumstats m3 "${ssf[@]}"
is "$rc" 0 "export of 450 phenotypes, three ranks"
same=0
for k in $(seq 0 449); do
  cmp -s "m1/q$k.tsv.gz" "m3/q$k.tsv.gz" && [ -s "m1/q$k.tsv.gz" ] && same=$((same + 1))
done
is "$same" 450 "the 450 files are the same bytes from one rank and from three"
# A failure is said once for the job, naming the ranks that had it (comm_log_failure): every
# rank's (no genome build), then one rank's (rank 1 writes q1, q4, ...: a folder stands where
# q1's file goes), without the others' "another rank failed" lines.
run mpirun -np 3 "$RADIOGX" export many.h5 --sumstats mx
isnt "$rc" 0 "three ranks, no genome build: fails"
is "$(echo "$out" | grep -c 'ERROR\]')" 1 "one error line for the three ranks ($out)"
like "$out" "ERROR] export: GWAS-SSF summary statistics need the genome build" "the message"
like "$out" "(every rank)" "naming every rank"
mkdir -p m1r/q1.tsv.gz
run mpirun -np 3 "$RADIOGX" export many.h5 --sumstats m1r "${ssf[@]}"
isnt "$rc" 0 "rank 1 cannot write q1's file: fails"
is "$(echo "$out" | grep -c 'ERROR\]')" 1 "one error line ($out)"
like "$out" "q1.tsv.gz: Is a directory (rank 1)" "rank 1's message, naming rank 1"
unlike "$out" "another rank failed" "not the other ranks' echo of it"
unlike "$out" "summary statistics in m1r" "nor rank 0's word that the files are written"
run lstsq many.tsv m1 q0 q199 q200 q333 q449
like "$out" "rows 35 worst" "35 rows of five phenotypes, from each of the three batches"
ok "$(echo "$out" | awk '/worst/ { exit !($4 < 1e-8) }'; echo $?)" \
  "every beta, SE and p within 1e-8 (relative) of least squares ($out)"
done_testing
