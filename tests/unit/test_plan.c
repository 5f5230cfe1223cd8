/* test_plan.c — the plan (src/extract/plan.c) on a cohort written here, every expected figure
 * worked out by hand: each patient's ROI voxels and cost (ROI voxels + 0.05 x image voxels),
 * the bad inputs told apart (another grid, an empty ROI, a missing image, a non-integer label)
 * with their reasons and manifest lines, a sample missing from the genotypes (extracted, not
 * scanned), the labels found per channel, the configured labels, the affine tolerance, and the
 * longest-processing-time assignment (serial and through the communicator: the same plan). */
#include <mpi.h>
#include <nifti2_io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "manifest.h"
#include "plan.h"
#include "tap.h"

static char dir[] = "/tmp/test_plan.XXXXXX";

/* An 8 x 8 x 4 grid of 1 mm voxels (nz: 4, or 5 for "another grid"), shifted by dx mm. */
static image_t grid(int nz, double dx)
{
    image_t im;
    memset(&im, 0, sizeof im);
    im.dim[0] = im.dim[1] = 8, im.dim[2] = nz;
    for (int d = 0; d < 3; d++) im.spacing[d] = 1, im.affine[d][d] = 1;
    im.affine[0][3] = dx;
    return im;
}

static void write_image(const char *name, int nz, double dx, int datatype, int n_roi,
                        float label, float label2)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    image_t im = grid(nz, dx);
    float *v;
    image_alloc(&im, &v);
    for (size_t i = 0; i < image_nvox(&im); i++)
        v[i] = datatype == DT_FLOAT32 ? 1.0f : i < (size_t)n_roi ? (i % 2 ? label2 : label) : 0;
    image_write(path, &im, datatype);
    image_free(&im);
}

static const char *write_text(const char *name, const char *text)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static const plan_patient_t *patient(const manifest_t *m, const plan_t *p, const char *id)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->row[i].patient_id, id)) return &p->p[i];
    return NULL;
}

static int has_problem(const plan_t *p, const char *want)
{
    for (size_t i = 0; i < p->n_problems; i++)
        if (strstr(p->problem[i], want)) return 1;
    printf("# no problem line containing: %s\n", want);
    for (size_t i = 0; i < p->n_problems; i++) printf("#   %s\n", p->problem[i]);
    return 0;
}

static void cohort(void)
{
    write_image("img.nii.gz", 4, 0, DT_FLOAT32, 0, 0, 0);
    write_image("m10.nii.gz", 4, 0, DT_UINT8, 10, 1, 1);     /* 10 voxels of label 1 */
    write_image("m20.nii.gz", 4, 0, DT_UINT8, 20, 1, 2);     /* 10 of label 1, 10 of label 2 */
    write_image("m5.nii.gz", 4, 0, DT_UINT8, 5, 1, 1);       /* 5 of label 1 */
    write_image("grid.nii.gz", 5, 0, DT_UINT8, 10, 1, 1);    /* 8 x 8 x 5 */
    write_image("empty.nii.gz", 4, 0, DT_UINT8, 0, 0, 0);    /* no ROI voxel */
    write_image("shift.nii.gz", 4, 0.0005, DT_UINT8, 10, 1, 1); /* 0.5 um off the image */
    {
        char path[300];
        snprintf(path, sizeof path, "%s/half.nii.gz", dir); /* one voxel 1.5, the rest 0 */
        image_t im = grid(4, 0);
        float *v;
        image_alloc(&im, &v);
        v[0] = 1.5f;
        image_write(path, &im, DT_FLOAT32);
        image_free(&im);
    }
    write_text("g.vcf", "##fileformat=VCFv4.2\n##contig=<ID=1,length=1000>\n"
                        "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
                        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\tS4\t"
                        "S5\tS7\tS8\n"
                        "1\t10\tv1\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t1/1\t0/1\t0/0\t0/1\t1/1\n");
    write_text("m.tsv", "patient_id\timage_CT\tmask\tsample_id\n"
                        "P1\timg.nii.gz\tm10.nii.gz\tS1\n"     /* line 2: ok, 10 voxels */
                        "P2\timg.nii.gz\tm20.nii.gz\tS2\n"     /* line 3: ok, 20 voxels */
                        "P3\timg.nii.gz\tgrid.nii.gz\tS3\n"    /* line 4: another grid */
                        "P4\timg.nii.gz\tempty.nii.gz\tS4\n"   /* line 5: empty ROI */
                        "P5\tabsent.nii.gz\tm10.nii.gz\tS5\n"  /* line 6: no image */
                        "P6\timg.nii.gz\tm5.nii.gz\tS6\n"      /* line 7: not genotyped */
                        "P7\timg.nii.gz\thalf.nii.gz\tS7\n"    /* line 8: label 1.5 */
                        "P8\timg.nii.gz\tshift.nii.gz\tS8\n"); /* line 9: 0.5 um shift */
}

static void check_plan(const manifest_t *m, MPI_Comm comm, const char *how)
{
    char vcf[300], name[200];
    snprintf(vcf, sizeof vcf, "%s/g.vcf", dir);
    plan_opt_t opt;
    plan_opt_init(&opt);
    opt.genotypes = vcf;
    plan_t p;
    snprintf(name, sizeof name, "%s: the plan is made", how);
    is_int(plan_make(m, &opt, comm, 2, &p), RGX_OK, name);
    /* 256 image voxels: the cost is ROI + 12.8. */
    const plan_patient_t *p1 = patient(m, &p, "P1"), *p2 = patient(m, &p, "P2"),
                         *p6 = patient(m, &p, "P6"), *p8 = patient(m, &p, "P8");
    snprintf(name, sizeof name, "%s: P1 10 ROI voxels, cost 22.8", how);
    ok(p1->status == PLAN_OK && p1->roi_voxels == 10 && p1->cost == 10 + 0.05 * 256, name);
    snprintf(name, sizeof name, "%s: P2 20 ROI voxels (two labels), cost 32.8", how);
    ok(p2->status == PLAN_OK && p2->roi_voxels == 20 && p2->cost == 20 + 0.05 * 256, name);
    snprintf(name, sizeof name, "%s: P6 extracted, not scanned (no genotypes)", how);
    ok(p6->status == PLAN_NO_GENOTYPES && p6->roi_voxels == 5, name);
    snprintf(name, sizeof name, "%s: P8 within the 1 um tolerance", how);
    ok(p8->status == PLAN_OK, name);
    const char *bad[] = {"P3", "P4", "P5", "P7"};
    int all_bad = 1;
    for (int k = 0; k < 4; k++)
        all_bad &= patient(m, &p, bad[k])->status == PLAN_BAD_INPUT &&
                   patient(m, &p, bad[k])->rank == -1;
    snprintf(name, sizeof name, "%s: P3, P4, P5, P7 bad, on no rank", how);
    ok(all_bad, name);
    is_int(p.n_bad, 4, "4 bad");
    is_int(p.n_no_geno, 1, "1 without genotypes");
    ok(has_problem(&p, "m.tsv:4: patient P3: image_CT and its mask are not on the same grid"),
       "another grid, with its line");
    ok(has_problem(&p, "m.tsv:5: patient P4: mask for image_CT has no ROI voxel"),
       "an empty ROI, with its line");
    ok(has_problem(&p, "m.tsv:6: patient P5: image_CT: "), "a missing image, with its line");
    ok(has_problem(&p, "m.tsv:7: patient P6: sample_id 'S6' is not in the genotype file"),
       "a sample missing from the genotypes, with its line");
    ok(has_problem(&p, "m.tsv:8: patient P7: mask for image_CT holds 1.5: expected integer "
                       "labels"),
       "a non-integer label, with its line");
    is_int(p.n_problems, 5, "5 problem lines");
    ok(p.n_channels == 1 && p.n_labels[0] == 2 && p.labels[0][0] == 1 && p.labels[0][1] == 2,
       "labels found: 1 and 2");
    /* LPT over 2 ranks, by decreasing cost (ties in manifest order), each to the least-loaded
     * rank: P2 (32.8) -> 0; P1 (22.8) -> 1; P8 (22.8) -> 1 (22.8 < 32.8); P6 (17.8) -> 0. */
    snprintf(name, sizeof name, "%s: ranks P2 0, P1 1, P8 1, P6 0", how);
    ok(p2->rank == 0 && p1->rank == 1 && p8->rank == 1 && p6->rank == 0, name);
    ok(p.n_ranks == 2 && p.rank_cost[0] == p2->cost + p6->cost &&
           p.rank_cost[1] == p1->cost + p8->cost,
       "the ranks' costs");
    plan_free(&p);
}

static void options(const manifest_t *m)
{
    plan_opt_t opt;
    plan_opt_init(&opt);
    ok(opt.geometry_tol_mm == 1e-3, "default affine tolerance 1 um");
    opt.geometry_tol_mm = 1e-4;
    int two[] = {2};
    opt.labels = two, opt.n_labels = 1;
    plan_t p;
    is_int(plan_make(m, &opt, MPI_COMM_NULL, 1, &p), RGX_OK, "plan with label 2 only");
    ok(patient(m, &p, "P2")->roi_voxels == 10, "P2: 10 voxels of label 2");
    ok(patient(m, &p, "P1")->status == PLAN_BAD_INPUT &&
           has_problem(&p, "patient P1: mask for image_CT has no ROI voxel with the configured "
                           "labels"),
       "P1 has no voxel of label 2");
    ok(patient(m, &p, "P8")->status == PLAN_BAD_INPUT &&
           has_problem(&p, "patient P8: image_CT and its mask are not on the same grid"),
       "0.5 um is beyond a 0.1 um tolerance");
    ok(p.n_no_geno == 0 && patient(m, &p, "P2")->status == PLAN_OK,
       "no genotype file: no sample check");
    ok(p.n_ranks == 1 && patient(m, &p, "P2")->rank == 0, "one rank takes every good patient");
    plan_free(&p);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    if (!mkdtemp(dir)) return 1;
    cohort();
    manifest_t m;
    char path[300];
    snprintf(path, sizeof path, "%s/m.tsv", dir);
    is_int(manifest_read(path, &m), RGX_OK, "the manifest reads");
    check_plan(&m, MPI_COMM_NULL, "serial");
    check_plan(&m, MPI_COMM_WORLD, "through the communicator");
    options(&m);
    manifest_free(&m);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) printf("# could not remove %s\n", dir);
    MPI_Finalize();
    return tap_done();
}
