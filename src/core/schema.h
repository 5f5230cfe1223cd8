/* schema.h — key tables of the config sections (see cfg.h). */
#ifndef RGX_SCHEMA_H
#define RGX_SCHEMA_H

#include "cfg.h"

extern const cfg_key_t schema_study[];   /* schema_study.c */
extern const cfg_key_t schema_extract[]; /* schema_extract.c */
extern const cfg_key_t schema_scan[];    /* schema_scan.c */
extern const cfg_key_t schema_dose[];    /* schema_dose.c */
extern const cfg_key_t schema_pca[];     /* schema_pca.c */
extern const cfg_key_t schema_filter[];  /* schema_filter.c: an item of extract's filters */
extern const cfg_key_t schema_harmonise[]; /* schema_harmonise.c */
/* schema_simulate.c: the options of `radiogx simulate`, and the only section of its -c file */
extern const cfg_key_t schema_simulate[];
extern const cfg_key_t schema_simulate_root[];

#endif
