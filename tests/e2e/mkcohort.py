#!/usr/bin/python3
"""mkcohort.py OUT N SEED [--bad] — a small deterministic test cohort for the e2e tests.

Writes OUT/manifest.tsv, OUT/img/*.nii.gz (int16 CT-like images, 1 x 1 x 2 mm, with a blob
whose size and intensity vary by patient), OUT/img/*_mask.nii.gz (label 1 = the blob; every
third patient also has a label 2 cube), and OUT/genotypes.vcf.gz (GT and DS for the sample
ids).  With --bad, five patients that must fail cleanly are added: a truncated image, an
empty mask, a mask on another grid, an all-NaN float32 image and a sample id absent from
the VCF (that one is extracted, but left out of the scan).  Python standard library only."""
import gzip, math, random, struct, sys, os

TYPES = {"uint8": (2, 8, "B"), "int8": (256, 8, "b"), "int16": (4, 16, "h"), "uint16": (512, 16, "H"),
         "int32": (8, 32, "i"), "uint32": (768, 32, "I"), "int64": (1024, 64, "q"),
         "uint64": (1280, 64, "Q"), "float32": (16, 32, "f"), "float64": (64, 64, "d")}

def nifti_bytes(dims, spacing, dtype, values, order="<", slope=1.0, inter=0.0):
    """A NIfTI-1 single file (header, 4 zero bytes, voxels) in the given byte order."""
    code, bitpix, fmt = TYPES[dtype]
    h = bytearray(348)
    struct.pack_into(order + "i", h, 0, 348)
    struct.pack_into(order + "8h", h, 40, 3, dims[0], dims[1], dims[2], 1, 1, 1, 1)
    struct.pack_into(order + "hh", h, 70, code, bitpix)
    struct.pack_into(order + "8f", h, 76, 1.0, spacing[0], spacing[1], spacing[2], 1, 1, 1, 1)
    struct.pack_into(order + "f", h, 108, 352.0)          # vox_offset
    struct.pack_into(order + "ff", h, 112, slope, inter)  # scl_slope, scl_inter
    struct.pack_into(order + "B", h, 123, 2)              # xyzt_units: mm
    struct.pack_into(order + "hh", h, 252, 0, 1)          # qform_code 0, sform_code 1 (scanner)
    struct.pack_into(order + "4f", h, 280, spacing[0], 0, 0, -10.0)
    struct.pack_into(order + "4f", h, 296, 0, spacing[1], 0, -12.0)
    struct.pack_into(order + "4f", h, 312, 0, 0, spacing[2], 5.0)
    h[344:348] = b"n+1\0"
    cast = float if fmt in "fd" else int
    return bytes(h) + b"\0\0\0\0" + struct.pack(order + "%d%s" % (len(values), fmt), *[cast(v) for v in values])

def nifti(path, dims, spacing, dtype, values):
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(nifti_bytes(dims, spacing, dtype, values))

def patient(rng, dims, radius, mean, two_labels):
    nx, ny, nz = dims
    cx, cy, cz = nx / 2 - 0.5, ny / 2 - 0.5, nz / 2 - 0.5
    img, msk = [], []
    for k in range(nz):
        for j in range(ny):
            for i in range(nx):
                r = math.sqrt((i - cx) ** 2 + (j - cy) ** 2 + (2 * (k - cz)) ** 2)
                inside = r <= radius
                v = rng.gauss(mean, 15) if inside else rng.gauss(-60, 10)
                img.append(max(-1024, min(3000, int(round(v)))))
                lab = 1 if inside else 0
                if two_labels and 1 <= i <= 3 and 1 <= j <= 3 and 1 <= k <= 3:
                    lab = 2
                msk.append(lab)
    return img, msk

def main():
    out, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    bad = "--bad" in sys.argv
    rng = random.Random(seed)
    os.makedirs(out + "/img", exist_ok=True)
    dims, sp = (24, 24, 12), (1.0, 1.0, 2.0)
    rows, samples = [], []
    for p in range(1, n + 1):
        pid, sid = "P%04d" % p, "S%04d" % p
        img, msk = patient(rng, dims, rng.uniform(3.5, 7.5), rng.uniform(40, 160), p % 3 == 0)
        nifti("%s/img/%s.nii.gz" % (out, pid), dims, sp, "int16", img)
        nifti("%s/img/%s_mask.nii.gz" % (out, pid), dims, sp, "uint8", msk)
        rows.append((pid, "img/%s.nii.gz" % pid, "img/%s_mask.nii.gz" % pid, sid, "site%d" % (p % 2 + 1)))
        samples.append(sid)
    if bad:
        img, msk = patient(rng, dims, 5, 100, False)
        nifti(out + "/img/good.nii.gz", dims, sp, "int16", img)
        nifti(out + "/img/good_mask.nii.gz", dims, sp, "uint8", msk)
        raw = open(out + "/img/good.nii.gz", "rb").read()
        open(out + "/img/truncated.nii.gz", "wb").write(raw[: len(raw) // 3])
        nifti(out + "/img/empty_mask.nii.gz", dims, sp, "uint8", [0] * len(msk))
        nifti(out + "/img/other_grid_mask.nii.gz", (20, 24, 12), sp, "uint8", [1] * (20 * 24 * 12))
        nifti(out + "/img/nan.nii.gz", dims, sp, "float32", [float("nan")] * len(img))
        for pid, im, mk in (("BAD_TRUNC", "truncated", "good_mask"), ("BAD_EMPTY", "good", "empty_mask"),
                            ("BAD_GRID", "good", "other_grid_mask"), ("BAD_NAN", "nan", "good_mask")):
            rows.append((pid, "img/%s.nii.gz" % im, "img/%s.nii.gz" % mk, "S_" + pid, "site1"))
            samples.append("S_" + pid)
        rows.append(("NO_GENO", "img/good.nii.gz", "img/good_mask.nii.gz", "S_ABSENT", "site2"))
    with open(out + "/manifest.tsv", "w") as f:
        f.write("patient_id\timage_CT\tmask\tsample_id\tsite\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    with gzip.open(out + "/genotypes.vcf.gz", "wt", compresslevel=6) as f:
        f.write("##fileformat=VCFv4.2\n##contig=<ID=1,length=1000000>\n")
        f.write('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
        f.write('##FORMAT=<ID=DS,Number=1,Type=Float,Description="Dosage">\n')
        f.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples) + "\n")
        for v in range(1, 21):
            af = rng.uniform(0.1, 0.5)
            gts = []
            for _ in samples:
                a, b = rng.random() < af, rng.random() < af
                gts.append("%d/%d:%d" % (a, b, a + b))
            f.write("1\t%d\tv%d\tA\tG\t.\t.\t.\tGT:DS\t%s\n" % (1000 * v, v, "\t".join(gts)))

if __name__ == "__main__":
    main()
