#!/usr/bin/env bash
# radiogx pca against plink2: PCs vs plink2 --pca on the same variant set (|corr| >= 0.999 per
# score, top 5; eigenvalues within 1e-3 relative), GT hard calls and DS dosages; bitwise the
# same for 1-4 ranks and any BLAS thread count; LD pruning checked pair by pair in numpy; KING
# kinship vs plink2 --make-king-table (1e-6) with planted relatives; --remove-related; one file
# per site (KING within sites); --project; scan --pcs; a .bed of the same calls bitwise the same;
# the Krylov stop (--tolerance) against every iteration.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
PY=/usr/bin/python3
command -v plink2 >/dev/null || skip_all "plink2 is not installed (scripts/deps.sh installs it)"
$PY -c 'import numpy, h5py' 2>/dev/null || skip_all "Debian's python3-numpy and python3-h5py are needed"
D=$(tmpdir)
cd "$D"
"$RADIOGX" simulate --patients 620 --variants 9000 --chromosomes 6 --dims 16,16,8 --ancestries 6 \
  --fst 0.05 --seed 31 --out c >/dev/null 2>&1 || { echo "not ok 1 - simulate"; exit 1; }
# Planted relatives (GT only): a duplicate of S0001, a child of S0002 x S0003, two full sibs of
# S0004 x S0005, half sibs through S0006 (with S0007 and with S0008).
$PY - c/genotypes.vcf.gz rel.vcf <<'PYEOF'
import gzip, random, sys
random.seed(8)
kids = [("DUP1", None, None), ("PO1", "S0002", "S0003"), ("SIB1", "S0004", "S0005"),
        ("SIB2", "S0004", "S0005"), ("HS1", "S0006", "S0007"), ("HS2", "S0006", "S0008")]
out = open(sys.argv[2], "w")
for line in gzip.open(sys.argv[1], "rt"):
    if line.startswith("##FORMAT=<ID=DS"):
        continue
    f = line.rstrip("\n").split("\t")
    if line.startswith("##"):
        out.write(line)
        continue
    if line.startswith("#CHROM"):
        col = {s: i for i, s in enumerate(f)}
        out.write("\t".join(f + [k[0] for k in kids]) + "\n")
        continue
    gt = [x.split(":")[0] for x in f[9:]]
    g = lambda s: gt[col[s] - 9].replace("|", "/").split("/")
    new = []
    for name, a, b in kids:
        new.append("/".join(g("S0001")) if a is None else random.choice(g(a)) + "/" + random.choice(g(b)))
    f[8] = "GT"
    out.write("\t".join(f[:9] + gt + new) + "\n")
PYEOF
bgzip rel.vcf && tabix -p vcf rel.vcf.gz

run "$RADIOGX" pca -g rel.vcf.gz -o p1.h5 --pcs 5 --king-table-filter -1
is "$rc" 0 "pca (1 rank)"
like "$out" "kept by LD pruning" "the variant counts are logged"
like "$out" "KING-robust kinship of 195625 pairs (every pair)" "KING over every pair"
ok "$(test -s p1.eigenvec && test -s p1.eigenval && test -s p1.kin0; echo $?)" "p1.eigenvec, .eigenval, .kin0"
$PY -c 'import h5py,sys; f=h5py.File(sys.argv[1],"r"); open("ids.txt","w").write("".join(x.decode()+"\n" for x in f["/pca/variants/id"][:]))' p1.h5
plink2 --vcf rel.vcf.gz --extract ids.txt --pca 5 --make-king-table --out pl --threads 1 \
  --memory 2000 >/dev/null 2>&1
cmp_pcs() { # $1 radiogx prefix, $2 plink2 prefix: |corr| per PC, eigenvalue relative difference
  $PY - "$1" "$2" <<'PYEOF'
import sys, numpy as np
def load(p):
    rows = [l.split() for l in open(p + ".eigenvec")][1:]
    return {r[0]: np.array(r[1:6], float) for r in rows}, np.loadtxt(p + ".eigenval")[:5]
(a, ea), (b, eb) = load(sys.argv[1]), load(sys.argv[2])
ids = sorted(b)
A = np.array([a[i] for i in ids]); B = np.array([b[i] for i in ids])
c = [abs(np.corrcoef(A[:, k], B[:, k])[0, 1]) for k in range(5)]
e = np.abs(ea - eb) / eb
print("|corr| " + " ".join("%.7f" % x for x in c) + "; eigenvalues rel " + " ".join("%.1e" % x for x in e))
sys.exit(0 if min(c) >= 0.999 and e.max() <= 1e-3 else 1)
PYEOF
}
run cmp_pcs p1 pl
is "$rc" 0 "GT: the top 5 PCs equal plink2 --pca's"
printf '%s\n' "$out" | sed 's/^/# /'

# The stop: by default (--tolerance 1e-5) before the 10 iterations, the largest residual below
# it; every iteration (--tolerance 0) gives the same PCs to within it.
run "$RADIOGX" pca -g rel.vcf.gz -o pf.h5 --pcs 5 --no-king --tolerance 0
run $PY - p1.h5 pf.h5 <<'PYEOF'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r")["/pca"], h5py.File(sys.argv[2], "r")["/pca"]
ia, ib, res = int(a.attrs["iterations"]), int(b.attrs["iterations"]), a.attrs["residual"]
A, B = a["scores"][:], b["scores"][:]
c = min(abs(np.corrcoef(A[:, k], B[:, k])[0, 1]) for k in range(5))
e = np.abs(a["eigenvalues"][:] / b["eigenvalues"][:] - 1).max()
print("iterations %d (residual %.1e) and %d; min |corr| %.10f; eigenvalues rel %.1e" % (ia, res, ib, c, e))
sys.exit(0 if ia < ib == 10 and res <= 1e-5 and c > 1 - 1e-6 and e <= 1e-5 else 1)
PYEOF
is "$rc" 0 "--tolerance: stopped early, the same PCs as every iteration"
printf '%s\n' "$out" | sed 's/^/# /'

# Bitwise the same for 2, 3 and 4 ranks (620 samples: three tiles) and with 2 BLAS threads.
nps=$(plain_or_asan "2 3 4" 3)
for np in $nps; do
  run mpirun -np $np "$RADIOGX" pca -g rel.vcf.gz -o p$np.h5 --pcs 5 --king-table-filter -1
  run h5diff p1.h5 p$np.h5 /pca /pca
  is "$rc" 0 "$np ranks: /pca identical to 1 rank"
done
run env OPENBLAS_NUM_THREADS=2 "$RADIOGX" pca -g rel.vcf.gz -o pt.h5 --pcs 5 --threads 2
run h5diff p1.h5 pt.h5 /pca/scores /pca/scores
is "$rc" 0 "--threads 2: the same scores"

# A PLINK .bed of the same calls (plink2 --make-bed) is read as packed 2-bit calls, never as
# doubles: the same QC decisions (variants kept) and the same PCs and KING, bit for bit, as from
# the VCF; with 3 ranks (a rank's share at whole bytes), a --keep of columns 2.. (calls
# shifted into place) and a shuffled --keep (sample by sample).
plink2 --vcf rel.vcf.gz --make-bed --out relb --threads 1 --memory 2000 >/dev/null 2>&1
run "$RADIOGX" pca -g relb.bed -o b1.h5 --pcs 5 --king-table-filter -1
run h5diff p1.h5 b1.h5 /pca /pca
is "$rc" 0 ".bed: /pca (variants kept, PCs, KING) identical to the VCF's"
run mpirun -np 3 "$RADIOGX" pca -g relb.bed -o b3.h5 --pcs 5 --king-table-filter -1
run h5diff p1.h5 b3.h5 /pca /pca
is "$rc" 0 ".bed, 3 ranks: /pca identical to the VCF's"
awk 'NR > 1 { print $2 }' relb.fam > keep_shift.txt
awk '{ print $2 }' relb.fam | $PY -c 'import sys, random; l = sys.stdin.read().split(); random.seed(3); random.shuffle(l); print("\n".join(l))' > keep_shuf.txt
for k in shift shuf; do
  run mpirun -np 2 "$RADIOGX" pca -g rel.vcf.gz --keep keep_$k.txt -o kv_$k.h5 --pcs 5 --no-king
  run mpirun -np 2 "$RADIOGX" pca -g relb.bed --keep keep_$k.txt -o kb_$k.h5 --pcs 5 --no-king
  run h5diff kv_$k.h5 kb_$k.h5 /pca /pca
  is "$rc" 0 ".bed, --keep keep_$k.txt (2 ranks): /pca identical to the VCF's"
done

# The pruning: no two kept variants that share a window (50 variants, step 5) have r^2 > 0.2.
run $PY - rel.vcf.gz p1.h5 <<'PYEOF'
import gzip, sys, numpy as np, h5py
kept = set(x.decode() for x in h5py.File(sys.argv[2], "r")["/pca/variants/id"][:])
f = h5py.File(sys.argv[2], "r")["/pca"].attrs
rows, ids, chroms = [], [], []
for line in gzip.open(sys.argv[1], "rt"):
    if line[0] == "#":
        continue
    t = line.split("\t", 10)
    rows.append(line); ids.append(t[2]); chroms.append(t[0])
# The QC'd list the windows run over: variants with MAF >= 0.01 outside the GRCh38 regions,
# i.e. those radiogx read and kept before pruning; rebuilt here from the genotypes.
def dose(line):
    return np.array([int(x[0]) + int(x[2]) for x in line.rstrip("\n").split("\t")[9:]], float)
import re
regions = {1: [(47761740, 51761740)], 2: [(85919365, 100517106), (182427027, 189427029)],
           3: [(47483505, 49987563), (83368158, 86868160)], 5: [(44464140, 51168409), (129636407, 132636409)],
           6: [(25391792, 33424245), (57788603, 58453888), (61109122, 61357029), (139637169, 142137170)]}
qc = []
for line, i, c in zip(rows, ids, chroms):
    pos = int(line.split("\t", 2)[1])
    if any(a <= pos <= b for a, b in regions.get(int(c), [])):
        continue
    d = dose(line); p = d.mean() / 2
    if min(p, 1 - p) >= 0.01:
        qc.append((c, i, d))
bad = checked = 0
start = 0
while start < len(qc):
    end = start
    while end < len(qc) and qc[end][0] == qc[start][0]:
        end += 1
    for a in range(start, end):
        if qc[a][1] not in kept:
            continue
        for b in range(a + 1, min(end, start + 5 * ((a - start) // 5) + 50)):
            if qc[b][1] not in kept:
                continue
            r = np.corrcoef(qc[a][2], qc[b][2])[0, 1]
            checked += 1
            bad += r * r > 0.2 + 1e-12
    start = end
print("%d QC'd variants, %d kept, %d pairs sharing a window checked, %d above r2 0.2" % (len(qc), len(kept), checked, bad))
sys.exit(1 if bad or checked < 1000 else 0)
PYEOF
is "$rc" 0 "LD pruning: no kept pair in a window above r^2 0.2"
printf '%s\n' "$out" | sed 's/^/# /'

# KING vs plink2 --make-king-table over every pair, and the planted relatives.
run $PY - p1.kin0 pl.kin0 <<'PYEOF'
import sys
def load(p):
    d = {}
    for l in open(p):
        if l[0] == "#":
            continue
        a = l.split()
        d[frozenset(a[:2])] = [float(x) for x in a[2:6]]
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
dk = max(abs(a[k][3] - b[k][3]) for k in b)
same_n = all(a[k][0] == b[k][0] for k in b)
print("%d pairs (plink2 %d), max |kinship difference| %.1e, NSNP equal: %s" % (len(a), len(b), dk, same_n))
k = lambda x, y: a[frozenset((x, y))][3]
print("DUP1-S0001 %.3f, PO1-S0002 %.3f, SIB1-SIB2 %.3f, HS1-HS2 %.3f" % (k("DUP1", "S0001"), k("PO1", "S0002"), k("SIB1", "SIB2"), k("HS1", "HS2")))
ok = len(a) == len(b) and dk <= 1e-6 and same_n and k("DUP1", "S0001") > 0.354 and \
     0.177 < k("PO1", "S0002") < 0.354 and 0.177 < k("SIB1", "SIB2") < 0.354 and 0.0884 < k("HS1", "HS2") < 0.177
sys.exit(0 if ok else 1)
PYEOF
is "$rc" 0 "KING: every pair equals plink2 --make-king-table (1e-6); relatives by degree"
printf '%s\n' "$out" | sed 's/^/# /'

# --remove-related: a maximal unrelated set, the others projected.
run "$RADIOGX" pca -g rel.vcf.gz -o pr.h5 --pcs 5 --remove-related --king-threshold 0.177
is "$rc" 0 "pca --remove-related"
like "$out" "related samples left out of the PCs" "the log says how many"
run $PY - pr.h5 <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
ids = [x.decode() for x in f["/pca/samples"][:]]
rel = f["/pca/related"][:]
S = f["/pca/scores"][:]
out = sorted(i for i, r in zip(ids, rel) if r)
d = S[ids.index("DUP1")] - S[ids.index("S0001")]
print("left out:", " ".join(out), "; |DUP1 - S0001| %.1e" % np.abs(d).max())
# The greedy rule (the most relatives left first; ties: the later row) keeps the parents: the
# duplicate and the children go.
ok = out == ["DUP1", "HS1", "HS2", "PO1", "SIB1", "SIB2"]
sys.exit(0 if ok and np.abs(d).max() < 1e-12 else 1)
PYEOF
is "$rc" 0 "--remove-related: the duplicate and the children out; a duplicate projects onto its twin"
printf '%s\n' "$out" | sed 's/^/# /'

# --project: the reference's own samples get their own scores back.
run "$RADIOGX" pca -g rel.vcf.gz --project p1.h5 -o pj.h5
is "$rc" 0 "pca --project"
run $PY -c 'import sys,h5py,numpy as np; a=h5py.File("p1.h5","r")["/pca/scores"][:]; b=h5py.File("pj.h5","r")["/pca/scores"][:]; d=np.abs(a-b).max(); print("%.1e" % d); sys.exit(1 if d > 1e-10 else 0)'
is "$rc" 0 "projected scores of the reference's samples equal theirs ($out)"

# DS dosages (16 bits a sample on plink2's 1/16384 grid) against plink2 dosage=DS.
run "$RADIOGX" pca -g c/genotypes.vcf.gz -o ds.h5 --pcs 5 --dosage DS --no-king
is "$rc" 0 "pca from DS dosages"
$PY -c 'import h5py,sys; f=h5py.File(sys.argv[1],"r"); open("ids_ds.txt","w").write("".join(x.decode()+"\n" for x in f["/pca/variants/id"][:]))' ds.h5
plink2 --vcf c/genotypes.vcf.gz dosage=DS --extract ids_ds.txt --pca 5 --out plds --threads 1 \
  --memory 2000 >/dev/null 2>&1
run cmp_pcs ds plds
is "$rc" 0 "DS: the top 5 PCs equal plink2 --pca's"
printf '%s\n' "$out" | sed 's/^/# /'

# One file per site: samples split by site, each site's file read by one rank; KING within sites.
# (the planted relatives go to site1).
for s in site1 site2 site3; do
  awk -F'\t' -v s="$s" 'NR > 1 && $5 == s { print $4 }' c/manifest.tsv > $s.txt
  [ $s = site1 ] && printf '%s\n' DUP1 PO1 SIB1 SIB2 HS1 HS2 >> $s.txt
  bcftools view -S $s.txt -Oz -o $s.vcf.gz rel.vcf.gz && tabix -p vcf $s.vcf.gz
done
run mpirun -np 2 "$RADIOGX" pca -g site1.vcf.gz,site2.vcf.gz,site3.vcf.gz -o ps2.h5 --pcs 5
is "$rc" 0 "pca with one file per site (2 ranks)"
like "$out" "(within sites)" "KING within sites"
run mpirun -np 3 "$RADIOGX" pca -g site1.vcf.gz,site2.vcf.gz,site3.vcf.gz -o ps3.h5 --pcs 5
run h5diff ps2.h5 ps3.h5 /pca /pca
is "$rc" 0 "sites: 3 ranks identical to 2"
run $PY - ps2.h5 p1.h5 <<'PYEOF'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r")["/pca"], h5py.File(sys.argv[2], "r")["/pca"]
ia = [x.decode() for x in a["samples"][:]]; ib = {x.decode(): i for i, x in enumerate(b["samples"][:])}
A = a["scores"][:]; B = b["scores"][:][[ib[i] for i in ia]]
c = [abs(np.corrcoef(A[:, k], B[:, k])[0, 1]) for k in range(5)]
print("|corr| with one file: " + " ".join("%.9f" % x for x in c))
sys.exit(0 if min(c) > 1 - 1e-9 else 1)
PYEOF
is "$rc" 0 "sites: the same PCs as one file (to rounding)"
printf '%s\n' "$out" | sed 's/^/# /'

# The PCs as covariates of the scan.
run "$RADIOGX" scan -g rel.vcf.gz -p c/properties.tsv --pheno-transform none --pcs 5 --pca p1.h5 \
  -o sc.h5
is "$rc" 0 "scan --pcs 5 --pca p1.h5"
like "$out" "PC1..PC5 from p1.h5 added to the covariates" "PCs added"
like "$out" "5 covariates + intercept" "five covariates"
run "$RADIOGX" scan -g rel.vcf.gz -p c/properties.tsv --pcs 11 --pca p1.h5 -o x.h5
like "$out" "/pca has 5 PCs of 626 samples; --pcs 11 asked" "more PCs than computed: refused"
run "$RADIOGX" pca -g rel.vcf.gz -o x.h5 --pcs 0
is "$rc" 3 "--pcs 0 refused (config range)"
done_testing
