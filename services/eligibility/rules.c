/*  rules: the eligibility decision over a region's rule tree (region.h) in
    three-valued logic, and the dates a child leaves the service. Details
    explain each result without personal data: ages, counts, field paths and
    configured codes, never names or the referral's own values. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "kw_time.h"
#include "rules.h"

//  A rule's result: met, not met, or unknown (the criterion's has_met = 0).
typedef enum {
    STATE_NOT_MET = 0,
    STATE_MET = 1,
    STATE_UNKNOWN = -1
} state_t;

//  Field paths whose absence leaves a rule unknown, in tree order; may
//  repeat a path (the decision's list does not).
typedef struct _path_t path_t;
struct _path_t {
    const char *path;
    path_t *next;
};

typedef struct {
    path_t *head;
    path_t *tail;
} paths_t;

typedef struct {
    const region_t *region;
    const Kw__ReferralBody *body;
    const char *dsr_rating;     //  the child's DSR rating, NULL when not on the DSR
    kw_arena_t *arena;
    char date [16];             //  the decision date, YYYY-MM-DD
    int y, m, d;
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

static state_t
s_state (const Kw__Criterion *c)
{
    return c->has_met ? (c->met ? STATE_MET : STATE_NOT_MET) : STATE_UNKNOWN;
}

//  Set the criterion's result and its detail.
static void
s_result (decide_t *self, Kw__Criterion *c, state_t state, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static void
s_result (decide_t *self, Kw__Criterion *c, state_t state, const char *fmt, ...)
{
    c->has_met = state != STATE_UNKNOWN;
    c->met = state == STATE_MET;
    char buf [256];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (buf, sizeof buf, fmt, ap);
    va_end (ap);
    c->detail = kw_arena_strdup (self->arena, buf);
}

static void
s_missing (decide_t *self, paths_t *paths, const char *path)
{
    path_t *node = kw_arena_alloc (self->arena, sizeof *node);
    node->path = path;
    node->next = NULL;
    if (paths->tail)
        paths->tail->next = node;
    else
        paths->head = node;
    paths->tail = node;
}

//  Move the paths of from to the end of to.
static void
s_missing_append (paths_t *to, paths_t *from)
{
    if (!from->head)
        return;
    if (to->tail)
        to->tail->next = from->head;
    else
        to->head = from->head;
    to->tail = from->tail;
    from->head = from->tail = NULL;
}

static int
s_path_listed (const path_t *head, const path_t *until, const char *path)
{
    for (const path_t *p = head; p != until; p = p->next)
        if (strcmp (p->path, path) == 0)
            return 1;
    return 0;
}

//  The distinct paths in order into a new array of *count.
static char **
s_missing_list (decide_t *self, const paths_t *paths, size_t *count)
{
    size_t n = 0;
    for (const path_t *p = paths->head; p; p = p->next)
        n++;
    char **list = kw_arena_alloc (self->arena, (n ? n : 1) * sizeof (char *));
    *count = 0;
    for (const path_t *p = paths->head; p; p = p->next)
        if (!s_path_listed (paths->head, p, p->path))
            list [(*count)++] = (char *) p->path;
    return list;
}

int
rules_flag (const Kw__ReferralBody *body, region_flag_t flag)
{
    const Kw__Child *child = body->child;
    const Kw__Needs *needs = body->needs;
    switch (flag) {
        case FLAG_IN_COMPLEX_NEEDS_SCHOOL:
            return child && child->has_in_complex_needs_school ? child->in_complex_needs_school != 0 : -1;
        case FLAG_COMPLEX_HEALTH_NEEDS:
            return needs && needs->has_complex_health_needs ? needs->complex_health_needs != 0 : -1;
        case FLAG_HIGH_LEVEL_OF_NEED:
            return needs && needs->has_high_level_of_need ? needs->high_level_of_need != 0 : -1;
        case FLAG_LEARNING_DISABILITY:
            return needs && needs->has_learning_disability ? needs->learning_disability != 0 : -1;
        case FLAG_AUTISM:
            return needs && needs->has_autism ? needs->autism != 0 : -1;
        case FLAG_INPATIENT:
            return needs && needs->has_inpatient ? needs->inpatient != 0 : -1;
        default:
            return -1;
    }
}

static const char *
s_flag_path (region_flag_t flag)
{
    const char *path = region_flag_path (flag);
    return path ? path : "(no field)";
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

//  Configured codes as "A, B or C" into buf.
static void
s_codes (char *buf, size_t size, char *const *codes, size_t count)
{
    size_t used = 0;
    buf [0] = '\0';
    for (size_t i = 0; i < count && used < size; i++)
        used += (size_t) snprintf (buf + used, size - used, "%s%s",
                                   i ? (i + 1 == count ? " or " : ", ") : "", codes [i]);
}

//  Under years, or under extended_years when the extended_when flag is true.
static void
s_age_under (decide_t *self, const rule_t *rule, Kw__Criterion *c, paths_t *missing)
{
    const Kw__Child *child = self->body->child;
    const char *dob = child ? child->date_of_birth : NULL;
    int by, bm, bd;
    const char *problem = NULL;
    if (!dob || !*dob)
        problem = "no date of birth given";
    else
    if (kw_date_parse (dob, &by, &bm, &bd) != 0)
        problem = "date of birth is not a valid date";
    else
    if (kw_date_cmp (by, bm, bd, self->y, self->m, self->d) > 0)
        problem = "date of birth is after the decision date";
    if (problem) {
        s_result (self, c, STATE_UNKNOWN, "%s", problem);
        s_missing (self, missing, "child.date_of_birth");
        return;
    }
    int age = kw_age_years (by, bm, bd, self->y, self->m, self->d);
    int extended = rule->extended_years > rule->years;
    char limit [96];
    if (extended)
        snprintf (limit, sizeof limit, "%u, or %u when %s", rule->years, rule->extended_years,
                  s_flag_path (rule->extended_when));
    else
        snprintf (limit, sizeof limit, "%u", rule->years);

    state_t state;
    if (age < (int) rule->years)
        state = STATE_MET;
    else
    if (!extended || age >= (int) rule->extended_years)
        state = STATE_NOT_MET;
    else {
        int flag = rules_flag (self->body, rule->extended_when);
        state = flag < 0 ? STATE_UNKNOWN : flag ? STATE_MET : STATE_NOT_MET;
    }
    if (state == STATE_UNKNOWN) {
        s_result (self, c, state, "age %d at %s, limit %s (not stated)", age, self->date, limit);
        s_missing (self, missing, s_flag_path (rule->extended_when));
    }
    else
        s_result (self, c, state, "age %d at %s, limit %s", age, self->date, limit);
}

static void
s_flag_rule (decide_t *self, const rule_t *rule, Kw__Criterion *c, paths_t *missing)
{
    const char *path = s_flag_path (rule->field);
    int flag = rules_flag (self->body, rule->field);
    if (flag < 0) {
        s_result (self, c, STATE_UNKNOWN, "%s not stated", path);
        s_missing (self, missing, path);
    }
    else
        s_result (self, c, flag ? STATE_MET : STATE_NOT_MET, "%s is %s", path, flag ? "true" : "false");
}

//  value trimmed and lower-cased; NULL when absent or blank, with the
//  criterion unknown (detail absent) and path missing.
static char *
s_given (decide_t *self, Kw__Criterion *c, paths_t *missing, const char *value, const char *path,
         const char *absent)
{
    char *norm = s_norm (self->arena, value);
    if (!norm) {
        s_result (self, c, STATE_UNKNOWN, "%s", absent);
        s_missing (self, missing, path);
    }
    return norm;
}

//  The practice code starts with one of the region's prefixes.
static void
s_gp_practice (decide_t *self, Kw__Criterion *c, paths_t *missing)
{
    const region_t *region = self->region;
    const Kw__Child *child = self->body->child;
    char *code = s_given (self, c, missing, child ? child->gp_practice : NULL,
                          "child.gp_practice", "no GP practice given");
    if (!code)
        return;
    for (size_t i = 0; i < region->gp_prefix_count; i++) {
        const char *prefix = region->gp_prefixes [i];
        if (strncasecmp (code, prefix, strlen (prefix)) == 0) {
            s_result (self, c, STATE_MET, "practice code starts with %s", prefix);
            return;
        }
    }
    char prefixes [160];
    s_codes (prefixes, sizeof prefixes, region->gp_prefixes, region->gp_prefix_count);
    s_result (self, c, STATE_NOT_MET, "practice code does not start with %s", prefixes);
}

//  The postcode's district (outward code: before the space, or all but the
//  last 3 characters) is one of the region's.
static void
s_postcode_in_region (decide_t *self, Kw__Criterion *c, paths_t *missing)
{
    const region_t *region = self->region;
    const Kw__Child *child = self->body->child;
    char *postcode = s_given (self, c, missing, child ? child->postcode : NULL,
                              "child.postcode", "no postcode given");
    if (!postcode)
        return;
    size_t len = strcspn (postcode, " \t");
    if (postcode [len] == '\0')
        len = len > 3 ? len - 3 : 0;
    for (size_t i = 0; len > 0 && i < region->postcode_district_count; i++) {
        const char *district = region->postcode_districts [i];
        if (strlen (district) == len && strncasecmp (postcode, district, len) == 0) {
            s_result (self, c, STATE_MET, "postcode district is in the region");
            return;
        }
    }
    s_result (self, c, STATE_NOT_MET, "postcode district is not in the region");
}

//  At least at_least distinct professionals (by e-mail, else name,
//  case-insensitive) from at least agencies_at_least distinct agencies.
//  People without an agency leave it unknown only when their agencies
//  could decide it.
static void
s_professionals (decide_t *self, const rule_t *rule, Kw__Criterion *c, paths_t *missing)
{
    const Kw__ReferralBody *body = self->body;
    size_t n = body->n_professionals;
    if (n == 0) {
        s_result (self, c, STATE_UNKNOWN, "no professionals given");
        s_missing (self, missing, "professionals");
        return;
    }
    char **people = kw_arena_calloc (self->arena, n * sizeof (char *));
    char **agency_of = kw_arena_calloc (self->arena, n * sizeof (char *));
    size_t *index_of = kw_arena_calloc (self->arena, n * sizeof (size_t));
    size_t n_people = 0;
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
        if (j == n_people) {
            people [n_people] = key;
            index_of [n_people++] = i;
        }
        //  A person listed twice has the first agency given.
        if (!agency_of [j])
            agency_of [j] = s_norm (self->arena, p->agency);
    }
    char **agencies = kw_arena_calloc (self->arena, n * sizeof (char *));
    size_t n_agencies = 0, no_agency = 0;
    for (size_t j = 0; j < n_people; j++) {
        if (!agency_of [j]) {
            no_agency++;
            continue;
        }
        size_t k = 0;
        while (k < n_agencies && strcmp (agencies [k], agency_of [j]) != 0)
            k++;
        if (k == n_agencies)
            agencies [n_agencies++] = agency_of [j];
    }
    char counts [96];
    snprintf (counts, sizeof counts, "%zu professional%s from %zu agenc%s", n_people,
              n_people == 1 ? "" : "s", n_agencies, n_agencies == 1 ? "y" : "ies");
    if (n_people >= rule->at_least && n_agencies >= rule->agencies_at_least)
        s_result (self, c, STATE_MET, "%s", counts);
    else
    if (n_people >= rule->at_least && n_agencies + no_agency >= rule->agencies_at_least) {
        s_result (self, c, STATE_UNKNOWN, "%s, %zu without an agency; need %u from %u",
                  counts, no_agency, rule->at_least, rule->agencies_at_least);
        for (size_t j = 0; j < n_people; j++)
            if (!agency_of [j])
                s_missing (self, missing, kw_arena_printf (self->arena, "professionals[%zu].agency",
                                                           index_of [j]));
    }
    else
        s_result (self, c, STATE_NOT_MET, "%s; need %u from %u",
                  counts, rule->at_least, rule->agencies_at_least);
}

//  On the DSR with one of the rule's ratings; never unknown.
static void
s_dsr_rating (decide_t *self, const rule_t *rule, Kw__Criterion *c)
{
    const char *rating = self->dsr_rating;
    if (!rating) {
        s_result (self, c, STATE_NOT_MET, "not on the DSR");
        return;
    }
    for (size_t i = 0; i < rule->rating_count; i++)
        if (strcasecmp (rating, rule->ratings [i]) == 0) {
            s_result (self, c, STATE_MET, "on the DSR rated %s", rule->ratings [i]);
            return;
        }
    char ratings [160];
    s_codes (ratings, sizeof ratings, rule->ratings, rule->rating_count);
    s_result (self, c, STATE_NOT_MET, "on the DSR, not rated %s", ratings);
}

//  The descriptions of the parts in state, joined with "; ", after lead.
static char *
s_parts_text (decide_t *self, const Kw__Criterion *c, state_t state, const char *lead)
{
    size_t len = strlen (lead) + 1;
    for (size_t i = 0; i < c->n_parts; i++)
        if (s_state (c->parts [i]) == state)
            len += strlen (c->parts [i]->description) + 2;
    char *text = kw_arena_alloc (self->arena, len);
    char *p = stpcpy (text, lead);
    const char *sep = "";
    for (size_t i = 0; i < c->n_parts; i++)
        if (s_state (c->parts [i]) == state) {
            p = stpcpy (stpcpy (p, sep), c->parts [i]->description);
            sep = "; ";
        }
    return text;
}

//  "not known: missing a, b" for the distinct paths.
static char *
s_unknown_text (decide_t *self, const paths_t *missing)
{
    size_t len = sizeof "not known: missing ";
    for (const path_t *p = missing->head; p; p = p->next)
        len += strlen (p->path) + 2;
    char *text = kw_arena_alloc (self->arena, len);
    char *out = stpcpy (text, "not known: missing ");
    const char *sep = "";
    for (const path_t *p = missing->head; p; p = p->next)
        if (!s_path_listed (missing->head, p, p->path)) {
            out = stpcpy (stpcpy (out, sep), p->path);
            sep = ", ";
        }
    return text;
}

static Kw__Criterion *s_eval (decide_t *self, const rule_t *rule, paths_t *missing);

//  all, any, not: the parts, then the three-valued result; an unknown
//  result takes the missing paths of its unknown parts.
static void
s_combine (decide_t *self, const rule_t *rule, Kw__Criterion *c, paths_t *missing)
{
    size_t n = rule->child_count;
    c->parts = kw_arena_alloc (self->arena, (n ? n : 1) * sizeof (Kw__Criterion *));
    c->n_parts = n;
    paths_t *part_missing = kw_arena_calloc (self->arena, (n ? n : 1) * sizeof (paths_t));
    size_t met = 0, not_met = 0, unknown = 0;
    for (size_t i = 0; i < n; i++) {
        c->parts [i] = s_eval (self, rule->children [i], &part_missing [i]);
        state_t part = s_state (c->parts [i]);
        met += part == STATE_MET;
        not_met += part == STATE_NOT_MET;
        unknown += part == STATE_UNKNOWN;
    }
    state_t state;
    if (rule->kind == RULE_ALL)
        state = not_met ? STATE_NOT_MET : unknown ? STATE_UNKNOWN : STATE_MET;
    else
    if (rule->kind == RULE_ANY)
        state = met ? STATE_MET : unknown ? STATE_UNKNOWN : STATE_NOT_MET;
    else
        state = unknown ? STATE_UNKNOWN : met ? STATE_NOT_MET : STATE_MET;

    c->has_met = state != STATE_UNKNOWN;
    c->met = state == STATE_MET;
    if (state == STATE_UNKNOWN) {
        for (size_t i = 0; i < n; i++)
            if (s_state (c->parts [i]) == STATE_UNKNOWN)
                s_missing_append (missing, &part_missing [i]);
        c->detail = s_unknown_text (self, missing);
    }
    else
    if (rule->kind == RULE_ALL)
        c->detail = state == STATE_MET ? "all met" : s_parts_text (self, c, STATE_NOT_MET, "not met: ");
    else
    if (rule->kind == RULE_ANY)
        c->detail = state == STATE_MET ? s_parts_text (self, c, STATE_MET, "met: ") : "none met";
    else
        c->detail = state == STATE_MET ? s_parts_text (self, c, STATE_NOT_MET, "not met: ")
                                       : s_parts_text (self, c, STATE_MET, "met: ");
}

//  The result of rule, with the paths that leave it unknown into missing.
static Kw__Criterion *
s_eval (decide_t *self, const rule_t *rule, paths_t *missing)
{
    Kw__Criterion *c = kw_arena_alloc (self->arena, sizeof *c);
    kw__criterion__init (c);
    c->id = rule->id;
    c->description = rule->description ? rule->description : "";
    switch (rule->kind) {
        case RULE_ALL:
        case RULE_ANY:
        case RULE_NOT:
            s_combine (self, rule, c, missing);
            break;
        case RULE_AGE_UNDER:
            s_age_under (self, rule, c, missing);
            break;
        case RULE_FLAG:
            s_flag_rule (self, rule, c, missing);
            break;
        case RULE_GP_PRACTICE:
            s_gp_practice (self, c, missing);
            break;
        case RULE_POSTCODE_IN_REGION:
            s_postcode_in_region (self, c, missing);
            break;
        case RULE_PROFESSIONALS:
            s_professionals (self, rule, c, missing);
            break;
        case RULE_DSR_RATING:
            s_dsr_rating (self, rule, c);
            break;
        default:
            s_result (self, c, STATE_NOT_MET, "unsupported rule");
            break;
    }
    return c;
}

Kw__EligibilityDecision *
rules_decide (const region_t *region, const Kw__ReferralBody *body, const char *dsr_rating,
              int y, int m, int d, kw_arena_t *arena)
{
    decide_t self = { .region = region, .body = body, .dsr_rating = dsr_rating,
                      .arena = arena, .y = y, .m = m, .d = d };
    snprintf (self.date, sizeof self.date, "%04d-%02d-%02d", y, m, d);
    Kw__EligibilityDecision *decision = kw_arena_alloc (arena, sizeof *decision);
    kw__eligibility_decision__init (decision);
    decision->ruleset = region->ruleset.id;
    decision->has_version = 1;
    decision->version = region->ruleset.version;

    paths_t missing = { NULL, NULL };
    Kw__Criterion *root = s_eval (&self, region->ruleset.rule, &missing);
    if (region->ruleset.rule->kind == RULE_ALL) {
        decision->criteria = root->parts;
        decision->n_criteria = root->n_parts;
    }
    else {
        decision->criteria = kw_arena_alloc (arena, sizeof (Kw__Criterion *));
        decision->criteria [0] = root;
        decision->n_criteria = 1;
    }
    decision->missing = s_missing_list (&self, &missing, &decision->n_missing);
    decision->has_outcome = 1;
    decision->outcome = s_state (root) == STATE_MET ? KW__OUTCOME__OUTCOME_ELIGIBLE
                      : s_state (root) == STATE_NOT_MET ? KW__OUTCOME__OUTCOME_INELIGIBLE
                      : KW__OUTCOME__OUTCOME_MORE_INFORMATION_NEEDED;
    return decision;
}

static int
s_str_eq (const char *a, const char *b)
{
    return a == b || (a && b && strcmp (a, b) == 0);
}

//  The same ids and states, parts included.
static int
s_same_criteria (Kw__Criterion *const *a, size_t n_a, Kw__Criterion *const *b, size_t n_b)
{
    if (n_a != n_b)
        return 0;
    for (size_t i = 0; i < n_a; i++) {
        if (!s_str_eq (a [i]->id, b [i]->id) || s_state (a [i]) != s_state (b [i])
        ||  !s_same_criteria (a [i]->parts, a [i]->n_parts, b [i]->parts, b [i]->n_parts))
            return 0;
    }
    return 1;
}

//  Every path of a is in b.
static int
s_missing_within (const Kw__EligibilityDecision *a, const Kw__EligibilityDecision *b)
{
    for (size_t i = 0; i < a->n_missing; i++) {
        size_t j = 0;
        while (j < b->n_missing && !s_str_eq (a->missing [i], b->missing [j]))
            j++;
        if (j == b->n_missing)
            return 0;
    }
    return 1;
}

int
rules_read_rating (const rule_t *rule)
{
    if (rule->kind == RULE_DSR_RATING)
        return 1;
    for (size_t i = 0; i < rule->child_count; i++)
        if (rules_read_rating (rule->children [i]))
            return 1;
    return 0;
}

int
rules_same_result (const Kw__EligibilityDecision *a, const Kw__EligibilityDecision *b)
{
    return a->has_outcome == b->has_outcome && (!a->has_outcome || a->outcome == b->outcome)
        && s_str_eq (a->ruleset, b->ruleset)
        && a->n_missing == b->n_missing && s_missing_within (a, b) && s_missing_within (b, a)
        && s_same_criteria (a->criteria, a->n_criteria, b->criteria, b->n_criteria);
}

int
rules_upper_age_dates (const region_t *region, const char *dob, int in_school,
                       int age_out [3], int transition [3])
{
    int by, bm, bd;
    if (kw_date_parse (dob, &by, &bm, &bd) != 0)
        return -1;
    unsigned years = in_school == 1 && region->upper_age_extended ? region->upper_age_extended
                                                                  : region->upper_age;
    kw_date_birthday (by, bm, bd, (int) years, age_out);
    kw_date_add_days (age_out [0], age_out [1], age_out [2], -(long) region->transition_notice_days,
                      transition);
    return 0;
}
