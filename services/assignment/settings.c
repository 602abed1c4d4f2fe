/*  settings: reading the assignment section of the region files (schema in
    settings.h). Errors name the file, the field's path and the problem. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
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

static int
s_fail (char *err, size_t size, const char *file, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));

//  "<file>: field "<field>": <problem>"; always -1.
static int
s_fail (char *err, size_t size, const char *file, const char *field, const char *fmt, ...)
{
    char reason [256];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (reason, sizeof reason, fmt, ap);
    va_end (ap);
    if (field)
        snprintf (err, size, "%s: field \"%s\": %s", file, field, reason);
    else
        snprintf (err, size, "%s: %s", file, reason);
    return -1;
}

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

//  A duration member of section, within [min, max] seconds, into *out.
static int
s_duration (json_t *section, const char *key, long min, long max, const char *file,
            long *out, char *err, size_t size)
{
    json_t *value = json_object_get (section, key);
    char field [64];
    snprintf (field, sizeof field, SECTION ".%s", key);
    if (!value)
        return 0;
    long seconds;
    if (!json_is_string (value) || settings_duration (json_string_value (value), &seconds) != 0)
        return s_fail (err, size, file, field,
                       "must be a duration: a whole number and s, m, h or d, such as \"72h\"");
    if (seconds < min || seconds > max)
        return s_fail (err, size, file, field, "must be from %lds to %ldd", min, max / 86400);
    *out = seconds;
    return 0;
}

//  An integer member of object (at path) within [min, max], into *out.
static int
s_int (json_t *object, const char *path, const char *key, long min, long max, const char *file,
       int *out, char *err, size_t size)
{
    json_t *value = json_object_get (object, key);
    char field [64];
    snprintf (field, sizeof field, "%s.%s", path, key);
    if (!value)
        return 0;
    if (!json_is_integer (value) || json_integer_value (value) < min || json_integer_value (value) > max)
        return s_fail (err, size, file, field, "must be an integer from %ld to %ld", min, max);
    *out = (int) json_integer_value (value);
    return 0;
}

//  Every key of object (at path) must be one of keys.
static int
s_keys (json_t *object, const char *path, const char *const *keys, const char *file,
        char *err, size_t size)
{
    const char *key;
    json_t *value;
    json_object_foreach (object, key, value) {
        int known = 0;
        for (size_t i = 0; keys [i] && !known; i++)
            known = strcmp (key, keys [i]) == 0;
        if (!known) {
            char field [128];
            snprintf (field, sizeof field, "%s.%.32s", path, key);
            return s_fail (err, size, file, field, "unknown key");
        }
    }
    return 0;
}

static int
s_weights (json_t *section, const char *file, rank_weights_t *w, char *err, size_t size)
{
    static const char *const keys [] = {
        "suggested", "continuity", "discipline", "locality", "language", "capacity", NULL
    };
    const char *path = SECTION ".weights";
    json_t *weights = json_object_get (section, "weights");
    if (!weights)
        return 0;
    if (!json_is_object (weights))
        return s_fail (err, size, file, path, "must be an object");
    int *slots [] = { &w->suggested, &w->continuity, &w->discipline, &w->locality, &w->language,
                      &w->capacity };
    if (s_keys (weights, path, keys, file, err, size) != 0)
        return -1;
    for (size_t i = 0; keys [i]; i++)
        if (s_int (weights, path, keys [i], 0, 1000, file, slots [i], err, size) != 0)
            return -1;
    return 0;
}

//  A required string member of root into buf (size bytes).
static int
s_string (json_t *root, const char *key, const char *file, char *buf, size_t buf_size,
          char *err, size_t size)
{
    json_t *value = json_object_get (root, key);
    if (!value)
        return s_fail (err, size, file, key, "is required");
    if (!json_is_string (value) || !*json_string_value (value))
        return s_fail (err, size, file, key, "must be a non-empty string");
    if (json_string_length (value) >= buf_size)
        return s_fail (err, size, file, key, "is longer than %zu characters", buf_size - 1);
    memcpy (buf, json_string_value (value), json_string_length (value) + 1);
    return 0;
}

int
settings_parse (const char *text, size_t len, const char *file, settings_region_t *out,
                char *err, size_t size)
{
    static const char *const keys [] = {
        "comment", "offer_ttl", "refusals_before_waiting", "long_absence", "weights", NULL
    };
    *out = settings_defaults;
    json_error_t jerr;
    json_t *root = json_loadb (text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return s_fail (err, size, file, NULL, "not valid JSON at line %d, column %d: %s",
                       jerr.line, jerr.column, jerr.text);
    int rc = -1;
    json_t *section = json_object_get (root, SECTION);
    int refusals = (int) out->refusals_before_waiting;
    if (!json_is_object (root))
        s_fail (err, size, file, NULL, "must be a JSON object");
    else
    if (s_string (root, "id", file, out->id, sizeof out->id, err, size) == 0
    &&  s_string (root, "time_zone", file, out->time_zone, sizeof out->time_zone, err, size) == 0) {
        if (!section)
            rc = 0;
        else
        if (!json_is_object (section))
            s_fail (err, size, file, SECTION, "must be an object");
        else
        if (s_keys (section, SECTION, keys, file, err, size) == 0
        &&  s_duration (section, "offer_ttl", 1, 90L * 86400, file, &out->offer_ttl_seconds, err, size) == 0
        &&  s_int (section, SECTION, "refusals_before_waiting", 1, 50, file, &refusals, err, size) == 0
        &&  s_duration (section, "long_absence", 3600, 365L * 86400, file, &out->long_absence_seconds,
                        err, size) == 0
        &&  s_weights (section, file, &out->weights, err, size) == 0)
            rc = 0;
    }
    out->refusals_before_waiting = (unsigned) refusals;
    json_decref (root);
    return rc;
}

//  Read and parse one file.
static int
s_load_file (const char *path, settings_region_t *out, char *err, size_t size)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return s_fail (err, size, path, NULL, "cannot be read: %s", strerror (errno));
    char *text = malloc (MAX_FILE_SIZE + 1);
    size_t len = text ? fread (text, 1, MAX_FILE_SIZE + 1, f) : 0;
    int failed = ferror (f);
    fclose (f);
    int rc;
    if (!text)
        rc = s_fail (err, size, path, NULL, "out of memory");
    else
    if (failed)
        rc = s_fail (err, size, path, NULL, "cannot be read");
    else
    if (len > MAX_FILE_SIZE)
        rc = s_fail (err, size, path, NULL, "is larger than %d bytes", MAX_FILE_SIZE);
    else
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
                failed = s_fail (err, size, path, "id", "\"%s\" is defined by another file, %s",
                                 region->id, names [j]) != 0;
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
