/* test_logistic.c — the binary-outcome fits (src/scan/logistic.c) against independent truth on
 * the same files: plink2 --glm firth-fallback hide-covar omit-ref (beta and SE within 1e-4
 * relative, -log10 p within 1e-3, the same firth/logistic choice per pair), R's glm in double
 * precision (the logistic fits, their likelihood-ratio tests and the Rao score test of the
 * null model, 1e-6), and Firth's penalised likelihood maximised by R's optim (the Firth
 * likelihood-ratio test, which plink2 does not report).  Two phenotypes (40% and 8% cases),
 * two covariates, 44 variants from MAF 0.5 to a few carriers, one whose ALT allele is only in
 * cases and one only in controls (separation: Firth). */
#include "tap.h"
#include "logistic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N = 500, Q = 3, P = 2, M = 44 };

static unsigned long long seed = 7;
static double unif(void)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(seed >> 11) * 0x1.0p-53;
}
static double norm(void)
{
    return sqrt(-2 * log(1 - unif())) * cos(2 * M_PI * unif());
}

static double C[N * Q], Y[P][N], G[M][N];

static void simulate(void)
{
    for (size_t i = 0; i < N; i++) {
        C[i * Q] = 1, C[i * Q + 1] = norm(), C[i * Q + 2] = unif() < 0.4;
    }
    for (size_t j = 0; j < M; j++) {
        double f = j < 36 ? 0.5 - 0.0135 * (double)j : 0.004 + 0.002 * (double)(j - 36);
        for (size_t i = 0; i < N; i++) G[j][i] = (unif() < f) + (unif() < f);
    }
    for (size_t i = 0; i < N; i++) {
        double e1 = -0.5 + 0.4 * C[i * Q + 1] - 0.3 * C[i * Q + 2] + 0.6 * G[0][i];
        double e2 = -2.8 + 0.5 * C[i * Q + 1] + 0.9 * G[1][i];
        Y[0][i] = unif() < 1 / (1 + exp(-e1));
        Y[1][i] = unif() < 1 / (1 + exp(-e2));
    }
    /* Separation: variant 42's ALT allele only in cases of phenotype 1, 43's only in
     * controls. */
    size_t c42 = 0, c43 = 0;
    for (size_t i = 0; i < N; i++) {
        G[42][i] = G[43][i] = 0;
        if (Y[0][i] == 1 && c42 < 7) G[42][i] = 1 + (c42 == 0), c42++;
        if (Y[0][i] == 0 && c43 < 5) G[43][i] = 1, c43++;
    }
}

static int write_files(const char *d)
{
    char path[512];
    snprintf(path, sizeof path, "%s/g.vcf", d);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "##fileformat=VCFv4.2\n##contig=<ID=1,length=100000000>\n"
               "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
               "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT");
    for (size_t i = 0; i < N; i++) fprintf(f, "\ts%zu", i);
    fprintf(f, "\n");
    static const char *gt[] = {"0/0", "0/1", "1/1"};
    for (size_t j = 0; j < M; j++) {
        fprintf(f, "1\t%zu\tv%zu\tA\tC\t.\t.\t.\tGT", 1000 * (j + 1), j);
        for (size_t i = 0; i < N; i++) fprintf(f, "\t%s", gt[(int)G[j][i]]);
        fprintf(f, "\n");
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/p.tsv", d);
    if (!(f = fopen(path, "w"))) return -1;
    fprintf(f, "#IID\ty1\ty2\n");
    for (size_t i = 0; i < N; i++) fprintf(f, "s%zu\t%g\t%g\n", i, Y[0][i], Y[1][i]);
    fclose(f);
    snprintf(path, sizeof path, "%s/c.tsv", d);
    if (!(f = fopen(path, "w"))) return -1;
    fprintf(f, "#IID\tx1\tx2\n");
    for (size_t i = 0; i < N; i++) fprintf(f, "s%zu\t%.17g\t%g\n", i, C[i * Q + 1], C[i * Q + 2]);
    fclose(f);
    return 0;
}

/* R: glm per (phenotype, variant): beta, se, LR chi2, Rao score chi2; then Firth's penalised
 * likelihood maximised by optim, full and with beta_g = 0: beta and the LR chi2. */
static const char *r_script =
    "g <- read.table(pipe(paste0('grep -v ^## ', commandArgs(TRUE)[1], '/g.vcf')), header=TRUE,"
    " comment.char='', check.names=FALSE)\n"
    "d <- commandArgs(TRUE)[1]\n"
    "p <- read.table(paste0(d,'/p.tsv'), header=TRUE, comment.char='')\n"
    "cv <- read.table(paste0(d,'/c.tsv'), header=TRUE, comment.char='')\n"
    "G <- t(apply(as.matrix(g[,10:ncol(g)]), 1, function(s) c(0,1,2)[match(s, c('0/0','0/1',"
    "'1/1'))]))\n"
    "pl <- function(b, X, y) { e <- drop(X %*% b); m <- 1/(1+exp(-e)); w <- m*(1-m);"
    " sum(y*e - log1p(exp(e))) + 0.5*determinant(crossprod(X, w*X))$modulus }\n"
    "out <- c()\n"
    "for (k in 1:2) { y <- p[[k+1]]; n0 <- glm(y ~ x1 + x2, binomial, data=cv,"
    " control=glm.control(epsilon=1e-14, maxit=100))\n"
    " for (j in 1:nrow(G)) { x <- G[j,]; f <- glm(y ~ x1 + x2 + x, binomial, data=cv,"
    " control=glm.control(epsilon=1e-14, maxit=100))\n"
    "  s <- summary(f)$coefficients; a <- anova(n0, f, test='Rao')\n"
    "  X <- cbind(1, cv$x1, cv$x2, x)\n"
    "  o1 <- optim(c(coef(n0), 0), function(b) -pl(b, X, y), method='BFGS',"
    " control=list(reltol=1e-15, maxit=5000))\n"
    "  o1 <- optim(o1$par, function(b) -pl(b, X, y), method='Nelder-Mead',"
    " control=list(reltol=1e-15, maxit=20000))\n"
    "  o0 <- optim(coef(n0), function(b) -pl(c(b, 0), X, y), method='BFGS',"
    " control=list(reltol=1e-15, maxit=5000))\n"
    "  out <- rbind(out, sprintf('%d\\t%d\\t%.15g\\t%.15g\\t%.15g\\t%.15g\\t%.15g\\t%.15g', k,"
    " j, s['x',1], s['x',2], 2*(logLik(f)-logLik(n0)), a$Rao[2], o1$par[4],"
    " 2*(o0$value - o1$value))) } }\n"
    "writeLines(out, paste0(d, '/r.tsv'))\n";

typedef struct {
    double beta, se, p;
    int firth, ok;
} pl_row_t;

/* plink2's hybrid output: CHROM POS ID REF ALT A1 FIRTH? TEST OBS_CT BETA SE Z_STAT P ERRCODE. */
static int read_plink(const char *path, pl_row_t *rows)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        char fir[8], b[32], s[32], p[32];
        long pos;
        if (sscanf(line, "%*s %ld %*s %*s %*s %*s %7s %*s %*s %31s %31s %*s %31s", &pos, fir, b, s,
                   p) != 5)
            continue;
        size_t j = (size_t)pos / 1000 - 1;
        if (j >= M) continue;
        rows[j] = (pl_row_t){atof(b), atof(s), atof(p), fir[0] == 'Y', strcmp(b, "NA") != 0};
        n++;
    }
    fclose(f);
    return n;
}

static double rel(double a, double b)
{
    return fabs(a - b) / fmax(fabs(b), 1e-300);
}

/* A textbook Newton-Raphson fit of y on the first nc columns of Cm (row-major, ldc a row)
 * and g (when not NULL), by loops and Gauss-Jordan elimination, to a step below 1e-13: the
 * last coefficient, its SE and the log-likelihood.  The independent truth for the fits'
 * vector kernels at every column count. */
static void naive_fit(const double *Cm, size_t ldc, size_t nc, const double *g, const double *y,
                      size_t n, double *beta, double *se, double *ll)
{
    size_t k = nc + (g != NULL);
    double b[12] = {0}, H[12][24], u[12];
    for (int it = 0; it < 100; it++) {
        memset(H, 0, sizeof H), memset(u, 0, sizeof u);
        *ll = 0;
        for (size_t i = 0; i < n; i++) {
            double x[12], e = 0;
            for (size_t a = 0; a < nc; a++) x[a] = Cm[i * ldc + a];
            if (g) x[nc] = g[i];
            for (size_t a = 0; a < k; a++) e += b[a] * x[a];
            double p = 1 / (1 + exp(-e));
            *ll += y[i] * log(p) + (1 - y[i]) * log(1 - p);
            for (size_t a = 0; a < k; a++) {
                u[a] += (y[i] - p) * x[a];
                for (size_t c = 0; c < k; c++) H[a][c] += p * (1 - p) * x[a] * x[c];
            }
        }
        for (size_t a = 0; a < k; a++)
            for (size_t c = 0; c < k; c++) H[a][k + c] = a == c;
        for (size_t a = 0; a < k; a++) { /* Gauss-Jordan: H becomes [I | H^-1] */
            double d = H[a][a];
            for (size_t c = 0; c < 2 * k; c++) H[a][c] /= d;
            for (size_t r = 0; r < k; r++) {
                if (r == a) continue;
                double f = H[r][a];
                for (size_t c = 0; c < 2 * k; c++) H[r][c] -= f * H[a][c];
            }
        }
        double big = 0;
        for (size_t a = 0; a < k; a++) {
            double s = 0;
            for (size_t c = 0; c < k; c++) s += H[a][k + c] * u[c];
            b[a] += s, big = fmax(big, fabs(s));
        }
        if (big < 1e-13) break;
    }
    *beta = b[k - 1], *se = sqrt(H[k - 1][2 * k - 1]);
}

/* The score test's sums of g (the scan's GEMMs make them) by loops: u = g'r, d = sum g^2 w,
 * cwg = sum g w C_a (q of them, into cwg). */
static logit_sums_t pair_sums(const logit_null_t *m, const double *Cm, size_t q, const double *g,
                              size_t n, double *cwg)
{
    logit_sums_t s = {.cwg = cwg};
    for (size_t a = 0; a < q; a++) cwg[a] = 0;
    for (size_t i = 0; i < n; i++) {
        s.u += g[i] * m->r[i], s.d += g[i] * g[i] * m->w[i];
        for (size_t a = 0; a < q; a++) cwg[a] += Cm[i * q + a] * m->w[i] * g[i];
    }
    return s;
}

/* every_width's fit with q covariate columns. */
static void one_width(const double *Cw, size_t QW, double *Ck, size_t q, const double *y,
                      const double *g, size_t NW, double effect)
{
    for (size_t i = 0; i < NW; i++)
        for (size_t a = 0; a < q; a++) Ck[i * q + a] = Cw[i * QW + a];
    logit_ws_t w;
    logit_null_t m;
    logit_res_t r;
    double beta, se, ll, b0, s0, ll0;
    char name[128];
    int fine = logit_ws_init(&w, NW, q) == RGX_OK;
    fine = fine && logit_null_fit(&m, y, Ck, NW, q, &w) == RGX_OK;
    if (fine) {
        double cwg[16];
        logit_sums_t ps = pair_sums(&m, Ck, q, g, NW, cwg);
        logit_full(&m, y, Ck, g, 0, &ps, LOGIT_FIRTH_NEVER, &w, &r);
        naive_fit(Ck, q, q, g, y, NW, &beta, &se, &ll);
        naive_fit(Ck, q, q, NULL, y, NW, &b0, &s0, &ll0);
        /* The full fit's log-likelihood from its LR statistic (the -log10 p reported). */
        double lr = 2 * (ll - ll0);
        snprintf(name, sizeof name, "effect %.1f, %zu covariate columns: beta, SE, "
                 "log-likelihoods as a textbook Newton fit's", effect, q);
        ok(r.test == LOGIT_WALD && rel(r.beta, beta) < 1e-8 && rel(r.se, se) < 1e-8 &&
               fabs(m.loglik - ll0) < 1e-9 &&
               fabs(r.lr_mlog10p - logit_mlog10p_chi2(lr)) < 1e-8,
           name);
        logit_null_free(&m);
    } else {
        snprintf(name, sizeof name, "effect %.1f, %zu covariate columns: workspace and null "
                 "model", effect, q);
        ok(0, name);
    }
    logit_ws_free(&w);
}

/* The full fits with 1 to 10 covariate columns (k = 2 .. 11 columns: the kernels specialised
 * for k <= 8 and the general loop) on 203 samples (a remainder after the groups of 8), for
 * genotype effects of 0.4 to 2.2 (log odds: the larger ones end on Newton steps of 1e-7 to
 * 1e-5, where the information at the estimate is the last step's moved to first order),
 * against naive_fit: beta and SE within 1e-8 relative, both log-likelihoods within 1e-9
 * absolute. */
static void every_width(void)
{
    enum { NW = 203, QW = 10 };
    static double Cw[NW * QW], Ck[NW * QW], y[NW], g[NW];
    const double effect[] = {0.4, 1.0, 1.6, 2.2};
    for (size_t i = 0; i < NW; i++) {
        Cw[i * QW] = 1;
        for (size_t a = 1; a < QW; a++) Cw[i * QW + a] = a % 3 ? norm() : unif() < 0.3;
        g[i] = (unif() < 0.3) + (unif() < 0.3);
    }
    for (size_t e = 0; e < sizeof effect / sizeof *effect; e++) {
        for (size_t i = 0; i < NW; i++)
            y[i] = unif() < 1 / (1 + exp(-(-0.7 + 0.3 * Cw[i * QW + 1] + effect[e] * g[i])));
        for (size_t q = 1; q <= QW; q++)
            one_width(Cw, QW, Ck, q, y, g, NW, effect[e]);
    }
}

/* The null model on 20,000 samples with half of them cases (mu near 1/2: the product of
 * the rows' 1 / (1 + e^-|eta|) in each of loglik's eight lanes would fall below the smallest
 * double without its rescaling): the log-likelihood at the estimate as the sum, in long
 * double, of y log mu + (1 - y) log(1 - mu) with libm's logarithms (1e-12 relative). */
static void many_rows(void)
{
    enum { NB = 20003 };
    static double Cb[NB * 2], yb[NB];
    for (size_t i = 0; i < NB; i++) {
        Cb[i * 2] = 1, Cb[i * 2 + 1] = norm();
        yb[i] = unif() < 1 / (1 + exp(-0.2 * Cb[i * 2 + 1]));
    }
    logit_ws_t w;
    logit_null_t m;
    int fine = logit_ws_init(&w, NB, 2) == RGX_OK;
    fine = fine && logit_null_fit(&m, yb, Cb, NB, 2, &w) == RGX_OK;
    long double ll = 0;
    for (size_t i = 0; fine && i < NB; i++) {
        double e = m.beta[0] + m.beta[1] * Cb[i * 2 + 1], mu = 1 / (1 + exp(-e));
        ll += yb[i] ? logl((long double)mu) : log1pl(-(long double)mu);
    }
    printf("# loglik %.17g vs %.17Lg: %.3g relative\n", m.loglik, ll,
           fabs(m.loglik - (double)ll) / fabs((double)ll));
    ok(fine && fabs(m.loglik - (double)ll) < 1e-12 * fabs((double)ll),
       "20,003 samples: the null model's log-likelihood as libm's logarithms' sum");
    if (fine) logit_null_free(&m);
    logit_ws_free(&w);
}

int main(void)
{
    simulate();
    every_width();
    many_rows();
    char dir[] = "/tmp/rgx_logit_XXXXXX", cmd[2048], path[600];
    if (!mkdtemp(dir)) return 1;
    ok(write_files(dir) == 0, "files written");
    logit_ws_t ws;
    ok(logit_ws_init(&ws, N, Q) == RGX_OK, "workspace");
    logit_null_t nul[P];
    logit_res_t res[P][M];
    double score_chi2[P][M];
    for (size_t k = 0; k < P; k++) {
        ok(logit_null_fit(&nul[k], Y[k], C, N, Q, &ws) == RGX_OK, "null model fits");
        for (size_t j = 0; j < M; j++) {
            /* The score test from the null model's residuals and weights (the sums the scan's
             * GEMMs make), by loops. */
            double cwg[Q], V;
            logit_sums_t ps = pair_sums(&nul[k], C, Q, G[j], N, cwg);
            logit_full(&nul[k], Y[k], C, G[j], 0, &ps, LOGIT_FIRTH_FALLBACK, &ws, &res[k][j]);
            double U = ps.u, gwg = ps.d;
            V = gwg;
            for (size_t a = 0; a < Q; a++)
                for (size_t b = 0; b < Q; b++) V -= cwg[a] * nul[k].cwc_inv[a * Q + b] * cwg[b];
            score_chi2[k][j] = U * U / V;
        }
    }
    is_int(res[0][42].test, LOGIT_FIRTH, "ALT only in cases: Firth");
    is_int(res[0][43].test, LOGIT_FIRTH, "ALT only in controls: Firth");
    ok(res[0][0].mlog10p > 5, "planted variant found");

    /* plink2 */
    int have_plink = system("command -v plink2 >/dev/null 2>&1") == 0;
    if (!have_plink) {
        printf("# plink2 missing: the comparison with plink2 is skipped (scripts/deps.sh)\n");
    } else {
        snprintf(cmd, sizeof cmd,
                 "cd %s && OPENBLAS_NUM_THREADS=1 plink2 --vcf g.vcf --pheno p.tsv --1 --covar "
                 "c.tsv --glm firth-fallback hide-covar omit-ref "
                 "cols=chrom,pos,ref,alt,firth,test,nobs,beta,se,tz,p,err --threads 1 "
                 "--out pl >plink.out 2>&1",
                 dir);
        ok(system(cmd) == 0, "plink2 ran");
        for (size_t k = 0; k < P; k++) {
            pl_row_t pr[M] = {{0}};
            snprintf(path, sizeof path, "%s/pl.y%zu.glm.logistic.hybrid", dir, k + 1);
            is_int(read_plink(path, pr), M, "plink2's rows read");
            /* Logistic pairs (wb, ws_) and Firth pairs (fb, fs) apart: plink2 fits both in
             * single precision, which finds the zero of a score to about float's epsilon
             * but the top of Firth's penalised likelihood only to about its square root,
             * sqrt(1.2e-7) = 3.5e-4 SE (R's optim checks radiogx's Firth fits closely,
             * below). */
            double wb = 0, ws_ = 0, wp = 0, fb = 0, fs = 0;
            int choice = 0, n = 0, n_firth = 0;
            for (size_t j = 0; j < M; j++) {
                const logit_res_t *r = &res[k][j];
                if (!pr[j].ok) continue;
                n++, n_firth += pr[j].firth;
                choice += pr[j].firth == (r->test == LOGIT_FIRTH);
                if (pr[j].firth != (r->test == LOGIT_FIRTH))
                    printf("# y%zu v%zu: plink2 %s, radiogx test %d (case/control dosage %g/%g, "
                           "%d iterations)\n",
                           k + 1, j, pr[j].firth ? "Firth" : "logistic", r->test, r->case_dos,
                           r->ctrl_dos, r->iters);
                if (pr[j].firth) {
                    fb = fmax(fb, fabs(r->beta - pr[j].beta) / pr[j].se);
                    fs = fmax(fs, rel(r->se, pr[j].se));
                } else {
                    /* beta relative, or to its SE where beta is near 0 (6 digits printed) */
                    wb = fmax(wb, fabs(r->beta - pr[j].beta) / fmax(fabs(pr[j].beta), pr[j].se));
                    ws_ = fmax(ws_, rel(r->se, pr[j].se));
                }
                wp = fmax(wp, fabs(r->mlog10p + log10(pr[j].p)));
            }
            char name[160];
            snprintf(name, sizeof name, "y%zu: %d pairs (%d Firth) with the same choice as plink2",
                     k + 1, n, n_firth);
            is_int(choice, n, name);
            ok(n >= M - 1, "plink2 fitted (nearly) every pair");
            printf("# y%zu vs plink2: logistic beta %.2g, se %.2g relative; Firth beta %.2g SE, "
                   "se %.2g relative; log10 p %.2g\n",
                   k + 1, wb, ws_, fb, fs, wp);
            ok(wb < 1e-4 && ws_ < 1e-4, "logistic: beta and SE within 1e-4 relative of plink2");
            ok(fb < 1e-3 && fs < 1e-3, "Firth: beta within 1e-3 SE, SE 1e-3 relative of plink2");
            ok(wp < 1e-3, "-log10 p within 1e-3 of plink2");
        }
    }

    /* R */
    int have_r = system("command -v Rscript >/dev/null 2>&1") == 0;
    if (!have_r) {
        printf("# Rscript missing: the comparison with R is skipped (scripts/deps.sh)\n");
    } else {
        snprintf(path, sizeof path, "%s/t.R", dir);
        FILE *f = fopen(path, "w");
        fputs(r_script, f), fclose(f);
        snprintf(cmd, sizeof cmd, "Rscript %s/t.R %s >%s/r.out 2>&1", dir, dir, dir);
        ok(system(cmd) == 0, "R ran");
        snprintf(path, sizeof path, "%s/r.tsv", dir);
        f = fopen(path, "r");
        double wb = 0, wlr = 0, wsc = 0, wfb = 0, wflr = 0;
        int n = 0, nf = 0;
        int k1, j1;
        double b, s, lr, rao, fb, flr;
        while (f && fscanf(f, "%d %d %lf %lf %lf %lf %lf %lf", &k1, &j1, &b, &s, &lr, &rao, &fb,
                           &flr) == 8) {
            const logit_res_t *r = &res[k1 - 1][j1 - 1];
            /* chi2 relative, absolute below 1 */
            double e = fabs(score_chi2[k1 - 1][j1 - 1] - rao) / fmax(rao, 1);
            wsc = fmax(wsc, e);
            if (r->test == LOGIT_WALD) {
                n++;
                wb = fmax(wb, fmax(fabs(r->beta - b) / fmax(fabs(b), s), rel(r->se, s)));
                wlr = fmax(wlr, fabs(r->lr_mlog10p - logit_mlog10p_chi2(lr)));
            } else if (r->test == LOGIT_FIRTH) {
                nf++;
                wfb = fmax(wfb, fabs(r->beta - fb) / r->se);
                wflr = fmax(wflr, fabs(r->lr_mlog10p - logit_mlog10p_chi2(flr)));
            }
        }
        if (f) fclose(f);
        printf("# vs R glm (%d pairs): beta/SE %.2g relative, LR -log10 p %.2g; score %.2g; "
               "Firth vs optim (%d pairs): beta %.2g SE, LR -log10 p %.2g\n",
               n, wb, wlr, wsc, nf, wfb, wflr);
        ok(n + nf == P * M, "R fitted every pair");
        ok(wb < 1e-6, "logistic beta and SE within 1e-6 of R's glm");
        ok(wlr < 1e-6, "likelihood-ratio -log10 p within 1e-6 of R's glm");
        ok(wsc < 1e-6, "score chi2 within 1e-6 (relative; absolute below 1) of R's Rao test");
        ok(nf >= 2 && wfb < 1e-4, "Firth beta within 1e-4 SE of the penalised optimum by optim");
        ok(wflr < 1e-4, "Firth likelihood-ratio -log10 p within 1e-4 of optim's");
    }
    for (size_t k = 0; k < P; k++) logit_null_free(&nul[k]);
    logit_ws_free(&ws);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (!getenv("RGX_KEEP")) (void)!system(cmd);
    return tap_done();
}
