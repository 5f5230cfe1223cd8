#!/usr/bin/python3
"""harmonise_sim.py COHORT HARM.h5 SCAN.h5 — a scan of harmonised features on a simulated
cohort with per-site offsets and scales (radiogx simulate --site-scale), against independent
truth (numpy, scipy):

1. the site effect on the planted mean-intensity features (stat_mean, stat_median) is there in
   /features (one-way ANOVA of the site means and Levene's test of the site variances, p < 1e-10)
   and gone in /features_harmonised (both p > 0.05);
2. the scan read /features_harmonised: for every planted variant (COHORT/truth.tsv) and each of
   its features, beta and -log10 p from an OLS written here (the rank-based inverse normal
   transform of the harmonised values over the scanned patients, the covariate table's columns
   with the site as indicators, DS dosages read by bcftools) equal the scan's (1e-6 relative);
3. the planted variants are recovered: each reaches -log10 p >= 7.3 on one of its features;
4. lambda GC on the null chromosomes (5 and up: no planted effect) is within 1 +- 0.05 for every
   harmonised feature (from the scan's per-pair sums: t with the scan's df, its two-sided p,
   the median chi-square over 0.4549).

Prints the figures; exits 1 on the first disagreement."""
import subprocess
import sys

import h5py
import numpy as np
from scipy import stats

cohort, harm_path, scan_path = sys.argv[1:4]
fail = []


def check(cond, what):
    print(("ok: " if cond else "NOT OK: ") + what)
    if not cond:
        fail.append(what)


with h5py.File(harm_path, "r") as f:
    site = np.array([s.decode() for s in f["/samples/site"][()]])
    status = f["/samples/status"][()]
    sid = [s.decode() for s in f["/samples/sample_id"][()]]
    names = [s.decode() for s in f["/features/names"][()]]
    raw = f["/features/values"][()]
    harm = f["/features_harmonised/values"][()]
sites = sorted(set(site))

# 1. the site effect, before and after
for feat in ("stat_mean", "stat_median"):
    j = names.index("CT.1." + feat)
    for label, Y, expect_effect in (("raw", raw, True), ("harmonised", harm, False)):
        g = [Y[(site == s) & (status != 1), j] for s in sites]
        pa, pl = stats.f_oneway(*g).pvalue, stats.levene(*g).pvalue
        cond = (pa < 1e-10 and pl < 1e-10) if expect_effect else (pa > 0.05 and pl > 0.05)
        check(cond, "%s %s: site means %s, SDs %s; ANOVA p %.3g, Levene p %.3g" % (
            label, feat, ["%.1f" % x.mean() for x in g], ["%.1f" % x.std(ddof=1) for x in g],
            pa, pl))

# the scan's sums
with h5py.File(scan_path, "r") as f:
    vid = [s.decode() for s in f["/variants/id"][()]]
    chrom = np.array([s.decode() for s in f["/variants/chrom"][()]])
    qc = f["/variants/qc"][()]
    pname = [s.decode() for s in f["/phenotypes/names"][()]]
    xty, gtg = f["/assoc/xty"][()], f["/assoc/gtg"][()][:, 0]
    yty, df = f["/phenotypes/yty"][()], f["/phenotypes/df"][()]


def scan_stats(v, k):
    b = xty[v, k] / gtg[v]
    se = np.sqrt((yty[k] - b * xty[v, k]) / df[k] / gtg[v])
    return b, -np.log10(2 * stats.t.sf(abs(b / se), df[k]))


# 2. and 3.: the planted variants, by an OLS of the harmonised values
cov = {}
with open(cohort + "/covariates.tsv") as f:
    head = f.readline().lstrip("#").split()
    for line in f:
        c = line.split()
        cov[c[0]] = c[1:]
scanned = [i for i in range(len(sid)) if status[i] == 0]
C = [np.ones(len(scanned))]
for a, col in enumerate(head[1:]):
    vals = [cov[sid[i]][a] for i in scanned]
    try:
        C.append(np.array([float(x) for x in vals]))
    except ValueError:  # categorical: indicators of every level but the first
        for lev in sorted(set(vals))[1:]:
            C.append(np.array([float(x == lev) for x in vals]))
C = np.array(C).T
samples = subprocess.run(["bcftools", "query", "-l", cohort + "/genotypes.vcf.gz"],
                         capture_output=True, text=True, check=True).stdout.split()
col = [samples.index(sid[i]) for i in scanned]
with open(cohort + "/truth.tsv") as f:
    f.readline()
    truth = [line.rstrip("\n").split("\t") for line in f]
for t in truth:
    v = vid.index(t[0])
    q = subprocess.run(["bcftools", "query", "-r", "%s:%s" % (t[1], t[2]), "-f", "[%DS\t]\n",
                        cohort + "/genotypes.vcf.gz"], capture_output=True, text=True,
                       check=True).stdout.split("\n")[0].split()
    g = np.array([float(q[c]) for c in col])
    best = 0
    for feat in t[8].split(","):
        if "CT.1." + feat not in names:
            continue
        j, k = names.index("CT.1." + feat), pname.index("CT.1." + feat)
        y = harm[scanned, j]
        y = stats.norm.ppf((stats.rankdata(y) - 0.5) / len(y))
        X = np.column_stack([C, g])
        coef, rss = np.linalg.lstsq(X, y, rcond=None)[:2]
        dfo = len(y) - X.shape[1]
        se = np.sqrt(rss[0] / dfo * np.linalg.inv(X.T @ X)[-1, -1])
        m = -np.log10(2 * stats.t.sf(abs(coef[-1] / se), dfo))
        b, ms = scan_stats(v, k)
        check(abs(b - coef[-1]) <= 1e-6 * abs(coef[-1]) and abs(ms - m) <= 1e-6 * m and
              dfo == df[k], "%s, %s: the scan's beta %.6g, -log10 p %.4f = OLS of the harmonised "
              "values %.6g, %.4f" % (t[5], feat, b, ms, coef[-1], m))
        best = max(best, ms)
    check(best >= 7.3, "planted %s variant %s recovered: -log10 p %.1f" % (t[5], t[0], best))

# 4. lambda GC on the null chromosomes
ok = (qc == 1) & (gtg > 0) & np.isin(chrom, [str(c) for c in range(5, 23)])
b = xty[ok] / gtg[ok, None]
t = b / np.sqrt((yty[None, :] - b * xty[ok]) / df[None, :] / gtg[ok, None])
chi = stats.chi2.isf(2 * stats.t.sf(np.abs(t), df[None, :]), 1)
lam = np.median(chi, 0) / stats.chi2.ppf(0.5, 1)
worst = int(np.argmax(np.abs(lam - 1)))
check(np.all(np.abs(lam - 1) <= 0.05),
      "lambda GC of %d harmonised features on %d null variants: %.3f to %.3f (median %.3f; "
      "furthest from 1: %s)" % (len(lam), ok.sum(), lam.min(), lam.max(), np.median(lam),
                                pname[worst]))
sys.exit(1 if fail else 0)
