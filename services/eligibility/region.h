/*  region: a region's configuration and its eligibility rule set as data,
    loaded from the JSON files in a directory (KW_REGION_DIR, default
    deploy/regions), one region a file. A file is an object with these keys:
      "id"                  region id, [a-z0-9_-], 1-32 characters, unique
                            across files (required)
      "name"                the service's name for people (required)
      "time_zone"           IANA zone for "today" and ages (required)
      "gp_prefixes"         GP practice code prefixes, letters and digits
                            (required when a gp_practice criterion is used)
      "postcode_districts"  outward codes such as "NR2" (required when a
                            postcode_in_region criterion is used)
      "dsr_referral_ratings" DSR ratings that make a DSR entry due for a
                            referral (optional, default red, amber, blue)
      "upper_age"           {"years", "extended_years", "extended_when"}:
                            the service ends on this birthday; the extension
                            (both or neither) applies when the flag is true
                            (required)
      "transition"          {"notice_days"}: how long before the upper age
                            the move to adult services is due to be planned,
                            0-730 (optional, default 180)
      "reviews"             {"interval_days"}: routine review interval,
                            7-730 (optional, default 182)
      "ruleset"             {"id", "version", "description", "rule"}
                            (required; description optional)
      "comment"             free text, ignored (optional)
      "assignment"          the assignment service's settings, an object it
                            reads and checks (services/assignment/settings.h);
                            not read here (optional)
    A rule is an object with "id" ([a-z0-9_], unique in the rule set),
    "description" (non-empty) and exactly one of:
      "all": [rule, ...]    met when every rule is met (1-16 rules)
      "any": [rule, ...]    met when one rule is met (1-16 rules)
      "not": rule           met when the rule is not met
      "criterion": kind     a leaf, with the kind's own keys:
        "age_under"              "years" (1-130); optional "extended_years"
                                 (above years) with "extended_when" (a flag)
        "flag"                   "field": one of the flags below
        "gp_practice"            the practice code starts with a gp_prefix
        "postcode_in_region"     the postcode's district is listed
        "professionals"          "at_least" (1-50), "agencies_at_least" (1-50)
        "dsr_rating"             "ratings": ["red", "amber", "green", "blue"]
    Flags: child.in_complex_needs_school, needs.complex_health_needs,
    needs.high_level_of_need, needs.learning_disability, needs.autism,
    needs.inpatient. Rules nest at most 8 deep, 64 rules in all.
    Any other key, a wrong type or range, or a missing required key rejects
    the file; the error names the file, the path inside it (such as
    ruleset.rule.all[1].any[0].field) and the problem. */
#ifndef ELIGIBILITY_REGION_H
#define ELIGIBILITY_REGION_H

#include <stddef.h>

#define REGION_MAX_DEPTH 8
#define REGION_MAX_RULES 64
#define REGION_MAX_CHILDREN 16

typedef enum {
    RULE_ALL = 1,
    RULE_ANY,
    RULE_NOT,
    RULE_AGE_UNDER,
    RULE_FLAG,
    RULE_GP_PRACTICE,
    RULE_POSTCODE_IN_REGION,
    RULE_PROFESSIONALS,
    RULE_DSR_RATING
} rule_kind_t;

typedef enum {
    FLAG_NONE = 0,
    FLAG_IN_COMPLEX_NEEDS_SCHOOL,
    FLAG_COMPLEX_HEALTH_NEEDS,
    FLAG_HIGH_LEVEL_OF_NEED,
    FLAG_LEARNING_DISABILITY,
    FLAG_AUTISM,
    FLAG_INPATIENT
} region_flag_t;

typedef struct _rule_t rule_t;
struct _rule_t {
    rule_kind_t kind;
    char *id;
    char *description;
    rule_t **children;              //  all, any: 1 or more; not: exactly 1
    size_t child_count;
    unsigned years;                 //  age_under
    unsigned extended_years;        //  age_under: 0 when there is no extension
    region_flag_t extended_when;    //  age_under
    region_flag_t field;            //  flag
    unsigned at_least;              //  professionals
    unsigned agencies_at_least;     //  professionals
    char **ratings;                 //  dsr_rating
    size_t rating_count;
};

typedef struct {
    char *id;
    unsigned version;
    char *description;              //  "" when not given
    rule_t *rule;
} ruleset_t;

typedef struct {
    char *id;
    char *name;
    char *time_zone;
    char **gp_prefixes;
    size_t gp_prefix_count;
    char **postcode_districts;      //  upper case
    size_t postcode_district_count;
    char **dsr_referral_ratings;
    size_t dsr_referral_rating_count;
    unsigned upper_age;
    unsigned upper_age_extended;    //  0 when there is no extension
    region_flag_t upper_age_extended_when;
    unsigned transition_notice_days;
    unsigned review_interval_days;
    ruleset_t ruleset;
} region_t;

typedef struct _region_set_t region_set_t;

//  Parse and validate one region from text (len bytes); path names it in
//  errors. NULL with the reason in err.
region_t *region_parse (const char *text, size_t len, const char *path, char *err, size_t err_size);
//  Load and validate one region file. NULL with the reason in err.
region_t *region_load_file (const char *path, char *err, size_t err_size);
void region_destroy (region_t **self_p);

//  Load every *.json file in dir (at least one). NULL with the reason in err.
region_set_t *region_set_load (const char *dir, char *err, size_t err_size);
void region_set_destroy (region_set_t **self_p);
//  The region with this id, or NULL.
const region_t *region_set_find (const region_set_t *self, const char *id);
size_t region_set_count (const region_set_t *self);
//  The index-th region (file name order).
const region_t *region_set_at (const region_set_t *self, size_t index);

//  The field path of a flag ("needs.autism"), or NULL for FLAG_NONE.
const char *region_flag_path (region_flag_t flag);
//  The flag with this field path, or FLAG_NONE.
region_flag_t region_flag_from_path (const char *path);
//  The kind's name as written in files: "all", ..., "age_under", ...
const char *region_rule_kind_name (rule_kind_t kind);

#endif
