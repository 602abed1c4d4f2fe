/*  region: the region files (schema in region.h): validating one into a
    region_t with its rule tree, with the strict readers of kw_jread (every
    error names the file, the field's path in it and the problem), and the
    set of regions in a directory. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_jread.h"
#include "region.h"

#define MAX_FILE_SIZE (1024 * 1024)
#define MAX_ID_LENGTH 32

struct _region_set_t {
    region_t **regions;
    size_t count;
};

//  One parse: the reader (its file and error), and the rules read so far.
typedef struct {
    kw_jread_t r;
    const region_t *region;             //  its lists are read before the rule set
    const char *rule_ids [REGION_MAX_RULES];
    size_t rule_count;
} parse_t;

static const char *const s_region_keys [] = {
    "comment", "id", "name", "time_zone", "gp_prefixes", "postcode_districts",
    "dsr_referral_ratings", "upper_age", "transition", "reviews", "ruleset", NULL
};
//  The sections other services own and read themselves: accepted as
//  objects, never read here.
static const char *const s_other_sections [] = { "assignment", "scheduling", "notification", NULL };
static const char *const s_upper_age_keys [] = { "years", "extended_years", "extended_when", NULL };
static const char *const s_transition_keys [] = { "notice_days", NULL };
static const char *const s_reviews_keys [] = { "interval_days", NULL };
static const char *const s_ruleset_keys [] = { "id", "version", "description", "rule", NULL };
static const char *const s_default_ratings [] = { "red", "amber", "blue", NULL };
static const char *const s_ratings [] = { "red", "amber", "green", "blue", NULL };

static const struct {
    region_flag_t flag;
    const char *path;
} s_flags [] = {
    { FLAG_IN_COMPLEX_NEEDS_SCHOOL, "child.in_complex_needs_school" },
    { FLAG_COMPLEX_HEALTH_NEEDS, "needs.complex_health_needs" },
    { FLAG_HIGH_LEVEL_OF_NEED, "needs.high_level_of_need" },
    { FLAG_LEARNING_DISABILITY, "needs.learning_disability" },
    { FLAG_AUTISM, "needs.autism" },
    { FLAG_INPATIENT, "needs.inpatient" }
};
#define FLAG_COUNT (sizeof s_flags / sizeof s_flags [0])

//  Each kind as written in files and the keys it allows besides "id",
//  "description" and its own key (its name for all, any and not;
//  "criterion" for a leaf). The composites come first.
static const struct {
    rule_kind_t kind;
    const char *name;
    const char *const keys [4];
} s_kinds [] = {
    { RULE_ALL, "all", { NULL } },
    { RULE_ANY, "any", { NULL } },
    { RULE_NOT, "not", { NULL } },
    { RULE_AGE_UNDER, "age_under", { "years", "extended_years", "extended_when", NULL } },
    { RULE_FLAG, "flag", { "field", NULL } },
    { RULE_GP_PRACTICE, "gp_practice", { NULL } },
    { RULE_POSTCODE_IN_REGION, "postcode_in_region", { NULL } },
    { RULE_PROFESSIONALS, "professionals", { "at_least", "agencies_at_least", NULL } },
    { RULE_DSR_RATING, "dsr_rating", { "ratings", NULL } }
};
#define KIND_COUNT (sizeof s_kinds / sizeof s_kinds [0])
#define COMPOSITE_COUNT 3
static const char *const s_kind_keys [] = { "all", "any", "not", "criterion", NULL };

static int
s_is_upper (char c)
{
    return c >= 'A' && c <= 'Z';
}

static int
s_is_digit (char c)
{
    return c >= '0' && c <= '9';
}

//  ASCII only: the locale must not change what a file means.
static char
s_upper (char c)
{
    return c >= 'a' && c <= 'z' ? (char) (c - 'a' + 'A') : c;
}

//  A required id: 1-32 of [a-z0-9_], and - when hyphen.
static int
s_id (parse_t *p, json_t *object, const char *at, int hyphen, char **out)
{
    if (kw_jread_string (&p->r, object, at, "id", 1, 1, out) != 0)
        return -1;
    size_t length = strlen (*out);
    int valid = length >= 1 && length <= MAX_ID_LENGTH;
    for (const char *c = *out; *c && valid; c++)
        valid = (*c >= 'a' && *c <= 'z') || s_is_digit (*c) || *c == '_' || (hyphen && *c == '-');
    char field [KW_JREAD_PATH_SIZE], cut [KW_JREAD_CUT_SIZE];
    if (!valid)
        return kw_jread_fail (&p->r, kw_jread_at (field, at, "id"), "\"%s\" must be 1 to %d characters of a-z, 0-9%s",
                       kw_jread_cut (cut, *out), MAX_ID_LENGTH, hyphen ? ", _ and -" : " and _");
    return 0;
}

//  A required member naming a flag.
static int
s_flag (parse_t *p, json_t *object, const char *at, const char *key, region_flag_t *out)
{
    char field [KW_JREAD_PATH_SIZE], cut [KW_JREAD_CUT_SIZE];
    json_t *value = json_object_get (object, key);
    if (!value)
        return kw_jread_fail (&p->r, kw_jread_at (field, at, key), "is required");
    if (!json_is_string (value))
        return kw_jread_fail (&p->r, kw_jread_at (field, at, key), "must be a string naming a flag");
    *out = region_flag_from_path (json_string_value (value));
    if (*out == FLAG_NONE)
        return kw_jread_fail (&p->r, kw_jread_at (field, at, key), "\"%s\" is not a flag", kw_jread_cut (cut, json_string_value (value)));
    return 0;
}

//  An age limit ("years", optional "extended_years" with "extended_when"),
//  of upper_age or of an age_under rule.
static int
s_age (parse_t *p, json_t *object, const char *at, unsigned *years, unsigned *extended,
       region_flag_t *when)
{
    if (kw_jread_uint (&p->r, object, at, "years", 1, 130, 1, 0, years) != 0)
        return -1;
    char field [KW_JREAD_PATH_SIZE];
    json_t *value = json_object_get (object, "extended_years");
    int has_when = json_object_get (object, "extended_when") != NULL;
    if (!value && !has_when)
        return 0;
    if (!value)
        return kw_jread_fail (&p->r, kw_jread_at (field, at, "extended_years"), "is required with \"extended_when\"");
    if (!has_when)
        return kw_jread_fail (&p->r, kw_jread_at (field, at, "extended_when"), "is required with \"extended_years\"");
    if (!json_is_integer (value)
    ||  json_integer_value (value) <= (json_int_t) *years || json_integer_value (value) > 130)
        return kw_jread_fail (&p->r, kw_jread_at (field, at, "extended_years"),
                       "must be an integer above years (%u) and at most 130", *years);
    *extended = (unsigned) json_integer_value (value);
    return s_flag (p, object, at, "extended_when", when);
}

static const char *
s_gp_prefix (char *item)
{
    size_t length = 0;
    for (; item [length]; length++) {
        item [length] = s_upper (item [length]);
        if (!s_is_upper (item [length]) && !s_is_digit (item [length]))
            break;
    }
    return length >= 1 && length <= 6 && !item [length] ? NULL : "must be 1 to 6 letters or digits";
}

//  An outward code: 1-2 letters, a digit, then an optional digit or letter.
static const char *
s_district (char *item)
{
    for (char *c = item; *c; c++)
        *c = s_upper (*c);
    size_t i = 0;
    while (i < 2 && s_is_upper (item [i]))
        i++;
    int valid = i >= 1 && s_is_digit (item [i]);
    if (valid && (s_is_digit (item [i + 1]) || s_is_upper (item [i + 1])))
        i++;
    return valid && !item [i + 1] ? NULL : "is not a postcode district (such as NR2 or EC1A)";
}

static const char *
s_rating (char *item)
{
    return kw_jread_in_list (item, s_ratings) ? NULL : "is not a rating (red, amber, green or blue)";
}

//  Copy the NULL-terminated list source into *out.
static int
s_copy_list (parse_t *p, const char *field, const char *const *source, char ***out, size_t *count)
{
    size_t n = 0;
    while (source [n])
        n++;
    if (!(*out = calloc (n, sizeof (char *))))
        return kw_jread_oom (&p->r, field);
    for (*count = 0; *count < n; (*count)++)
        if (!((*out) [*count] = strdup (source [*count])))
            return kw_jread_oom (&p->r, field);
    return 0;
}

static int s_rule (parse_t *p, json_t *node, const char *at, unsigned depth, rule_t **out);

//  The rules of an all or any rule at, whose array is under key.
static int
s_children (parse_t *p, json_t *array, const char *at, const char *key, unsigned depth, rule_t *self)
{
    char field [KW_JREAD_PATH_SIZE], child [KW_JREAD_PATH_SIZE];
    kw_jread_at (field, at, key);
    size_t n = json_array_size (array);
    if (!json_is_array (array) || n == 0 || n > REGION_MAX_CHILDREN)
        return kw_jread_fail (&p->r, field, "must be an array of 1 to %d rules", REGION_MAX_CHILDREN);
    if (!(self->children = calloc (n, sizeof (rule_t *))))
        return kw_jread_oom (&p->r, field);
    for (size_t i = 0; i < n; i++)
        if (s_rule (p, json_array_get (array, i), kw_jread_at_index (child, field, i), depth + 1,
                    &self->children [self->child_count++]) != 0)
            return -1;
    return 0;
}

//  The index in s_kinds of the rule at, from its one kind key.
static int
s_kind (parse_t *p, json_t *node, const char *at, size_t *kind)
{
    const char *given [4];
    size_t count = 0;
    for (size_t i = 0; s_kind_keys [i]; i++)
        if (json_object_get (node, s_kind_keys [i]))
            given [count++] = s_kind_keys [i];
    if (count == 0)
        return kw_jread_fail (&p->r, at, "needs one of \"all\", \"any\", \"not\" or \"criterion\"");
    if (count > 1) {
        char list [64] = "";
        for (size_t i = 0; i < count; i++)
            snprintf (list + strlen (list), sizeof list - strlen (list), "%s\"%s\"",
                      i == 0 ? "" : i + 1 < count ? ", " : " and ", given [i]);
        return kw_jread_fail (&p->r, at, "has %s: a rule has only one of all, any, not and criterion", list);
    }
    for (size_t i = 0; i < COMPOSITE_COUNT; i++)
        if (strcmp (given [0], s_kinds [i].name) == 0) {
            *kind = i;
            return 0;
        }
    char field [KW_JREAD_PATH_SIZE], cut [KW_JREAD_CUT_SIZE];
    json_t *value = json_object_get (node, "criterion");
    if (!json_is_string (value))
        return kw_jread_fail (&p->r, kw_jread_at (field, at, "criterion"), "must be a string naming a criterion kind");
    for (size_t i = COMPOSITE_COUNT; i < KIND_COUNT; i++)
        if (strcmp (json_string_value (value), s_kinds [i].name) == 0) {
            *kind = i;
            return 0;
        }
    return kw_jread_fail (&p->r, kw_jread_at (field, at, "criterion"), "\"%s\" is not a criterion kind",
                   kw_jread_cut (cut, json_string_value (value)));
}

//  A leaf's own keys.
static int
s_leaf (parse_t *p, json_t *node, const char *at, rule_t *self)
{
    const region_t *region = p->region;
    switch (self->kind) {
        case RULE_AGE_UNDER:
            return s_age (p, node, at, &self->years, &self->extended_years, &self->extended_when);
        case RULE_FLAG:
            return s_flag (p, node, at, "field", &self->field);
        case RULE_GP_PRACTICE:
            if (!region->gp_prefix_count)
                return kw_jread_fail (&p->r, at, "a gp_practice criterion needs the region's \"gp_prefixes\"");
            return 0;
        case RULE_POSTCODE_IN_REGION:
            if (!region->postcode_district_count)
                return kw_jread_fail (&p->r, at, "a postcode_in_region criterion needs the region's \"postcode_districts\"");
            return 0;
        case RULE_PROFESSIONALS:
            if (kw_jread_uint (&p->r, node, at, "at_least", 1, 50, 1, 0, &self->at_least) != 0)
                return -1;
            return kw_jread_uint (&p->r, node, at, "agencies_at_least", 1, 50, 1, 0, &self->agencies_at_least);
        case RULE_DSR_RATING:
            return kw_jread_list (&p->r, node, at, "ratings", 1, s_rating, &self->ratings, &self->rating_count);
        default:
            return kw_jread_fail (&p->r, at, "is not a criterion");
    }
}

//  The rule at, depth deep (the root is 1), into *out, which holds what
//  was built even on failure.
static int
s_rule (parse_t *p, json_t *node, const char *at, unsigned depth, rule_t **out)
{
    rule_t *self = *out = calloc (1, sizeof (rule_t));
    if (!self)
        return kw_jread_oom (&p->r, at);
    if (!json_is_object (node))
        return kw_jread_fail (&p->r, at, "must be a rule object");
    if (depth > REGION_MAX_DEPTH)
        return kw_jread_fail (&p->r, at, "rules nest more than %d deep", REGION_MAX_DEPTH);
    if (p->rule_count == REGION_MAX_RULES)
        return kw_jread_fail (&p->r, at, "the rule set has more than %d rules", REGION_MAX_RULES);
    size_t kind = 0;
    if (s_kind (p, node, at, &kind) != 0)
        return -1;
    const char *own [] = { "id", "description", kind < COMPOSITE_COUNT ? s_kinds [kind].name : "criterion", NULL };
    if (kw_jread_keys (&p->r, node, at, own, s_kinds [kind].keys) != 0
    ||  s_id (p, node, at, 0, &self->id) != 0)
        return -1;
    char field [KW_JREAD_PATH_SIZE];
    for (size_t i = 0; i < p->rule_count; i++)
        if (strcmp (p->rule_ids [i], self->id) == 0)
            return kw_jread_fail (&p->r, kw_jread_at (field, at, "id"), "\"%s\" is the id of another rule", self->id);
    p->rule_ids [p->rule_count++] = self->id;
    if (kw_jread_string (&p->r, node, at, "description", 1, 0, &self->description) != 0)
        return -1;
    self->kind = s_kinds [kind].kind;
    json_t *value = json_object_get (node, s_kinds [kind].name);
    if (self->kind == RULE_ALL || self->kind == RULE_ANY)
        return s_children (p, value, at, s_kinds [kind].name, depth, self);
    if (self->kind == RULE_NOT) {
        if (!(self->children = calloc (1, sizeof (rule_t *))))
            return kw_jread_oom (&p->r, at);
        self->child_count = 1;
        return s_rule (p, value, kw_jread_at (field, at, "not"), depth + 1, &self->children [0]);
    }
    return s_leaf (p, node, at, self);
}

static int
s_ruleset (parse_t *p, json_t *root, ruleset_t *ruleset)
{
    json_t *object;
    if (kw_jread_object (&p->r, root, "", "ruleset", 1, s_ruleset_keys, &object) != 0
    ||  s_id (p, object, "ruleset", 1, &ruleset->id) != 0
    ||  kw_jread_uint (&p->r, object, "ruleset", "version", 1, 1000000, 1, 0, &ruleset->version) != 0
    ||  kw_jread_string (&p->r, object, "ruleset", "description", 0, 1, &ruleset->description) != 0)
        return -1;
    if (!ruleset->description && !(ruleset->description = strdup ("")))
        return kw_jread_oom (&p->r, "ruleset.description");
    json_t *rule = json_object_get (object, "rule");
    if (!rule)
        return kw_jread_fail (&p->r, "ruleset.rule", "is required");
    return s_rule (p, rule, "ruleset.rule", 1, &ruleset->rule);
}

//  Each section another service owns, when present, is an object.
static int
s_other (parse_t *p, json_t *root)
{
    for (size_t i = 0; s_other_sections [i]; i++) {
        json_t *section = json_object_get (root, s_other_sections [i]);
        if (section && !json_is_object (section))
            return kw_jread_fail (&p->r, s_other_sections [i], "must be an object");
    }
    return 0;
}

static int
s_parse (parse_t *p, json_t *root, region_t *self)
{
    if (!json_is_object (root))
        return kw_jread_fail (&p->r, NULL, "must hold a JSON object");
    json_t *upper_age, *transition, *reviews;
    if (kw_jread_keys (&p->r, root, "", s_region_keys, s_other_sections) != 0
    ||  s_other (p, root) != 0
    ||  kw_jread_string (&p->r, root, "", "comment", 0, 1, NULL) != 0
    ||  s_id (p, root, "", 1, &self->id) != 0
    ||  kw_jread_string (&p->r, root, "", "name", 1, 0, &self->name) != 0
    ||  kw_jread_string (&p->r, root, "", "time_zone", 1, 0, &self->time_zone) != 0
    ||  kw_jread_list (&p->r, root, "", "gp_prefixes", 0, s_gp_prefix,
                &self->gp_prefixes, &self->gp_prefix_count) != 0
    ||  kw_jread_list (&p->r, root, "", "postcode_districts", 0, s_district,
                &self->postcode_districts, &self->postcode_district_count) != 0
    ||  kw_jread_list (&p->r, root, "", "dsr_referral_ratings", 0, s_rating,
                &self->dsr_referral_ratings, &self->dsr_referral_rating_count) != 0
    ||  kw_jread_object (&p->r, root, "", "upper_age", 1, s_upper_age_keys, &upper_age) != 0
    ||  s_age (p, upper_age, "upper_age", &self->upper_age, &self->upper_age_extended,
               &self->upper_age_extended_when) != 0
    ||  kw_jread_object (&p->r, root, "", "transition", 0, s_transition_keys, &transition) != 0
    ||  kw_jread_uint (&p->r, transition, "transition", "notice_days", 0, 730, 0, 180,
                &self->transition_notice_days) != 0
    ||  kw_jread_object (&p->r, root, "", "reviews", 0, s_reviews_keys, &reviews) != 0
    ||  kw_jread_uint (&p->r, reviews, "reviews", "interval_days", 7, 730, 0, 182,
                &self->review_interval_days) != 0)
        return -1;
    if (!self->dsr_referral_ratings
    &&  s_copy_list (p, "dsr_referral_ratings", s_default_ratings,
                     &self->dsr_referral_ratings, &self->dsr_referral_rating_count) != 0)
        return -1;
    return s_ruleset (p, root, &self->ruleset);
}

region_t *
region_parse (const char *text, size_t len, const char *path, char *err, size_t err_size)
{
    parse_t parse = { .r = { .file = path ? path : "(region)", .err = err, .err_size = err_size } };
    json_t *root = kw_jread_parse (&parse.r, text, len);
    if (!root)
        return NULL;
    region_t *self = calloc (1, sizeof (region_t));
    parse.region = self;
    int rc = self ? s_parse (&parse, root, self) : kw_jread_oom (&parse.r, NULL);
    json_decref (root);
    if (rc != 0)
        region_destroy (&self);
    return self;
}

region_t *
region_load_file (const char *path, char *err, size_t err_size)
{
    char *text;
    size_t len;
    if (kw_jread_file (path, MAX_FILE_SIZE, &text, &len, err, err_size) != 0)
        return NULL;
    region_t *self = region_parse (text, len, path, err, err_size);
    free (text);
    return self;
}

//  Bounded by the depth limit, which even a partly built tree keeps.
static void
s_rule_destroy (rule_t **self_p)
{
    rule_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->child_count; i++)
        s_rule_destroy (&self->children [i]);
    free (self->children);
    free (self->id);
    free (self->description);
    kw_jread_free_list (self->ratings, self->rating_count);
    free (self);
    *self_p = NULL;
}

void
region_destroy (region_t **self_p)
{
    region_t *self = *self_p;
    if (!self)
        return;
    free (self->id);
    free (self->name);
    free (self->time_zone);
    //  After a failure lists are partly filled: the counts say how far.
    kw_jread_free_list (self->gp_prefixes, self->gp_prefix_count);
    kw_jread_free_list (self->postcode_districts, self->postcode_district_count);
    kw_jread_free_list (self->dsr_referral_ratings, self->dsr_referral_rating_count);
    free (self->ruleset.id);
    free (self->ruleset.description);
    s_rule_destroy (&self->ruleset.rule);
    free (self);
    *self_p = NULL;
}

static int
s_compare_names (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

//  The *.json file names in dir, sorted. -1 with errno when the directory
//  cannot be read.
static int
s_list_dir (const char *dir, char ***names, size_t *count)
{
    DIR *d = opendir (dir);
    if (!d)
        return -1;
    size_t capacity = 8;
    *names = malloc (capacity * sizeof (char *));
    *count = 0;
    int rc = *names ? 0 : -1;
    struct dirent *entry;
    while (rc == 0 && (entry = readdir (d))) {
        size_t len = strlen (entry->d_name);
        if (entry->d_name [0] == '.' || len <= 5 || strcmp (entry->d_name + len - 5, ".json") != 0)
            continue;
        if (*count == capacity) {
            char **bigger = realloc (*names, capacity * 2 * sizeof (char *));
            if (!bigger) {
                rc = -1;
                break;
            }
            *names = bigger;
            capacity *= 2;
        }
        if (!((*names) [*count] = strdup (entry->d_name)))
            rc = -1;
        else
            (*count)++;
    }
    closedir (d);
    if (rc == 0)
        qsort (*names, *count, sizeof (char *), s_compare_names);
    else {
        kw_jread_free_list (*names, *count);
        *names = NULL;
        *count = 0;
        errno = ENOMEM;
    }
    return rc;
}

region_set_t *
region_set_load (const char *dir, char *err, size_t err_size)
{
    char **names = NULL;
    size_t count = 0;
    if (s_list_dir (dir, &names, &count) != 0) {
        snprintf (err, err_size, "%s: cannot read the region directory: %s", dir, strerror (errno));
        return NULL;
    }
    region_set_t *self = calloc (1, sizeof (region_set_t));
    int failed = !self || !(self->regions = calloc (count ? count : 1, sizeof (region_t *)));
    if (failed)
        snprintf (err, err_size, "%s: out of memory", dir);
    else
    if (count == 0) {
        snprintf (err, err_size, "%s: no *.json region files", dir);
        failed = 1;
    }
    for (size_t i = 0; i < count && !failed; i++) {
        char path [4096];
        if (snprintf (path, sizeof path, "%s/%s", dir, names [i]) >= (int) sizeof path) {
            snprintf (err, err_size, "%s: path too long", dir);
            failed = 1;
            break;
        }
        region_t *region = region_load_file (path, err, err_size);
        if (!region) {
            failed = 1;
            break;
        }
        for (size_t j = 0; j < self->count; j++)
            if (strcmp (self->regions [j]->id, region->id) == 0) {
                kw_jread_t reader = { .file = path, .err = err, .err_size = err_size };
                kw_jread_fail (&reader, "id", "\"%s\" is defined by another file, %s", region->id,
                               names [j]);
                failed = 1;
            }
        if (failed)
            region_destroy (&region);
        else
            self->regions [self->count++] = region;
    }
    kw_jread_free_list (names, count);
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
region_set_find (const region_set_t *self, const char *id)
{
    if (!self || !id)
        return NULL;
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->regions [i]->id, id) == 0)
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

const char *
region_flag_path (region_flag_t flag)
{
    for (size_t i = 0; i < FLAG_COUNT; i++)
        if (s_flags [i].flag == flag)
            return s_flags [i].path;
    return NULL;
}

region_flag_t
region_flag_from_path (const char *path)
{
    for (size_t i = 0; path && i < FLAG_COUNT; i++)
        if (strcmp (s_flags [i].path, path) == 0)
            return s_flags [i].flag;
    return FLAG_NONE;
}

const char *
region_rule_kind_name (rule_kind_t kind)
{
    for (size_t i = 0; i < KIND_COUNT; i++)
        if (s_kinds [i].kind == kind)
            return s_kinds [i].name;
    return NULL;
}
