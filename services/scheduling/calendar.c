/*  calendar: a slot search's inputs, read from the projections: who is
    invited (the case's people by role, or a registered professional of the
    region by id), each one's working hours (a professional without hours
    on record works Monday to Friday, 09:00 to 17:00; the family has none),
    absences and other scheduled meetings, and the family's days and times
    from the referral. Booking locks each required person (a
    transaction-scoped advisory lock, in sorted order, so concurrent
    bookings cannot deadlock) and then checks their meetings again, so one
    person can never be booked twice at the same time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_field_error.h"
#include "kw_uuid.h"
#include "scheduling.h"
#include "zone.h"

#define DEFAULT_FROM (9 * 60)
#define DEFAULT_TO (17 * 60)

int
calendar_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "calendar_people",
        "SELECT role, person_id, professional_id, name, email, phone FROM scheduling.case_people"
        " WHERE case_id = $1::uuid AND role = $2 ORDER BY person_id");
    kw_db_prepare (db, "calendar_case_person",
        "SELECT role FROM scheduling.case_people WHERE case_id = $1::uuid AND role <> 'family'"
        " AND (person_id = $2 OR professional_id::text = $2)"
        " ORDER BY role <> 'key_worker', role <> 'cover', role <> 'deputy' LIMIT 1");
    kw_db_prepare (db, "calendar_professional",
        "SELECT id, name, email, phone FROM scheduling.professionals WHERE id = $1::uuid AND region = $2"
        " AND active");
    kw_db_prepare (db, "calendar_hours",
        "SELECT array_to_string (hours, ',') FROM scheduling.professionals WHERE id = $1::uuid");
    kw_db_prepare (db, "calendar_absences",
        "SELECT " EPOCH ("starts_at") ", " EPOCH ("ends_at") " FROM scheduling.absences"
        " WHERE professional_id = $1::uuid AND NOT cancelled AND ends_at > to_timestamp ($2::bigint)"
        " AND starts_at < to_timestamp ($3::bigint)");
    //  A person's scheduled meetings in the window; the family's are
    //  those of this case.
    kw_db_prepare (db, "calendar_meetings",
        "SELECT " EPOCH ("m.starts_at") ", " EPOCH ("m.ends_at") " FROM scheduling.meetings m"
        " JOIN scheduling.participants p ON p.meeting_id = m.id"
        " WHERE p.person_id = $1 AND ($1 <> 'family' OR m.case_id = $5::uuid) AND m.status = 'scheduled'"
        " AND m.id IS DISTINCT FROM $4::uuid AND m.ends_at > to_timestamp ($2::bigint)"
        " AND m.starts_at < to_timestamp ($3::bigint)");
    kw_db_prepare (db, "calendar_wishes",
        "SELECT array_to_string (days, ','), earliest, latest FROM scheduling.referrals WHERE referral_id = $1::uuid");
    kw_db_prepare (db, "calendar_lock",
        "SELECT pg_advisory_xact_lock (hashtextextended ('scheduling.person:' || $1, 0))");
    kw_db_prepare (db, "calendar_taken",
        "SELECT p.person_id FROM scheduling.meetings m JOIN scheduling.participants p ON p.meeting_id = m.id"
        " WHERE m.status = 'scheduled' AND m.id IS DISTINCT FROM $4::uuid"
        " AND m.starts_at < to_timestamp ($3::bigint) + $5::int * interval '1 minute'"
        " AND m.ends_at > to_timestamp ($2::bigint) - $5::int * interval '1 minute'"
        " AND p.person_id = $1 AND ($1 <> 'family' OR m.case_id = $6::uuid) LIMIT 1");
    return 0;
}

static const char *const ROLES [] = { "key_worker", "deputy", "cover", "team", "family", NULL };

//  Add an invitee, or make one already there required.
static void
s_add (invitee_t *list, size_t *count, size_t max, const invitee_t *who)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp (list [i].person_id, who->person_id) == 0) {
            list [i].required |= who->required;
            return;
        }
    if (*count < max)
        list [(*count)++] = *who;
}

//  The case's people in role as invitees. Their number, or -1.
static int
s_role_people (kw_db_t *db, const case_row_t *c, const char *role, int required, invitee_t *list, size_t *count,
               size_t max, kw_arena_t *arena)
{
    const char *params [2] = { c->id, role };
    PGresult *res = kw_db_query (db, "calendar_people", 2, params);
    if (!res)
        return -1;
    int n = PQntuples (res);
    int family = strcmp (role, "family") == 0;
    //  The family is one participant: its contact is the first member with an e-mail.
    for (int i = 0; i < n; i++) {
        if (family && (PQgetisnull (res, i, 4) ? i < n - 1 : 0))
            continue;
        invitee_t who = {
            .person_id = family ? "family" : rows_text (res, i, 1, arena),
            .role = (char *) ROLES [0], .professional_id = rows_text (res, i, 2, arena),
            .name = rows_text (res, i, 3, arena), .email = rows_text (res, i, 4, arena),
            .phone = rows_text (res, i, 5, arena), .required = required
        };
        for (int r = 0; ROLES [r]; r++)
            if (strcmp (ROLES [r], role) == 0)
                who.role = (char *) ROLES [r];
        s_add (list, count, max, &who);
        if (family)
            break;
    }
    PQclear (res);
    return n;
}

int
calendar_invitees (kw_db_t *db, const case_row_t *c, char **required, size_t n_required, char **optional,
                   size_t n_optional, invitee_t **out, size_t *count, kw_field_errors_t *errs,
                   kw_arena_t *arena)
{
    size_t max = SLOTS_MAX_PEOPLE;
    invitee_t *list = kw_arena_calloc (arena, sizeof *list * max);
    *count = 0;
    for (int pass = 0; pass < 2; pass++) {
        char **names = pass == 0 ? required : optional;
        size_t n = pass == 0 ? n_required : n_optional;
        const char *list_name = pass == 0 ? "required" : "optional";
        for (size_t i = 0; i < n; i++) {
            const char *name = names [i] ? names [i] : "";
            int is_role = 0, found = 0;
            for (int r = 0; ROLES [r]; r++)
                if (strcmp (ROLES [r], name) == 0) {
                    is_role = 1;
                    if ((found = s_role_people (db, c, name, pass == 0, list, count, max, arena)) < 0)
                        return -1;
                }
            if (!is_role && kw_uuid_valid (name)) {
                const char *person [2] = { c->id, name };
                PGresult *res = kw_db_query (db, "calendar_case_person", 2, person);
                if (!res)
                    return -1;
                char *role = PQntuples (res) ? rows_text (res, 0, 0, arena) : "professional";
                PQclear (res);
                const char *params [2] = { name, c->region };
                res = kw_db_query (db, "calendar_professional", 2, params);
                if (!res)
                    return -1;
                if ((found = PQntuples (res)) == 1) {
                    invitee_t who = { .person_id = rows_text (res, 0, 0, arena), .role = role,
                                      .professional_id = rows_text (res, 0, 0, arena),
                                      .name = rows_text (res, 0, 1, arena), .email = rows_text (res, 0, 2, arena),
                                      .phone = rows_text (res, 0, 3, arena), .required = pass == 0 };
                    s_add (list, count, max, &who);
                }
                PQclear (res);
            }
            if (!found)
                kw_field_errors_add (errs, list_name, "%s[%zu] is neither a role the case has (key_worker, deputy,"
                                     " cover, team, family) nor an active professional of the region",
                                     list_name, i);
        }
    }
    if (*count == 0 && !kw_field_errors_found (errs))
        kw_field_errors_add (errs, "required", "required names nobody to invite");
    else
    if (*count == max)
        kw_field_errors_add (errs, "optional", "a meeting may invite at most %d people", SLOTS_MAX_PEOPLE - 1);
    *out = list;
    return kw_field_errors_found (errs) ? 1 : 0;
}

//  Rows of two epoch columns as spans (arena).
static int
s_spans (kw_db_t *db, const char *stmt, int nparams, const char *const *params, slot_span_t **spans, size_t *n,
         kw_arena_t *arena)
{
    PGresult *res = kw_db_query (db, stmt, nparams, params);
    if (!res)
        return -1;
    *n = (size_t) PQntuples (res);
    *spans = kw_arena_calloc (arena, sizeof **spans * (*n ? *n : 1));
    for (size_t i = 0; i < *n; i++)
        (*spans) [i] = (slot_span_t) { atoll (PQgetvalue (res, (int) i, 0)), atoll (PQgetvalue (res, (int) i, 1)) };
    PQclear (res);
    return 0;
}

//  A professional's working hours; the default week when none are known.
static int
s_hours (kw_db_t *db, const invitee_t *who, slot_person_t *p)
{
    p->has_hours = 1;
    for (int d = 0; d < 7; d++) {
        p->hours [d][0] = d < 5 ? DEFAULT_FROM : 0;
        p->hours [d][1] = d < 5 ? DEFAULT_TO : 0;
    }
    if (!who->professional_id)
        return 0;
    const char *params [1] = { who->professional_id };
    PGresult *res = kw_db_query (db, "calendar_hours", 1, params);
    if (!res)
        return -1;
    int v [14];
    if (PQntuples (res) && !PQgetisnull (res, 0, 0)
    &&  sscanf (PQgetvalue (res, 0, 0), "%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d", &v [0], &v [1], &v [2],
                &v [3], &v [4], &v [5], &v [6], &v [7], &v [8], &v [9], &v [10], &v [11], &v [12], &v [13]) == 14)
        for (int d = 0; d < 7; d++) {
            p->hours [d][0] = (int16_t) (v [2 * d] < 0 ? 0 : v [2 * d]);
            p->hours [d][1] = (int16_t) (v [2 * d] < 0 ? 0 : v [2 * d + 1]);
        }
    PQclear (res);
    return 0;
}

static const char *
s_label (const invitee_t *who, kw_arena_t *arena)
{
    if (strcmp (who->role, "professional") == 0 || strcmp (who->role, "team") == 0) {
        size_t size = strlen (who->person_id) + 24;
        char *label = kw_arena_alloc (arena, size);
        snprintf (label, size, "%s %s", strcmp (who->role, "team") == 0 ? "team member" : "professional",
                  who->person_id);
        return label;
    }
    return strcmp (who->role, "key_worker") == 0 ? "the key worker" : strcmp (who->role, "deputy") == 0
         ? "the deputy" : strcmp (who->role, "cover") == 0 ? "the cover" : "the family";
}

//  The family's days ("tue,wed") and times into the query.
static int
s_wishes (kw_db_t *db, const case_row_t *c, slot_query_t *q)
{
    static const char *const days [] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    q->family_days = 0;
    q->family_from = q->family_to = -1;
    const char *params [1] = { c->referral_id };
    PGresult *res = kw_db_query (db, "calendar_wishes", 1, params);
    if (!res)
        return -1;
    if (PQntuples (res)) {
        const char *list = PQgetvalue (res, 0, 0);
        for (int d = 0; d < 7; d++)
            if (strstr (list, days [d]))
                q->family_days |= (uint8_t) (1u << d);
        int h1, m1, h2, m2;
        if (!PQgetisnull (res, 0, 1) && !PQgetisnull (res, 0, 2)
        &&  sscanf (PQgetvalue (res, 0, 1), "%d:%d", &h1, &m1) == 2
        &&  sscanf (PQgetvalue (res, 0, 2), "%d:%d", &h2, &m2) == 2 && h2 * 60 + m2 > h1 * 60 + m1) {
            q->family_from = h1 * 60 + m1;
            q->family_to = h2 * 60 + m2;
        }
    }
    PQclear (res);
    return 0;
}

int
calendar_search (kw_db_t *db, const settings_region_t *region, const case_row_t *c,
                 const invitee_t *invitees, size_t count, int32_t first_day, int32_t last_day,
                 int duration, const char *moving, slot_result_t *result, kw_arena_t *arena)
{
    slot_person_t *people = kw_arena_calloc (arena, sizeof *people * (count ? count : 1));
    char from [24], to [24];
    snprintf (from, sizeof from, "%lld", (long long) zone_to_utc (region->zone, first_day, 0) - 86400);
    snprintf (to, sizeof to, "%lld", (long long) zone_to_utc (region->zone, last_day + 1, 0) + 86400);
    for (size_t i = 0; i < count; i++) {
        const invitee_t *who = &invitees [i];
        slot_person_t *p = &people [i];
        p->label = s_label (who, arena);
        p->id = who->person_id;
        p->required = who->required;
        if (strcmp (who->role, "family") != 0 && s_hours (db, who, p) != 0)
            return -1;
        const char *params [5] = { who->professional_id ? who->professional_id : who->person_id, from, to, moving,
                                   c->id };
        slot_span_t *spans = NULL;
        if (who->professional_id) {
            if (s_spans (db, "calendar_absences", 3, params, &spans, &p->absence_count, arena) != 0)
                return -1;
            p->absences = spans;
        }
        params [0] = who->person_id;
        if (s_spans (db, "calendar_meetings", 5, params, &spans, &p->meeting_count, arena) != 0)
            return -1;
        p->meetings = spans;
    }
    slot_query_t q = {
        .first_day = first_day, .last_day = last_day, .duration = duration, .step = 15,
        .buffer = (int) region->buffer_minutes, .holidays = region->holidays,
        .holiday_count = region->holiday_count, .not_before = (int64_t) time (NULL),
        .to_utc = zone_to_utc, .zone = region->zone, .people = people, .people_count = count
    };
    if (s_wishes (db, c, &q) != 0)
        return -1;
    return slots_search (&q, result);
}

void
calendar_unavailable (const invitee_t *invitees, size_t count, uint32_t free_mask, char ***names,
                      size_t *n_names, kw_arena_t *arena)
{
    *names = kw_arena_calloc (arena, sizeof **names * (count ? count : 1));
    *n_names = 0;
    for (size_t i = 0; i < count; i++)
        if (!invitees [i].required && !(free_mask & (1u << i)))
            (*names) [(*n_names)++] = invitees [i].person_id;
}

static int
s_person_cmp (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

int
calendar_lock_and_check (kw_db_t *db, const char *case_id, const invitee_t *invitees, size_t count,
                         int64_t start, int64_t end, unsigned buffer, const char *moving, const char **who)
{
    const char *sorted [SLOTS_MAX_PEOPLE];
    size_t n = 0;
    for (size_t i = 0; i < count && n < SLOTS_MAX_PEOPLE; i++)
        if (invitees [i].required)
            sorted [n++] = invitees [i].person_id;
    qsort (sorted, n, sizeof sorted [0], s_person_cmp);
    char family_key [64];
    snprintf (family_key, sizeof family_key, "family:%s", case_id);
    for (size_t i = 0; i < n; i++) {
        const char *params [1] = { strcmp (sorted [i], "family") == 0 ? family_key : sorted [i] };
        if (kw_db_exec (db, "calendar_lock", 1, params) != 0)
            return -1;
    }
    char from [24], to [24], minutes [16];
    snprintf (from, sizeof from, "%lld", (long long) start);
    snprintf (to, sizeof to, "%lld", (long long) end);
    snprintf (minutes, sizeof minutes, "%u", buffer);
    for (size_t i = 0; i < n; i++) {
        const char *params [6] = { sorted [i], from, to, moving, minutes, case_id };
        PGresult *res = kw_db_query (db, "calendar_taken", 6, params);
        if (!res)
            return -1;
        int taken = PQntuples (res) > 0;
        PQclear (res);
        if (taken) {
            *who = sorted [i];
            return 0;
        }
    }
    return 1;
}
