/*  settings: the region files' parts the scheduling service reads: the
    time zone, reviews.interval_days and the "scheduling" section:
      "scheduling": {
        "holidays": "england-and-wales",    public holidays: <dir>/<name>.holidays
        "buffer_minutes": 15,               kept free around other meetings (0..240)
        "fold_window_days": 28,             reviews due this soon are folded into a booked meeting
        "cetr_interval_days": 91,           C(E)TR cadence while rated red, amber or blue
        "cetr_admission_working_days": 5,   the first C(E)TR after an admission, in working days
        "organizer": {"name": "...", "email": "..."}   the invitations' ORGANIZER
      }
    Every member is optional (the defaults above; no holidays without
    "holidays"). A holidays file holds one "YYYY-MM-DD title" a line; blank
    lines and lines starting with # are skipped. */
#ifndef SCHEDULING_SETTINGS_H
#define SCHEDULING_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#define SETTINGS_MAX_HOLIDAYS 512

typedef struct {
    char id [33];
    char time_zone [64];
    const void *zone;                   //  zone_find (time_zone)
    unsigned review_interval_days;
    unsigned buffer_minutes;
    unsigned fold_window_days;
    unsigned cetr_interval_days;
    unsigned cetr_admission_working_days;
    char organizer_name [128];
    char organizer_email [256];
    int32_t holidays [SETTINGS_MAX_HOLIDAYS];  //  days since 1970-01-01, ascending
    size_t holiday_count;
} settings_region_t;

typedef struct _settings_t settings_t;

//  Parse a holidays file's text into days (at most max, sorted). The count,
//  or -1 with "line N: problem" in err.
int settings_parse_holidays (const char *text, size_t len, int32_t *days, size_t max, char *err, size_t size);

//  Parse one region file's text (file names it in errors; dir is where its
//  holidays file is). 0, or -1 with err.
int settings_parse (const char *text, size_t len, const char *file, const char *dir, settings_region_t *out,
                    char *err, size_t size);

//  Every *.json region file of dir; NULL with err when any is wrong.
settings_t *settings_load (const char *dir, char *err, size_t size);
void settings_destroy (settings_t **self_p);
//  The number of regions, and the i-th.
size_t settings_count (const settings_t *self);
const settings_region_t *settings_at (const settings_t *self, size_t i);
//  The region's settings, or NULL when unknown.
const settings_region_t *settings_region (const settings_t *self, const char *id);
//  1 when day (days since 1970-01-01) is a public holiday of the region.
int settings_is_holiday (const settings_region_t *region, int32_t day);

#endif
