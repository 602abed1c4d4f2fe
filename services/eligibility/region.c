/*  region: loading and strict validation of the region rule set files
    (schema in region.h). */
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "region.h"

struct _region_set_t {
    region_t **regions;
    size_t count;
};

//  The criterion ids each kind of rules decides, NULL-terminated.
static const char *const s_norfolk_ids [] = { "age", "gp", "need", "professionals", NULL };
static const char *const s_nhse_ids [] = { "age", "ld_or_autism", "risk", NULL };

static const char *const s_keys [] = {
    "comment", "region", "name", "rules", "version", "time_zone",
    "gp_prefixes", "dsr_ratings", "criteria", NULL
};

static int
s_fail (char *err, size_t err_size, const char *path, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));

static int
s_fail (char *err, size_t err_size, const char *path, const char *field, const char *fmt, ...)
{
    char reason [256];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (reason, sizeof reason, fmt, ap);
    va_end (ap);
    if (field)
        snprintf (err, err_size, "%s: field \"%s\": %s", path, field, reason);
    else
        snprintf (err, err_size, "%s: %s", path, reason);
    return -1;
}

static int
s_in_list (const char *s, const char *const *list)
{
    for (size_t i = 0; list [i]; i++)
        if (strcmp (s, list [i]) == 0)
            return 1;
    return 0;
}

const char *
region_rules_name (region_rules_t rules)
{
    switch (rules) {
        case REGION_RULES_NORFOLK: return "norfolk";
        case REGION_RULES_NHSE: return "nhse";
        default: return "unknown";
    }
}

//  A required non-empty string member; copied into *out.
static int
s_string (json_t *root, const char *key, char **out, const char *path, char *err, size_t err_size)
{
    json_t *value = json_object_get (root, key);
    if (!value)
        return s_fail (err, err_size, path, key, "is required");
    if (!json_is_string (value) || json_string_length (value) == 0)
        return s_fail (err, err_size, path, key, "must be a non-empty string");
    *out = strdup (json_string_value (value));
    return 0;
}

//  A required non-empty array of distinct non-empty strings.
static int
s_string_list (json_t *root, const char *key, char ***out, size_t *count,
               const char *path, char *err, size_t err_size)
{
    json_t *array = json_object_get (root, key);
    if (!array)
        return s_fail (err, err_size, path, key, "is required for these rules");
    if (!json_is_array (array) || json_array_size (array) == 0)
        return s_fail (err, err_size, path, key, "must be a non-empty array of strings");
    size_t n = json_array_size (array);
    *out = calloc (n, sizeof (char *));
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get (array, i);
        if (!json_is_string (item) || json_string_length (item) == 0)
            return s_fail (err, err_size, path, key, "item %zu must be a non-empty string", i);
        for (size_t j = 0; j < *count; j++)
            if (strcasecmp ((*out) [j], json_string_value (item)) == 0)
                return s_fail (err, err_size, path, key, "item %zu is a duplicate", i);
        (*out) [(*count)++] = strdup (json_string_value (item));
    }
    return 0;
}

static int
s_criteria (json_t *root, region_t *self, const char *path, char *err, size_t err_size)
{
    const char *const *ids = self->rules == REGION_RULES_NORFOLK ? s_norfolk_ids : s_nhse_ids;
    json_t *array = json_object_get (root, "criteria");
    if (!array)
        return s_fail (err, err_size, path, "criteria", "is required");
    if (!json_is_array (array))
        return s_fail (err, err_size, path, "criteria", "must be an array");
    size_t n = json_array_size (array);
    self->criteria = calloc (n ? n : 1, sizeof (region_criterion_t));
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get (array, i);
        char field [64];
        if (!json_is_object (item))
            return s_fail (err, err_size, path, "criteria", "item %zu must be an object", i);
        const char *key;
        json_t *value;
        json_object_foreach (item, key, value) {
            if (strcmp (key, "id") != 0 && strcmp (key, "description") != 0) {
                snprintf (field, sizeof field, "criteria[%zu].%.32s", i, key);
                return s_fail (err, err_size, path, field, "unknown key");
            }
        }
        region_criterion_t *criterion = &self->criteria [self->criterion_count++];
        snprintf (field, sizeof field, "criteria[%zu].id", i);
        json_t *id = json_object_get (item, "id");
        if (!json_is_string (id))
            return s_fail (err, err_size, path, field, "must be a string");
        if (!s_in_list (json_string_value (id), ids))
            return s_fail (err, err_size, path, field, "\"%.32s\" is not a criterion of the %s rules",
                           json_string_value (id), region_rules_name (self->rules));
        for (size_t j = 0; j + 1 < self->criterion_count; j++)
            if (strcmp (self->criteria [j].id, json_string_value (id)) == 0)
                return s_fail (err, err_size, path, field, "\"%.32s\" is a duplicate",
                               json_string_value (id));
        criterion->id = strdup (json_string_value (id));
        snprintf (field, sizeof field, "criteria[%zu].description", i);
        if (s_string (item, "description", &criterion->description, path, err, err_size) != 0)
            return s_fail (err, err_size, path, field, "must be a non-empty string");
    }
    for (size_t i = 0; ids [i]; i++)
        if (!region_criterion_description (self, ids [i]))
            return s_fail (err, err_size, path, "criteria", "criterion \"%s\" is missing", ids [i]);
    return 0;
}

static int
s_parse (json_t *root, region_t *self, const char *path, char *err, size_t err_size)
{
    if (!json_is_object (root))
        return s_fail (err, err_size, path, NULL, "must hold a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach (root, key, value) {
        if (!s_in_list (key, s_keys))
            return s_fail (err, err_size, path, key, "unknown key");
    }
    json_t *comment = json_object_get (root, "comment");
    if (comment && !json_is_string (comment))
        return s_fail (err, err_size, path, "comment", "must be a string");

    if (s_string (root, "region", &self->region, path, err, err_size) != 0)
        return -1;
    for (const char *p = self->region; *p; p++)
        if (!(islower ((unsigned char) *p) || isdigit ((unsigned char) *p) || *p == '_' || *p == '-'))
            return s_fail (err, err_size, path, "region", "must be lower-case letters, digits, _ or -");
    if (s_string (root, "name", &self->name, path, err, err_size) != 0)
        return -1;

    char *rules = NULL;
    if (s_string (root, "rules", &rules, path, err, err_size) != 0)
        return -1;
    if (strcmp (rules, "norfolk") == 0)
        self->rules = REGION_RULES_NORFOLK;
    else
    if (strcmp (rules, "nhse") == 0)
        self->rules = REGION_RULES_NHSE;
    free (rules);
    if (!self->rules)
        return s_fail (err, err_size, path, "rules", "must be \"norfolk\" or \"nhse\"");

    json_t *version = json_object_get (root, "version");
    if (!version)
        return s_fail (err, err_size, path, "version", "is required");
    if (!json_is_integer (version) || json_integer_value (version) < 1
    ||  json_integer_value (version) > 1000000)
        return s_fail (err, err_size, path, "version", "must be an integer from 1");
    self->version = (unsigned) json_integer_value (version);

    if (s_string (root, "time_zone", &self->time_zone, path, err, err_size) != 0)
        return -1;

    if (self->rules == REGION_RULES_NORFOLK) {
        if (json_object_get (root, "dsr_ratings"))
            return s_fail (err, err_size, path, "dsr_ratings", "does not apply to the norfolk rules");
        if (s_string_list (root, "gp_prefixes", &self->gp_prefixes, &self->gp_prefix_count,
                           path, err, err_size) != 0)
            return -1;
    }
    else {
        if (json_object_get (root, "gp_prefixes"))
            return s_fail (err, err_size, path, "gp_prefixes", "does not apply to the nhse rules");
        if (s_string_list (root, "dsr_ratings", &self->dsr_ratings, &self->dsr_rating_count,
                           path, err, err_size) != 0)
            return -1;
    }
    return s_criteria (root, self, path, err, err_size);
}

region_t *
region_load_file (const char *path, char *err, size_t err_size)
{
    json_error_t jerr;
    json_t *root = json_load_file (path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        s_fail (err, err_size, path, NULL, "line %d: %s", jerr.line, jerr.text);
        return NULL;
    }
    region_t *self = calloc (1, sizeof (region_t));
    int rc = s_parse (root, self, path, err, err_size);
    json_decref (root);
    if (rc != 0)
        region_destroy (&self);
    return self;
}

static void
s_free_list (char **list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free (list [i]);
    free (list);
}

void
region_destroy (region_t **self_p)
{
    region_t *self = *self_p;
    if (!self)
        return;
    free (self->region);
    free (self->name);
    free (self->time_zone);
    //  After a failure lists are partly filled: the counts say how far.
    s_free_list (self->gp_prefixes, self->gp_prefix_count);
    s_free_list (self->dsr_ratings, self->dsr_rating_count);
    for (size_t i = 0; i < self->criterion_count; i++) {
        free (self->criteria [i].id);
        free (self->criteria [i].description);
    }
    free (self->criteria);
    free (self);
    *self_p = NULL;
}

const char *
region_criterion_description (const region_t *self, const char *id)
{
    for (size_t i = 0; i < self->criterion_count; i++)
        if (self->criteria [i].id && strcmp (self->criteria [i].id, id) == 0)
            return self->criteria [i].description;
    return NULL;
}

static int
s_compare_names (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

//  The *.json file names in dir, sorted. -1 when the directory cannot be read.
static int
s_list (const char *dir, char ***names, size_t *count)
{
    DIR *d = opendir (dir);
    if (!d)
        return -1;
    size_t capacity = 8;
    *names = malloc (capacity * sizeof (char *));
    *count = 0;
    struct dirent *entry;
    while ((entry = readdir (d))) {
        size_t len = strlen (entry->d_name);
        if (entry->d_name [0] == '.' || len <= 5 || strcmp (entry->d_name + len - 5, ".json") != 0)
            continue;
        if (*count == capacity) {
            capacity *= 2;
            *names = realloc (*names, capacity * sizeof (char *));
        }
        (*names) [(*count)++] = strdup (entry->d_name);
    }
    closedir (d);
    qsort (*names, *count, sizeof (char *), s_compare_names);
    return 0;
}

region_set_t *
region_set_load (const char *dir, char *err, size_t err_size)
{
    char **names = NULL;
    size_t count = 0;
    if (s_list (dir, &names, &count) != 0) {
        snprintf (err, err_size, "%s: cannot read the region directory", dir);
        return NULL;
    }
    region_set_t *self = calloc (1, sizeof (region_set_t));
    self->regions = calloc (count ? count : 1, sizeof (region_t *));
    int failed = 0;
    if (count == 0) {
        snprintf (err, err_size, "%s: no *.json region files", dir);
        failed = 1;
    }
    for (size_t i = 0; i < count && !failed; i++) {
        char path [4096];
        snprintf (path, sizeof path, "%s/%s", dir, names [i]);
        region_t *region = region_load_file (path, err, err_size);
        if (!region) {
            failed = 1;
            break;
        }
        if (region_set_find (self, region->region)) {
            s_fail (err, err_size, path, "region", "\"%s\" is defined by another file", region->region);
            region_destroy (&region);
            failed = 1;
            break;
        }
        self->regions [self->count++] = region;
    }
    s_free_list (names, count);
    if (failed)
        region_set_destroy (&self);
    return self;
}

void
region_set_destroy (region_set_t **self_p)
{
    region_set_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++)
        region_destroy (&self->regions [i]);
    free (self->regions);
    free (self);
    *self_p = NULL;
}

const region_t *
region_set_find (const region_set_t *self, const char *name)
{
    if (!self || !name)
        return NULL;
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->regions [i]->region, name) == 0)
            return self->regions [i];
    return NULL;
}

size_t
region_set_count (const region_set_t *self)
{
    return self ? self->count : 0;
}

const region_t *
region_set_at (const region_set_t *self, size_t index)
{
    return self && index < self->count ? self->regions [index] : NULL;
}
