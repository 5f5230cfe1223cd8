#!/usr/bin/env bash
# Binary and time-to-event scans (radiogx scan --outcome binary / --survival TIME:EVENT) on a
# cohort made by mkoutcomes.py: the pairs that get the full fit against plink2 --glm
# firth-fallback hide-covar omit-ref (beta and SE within 1e-4 relative, -log10 p within 1e-3,
# the same Firth/logistic choice) and against R's survival::coxph with Efron ties (beta and SE
# within 1e-5 relative, -log10 p within 1e-4); the planted variants found; bitwise identity for
# 1 and 3 ranks; the GWAS-SSF export with odds_ratio / hazard_ratio; a null cohort's lambda_GC
# within 1 +- 0.05; errors for bad values.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
command -v plink2 >/dev/null || skip_all "plink2 is not installed (scripts/deps.sh installs it)"
command -v Rscript >/dev/null || skip_all "R is not installed (scripts/deps.sh installs it)"
D=$(tmpdir)
cd "$D"
/usr/bin/python3 "$RGX_ROOT/tests/e2e/mkoutcomes.py" 300 1 || { echo "not ok 1 - cohort"; exit 1; }
common=(-g g.vcf -p p.tsv --covar c.tsv --maf 0.01 --block-size 64)

# ---- binary ----
run "$RADIOGX" scan "${common[@]}" --pheno-names y1,y2 --outcome binary -o b1.h5
is "$rc" 0 "binary scan, 1 rank"
like "$out" "binary outcome y2: 564 samples, 62 cases, 502 controls" "cases and controls counted"
run mpirun -np 3 "$RADIOGX" scan "${common[@]}" --pheno-names y1,y2 --outcome binary -o b3.h5
is "$rc" 0 "binary scan, 3 ranks"
is "$(h5diff b1.h5 b3.h5 /assoc /assoc >/dev/null 2>&1; echo $?)" 0 "binary: 1 and 3 ranks bitwise identical"
OPENBLAS_NUM_THREADS=1 plink2 --vcf g.vcf --pheno p.tsv --pheno-name y1,y2 --1 --covar c.tsv \
  --glm firth-fallback hide-covar omit-ref cols=chrom,pos,ref,alt,firth,test,nobs,beta,se,tz,p,err \
  --threads 1 --out pl >/dev/null 2>&1
ok $? "plink2 --glm firth-fallback"
line=$(/usr/bin/python3 - <<'PY'
import h5py, numpy as np
f = h5py.File("b1.h5", "r")
a = {k: f["/assoc/" + k][...] for k in ("beta", "se", "log10p", "test")}
pos = f["/variants/pos"][...].astype(int)
worst = [0.0, 0.0, 0.0]; n = 0; same = 0; nf = 0
for k, name in enumerate(("y1", "y2")):
    pl = {}
    for l in open("pl.%s.glm.logistic.hybrid" % name):
        c = l.split()
        if c[0].startswith("#") or c[9] == "NA": continue
        pl[int(c[1])] = (c[6] == "Y", float(c[9]), float(c[10]), float(c[12]))
    for v in range(len(pos)):
        t = a["test"][v, k]
        if not t >= 2 or pos[v] not in pl: continue
        fi, b, s, p = pl[pos[v]]
        n += 1; nf += fi; same += fi == (t == 3)
        worst[0] = max(worst[0], abs(a["beta"][v, k] - b) / max(abs(b), s))
        worst[1] = max(worst[1], abs(a["se"][v, k] - s) / s)
        worst[2] = max(worst[2], abs(a["log10p"][v, k] + np.log10(p)))
print(n, nf, same, *("%.3g" % w for w in worst), "%.1f" % a["log10p"][3, 0])
PY
)
read -r n nf same wb ws wp top <<< "$line"
ok "$(awk -v n="$n" -v s="$same" 'BEGIN{exit !(n >= 50 && s == n)}'; echo $?)" \
  "binary: $n fully fitted pairs ($nf Firth), the same test as plink2 for $same"
ok "$(awk -v b="$wb" -v s="$ws" -v p="$wp" 'BEGIN{exit !(b < 1e-4 && s < 1e-4 && p < 1e-3)}'; echo $?)" \
  "binary vs plink2: beta $wb, SE $ws (relative), -log10 p $wp"
ok "$(awk -v t="$top" 'BEGIN{exit !(t > 7.3)}'; echo $?)" "binary: planted variant found (-log10 p $top)"
run "$RADIOGX" export b1.h5 "${ssf[@]}" --sumstats ss
is "$rc" 0 "binary export"
hdr=$(zcat ss/y1.tsv.gz | head -1 | cut -f5,6)
is "$hdr" "$(printf 'odds_ratio\tstandard_error')" "GWAS-SSF: odds_ratio column"
or4=$(zcat ss/y1.tsv.gz | awk -F'\t' '$2 == 4000 {print $5}')
b4=$(/usr/bin/python3 -c 'import h5py,math; print("%.6g" % math.exp(h5py.File("b1.h5")["/assoc/beta"][3,0]))')
is "$(printf '%.6g' "$or4")" "$b4" "odds ratio = exp(beta)"
like "$(cat ss/y1.tsv.gz-meta.yaml)" "effect_statistic: odds_ratio" "metadata: effect_statistic"
like "$(cat ss/y1.tsv.gz-meta.yaml)" "author_notes: \"Logistic regression of the binary phenotype" \
  "metadata: the notes name logistic regression (not least squares)"
run "$RADIOGX" export b1.h5 --report rb
rep=$(cat rb/report.html)
like "$rep" "by logistic regression on the ALT allele dosage" "report: the binary model"
like "$rep" "beta is the log odds ratio per ALT allele" "report: what beta is"
unlike "$rep" "least squares" "report: no least squares for a binary outcome"
like "$rep" "Phenotypes: the table p.tsv" "report: where the phenotypes came from"
like "$rep" "No extraction in this run file" "report: a table scan has no cohort table of zeros"
like "$rep" "Samples per phenotype: 564 to 600; cases 62 to 302, controls 298 to 502" \
  "report: samples, cases and controls"
like "$rep" "<th>cases</th><th>controls</th>" "report: cases and controls per phenotype"

# ---- time to event ----
run "$RADIOGX" scan "${common[@]}" --survival time:event -o s1.h5
is "$rc" 0 "time-to-event scan, 1 rank"
like "$out" "time-to-event outcome time: 600 samples" "events counted"
run mpirun -np 3 "$RADIOGX" scan "${common[@]}" --survival time:event -o s3.h5
is "$(h5diff s1.h5 s3.h5 /assoc /assoc >/dev/null 2>&1; echo $?)" 0 "time to event: 1 and 3 ranks bitwise identical"
/usr/bin/python3 - <<'PY' > fitted.tsv
import h5py
f = h5py.File("s1.h5", "r")
t = f["/assoc/test"][:, 0]
for v in range(len(t)):
    if t[v] == 2:
        print(v + 1, "%.17g\t%.17g\t%.17g" % tuple(f["/assoc/" + k][v, 0] for k in ("beta", "se", "log10p")))
PY
line=$(Rscript - <<'R' 2>r.err
suppressMessages(library(survival))
p <- read.table("p.tsv", header=TRUE, comment.char=""); cv <- read.table("c.tsv", header=TRUE, comment.char="")
g <- read.table(pipe("grep -v '^##' g.vcf"), header=TRUE, comment.char="", check.names=FALSE)
fit <- read.table("fitted.tsv")
w <- c(0, 0, 0)
for (r in seq_len(nrow(fit))) {
  s <- unlist(g[fit[r, 1], 10:ncol(g)]); x <- c(0, 1, 2)[match(s, c("0/0", "0/1", "1/1"))]
  f <- coxph(Surv(p$time, p$event) ~ cv$x1 + cv$x2 + x, ties="efron",
             control=coxph.control(eps=1e-12, toler.chol=1e-14, iter.max=100))
  cf <- summary(f)$coefficients
  w <- pmax(w, c(abs(fit[r, 2] - cf[3, 1]) / abs(cf[3, 1]), abs(fit[r, 3] - cf[3, 3]) / cf[3, 3],
                 abs(fit[r, 4] + log10(cf[3, 5]))))
}
cat(nrow(fit), sprintf("%.3g", w), "\n")
R
)
read -r n wb ws wp <<< "$line"
ok "$(awk -v n="$n" -v b="$wb" -v s="$ws" -v p="$wp" 'BEGIN{exit !(n >= 5 && b < 1e-5 && s < 1e-5 && p < 1e-4)}'; echo $?)" \
  "Cox vs coxph on $n fitted pairs: beta $wb, SE $ws (relative), -log10 p $wp"
top=$(/usr/bin/python3 -c 'import h5py; print("%.1f" % h5py.File("s1.h5")["/assoc/log10p"][7,0])')
ok "$(awk -v t="$top" 'BEGIN{exit !(t > 7.3)}'; echo $?)" "time to event: planted variant found (-log10 p $top)"
run "$RADIOGX" export s1.h5 "${ssf[@]}" --sumstats ssv
is "$(zcat ssv/time.tsv.gz | head -1 | cut -f5)" "hazard_ratio" "GWAS-SSF: hazard_ratio column"
like "$(cat ssv/time.tsv.gz-meta.yaml)" "author_notes: \"Cox proportional hazards (Efron ties)" \
  "metadata: the notes name the Cox model"
run "$RADIOGX" export s1.h5 --report rs
rep=$(cat rs/report.html)
like "$rep" "by Cox proportional hazards (Efron ties)" "report: the Cox model"
like "$rep" "beta is the log hazard ratio per ALT allele" "report: what beta is"
like "$rep" "<th>events</th><th>censored</th>" "report: events and censored per phenotype"

# ---- errors ----
sed 's/^s5\t1\t/s5\t3\t/; s/^s5\t0\t/s5\t3\t/' p.tsv > bad.tsv
run "$RADIOGX" scan -g g.vcf -p bad.tsv --covar c.tsv --pheno-names y1 --outcome binary -o x.h5
like "$out" "sample s5, column y1: 3 is not a binary value" "a bad binary value is named"
run "$RADIOGX" scan -g g.vcf -p p.tsv --covar c.tsv --pheno-names y1 --outcome binary --binary-coding 12 -o x.h5
like "$out" "column y1: 0 is not a binary value (1 or 2 expected" "1/2 coding checked"
run "$RADIOGX" scan -g g.vcf -p p.tsv --covar c.tsv --survival time:evnt -o x.h5
like "$out" "scan.survival: no column 'evnt'" "a missing event column is named"

# ---- radiogx simulate --outcomes: the planted toxicity and time-to-event variants ----
"$RADIOGX" simulate --patients 1000 --variants 3000 --chromosomes 6 --dims 16,16,8 --outcomes \
  --seed 3 --out sim >/dev/null 2>&1
ok $? "simulate --outcomes"
run "$RADIOGX" scan -g sim/genotypes.vcf.gz -p sim/outcomes.tsv --covar sim/covariates.tsv \
  --pheno-names toxicity --outcome binary -o sim/b.h5
is "$rc" 0 "toxicity scan (covariates age, sex, site, dose)"
run "$RADIOGX" scan -g sim/genotypes.vcf.gz -p sim/outcomes.tsv --covar sim/covariates.tsv \
  --survival event_time:event -o sim/s.h5
is "$rc" 0 "time-to-event scan"
found=$(/usr/bin/python3 - <<'PY'
import h5py
truth = [l.split("\t") for l in open("sim/truth.tsv")][1:]
for fn, prop in (("sim/b.h5", "toxicity"), ("sim/s.h5", "time_to_event")):
    t = [r for r in truth if r[5] == prop][0]
    f = h5py.File(fn)
    ids = [x.decode() for x in f["/variants/id"][...]]
    k = ids.index(t[0])
    print("%s:%.1f" % (prop, f["/assoc/log10p"][k, 0]), end=" ")
PY
)
ok "$(echo "$found" | awk '{split($1, a, ":"); split($2, b, ":"); exit !(a[2] >= 7.3 && b[2] >= 7.3)}'; echo $?)" \
  "truth.tsv's variants found at -log10 p >= 7.3: $found"

# ---- null: lambda_GC ----
mkdir null && cd null
/usr/bin/python3 "$RGX_ROOT/tests/e2e/mkoutcomes.py" 20000 7 null
"$RADIOGX" scan -g g.vcf -p p.tsv --covar c.tsv --pheno-names y1,y2 --outcome binary -o b.h5 >/dev/null 2>&1
"$RADIOGX" scan -g g.vcf -p p.tsv --covar c.tsv --survival time:event -o s.h5 >/dev/null 2>&1
lam=$(/usr/bin/python3 -c 'import h5py; print(*("%.3f" % x for f in ("b.h5", "s.h5") for x in h5py.File(f)["/phenotypes/lambda_gc"][...]))')
read -r l1 l2 l3 <<< "$lam"
ok "$(awk -v a="$l1" -v b="$l2" -v c="$l3" 'BEGIN{exit !(a > 0.95 && a < 1.05 && b > 0.95 && b < 1.05 && c > 0.95 && c < 1.05)}'; echo $?)" \
  "null lambda_GC within 1 +- 0.05: binary $l1 and $l2 (10% cases), time to event $l3"
done_testing
