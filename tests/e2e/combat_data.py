#!/usr/bin/python3
"""combat_data.py OUT SEED [--missing] [--subset=A-B] [--sizes=a,b,c,d] — a run file with site effects for the
harmonisation tests, and the same data as text for R.

Writes OUT/run.h5 (/samples and /features as `radiogx extract` writes them: fixed-length
strings, status int8), OUT/covariates.tsv (#IID age sex, sex as F/M text, plus a `scanner`
column) and OUT/raw.tsv (every patient's row: sample_id, site, status, then the features).
Four sites of different sizes with per-site location and scale of every feature; two feature
groups (CT label 1 and CT label 2); feature 3 is one value throughout site siteC; three failed
patients (status 1, NaN rows) and one without genotypes (status 2).  With --missing, about 2%
of the values of the other features are NaN.  --subset=A-B keeps patients A..B-1 only (a
discovery and a validation cohort from one draw); --sizes sets the four sites' sizes
(30,25,40,12).  numpy and h5py (Debian's python3)."""
import sys

import h5py
import numpy as np


def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    missing = "--missing" in sys.argv
    rng = np.random.default_rng(seed)
    sizes = [30, 25, 40, 12]
    for a in sys.argv:
        if a.startswith("--sizes="):
            sizes = [int(x) for x in a.split("=")[1].split(",")]
    sites = sum(([s] * k for s, k in zip(["siteA", "siteB", "siteC", "siteD"], sizes)), [])
    order = rng.permutation(len(sites))  # sites interleaved in the file, as real manifests are
    sites = [sites[i] for i in order]
    n_ok = len(sites)
    n, p = n_ok + 4, 40
    status = np.zeros(n, dtype=np.int8)
    status[[5, 50, 80]] = 1
    status[n_ok + 3] = 2
    site_all, k = [], 0
    for i in range(n):
        if status[i] == 1:
            site_all.append("siteA")
        else:
            site_all.append(sites[k % n_ok])
            k += 1
    snames = sorted(set(site_all))
    shift = rng.normal(0, 3, (len(snames), p))
    scale = np.exp(rng.normal(0, 0.35, (len(snames), p)))
    age = np.round(rng.normal(60, 10, n), 1)
    sex = rng.integers(0, 2, n)
    mu = rng.uniform(50, 150, p)
    b_age = rng.normal(0, 0.2, p)
    b_sex = rng.normal(0, 2, p)
    Y = np.empty((n, p))
    for i in range(n):
        s = snames.index(site_all[i])
        Y[i] = mu + b_age * (age[i] - 60) + b_sex * sex[i] + shift[s] + scale[s] * rng.normal(0, 4, p)
    c = snames.index("siteC")
    for i in range(n):
        if site_all[i] == "siteC":
            Y[i, 3] = 100.0
    if missing:
        hole = rng.random((n, p)) < 0.02
        hole[:, 3] = False
        Y[hole] = np.nan
    Y[status == 1] = np.nan
    sid = ["S%04d" % (i + 1) for i in range(n)]
    keep = np.arange(n)
    for a in sys.argv:
        if a.startswith("--subset="):
            lo, hi = (int(x) for x in a.split("=")[1].split("-"))
            keep = np.arange(lo, hi)
    S = lambda xs: np.array([x.encode() for x in xs], dtype="S%d" % max(1, max(len(x) for x in xs)))
    with h5py.File(out + "/run.h5", "w") as f:
        f["/samples/patient_id"] = S(["P%04d" % (i + 1) for i in keep])
        f["/samples/sample_id"] = S([sid[i] for i in keep])
        f["/samples/site"] = S([site_all[i] for i in keep])
        f["/samples/status"] = status[keep]
        f["/samples/reason"] = S(["failed" if status[i] == 1 else "" for i in keep])
        f["/features/values"] = Y[keep]
        label = [1 if j < 24 else 2 for j in range(p)]
        f["/features/names"] = S(["CT.%d.f%02d" % (label[j], j) for j in range(p)])
        f["/features/tag"] = S(["f%02d" % j for j in range(p)])
        f["/features/family"] = S(["stat"] * p)
        f["/features/channel"] = S(["CT"] * p)
        f["/features/label"] = np.array(label, dtype=np.int32)
    with open(out + "/covariates.tsv", "w") as f:
        f.write("#IID\tage\tsex\tscanner\n")
        for i in range(n):
            f.write("%s\t%.1f\t%s\t%s\n" % (sid[i], age[i], "FM"[sex[i]], "scanner_" + site_all[i][-1]))
    with open(out + "/raw.tsv", "w") as f:
        f.write("sample_id\tsite\tstatus\t" + "\t".join("CT.%d.f%02d" % (label[j], j) for j in range(p)) + "\n")
        for i in keep:
            f.write("%s\t%s\t%d\t%s\n" % (sid[i], site_all[i], status[i],
                                          "\t".join("NA" if np.isnan(v) else repr(float(v)) for v in Y[i])))


main()
