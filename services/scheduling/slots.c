/*  slots: the slot search (slots.h). Each person's absences and buffered
    meetings are merged into sorted, disjoint busy spans once; each day of
    the window narrows local time to what the holidays, the family's wishes
    and the required people's working hours leave, then walks the steps,
    jumping past busy spans. A day whose UTC offset does not change is
    converted with one zone call; a day with a clock change asks the zone
    for every step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_time.h"
#include "slots.h"

#define MINUTES_PER_DAY 1440
#define MAX_WINDOW_DAYS 800

typedef struct {
    slot_span_t *spans;
    size_t count;
} busy_t;

//  One search: the query, each person's busy spans and the holidays.
typedef struct {
    const slot_query_t *q;
    busy_t absences [SLOTS_MAX_PEOPLE];     //  absences alone (for reasons)
    busy_t busy [SLOTS_MAX_PEOPLE];         //  absences and widened meetings
    uint8_t *holiday;                       //  per day of the window
    int optional_total;
} search_t;

//  Which constraints a pass applies: the family's wishes, the working
//  hours of the first `hours` required people and the busy spans (absences
//  only, or all) of the first `busy` ones.
typedef struct {
    int family_days, family_times;
    size_t hours, busy;
    int absences_only_last;         //  the busy person at index busy-1 counts absences only
    int rank;                       //  find the best slot, not the first
} rules_t;

int
slots_weekday (int32_t day)
{
    int w = (int) ((day % 7 + 7 + 3) % 7);     //  1970-01-01 was a Thursday
    return w;
}

int32_t
slots_day (int y, int m, int d)
{
    return (int32_t) kw_date_days (y, m, d);
}

void
slots_date (int32_t day, int *y, int *m, int *d)
{
    int ymd [3];
    kw_date_add_days (1970, 1, 1, day, ymd);
    *y = ymd [0];
    *m = ymd [1];
    *d = ymd [2];
}

static int
s_span_cmp (const void *a, const void *b)
{
    const slot_span_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

//  Sort spans and merge the overlapping ones, in place.
static size_t
s_merge (slot_span_t *spans, size_t count)
{
    if (count == 0)
        return 0;
    qsort (spans, count, sizeof *spans, s_span_cmp);
    size_t out = 0;
    for (size_t i = 1; i < count; i++) {
        if (spans [i].start <= spans [out].end) {
            if (spans [i].end > spans [out].end)
                spans [out].end = spans [i].end;
        }
        else
            spans [++out] = spans [i];
    }
    return out + 1;
}

static int
s_busy_build (busy_t *busy, const slot_person_t *p, int buffer, int with_meetings)
{
    size_t total = p->absence_count + (with_meetings ? p->meeting_count : 0);
    busy->spans = malloc ((total ? total : 1) * sizeof *busy->spans);
    if (!busy->spans)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < p->absence_count; i++)
        if (p->absences [i].end > p->absences [i].start)
            busy->spans [n++] = p->absences [i];
    for (size_t i = 0; with_meetings && i < p->meeting_count; i++)
        if (p->meetings [i].end > p->meetings [i].start)
            busy->spans [n++] = (slot_span_t) { p->meetings [i].start - buffer * 60,
                                                p->meetings [i].end + buffer * 60 };
    busy->count = s_merge (busy->spans, n);
    return 0;
}

//  The first busy span that ends after t, or NULL.
static const slot_span_t *
s_busy_after (const busy_t *busy, int64_t t)
{
    size_t lo = 0, hi = busy->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (busy->spans [mid].end <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < busy->count ? &busy->spans [lo] : NULL;
}

//  The busy span overlapping [t, e), or NULL.
static const slot_span_t *
s_conflict (const busy_t *busy, int64_t t, int64_t e)
{
    const slot_span_t *span = s_busy_after (busy, t);
    return span && span->start < e ? span : NULL;
}

static void
s_search_free (search_t *s)
{
    for (size_t i = 0; i < SLOTS_MAX_PEOPLE; i++) {
        free (s->absences [i].spans);
        free (s->busy [i].spans);
    }
    free (s->holiday);
}

static int
s_search_init (search_t *s, const slot_query_t *q)
{
    memset (s, 0, sizeof *s);
    s->q = q;
    if (q->duration <= 0 || q->duration > MINUTES_PER_DAY || q->step <= 0 || q->step > MINUTES_PER_DAY
    ||  q->people_count > SLOTS_MAX_PEOPLE || q->buffer < 0 || !q->to_utc
    ||  q->last_day < q->first_day || q->last_day - q->first_day >= MAX_WINDOW_DAYS)
        return -1;
    s->holiday = calloc ((size_t) (q->last_day - q->first_day + 1), 1);
    if (!s->holiday)
        return -1;
    for (size_t i = 0; i < q->holiday_count; i++)
        if (q->holidays [i] >= q->first_day && q->holidays [i] <= q->last_day)
            s->holiday [q->holidays [i] - q->first_day] = 1;
    for (size_t i = 0; i < q->people_count; i++) {
        if (s_busy_build (&s->absences [i], &q->people [i], q->buffer, 0) != 0
        ||  s_busy_build (&s->busy [i], &q->people [i], q->buffer, 1) != 0) {
            s_search_free (s);
            return -1;
        }
        s->optional_total += !q->people [i].required;
    }
    return 0;
}

//  A day's local-to-UTC conversion: one zone call when its offset holds
//  all day.
typedef struct {
    const slot_query_t *q;
    int32_t day;
    int64_t base;
    int fast;
} day_zone_t;

static void
s_day_zone (day_zone_t *z, const slot_query_t *q, int32_t day)
{
    z->q = q;
    z->day = day;
    z->base = q->to_utc (q->zone, day, 0);
    z->fast = q->to_utc (q->zone, day, MINUTES_PER_DAY - 1) == z->base + (MINUTES_PER_DAY - 1) * 60;
}

static int64_t
s_utc (const day_zone_t *z, int minute)
{
    return z->fast ? z->base + (int64_t) minute * 60 : z->q->to_utc (z->q->zone, z->day, minute);
}

static int
s_works (const slot_person_t *p, int weekday, int from, int to)
{
    return !p->has_hours || (p->hours [weekday][0] <= from && to <= p->hours [weekday][1]
                             && p->hours [weekday][0] < p->hours [weekday][1]);
}

//  The local minutes [*lo, *hi) of day that the rules leave; 0 when none.
static int
s_day_window (const search_t *s, const rules_t *rules, int32_t day, int *lo, int *hi)
{
    const slot_query_t *q = s->q;
    int w = slots_weekday (day);
    if (s->holiday [day - q->first_day])
        return 0;
    if (rules->family_days && q->family_days && !(q->family_days & (1u << w)))
        return 0;
    *lo = 0;
    *hi = MINUTES_PER_DAY;
    if (rules->family_times && q->family_from >= 0 && q->family_to >= 0) {
        *lo = q->family_from;
        *hi = q->family_to;
    }
    size_t seen = 0;
    for (size_t i = 0; i < q->people_count && seen < rules->hours; i++) {
        const slot_person_t *p = &q->people [i];
        if (!p->required)
            continue;
        seen++;
        if (!p->has_hours)
            continue;
        if (p->hours [w][0] >= p->hours [w][1])
            return 0;
        if (p->hours [w][0] > *lo)
            *lo = p->hours [w][0];
        if (p->hours [w][1] < *hi)
            *hi = p->hours [w][1];
    }
    *lo = (*lo + q->step - 1) / q->step * q->step;
    return *hi - *lo >= q->duration;
}

//  The busy span of a required person (within the rules) that [t, e)
//  meets, or NULL.
static const slot_span_t *
s_required_conflict (const search_t *s, const rules_t *rules, int64_t t, int64_t e)
{
    const slot_query_t *q = s->q;
    size_t seen = 0;
    for (size_t i = 0; i < q->people_count && seen < rules->busy; i++) {
        if (!q->people [i].required)
            continue;
        seen++;
        const busy_t *busy = seen == rules->busy && rules->absences_only_last ? &s->absences [i]
                                                                              : &s->busy [i];
        const slot_span_t *span = s_conflict (busy, t, e);
        if (span)
            return span;
    }
    return NULL;
}

static uint32_t
s_optional_free (const search_t *s, int weekday, int minute, int64_t t, int64_t e, int *count)
{
    const slot_query_t *q = s->q;
    uint32_t mask = 0;
    *count = 0;
    for (size_t i = 0; i < q->people_count; i++) {
        const slot_person_t *p = &q->people [i];
        if (p->required || !s_works (p, weekday, minute, minute + q->duration)
        ||  s_conflict (&s->busy [i], t, e))
            continue;
        mask |= 1u << i;
        (*count)++;
    }
    return mask;
}

//  The first (or, ranking, the best) slot under the rules starting at or
//  after `after`. 1 found, 0 none.
static int
s_find (const search_t *s, const rules_t *rules, int64_t after, slot_t *out)
{
    const slot_query_t *q = s->q;
    int found = 0;
    for (int32_t day = q->first_day; day <= q->last_day; day++) {
        int lo, hi;
        if (!s_day_window (s, rules, day, &lo, &hi))
            continue;
        day_zone_t z;
        s_day_zone (&z, q, day);
        int w = slots_weekday (day);
        for (int m = lo; m + q->duration <= hi; ) {
            int64_t t = s_utc (&z, m), e = t + (int64_t) q->duration * 60;
            int64_t resume = t < after ? after : t < q->not_before ? q->not_before : 0;
            const slot_span_t *span = resume ? NULL : s_required_conflict (s, rules, t, e);
            if (span)
                resume = span->end;
            if (resume) {
                int next = m + q->step;
                if (z.fast && resume > t) {
                    int64_t minutes = (resume - z.base + 59) / 60;
                    if (minutes > MINUTES_PER_DAY)
                        minutes = MINUTES_PER_DAY;
                    int aligned = (int) ((minutes + q->step - 1) / q->step * q->step);
                    if (aligned > next)
                        next = aligned;
                }
                m = next;
                continue;
            }
            int count = 0;
            uint32_t mask = s_optional_free (s, w, m, t, e, &count);
            if (!found || count > out->optional_count) {
                *out = (slot_t) { .start = t, .end = e, .optional_free = mask, .optional_count = count };
                found = 1;
            }
            if (!rules->rank || count == s->optional_total)
                return 1;
            m += q->step;
        }
    }
    return found;
}

static const char *
s_label (const slot_person_t *p)
{
    return p->label ? p->label : p->id ? p->id : "a participant";
}

//  The wishes the rules apply, in words, for a reason.
static const char *
s_family_words (const rules_t *rules, const slot_query_t *q)
{
    int days = rules->family_days && q->family_days;
    int times = rules->family_times && q->family_from >= 0;
    return days && times ? "the family's days and times" : days ? "the family's days"
         : times ? "the family's times" : "the window's days (less public holidays)";
}

static void
s_constraint (slot_result_t *result, const char *constraint)
{
    if (result->constraint_count < SLOTS_MAX_CONSTRAINTS)
        result->constraints [result->constraint_count++] = constraint;
}

//  Add the rules' constraints one at a time and name the first that
//  leaves no slot.
static void
s_diagnose (const search_t *s, slot_result_t *result)
{
    const slot_query_t *q = s->q;
    rules_t rules = { 0 };
    slot_t slot;
    result->constraint_count = 0;
    if (!s_find (s, &rules, 0, &slot)) {
        snprintf (result->reason, sizeof result->reason,
                  "the window holds no time for the meeting (public holidays, or too short)");
        s_constraint (result, "window");
        return;
    }
    rules.family_days = 1;
    if (q->family_days && !s_find (s, &rules, 0, &slot)) {
        snprintf (result->reason, sizeof result->reason, "no day of the window is one of the family's days");
        s_constraint (result, "family_days");
        return;
    }
    rules.family_times = 1;
    if (q->family_from >= 0 && !s_find (s, &rules, 0, &slot)) {
        snprintf (result->reason, sizeof result->reason,
                  "the family's times leave no room for a meeting of this length");
        s_constraint (result, "family_times");
        return;
    }
    if (q->family_days)
        s_constraint (result, "family_days");
    if (q->family_from >= 0)
        s_constraint (result, "family_times");
    size_t required = 0;
    for (size_t i = 0; i < q->people_count; i++) {
        const slot_person_t *p = &q->people [i];
        if (!p->required)
            continue;
        const char *words = s_family_words (&rules, q);
        rules.hours = ++required;
        if (p->has_hours && !s_find (s, &rules, 0, &slot)) {
            snprintf (result->reason, sizeof result->reason,
                      "%s and %s's working hours never overlap%s", words, s_label (p),
                      required > 1 ? " with the other required participants' hours" : "");
            s_constraint (result, "working_hours");
            return;
        }
    }
    required = 0;
    for (size_t i = 0; i < q->people_count; i++) {
        const slot_person_t *p = &q->people [i];
        if (!p->required)
            continue;
        rules.busy = ++required;
        rules.absences_only_last = 1;
        int free_of_absence = s_find (s, &rules, 0, &slot);
        rules.absences_only_last = 0;
        if (!free_of_absence || !s_find (s, &rules, 0, &slot)) {
            snprintf (result->reason, sizeof result->reason,
                      "%s is %s whenever %s and the other required participants' hours allow",
                      s_label (p), free_of_absence ? "in other meetings" : "absent",
                      s_family_words (&rules, q));
            s_constraint (result, free_of_absence ? "meetings" : "absences");
            return;
        }
    }
    snprintf (result->reason, sizeof result->reason, "no common time");
}

static int
s_slot_cmp (const void *a, const void *b)
{
    const slot_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

//  Up to three of the earliest slots with one family wish set aside.
static void
s_alternatives (const search_t *s, slot_result_t *result)
{
    const slot_query_t *q = s->q;
    slot_t found [2 * SLOTS_MAX_ALTERNATIVES];
    size_t n = 0;
    for (int wish = 0; wish < 2; wish++) {
        if ((wish == 0 && !q->family_days) || (wish == 1 && q->family_from < 0))
            continue;
        rules_t rules = { .family_days = wish != 0, .family_times = wish != 1,
                          .hours = q->people_count, .busy = q->people_count };
        int64_t after = 0;
        for (int k = 0; k < SLOTS_MAX_ALTERNATIVES; k++) {
            slot_t slot;
            if (!s_find (s, &rules, after, &slot))
                break;
            slot.breaks = wish == 0 ? "family_days" : "family_times";
            found [n++] = slot;
            after = slot.start + (int64_t) q->step * 60;
        }
    }
    qsort (found, n, sizeof found [0], s_slot_cmp);
    result->alternative_count = 0;
    for (size_t i = 0; i < n && result->alternative_count < SLOTS_MAX_ALTERNATIVES; i++)
        if (result->alternative_count == 0
        ||  found [i].start != result->alternatives [result->alternative_count - 1].start)
            result->alternatives [result->alternative_count++] = found [i];
}

int
slots_search (const slot_query_t *query, slot_result_t *result)
{
    search_t s;
    memset (result, 0, sizeof *result);
    if (s_search_init (&s, query) != 0)
        return -1;
    rules_t rules = { .family_days = 1, .family_times = 1, .hours = query->people_count,
                      .busy = query->people_count, .rank = 1 };
    result->found = s_find (&s, &rules, 0, &result->slot);
    if (!result->found) {
        s_diagnose (&s, result);
        s_alternatives (&s, result);
    }
    s_search_free (&s);
    return 0;
}

// ---- the plain scan

static int
s_spans_meet (const slot_span_t *spans, size_t count, int64_t widen, int64_t t, int64_t e)
{
    for (size_t i = 0; i < count; i++)
        if (spans [i].end > spans [i].start && spans [i].start - widen < e && spans [i].end + widen > t)
            return 1;
    return 0;
}

static int
s_person_free (const slot_query_t *q, const slot_person_t *p, int w, int m, int64_t t, int64_t e)
{
    return s_works (p, w, m, m + q->duration)
        && !s_spans_meet (p->absences, p->absence_count, 0, t, e)
        && !s_spans_meet (p->meetings, p->meeting_count, (int64_t) q->buffer * 60, t, e);
}

int
slots_scan_plain (const slot_query_t *q, slot_result_t *result)
{
    memset (result, 0, sizeof *result);
    if (q->duration <= 0 || q->step <= 0 || q->people_count > SLOTS_MAX_PEOPLE || !q->to_utc
    ||  q->last_day < q->first_day)
        return -1;
    for (int32_t day = q->first_day; day <= q->last_day; day++) {
        int w = slots_weekday (day), holiday = 0;
        for (size_t i = 0; i < q->holiday_count; i++)
            holiday |= q->holidays [i] == day;
        if (holiday || (q->family_days && !(q->family_days & (1u << w))))
            continue;
        for (int m = 0; m + q->duration <= MINUTES_PER_DAY; m += q->step) {
            if (q->family_from >= 0 && (m < q->family_from || m + q->duration > q->family_to))
                continue;
            int64_t t = q->to_utc (q->zone, day, m), e = t + (int64_t) q->duration * 60;
            if (t < q->not_before)
                continue;
            int ok = 1, count = 0;
            uint32_t mask = 0;
            for (size_t i = 0; i < q->people_count; i++) {
                int free_now = s_person_free (q, &q->people [i], w, m, t, e);
                if (q->people [i].required)
                    ok &= free_now;
                else
                if (free_now) {
                    mask |= 1u << i;
                    count++;
                }
            }
            if (ok && (!result->found || count > result->slot.optional_count)) {
                result->found = 1;
                result->slot = (slot_t) { .start = t, .end = e, .optional_free = mask, .optional_count = count };
            }
        }
    }
    return 0;
}
