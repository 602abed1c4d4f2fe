/*  region: the eligibility rule set of each region, loaded from the JSON
    files in a directory (KW_REGION_DIR, default deploy/regions), one region
    a file. A file is an object with exactly these keys:
      "region"       region name, [a-z0-9_-], unique across files (required)
      "name"         rule set name, reported in decisions (required)
      "rules"        which rules apply: "norfolk" or "nhse" (required)
      "version"      rule set version, integer >= 1 (required)
      "time_zone"    IANA zone for "today" at decision time (required)
      "gp_prefixes"  GP practice code prefixes, non-empty (norfolk only, required)
      "dsr_ratings"  DSR ratings that count as risk, non-empty (nhse only, required)
      "criteria"     [{"id", "description"}], exactly the ids of the rules:
                     norfolk: age, gp, need, professionals;
                     nhse: age, ld_or_autism, risk (required)
      "comment"      free text, ignored (optional)
    Any other key, a wrong type or a missing required key rejects the file,
    and the error names the file and the field. */
#ifndef ELIGIBILITY_REGION_H
#define ELIGIBILITY_REGION_H

#include <stddef.h>

typedef enum {
    REGION_RULES_NORFOLK = 1,
    REGION_RULES_NHSE = 2
} region_rules_t;

typedef struct {
    char *id;
    char *description;
} region_criterion_t;

typedef struct {
    char *region;
    char *name;
    region_rules_t rules;
    unsigned version;
    char *time_zone;
    char **gp_prefixes;
    size_t gp_prefix_count;
    char **dsr_ratings;
    size_t dsr_rating_count;
    region_criterion_t *criteria;   //  in file order
    size_t criterion_count;
} region_t;

typedef struct _region_set_t region_set_t;

//  Load and validate one region file. NULL with the reason in err.
region_t *region_load_file (const char *path, char *err, size_t err_size);
void region_destroy (region_t **self_p);

//  Load every *.json file in dir (at least one). NULL with the reason in err.
region_set_t *region_set_load (const char *dir, char *err, size_t err_size);
void region_set_destroy (region_set_t **self_p);
//  The region named name, or NULL.
const region_t *region_set_find (const region_set_t *self, const char *name);
size_t region_set_count (const region_set_t *self);
//  The index-th region (file name order).
const region_t *region_set_at (const region_set_t *self, size_t index);

//  The description of criterion id in region, or NULL.
const char *region_criterion_description (const region_t *self, const char *id);
//  The rules' name: "norfolk" or "nhse".
const char *region_rules_name (region_rules_t rules);

#endif
