/*  rank: scoring candidates and sorting them (see rank.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rank.h"

const rank_weights_t rank_default_weights = RANK_DEFAULT_WEIGHTS;

//  Which disciplines fit which need: the professionals who usually work
//  with a child with that need.
static const struct {
    const char *need;
    const char *const disciplines [8];
} s_fit [] = {
    { "complex_health_needs", { "community_nurse", "ld_nurse", "occupational_therapist",
                                "physiotherapist", "speech_and_language_therapist",
                                "paediatrician", "dietitian", NULL } },
    { "high_level_of_need", { "social_worker", "family_support_worker", "occupational_therapist",
                              "special_educator", NULL } },
    { "learning_disability", { "ld_nurse", "special_educator", "psychologist",
                               "speech_and_language_therapist", NULL } },
    { "autism", { "behaviour_specialist", "speech_and_language_therapist", "psychologist",
                  "special_educator", NULL } },
    { "inpatient", { "mh_nurse", "psychiatrist", "psychologist", "social_worker", NULL } },
};

const char *const *
rank_need_disciplines (const char *need)
{
    for (size_t i = 0; need && i < sizeof s_fit / sizeof s_fit [0]; i++)
        if (strcmp (s_fit [i].need, need) == 0)
            return s_fit [i].disciplines;
    return NULL;
}

int
rank_spare (const rank_candidate_t *c)
{
    return c->max_caseload - c->caseload - c->cover_load - c->pending_offers;
}

static void
s_reason (rank_reasons_t *why, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

//  Add a line to why, when the words are wanted (why not NULL).
static void
s_reason (rank_reasons_t *why, const char *fmt, ...)
{
    if (!why || why->count >= RANK_MAX_REASONS)
        return;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (why->lines [why->count++], RANK_REASON_SIZE, fmt, ap);
    va_end (ap);
}

//  A code as words: "speech_and_language_therapist" -> "speech and language therapist".
static const char *
s_words (const char *code, char *buf, size_t size)
{
    snprintf (buf, size, "%s", code ? code : "");
    for (char *p = buf; *p; p++)
        if (*p == '_')
            *p = ' ';
    return buf;
}

static int
s_listed (const char *s, const char *const *list, size_t count, int nocase)
{
    for (size_t i = 0; s && i < count; i++)
        if (list [i] && (nocase ? strcasecmp (s, list [i]) : strcmp (s, list [i])) == 0)
            return 1;
    return 0;
}

static int
s_fits (const char *discipline, const char *need)
{
    const char *const *fit = rank_need_disciplines (need);
    for (size_t i = 0; discipline && fit && fit [i]; i++)
        if (strcmp (fit [i], discipline) == 0)
            return 1;
    return 0;
}

//  weight * part / whole, rounded to the nearest integer.
static int
s_share (int weight, int part, int whole)
{
    if (whole <= 0 || part <= 0)
        return 0;
    return (int) (((long) weight * part * 2 + whole) / (2L * whole));
}

//  Why c may not be offered the case, or NULL.
static const char *
s_refusal (const rank_child_t *child, const rank_candidate_t *c, char *buf, size_t size)
{
    if (!c->active)
        return "not active";
    if (c->absent)
        return "absent";
    if (child->keeping_id && strcmp (child->keeping_id, c->id) == 0)
        return "the key worker the new one replaces";
    if (s_listed (c->id, child->excluded, child->excluded_count, 0))
        return child->excluded_why ? child->excluded_why : "excluded";
    if (rank_spare (c) <= 0) {
        snprintf (buf, size, "no room: %d of %d places taken or offered",
                  c->max_caseload - rank_spare (c), c->max_caseload);
        return buf;
    }
    return NULL;
}

//  Score c (its offerable, suggested and score), and with why its reasons.
static void
s_score (const rank_child_t *child, const rank_weights_t *w, rank_candidate_t *c, rank_reasons_t *why)
{
    char words [64];
    c->score = 0;
    if (why)
        why->count = 0;
    c->suggested = child->suggested_email && c->email && strcasecmp (child->suggested_email, c->email) == 0;
    char refused [RANK_REASON_SIZE];
    const char *refusal = s_refusal (child, c, refused, sizeof refused);
    c->offerable = refusal == NULL;
    if (!c->offerable) {
        s_reason (why, "cannot be offered: %s", refusal);
        return;
    }
    if (c->suggested) {
        c->score += w->suggested;
        s_reason (why, "suggested by the family (+%d)", w->suggested);
    }
    if (c->in_team) {
        c->score += w->continuity;
        s_reason (why, "already in the child's team (+%d)", w->continuity);
    }
    if (child->need_count) {
        char fits [RANK_REASON_SIZE] = "";
        size_t len = 0;
        int fit = 0;
        for (size_t i = 0; i < child->need_count; i++)
            if (s_fits (c->discipline, child->needs [i])) {
                fit++;
                char need [48];
                if (why)
                    len += (size_t) snprintf (fits + len, len < sizeof fits ? sizeof fits - len : 0, "%s%s",
                                              len ? ", " : "", s_words (child->needs [i], need, sizeof need));
            }
        int points = s_share (w->discipline, fit, (int) child->need_count);
        c->score += points;
        if (why && fit)
            s_reason (why, "%s fits %s (+%d)", s_words (c->discipline, words, sizeof words), fits, points);
        else
        if (why)
            s_reason (why, "%s fits none of the child's needs", s_words (c->discipline, words, sizeof words));
    }
    if (child->district && *child->district) {
        if (s_listed (child->district, c->localities, c->locality_count, 1)) {
            c->score += w->locality;
            s_reason (why, "works in %s (+%d)", child->district, w->locality);
        }
        else
            s_reason (why, "does not work in %s", child->district);
    }
    if (child->language && *child->language) {
        if (s_listed (child->language, c->languages, c->language_count, 1)) {
            c->score += w->language;
            s_reason (why, "speaks %s (+%d)", child->language, w->language);
        }
        else
            s_reason (why, "does not speak %s", child->language);
    }
    int spare = rank_spare (c);
    int points = s_share (w->capacity, spare, c->max_caseload);
    c->score += points;
    s_reason (why, "%d of %d places free (+%d)", spare, c->max_caseload, points);
}

static int
s_compare (const void *a, const void *b)
{
    const rank_candidate_t *x = a, *y = b;
    if (x->offerable != y->offerable)
        return y->offerable - x->offerable;
    if (x->score != y->score)
        return y->score > x->score ? 1 : -1;
    int sx = rank_spare (x), sy = rank_spare (y);
    if (sx != sy)
        return sy > sx ? 1 : -1;
    return strcmp (x->id ? x->id : "", y->id ? y->id : "");
}

size_t
rank_candidates (const rank_child_t *child, const rank_weights_t *weights,
                 rank_candidate_t *candidates, size_t count)
{
    size_t offerable = 0;
    for (size_t i = 0; i < count; i++) {
        s_score (child, weights, &candidates [i], NULL);
        offerable += candidates [i].offerable ? 1 : 0;
    }
    qsort (candidates, count, sizeof *candidates, s_compare);
    return offerable;
}

void
rank_explain (const rank_child_t *child, const rank_weights_t *weights, const rank_candidate_t *candidate,
              rank_reasons_t *why)
{
    rank_candidate_t copy = *candidate;
    s_score (child, weights, &copy, why);
}

int
rank_family_member (const char *suggested_email, int family_member,
                    const char *const *emails, size_t count)
{
    if (!family_member || !suggested_email || !*suggested_email)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (emails [i] && strcasecmp (emails [i], suggested_email) == 0)
            return (int) i;
    return -1;
}
