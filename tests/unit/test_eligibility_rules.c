/*  Unit tests for the eligibility rules and the region loader: the shipped
    norfolk and nhse rule sets (deploy/regions, run from the repository
    root), each criterion alone, the edges of age and the tri-state of
    missing data, and the loader's strictness. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "../../services/eligibility/region.h"
#include "../../services/eligibility/rules.h"
#include "tap.h"

typedef struct {
    Kw__ReferralBody body;
    Kw__Child child;
    Kw__Needs needs;
    Kw__Professional professionals [6];
    Kw__Professional *list [6];
} fixture_t;

//  A referral that meets every criterion of both rule sets on 2026-11-25.
static void
s_fixture (fixture_t *f)
{
    static const char *const names [] = { "R Patel", "L Green", "M Brown", "A Black", "B White", "C Grey" };
    static const char *const agencies [] = { "Community Health", "Children's Services", "Riverside School",
                                             "Agency D", "Agency E", "Agency F" };
    memset (f, 0, sizeof *f);
    kw__referral_body__init (&f->body);
    kw__child__init (&f->child);
    kw__needs__init (&f->needs);
    f->child.date_of_birth = "2015-03-02";
    f->child.gp_practice = "D82001";
    f->child.has_in_complex_needs_school = 1;
    f->child.in_complex_needs_school = 0;
    f->needs.has_complex_health_needs = 1;
    f->needs.complex_health_needs = 1;
    f->needs.has_high_level_of_need = 1;
    f->needs.high_level_of_need = 0;
    f->needs.has_learning_disability = 1;
    f->needs.learning_disability = 0;
    f->needs.has_autism = 1;
    f->needs.autism = 1;
    f->needs.has_inpatient = 1;
    f->needs.inpatient = 1;
    for (size_t i = 0; i < 6; i++) {
        kw__professional__init (&f->professionals [i]);
        f->professionals [i].name = (char *) names [i];
        f->professionals [i].agency = (char *) agencies [i];
        f->list [i] = &f->professionals [i];
    }
    f->body.child = &f->child;
    f->body.needs = &f->needs;
    f->body.professionals = f->list;
    f->body.n_professionals = 3;
}

static const Kw__Criterion *
s_find (const Kw__EligibilityDecision *decision, const char *id)
{
    for (size_t i = 0; i < decision->n_criteria; i++)
        if (strcmp (decision->criteria [i]->id, id) == 0)
            return decision->criteria [i];
    return NULL;
}

//  1 met, 0 not met, -1 unknown, -2 no such criterion.
static int
s_state (const Kw__EligibilityDecision *decision, const char *id)
{
    const Kw__Criterion *c = s_find (decision, id);
    if (!c)
        return -2;
    return c->has_met ? (c->met ? 1 : 0) : -1;
}

static const char *
s_detail (const Kw__EligibilityDecision *decision, const char *id)
{
    const Kw__Criterion *c = s_find (decision, id);
    return c && c->detail ? c->detail : "";
}

static int
s_has_missing (const Kw__EligibilityDecision *decision, const char *path)
{
    for (size_t i = 0; i < decision->n_missing; i++)
        if (strcmp (decision->missing [i], path) == 0)
            return 1;
    return 0;
}

static const char *
s_outcome (const Kw__EligibilityDecision *decision)
{
    const char *name = decision->has_outcome ? rules_outcome_name (decision->outcome) : NULL;
    return name ? name : "(none)";
}

//  Every criterion other than failing is met.
static int
s_only_fails (const Kw__EligibilityDecision *decision, const char *failing)
{
    for (size_t i = 0; i < decision->n_criteria; i++) {
        const Kw__Criterion *c = decision->criteria [i];
        int want = strcmp (c->id, failing) != 0;
        if (!c->has_met || c->met != want)
            return 0;
    }
    return 1;
}

static Kw__EligibilityDecision *
s_decide (const region_t *region, fixture_t *f, kw_arena_t *arena)
{
    return rules_decide (region, &f->body, NULL, 2026, 11, 25, arena);
}

static void
s_test_norfolk (const region_t *norfolk, kw_arena_t *arena)
{
    fixture_t f;
    s_fixture (&f);
    Kw__EligibilityDecision *d = s_decide (norfolk, &f, arena);
    is_str (s_outcome (d), "eligible", "norfolk: an eligible referral");
    is_int (d->n_criteria, 4, "norfolk: four criteria");
    ok (s_state (d, "age") == 1 && s_state (d, "gp") == 1 && s_state (d, "need") == 1
        && s_state (d, "professionals") == 1, "norfolk: all four met");
    is_int (d->n_missing, 0, "norfolk: nothing missing");
    is_str (d->ruleset, "norfolk", "norfolk: rule set name");
    ok (d->has_version && d->version == 1, "norfolk: rule set version");
    is_str (s_detail (d, "age"), "age 11 at 2026-11-25, limit 18", "norfolk: age detail");
    is_str (s_detail (d, "professionals"), "3 professionals from 3 agencies", "norfolk: professionals detail");
    ok (strstr (s_detail (d, "gp"), "D82") != NULL, "norfolk: gp detail names the prefix");
    is_str (s_find (d, "age")->description, region_criterion_description (norfolk, "age"),
            "norfolk: description from the region file");

    s_fixture (&f);
    f.child.date_of_birth = "2000-01-01";
    d = s_decide (norfolk, &f, arena);
    is_str (s_outcome (d), "ineligible", "norfolk: too old is ineligible");
    ok (s_only_fails (d, "age"), "norfolk: only age fails");

    s_fixture (&f);
    f.child.gp_practice = "A81001";
    d = s_decide (norfolk, &f, arena);
    is_str (s_outcome (d), "ineligible", "norfolk: GP out of region is ineligible");
    ok (s_only_fails (d, "gp"), "norfolk: only gp fails");

    s_fixture (&f);
    f.child.gp_practice = "d82123";
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "gp"), 1, "norfolk: GP prefix is case-insensitive");

    s_fixture (&f);
    f.needs.complex_health_needs = 0;
    d = s_decide (norfolk, &f, arena);
    is_str (s_outcome (d), "ineligible", "norfolk: no need is ineligible");
    ok (s_only_fails (d, "need"), "norfolk: only need fails");

    s_fixture (&f);
    f.needs.complex_health_needs = 0;
    f.needs.high_level_of_need = 1;
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "need"), 1, "norfolk: a high level of need alone is enough");

    s_fixture (&f);
    f.body.n_professionals = 2;
    d = s_decide (norfolk, &f, arena);
    is_str (s_outcome (d), "ineligible", "norfolk: two professionals is ineligible");
    ok (s_only_fails (d, "professionals"), "norfolk: only professionals fails");
    is_str (s_detail (d, "professionals"), "2 professionals from 2 agencies; need 3 from 2",
            "norfolk: professionals shortfall detail");
}

static void
s_test_norfolk_age (const region_t *norfolk, kw_arena_t *arena)
{
    fixture_t f;
    s_fixture (&f);
    f.child.date_of_birth = "2008-11-26";
    Kw__EligibilityDecision *d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "age"), 1, "norfolk: 17 the day before the 18th birthday is met");

    s_fixture (&f);
    f.child.date_of_birth = "2008-11-25";
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "age"), 0, "norfolk: 18 not in a complex needs school is not met");
    is_str (s_outcome (d), "ineligible", "norfolk: 18 not in a complex needs school is ineligible");

    f.child.in_complex_needs_school = 1;
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "age"), 1, "norfolk: 18 in a complex needs school is met");
    is_str (s_outcome (d), "eligible", "norfolk: 18 in a complex needs school is eligible");

    f.child.has_in_complex_needs_school = 0;
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "age"), -1, "norfolk: 18 with school unknown is unknown");
    is_str (s_outcome (d), "more_information_needed", "norfolk: 18 with school unknown needs information");
    ok (s_has_missing (d, "child.in_complex_needs_school"), "norfolk: school listed missing");

    s_fixture (&f);
    f.child.date_of_birth = "2007-11-25";
    f.child.in_complex_needs_school = 1;
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "age"), 0, "norfolk: 19 in a complex needs school is not met");

    //  Leap-day birthdays count from 1 March in common years.
    s_fixture (&f);
    f.child.date_of_birth = "2008-02-29";
    d = rules_decide (norfolk, &f.body, NULL, 2026, 2, 28, arena);
    is_int (s_state (d, "age"), 1, "norfolk: born 29 Feb 2008 is 17 on 28 Feb 2026");
    is_str (s_detail (d, "age"), "age 17 at 2026-02-28, limit 18", "norfolk: leap-day age detail");
    d = rules_decide (norfolk, &f.body, NULL, 2026, 3, 1, arena);
    is_int (s_state (d, "age"), 0, "norfolk: born 29 Feb 2008 is 18 on 1 Mar 2026");
    f.child.date_of_birth = "2010-02-28";
    d = rules_decide (norfolk, &f.body, NULL, 2028, 2, 28, arena);
    is_str (s_detail (d, "age"), "age 18 at 2028-02-28, limit 18", "norfolk: 28 Feb birthday in a leap year");

    s_fixture (&f);
    f.child.date_of_birth = NULL;
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "age"), -1, "norfolk: no date of birth is unknown");
    ok (s_has_missing (d, "child.date_of_birth"), "norfolk: date of birth listed missing");

    f.child.date_of_birth = "2015-02-30";
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "age"), -1, "norfolk: an impossible date of birth is unknown");
}

static void
s_test_norfolk_missing (const region_t *norfolk, kw_arena_t *arena)
{
    fixture_t f;
    s_fixture (&f);
    f.child.gp_practice = NULL;
    Kw__EligibilityDecision *d = s_decide (norfolk, &f, arena);
    is_str (s_outcome (d), "more_information_needed", "norfolk: missing GP needs information");
    ok (s_has_missing (d, "child.gp_practice"), "norfolk: child.gp_practice listed missing");
    is_int (d->n_missing, 1, "norfolk: only the GP is missing");
    const Kw__Criterion *gp = s_find (d, "gp");
    ok (gp && !gp->has_met, "norfolk: gp met is absent");

    size_t size = kw__eligibility_decision__get_packed_size (d);
    uint8_t *packed = kw_arena_alloc (arena, size);
    kw__eligibility_decision__pack (d, packed);
    Kw__EligibilityDecision *back = kw__eligibility_decision__unpack (kw_arena_allocator (arena), size, packed);
    ok (back && s_state (back, "gp") == -1 && s_state (back, "age") == 1,
        "norfolk: met stays absent through pack and unpack");

    f.child.gp_practice = "  ";
    d = s_decide (norfolk, &f, arena);
    ok (s_has_missing (d, "child.gp_practice"), "norfolk: a blank GP is missing");

    //  Something false beats something missing.
    f.child.date_of_birth = "1990-01-01";
    d = s_decide (norfolk, &f, arena);
    is_str (s_outcome (d), "ineligible", "norfolk: unmet and missing is ineligible");

    s_fixture (&f);
    f.body.needs = NULL;
    d = s_decide (norfolk, &f, arena);
    is_str (s_outcome (d), "more_information_needed", "norfolk: no needs needs information");
    ok (s_has_missing (d, "needs.complex_health_needs") && s_has_missing (d, "needs.high_level_of_need"),
        "norfolk: both needs listed missing");

    s_fixture (&f);
    f.needs.complex_health_needs = 0;
    f.needs.has_high_level_of_need = 0;
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "need"), -1, "norfolk: one need false, one unknown is unknown");
    ok (s_has_missing (d, "needs.high_level_of_need") && !s_has_missing (d, "needs.complex_health_needs"),
        "norfolk: only the unknown need listed missing");

    s_fixture (&f);
    f.body.n_professionals = 0;
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "professionals"), -1, "norfolk: no professionals is unknown");
    ok (s_has_missing (d, "professionals"), "norfolk: professionals listed missing");
}

static void
s_test_professionals (const region_t *norfolk, kw_arena_t *arena)
{
    fixture_t f;
    s_fixture (&f);
    f.professionals [0].email = "r.patel@example.org";
    f.professionals [1].email = "R.Patel@Example.org ";
    f.professionals [1].name = "Someone Else";
    Kw__EligibilityDecision *d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "professionals"), 0, "professionals: the same email twice counts once");
    is_str (s_detail (d, "professionals"), "2 professionals from 2 agencies; need 3 from 2",
            "professionals: two distinct by email");

    f.body.n_professionals = 4;
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "professionals"), 1, "professionals: a fourth makes three distinct");

    s_fixture (&f);
    f.professionals [1].name = " r patel";
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "professionals"), 0, "professionals: the same name without email counts once");

    s_fixture (&f);
    f.professionals [0].agency = "Agency A";
    f.professionals [1].agency = " agency a ";
    f.professionals [2].agency = "AGENCY A";
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "professionals"), 0, "professionals: one agency however spelt is not met");
    is_str (s_detail (d, "professionals"), "3 professionals from 1 agency; need 3 from 2",
            "professionals: agencies compared trimmed and case-insensitive");

    f.professionals [2].agency = "Agency B";
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "professionals"), 1, "professionals: 3 from 2 agencies is met");

    s_fixture (&f);
    f.professionals [0].agency = "Agency A";
    f.professionals [1].agency = "Agency A";
    f.professionals [2].agency = NULL;
    d = s_decide (norfolk, &f, arena);
    is_int (s_state (d, "professionals"), -1, "professionals: a missing agency that could decide is unknown");
    ok (s_has_missing (d, "professionals[2].agency"), "professionals: the missing agency listed");
}

static void
s_test_nhse (const region_t *nhse, kw_arena_t *arena)
{
    fixture_t f;
    s_fixture (&f);
    f.child.date_of_birth = "2004-06-01";
    f.child.gp_practice = NULL;
    f.body.n_professionals = 0;
    Kw__EligibilityDecision *d = s_decide (nhse, &f, arena);
    is_str (s_outcome (d), "eligible", "nhse: an eligible referral");
    is_int (d->n_criteria, 3, "nhse: three criteria");
    ok (s_state (d, "age") == 1 && s_state (d, "ld_or_autism") == 1 && s_state (d, "risk") == 1,
        "nhse: all three met");
    is_str (s_detail (d, "age"), "age 22 at 2026-11-25, limit 25", "nhse: age detail");
    is_str (d->ruleset, "nhse", "nhse: rule set name");

    f.child.date_of_birth = "2001-11-25";
    d = s_decide (nhse, &f, arena);
    is_str (s_outcome (d), "ineligible", "nhse: 25 is ineligible");
    ok (s_only_fails (d, "age"), "nhse: only age fails");

    f.child.date_of_birth = "2004-02-29";
    d = rules_decide (nhse, &f.body, NULL, 2029, 2, 28, arena);
    is_int (s_state (d, "age"), 1, "nhse: born 29 Feb 2004 is 24 on 28 Feb 2029");
    d = rules_decide (nhse, &f.body, NULL, 2029, 3, 1, arena);
    is_int (s_state (d, "age"), 0, "nhse: born 29 Feb 2004 is 25 on 1 Mar 2029");
    d = rules_decide (nhse, &f.body, NULL, 2028, 2, 29, arena);
    is_str (s_detail (d, "age"), "age 24 at 2028-02-29, limit 25", "nhse: leap-day birthday in a leap year");

    s_fixture (&f);
    f.needs.autism = 0;
    d = s_decide (nhse, &f, arena);
    is_str (s_outcome (d), "ineligible", "nhse: neither LD nor autism is ineligible");
    ok (s_only_fails (d, "ld_or_autism"), "nhse: only ld_or_autism fails");

    f.needs.learning_disability = 1;
    d = s_decide (nhse, &f, arena);
    is_int (s_state (d, "ld_or_autism"), 1, "nhse: a learning disability alone is enough");

    s_fixture (&f);
    f.needs.inpatient = 0;
    d = s_decide (nhse, &f, arena);
    is_str (s_outcome (d), "ineligible", "nhse: not an inpatient is ineligible");
    ok (s_only_fails (d, "risk"), "nhse: only risk fails");
    ok (strstr (s_detail (d, "risk"), "not on the DSR") != NULL, "nhse: risk detail says not on the DSR");

    //  The DSR rating: the region's ratings (red, amber, blue) count; green
    //  does not; an inpatient counts whatever the rating.
    static const struct { const char *rating; int met; } ratings [] = {
        { "red", 1 }, { "amber", 1 }, { "blue", 1 }, { "green", 0 }, { "purple", 0 }
    };
    for (size_t i = 0; i < sizeof ratings / sizeof ratings [0]; i++) {
        d = rules_decide (nhse, &f.body, ratings [i].rating, 2026, 11, 25, arena);
        is_int (s_state (d, "risk"), ratings [i].met, "nhse: not an inpatient, rated %s", ratings [i].rating);
        ok (strstr (s_detail (d, "risk"), ratings [i].rating) != NULL,
            "nhse: the risk detail names the rating %s", ratings [i].rating);
        is_str (s_outcome (d), ratings [i].met ? "eligible" : "ineligible",
                "nhse: rated %s decides the outcome", ratings [i].rating);
    }
    f.needs.inpatient = 1;
    d = rules_decide (nhse, &f.body, "green", 2026, 11, 25, arena);
    is_int (s_state (d, "risk"), 1, "nhse: an inpatient rated green is at risk");
    f.needs.inpatient = 0;
    f.needs.has_inpatient = 0;
    d = rules_decide (nhse, &f.body, "amber", 2026, 11, 25, arena);
    is_int (s_state (d, "risk"), 1, "nhse: rated amber with inpatient status unknown is met");
    ok (!s_has_missing (d, "needs.inpatient"), "nhse: and nothing is missing for it");
    d = rules_decide (nhse, &f.body, "green", 2026, 11, 25, arena);
    is_int (s_state (d, "risk"), -1, "nhse: rated green with inpatient status unknown is unknown");
    f.needs.has_inpatient = 1;

    f.needs.has_inpatient = 0;
    d = s_decide (nhse, &f, arena);
    is_str (s_outcome (d), "more_information_needed", "nhse: inpatient unknown needs information");
    ok (s_has_missing (d, "needs.inpatient"), "nhse: needs.inpatient listed missing");
}

static const char *s_valid =
    "{\"region\": \"test\", \"name\": \"test\", \"rules\": \"norfolk\", \"version\": 2,"
    " \"time_zone\": \"Europe/London\", \"gp_prefixes\": [\"X1\"],"
    " \"criteria\": [{\"id\": \"age\", \"description\": \"a\"}, {\"id\": \"gp\", \"description\": \"g\"},"
    " {\"id\": \"need\", \"description\": \"n\"}, {\"id\": \"professionals\", \"description\": \"p\"}]%s}";

static void
s_write (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    if (file) {
        fputs (text, file);
        fclose (file);
    }
}

//  Load a region file with text; NULL with err filled when rejected.
static region_t *
s_load_text (const char *dir, const char *text, char *err, size_t err_size)
{
    char path [512];
    snprintf (path, sizeof path, "%s/region.json", dir);
    s_write (path, text);
    region_t *region = region_load_file (path, err, err_size);
    unlink (path);
    return region;
}

static void
s_test_loader (void)
{
    char dir [64];
    snprintf (dir, sizeof dir, "/tmp/kw_regions_%d", (int) getpid ());
    if (mkdir (dir, 0700) != 0) {
        ok (0, "loader: temporary directory");
        return;
    }
    char text [2048], err [512];
    snprintf (text, sizeof text, s_valid, "");
    region_t *region = s_load_text (dir, text, err, sizeof err);
    ok (region != NULL, "loader: a valid file loads");
    if (region) {
        ok (region->rules == REGION_RULES_NORFOLK && region->version == 2
            && region->gp_prefix_count == 1, "loader: fields read");
        region_destroy (&region);
    }
    else
        tap_diag ("%s", err);

    snprintf (text, sizeof text, s_valid, ", \"colour\": \"blue\"");
    region = s_load_text (dir, text, err, sizeof err);
    ok (region == NULL, "loader: an unknown key is rejected");
    ok (strstr (err, "region.json") && strstr (err, "colour"), "loader: the error names file and key");
    region_destroy (&region);

    region = s_load_text (dir, "{\"region\": \"test\", ", err, sizeof err);
    ok (region == NULL, "loader: malformed JSON is rejected");
    ok (strstr (err, "region.json") != NULL, "loader: the error names the file");
    region_destroy (&region);

    snprintf (text, sizeof text, s_valid, ", \"dsr_ratings\": [\"red\"]");
    region = s_load_text (dir, text, err, sizeof err);
    ok (region == NULL && strstr (err, "dsr_ratings"), "loader: a key of the other rules is rejected");
    region_destroy (&region);

    region = s_load_text (dir,
        "{\"region\": \"test\", \"name\": \"t\", \"rules\": \"norfolk\", \"version\": \"1\","
        " \"time_zone\": \"UTC\", \"gp_prefixes\": [\"X\"], \"criteria\": []}", err, sizeof err);
    ok (region == NULL && strstr (err, "version"), "loader: a wrong type names the field");
    region_destroy (&region);

    region = s_load_text (dir,
        "{\"region\": \"test\", \"name\": \"t\", \"rules\": \"norfolk\", \"version\": 1,"
        " \"time_zone\": \"UTC\", \"gp_prefixes\": [\"X\"],"
        " \"criteria\": [{\"id\": \"age\", \"description\": \"a\"}]}", err, sizeof err);
    ok (region == NULL && strstr (err, "criteria"), "loader: a missing criterion is rejected");
    region_destroy (&region);

    region = s_load_text (dir,
        "{\"region\": \"test\", \"name\": \"t\", \"rules\": \"nhse\", \"version\": 1,"
        " \"time_zone\": \"UTC\", \"dsr_ratings\": [\"red\"], \"criteria\": ["
        "{\"id\": \"age\", \"description\": \"a\"}, {\"id\": \"ld_or_autism\", \"description\": \"l\"},"
        " {\"id\": \"risk\", \"description\": \"r\", \"weight\": 2}]}", err, sizeof err);
    ok (region == NULL && strstr (err, "criteria[2].weight"), "loader: an unknown criterion key is rejected");
    region_destroy (&region);

    //  A directory with one bad file fails as a whole.
    char path [512];
    snprintf (path, sizeof path, "%s/good.json", dir);
    snprintf (text, sizeof text, s_valid, "");
    s_write (path, text);
    region_set_t *set = region_set_load (dir, err, sizeof err);
    ok (set && region_set_count (set) == 1 && region_set_find (set, "test"), "loader: a directory loads");
    region_set_destroy (&set);
    char bad [512];
    snprintf (bad, sizeof bad, "%s/bad.json", dir);
    s_write (bad, "not json");
    set = region_set_load (dir, err, sizeof err);
    ok (set == NULL && strstr (err, "bad.json"), "loader: a bad file fails the directory");
    region_set_destroy (&set);
    unlink (bad);
    snprintf (bad, sizeof bad, "%s/again.json", dir);
    s_write (bad, text);
    set = region_set_load (dir, err, sizeof err);
    ok (set == NULL && strstr (err, "another file"), "loader: a region defined twice is rejected");
    region_set_destroy (&set);
    unlink (bad);
    unlink (path);
    set = region_set_load (dir, err, sizeof err);
    ok (set == NULL, "loader: an empty directory is rejected");
    rmdir (dir);
}

int
main (void)
{
    char err [512] = "";
    region_set_t *regions = region_set_load ("deploy/regions", err, sizeof err);
    ok (regions != NULL, "deploy/regions loads");
    if (!regions) {
        tap_diag ("%s", err);
        return tap_done ();
    }
    const region_t *norfolk = region_set_find (regions, "norfolk");
    const region_t *nhse = region_set_find (regions, "nhse");
    ok (norfolk && norfolk->rules == REGION_RULES_NORFOLK, "norfolk region with norfolk rules");
    ok (nhse && nhse->rules == REGION_RULES_NHSE, "nhse region with nhse rules");
    ok (region_set_find (regions, "atlantis") == NULL, "an unknown region is not found");
    if (norfolk && nhse) {
        kw_arena_t *arena = kw_arena_new (16 * 1024);
        s_test_norfolk (norfolk, arena);
        s_test_norfolk_age (norfolk, arena);
        s_test_norfolk_missing (norfolk, arena);
        s_test_professionals (norfolk, arena);
        s_test_nhse (nhse, arena);
        kw_arena_destroy (&arena);
    }
    region_set_destroy (&regions);
    s_test_loader ();
    return tap_done ();
}
