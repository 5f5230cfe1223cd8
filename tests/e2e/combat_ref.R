# combat_ref.R [RAW.tsv COVARIATES.tsv OUT.tsv METHOD REF COVS BY]... — sva::ComBat on the
# patients that radiogx harmonises (status ok or no genotypes), the independent truth of
# tests/e2e/harmonise.t; one run per group of seven arguments, in one R session (loading sva
# takes seconds).
# METHOD: parametric | nonparametric | meanonly; REF: a site or "none"; COVS: "age,sex" or
# "none"; BY: channel_label (a ComBat per feature group: the CT.1 and CT.2 name prefixes) or
# all.  Writes sample_id and the harmonised features with 17 significant digits.
suppressPackageStartupMessages(library(sva))
a <- commandArgs(trailingOnly = TRUE)
for (k in seq(3, length(a), by = 7)) {
  raw <- read.delim(a[k - 2], check.names = FALSE, stringsAsFactors = FALSE)
  cov <- read.delim(a[k - 1], check.names = FALSE, stringsAsFactors = FALSE)
  names(cov)[1] <- "IID"
  raw <- raw[raw$status != 1, ]
  cov <- cov[match(raw$sample_id, cov$IID), ]
  feat <- as.matrix(raw[, -(1:3)])
  method <- a[k + 1]; ref <- if (a[k + 2] == "none") NULL else a[k + 2]
  mod <- if (a[k + 3] == "none") NULL else
    model.matrix(as.formula(paste("~", gsub(",", "+", a[k + 3]))),
                 data = data.frame(age = cov$age, sex = factor(cov$sex)))
  group <- if (a[k + 4] == "all") rep("all", ncol(feat)) else
    sub("^([^.]*\\.[^.]*)\\..*$", "\\1", colnames(feat))
  out <- feat
  for (g in unique(group)) {
    cols <- which(group == g)
    invisible(capture.output(
      h <- ComBat(dat = t(feat[, cols]), batch = raw$site, mod = mod,
                  par.prior = method != "nonparametric", mean.only = method == "meanonly",
                  ref.batch = ref), type = "message"))
    out[, cols] <- t(h)
  }
  write.table(data.frame(sample_id = raw$sample_id, format(out, digits = 17), check.names = FALSE),
              a[k], sep = "\t", quote = FALSE, row.names = FALSE)
}
