#!/usr/bin/env bash
# The phenotype-wide threshold: Meff (Li & Ji 2005, Nyholt 2004, Galwey 2009) from the
# eigenvalues of the correlation of the scan's residualised phenotypes, checked against numpy's
# eigen-decomposition of the same correlation computed independently in Python (covariates
# regressed out per phenotype on its observed samples, pairwise-complete Pearson); the same
# attributes for 1 and 3 ranks; the study-wide threshold in the log and in export --hits.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
PY=/usr/bin/python3
$PY -c 'import numpy, h5py' 2>/dev/null || skip_all "Debian's python3-numpy and python3-h5py are needed"
D=$(tmpdir)
"$RADIOGX" simulate --patients 300 --variants 1500 --chromosomes 3 --dims 16,16,8 --seed 21 \
  --out "$D/c" >/dev/null 2>&1 || { echo "not ok 1 - simulate"; exit 1; }
# 9 phenotypes from 3 latent factors (strongly correlated in families, as radiomic features
# are); 3-5 share a missingness pattern, 6-8 each have their own; the first planted variant
# drives y0-y2, so that there are hits on both sides of the study-wide threshold.
$PY - "$D/c/covariates.tsv" "$D/pheno.tsv" "$D/c/truth.tsv" "$D/c/genotypes.vcf.gz" <<'PYEOF'
import gzip, random, sys
random.seed(7)
ids = [l.split("\t")[0] for l in open(sys.argv[1])][1:]
causal = open(sys.argv[3]).readlines()[1].split("\t")[0]
for line in gzip.open(sys.argv[4], "rt"):
    if line.startswith("#CHROM"):
        cols = line.rstrip("\n").split("\t")[9:]
    elif not line.startswith("#") and line.split("\t", 3)[2] == causal:
        gts = line.rstrip("\n").split("\t")[9:]
        dose = {c: sum(a == "1" for a in g.split(":")[0].replace("|", "/").split("/"))
                for c, g in zip(cols, gts)}
        break
shared = set(random.sample(ids, 40))
with open(sys.argv[2], "w") as f:
    f.write("#IID\t" + "\t".join("y%d" % k for k in range(9)) + "\n")
    for i in ids:
        z = [random.gauss(0, 1) for _ in range(3)]
        row = []
        for k in range(9):
            v = 0.9 * z[k // 3] + 0.45 * random.gauss(0, 1) + 0.3 * z[(k + 1) % 3]
            v += (1.0, 0.75, 0.6)[k] * dose[i] if k < 3 else 0
            miss = (3 <= k < 6 and i in shared) or (k >= 6 and random.random() < 0.12)
            row.append("NA" if miss else "%.8f" % v)
        f.write(i + "\t" + "\t".join(row) + "\n")
PYEOF
common=(-g "$D/c/genotypes.vcf.gz" -p "$D/pheno.tsv" --covar "$D/c/covariates.tsv"
        --pheno-transform none --call-rate 0 --hits-threshold 4)
run "$RADIOGX" scan "${common[@]}" -o "$D/a.h5"
is "$rc" 0 "scan"
like "$out" "scan: Meff" "Meff in the log"
like "$out" "study-wide threshold p <" "the study-wide threshold in the log"

# The independent computation.
run $PY - "$D/a.h5" "$D/pheno.tsv" "$D/c/covariates.tsv" <<'PYEOF'
import sys, numpy as np, h5py
run, phf, cvf = sys.argv[1:4]
ph = [l.rstrip("\n").split("\t") for l in open(phf)]
cv = [l.rstrip("\n").split("\t") for l in open(cvf)]
cov = {r[0]: r[1:] for r in cv[1:]}
ids = [r[0] for r in ph[1:] if r[0] in cov]
Y = np.array([[np.nan if x == "NA" else float(x) for x in r[1:]] for r in ph[1:] if r[0] in cov])
sites = sorted({cov[i][2] for i in ids})
C = np.array([[1.0, float(cov[i][0]), float(cov[i][1])] + [1.0 * (cov[i][2] == s) for s in sites[1:]]
              for i in ids])
n, p = Y.shape
R = np.zeros_like(Y)
obs = ~np.isnan(Y)
for j in range(p):
    o = obs[:, j]
    beta, *_ = np.linalg.lstsq(C[o], Y[o, j], rcond=None)
    R[o, j] = Y[o, j] - C[o] @ beta
corr = np.eye(p)
for j in range(p):
    for k in range(j + 1, p):
        o = obs[:, j] & obs[:, k]
        corr[j, k] = corr[k, j] = np.corrcoef(R[o, j], R[o, k])[0, 1]
lam = np.sort(np.linalg.eigvalsh(corr))[::-1]
lj = sum((abs(x) >= 1) + (abs(x) - np.floor(abs(x))) for x in lam)
ny = 1 + (p - 1) * (1 - np.var(lam, ddof=1) / p)
lp = np.clip(lam, 0, None)
ga = np.sqrt(lp).sum() ** 2 / lp.sum()
with h5py.File(run, "r") as f:
    a = f["/phenotypes"].attrs
    got = np.array(f["/phenotypes/corr_eigenvalues"][:])
    res = dict(li_ji=(a["meff_li_ji"], lj), nyholt=(a["meff_nyholt"], ny), galwey=(a["meff_galwey"], ga))
    thr = a["study_threshold_p"]
    meff = a["meff"]
    method = a["meff_method"]
    method = method.decode() if isinstance(method, bytes) else method
bad = 0
d = np.max(np.abs(got - lam) / np.abs(lam).max())
print("eigenvalues max rel diff %.2e (numpy %s)" % (d, np.array2string(lam, precision=4)))
bad += not (d < 1e-9)
for k, (g, w) in res.items():
    print("%s: radiogx %.12f numpy %.12f" % (k, g, w))
    bad += not (abs(g - w) <= 1e-9 * w)
print("method %s, meff %.6f, threshold %.6g" % (method, meff, thr))
bad += not (method == "li_ji" and meff == res["li_ji"][0] and abs(thr - 5e-8 / lj) < 1e-20)
bad += not (1 < lj < p - 1)  # the case must be informative: neither 1 nor p
sys.exit(1 if bad else 0)
PYEOF
is "$rc" 0 "Meff and eigenvalues agree with numpy (1e-9)"
printf '%s\n' "$out" | sed 's/^/# /'

# Galwey chosen by the config key; 3 ranks write the same attributes.
run mpirun -np 3 "$RADIOGX" scan "${common[@]}" --meff galwey --genome-wide-p 1e-7 -o "$D/b.h5"
is "$rc" 0 "scan with 3 ranks, --meff galwey"
run $PY - "$D/a.h5" "$D/b.h5" <<'PYEOF'
import sys, h5py
a = h5py.File(sys.argv[1], "r")["/phenotypes"].attrs
b = h5py.File(sys.argv[2], "r")["/phenotypes"].attrs
ok = all(a[k] == b[k] for k in ("meff_li_ji", "meff_nyholt", "meff_galwey"))
ok = ok and b["meff"] == b["meff_galwey"] and abs(b["study_threshold_p"] - 1e-7 / b["meff_galwey"]) < 1e-22
print(b["meff"], b["study_threshold_p"])
sys.exit(0 if ok else 1)
PYEOF
is "$rc" 0 "3 ranks: the same Meff bits; galwey and --genome-wide-p used"
run h5diff "$D/a.h5" "$D/b.h5" /phenotypes/corr_eigenvalues /phenotypes/corr_eigenvalues
is "$rc" 0 "3 ranks: the same eigenvalues"

# export --hits marks the pairs above the study-wide threshold.
run "$RADIOGX" export "$D/a.h5" --hits "$D/hits.tsv"
is "$rc" 0 "export --hits"
is "$(head -1 "$D/hits.tsv" | cut -f10)" "study_wide" "hits.tsv: a study_wide column"
thr=$($PY -c 'import sys,h5py; print(h5py.File(sys.argv[1],"r")["/phenotypes"].attrs["study_threshold_log10p"])' "$D/a.h5")
is "$(awk -F'\t' -v t="$thr" 'NR > 1 && (($9 >= t) != ($10 == "yes")) { n++ } END { print n + 0 }' "$D/hits.tsv")" 0 \
  "study_wide says yes exactly when -log10 p >= $thr"
ok "$(awk -F'\t' -v t="$thr" 'NR > 1 && $9 < t { lo++ } NR > 1 && $9 >= t { hi++ } END { exit !(lo > 0 && hi > 0) }' "$D/hits.tsv"; echo $?)" \
  "hits on both sides of the study-wide threshold"
# More samples than one block of the correlation's sums (1,024 rows): the blocks are shared by
# the ranks (block b on rank b % ranks) and added on rank 0 in block order, so 1, 2 and 3 ranks
# give the same bits; and the eigenvalues against numpy's of np.corrcoef (no covariates, no
# missing values: the residualised phenotypes are the centred ones).
$PY - "$D/big" <<'PYEOF'
import os, random, sys
random.seed(11)
d = sys.argv[1]; os.makedirs(d)
n, m, p = 2600, 12, 7
with open(d + "/g.vcf", "w") as f:
    f.write("##fileformat=VCFv4.2\n##contig=<ID=1,length=1000000>\n")
    f.write('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
    f.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" +
            "\t".join("S%d" % i for i in range(n)) + "\n")
    for v in range(m):
        f.write("1\t%d\tv%d\tA\tG\t.\t.\t.\tGT\t" % (1000 * (v + 1), v) + "\t".join(
            random.choice(["0/0", "0/0", "0/1", "1/1"]) for _ in range(n)) + "\n")
with open(d + "/p.tsv", "w") as f:
    f.write("#IID\t" + "\t".join("y%d" % k for k in range(p)) + "\n")
    for i in range(n):
        z = [random.gauss(0, 1) for _ in range(3)]
        f.write("S%d\t" % i + "\t".join("%.6f" % (z[k % 3] + 0.7 * random.gauss(0, 1))
                                        for k in range(p)) + "\n")
PYEOF
for np in 1 2 3; do
  run mpirun -np $np "$RADIOGX" scan -g "$D/big/g.vcf" -p "$D/big/p.tsv" --pheno-transform none \
    --maf 0 -o "$D/big/r$np.h5"
  is "$rc" 0 "2,600 samples, $np rank(s)"
done
for np in 2 3; do
  run h5diff "$D/big/r1.h5" "$D/big/r$np.h5" /phenotypes /phenotypes
  is "$rc" 0 "2,600 samples: $np ranks give /phenotypes (eigenvalues) bitwise as 1 rank"
done
run $PY - "$D/big" <<'PYEOF'
import sys, h5py, numpy as np
d = sys.argv[1]
y = np.loadtxt(d + "/p.tsv", skiprows=1, usecols=range(1, 8))
want = np.sort(np.linalg.eigvalsh(np.corrcoef(y, rowvar=False)))[::-1]
f = h5py.File(d + "/r3.h5", "r")
got = f["/phenotypes/corr_eigenvalues"][()]
a = f["/phenotypes"].attrs
d_ = np.max(np.abs(got - want) / want)
print("eigenvalues max rel diff %.3g; nyholt %.12f" % (d_, a["meff_nyholt"]))
sys.exit(0 if d_ < 1e-9 else 1)
PYEOF
is "$rc" 0 "2,600 samples: eigenvalues agree with numpy's corrcoef (1e-9)"
printf '%s\n' "$out" | sed 's/^/# /'
done_testing
