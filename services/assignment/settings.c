/*  settings: reading the assignment section of the region files (schema in
    settings.h) with the strict readers of kw_jread. Errors name the file,
    the field's path and the problem. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_jread.h"
#include "settings.h"

#define MAX_FILE_SIZE (1024 * 1024)
#define SECTION "assignment"

const settings_region_t settings_defaults = {
    .id = "", .time_zone = "Europe/London",
    .offer_ttl_seconds = 72 * 3600, .refusals_before_waiting = 3,
    .long_absence_seconds = 28 * 86400,
    .weights = RANK_DEFAULT_WEIGHTS
};

struct _settings_t {
    settings_region_t *regions;
    size_t count;
};

int
settings_duration (const char *text, long *seconds)
{
    static const struct { char unit; long seconds; } units [] = {
        { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }
    };
    size_t len = text ? strlen (text) : 0;
    if (len < 2 || len > 8)
        return -1;
    long n = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (text [i] < '0' || text [i] > '9')
            return -1;
        n = n * 10 + (text [i] - '0');
    }
    for (size_t i = 0; i < sizeof units / sizeof units [0]; i++)
        if (units [i].unit == text [len - 1]) {
            *seconds = n * units [i].seconds;
            return 0;
        }
    return -1;
}

//  A duration member of the section, within [min, max] seconds, into *out
//  (left alone when absent).
static int
s_duration (kw_jread_t *r, json_t *section, const char *key, long min, long max, long *out)
{
    json_t *value = json_object_get (section, key);
    if (!value)
        return 0;
    char path [KW_JREAD_PATH_SIZE];
    kw_jread_at (path, SECTION, key);
    long seconds;
    if (!json_is_string (value) || settings_duration (json_string_value (value), &seconds) != 0)
        return kw_jread_fail (r, path, "must be a duration: a whole number and s, m, h or d, such as \"72h\"");
    if (seconds < min || seconds > max)
        return kw_jread_fail (r, path, "must be from %lds to %ldd", min, max / 86400);
    *out = seconds;
    return 0;
}

static int
s_weights (kw_jread_t *r, json_t *section, rank_weights_t *w)
{
    static const char *const keys [] = {
        "suggested", "continuity", "discipline", "locality", "language", "capacity", NULL
    };
    json_t *weights;
    if (kw_jread_object (r, section, SECTION, "weights", 0, keys, &weights) != 0)
        return -1;
    int *slots [] = { &w->suggested, &w->continuity, &w->discipline, &w->locality, &w->language,
                      &w->capacity };
    for (size_t i = 0; weights && keys [i]; i++) {
        unsigned value;
        if (kw_jread_uint (r, weights, SECTION ".weights", keys [i], 0, 1000, 0, (unsigned) *slots [i],
                           &value) != 0)
            return -1;
        *slots [i] = (int) value;
    }
    return 0;
}

//  A required non-empty string member of root into buf (size bytes).
static int
s_string (kw_jread_t *r, json_t *root, const char *key, char *buf, size_t size)
{
    char *value = NULL;
    int rc = kw_jread_string (r, root, "", key, 1, 0, &value);
    if (rc == 0 && strlen (value) >= size)
        rc = kw_jread_fail (r, key, "is longer than %zu characters", size - 1);
    if (rc == 0)
        memcpy (buf, value, strlen (value) + 1);
    free (value);
    return rc;
}

int
settings_parse (const char *text, size_t len, const char *file, settings_region_t *out,
                char *err, size_t size)
{
    static const char *const keys [] = {
        "comment", "offer_ttl", "refusals_before_waiting", "long_absence", "weights", NULL
    };
    *out = settings_defaults;
    kw_jread_t r = { .file = file, .err = err, .err_size = size };
    json_t *root = kw_jread_parse (&r, text, len);
    if (!root)
        return -1;
    json_t *section = NULL;
    int rc = -1;
    if (!json_is_object (root))
        kw_jread_fail (&r, NULL, "must be a JSON object");
    else
    if (s_string (&r, root, "id", out->id, sizeof out->id) == 0
    &&  s_string (&r, root, "time_zone", out->time_zone, sizeof out->time_zone) == 0
    &&  kw_jread_object (&r, root, "", SECTION, 0, keys, &section) == 0
    &&  (!section
         || (kw_jread_string (&r, section, SECTION, "comment", 0, 1, NULL) == 0
             && s_duration (&r, section, "offer_ttl", 1, 90L * 86400, &out->offer_ttl_seconds) == 0
             && kw_jread_uint (&r, section, SECTION, "refusals_before_waiting", 1, 50, 0,
                               out->refusals_before_waiting, &out->refusals_before_waiting) == 0
             && s_duration (&r, section, "long_absence", 3600, 365L * 86400, &out->long_absence_seconds) == 0
             && s_weights (&r, section, &out->weights) == 0)))
        rc = 0;
    json_decref (root);
    return rc;
}

//  Read and parse one file.
static int
s_load_file (const char *path, settings_region_t *out, char *err, size_t size)
{
    char *text = NULL;
    size_t len = 0;
    int rc = kw_jread_file (path, MAX_FILE_SIZE, &text, &len, err, size);
    if (rc == 0)
        rc = settings_parse (text, len, path, out, err, size);
    free (text);
    return rc;
}

static int
s_compare_names (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

settings_t *
settings_load (const char *dir, char *err, size_t size)
{
    DIR *d = opendir (dir);
    if (!d) {
        snprintf (err, size, "%s: cannot read the region directory: %s", dir, strerror (errno));
        return NULL;
    }
    char *names [256];
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir (d)) && count < sizeof names / sizeof names [0]) {
        size_t len = strlen (entry->d_name);
        if (entry->d_name [0] != '.' && len > 5 && strcmp (entry->d_name + len - 5, ".json") == 0)
            if ((names [count] = strdup (entry->d_name)))
                count++;
    }
    closedir (d);
    qsort (names, count, sizeof names [0], s_compare_names);
    settings_t *self = calloc (1, sizeof *self);
    int failed = !self || !(self->regions = calloc (count ? count : 1, sizeof *self->regions));
    if (failed)
        snprintf (err, size, "%s: out of memory", dir);
    else
    if (count == 0) {
        snprintf (err, size, "%s: no *.json region files", dir);
        failed = 1;
    }
    for (size_t i = 0; i < count && !failed; i++) {
        char path [4096];
        snprintf (path, sizeof path, "%s/%s", dir, names [i]);
        settings_region_t *region = &self->regions [self->count];
        failed = s_load_file (path, region, err, size) != 0;
        for (size_t j = 0; j < self->count && !failed; j++)
            if (strcmp (self->regions [j].id, region->id) == 0)
                failed = snprintf (err, size, "%s: field \"id\": \"%s\" is defined by another file, %s",
                                   path, region->id, names [j]) != 0;
        if (!failed)
            self->count++;
    }
    for (size_t i = 0; i < count; i++)
        free (names [i]);
    if (failed)
        settings_destroy (&self);
    return self;
}

void
settings_destroy (settings_t **self_p)
{
    settings_t *self = *self_p;
    if (!self)
        return;
    free (self->regions);
    free (self);
    *self_p = NULL;
}

const settings_region_t *
settings_for (const settings_t *self, const char *region)
{
    for (size_t i = 0; self && region && i < self->count; i++)
        if (strcmp (self->regions [i].id, region) == 0)
            return &self->regions [i];
    return &settings_defaults;
}

size_t
settings_count (const settings_t *self)
{
    return self ? self->count : 0;
}
