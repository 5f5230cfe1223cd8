#!/usr/bin/env bash
# Loci: the hits clumped across phenotypes (the strongest pair leads; every pair within +- the
# window on its chromosome joins), checked against a brute-force clumping in Python of the run
# file's /hits; export --loci and the hits' locus column agree with it; a narrower window gives
# more loci; families from IBSI tag names; the report's locus table and loci.html.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
PY=/usr/bin/python3
$PY -c 'import numpy, h5py' 2>/dev/null || skip_all "Debian's python3-numpy and python3-h5py are needed"
D=$(tmpdir)
"$RADIOGX" simulate --patients 200 --variants 24000 --chromosomes 2 --dims 16,16,8 --seed 23 \
  --out "$D/c" >/dev/null 2>&1 || { echo "not ok 1 - simulate"; exit 1; }
# Six correlated phenotypes named as radiomic features (five of them driven by the planted
# chromosome-1 variant), a low hits threshold: many pairs at many places, LD blocks (about 10
# kb apart here) making neighbouring variants hit together.
$PY - "$D/c/covariates.tsv" "$D/pheno.tsv" "$D/c/truth.tsv" "$D/c/genotypes.vcf.gz" <<'PYEOF'
import gzip, random, sys
random.seed(3)
ids = [l.split("\t")[0] for l in open(sys.argv[1])][1:]
causal = open(sys.argv[3]).readlines()[1].split("\t")[0]
for line in gzip.open(sys.argv[4], "rt"):
    if line.startswith("#CHROM"):
        cols = line.rstrip("\n").split("\t")[9:]
    elif not line.startswith("#") and line.split("\t", 3)[2] == causal:
        gts = line.rstrip("\n").split("\t")[9:]
        dose = {c: sum(a == "1" for a in g.split(":")[0].split("/")) for c, g in zip(cols, gts)}
        break
names = ["CT.1.stat_mean", "CT.1.stat_median", "CT.1.morph_volume", "CT.1.cm_contrast_3D_avg",
         "CT.1.rlm_sre_3D_avg", "age_at_scan"]
with open(sys.argv[2], "w") as f:
    f.write("#IID\t" + "\t".join(names) + "\n")
    for i in ids:
        z = random.gauss(0, 1)
        f.write(i + "\t" + "\t".join("%.6f" % (0.7 * z + random.gauss(0, 1) + 1.0 * (k < 5) * dose[i])
                                      for k in range(len(names))) + "\n")
PYEOF
run "$RADIOGX" scan -g "$D/c/genotypes.vcf.gz" -p "$D/pheno.tsv" --call-rate 0 --hits-threshold 2 \
  -o "$D/a.h5"
is "$rc" 0 "scan"
for w in 250 20; do
  run "$RADIOGX" export "$D/a.h5" --hits "$D/hits$w.tsv" --loci "$D/loci$w.tsv" --locus-window $w
  is "$rc" 0 "export --hits --loci --locus-window $w"
  [ $w = 250 ] && like "$out" "loci (+- 250 kb)" "export logs the loci"
done
run "$RADIOGX" export "$D/a.h5" --loci "$D/loci_default.tsv"
run cmp "$D/loci_default.tsv" "$D/loci250.tsv"
is "$rc" 0 "the scan's window (250 kb) is the default"

check() { # $1 window (kb)
  $PY - "$D/a.h5" "$D/loci$1.tsv" "$D/hits$1.tsv" "$1" <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
hv = f["/hits/values"][:]
hp = [x.decode() for x in f["/hits/phenotype"][:]]
chrom = [x.decode() for x in f["/variants/chrom"][:]]
vid = [x.decode() for x in f["/variants/id"][:]]
pos = f["/variants/pos"][:]
w = float(sys.argv[4]) * 1000
pn = [x.decode() for x in f["/phenotypes/names"][:]]
study = f["/phenotypes"].attrs["study_threshold_log10p"]
n = len(hv)
# Brute force: strongest first (ties: row, phenotype order), every unassigned pair in window.
order = sorted(range(n), key=lambda i: (-hv[i, 3], hv[i, 0], pn.index(hp[i])))
loc = [-1] * n
leads = []
for i in order:
    if loc[i] >= 0:
        continue
    r = int(hv[i, 0])
    for j in range(n):
        rj = int(hv[j, 0])
        if loc[j] < 0 and chrom[rj] == chrom[r] and abs(pos[rj] - pos[r]) <= w:
            loc[j] = len(leads)
    leads.append(i)
# Numbered in genome order of the leads.
num = {l: k + 1 for k, l in enumerate(sorted(range(len(leads)), key=lambda l: (hv[leads[l], 0], pn.index(hp[leads[l]]))))}
fam = lambda p: {"stat": "stat", "morph": "morph", "cm": "cm", "rlm": "rlm"}.get(p.split(".")[-1].split("_")[0], "-")
want = {}
for l, i in enumerate(leads):
    mem = [j for j in range(n) if loc[j] == l]
    rows = [int(hv[j, 0]) for j in mem]
    cnt = {}
    for j in mem:
        cnt[fam(hp[j])] = cnt.get(fam(hp[j]), 0) + 1
    r = int(hv[i, 0])
    want[num[l]] = [chrom[r], "%.0f" % min(pos[rows]), "%.0f" % max(pos[rows]), vid[r], hp[i],
                    "yes" if hv[i, 3] >= study else "no", str(len({hp[j] for j in mem})),
                    str(len(set(rows))), str(len(mem))]
got = {}
lines = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
assert lines[0][:4] == ["locus", "chrom", "start", "end"], lines[0]
for t in lines[1:]:
    got[int(t[0])] = [t[1], t[2], t[3], t[4], t[6], t[10], t[11], t[12], t[13]]
bad = sum(got.get(k) != v for k, v in want.items()) + (len(got) != len(want))
# The hits file: one line per pair, its locus as the brute force numbers it.
hl = [l.rstrip("\n").split("\t") for l in open(sys.argv[3])][1:]
wl = sorted((vid[int(hv[j, 0])], hp[j], num[loc[j]]) for j in range(n))
gl = sorted((t[0], t[5], int(t[10])) for t in hl)
bad += wl != gl
print("%d pairs, %d loci (brute force %d), %d multi-phenotype, mismatches %d" % (
    n, len(got), len(want), sum(int(v[6]) > 1 for v in want.values()), bad))
sys.exit(1 if bad or sum(int(v[8]) > 1 for v in want.values()) < 20 else 0)
PYEOF
}
run check 250
is "$rc" 0 "loci (+- 250 kb) equal a brute-force clumping; hits' locus column too"
printf '%s\n' "$out" | sed 's/^/# /'
run check 20
is "$rc" 0 "loci (+- 20 kb) equal a brute-force clumping"
printf '%s\n' "$out" | sed 's/^/# /'
n250=$(tail -n +2 "$D/loci250.tsv" | wc -l); n20=$(tail -n +2 "$D/loci20.tsv" | wc -l)
ok "$([ "$n20" -gt "$n250" ]; echo $?)" "a narrower window makes more loci ($n20 > $n250)"
like "$(cut -f15 "$D/loci250.tsv")" "stat" "families from IBSI tag names"
like "$(cut -f15 "$D/loci250.tsv")" "-" "a non-radiomic phenotype's family is -"

run "$RADIOGX" export "$D/a.h5" --report "$D/rep"
is "$rc" 0 "export --report"
like "$(cat "$D/rep/report.html")" "<h3>Loci</h3>" "the report has a locus table"
like "$(cat "$D/rep/report.html")" "study-wide threshold is" "the report states the study-wide threshold"
like "$(cat "$D/rep/report.html")" 'href="loci.html#locus-' "locus rows link to their pairs"
is "$(grep -c '<h2 id="locus-' "$D/rep/loci.html")" "$n250" "loci.html: one section per locus"
# A run file is an input of export: a column shorter than its group is refused by name (the
# report read /variants/qc's length as the variants' and freed /variants/chrom with it).
for ds in /variants/qc /hits/phenotype; do
  cp "$D/a.h5" "$D/cut.h5"
  /usr/bin/python3 - "$D/cut.h5" "$ds" <<'PYEOF'
import h5py, sys
f = h5py.File(sys.argv[1], "r+"); d = f[sys.argv[2]][:]; del f[sys.argv[2]]
f.create_dataset(sys.argv[2], data=d[:-1])
PYEOF
  run "$RADIOGX" export "$D/cut.h5" --report "$D/cutrep"
  ok "$([ "$rc" -ne 0 ]; echo $?)" "export --report refuses a run file whose $ds is one row short"
  like "$out" "$ds has" "and names $ds"
done

run "$RADIOGX" export "$D/a.h5" --loci "$D/x.tsv" --locus-window 0
is "$rc" 2 "--locus-window 0 is refused"
like "$out" "--locus-window '0'" "with the value named"
done_testing
