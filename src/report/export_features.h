/* export_features.h — /features of a run file as a TSV table (features.tsv). */
#ifndef RGX_EXPORT_FEATURES_H
#define RGX_EXPORT_FEATURES_H

#include "err.h"

/* One row per patient: patient_id, sample_id, site, status (ok | failed | no_genotypes),
 * then every feature column by name; NA for NaN; numbers with 17 significant digits so that
 * the doubles read back exactly.  Written under a temporary name, renamed when complete
 * (outfile.h); mode 0640. */
rgx_err export_features_tsv(const char *run_path, const char *out_path);

#endif
