#!/usr/bin/python3
"""bgen_write.py -- a small BGEN writer for radiogx's tests, written from the format's
specification (https://www.chg.ox.ac.uk/~gav/bgen_format/): not radiogx's code.

  bgen_write.py IN.vcf.gz OUT.bgen [options]

Reads a VCF's GT (hard calls; phased or not, haploid, missing) or DS (--from-ds: probabilities
as plink2 makes them from a dosage) and writes BGEN with the first allele REF and the second
ALT.  Options:
  --layout 1|2          1: BGEN v1.1 (three 16-bit probabilities); 2 (default): v1.2/v1.3
  --compression none|zlib|zstd   (zstd through the zstd command-line tool)
  --bits B              bits per probability, 1..32 (layout 2; default 8)
  --phased              layout 2: phased (one probability per haplotype)
  --no-ids              no sample identifier block in the file
  --sample FILE         also write a .sample file (ID_1 ID_2 missing, ids in ID_2)
  --bgi FILE            also write a bgenix-style SQLite index (table Variant)
  --multi N             record N (1-based) gets a third allele (K = 3: skipped by readers)
  --ploidy3 N           record N: its first sample has ploidy 3 (readers: missing, counted)
  --corrupt N           record N's compressed block: its header kept, the rest zeros
  --bits-byte V         record 1 says bit depth V (its values packed with --bits)
"""
import argparse
import gzip
import os
import sqlite3
import struct
import subprocess
import tempfile
import zlib


def quantise(probs, bits):
    """The specification's rounding: floor of p * (2^B - 1), then the remainder given to the
    largest fractional parts; all but the last value."""
    m = (1 << bits) - 1
    if all(p in (0.0, 1.0) for p in probs):  # hard calls: exact
        return [int(p) * m for p in probs[:-1]]
    scaled = [p * m for p in probs]
    v = [int(s) for s in scaled]
    rest = m - sum(v)
    order = sorted(range(len(probs)), key=lambda k: -(scaled[k] - v[k]))
    for k in order[:max(rest, 0)]:
        v[k] += 1
    return v[:-1]


def pack(values, bits):
    acc, n, out = 0, 0, bytearray()
    for x in values:
        acc |= x << n
        n += bits
        while n >= 8:
            out.append(acc & 0xff)
            acc >>= 8
            n -= 8
    if n:
        out.append(acc & 0xff)
    return bytes(out)


def gt_alleles(field):
    gt = field.split(":")[0]
    sep = "|" if "|" in gt else "/"
    return [None if a == "." else int(a) for a in gt.split(sep)], sep == "|"


def layout2_block(calls, a, n_allele, ploidy3, bits_byte):
    """calls: per sample (kind, values): the probability data of one record."""
    ploidy, vals = [], []
    for i, (miss, hap) in enumerate(calls):
        z = len(hap)
        if i == 0 and ploidy3:
            z, miss, hap = 3, False, [(1.0, 0.0)] * 3
        ploidy.append(z | (0x80 if miss else 0))
        extra = [0.0] * (n_allele - 2)  # a third allele: never called
        if a.phased:
            for h in hap:  # P(each allele) of each haplotype, the last left out
                vals += quantise(list(h) + extra, a.bits)
        elif z == 2:  # P(AA), P(AB), P(BB) (then AC, BC, CC: zero)
            (x0, y0), (x1, y1) = hap
            vals += quantise([x0 * x1, x0 * y1 + y0 * x1, y0 * y1] + 3 * extra, a.bits)
        elif z == 1:
            vals += quantise(list(hap[0]) + extra, a.bits)
        else:  # ploidy 3, biallelic: 4 genotypes, 3 values
            vals += quantise([1.0, 0.0, 0.0, 0.0], a.bits)
    n = len(calls)
    head = struct.pack("<IHBB", n, n_allele, min(p & 0x3f for p in ploidy),
                       max(p & 0x3f for p in ploidy))
    return head + bytes(ploidy) + struct.pack("<BB", 1 if a.phased else 0, bits_byte) + \
        pack(vals, a.bits)


def sample_calls(fields, ds_col, gt_col, from_ds):
    """Each sample as (missing, [(P(A), P(B)) per haplotype])."""
    out = []
    for f in fields:
        parts = f.split(":")
        if from_ds:
            ds = parts[ds_col]
            if ds in (".", ""):
                out.append((True, [(0.0, 0.0), (0.0, 0.0)]))
                continue
            d = float(ds)
            b1 = min(d, 1.0)
            b2 = d - b1
            out.append((False, [(1 - b1, b1), (1 - b2, b2)]))
            continue
        al, _ = gt_alleles(parts[gt_col])
        if any(x is None for x in al):
            out.append((True, [(0.0, 0.0)] * len(al)))
        else:
            out.append((False, [(1.0, 0.0) if x == 0 else (0.0, 1.0) for x in al]))
    return out


def compress(data, how):
    """zlib, or none (zstd: zstd_all)."""
    return zlib.compress(data) if how == "zlib" else data


def zstd_all(blocks):
    """Each block compressed on its own by one run of the zstd command-line tool."""
    with tempfile.TemporaryDirectory() as d:
        names = []
        for k, b in enumerate(blocks):
            names.append(os.path.join(d, "%d" % k))
            open(names[-1], "wb").write(b)
        subprocess.run(["zstd", "-q", "-3", "--rm"] + names, check=True)
        return [open(n + ".zst", "rb").read() for n in names]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vcf")
    ap.add_argument("out")
    ap.add_argument("--layout", type=int, default=2)
    ap.add_argument("--compression", default="zlib")
    ap.add_argument("--bits", type=int, default=8)
    ap.add_argument("--phased", action="store_true")
    ap.add_argument("--from-ds", action="store_true")
    ap.add_argument("--no-ids", action="store_true")
    ap.add_argument("--sample")
    ap.add_argument("--bgi")
    ap.add_argument("--multi", type=int, default=0)
    ap.add_argument("--ploidy3", type=int, default=0)
    ap.add_argument("--corrupt", type=int, default=0)
    ap.add_argument("--bits-byte", type=int, default=-1)
    a = ap.parse_args()
    comp = {"none": 0, "zlib": 1, "zstd": 2}[a.compression]
    samples, records = [], []
    for line in gzip.open(a.vcf, "rt") if a.vcf.endswith(".gz") else open(a.vcf):
        if line.startswith("##"):
            continue
        f = line.rstrip("\n").split("\t")
        if line.startswith("#"):
            samples = f[9:]
            continue
        records.append(f)
    n = len(samples)
    heads, datas, index = [], [], []
    for r, f in enumerate(records, 1):
        keys = f[8].split(":")
        calls = sample_calls(f[9:], keys.index("DS") if "DS" in keys else -1,
                             keys.index("GT") if "GT" in keys else -1, a.from_ds)
        alleles = [f[3], f[4]] + (["T" if f[4] != "T" else "C"] if r == a.multi else [])
        head = b""
        if a.layout == 1:
            head += struct.pack("<I", n)
        for s in (f[2], f[2], f[0]):  # variant id, rsid, chromosome
            head += struct.pack("<H", len(s)) + s.encode()
        head += struct.pack("<I", int(f[1]))
        if a.layout == 2:
            head += struct.pack("<H", len(alleles))
        for al in alleles:
            head += struct.pack("<I", len(al)) + al.encode()
        if a.layout == 1:
            data = b"".join(struct.pack("<HHH", *[round(x * 32768) for x in (
                h[0][0] * h[1][0], h[0][0] * h[1][1] + h[0][1] * h[1][0], h[0][1] * h[1][1])])
                for miss, h in calls)
        else:
            bb = a.bits_byte if r == 1 and a.bits_byte >= 0 else a.bits
            data = layout2_block(calls, a, len(alleles), r == a.ploidy3, bb)
        heads.append(head)
        datas.append(data)
        index.append((f[0], int(f[1]), f[2], len(alleles), alleles[0], alleles[1]))
    bodies = zstd_all(datas) if comp == 2 else [compress(d, a.compression) for d in datas]
    if a.corrupt:  # the compressed stream's first two bytes kept, the rest zeros
        c = bodies[a.corrupt - 1]
        bodies[a.corrupt - 1] = c[:2] + bytes(len(c) - 2)
    blocks = []
    for head, data, body in zip(heads, datas, bodies):
        if a.layout == 1:
            geno = (struct.pack("<I", len(body)) if comp else b"") + body
        else:
            body = (struct.pack("<I", len(data)) if comp else b"") + body
            geno = struct.pack("<I", len(body)) + body
        blocks.append(head + geno)
    ids = b""
    if not a.no_ids:
        ids = b"".join(struct.pack("<H", len(s)) + s.encode() for s in samples)
        ids = struct.pack("<II", 8 + len(ids), n) + ids
    flags = comp | (a.layout << 2) | ((0 if a.no_ids else 1) << 31)
    lh = 20
    hb = struct.pack("<III", lh, len(records), n) + b"bgen" + struct.pack("<I", flags)
    offset = lh + len(ids)
    out = open(a.out, "wb")
    out.write(struct.pack("<I", offset) + hb + ids)
    pos = 4 + offset
    starts = []
    for b in blocks:
        starts.append(pos)
        out.write(b)
        pos += len(b)
    out.close()
    if a.sample:
        with open(a.sample, "w") as s:
            s.write("ID_1 ID_2 missing\n0 0 0\n")
            for x in samples:
                s.write("%s %s 0\n" % (x, x))
    if a.bgi:
        db = sqlite3.connect(a.bgi)
        db.execute("CREATE TABLE Variant (chromosome TEXT NOT NULL, position INT NOT NULL, "
                   "rsid TEXT NOT NULL, number_of_alleles INT NOT NULL, allele1 TEXT NOT NULL, "
                   "allele2 TEXT NULL, file_start_position INT NOT NULL, "
                   "size_in_bytes INT NOT NULL, PRIMARY KEY (chromosome, position, rsid, "
                   "allele1, allele2, file_start_position)) WITHOUT ROWID")
        db.executemany("INSERT INTO Variant VALUES (?,?,?,?,?,?,?,?)",
                       [(c, p, i, k, a1, a2, s, len(b)) for (c, p, i, k, a1, a2), s, b
                        in zip(index, starts, blocks)])
        db.commit()
        db.close()


if __name__ == "__main__":
    main()
