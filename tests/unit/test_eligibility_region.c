/*  Unit tests for the region loader (run from the repository root): the
    shipped regions (deploy/regions) and the fixture that uses every kind
    of rule (tests/fixtures/regions) read value by value; then one test per
    validation error, each a change to a valid base document made with
    jansson and parsed from a buffer of its exact size, checked against the
    whole error; then JSON syntax errors, the depth, width and count limits,
    and files and directories in a temporary directory of this process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <jansson.h>
#include "../../services/eligibility/region.h"
#include "tap.h"

#define MIB (1024 * 1024)

//  Single quotes stand for double quotes. Every kind of rule is here, at
//  the paths the cases below name.
static const char *s_base =
    "{'id': 'base', 'name': 'Base', 'time_zone': 'Europe/London',"
    " 'gp_prefixes': ['D82'], 'postcode_districts': ['NR2'],"
    " 'upper_age': {'years': 18, 'extended_years': 19, 'extended_when': 'child.in_complex_needs_school'},"
    " 'transition': {'notice_days': 90}, 'reviews': {'interval_days': 60},"
    " 'ruleset': {'id': 'base', 'version': 3, 'description': 'the base', 'rule':"
    "  {'id': 'root', 'description': 'd', 'all': ["
    "   {'id': 'age', 'description': 'd', 'criterion': 'age_under', 'years': 18,"
    "    'extended_years': 19, 'extended_when': 'child.in_complex_needs_school'},"
    "   {'id': 'place', 'description': 'd', 'any': ["
    "     {'id': 'gp', 'description': 'd', 'criterion': 'gp_practice'},"
    "     {'id': 'postcode', 'description': 'd', 'criterion': 'postcode_in_region'}]},"
    "   {'id': 'not_inpatient', 'description': 'd', 'not':"
    "     {'id': 'inpatient', 'description': 'd', 'criterion': 'flag', 'field': 'needs.inpatient'}},"
    "   {'id': 'pros', 'description': 'd', 'criterion': 'professionals', 'at_least': 3, 'agencies_at_least': 2},"
    "   {'id': 'dsr', 'description': 'd', 'criterion': 'dsr_rating', 'ratings': ['red', 'amber']}]}}}";

#define LONG40 "abcdefghijabcdefghijabcdefghijabcdefghij"
#define CUT32 "abcdefghijabcdefghijabcdefghijab"
#define ID33 "abcdefghijabcdefghijabcdefghijabc"
#define ID32 "abcdefghijabcdefghijabcdefghijab"
#define PATH_LONG "ruleset.rule.all[0]." CUT32
//  Two-byte characters: 32 bytes hold 16, or 15 after one byte.
#define E15 "ééééééééééééééé"
#define E16 E15 "é"
#define E20 E16 "éééé"

//  A change to the base and the whole error it gives after "base.json: ",
//  or NULL when the changed document loads. value NULL removes path.
typedef struct {
    const char *path;
    const char *value;
    const char *error;
} mutation_t;

static const mutation_t s_mutations [] = {
    //  The top level.
    { "colour", "'blue'", "field \"colour\": unknown key" },
    { LONG40, "1", "field \"" CUT32 "\": unknown key" },
    { "comment", "3", "field \"comment\": must be a string" },
    { "comment", "''", NULL },
    { "id", NULL, "field \"id\": is required" },
    { "id", "7", "field \"id\": must be a string" },
    { "id", "''", "field \"id\": \"\" must be 1 to 32 characters of a-z, 0-9, _ and -" },
    { "id", "'Base'", "field \"id\": \"Base\" must be 1 to 32 characters of a-z, 0-9, _ and -" },
    { "id", "'base region'", "field \"id\": \"base region\" must be 1 to 32 characters of a-z, 0-9, _ and -" },
    { "id", "'" ID33 "'", "field \"id\": \"" ID32 "\" must be 1 to 32 characters of a-z, 0-9, _ and -" },
    { "id", "'" ID32 "'", NULL },
    { "id", "'a" E20 "'", "field \"id\": \"a" E15 "\" must be 1 to 32 characters of a-z, 0-9, _ and -" },
    { "ruleset.rule.all[0].criterion", "'" E20 "'", "field \"ruleset.rule.all[0].criterion\": \"" E16 "\" is not a criterion kind" },
    { "ruleset.rule.x" E20, "1", "field \"ruleset.rule.x" E15 "\": unknown key" },
    { "id", "'base-2_x'", NULL },
    { "name", NULL, "field \"name\": is required" },
    { "name", "''", "field \"name\": must not be empty" },
    { "name", "['Base']", "field \"name\": must be a string" },
    { "time_zone", NULL, "field \"time_zone\": is required" },
    { "time_zone", "''", "field \"time_zone\": must not be empty" },
    { "time_zone", "0", "field \"time_zone\": must be a string" },
    //  The lists.
    { "gp_prefixes", "'D82'", "field \"gp_prefixes\": must be a non-empty array of strings" },
    { "gp_prefixes", "[]", "field \"gp_prefixes\": must be a non-empty array of strings" },
    { "gp_prefixes", "['D82', 5]", "field \"gp_prefixes[1]\": must be a string" },
    { "gp_prefixes", "['']", "field \"gp_prefixes[0]\": \"\" must be 1 to 6 letters or digits" },
    { "gp_prefixes", "['D-82']", "field \"gp_prefixes[0]\": \"D-82\" must be 1 to 6 letters or digits" },
    { "gp_prefixes", "['D82', 'D82001X']", "field \"gp_prefixes[1]\": \"D82001X\" must be 1 to 6 letters or digits" },
    { "gp_prefixes", "['D82', 'A1', 'd82']", "field \"gp_prefixes[2]\": \"d82\" is listed twice" },
    { "gp_prefixes", "['A1', 'B2', 'b2', 'A1']", "field \"gp_prefixes[2]\": \"b2\" is listed twice" },
    { "gp_prefixes", "['" LONG40 "']", "field \"gp_prefixes[0]\": \"" CUT32 "\" must be 1 to 6 letters or digits" },
    { "postcode_districts", "{}", "field \"postcode_districts\": must be a non-empty array of strings" },
    { "postcode_districts", "['NR']", "field \"postcode_districts[0]\": \"NR\" is not a postcode district (such as NR2 or EC1A)" },
    { "postcode_districts", "['NR2', '2NR']", "field \"postcode_districts[1]\": \"2NR\" is not a postcode district (such as NR2 or EC1A)" },
    { "postcode_districts", "['NRR2']", "field \"postcode_districts[0]\": \"NRR2\" is not a postcode district (such as NR2 or EC1A)" },
    { "postcode_districts", "['NR35A']", "field \"postcode_districts[0]\": \"NR35A\" is not a postcode district (such as NR2 or EC1A)" },
    { "postcode_districts", "['NR2 4']", "field \"postcode_districts[0]\": \"NR2 4\" is not a postcode district (such as NR2 or EC1A)" },
    { "postcode_districts", "['']", "field \"postcode_districts[0]\": \"\" is not a postcode district (such as NR2 or EC1A)" },
    { "postcode_districts", "['NR2', 'nr2']", "field \"postcode_districts[1]\": \"nr2\" is listed twice" },
    { "postcode_districts", "[null]", "field \"postcode_districts[0]\": must be a string" },
    { "dsr_referral_ratings", "[]", "field \"dsr_referral_ratings\": must be a non-empty array of strings" },
    { "dsr_referral_ratings", "['purple']", "field \"dsr_referral_ratings[0]\": \"purple\" is not a rating (red, amber, green or blue)" },
    { "dsr_referral_ratings", "['red', 'Amber']", "field \"dsr_referral_ratings[1]\": \"Amber\" is not a rating (red, amber, green or blue)" },
    { "dsr_referral_ratings", "['red', 'red']", "field \"dsr_referral_ratings[1]\": \"red\" is listed twice" },
    //  upper_age, transition, reviews.
    { "upper_age", NULL, "field \"upper_age\": is required" },
    { "upper_age", "18", "field \"upper_age\": must be an object" },
    { "upper_age.months", "2", "field \"upper_age.months\": unknown key" },
    { "upper_age.years", NULL, "field \"upper_age.years\": is required" },
    { "upper_age.years", "0", "field \"upper_age.years\": must be an integer from 1 to 130" },
    { "upper_age.years", "131", "field \"upper_age.years\": must be an integer from 1 to 130" },
    { "upper_age.years", "'18'", "field \"upper_age.years\": must be an integer from 1 to 130" },
    { "upper_age.years", "17.5", "field \"upper_age.years\": must be an integer from 1 to 130" },
    { "upper_age.extended_years", NULL, "field \"upper_age.extended_years\": is required with \"extended_when\"" },
    { "upper_age.extended_when", NULL, "field \"upper_age.extended_when\": is required with \"extended_years\"" },
    { "upper_age.extended_years", "18", "field \"upper_age.extended_years\": must be an integer above years (18) and at most 130" },
    { "upper_age.extended_years", "131", "field \"upper_age.extended_years\": must be an integer above years (18) and at most 130" },
    { "upper_age.extended_years", "'19'", "field \"upper_age.extended_years\": must be an integer above years (18) and at most 130" },
    { "upper_age.extended_years", "130", NULL },
    { "upper_age.extended_when", "'needs.foo'", "field \"upper_age.extended_when\": \"needs.foo\" is not a flag" },
    { "upper_age.extended_when", "true", "field \"upper_age.extended_when\": must be a string naming a flag" },
    { "upper_age", "{'years': 130}", NULL },
    { "transition", "[]", "field \"transition\": must be an object" },
    { "transition.days", "3", "field \"transition.days\": unknown key" },
    { "transition.notice_days", "-1", "field \"transition.notice_days\": must be an integer from 0 to 730" },
    { "transition.notice_days", "731", "field \"transition.notice_days\": must be an integer from 0 to 730" },
    { "transition.notice_days", "null", "field \"transition.notice_days\": must be an integer from 0 to 730" },
    { "transition.notice_days", "0", NULL },
    { "transition.notice_days", "730", NULL },
    { "reviews", "7", "field \"reviews\": must be an object" },
    { "reviews.interval", "7", "field \"reviews.interval\": unknown key" },
    { "reviews.interval_days", "6", "field \"reviews.interval_days\": must be an integer from 7 to 730" },
    { "reviews.interval_days", "731", "field \"reviews.interval_days\": must be an integer from 7 to 730" },
    { "reviews.interval_days", "7", NULL },
    { "reviews.interval_days", "730", NULL },
    //  ruleset.
    { "ruleset", NULL, "field \"ruleset\": is required" },
    { "ruleset", "'base'", "field \"ruleset\": must be an object" },
    { "ruleset.name", "'x'", "field \"ruleset.name\": unknown key" },
    { "ruleset.id", NULL, "field \"ruleset.id\": is required" },
    { "ruleset.id", "'Base!'", "field \"ruleset.id\": \"Base!\" must be 1 to 32 characters of a-z, 0-9, _ and -" },
    { "ruleset.version", NULL, "field \"ruleset.version\": is required" },
    { "ruleset.version", "0", "field \"ruleset.version\": must be an integer from 1 to 1000000" },
    { "ruleset.version", "1000001", "field \"ruleset.version\": must be an integer from 1 to 1000000" },
    { "ruleset.version", "'1'", "field \"ruleset.version\": must be an integer from 1 to 1000000" },
    { "ruleset.version", "1.0", "field \"ruleset.version\": must be an integer from 1 to 1000000" },
    { "ruleset.version", "1000000", NULL },
    { "ruleset.description", "2", "field \"ruleset.description\": must be a string" },
    { "ruleset.description", "''", NULL },
    { "ruleset.rule", NULL, "field \"ruleset.rule\": is required" },
    { "ruleset.rule", "[]", "field \"ruleset.rule\": must be a rule object" },
    //  A rule's kind, id and description.
    { "ruleset.rule.all", NULL, "field \"ruleset.rule\": needs one of \"all\", \"any\", \"not\" or \"criterion\"" },
    { "ruleset.rule.any", "[]", "field \"ruleset.rule\": has \"all\" and \"any\": a rule has only one of all, any, not and criterion" },
    { "ruleset.rule.all[2].criterion", "'flag'",
      "field \"ruleset.rule.all[2]\": has \"not\" and \"criterion\": a rule has only one of all, any, not and criterion" },
    { "ruleset.rule.all[4]", "{'id': 'x', 'description': 'd', 'all': [], 'any': [], 'criterion': 'flag'}",
      "field \"ruleset.rule.all[4]\": has \"all\", \"any\" and \"criterion\": a rule has only one of all, any, not and criterion" },
    { "ruleset.rule.id", NULL, "field \"ruleset.rule.id\": is required" },
    { "ruleset.rule.id", "'Root'", "field \"ruleset.rule.id\": \"Root\" must be 1 to 32 characters of a-z, 0-9 and _" },
    { "ruleset.rule.id", "'root-1'", "field \"ruleset.rule.id\": \"root-1\" must be 1 to 32 characters of a-z, 0-9 and _" },
    { "ruleset.rule.all[0].id", "'" ID33 "'",
      "field \"ruleset.rule.all[0].id\": \"" ID32 "\" must be 1 to 32 characters of a-z, 0-9 and _" },
    { "ruleset.rule.all[1].any[1].id", "'age'", "field \"ruleset.rule.all[1].any[1].id\": \"age\" is the id of another rule" },
    { "ruleset.rule.all[2].not.id", "'root'", "field \"ruleset.rule.all[2].not.id\": \"root\" is the id of another rule" },
    { "ruleset.rule.description", NULL, "field \"ruleset.rule.description\": is required" },
    { "ruleset.rule.all[0].description", "''", "field \"ruleset.rule.all[0].description\": must not be empty" },
    { "ruleset.rule.all[0].description", "1", "field \"ruleset.rule.all[0].description\": must be a string" },
    { "ruleset.rule.all[0].criterion", "'age'", "field \"ruleset.rule.all[0].criterion\": \"age\" is not a criterion kind" },
    { "ruleset.rule.all[0].criterion", "'all'", "field \"ruleset.rule.all[0].criterion\": \"all\" is not a criterion kind" },
    { "ruleset.rule.all[0].criterion", "['age_under']",
      "field \"ruleset.rule.all[0].criterion\": must be a string naming a criterion kind" },
    //  Keys that do not belong to the node's kind.
    { "ruleset.rule.weight", "1", "field \"ruleset.rule.weight\": unknown key" },
    { "ruleset.rule.field", "'needs.autism'", "field \"ruleset.rule.field\": unknown key" },
    { "ruleset.rule.all[2].ratings", "['red']", "field \"ruleset.rule.all[2].ratings\": unknown key" },
    { "ruleset.rule.all[2].not.years", "18", "field \"ruleset.rule.all[2].not.years\": unknown key" },
    { "ruleset.rule.all[1].any[0].ratings", "['red']", "field \"ruleset.rule.all[1].any[0].ratings\": unknown key" },
    { "ruleset.rule.all[1].any[1].field", "'needs.autism'", "field \"ruleset.rule.all[1].any[1].field\": unknown key" },
    { "ruleset.rule.all[0].field", "'needs.autism'", "field \"ruleset.rule.all[0].field\": unknown key" },
    { "ruleset.rule.all[3].years", "3", "field \"ruleset.rule.all[3].years\": unknown key" },
    { "ruleset.rule.all[4].at_least", "3", "field \"ruleset.rule.all[4].at_least\": unknown key" },
    { "ruleset.rule.all[0]." LONG40, "1", "field \"" PATH_LONG "\": unknown key" },
    //  all, any, not.
    { "ruleset.rule.all", "{}", "field \"ruleset.rule.all\": must be an array of 1 to 16 rules" },
    { "ruleset.rule.all", "[]", "field \"ruleset.rule.all\": must be an array of 1 to 16 rules" },
    { "ruleset.rule.all[1].any", "'gp'", "field \"ruleset.rule.all[1].any\": must be an array of 1 to 16 rules" },
    { "ruleset.rule.all[5]", "'age'", "field \"ruleset.rule.all[5]\": must be a rule object" },
    { "ruleset.rule.all[2].not", "[]", "field \"ruleset.rule.all[2].not\": must be a rule object" },
    { "ruleset.rule.all[2].not", "{}", "field \"ruleset.rule.all[2].not\": needs one of \"all\", \"any\", \"not\" or \"criterion\"" },
    //  The leaves' own keys.
    { "ruleset.rule.all[0].years", NULL, "field \"ruleset.rule.all[0].years\": is required" },
    { "ruleset.rule.all[0].years", "131", "field \"ruleset.rule.all[0].years\": must be an integer from 1 to 130" },
    { "ruleset.rule.all[0].extended_when", NULL,
      "field \"ruleset.rule.all[0].extended_when\": is required with \"extended_years\"" },
    { "ruleset.rule.all[0].extended_years", NULL,
      "field \"ruleset.rule.all[0].extended_years\": is required with \"extended_when\"" },
    { "ruleset.rule.all[0].extended_years", "17",
      "field \"ruleset.rule.all[0].extended_years\": must be an integer above years (18) and at most 130" },
    { "ruleset.rule.all[0].extended_when", "'needs.foo'", "field \"ruleset.rule.all[0].extended_when\": \"needs.foo\" is not a flag" },
    { "ruleset.rule.all[2].not.field", NULL, "field \"ruleset.rule.all[2].not.field\": is required" },
    { "ruleset.rule.all[2].not.field", "'needs.foo'", "field \"ruleset.rule.all[2].not.field\": \"needs.foo\" is not a flag" },
    { "ruleset.rule.all[2].not.field", "'inpatient'", "field \"ruleset.rule.all[2].not.field\": \"inpatient\" is not a flag" },
    { "ruleset.rule.all[2].not.field", "'" LONG40 "'", "field \"ruleset.rule.all[2].not.field\": \"" CUT32 "\" is not a flag" },
    { "ruleset.rule.all[2].not.field", "1", "field \"ruleset.rule.all[2].not.field\": must be a string naming a flag" },
    { "gp_prefixes", NULL, "field \"ruleset.rule.all[1].any[0]\": a gp_practice criterion needs the region's \"gp_prefixes\"" },
    { "postcode_districts", NULL,
      "field \"ruleset.rule.all[1].any[1]\": a postcode_in_region criterion needs the region's \"postcode_districts\"" },
    { "ruleset.rule.all[3].at_least", NULL, "field \"ruleset.rule.all[3].at_least\": is required" },
    { "ruleset.rule.all[3].at_least", "0", "field \"ruleset.rule.all[3].at_least\": must be an integer from 1 to 50" },
    { "ruleset.rule.all[3].at_least", "51", "field \"ruleset.rule.all[3].at_least\": must be an integer from 1 to 50" },
    { "ruleset.rule.all[3].at_least", "'3'", "field \"ruleset.rule.all[3].at_least\": must be an integer from 1 to 50" },
    { "ruleset.rule.all[3].agencies_at_least", NULL, "field \"ruleset.rule.all[3].agencies_at_least\": is required" },
    { "ruleset.rule.all[3].agencies_at_least", "0", "field \"ruleset.rule.all[3].agencies_at_least\": must be an integer from 1 to 50" },
    { "ruleset.rule.all[3].agencies_at_least", "51", "field \"ruleset.rule.all[3].agencies_at_least\": must be an integer from 1 to 50" },
    { "ruleset.rule.all[4].ratings", NULL, "field \"ruleset.rule.all[4].ratings\": is required" },
    { "ruleset.rule.all[4].ratings", "[]", "field \"ruleset.rule.all[4].ratings\": must be a non-empty array of strings" },
    { "ruleset.rule.all[4].ratings", "'red'", "field \"ruleset.rule.all[4].ratings\": must be a non-empty array of strings" },
    { "ruleset.rule.all[4].ratings", "['red', 1]", "field \"ruleset.rule.all[4].ratings[1]\": must be a string" },
    { "ruleset.rule.all[4].ratings", "['red', 'pink']",
      "field \"ruleset.rule.all[4].ratings[1]\": \"pink\" is not a rating (red, amber, green or blue)" },
    { "ruleset.rule.all[4].ratings", "['red', 'green', 'red']", "field \"ruleset.rule.all[4].ratings[2]\": \"red\" is listed twice" },
};
#define MUTATION_COUNT (sizeof s_mutations / sizeof s_mutations [0])

//  text with its single quotes made double, parsed; NULL when it is not JSON.
static json_t *
s_json (const char *text)
{
    char *copy = strdup (text);
    for (char *c = copy; *c; c++)
        if (*c == '\'')
            *c = '"';
    json_t *value = json_loads (copy, JSON_DECODE_ANY, NULL);
    free (copy);
    return value;
}

//  Set (add, or with value NULL remove) what path names in root, a path as
//  the loader writes them; "[n]" of an n-item array appends. Takes value.
static int
s_set (json_t *root, const char *path, json_t *value)
{
    json_t *node = root;
    const char *p = path;
    while (node) {
        char key [128] = "";
        size_t index = 0;
        int is_index = *p == '[';
        if (is_index) {
            char *end;
            index = strtoul (p + 1, &end, 10);
            p = end + 1;
        }
        else {
            p += *p == '.';
            size_t len = strcspn (p, ".[");
            snprintf (key, sizeof key, "%.*s", (int) len, p);
            p += len;
        }
        if (*p == '\0') {
            if (is_index && value && index == json_array_size (node))
                return json_array_append_new (node, value);
            if (is_index)
                return value ? json_array_set_new (node, index, value) : json_array_remove (node, index);
            return value ? json_object_set_new (node, key, value) : json_object_del (node, key);
        }
        node = is_index ? json_array_get (node, index) : json_object_get (node, key);
    }
    json_decref (value);
    return -1;
}

//  Parse len bytes of text from a copy of exactly that size, as "base.json".
static region_t *
s_parse (const char *text, size_t len, char *err, size_t err_size)
{
    char *copy = malloc (len ? len : 1);
    memcpy (copy, text, len);
    err [0] = '\0';
    region_t *region = region_parse (copy, len, "base.json", err, err_size);
    free (copy);
    return region;
}

//  The base with what path names set to value (taken; NULL removes it).
static region_t *
s_try (const char *path, json_t *value, char *err, size_t err_size)
{
    json_t *root = s_json (s_base);
    if (s_set (root, path, value) != 0) {
        json_decref (root);
        snprintf (err, err_size, "(the test cannot change %s)", path);
        return NULL;
    }
    char *text = json_dumps (root, JSON_INDENT (1));
    json_decref (root);
    region_t *region = s_parse (text, strlen (text), err, err_size);
    free (text);
    return region;
}

//  The rule tree in one line: id:kind, then (rules) or [parameters].
static void
s_tree (const rule_t *rule, char *out, size_t size)
{
    size_t used = strlen (out);
    snprintf (out + used, size - used, "%s:%s", rule->id, region_rule_kind_name (rule->kind));
    used = strlen (out);
    if (rule->kind == RULE_AGE_UNDER)
        snprintf (out + used, size - used, "[%u,%u,%s]", rule->years, rule->extended_years,
                  rule->extended_when ? region_flag_path (rule->extended_when) : "-");
    else
    if (rule->kind == RULE_FLAG)
        snprintf (out + used, size - used, "[%s]", region_flag_path (rule->field));
    else
    if (rule->kind == RULE_PROFESSIONALS)
        snprintf (out + used, size - used, "[%u,%u]", rule->at_least, rule->agencies_at_least);
    else
    if (rule->kind == RULE_DSR_RATING)
        for (size_t i = 0; i < rule->rating_count; i++) {
            used = strlen (out);
            snprintf (out + used, size - used, "%s%s%s", i ? " " : "[", rule->ratings [i],
                      i + 1 == rule->rating_count ? "]" : "");
        }
    for (size_t i = 0; i < rule->child_count; i++) {
        used = strlen (out);
        snprintf (out + used, size - used, "%s", i ? "," : "(");
        s_tree (rule->children [i], out, size);
    }
    if (rule->child_count) {
        used = strlen (out);
        snprintf (out + used, size - used, ")");
    }
}

//  1 when every rule has a description; *count gets the number of rules.
static int
s_described (const rule_t *rule, size_t *count)
{
    (*count)++;
    int described = rule->description && *rule->description;
    for (size_t i = 0; i < rule->child_count; i++)
        described &= s_described (rule->children [i], count);
    return described;
}

//  The list joined with spaces.
static const char *
s_join (char **list, size_t count, char *out, size_t size)
{
    out [0] = '\0';
    for (size_t i = 0; i < count; i++)
        snprintf (out + strlen (out), size - strlen (out), "%s%s", i ? " " : "", list [i]);
    return out;
}

static region_t *
s_load (const char *path)
{
    char err [512];
    region_t *region = region_load_file (path, err, sizeof err);
    ok (region != NULL, "%s loads", path);
    if (!region)
        tap_diag ("%s", err);
    return region;
}

static void
s_test_norfolk (void)
{
    region_t *region = s_load ("deploy/regions/norfolk.json");
    if (!region)
        return;
    char text [2048] = "";
    is_str (region->id, "norfolk", "norfolk: id");
    is_str (region->name, "Norfolk Key Worker Service", "norfolk: name");
    is_str (region->time_zone, "Europe/London", "norfolk: time zone");
    is_str (s_join (region->gp_prefixes, region->gp_prefix_count, text, sizeof text), "D82",
            "norfolk: gp prefixes");
    is_int (region->postcode_district_count, 51, "norfolk: 51 postcode districts");
    ok (region->postcode_district_count == 51 && strcmp (region->postcode_districts [0], "NR1") == 0
        && strcmp (region->postcode_districts [50], "PE38") == 0, "norfolk: districts in file order");
    is_str (s_join (region->dsr_referral_ratings, region->dsr_referral_rating_count, text, sizeof text),
            "red amber blue", "norfolk: the default DSR referral ratings");
    ok (region->upper_age == 18 && region->upper_age_extended == 19
        && region->upper_age_extended_when == FLAG_IN_COMPLEX_NEEDS_SCHOOL, "norfolk: upper age 18, 19 in school");
    ok (region->transition_notice_days == 180 && region->review_interval_days == 182,
        "norfolk: transition and review days");
    is_str (region->ruleset.id, "norfolk", "norfolk: rule set id");
    is_int (region->ruleset.version, 1, "norfolk: rule set version");
    ok (strncmp (region->ruleset.description, "All of: age, GP practice", 24) == 0, "norfolk: rule set description");
    text [0] = '\0';
    s_tree (region->ruleset.rule, text, sizeof text);
    is_str (text, "eligible:all(age:age_under[18,19,child.in_complex_needs_school],gp:gp_practice,"
            "need:any(complex_health_needs:flag[needs.complex_health_needs],"
            "high_level_of_need:flag[needs.high_level_of_need]),professionals:professionals[3,2])",
            "norfolk: the rule tree");
    const rule_t *need = region->ruleset.rule->children [2];
    ok (need->kind == RULE_ANY && need->child_count == 2 && need->children [1]->field == FLAG_HIGH_LEVEL_OF_NEED,
        "norfolk: need is any of two flags");
    is_str (region->ruleset.rule->children [3]->description,
            "At least 3 professionals from at least 2 agencies involved", "norfolk: a rule's description");
    size_t count = 0;
    ok (s_described (region->ruleset.rule, &count) && count == 7, "norfolk: seven rules, each described");
    region_destroy (&region);
    region_destroy (&region);
    ok (region == NULL, "norfolk: destroy clears the pointer and is safe twice");
}

static void
s_test_nhse (void)
{
    region_t *region = s_load ("deploy/regions/nhse.json");
    if (!region)
        return;
    char text [2048] = "";
    is_str (region->id, "nhse", "nhse: id");
    ok (region->gp_prefix_count == 0 && !region->gp_prefixes && region->postcode_district_count == 0,
        "nhse: no gp prefixes or districts");
    is_str (s_join (region->dsr_referral_ratings, region->dsr_referral_rating_count, text, sizeof text),
            "red amber blue", "nhse: DSR referral ratings");
    ok (region->upper_age == 25 && region->upper_age_extended == 0 && region->upper_age_extended_when == FLAG_NONE,
        "nhse: upper age 25, no extension");
    ok (region->ruleset.version == 1 && strcmp (region->ruleset.id, "nhse") == 0, "nhse: rule set id and version");
    text [0] = '\0';
    s_tree (region->ruleset.rule, text, sizeof text);
    is_str (text, "eligible:all(age:age_under[25,0,-],"
            "ld_or_autism:any(learning_disability:flag[needs.learning_disability],autism:flag[needs.autism]),"
            "risk:any(inpatient:flag[needs.inpatient],dsr_rating:dsr_rating[red amber blue]))",
            "nhse: the rule tree");
    size_t count = 0;
    ok (s_described (region->ruleset.rule, &count) && count == 8, "nhse: eight rules, each described");
    region_destroy (&region);
}

static void
s_test_testshire (void)
{
    region_t *region = s_load ("tests/fixtures/regions/testshire.json");
    if (!region)
        return;
    char text [2048] = "";
    is_str (region->time_zone, "America/New_York", "testshire: time zone");
    is_str (s_join (region->gp_prefixes, region->gp_prefix_count, text, sizeof text), "T11 T12",
            "testshire: gp prefixes");
    is_str (s_join (region->postcode_districts, region->postcode_district_count, text, sizeof text),
            "TE1 TE12 T9", "testshire: postcode districts");
    is_str (s_join (region->dsr_referral_ratings, region->dsr_referral_rating_count, text, sizeof text),
            "red", "testshire: DSR referral ratings");
    ok (region->upper_age == 16 && region->upper_age_extended == 17
        && region->transition_notice_days == 30 && region->review_interval_days == 91, "testshire: ages and days");
    ok (region->ruleset.version == 7 && strcmp (region->ruleset.description, "") == 0,
        "testshire: version 7, no description");
    text [0] = '\0';
    s_tree (region->ruleset.rule, text, sizeof text);
    is_str (text, "eligible:all(age:age_under[16,17,child.in_complex_needs_school],"
            "place:any(gp:gp_practice,postcode:postcode_in_region),"
            "need:any(complex_health_needs:flag[needs.complex_health_needs],"
            "high_level_of_need:flag[needs.high_level_of_need],"
            "learning_disability:flag[needs.learning_disability],autism:flag[needs.autism]),"
            "not_inpatient:not(inpatient:flag[needs.inpatient]),professionals:professionals[2,2],"
            "not_green:not(green:dsr_rating[green]))", "testshire: the rule tree");
    region_destroy (&region);
}

static void
s_test_sets (void)
{
    char err [512] = "";
    region_set_t *set = region_set_load ("deploy/regions", err, sizeof err);
    ok (set && region_set_count (set) == 2, "deploy/regions: two regions");
    if (!set)
        tap_diag ("%s", err);
    ok (set && strcmp (region_set_at (set, 0)->id, "nhse") == 0 && strcmp (region_set_at (set, 1)->id, "norfolk") == 0,
        "deploy/regions: in file name order");
    ok (set && region_set_find (set, "norfolk") == region_set_at (set, 1), "deploy/regions: find by id");
    ok (region_set_find (set, "atlantis") == NULL && region_set_at (set, 2) == NULL,
        "deploy/regions: no such region or index");
    region_set_destroy (&set);
    region_set_destroy (&set);
    set = region_set_load ("tests/fixtures/regions", err, sizeof err);
    ok (set && region_set_count (set) == 1 && region_set_find (set, "testshire"), "tests/fixtures/regions loads");
    region_set_destroy (&set);
    ok (region_set_count (NULL) == 0 && region_set_find (NULL, "nhse") == NULL, "a NULL set is empty");
}

static void
s_test_names (void)
{
    static const char *const paths [] = {
        NULL, "child.in_complex_needs_school", "needs.complex_health_needs", "needs.high_level_of_need",
        "needs.learning_disability", "needs.autism", "needs.inpatient"
    };
    int round_trip = 1;
    for (region_flag_t flag = FLAG_IN_COMPLEX_NEEDS_SCHOOL; flag <= FLAG_INPATIENT; flag++)
        round_trip &= region_flag_path (flag) && strcmp (region_flag_path (flag), paths [flag]) == 0
                   && region_flag_from_path (paths [flag]) == flag;
    ok (round_trip, "flags: each path names its flag and back");
    ok (region_flag_path (FLAG_NONE) == NULL && region_flag_from_path ("needs.foo") == FLAG_NONE
        && region_flag_from_path (NULL) == FLAG_NONE && region_flag_from_path ("NEEDS.AUTISM") == FLAG_NONE,
        "flags: none for anything else");
    static const char *const kinds [] = {
        NULL, "all", "any", "not", "age_under", "flag", "gp_practice", "postcode_in_region",
        "professionals", "dsr_rating"
    };
    int named = 1;
    for (rule_kind_t kind = RULE_ALL; kind <= RULE_DSR_RATING; kind++)
        named &= region_rule_kind_name (kind) && strcmp (region_rule_kind_name (kind), kinds [kind]) == 0;
    ok (named, "kinds: each has its name as in files");
    ok (region_rule_kind_name ((rule_kind_t) 0) == NULL && region_rule_kind_name ((rule_kind_t) 99) == NULL,
        "kinds: no name for an unknown kind");
}

static void
s_test_mutations (void)
{
    char err [512], want [512], name [256];
    region_t *region = s_try ("comment", json_string ("the base"), err, sizeof err);
    ok (region != NULL, "the base document loads");
    if (!region)
        tap_diag ("%s", err);
    region_destroy (&region);
    for (size_t i = 0; i < MUTATION_COUNT; i++) {
        const mutation_t *m = &s_mutations [i];
        json_t *value = m->value ? s_json (m->value) : NULL;
        if (m->value && !value) {
            ok (0, "case %zu: the value %s is JSON", i, m->value);
            continue;
        }
        region = s_try (m->path, value, err, sizeof err);
        if (m->value)
            snprintf (name, sizeof name, "%s %s = %.60s", m->error ? "rejects" : "accepts", m->path, m->value);
        else
            snprintf (name, sizeof name, "%s no %s", m->error ? "rejects" : "accepts", m->path);
        if (m->error) {
            snprintf (want, sizeof want, "base.json: %s", m->error);
            is_str (region ? "(loaded)" : err, want, "%s", name);
        }
        else {
            ok (region != NULL, "%s", name);
            if (!region)
                tap_diag ("%s", err);
        }
        region_destroy (&region);
    }
}

//  Defaults, upper-casing and values at their limits, read back.
static void
s_test_values (void)
{
    char err [512], text [256];
    region_t *region = s_try ("transition", NULL, err, sizeof err);
    ok (region && region->transition_notice_days == 180, "transition defaults to 180 days");
    region_destroy (&region);
    region = s_try ("transition", json_object (), err, sizeof err);
    ok (region && region->transition_notice_days == 180, "an empty transition defaults to 180 days");
    region_destroy (&region);
    region = s_try ("reviews", NULL, err, sizeof err);
    ok (region && region->review_interval_days == 182 && region->transition_notice_days == 90,
        "reviews default to 182 days");
    region_destroy (&region);
    region = s_try ("ruleset.description", NULL, err, sizeof err);
    ok (region && region->ruleset.description && !*region->ruleset.description, "no rule set description is \"\"");
    region_destroy (&region);
    region = s_try ("gp_prefixes", s_json ("['d82', 'a1b2c3', 'Q']"), err, sizeof err);
    is_str (region ? s_join (region->gp_prefixes, region->gp_prefix_count, text, sizeof text) : err,
            "D82 A1B2C3 Q", "gp prefixes kept upper case");
    region_destroy (&region);
    region = s_try ("postcode_districts", s_json ("['nr2', 'Ec1a', 'w1', 'B1', 'nr35', 'w1a']"), err, sizeof err);
    is_str (region ? s_join (region->postcode_districts, region->postcode_district_count, text, sizeof text) : err,
            "NR2 EC1A W1 B1 NR35 W1A", "postcode districts kept upper case");
    region_destroy (&region);
    region = s_try ("dsr_referral_ratings", s_json ("['green', 'blue']"), err, sizeof err);
    is_str (region ? s_join (region->dsr_referral_ratings, region->dsr_referral_rating_count, text, sizeof text) : err,
            "green blue", "DSR referral ratings as given");
    region_destroy (&region);
    region = s_try ("upper_age", s_json ("{'years': 129, 'extended_years': 130, 'extended_when': 'needs.autism'}"),
                    err, sizeof err);
    ok (region && region->upper_age == 129 && region->upper_age_extended == 130
        && region->upper_age_extended_when == FLAG_AUTISM, "upper age 129, 130 with autism");
    region_destroy (&region);
    json_t *many = json_array ();
    for (int i = 0; i < 20000; i++) {
        snprintf (text, sizeof text, "A%d", i);
        json_array_append_new (many, json_string (text));
    }
    region = s_try ("gp_prefixes", json_copy (many), err, sizeof err);
    ok (region && region->gp_prefix_count == 20000, "20000 gp prefixes load");
    region_destroy (&region);
    json_array_set_new (many, 15000, json_string ("a3"));
    region = s_try ("gp_prefixes", many, err, sizeof err);
    is_str (region ? "(loaded)" : err, "base.json: field \"gp_prefixes[15000]\": \"a3\" is listed twice",
            "a repeat in 20000 gp prefixes is found");
    region_destroy (&region);
    region = s_try ("ruleset.version", json_integer (1000000), err, sizeof err);
    ok (region && region->ruleset.version == 1000000, "version 1000000");
    region_destroy (&region);
}

//  Text that is not a JSON object: the error has the line jansson gives.
static void
s_test_syntax (void)
{
    static const struct {
        const char *text;
        size_t len;                     //  0: strlen
        const char *error;              //  the start of the error
        const char *also;               //  and somewhere in it
    } cases [] = {
        { "", 0, "base.json: line 1: ", "" },
        { "{\"id\": \"x\",\n\"name\": }", 0, "base.json: line 2: ", "" },
        { "{\"id\": \"a\",\n \"id\": \"b\"}", 0, "base.json: line 2: ", "duplicate object key" },
        { "{}\n{}", 0, "base.json: line 2: ", "end of file expected" },
        { "{\"id\": \"\xff\"}", 0, "base.json: line 1: ", "" },
        { "{\"id\": \"a\\u0000\"}", 0, "base.json: line 1: ", "" },
        { "{} \0 ", 5, "base.json: line 1: ", "" },
        { "[]", 0, "base.json: must hold a JSON object", "" },
        { "{\"id\": \"x\"", 0, "base.json: line 1: ", "" },
    };
    char err [512];
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        size_t len = cases [i].len ? cases [i].len : strlen (cases [i].text);
        region_t *region = s_parse (cases [i].text, len, err, sizeof err);
        ok (!region && strncmp (err, cases [i].error, strlen (cases [i].error)) == 0
            && strstr (err, cases [i].also), "syntax case %zu: %s", i, err);
        region_destroy (&region);
    }
    ok (region_parse (NULL, 0, NULL, err, sizeof err) == NULL && strncmp (err, "(region): line 1:", 17) == 0,
        "no text and no name: %s", err);
    ok (region_parse ("[]", 2, "x.json", NULL, 0) == NULL, "no error buffer");
}

static json_t *
s_flag_rule (const char *id)
{
    return json_pack ("{s:s, s:s, s:s, s:s}", "id", id, "description", "d",
                      "criterion", "flag", "field", "needs.autism");
}

//  A rule depth rules deep: not over not ... over a flag.
static json_t *
s_chain (int depth)
{
    json_t *rule = s_flag_rule ("leaf");
    for (int i = depth - 1; i >= 1; i--) {
        char id [16];
        snprintf (id, sizeof id, "not_%d", i);
        rule = json_pack ("{s:s, s:s, s:o}", "id", id, "description", "d", "not", rule);
    }
    return rule;
}

//  An all rule over groups all rules of per leaves each, then leaves leaves:
//  1 + groups * (1 + per) + leaves rules.
static json_t *
s_wide (int groups, int per, int leaves)
{
    json_t *children = json_array ();
    int next = 0;
    char id [16];
    for (int g = 0; g < groups; g++) {
        json_t *group = json_array ();
        for (int i = 0; i < per; i++) {
            snprintf (id, sizeof id, "r%d", next++);
            json_array_append_new (group, s_flag_rule (id));
        }
        snprintf (id, sizeof id, "g%d", g);
        json_array_append_new (children, json_pack ("{s:s, s:s, s:o}", "id", id, "description", "d", "all", group));
    }
    for (int i = 0; i < leaves; i++) {
        snprintf (id, sizeof id, "r%d", next++);
        json_array_append_new (children, s_flag_rule (id));
    }
    return json_pack ("{s:s, s:s, s:o}", "id", "root", "description", "d", "all", children);
}

static void
s_test_limits (void)
{
    char err [512];
    region_t *region = s_try ("ruleset.rule", s_chain (REGION_MAX_DEPTH), err, sizeof err);
    size_t count = 0;
    ok (region && s_described (region->ruleset.rule, &count) && count == REGION_MAX_DEPTH, "rules 8 deep load");
    region_destroy (&region);
    char want [512] = "base.json: field \"ruleset.rule";
    for (int i = 1; i < REGION_MAX_DEPTH + 1; i++)
        strcat (want, ".not");
    strcat (want, "\": rules nest more than 8 deep");
    region = s_try ("ruleset.rule", s_chain (REGION_MAX_DEPTH + 1), err, sizeof err);
    is_str (region ? "(loaded)" : err, want, "rules 9 deep are rejected");
    region_destroy (&region);
    region = s_try ("ruleset.rule", s_chain (500), err, sizeof err);
    is_str (region ? "(loaded)" : err, want, "rules 500 deep are rejected at the ninth");
    region_destroy (&region);

    region = s_try ("ruleset.rule", s_wide (0, 0, REGION_MAX_CHILDREN), err, sizeof err);
    ok (region && region->ruleset.rule->child_count == 16, "an all of 16 rules loads");
    region_destroy (&region);
    region = s_try ("ruleset.rule", s_wide (0, 0, REGION_MAX_CHILDREN + 1), err, sizeof err);
    is_str (region ? "(loaded)" : err, "base.json: field \"ruleset.rule.all\": must be an array of 1 to 16 rules",
            "an all of 17 rules is rejected");
    region_destroy (&region);
    region = s_try ("ruleset.rule", s_wide (3, 16, 12), err, sizeof err);
    count = 0;
    ok (region && s_described (region->ruleset.rule, &count) && count == REGION_MAX_RULES, "64 rules load");
    region_destroy (&region);
    region = s_try ("ruleset.rule", s_wide (3, 16, 13), err, sizeof err);
    is_str (region ? "(loaded)" : err, "base.json: field \"ruleset.rule.all[15]\": the rule set has more than 64 rules",
            "65 rules are rejected");
    region_destroy (&region);
    region = s_try ("ruleset.rule", s_wide (16, 16, 0), err, sizeof err);
    is_str (region ? "(loaded)" : err, "base.json: field \"ruleset.rule.all[3].all[11]\": the rule set has more than 64 rules",
            "273 rules are rejected at the 65th");
    region_destroy (&region);
}

static void
s_write (const char *dir, const char *name, const char *text, size_t len)
{
    char path [512];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    FILE *file = fopen (path, "wb");
    if (file) {
        fwrite (text, 1, len, file);
        fclose (file);
    }
}

static void
s_remove (const char *dir, const char *name)
{
    char path [512];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    unlink (path);
}

//  The base document as text with id set to id.
static char *
s_base_text (const char *id)
{
    json_t *root = s_json (s_base);
    json_object_set_new (root, "id", json_string (id));
    char *text = json_dumps (root, JSON_INDENT (2));
    json_decref (root);
    return text;
}

//  region_set_load's error for dir, loaded by a user without root's right
//  to read any directory: this process when it is not root, else a child
//  that has become nobody (65534). "(loaded)" when it loads.
static const char *
s_load_unprivileged (const char *dir, char *err, size_t err_size)
{
    if (geteuid () != 0) {
        region_set_t *set = region_set_load (dir, err, err_size);
        if (!set)
            return err;
        region_set_destroy (&set);
        return "(loaded)";
    }
    int fds [2];
    if (pipe (fds) != 0)
        return "(pipe failed)";
    pid_t pid = fork ();
    if (pid == 0) {
        close (fds [0]);
        const char *answer = "(could not become nobody)";
        if (setgroups (0, NULL) == 0 && setgid (65534) == 0 && setuid (65534) == 0) {
            region_set_t *set = region_set_load (dir, err, err_size);
            answer = set ? "(loaded)" : err;
        }
        ssize_t n = write (fds [1], answer, strlen (answer));
        _exit (n < 0);
    }
    close (fds [1]);
    ssize_t n = pid > 0 ? read (fds [0], err, err_size - 1) : -1;
    close (fds [0]);
    if (pid > 0)
        waitpid (pid, NULL, 0);
    err [n > 0 ? n : 0] = 0;
    return n > 0 ? err : "(no answer from the unprivileged child)";
}

static void
s_test_files (const char *dir)
{
    char err [512], want [1024], path [512];
    char *a = s_base_text ("base"), *b = s_base_text ("other");

    s_write (dir, "a.json", a, strlen (a));
    snprintf (path, sizeof path, "%s/a.json", dir);
    region_t *region = region_load_file (path, err, sizeof err);
    ok (region && strcmp (region->id, "base") == 0, "a file loads");
    region_destroy (&region);

    //  Exactly 1 MiB loads; one byte more does not.
    char *big = malloc (MIB + 1);
    memset (big, ' ', MIB + 1);
    memcpy (big, a, strlen (a));
    s_write (dir, "big.json", big, MIB);
    snprintf (path, sizeof path, "%s/big.json", dir);
    region = region_load_file (path, err, sizeof err);
    ok (region != NULL, "a file of 1 MiB loads");
    region_destroy (&region);
    s_write (dir, "big.json", big, MIB + 1);
    region = region_load_file (path, err, sizeof err);
    snprintf (want, sizeof want, "%s: larger than 1 MiB", path);
    is_str (region ? "(loaded)" : err, want, "a file over 1 MiB is rejected");
    s_remove (dir, "big.json");
    free (big);

    snprintf (path, sizeof path, "%s/missing.json", dir);
    region = region_load_file (path, err, sizeof err);
    snprintf (want, sizeof want, "%s: cannot open: No such file or directory", path);
    is_str (region ? "(loaded)" : err, want, "a missing file is rejected");
    region = region_load_file (dir, err, sizeof err);
    snprintf (want, sizeof want, "%s: not a regular file", dir);
    is_str (region ? "(loaded)" : err, want, "a directory is not a region file");

    const char *bad = "{\"id\": \"x\",\n\"name\": \"\"}";
    s_write (dir, "bad.json", bad, strlen (bad));
    snprintf (path, sizeof path, "%s/bad.json", dir);
    region = region_load_file (path, err, sizeof err);
    snprintf (want, sizeof want, "%s: field \"name\": must not be empty", path);
    is_str (region ? "(loaded)" : err, want, "a file's error names the file");
    region_set_t *set = region_set_load (dir, err, sizeof err);
    is_str (set ? "(loaded)" : err, want, "a bad file fails the directory");
    region_set_destroy (&set);
    s_remove (dir, "bad.json");

    //  Sorted by name; other files and hidden ones are not regions.
    s_write (dir, "0.json", b, strlen (b));
    s_write (dir, "notes.txt", "x", 1);
    s_write (dir, ".hidden.json", "x", 1);
    s_write (dir, ".json", "x", 1);
    set = region_set_load (dir, err, sizeof err);
    ok (set && region_set_count (set) == 2 && strcmp (region_set_at (set, 0)->id, "other") == 0
        && region_set_find (set, "base") == region_set_at (set, 1), "a directory loads in file name order");
    if (!set)
        tap_diag ("%s", err);
    region_set_destroy (&set);

    s_write (dir, "b.json", a, strlen (a));
    set = region_set_load (dir, err, sizeof err);
    snprintf (want, sizeof want, "%s/b.json: field \"id\": \"base\" is defined by another file, a.json", dir);
    is_str (set ? "(loaded)" : err, want, "two files with the same id are rejected, naming the second");
    region_set_destroy (&set);
    s_remove (dir, "b.json");
    s_remove (dir, "0.json");
    s_remove (dir, "a.json");

    set = region_set_load (dir, err, sizeof err);
    snprintf (want, sizeof want, "%s: no *.json region files", dir);
    is_str (set ? "(loaded)" : err, want, "a directory of no region files is rejected");
    s_remove (dir, "notes.txt");
    s_remove (dir, ".hidden.json");
    s_remove (dir, ".json");
    set = region_set_load (dir, err, sizeof err);
    is_str (set ? "(loaded)" : err, want, "an empty directory is rejected");

    snprintf (path, sizeof path, "%s/missing", dir);
    set = region_set_load (path, err, sizeof err);
    snprintf (want, sizeof want, "%s: cannot read the region directory: No such file or directory", path);
    is_str (set ? "(loaded)" : err, want, "a missing directory is rejected");
    s_write (dir, "plain", "x", 1);
    snprintf (path, sizeof path, "%s/plain", dir);
    set = region_set_load (path, err, sizeof err);
    snprintf (want, sizeof want, "%s: cannot read the region directory: Not a directory", path);
    is_str (set ? "(loaded)" : err, want, "a file is not a region directory");
    s_remove (dir, "plain");
    snprintf (want, sizeof want, "%s: cannot read the region directory: Permission denied", dir);
    is_str (chmod (dir, 0) == 0 ? s_load_unprivileged (dir, err, sizeof err) : "(chmod failed)", want,
            "an unreadable directory is rejected");
    chmod (dir, 0700);
    free (a);
    free (b);
}

int
main (void)
{
    s_test_norfolk ();
    s_test_nhse ();
    s_test_testshire ();
    s_test_sets ();
    s_test_names ();
    s_test_mutations ();
    s_test_values ();
    s_test_syntax ();
    s_test_limits ();
    char dir [64];
    snprintf (dir, sizeof dir, "/tmp/kw_region_test.%d", (int) getpid ());
    if (mkdir (dir, 0700) == 0) {
        s_test_files (dir);
        rmdir (dir);
    }
    else
        ok (0, "a directory of this process's own: %s", dir);
    return tap_done ();
}
