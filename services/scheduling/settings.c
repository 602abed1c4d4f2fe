/*  settings: reading the region files' scheduling settings and their
    public holidays (settings.h), with the strict readers of kw_jread. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_jread.h"
#include "settings.h"
#include "zone.h"

#define MAX_FILE_SIZE (1024 * 1024)
#define MAX_REGIONS 256
#define SECTION "scheduling"

struct _settings_t {
    settings_region_t *regions;
    size_t count;
};

static int
s_day_cmp (const void *a, const void *b)
{
    int32_t x = *(const int32_t *) a, y = *(const int32_t *) b;
    return x < y ? -1 : x > y;
}

int
settings_parse_holidays (const char *text, size_t len, int32_t *days, size_t max, char *err, size_t size)
{
    size_t count = 0, line = 0;
    for (size_t at = 0; at < len; ) {
        const char *nl = memchr (text + at, '\n', len - at);
        size_t end = nl ? (size_t) (nl - text) : len;
        const char *s = text + at;
        size_t n = end - at;
        line++;
        at = end + 1;
        while (n && (s [n - 1] == '\r' || s [n - 1] == ' ' || s [n - 1] == '\t'))
            n--;
        if (n == 0 || s [0] == '#')
            continue;
        char date [11];
        if (n < 10 || (n > 10 && s [10] != ' ' && s [10] != '\t')) {
            snprintf (err, size, "line %zu: must start with a date YYYY-MM-DD", line);
            return -1;
        }
        memcpy (date, s, 10);
        date [10] = 0;
        for (size_t i = 0; i < n; i++)
            if (s [i] == 0 || (iscntrl ((unsigned char) s [i]) && s [i] != '\t')) {
                snprintf (err, size, "line %zu: holds a control character", line);
                return -1;
            }
        if (zone_parse_date (date, &days [count < max ? count : 0]) != 0) {
            snprintf (err, size, "line %zu: %s is not a date", line, date);
            return -1;
        }
        if (count == max) {
            snprintf (err, size, "line %zu: more than %zu holidays", line, max);
            return -1;
        }
        count++;
    }
    qsort (days, count, sizeof *days, s_day_cmp);
    return (int) count;
}

//  The region's holidays file <dir>/<name>.holidays into out.
static int
s_holidays (kw_jread_t *r, const char *dir, const char *name, settings_region_t *out)
{
    for (const char *p = name; *p; p++)
        if (!isalnum ((unsigned char) *p) && *p != '-' && *p != '_')
            return kw_jread_fail (r, SECTION ".holidays", "must be a file name of letters, digits, - and _");
    char path [4096], *text = NULL, problem [256];
    size_t len = 0;
    snprintf (path, sizeof path, "%s/%s.holidays", dir, name);
    if (kw_jread_file (path, MAX_FILE_SIZE, &text, &len, problem, sizeof problem) != 0)
        return kw_jread_fail (r, SECTION ".holidays", "%s", problem);
    int count = settings_parse_holidays (text, len, out->holidays, SETTINGS_MAX_HOLIDAYS, problem,
                                         sizeof problem);
    free (text);
    if (count < 0)
        return kw_jread_fail (r, SECTION ".holidays", "%s.holidays: %s", name, problem);
    out->holiday_count = (size_t) count;
    return 0;
}

//  A string member copied into buf (left alone when absent).
static int
s_copy (kw_jread_t *r, json_t *object, const char *at, const char *key, int required, char *buf, size_t size)
{
    char *value = NULL;
    int rc = kw_jread_string (r, object, at, key, required, 0, &value);
    if (rc == 0 && value) {
        if (strlen (value) >= size)
            rc = kw_jread_fail (r, key, "is longer than %zu bytes", size - 1);
        else
            memcpy (buf, value, strlen (value) + 1);
    }
    free (value);
    return rc;
}

int
settings_parse (const char *text, size_t len, const char *file, const char *dir, settings_region_t *out,
                char *err, size_t size)
{
    static const char *const keys [] = {
        "comment", "holidays", "buffer_minutes", "fold_window_days", "cetr_interval_days",
        "cetr_admission_working_days", "organizer", NULL
    };
    static const char *const organizer_keys [] = { "name", "email", NULL };
    memset (out, 0, sizeof *out);
    snprintf (out->time_zone, sizeof out->time_zone, "Europe/London");
    kw_jread_t r = { .file = file, .err = err, .err_size = size };
    json_t *root = kw_jread_parse (&r, text, len);
    if (!root)
        return -1;
    json_t *reviews = NULL, *section = NULL, *organizer = NULL;
    char *holidays = NULL;
    int rc = -1;
    if (!json_is_object (root))
        kw_jread_fail (&r, NULL, "must be a JSON object");
    else
    if (s_copy (&r, root, "", "id", 1, out->id, sizeof out->id) == 0
    &&  s_copy (&r, root, "", "time_zone", 0, out->time_zone, sizeof out->time_zone) == 0
    &&  ((out->zone = zone_find (out->time_zone)) || kw_jread_fail (&r, "time_zone", "is not a known zone") == 0)
    &&  ((reviews = json_object_get (root, "reviews")), 1)
    &&  kw_jread_uint (&r, json_is_object (reviews) ? reviews : NULL, "reviews", "interval_days", 7, 730, 0,
                       182, &out->review_interval_days) == 0
    &&  kw_jread_object (&r, root, "", SECTION, 0, keys, &section) == 0
    &&  kw_jread_uint (&r, section, SECTION, "buffer_minutes", 0, 240, 0, 15, &out->buffer_minutes) == 0
    &&  kw_jread_uint (&r, section, SECTION, "fold_window_days", 0, 180, 0, 28, &out->fold_window_days) == 0
    &&  kw_jread_uint (&r, section, SECTION, "cetr_interval_days", 7, 730, 0, 91, &out->cetr_interval_days) == 0
    &&  kw_jread_uint (&r, section, SECTION, "cetr_admission_working_days", 1, 60, 0, 5,
                       &out->cetr_admission_working_days) == 0
    &&  kw_jread_string (&r, section, SECTION, "holidays", 0, 0, &holidays) == 0
    &&  (!holidays || s_holidays (&r, dir, holidays, out) == 0)
    &&  kw_jread_object (&r, section, SECTION, "organizer", 0, organizer_keys, &organizer) == 0
    &&  (!organizer
         || (s_copy (&r, organizer, SECTION ".organizer", "name", 0, out->organizer_name,
                     sizeof out->organizer_name) == 0
             && s_copy (&r, organizer, SECTION ".organizer", "email", 0, out->organizer_email,
                        sizeof out->organizer_email) == 0)))
        rc = 0;
    if (!*out->organizer_email)
        snprintf (out->organizer_email, sizeof out->organizer_email, "scheduling@%s.invalid", out->id);
    if (!*out->organizer_name)
        snprintf (out->organizer_name, sizeof out->organizer_name, "Key worker service coordinator");
    free (holidays);
    json_decref (root);
    return rc;
}

settings_t *
settings_load (const char *dir, char *err, size_t size)
{
    settings_t *self = calloc (1, sizeof *self);
    DIR *d = self ? opendir (dir) : NULL;
    if (!d) {
        snprintf (err, size, "%s: cannot read the region directory: %s", dir, strerror (errno));
        free (self);
        return NULL;
    }
    self->regions = calloc (MAX_REGIONS, sizeof *self->regions);
    int failed = !self->regions;
    struct dirent *entry;
    while (!failed && (entry = readdir (d)) && self->count < MAX_REGIONS) {
        size_t len = strlen (entry->d_name);
        if (entry->d_name [0] == '.' || len <= 5 || strcmp (entry->d_name + len - 5, ".json") != 0)
            continue;
        char path [4096], *text = NULL;
        size_t text_len = 0;
        snprintf (path, sizeof path, "%s/%s", dir, entry->d_name);
        failed = kw_jread_file (path, MAX_FILE_SIZE, &text, &text_len, err, size) != 0
              || settings_parse (text, text_len, path, dir, &self->regions [self->count], err, size) != 0;
        free (text);
        self->count += !failed;
    }
    closedir (d);
    if (failed)
        settings_destroy (&self);
    return self;
}

void
settings_destroy (settings_t **self_p)
{
    if (*self_p) {
        free ((*self_p)->regions);
        free (*self_p);
        *self_p = NULL;
    }
}

size_t
settings_count (const settings_t *self)
{
    return self ? self->count : 0;
}

const settings_region_t *
settings_at (const settings_t *self, size_t i)
{
    return self && i < self->count ? &self->regions [i] : NULL;
}

const settings_region_t *
settings_region (const settings_t *self, const char *id)
{
    for (size_t i = 0; self && id && i < self->count; i++)
        if (strcmp (self->regions [i].id, id) == 0)
            return &self->regions [i];
    return NULL;
}

int
settings_is_holiday (const settings_region_t *region, int32_t day)
{
    return bsearch (&day, region->holidays, region->holiday_count, sizeof day, s_day_cmp) != NULL;
}
