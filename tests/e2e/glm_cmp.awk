# glm_cmp.awk PLINK.glm.linear SUMSTATS.tsv (a gunzipped GWAS-SSF file from radiogx export):
# prints "n worst_rel_beta worst_rel_se worst_abs_log10p worst_abs_dbeta_over_se" over the
# variants that both tested (plink2's CHROM_POS_REF_ALT matches variant_id, GWAS-SSF's
# <chromosome>_<base_pair_location>_<other_allele>_<effect_allele> with X = 23).
BEGIN { FS = "\t"; code["X"] = 23; code["Y"] = 24; code["MT"] = 25 }
FNR == 1 { next }
FILENAME == ARGV[1] {
  c = $1; sub(/^chr/, "", c); if (c in code) c = code[c]
  k = c "_" $2 "_" $4 "_" $5
  if ($9 != "NA") { b[k] = $9; s[k] = $10; p[k] = $12 }
  next
}
($9 in b) {
  n++
  db = $5 - b[$9]; if (db < 0) db = -db
  rb = db / (b[$9] == 0 ? 1 : (b[$9] < 0 ? -b[$9] : b[$9]))
  rs = ($6 - s[$9]) / s[$9]; if (rs < 0) rs = -rs
  lp = -log(p[$9]) / log(10); d = $11 - lp; if (d < 0) d = -d
  bs = db / $6
  if (rb > mb) mb = rb; if (rs > ms) ms = rs; if (d > mp) mp = d; if (bs > mbs) mbs = bs
}
END { printf "%d %.3g %.3g %.3g %.3g\n", n, mb, ms, mp, mbs }
