/*  fuzz_region: the eligibility service's region loader. The input is one
    region file, or two separated by a line "---". The first is parsed from
    memory with region_parse; with two, both are written as a.json and b.json
    into a per-process temporary directory (on /dev/shm when there is one)
    and loaded with region_set_load. Every region that loads must keep the
    schema's promises (region.h: ids, ranges, the rule tree's shape and
    limits), and decides the example referral (deploy/examples/referral.json)
    with rules_decide. The assignment service's reader of the file's
    assignment section (settings_parse) reads the first file too; what it
    accepts is within its ranges, and its errors name the file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "kw_arena.h"
#include "kw_pbjson.h"
#include "kw/referral.pb-c.h"
#include "region.h"
#include "rules.h"
#include "settings.h"

static char s_dir [64];
static char s_path_a [96];
static char s_path_b [96];
static kw_arena_t *s_arena;           //  per input
static kw_arena_t *s_example_arena;   //  the example referral, kept
static Kw__ReferralBody *s_referral;

static void
s_cleanup (void)
{
    unlink (s_path_a);
    unlink (s_path_b);
    rmdir (s_dir);
}

static void
s_write (const char *path, const uint8_t *data, size_t size)
{
    FILE *file = fopen (path, "wb");
    if (!file || fwrite (data, 1, size, file) != size || fclose (file) != 0)
        abort ();
}

//  The example referral; the target stops with the reason when it cannot be
//  read or decoded (it is read from the repository's top directory), since
//  an empty referral would leave most of rules_decide unfuzzed.
static Kw__ReferralBody *
s_example (void)
{
    static const char path [] = "deploy/examples/referral.json";
    FILE *file = fopen (path, "rb");
    if (!file) {
        fprintf (stderr, "fuzz_region: cannot open %s (run from the repository's top directory): %m\n", path);
        exit (1);
    }
    char text [16384];
    size_t len = fread (text, 1, sizeof text, file);
    int whole = feof (file) && !ferror (file);
    fclose (file);
    ProtobufCMessage *msg = NULL;
    kw_field_error_t err;
    if (!whole || kw_pbjson_decode (&kw__referral_body__descriptor, text, len, s_example_arena, &msg, &err) != 0) {
        fprintf (stderr, "fuzz_region: %s is not a referral body of at most %zu bytes: %s %s\n", path,
                 sizeof text, whole ? err.field : "", whole ? err.message : "too long or unreadable");
        exit (1);
    }
    return (Kw__ReferralBody *) msg;
}

static void
s_check_ratings (char **ratings, size_t count)
{
    static const char *const known [] = { "red", "amber", "green", "blue" };
    if (count == 0 || !ratings)
        abort ();
    for (size_t i = 0; i < count; i++) {
        size_t k = 0;
        while (k < 4 && strcmp (ratings [i], known [k]) != 0)
            k++;
        if (k == 4)
            abort ();
    }
}

//  The rule at depth (the root is 1) keeps region.h's promises; *count
//  counts the rules.
static void
s_check_rule (const region_t *region, const rule_t *rule, unsigned depth, size_t *count)
{
    if (!rule || depth > REGION_MAX_DEPTH || ++*count > REGION_MAX_RULES)
        abort ();
    if (!rule->id || !*rule->id || !rule->description || !*rule->description
    ||  !region_rule_kind_name (rule->kind))
        abort ();
    switch (rule->kind) {
        case RULE_ALL:
        case RULE_ANY:
            if (rule->child_count < 1 || rule->child_count > REGION_MAX_CHILDREN)
                abort ();
            break;
        case RULE_NOT:
            if (rule->child_count != 1)
                abort ();
            break;
        case RULE_AGE_UNDER:
            if (rule->years < 1 || rule->years > 130
            ||  (rule->extended_years && (rule->extended_years <= rule->years || rule->extended_years > 130))
            ||  !rule->extended_years != !region_flag_path (rule->extended_when))
                abort ();
            break;
        case RULE_FLAG:
            if (!region_flag_path (rule->field))
                abort ();
            break;
        case RULE_GP_PRACTICE:
            if (!region->gp_prefix_count)
                abort ();
            break;
        case RULE_POSTCODE_IN_REGION:
            if (!region->postcode_district_count)
                abort ();
            break;
        case RULE_PROFESSIONALS:
            if (rule->at_least < 1 || rule->at_least > 50
            ||  rule->agencies_at_least < 1 || rule->agencies_at_least > 50)
                abort ();
            break;
        case RULE_DSR_RATING:
            s_check_ratings (rule->ratings, rule->rating_count);
            break;
        default:
            abort ();
    }
    if (rule->kind > RULE_NOT && rule->child_count)
        abort ();
    for (size_t i = 0; i < rule->child_count; i++)
        s_check_rule (region, rule->children [i], depth + 1, count);
}

static void
s_use (const region_t *region)
{
    if (!region->id || !region->name || !*region->name || !region->time_zone || !*region->time_zone)
        abort ();
    if (region->upper_age < 1 || region->upper_age > 130
    ||  !region->upper_age_extended != !region_flag_path (region->upper_age_extended_when)
    ||  region->transition_notice_days > 730
    ||  region->review_interval_days < 7 || region->review_interval_days > 730)
        abort ();
    s_check_ratings (region->dsr_referral_ratings, region->dsr_referral_rating_count);
    const ruleset_t *ruleset = &region->ruleset;
    if (!ruleset->id || !ruleset->description || ruleset->version < 1 || ruleset->version > 1000000)
        abort ();
    size_t count = 0;
    s_check_rule (region, ruleset->rule, 1, &count);
    Kw__EligibilityDecision *decision = rules_decide (region, s_referral, NULL, 2026, 11, 20, s_arena);
    if (!decision || !rules_outcome_name (decision->outcome))
        abort ();
    decision = rules_decide (region, s_referral, "amber", 2026, 11, 20, s_arena);
    if (!decision || !rules_outcome_name (decision->outcome))
        abort ();
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    const char *base = access ("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    //  A directory of this process's own (created, so never another's).
    snprintf (s_dir, sizeof s_dir, "%s/fuzz_region.%d", base, (int) getpid ());
    if (mkdir (s_dir, 0700) != 0)
        abort ();
    snprintf (s_path_a, sizeof s_path_a, "%s/a.json", s_dir);
    snprintf (s_path_b, sizeof s_path_b, "%s/b.json", s_dir);
    atexit (s_cleanup);
    s_arena = kw_arena_new (65536);
    s_example_arena = kw_arena_new (65536);
    s_referral = s_example ();
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static const char separator [] = "\n---\n";
    const uint8_t *second = size ? memmem (data, size, separator, sizeof separator - 1) : NULL;
    size_t first_len = second ? (size_t) (second - data) : size;

    char err [512];
    region_t *region = region_parse ((const char *) data, first_len, "a.json", err, sizeof err);
    if (region) {
        s_use (region);
        region_destroy (&region);
    }
    else
    if (!memchr (err, 0, sizeof err) || strncmp (err, "a.json: ", 8) != 0)
        abort ();                           //  the error names the file
    //  The assignment service reads the same file for its own section.
    settings_region_t settings;
    if (settings_parse ((const char *) data, first_len, "a.json", &settings, err, sizeof err) == 0) {
        if (settings.offer_ttl_seconds < 1 || settings.long_absence_seconds < 3600
        ||  settings.refusals_before_waiting < 1 || settings.refusals_before_waiting > 50
        ||  settings.weights.suggested < 0 || settings.weights.suggested > 1000 || !*settings.id)
            abort ();
    }
    else
    if (!memchr (err, 0, sizeof err) || strncmp (err, "a.json: ", 8) != 0)
        abort ();
    kw_arena_reset (s_arena);
    if (!second)
        return 0;

    s_write (s_path_a, data, first_len);
    second += sizeof separator - 1;
    s_write (s_path_b, second, size - (size_t) (second - data));
    region_set_t *set = region_set_load (s_dir, err, sizeof err);
    if (set) {
        size_t count = region_set_count (set);
        if (count != 2)
            abort ();
        for (size_t i = 0; i < count; i++) {
            const region_t *r = region_set_at (set, i);
            if (region_set_find (set, r->id) != r)
                abort ();
            s_use (r);
        }
        if (strcmp (region_set_at (set, 0)->id, region_set_at (set, 1)->id) == 0)
            abort ();
        region_set_destroy (&set);
    }
    else
    if (!memchr (err, 0, sizeof err) || !strstr (err, s_dir))
        abort ();
    kw_arena_reset (s_arena);
    return 0;
}
