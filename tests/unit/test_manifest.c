/* test_manifest.c — the cohort manifest (src/io/manifest.c) against manifests written by hand:
 * the column forms (shared mask, a mask per channel, genotypes per site), the defaults
 * (sample_id, site), paths relative to the manifest's folder or absolute, what is skipped
 * (comments, blank lines, CRLF, a spreadsheet's BOM, "#patient_id"), and every structural
 * error with its file:line, the row left out and the run stopped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "manifest.h"
#include "tap.h"

static char dir[] = "/tmp/test_manifest.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Does the read fail with RGX_ERR_MANIFEST and a problem line containing want? */
static int fails_with(const char *name, const char *text, const char *want)
{
    manifest_t m;
    rgx_err err = manifest_read(write_file(name, text), &m);
    int found = 0;
    for (size_t i = 0; i < m.n_problems; i++) found |= strstr(m.problem[i], want) != NULL;
    if (err != RGX_ERR_MANIFEST || !found) {
        printf("# error %d, %zu problems; wanted: %s\n", (int)err, m.n_problems, want);
        for (size_t i = 0; i < m.n_problems; i++) printf("#   %s\n", m.problem[i]);
    }
    manifest_free(&m);
    return err == RGX_ERR_MANIFEST && found;
}

static void shared_mask(void)
{
    char want[300];
    manifest_t m;
    const char *p = write_file("a.tsv", "patient_id\timage_CT\tmask\tsample_id\tsite\n"
                                        "P1\timg/p1.nii.gz\tmsk/p1.nii.gz\tS1\tA\n"
                                        "P2\t/abs/p2.nii.gz\tmsk/p2.nii.gz\t\t\n");
    is_int(manifest_read(p, &m), RGX_OK, "a shared-mask manifest reads");
    is_int(m.n, 2, "2 patients");
    is_int(m.n_channels, 1, "1 channel");
    is_str(m.channel[0], "CT", "channel CT");
    is_int(m.shared_mask, 1, "shared mask");
    is_int(m.has_genotypes, 0, "no genotypes column");
    snprintf(want, sizeof want, "%s/img/p1.nii.gz", dir);
    is_str(m.row[0].image[0], want, "a relative path starts at the manifest's folder");
    is_str(m.row[1].image[0], "/abs/p2.nii.gz", "an absolute path is kept");
    snprintf(want, sizeof want, "%s/msk/p2.nii.gz", dir);
    is_str(m.row[1].mask[0], want, "the shared mask, resolved");
    is_str(m.row[1].sample_id, "P2", "empty sample_id: the patient_id");
    is_str(m.row[1].site, "all", "empty site: all");
    is_int(m.row[0].line, 2, "row 1 is line 2");
    is_int(m.row[1].line, 3, "row 2 is line 3");
    manifest_free(&m);
}

static void per_channel(void)
{
    manifest_t m;
    const char *p = write_file("b.tsv", "\xef\xbb\xbf#patient_id\timage_CT\timage_PET\tmask_PET\t"
                                        "mask_CT\tgenotypes\r\n"
                                        "# a comment\r\n"
                                        "\r\n"
                                        "P1\tct1\tpet1\tmpet1\tmct1\tsiteA.vcf.gz\r\n"
                                        "P2\tct2\tpet2\tmpet2\tmct2\tsiteB.vcf.gz\r\n"
                                        "P3\tct3\tpet3\tmpet3\tmct3\tsiteA.vcf.gz\r\n");
    is_int(manifest_read(p, &m), RGX_OK, "BOM, #patient_id, CRLF, comment, blank line: read");
    is_int(m.n, 3, "3 patients");
    is_int(m.n_channels, 2, "2 channels");
    ok(m.n_channels == 2 && !strcmp(m.channel[0], "CT") && !strcmp(m.channel[1], "PET"),
       "channels in column order: CT, PET");
    is_int(m.shared_mask, 0, "a mask per channel");
    ok(m.n && strstr(m.row[0].mask[0], "mct1") && strstr(m.row[0].mask[1], "mpet1"),
       "each channel's mask, whatever the column order");
    ok(m.n == 3 && strstr(m.row[2].image[1], "pet3") && !strchr(m.row[2].image[1], '\r'),
       "the last cell without its CR");
    is_int(m.row[0].line, 4, "line numbers count the comment and the blank line");
    const char **files = NULL;
    size_t nf = 0;
    is_int(manifest_genotype_files(&m, &files, &nf), RGX_OK, "genotype files");
    is_int(nf, 2, "2 distinct genotype files");
    ok(nf == 2 && strstr(files[0], "siteA.vcf.gz") && strstr(files[1], "siteB.vcf.gz"),
       "in order of first appearance");
    free(files);
    manifest_free(&m);
}

static void row_problems(void)
{
    manifest_t m;
    const char *p = write_file("c.tsv", "patient_id\timage_CT\tmask\tsample_id\n"
                                        "P1\ta\tm\tS1\n"
                                        "P2\tb\tm\n"          /* line 3: 3 fields */
                                        "P3\t\tm\tS3\n"       /* line 4: an empty path */
                                        "P1\tc\tm\tS4\n"      /* line 5: P1 again */
                                        "P5\td\tm\tS1\n"      /* line 6: S1 again */
                                        "P6\te\tm\tS6\n");
    is_int(manifest_read(p, &m), RGX_ERR_MANIFEST, "row problems stop the run");
    is_int(m.n_problems, 4, "4 problems, each recorded");
    like(rgx_errmsg(), "c.tsv:3: 3 fields, expected 4 as in the header",
         "the first problem is the error message");
    int seen[4] = {0};
    for (size_t i = 0; i < m.n_problems; i++) {
        seen[0] |= strstr(m.problem[i], "c.tsv:3: 3 fields, expected 4") != NULL;
        seen[1] |= strstr(m.problem[i], "c.tsv:4: empty path (column 2)") != NULL;
        seen[2] |= strstr(m.problem[i], "c.tsv:5: duplicate patient_id 'P1' (also on line 2)") !=
                   NULL;
        seen[3] |= strstr(m.problem[i], "c.tsv:6: duplicate sample_id 'S1' (also on line 2)") !=
                   NULL;
    }
    ok(seen[0], "a short row, with its line");
    ok(seen[1], "an empty path, with its line and column");
    ok(seen[2], "a duplicate patient_id, with both lines");
    ok(seen[3], "a duplicate sample_id, with both lines");
    is_int(m.n, 4, "the rows with a field problem are left out (4 of 6 kept)");
    manifest_free(&m);
    ok(fails_with("d.tsv", "patient_id\timage_CT\tmask\nP1\ta\tm\nP2\tb\tm\nP1\tc\tm\n",
                  "d.tsv:4: duplicate patient_id 'P1' (also on line 2)"),
       "a default sample_id (the patient_id) duplicates too");
}

static void header_problems(void)
{
    ok(fails_with("e1.tsv", "patient_id,image_CT,mask\nP1,a,m\n",
                  "e1.tsv:1: the manifest must be tab-separated (this header has commas)"),
       "commas");
    ok(fails_with("e2.tsv", "patient_id\timage_CT\tmaks\nP1\ta\tm\n",
                  "e2.tsv:1: unknown column 'maks' (did you mean 'mask'?)"),
       "a misspelt column, with a suggestion");
    ok(fails_with("e3.tsv", "patient_id\timage_CT\tmask\tmask\nP1\ta\tm\tm\n",
                  "e3.tsv:1: column 'mask' appears twice"),
       "a doubled column");
    ok(fails_with("e4.tsv", "patient_id\timage_CT\tmask_CT\tmask_PET\nP1\ta\tm\tm\n",
                  "e4.tsv:1: column mask_PET has no image_PET column"),
       "a mask without its image");
    ok(fails_with("e5.tsv", "patient_id\timage_CT\tmask\tmask_CT\nP1\ta\tm\tm\n",
                  "e5.tsv:1: both a shared 'mask' column and 'mask_CT'"),
       "a shared mask and a channel's mask");
    ok(fails_with("e6.tsv", "patient_id\timage_CT\timage_PET\tmask_CT\nP1\ta\tb\tm\n",
                  "e6.tsv:1: image_PET has no mask"),
       "an image without a mask");
    ok(fails_with("e7.tsv", "patient_id\tmask\nP1\tm\n", "e7.tsv:1: no image column"),
       "no image column");
    ok(fails_with("e8.tsv", "image_CT\tmask\na\tm\n", "e8.tsv:1: no patient_id column"),
       "no patient_id column");
    ok(fails_with("e9.tsv", "patient_id\timage_C T\tmask\nP1\ta\tm\n",
                  "e9.tsv:1: column 'image_C T': a channel name is letters, digits"),
       "a channel name with a space");
    ok(fails_with("e10.tsv", "", "e10.tsv: empty file (expected a header line)"), "empty file");
    ok(fails_with("e11.tsv", "patient_id\timage_CT\tmask\n# only a comment\n",
                  "e11.tsv: no patients after the header"),
       "a header and no patient");
    manifest_t m;
    char missing[300];
    snprintf(missing, sizeof missing, "%s/absent.tsv", dir);
    is_int(manifest_read(missing, &m), RGX_ERR_MANIFEST, "a missing manifest");
    like(rgx_errmsg(), "absent.tsv", "names the file");
    manifest_free(&m);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    shared_mask();
    per_channel();
    row_problems();
    header_problems();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) printf("# could not remove %s\n", dir);
    return tap_done();
}
