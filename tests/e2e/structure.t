#!/usr/bin/env bash
# Population structure: radiogx simulate --ancestries K --fst F makes K groups whose allele
# frequencies follow the Balding-Nichols model (Hudson's Fst of the VCF, computed here in numpy,
# near F) and a heterogeneity whose mean differs between groups with no genetic cause; without
# --ancestries the cohort is unchanged.  On such a cohort the confounded phenotype's lambda_GC
# is inflated (> 1.2) without principal components and back within 1 +- 0.05 with
# scan --pcs 10 (radiogx pca), the planted variants still found.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
PY=/usr/bin/python3
$PY -c 'import numpy' 2>/dev/null || skip_all "Debian's python3-numpy is needed"
D=$(tmpdir)
run "$RADIOGX" simulate --patients 600 --variants 6000 --chromosomes 3 --dims 16,16,8 \
  --ancestries 3 --fst 0.05 --seed 4 --out "$D/s"
is "$rc" 0 "simulate --ancestries 3 --fst 0.05"
is "$(head -1 "$D/s/ancestry.tsv")" "$(printf '#IID\tancestry')" "ancestry.tsv written"
is "$(head -1 "$D/s/properties.tsv")" "$(printf '#IID\tvolume\tmean_intensity\theterogeneity\telongation')" \
  "properties.tsv written"
run $PY - "$D/s" <<'PYEOF'
import gzip, sys, numpy as np
d = sys.argv[1]
anc = dict(l.split() for l in open(d + "/ancestry.tsv") if not l.startswith("#"))
G = []
for line in gzip.open(d + "/genotypes.vcf.gz", "rt"):
    if line.startswith("#CHROM"):
        cols = line.split()[9:]
    elif not line.startswith("#"):
        G.append([int(x[0]) + int(x[2]) for x in line.split()[9:]])
G = np.array(G, float)
grp = np.array([anc[c] for c in cols])
names = sorted(set(grp))
# Hudson's Fst for each pair of groups (Bhatia et al. 2013), ratio of averages over variants.
fs = []
for a in range(len(names)):
    for b in range(a + 1, len(names)):
        x, y = G[:, grp == names[a]], G[:, grp == names[b]]
        n1, n2 = 2 * x.shape[1], 2 * y.shape[1]
        p1, p2 = x.sum(1) / n1, y.sum(1) / n2
        num = (p1 - p2) ** 2 - p1 * (1 - p1) / (n1 - 1) - p2 * (1 - p2) / (n2 - 1)
        den = p1 * (1 - p2) + p2 * (1 - p1)
        ok = den > 0
        fs.append(num[ok].sum() / den[ok].sum())
# Two groups drawn independently around p: E(p1 - p2)^2 = 2 F p (1 - p), E[den] = 2 p (1 - p).
fst = np.mean(fs)
h = {l.split()[0]: float(l.split()[3]) for l in open(d + "/properties.tsv") if not l.startswith("#")}
means = [np.mean([h[c] for c, g in zip(cols, grp) if g == n and c in h]) for n in names]
print("groups %s, Fst %.4f (pairwise Hudson), heterogeneity means %s" % (
    {n: int((grp == n).sum()) for n in names}, fst, np.round(means, 3)))
sys.exit(0 if 0.042 < fst < 0.058 and means[2] - means[0] > 0.6 else 1)
PYEOF
is "$rc" 0 "Balding-Nichols: Fst near 0.05; heterogeneity means ordered by group, 1 SD apart"
printf '%s\n' "$out" | sed 's/^/# /'
# The ancestry-confounded phenotype, without and with PCs.
run "$RADIOGX" simulate --patients 800 --variants 30000 --dims 16,16,8 --ancestries 3 --fst 0.05 \
  --seed 12 --out "$D/g"
is "$rc" 0 "simulate: 800 patients, 3 groups, 30,000 variants"
scan() { "$RADIOGX" scan -g "$D/g/genotypes.vcf.gz" -p "$D/g/properties.tsv" --covar "$D/g/covariates.tsv" "$@"; }
run scan -o "$D/s0.h5"
is "$rc" 0 "scan without PCs"
run mpirun -np 2 "$RADIOGX" pca -g "$D/g/genotypes.vcf.gz" -o "$D/pca.h5" --no-king
is "$rc" 0 "pca (2 ranks, 10 PCs)"
run scan --pcs 10 --pca "$D/pca.h5" -o "$D/s10.h5"
is "$rc" 0 "scan --pcs 10"
run $PY - "$D/s0.h5" "$D/s10.h5" "$D/g/truth.tsv" <<'PYEOF'
import sys, h5py
l0 = h5py.File(sys.argv[1], "r")["/phenotypes/lambda_gc"][:]
f = h5py.File(sys.argv[2], "r")
l10 = f["/phenotypes/lambda_gc"][:]
names = [x.decode() for x in f["/phenotypes/names"][:]]
vid = [x.decode() for x in f["/variants/id"][:]]
hits = {(vid[int(r[0])], p.decode()) for r, p in zip(f["/hits/values"][:], f["/hits/phenotype"][:])}
truth = [l.split("\t") for l in open(sys.argv[3])][1:]
found = [(t[0], t[5]) in hits for t in truth]
h = names.index("heterogeneity")
print("lambda_GC without PCs %s, with 10 PCs %s; planted variants found with PCs: %d of %d" % (
    " ".join("%.3f" % x for x in l0), " ".join("%.3f" % x for x in l10), sum(found), len(found)))
ok = l0[h] > 1.2 and abs(l10[h] - 1) <= 0.05 and all(found)
sys.exit(0 if ok else 1)
PYEOF
is "$rc" 0 "heterogeneity (confounded): lambda_GC > 1.2 without PCs, 1 +- 0.05 with 10; planted variants found"
printf '%s\n' "$out" | sed 's/^/# /'

run "$RADIOGX" simulate --patients 40 --variants 500 --chromosomes 2 --dims 16,16,8 --seed 4 --out "$D/u"
run "$RADIOGX" simulate --patients 40 --variants 500 --chromosomes 2 --dims 16,16,8 --seed 4 \
  --ancestries 1 --out "$D/v"
run diff -r "$D/u" "$D/v"
is "$rc" 0 "--ancestries 1: the unstructured cohort"
ok "$([ ! -e "$D/u/ancestry.tsv" ]; echo $?)" "no ancestry.tsv without groups"
run "$RADIOGX" simulate --patients 5 --variants 10 --out "$D/x" --fst 1
is "$rc" 2 "--fst 1 refused"
like "$out" "--fst '1': expected a fraction in (0, 1)" "with the value named"
done_testing
