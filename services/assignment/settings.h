/*  settings: each region's assignment settings, read from the region files
    (KW_REGION_DIR, one region a file, the schema of the rest in
    services/eligibility/region.h). The assignment service reads a file's
    "id", its "time_zone" and its optional "assignment" section, strictly:
      "assignment": {
        "offer_ttl"               how long an offer stays open: a whole
                                  number and a unit, s, m, h or d ("72h";
                                  1s to 90d, seconds for test regions;
                                  default 72h)
        "refusals_before_waiting" declined or lapsed offers in one round
                                  before the case waits for the
                                  coordinator (1-50, default 3)
        "long_absence"            an absence longer than this starts a
                                  replacement ("28d"; 1h to 365d; default 28d)
        "weights"                 the ranking's weights, each 0-1000:
                                  {"suggested", "continuity", "discipline",
                                   "locality", "language", "capacity"}
                                  (each optional; defaults in rank.c)
        "comment"                 free text, ignored
      }
    Other keys of the file belong to the eligibility service, which checks
    them. Any other key in the section, a wrong type or range rejects the
    file; the error names the file, the path inside it and the problem. A
    region without the section has the defaults. */
#ifndef ASSIGNMENT_SETTINGS_H
#define ASSIGNMENT_SETTINGS_H

#include <stddef.h>
#include "rank.h"

#define SETTINGS_ID_SIZE 33
#define SETTINGS_TZ_SIZE 64

typedef struct {
    char id [SETTINGS_ID_SIZE];
    char time_zone [SETTINGS_TZ_SIZE];
    long offer_ttl_seconds;
    unsigned refusals_before_waiting;
    long long_absence_seconds;
    rank_weights_t weights;
} settings_region_t;

//  The settings of a region without an assignment section.
extern const settings_region_t settings_defaults;

typedef struct _settings_t settings_t;

//  Read one region file's text (len bytes); file names it in errors. 0 with
//  out filled, or -1 with the reason in err.
int settings_parse (const char *text, size_t len, const char *file, settings_region_t *out,
                    char *err, size_t err_size);
//  Read every *.json file in dir (at least one). NULL with the reason in err.
settings_t *settings_load (const char *dir, char *err, size_t err_size);
void settings_destroy (settings_t **self_p);
//  The settings of region, or settings_defaults (time zone Europe/London)
//  for a region without a file.
const settings_region_t *settings_for (const settings_t *self, const char *region);
size_t settings_count (const settings_t *self);

//  Parse a duration ("72h", "30m", "10s", "28d") into seconds. 0 or -1.
int settings_duration (const char *text, long *seconds);

#endif
