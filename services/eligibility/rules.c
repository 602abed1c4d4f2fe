/*  rules: the norfolk and nhse eligibility rules (API.md "Eligibility").
    Details explain each result without personal data: ages, counts and
    configured codes, never names or the referral's own values. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kw_time.h"
#include "rules.h"

typedef struct {
    const region_t *region;
    kw_arena_t *arena;
    Kw__EligibilityDecision *decision;
    size_t missing_capacity;
    char date [16];             //  the decision date, YYYY-MM-DD
    int y, m, d;
    const char *dsr_rating;     //  the child's DSR rating, NULL when not on the DSR
} decide_t;

const char *
rules_outcome_name (Kw__Outcome outcome)
{
    switch (outcome) {
        case KW__OUTCOME__OUTCOME_ELIGIBLE: return "eligible";
        case KW__OUTCOME__OUTCOME_INELIGIBLE: return "ineligible";
        case KW__OUTCOME__OUTCOME_MORE_INFORMATION_NEEDED: return "more_information_needed";
        default: return NULL;
    }
}

//  Start the criterion id with the region's description.
static Kw__Criterion *
s_criterion (decide_t *self, const char *id)
{
    Kw__Criterion *c = kw_arena_alloc (self->arena, sizeof *c);
    kw__criterion__init (c);
    c->id = (char *) id;
    const char *description = region_criterion_description (self->region, id);
    c->description = (char *) (description ? description : "");
    self->decision->criteria [self->decision->n_criteria++] = c;
    return c;
}

static void
s_detail (decide_t *self, Kw__Criterion *c, const char *fmt, va_list ap)
{
    char buf [256];
    vsnprintf (buf, sizeof buf, fmt, ap);
    c->detail = kw_arena_strdup (self->arena, buf);
}

static void
s_met (decide_t *self, Kw__Criterion *c, int met, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static void
s_met (decide_t *self, Kw__Criterion *c, int met, const char *fmt, ...)
{
    c->has_met = 1;
    c->met = met ? 1 : 0;
    va_list ap;
    va_start (ap, fmt);
    s_detail (self, c, fmt, ap);
    va_end (ap);
}

static void
s_unknown (decide_t *self, Kw__Criterion *c, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static void
s_unknown (decide_t *self, Kw__Criterion *c, const char *fmt, ...)
{
    c->has_met = 0;
    va_list ap;
    va_start (ap, fmt);
    s_detail (self, c, fmt, ap);
    va_end (ap);
}

//  Record a missing field path once.
static void
s_missing (decide_t *self, const char *path)
{
    Kw__EligibilityDecision *decision = self->decision;
    for (size_t i = 0; i < decision->n_missing; i++)
        if (strcmp (decision->missing [i], path) == 0)
            return;
    if (decision->n_missing < self->missing_capacity)
        decision->missing [decision->n_missing++] = kw_arena_strdup (self->arena, path);
}

//  An optional bool: 1 true, 0 false, -1 absent.
static int
s_flag (const void *present, protobuf_c_boolean has, protobuf_c_boolean value)
{
    if (!present || !has)
        return -1;
    return value ? 1 : 0;
}

//  s trimmed and lower-cased in the arena; NULL when absent or blank.
static char *
s_norm (kw_arena_t *arena, const char *s)
{
    if (!s)
        return NULL;
    while (isspace ((unsigned char) *s))
        s++;
    size_t len = strlen (s);
    while (len > 0 && isspace ((unsigned char) s [len - 1]))
        len--;
    if (len == 0)
        return NULL;
    char *out = kw_arena_strndup (arena, s, len);
    for (char *p = out; *p; p++)
        *p = (char) tolower ((unsigned char) *p);
    return out;
}

//  The child's age at the decision date into *age: 0, or -1 when the date
//  of birth is missing or unusable (the criterion is then unknown).
static int
s_age (decide_t *self, Kw__Criterion *c, const Kw__ReferralBody *body, int *age)
{
    const Kw__Child *child = body->child;
    int by, bm, bd;
    if (!child || !child->date_of_birth || !*child->date_of_birth) {
        s_unknown (self, c, "no date of birth given");
        s_missing (self, "child.date_of_birth");
        return -1;
    }
    if (kw_date_parse (child->date_of_birth, &by, &bm, &bd) != 0) {
        s_unknown (self, c, "date of birth is not a valid date");
        s_missing (self, "child.date_of_birth");
        return -1;
    }
    *age = kw_age_years (by, bm, bd, self->y, self->m, self->d);
    if (*age < 0) {
        s_unknown (self, c, "date of birth is after %s", self->date);
        s_missing (self, "child.date_of_birth");
        return -1;
    }
    return 0;
}

//  norfolk age: under 18, or under 19 when in a complex needs school.
static void
s_norfolk_age (decide_t *self, const Kw__ReferralBody *body)
{
    Kw__Criterion *c = s_criterion (self, "age");
    int age;
    if (s_age (self, c, body, &age) != 0)
        return;
    const Kw__Child *child = body->child;
    int school = s_flag (child, child->has_in_complex_needs_school, child->in_complex_needs_school);
    if (age < 18)
        s_met (self, c, 1, "age %d at %s, limit 18", age, self->date);
    else
    if (school == 1)
        s_met (self, c, age < 19, "age %d at %s, limit 19 in a complex needs school", age, self->date);
    else
    if (age >= 19 || school == 0)
        s_met (self, c, 0, "age %d at %s, limit 18", age, self->date);
    else {
        s_unknown (self, c, "age %d at %s, limit 18, or 19 in a complex needs school", age, self->date);
        s_missing (self, "child.in_complex_needs_school");
    }
}

//  norfolk gp: the practice code starts with a configured prefix.
static void
s_norfolk_gp (decide_t *self, const Kw__ReferralBody *body)
{
    Kw__Criterion *c = s_criterion (self, "gp");
    const region_t *region = self->region;
    char prefixes [256] = "";
    size_t used = 0;
    for (size_t i = 0; i < region->gp_prefix_count && used < sizeof prefixes; i++)
        used += (size_t) snprintf (prefixes + used, sizeof prefixes - used, "%s%s",
                                   i ? (i + 1 == region->gp_prefix_count ? " or " : ", ") : "",
                                   region->gp_prefixes [i]);
    char *code = s_norm (self->arena, body->child ? body->child->gp_practice : NULL);
    if (!code) {
        s_unknown (self, c, "no GP practice given");
        s_missing (self, "child.gp_practice");
        return;
    }
    for (size_t i = 0; i < region->gp_prefix_count; i++) {
        const char *prefix = region->gp_prefixes [i];
        if (strncasecmp (code, prefix, strlen (prefix)) == 0) {
            s_met (self, c, 1, "practice code starts with %s", prefix);
            return;
        }
    }
    s_met (self, c, 0, "practice code does not start with %s", prefixes);
}

//  Either of two needs flags: met when one is true, not met when both are
//  false, else unknown with the absent ones missing.
static void
s_either (decide_t *self, const char *id,
          int a, const char *a_path, const char *a_text,
          int b, const char *b_path, const char *b_text)
{
    Kw__Criterion *c = s_criterion (self, id);
    if (a == 1 && b == 1)
        s_met (self, c, 1, "%s and %s", a_text, b_text);
    else
    if (a == 1 || b == 1)
        s_met (self, c, 1, "%s", a == 1 ? a_text : b_text);
    else
    if (a == 0 && b == 0)
        s_met (self, c, 0, "neither %s nor %s", a_text, b_text);
    else {
        s_unknown (self, c, "%s or %s not stated", a_text, b_text);
        if (a < 0)
            s_missing (self, a_path);
        if (b < 0)
            s_missing (self, b_path);
    }
}

//  norfolk professionals: at least 3 distinct professionals (by email, else
//  name, case-insensitive) from at least 2 distinct agencies.
static void
s_norfolk_professionals (decide_t *self, const Kw__ReferralBody *body)
{
    Kw__Criterion *c = s_criterion (self, "professionals");
    size_t n = body->n_professionals;
    if (n == 0) {
        s_unknown (self, c, "no professionals given");
        s_missing (self, "professionals");
        return;
    }
    char **people = kw_arena_calloc (self->arena, n * sizeof (char *));
    char **agencies = kw_arena_calloc (self->arena, n * sizeof (char *));
    size_t n_people = 0, n_agencies = 0, no_agency = 0;
    for (size_t i = 0; i < n; i++) {
        const Kw__Professional *p = body->professionals [i];
        if (!p)
            continue;
        char *key = s_norm (self->arena, p->email);
        if (!key)
            key = s_norm (self->arena, p->name);
        if (!key)
            continue;
        size_t j = 0;
        while (j < n_people && strcmp (people [j], key) != 0)
            j++;
        if (j < n_people)
            continue;
        people [n_people++] = key;
        char *agency = s_norm (self->arena, p->agency);
        if (!agency) {
            char path [48];
            snprintf (path, sizeof path, "professionals[%zu].agency", i);
            s_missing (self, path);
            no_agency++;
            continue;
        }
        j = 0;
        while (j < n_agencies && strcmp (agencies [j], agency) != 0)
            j++;
        if (j == n_agencies)
            agencies [n_agencies++] = agency;
    }
    const char *people_s = n_people == 1 ? "" : "s";
    const char *agencies_s = n_agencies == 1 ? "y" : "ies";
    if (n_people >= 3 && n_agencies >= 2)
        s_met (self, c, 1, "%zu professional%s from %zu agenc%s",
               n_people, people_s, n_agencies, agencies_s);
    else
    if (n_people >= 3 && n_agencies + no_agency >= 2)
        s_unknown (self, c, "%zu professional%s from %zu agenc%s, %zu without an agency; need 3 from 2",
                   n_people, people_s, n_agencies, agencies_s, no_agency);
    else
        s_met (self, c, 0, "%zu professional%s from %zu agenc%s; need 3 from 2",
               n_people, people_s, n_agencies, agencies_s);
}

static void
s_norfolk (decide_t *self, const Kw__ReferralBody *body)
{
    const Kw__Needs *needs = body->needs;
    s_norfolk_age (self, body);
    s_norfolk_gp (self, body);
    s_either (self, "need",
              s_flag (needs, needs ? needs->has_complex_health_needs : 0,
                      needs ? needs->complex_health_needs : 0),
              "needs.complex_health_needs", "complex health needs",
              s_flag (needs, needs ? needs->has_high_level_of_need : 0,
                      needs ? needs->high_level_of_need : 0),
              "needs.high_level_of_need", "a high level of need");
    s_norfolk_professionals (self, body);
}

static void
s_nhse (decide_t *self, const Kw__ReferralBody *body)
{
    const Kw__Needs *needs = body->needs;
    Kw__Criterion *c = s_criterion (self, "age");
    int age;
    if (s_age (self, c, body, &age) == 0)
        s_met (self, c, age < 25, "age %d at %s, limit 25", age, self->date);

    s_either (self, "ld_or_autism",
              s_flag (needs, needs ? needs->has_learning_disability : 0,
                      needs ? needs->learning_disability : 0),
              "needs.learning_disability", "a learning disability",
              s_flag (needs, needs ? needs->has_autism : 0, needs ? needs->autism : 0),
              "needs.autism", "autism");

    //  An inpatient, or on the region's DSR with a rating that counts.
    c = s_criterion (self, "risk");
    int inpatient = s_flag (needs, needs ? needs->has_inpatient : 0, needs ? needs->inpatient : 0);
    const char *rating = self->dsr_rating;
    int rated = 0;
    for (size_t i = 0; rating && i < self->region->dsr_rating_count; i++)
        rated |= strcmp (rating, self->region->dsr_ratings [i]) == 0;
    if (inpatient == 1)
        s_met (self, c, 1, "inpatient");
    else
    if (rated)
        s_met (self, c, 1, "on the DSR rated %s", rating);
    else
    if (inpatient == 0)
        s_met (self, c, 0, rating ? "not an inpatient, and rated %s on the DSR"
                                  : "not an inpatient, and not on the DSR%s", rating ? rating : "");
    else {
        s_unknown (self, c, rating ? "inpatient status not stated, and rated %s on the DSR"
                                   : "inpatient status not stated, and not on the DSR%s", rating ? rating : "");
        s_missing (self, "needs.inpatient");
    }
}

Kw__EligibilityDecision *
rules_decide (const region_t *region, const Kw__ReferralBody *body, const char *dsr_rating,
              int y, int m, int d, kw_arena_t *arena)
{
    decide_t self = { .region = region, .arena = arena, .y = y, .m = m, .d = d,
                      .dsr_rating = dsr_rating };
    snprintf (self.date, sizeof self.date, "%04d-%02d-%02d", y, m, d);
    Kw__EligibilityDecision *decision = kw_arena_alloc (arena, sizeof *decision);
    kw__eligibility_decision__init (decision);
    self.decision = decision;
    //  At most 4 criteria; missing paths: a few per criterion and one per professional.
    decision->criteria = kw_arena_calloc (arena, 4 * sizeof (Kw__Criterion *));
    self.missing_capacity = 8 + body->n_professionals;
    decision->missing = kw_arena_calloc (arena, self.missing_capacity * sizeof (char *));
    decision->ruleset = region->name;
    decision->has_version = 1;
    decision->version = region->version;

    if (region->rules == REGION_RULES_NORFOLK)
        s_norfolk (&self, body);
    else
        s_nhse (&self, body);

    int unmet = 0, unknown = 0;
    for (size_t i = 0; i < decision->n_criteria; i++) {
        if (!decision->criteria [i]->has_met)
            unknown++;
        else
        if (!decision->criteria [i]->met)
            unmet++;
    }
    decision->has_outcome = 1;
    decision->outcome = unmet ? KW__OUTCOME__OUTCOME_INELIGIBLE
                      : unknown ? KW__OUTCOME__OUTCOME_MORE_INFORMATION_NEEDED
                      : KW__OUTCOME__OUTCOME_ELIGIBLE;
    return decision;
}
