# glm_cmp.awk PLINK.glm.linear SUMSTATS.tsv (a gunzipped GWAS-SSF file from radiogx export):
# prints "n worst_rel_beta worst_rel_se worst_abs_log10p worst_abs_dbeta_over_se" over the
# variants that both tested (plink2's ID matches variant_id).
BEGIN { FS = "\t" }
FNR == 1 { next }
FILENAME == ARGV[1] { if ($9 != "NA") { b[$3] = $9; s[$3] = $10; p[$3] = $12 } next }
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
