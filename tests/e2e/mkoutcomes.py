# mkoutcomes.py M SEED [null]: a cohort for tests/e2e/outcomes.t in the current folder: 600 samples x M
# variants (g.vcf, GT), covariates x1 (normal) and x2 (binary) in c.tsv, and in p.tsv two binary
# phenotypes (y1: 50% cases, variant 3 planted, log OR 0.8; y2: 10% cases, 5% missing, null)
# and a Weibull time to event with uniform censoring (time, event; variant 7 planted, log HR
# 0.6; times rounded: ties).  A third argument (any): nothing planted, every outcome null.
import numpy as np, sys
rng = np.random.default_rng(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
n, m = 600, int(sys.argv[1]) if len(sys.argv) > 1 else 300
f = rng.uniform(0.05, 0.5, m)
G = (rng.random((m, n)) < f[:, None]).astype(int) + (rng.random((m, n)) < f[:, None]).astype(int)
x1 = rng.normal(size=n); x2 = (rng.random(n) < 0.4).astype(int)
planted = len(sys.argv) < 4
e1 = -0.7 + 0.4 * x1 + 0.8 * G[3] * planted
y1 = (rng.random(n) < 1 / (1 + np.exp(-e1))).astype(float)
e2 = -2.3 + 0.3 * x2
y2 = (rng.random(n) < 1 / (1 + np.exp(-e2))).astype(float)
y2[rng.random(n) < 0.05] = np.nan
eta = 0.3 * x1 + 0.6 * G[7] * planted
t = (-np.log(rng.random(n)) / np.exp(eta)) ** (1 / 1.5)
c = rng.uniform(0, 2, n)
tt = np.round(np.minimum(t, c), 2) + 0.01; ev = (t <= c).astype(int)
with open('g.vcf', 'w') as o:
    o.write('##fileformat=VCFv4.2\n##contig=<ID=1,length=100000000>\n##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
    o.write('#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t' + '\t'.join(f's{i}' for i in range(n)) + '\n')
    gt = np.array(['0/0', '0/1', '1/1'])
    for j in range(m):
        o.write(f'1\t{1000*(j+1)}\tv{j}\tA\tC\t.\t.\t.\tGT\t' + '\t'.join(gt[G[j]]) + '\n')
def fmt(v): return 'NA' if np.isnan(v) else '%g' % v
with open('p.tsv', 'w') as o:
    o.write('#IID\ty1\ty2\ttime\tevent\n')
    for i in range(n): o.write(f's{i}\t{fmt(y1[i])}\t{fmt(y2[i])}\t{tt[i]:.2f}\t{ev[i]}\n')
with open('c.tsv', 'w') as o:
    o.write('#IID\tx1\tx2\n')
    for i in range(n): o.write(f's{i}\t{x1[i]:.10f}\t{x2[i]}\n')
