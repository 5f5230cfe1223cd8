# ss_cmp.awk [-v maf=0.05] A.tsv B.tsv (two gunzipped GWAS-SSF files from radiogx export):
# prints "n worst_abs_dbeta_over_se worst_abs_dlog10p" over the variants in both whose effect
# allele frequency in A is within [maf, 1 - maf].  Columns are found by their header names.
BEGIN { FS = "\t"; if (maf == "") maf = 0 }
FNR == 1 {
  for (i = 1; i <= NF; i++) col[$i] = i
  v = col["variant_id"]; b = col["beta"]; s = col["standard_error"]
  p = col["neg_log_10_p_value"]; f = col["effect_allele_frequency"]
  next
}
FILENAME == ARGV[1] {
  if ($f >= maf && $f <= 1 - maf) { B[$v] = $b; S[$v] = $s; P[$v] = $p }
  next
}
($v in B) {
  n++
  d = ($b - B[$v]) / S[$v]; if (d < 0) d = -d
  e = $p - P[$v]; if (e < 0) e = -e
  if (d > md) md = d; if (e > mp) mp = e
}
END { printf "%d %.3g %.3g\n", n, md, mp }
