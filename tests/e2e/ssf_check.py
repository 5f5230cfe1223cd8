#!/usr/bin/python3
"""ssf_check.py DIR [N_EXPECTED] — every GWAS-SSF file of DIR against the standard's rules
(GWAS-SSF v1.1 and the GWAS Catalog validator's column checks): column names and order,
allowed values per column, no missing value in a mandatory column, p in (0, 1] (read as
mantissa and exponent, so 1e-400 is not taken for 0), -log10 p agreeing with p, variant_id
= <chromosome>_<base_pair_location>_<other_allele>_<effect_allele>, rows sorted by
(chromosome, position) when the metadata says is_sorted, a tabix region query per contig
that finds exactly the contig's rows, and the metadata sidecar: mandatory keys with allowed
values, md5 and file name of the data file, sample_size = the n column.
Prints one line per problem and "checked F files, R rows"; exit 1 on any problem."""
import gzip, hashlib, math, os, re, subprocess, sys
import yaml

MANDATORY = ["chromosome", "base_pair_location", "effect_allele", "other_allele", "beta",
             "standard_error", "effect_allele_frequency", "p_value"]
ALLELE = re.compile(r"^(LONG_STRING|[ACGTacgt]+)$")
VID = re.compile(r"^[A-Za-z0-9_]+$")
NUM = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
problems = []


def bad(f, msg):
    problems.append("%s: %s" % (f, msg))


def log10_of(text):
    """log10 of a decimal number given as text, exact in range beyond doubles."""
    m, _, e = text.lower().partition("e")
    return math.log10(float(m)) + (int(e) if e else 0)


def check_data(path, meta):
    rows, prev, contigs = 0, None, {}
    with gzip.open(path, "rt") as fh:
        head = fh.readline().rstrip("\n").split("\t")
        if head[:8] != MANDATORY:
            bad(path, "the first 8 columns are %s, not %s" % (head[:8], MANDATORY))
            return 0, None
        col = {h: i for i, h in enumerate(head)}
        if "variant_id" not in col or "n" not in col:
            bad(path, "no variant_id or n column")
            return 0, None
        ns = set()
        for ln, line in enumerate(fh, 2):
            v = line.rstrip("\n").split("\t")
            if len(v) != len(head):
                bad(path, "line %d: %d fields, header has %d" % (ln, len(v), len(head)))
                continue
            where = "line %d" % ln
            if any(x in ("", "#NA", "NA", "nan", "inf") for x in v[:8] + [v[col["n"]]]):
                bad(path, where + ": a missing value in a mandatory column: %s" % v)
                continue
            c, bp = v[0], v[1]
            if not c.isdigit() or not 1 <= int(c) <= 25:
                bad(path, where + ": chromosome %r not 1-25" % c)
            if not bp.isdigit() or int(bp) < 1:
                bad(path, where + ": base_pair_location %r" % bp)
            for k in (2, 3):
                if not ALLELE.match(v[k]):
                    bad(path, where + ": %s %r" % (head[k], v[k]))
            for k in (4, 5, 6):
                if not NUM.match(v[k]):
                    bad(path, where + ": %s %r is not a number" % (head[k], v[k]))
            if NUM.match(v[5]) and not float(v[5]) > 0:
                bad(path, where + ": standard_error %r not > 0" % v[5])
            if NUM.match(v[6]) and not 0 <= float(v[6]) <= 1:
                bad(path, where + ": effect_allele_frequency %r" % v[6])
            if not NUM.match(v[7]) or float(v[7].lower().partition("e")[0]) <= 0 or log10_of(v[7]) > 1e-12:
                bad(path, where + ": p_value %r not in (0, 1]" % v[7])
            elif "neg_log_10_p_value" in col:
                m = float(v[col["neg_log_10_p_value"]])
                if abs(-log10_of(v[7]) - m) > 1e-6 * max(1, m):
                    bad(path, where + ": p_value %s and neg_log_10_p_value %s disagree" % (v[7], m))
            vid = v[col["variant_id"]]
            if not VID.match(vid) or vid != "%s_%s_%s_%s" % (c, bp, v[3], v[2]):
                bad(path, where + ": variant_id %r is not %s_%s_%s_%s" % (vid, c, bp, v[3], v[2]))
            n = v[col["n"]]
            if not n.isdigit():
                bad(path, where + ": n %r" % n)
            ns.add(n)
            key = (int(c) if c.isdigit() else 0, int(bp) if bp.isdigit() else 0)
            if prev is not None and key < prev and meta.get("is_sorted"):
                bad(path, where + ": not sorted by chromosome and position, yet is_sorted: true")
            prev = key
            contigs[c] = contigs.get(c, 0) + 1
            rows += 1
    for c, k in contigs.items():  # the index finds each contig's rows, and only those
        got = subprocess.run(["tabix", path, c], capture_output=True, text=True)
        if got.returncode or len(got.stdout.splitlines()) != k:
            bad(path, "tabix %s: %d lines, the file has %d" % (c, len(got.stdout.splitlines()), k))
    return rows, ns


def check_meta(path, data, ns):
    try:
        m = yaml.safe_load(open(path))
    except Exception as e:
        bad(path, "not YAML: %s" % e)
        return
    need = {"data_file_name": str, "file_type": str, "data_file_md5sum": str,
            "genome_assembly": str, "coordinate_system": str, "is_sorted": bool,
            "is_harmonised": bool, "genotyping_technology": list, "trait_description": list,
            "samples": list}
    for k, t in need.items():
        if not isinstance(m.get(k), t):
            bad(path, "mandatory key %s missing or not a %s" % (k, t.__name__))
    if m.get("genome_assembly") not in ("GRCh37", "GRCh38"):
        bad(path, "genome_assembly %r" % m.get("genome_assembly"))
    if m.get("coordinate_system") not in ("1-based", "0-based"):
        bad(path, "coordinate_system %r" % m.get("coordinate_system"))
    if m.get("data_file_name") != os.path.basename(data):
        bad(path, "data_file_name %r" % m.get("data_file_name"))
    if m.get("data_file_md5sum") != hashlib.md5(open(data, "rb").read()).hexdigest():
        bad(path, "data_file_md5sum does not match the file")
    if "date_last_modified" in m and not re.match(r"^\d{4}-\d\d-\d\d$", str(m["date_last_modified"])):
        bad(path, "date_last_modified %r" % m["date_last_modified"])
    for k in ("genotyping_technology", "trait_description"):
        if isinstance(m.get(k), list) and not (m[k] and all(isinstance(x, str) and x for x in m[k])):
            bad(path, "%s must list non-empty strings" % k)
    if m.get("sex") not in (None, "M", "F", "combined"):
        bad(path, "sex %r" % m.get("sex"))
    s = m.get("samples") or [{}]
    if not isinstance(s[0].get("sample_size"), int) or s[0]["sample_size"] <= 0:
        bad(path, "samples[0].sample_size %r" % s[0].get("sample_size"))
    elif ns and {str(s[0]["sample_size"])} != ns:
        bad(path, "sample_size %s, the n column %s" % (s[0]["sample_size"], sorted(ns)))
    anc = s[0].get("sample_ancestry_category")
    if not (isinstance(anc, list) and anc and all(isinstance(x, str) for x in anc)):
        bad(path, "samples[0].sample_ancestry_category %r" % anc)
    return m


def main():
    d = sys.argv[1]
    files = sorted(f for f in os.listdir(d) if f.endswith(".tsv.gz"))
    total = 0
    for f in files:
        data = os.path.join(d, f)
        for ext in ("-meta.yaml", ".tbi"):
            if not os.path.exists(data + ext):
                bad(data, "no %s beside it" % ext)
        if not os.path.exists(data + "-meta.yaml"):
            continue
        meta = yaml.safe_load(open(data + "-meta.yaml")) or {}
        rows, ns = check_data(data, meta)
        check_meta(data + "-meta.yaml", data, ns)
        total += rows
    if len(sys.argv) > 2 and len(files) != int(sys.argv[2]):
        bad(d, "%d files, expected %s" % (len(files), sys.argv[2]))
    for p in problems[:30]:
        print("# " + p)
    print("checked %d files, %d rows, %d problems" % (len(files), total, len(problems)))
    sys.exit(1 if problems or not files else 0)


main()
