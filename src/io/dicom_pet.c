/* dicom_pet.c — PET activity concentration to SUV body weight (SUVbw, g/ml):
 *
 *     SUVbw = C [Bq/ml] x weight [g] / (injected dose [Bq] decayed to the decay-correction
 *             reference time)
 *
 * Tags (PS3.3 C.8.9.1, C.8.9.4): Units (0054,1001) BQML (GML: already SUVbw, factor 1; CNTS
 * with Philips' private SUV Scale Factor (7053,1000) under creator "Philips PET Private
 * Group": that factor); Patient's Weight (0010,1030) kg; in the first item of the
 * Radiopharmaceutical Information Sequence (0054,0016): Radionuclide Total Dose (0018,1074)
 * Bq, Radionuclide Half Life (0018,1075) s, the injection time Radiopharmaceutical Start
 * DateTime (0018,1078), else Radiopharmaceutical Start Time (0018,1072) on the Series Date;
 * Decay Correction (0054,1102): START — decayed to the series start (Series Date/Time
 * (0008,0021/0031); when a scanner rewrote the series time after the acquisition, as GE's
 * do, the acquisition is earlier and GE's private scan DateTime (0009,100D) under creator
 * "GEMS_PETD_01" is used, the vendor-neutral rule of the QIBA/UPICT SUV pseudo-code),
 * ADMIN — no decay, NONE — decayed to each slice's Acquisition Date/Time (0008,0022/0032).
 * When the injection time is missing, GE's private administration DateTime (0009,103B)
 * is used.  Any other missing tag is an error that names it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dicom.h"

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int digits(const char *s, int n, long *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        *v = *v * 10 + (s[i] - '0');
    }
    return 1;
}

/* DA "YYYYMMDD" (also "YYYY.MM.DD") to seconds since the epoch. */
static int parse_da(const char *s, double *t)
{
    long y, m, d;
    char b[9];
    size_t k = 0;
    for (const char *p = s; *p && k < 8; p++)
        if (*p != '.' && *p != '-') b[k++] = *p;
    b[k] = 0;
    if (k != 8 || !digits(b, 4, &y) || !digits(b + 4, 2, &m) || !digits(b + 6, 2, &d) || m < 1 ||
        m > 12 || d < 1 || d > 31)
        return 0;
    *t = 86400.0 * (double)days_from_civil(y, m, d);
    return 1;
}

/* TM "HHMMSS.FFFFFF" (minutes, seconds and fraction optional; also "HH:MM:SS") to seconds. */
static int parse_tm(const char *s, double *t)
{
    char b[32];
    size_t k = 0;
    const char *p = s;
    for (; *p && *p != '.' && k < 6; p++)
        if (*p != ':') b[k++] = *p;
    if (k < 2 || k % 2) return 0;
    long h = 0, m = 0, sec = 0;
    if (!digits(b, 2, &h) || (k >= 4 && !digits(b + 2, 2, &m)) ||
        (k >= 6 && !digits(b + 4, 2, &sec)))
        return 0;
    if (h > 23 || m > 59 || sec > 60) return 0;
    double frac = 0;
    if (*p == '.') {
        double scale = 0.1;
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10) frac += (*p - '0') * scale;
    }
    if (*p && *p != ' ') return 0;
    *t = (double)(h * 3600 + m * 60 + sec) + frac;
    return 1;
}

/* DT "YYYYMMDDHHMMSS.FFFFFF" (a UTC offset "&ZZXX" is ignored: both times of a difference
 * come from one scanner). */
static int parse_dt(const char *s, double *t)
{
    char da[9], tm[32];
    size_t n = strcspn(s, "+-");
    if (n < 10 || n - 8 >= sizeof tm) return 0;
    memcpy(da, s, 8), da[8] = 0;
    memcpy(tm, s + 8, n - 8), tm[n - 8] = 0;
    double a, b;
    if (!parse_da(da, &a) || !parse_tm(tm, &b)) return 0;
    *t = a + b;
    return 1;
}

/* Date + time of two tags: 1 and *t when both parse; 0 when either is absent; -1 bad. */
static int date_time(const dcm_set_t *ds, uint32_t date, uint32_t time, double *t)
{
    char d[40], h[40];
    if (!dcm_str(ds, date, d, sizeof d) || !dcm_str(ds, time, h, sizeof h)) return 0;
    double a, b;
    if (!parse_da(d, &a) || !parse_tm(h, &b)) return -1;
    *t = a + b;
    return 1;
}

static int private_block(const dcm_set_t *ds, uint32_t creator_tag, const char *creator)
{
    char c[80];
    return dcm_str(ds, creator_tag, c, sizeof c) && !strcmp(c, creator);
}

static rgx_err missing(const dcm_set_t *ds, const char *what)
{
    return rgx_fail(RGX_ERR_INPUT, "%s: PET SUV needs %s", dcm_name(ds->file), what);
}

/* The injection time. */
static rgx_err injection_time(const dcm_set_t *ds, const dcm_set_t *rp, double *t)
{
    char s[40];
    if (dcm_str(rp, DCM_TAG(0x18, 0x1078), s, sizeof s)) {
        if (parse_dt(s, t)) return RGX_OK;
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: Radiopharmaceutical Start DateTime (0018,1078) '%s' "
                        "is not a date and time",
                        dcm_name(ds->file), s);
    }
    double day;
    char d[40];
    if (dcm_str(rp, DCM_TAG(0x18, 0x1072), s, sizeof s) &&
        dcm_str(ds, DCM_TAG(0x08, 0x21), d, sizeof d)) {
        if (parse_tm(s, t) && parse_da(d, &day)) {
            *t += day;
            return RGX_OK;
        }
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: Radiopharmaceutical Start Time (0018,1072) '%s' on "
                        "Series Date '%s' is not a date and time",
                        dcm_name(ds->file), s, d);
    }
    if (private_block(ds, DCM_TAG(0x09, 0x10), "GEMS_PETD_01") &&
        dcm_str(ds, DCM_TAG(0x09, 0x103B), s, sizeof s) && parse_dt(s, t))
        return RGX_OK;
    return missing(ds, "the injection time: Radiopharmaceutical Start DateTime (0018,1078) or "
                       "Start Time (0018,1072) with Series Date (0008,0021), in the "
                       "Radiopharmaceutical Information Sequence (0054,0016)");
}

/* The time the image's activity is decay-corrected to (decay START or NONE). */
static rgx_err reference_time(const dcm_set_t *ds, const char *decay, double *t)
{
    double series, acq;
    int hs = date_time(ds, DCM_TAG(0x08, 0x21), DCM_TAG(0x08, 0x31), &series);
    int ha = date_time(ds, DCM_TAG(0x08, 0x22), DCM_TAG(0x08, 0x32), &acq);
    if (hs < 0 || ha < 0)
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: Series or Acquisition Date/Time is not a date and "
                        "time",
                        dcm_name(ds->file));
    if (!strcmp(decay, "NONE")) {
        if (ha <= 0)
            return missing(ds, "Acquisition Date and Time (0008,0022/0032) (Decay "
                               "Correction NONE)");
        *t = acq;
        return RGX_OK;
    }
    if (hs <= 0)
        return missing(ds, "Series Date and Time (0008,0021/0031) (Decay Correction START)");
    *t = series;
    if (ha > 0 && acq < series) { /* the series time was rewritten after the scan */
        char s[40];
        if (private_block(ds, DCM_TAG(0x09, 0x10), "GEMS_PETD_01") &&
            dcm_str(ds, DCM_TAG(0x09, 0x100D), s, sizeof s) && parse_dt(s, t))
            return RGX_OK;
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: the Acquisition Time precedes the Series Time, so the "
                        "series start is unknown (no GE scan DateTime (0009,100D)); PET SUV needs "
                        "it",
                        dcm_name(ds->file));
    }
    return RGX_OK;
}

rgx_err dicom_pet_suv_factor(const dcm_set_t *ds, double *factor)
{
    char units[32], decay[32];
    const char *name = dcm_name(ds->file);
    *factor = 1;
    if (!dcm_str(ds, DCM_TAG(0x54, 0x1001), units, sizeof units))
        return missing(ds, "Units (0054,1001)");
    if (!strcmp(units, "GML")) return RGX_OK; /* already SUV body weight */
    if (!strcmp(units, "CNTS")) {
        double ssf;
        if (private_block(ds, DCM_TAG(0x7053, 0x10), "Philips PET Private Group") &&
            dcm_num(ds, DCM_TAG(0x7053, 0x1000), &ssf) > 0 && ssf > 0) {
            *factor = ssf;
            return RGX_OK;
        }
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: PET Units CNTS without Philips' SUV Scale Factor "
                        "(7053,1000): cannot convert counts to SUV",
                        name);
    }
    if (strcmp(units, "BQML"))
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: PET Units (0054,1001) '%s'; radiogx converts BQML to "
                        "SUV body weight (and takes GML as it is)",
                        name, units);
    double weight = 0, dose = 0, half = 0, inj, ref;
    if (dcm_num(ds, DCM_TAG(0x10, 0x1030), &weight) <= 0 || !(weight > 0))
        return missing(ds, "Patient's Weight (0010,1030) (absent, empty or 0)");
    const dcm_set_t *rp = dcm_item(ds, DCM_TAG(0x54, 0x16));
    if (!rp) return missing(ds, "the Radiopharmaceutical Information Sequence (0054,0016)");
    if (dcm_num(rp, DCM_TAG(0x18, 0x1074), &dose) <= 0 || !(dose > 0))
        return missing(ds, "Radionuclide Total Dose (0018,1074) (absent, empty or 0)");
    if (dcm_num(rp, DCM_TAG(0x18, 0x1075), &half) <= 0 || !(half > 0))
        return missing(ds, "Radionuclide Half Life (0018,1075) (absent, empty or 0)");
    if (!dcm_str(ds, DCM_TAG(0x54, 0x1102), decay, sizeof decay))
        return missing(ds, "Decay Correction (0054,1102)");
    rgx_err err = RGX_OK;
    double decayed = dose;
    if (!strcmp(decay, "START") || !strcmp(decay, "NONE")) {
        if ((err = injection_time(ds, rp, &inj)) || (err = reference_time(ds, decay, &ref)))
            return err;
        double dt = ref - inj;
        if (dt < 0 && dt > -86400) dt += 86400; /* injected before midnight, scanned after */
        if (dt < 0 || dt > 7 * 86400)
            return rgx_fail(RGX_ERR_INPUT,
                            "%s: %.0f s from injection to the decay reference "
                            "time: the PET times are not plausible",
                            name, dt);
        decayed = dose * exp(-M_LN2 * dt / half);
    } else if (strcmp(decay, "ADMIN")) {
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: Decay Correction (0054,1102) '%s'; expected START, "
                        "ADMIN or NONE",
                        name, decay);
    }
    *factor = weight * 1000.0 / decayed;
    return RGX_OK;
}
