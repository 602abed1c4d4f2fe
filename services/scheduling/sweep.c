/*  sweep: the scheduling service's daily sweep, run by a timer (every
    KW_SCHEDULING_SWEEP_MS, and at start, so what fell due while the service
    was down is caught up) and by an admin on demand. For each region, in
    its own time zone:
      - routine reviews: each active case's review is due review_interval_days
        after its last held meeting (or its opening); found when the due
        date comes within the fold window (so the meeting can be booked);
      - C(E)TR reviews for a child rated red, amber or blue on the DSR, every
        cetr_interval_days after the last held C(E)TR meeting (or the
        rating), and the first after an admission (a blue rating) within
        cetr_admission_working_days working days (weekends and the region's
        public holidays do not count);
      - actions past their due date become overdue.
    Each review is a row keyed by case, kind and due date, and each overdue
    action a status change, written in the same transaction as its event
    (review_due, action_overdue): however often the sweep runs and however
    it stops, each is announced once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_rpc.h"
#include "kw_ticker.h"
#include "kw_tx.h"
#include "scheduling.h"
#include "zone.h"

struct _sweep_t {
    kw_service_t *svc;
    kw_ticker_t *ticker;
    kw_arena_t *arena;
};

//  The latest held meeting (of type $3 when given) or else the date $4,
//  as a date in the region's zone ($2).
#define LAST_HELD(type_filter, fallback) \
    "(coalesce ((SELECT max (m.held_at) FROM scheduling.meetings m WHERE m.case_id = c.case_id" \
    " AND m.status = 'held'" type_filter "), " fallback ") AT TIME ZONE $2)::date"

static void
s_prepare (kw_db_t *db)
{
    //  $1 region, $2 zone, $3 interval days, $4 today, $5 notice days.
    kw_db_prepare (db, "sweep_routine",
        "INSERT INTO scheduling.reviews (case_id, kind, due)"
        " SELECT c.case_id, 'routine', " LAST_HELD ("", "c.opened_at") " + $3::int"
        " FROM scheduling.cases c WHERE c.region = $1 AND c.status = 'active'"
        " AND " LAST_HELD ("", "c.opened_at") " + $3::int <= $4::date + $5::int"
        " ON CONFLICT DO NOTHING RETURNING case_id, kind, due::text");
    kw_db_prepare (db, "sweep_cetr",
        "INSERT INTO scheduling.reviews (case_id, kind, due)"
        " SELECT c.case_id, 'cetr', " LAST_HELD (" AND m.type = 'cetr'", "(d.rated_on::timestamp AT TIME ZONE $2)") " + $3::int"
        " FROM scheduling.cases c JOIN scheduling.dsr d ON d.case_id = c.case_id"
        " WHERE c.region = $1 AND c.status = 'active' AND d.rag IN ('red', 'amber', 'blue')"
        " AND " LAST_HELD (" AND m.type = 'cetr'", "(d.rated_on::timestamp AT TIME ZONE $2)") " + $3::int <= $4::date + $5::int"
        " ON CONFLICT DO NOTHING RETURNING case_id, kind, due::text");
    //  Admissions without a C(E)TR held since.
    kw_db_prepare (db, "sweep_admissions",
        "SELECT c.case_id, d.admitted_on::text FROM scheduling.cases c JOIN scheduling.dsr d ON d.case_id = c.case_id"
        " WHERE c.region = $1 AND c.status = 'active' AND d.admitted_on IS NOT NULL AND NOT EXISTS ("
        "  SELECT 1 FROM scheduling.meetings m WHERE m.case_id = c.case_id AND m.type = 'cetr'"
        "  AND m.status = 'held' AND (m.held_at AT TIME ZONE $2)::date >= d.admitted_on)");
    kw_db_prepare (db, "sweep_admission_due",
        "INSERT INTO scheduling.reviews (case_id, kind, due) VALUES ($1::uuid, 'cetr_admission', $2::date)"
        " ON CONFLICT DO NOTHING RETURNING case_id, kind, due::text");
    kw_db_prepare (db, "sweep_overdue",
        "UPDATE scheduling.actions SET status = 'overdue', overdue_at = now (), updated_at = now ()"
        " WHERE region = $1 AND status = 'open' AND due < $2::date"
        " RETURNING id, case_id, description, owner, owner_name, due::text, meeting_id");
    kw_db_prepare (db, "sweep_owner",
        "SELECT person_id, role, name, email, phone FROM scheduling.case_people WHERE case_id = $1::uuid"
        " AND (person_id = $2 OR (role = 'family' AND $2 = 'family')) ORDER BY person_id LIMIT 1");
}

//  One region's run, as a kw_tx_job.
typedef struct {
    sweep_t *self;
    const settings_region_t *region;
    unsigned reviews, overdue;
} run_t;

static int
s_review_events (run_t *run, kw_db_t *db, PGresult *res)
{
    kw_arena_t *arena = run->self->arena;
    for (int i = 0; i < PQntuples (res); i++) {
        int failed = 0;
        Kw__ReviewDue event = KW__REVIEW_DUE__INIT;
        event.case_id = rows_text (res, i, 0, arena);
        event.kind = rows_text (res, i, 1, arena);
        event.due = rows_text (res, i, 2, arena);
        event.region = (char *) run->region->id;
        event.key_worker = records_key_worker (db, event.case_id, arena, &failed);
        if (failed || kw_outbox_insert (db, KW_PRODUCER_SCHEDULING, KW_EVENT_SCHEDULING_REVIEW_DUE, run->region->id,
                                        event.case_id, &event.base, NULL) != 0)
            return -1;
        kw_info ("review_due", "case_id", event.case_id, "kind", event.kind, "due", event.due);
        run->reviews++;
    }
    return 0;
}

//  The date n working days after day (weekends and holidays skipped).
static int32_t
s_working_days_after (const settings_region_t *region, int32_t day, unsigned n)
{
    while (n > 0) {
        day++;
        if (slots_weekday (day) < 5 && !settings_is_holiday (region, day))
            n--;
    }
    return day;
}

static int
s_admissions (run_t *run, kw_db_t *db, const char *const *params)
{
    PGresult *res = kw_db_query (db, "sweep_admissions", 2, params);
    if (!res)
        return -1;
    int failed = 0;
    for (int i = 0; i < PQntuples (res) && !failed; i++) {
        int32_t admitted, today = scheduling_today (run->region);
        if (zone_parse_date (PQgetvalue (res, i, 1), &admitted) != 0)
            continue;
        int32_t due = s_working_days_after (run->region, admitted, run->region->cetr_admission_working_days);
        if (due > today + (int32_t) run->region->fold_window_days)
            continue;
        char date [11];
        zone_format_date (due, date);
        const char *insert [2] = { PQgetvalue (res, i, 0), date };
        PGresult *found = kw_db_query (db, "sweep_admission_due", 2, insert);
        failed = !found || s_review_events (run, db, found) != 0;
        PQclear (found);
    }
    PQclear (res);
    return failed ? -1 : 0;
}

static int
s_reviews (run_t *run, kw_db_t *db)
{
    const settings_region_t *r = run->region;
    char today [11], routine [16], cetr [16], notice [16];
    zone_format_date (scheduling_today (r), today);
    snprintf (routine, sizeof routine, "%u", r->review_interval_days);
    snprintf (cetr, sizeof cetr, "%u", r->cetr_interval_days);
    snprintf (notice, sizeof notice, "%u", r->fold_window_days);
    const char *params [5] = { r->id, r->time_zone, routine, today, notice };
    for (int kind = 0; kind < 2; kind++) {
        params [2] = kind == 0 ? routine : cetr;
        PGresult *res = kw_db_query (db, kind == 0 ? "sweep_routine" : "sweep_cetr", 5, params);
        int failed = !res || s_review_events (run, db, res) != 0;
        PQclear (res);
        if (failed)
            return -1;
    }
    return s_admissions (run, db, params);
}

static Kw__Participant *
s_owner (kw_db_t *db, const char *case_id, const char *owner, kw_arena_t *arena, int *failed)
{
    const char *params [2] = { case_id, owner };
    PGresult *res = kw_db_query (db, "sweep_owner", 2, params);
    if (!res) {
        *failed = 1;
        return NULL;
    }
    Kw__Participant *p = PQntuples (res) ? records_participant (res, 0, arena) : NULL;
    PQclear (res);
    return p;
}

static int
s_overdue (run_t *run, kw_db_t *db)
{
    kw_arena_t *arena = run->self->arena;
    char today [11];
    zone_format_date (scheduling_today (run->region), today);
    const char *params [2] = { run->region->id, today };
    PGresult *res = kw_db_query (db, "sweep_overdue", 2, params);
    if (!res)
        return -1;
    int failed = 0;
    for (int i = 0; i < PQntuples (res) && !failed; i++) {
        Kw__PlanAction *a = kw_arena_calloc (arena, sizeof *a);
        kw__plan_action__init (a);
        a->id = rows_text (res, i, 0, arena);
        a->description = rows_text (res, i, 2, arena);
        a->owner = rows_text (res, i, 3, arena);
        a->owner_name = rows_text (res, i, 4, arena);
        a->due = rows_text (res, i, 5, arena);
        a->meeting_id = rows_text (res, i, 6, arena);
        a->status = "overdue";
        Kw__ActionOverdue event = KW__ACTION_OVERDUE__INIT;
        event.case_id = rows_text (res, i, 1, arena);
        event.region = (char *) run->region->id;
        event.action = a;
        event.owner = s_owner (db, event.case_id, a->owner, arena, &failed);
        event.key_worker = records_key_worker (db, event.case_id, arena, &failed);
        failed = failed || kw_outbox_insert (db, KW_PRODUCER_SCHEDULING, KW_EVENT_SCHEDULING_ACTION_OVERDUE,
                                             run->region->id, event.case_id, &event.base, NULL) != 0;
        kw_info ("action_overdue", "case_id", event.case_id, "action_id", a->id);
        run->overdue++;
    }
    PQclear (res);
    return failed ? -1 : 0;
}

static int
s_work (kw_db_t *db, void *arg)
{
    run_t *run = arg;
    return s_reviews (run, db) != 0 || s_overdue (run, db) != 0 ? -1 : 0;
}

//  Sweep one region; the events it emitted in *run.
static int
s_region (sweep_t *self, const settings_region_t *region, run_t *run)
{
    kw_arena_reset (self->arena);
    *run = (run_t) { .self = self, .region = region };
    if (kw_tx_job (self->svc, s_work, run) < 0) {
        kw_warn ("sweep_failed", "region", region->id, "reason", kw_db_error (kw_service_db (self->svc)));
        return -1;
    }
    return 0;
}

static int
s_tick (void *arg)
{
    sweep_t *self = arg;
    scheduling_t *state = kw_service_state (self->svc);
    for (size_t i = 0; state && state->settings && i < settings_count (state->settings); i++) {
        run_t run;
        s_region (self, settings_at (state->settings, i), &run);
    }
    return 0;
}

sweep_t *
sweep_new (kw_service_t *svc, unsigned interval_ms)
{
    sweep_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->svc = svc;
    self->arena = kw_arena_new (16384);
    s_prepare (kw_service_db (svc));
    self->ticker = kw_ticker_new (kw_service_loop (svc), interval_ms, s_tick, self);
    if (!self->ticker) {
        kw_arena_destroy (&self->arena);
        free (self);
        return NULL;
    }
    return self;
}

void
sweep_destroy (sweep_t **self_p)
{
    sweep_t *self = *self_p;
    if (!self)
        return;
    kw_ticker_destroy (&self->ticker);
    kw_arena_destroy (&self->arena);
    free (self);
    *self_p = NULL;
}

void
sweep_now (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const char *const roles [] = { "admin", NULL };
    if (!kw_rpc_role_allowed (req, resp, arena, roles, NULL, "only an admin may run the sweep"))
        return;
    scheduling_t *state = kw_service_state (svc);
    const settings_region_t *region = scheduling_region (svc, req->caller->region);
    run_t run;
    if (!region || !state->sweep || s_region (state->sweep, region, &run) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "the sweep could not run; try again");
        return;
    }
    Kw__SweepResult out = KW__SWEEP_RESULT__INIT;
    out.has_reviews_due = out.has_actions_overdue = 1;
    out.reviews_due = run.reviews;
    out.actions_overdue = run.overdue;
    kw_rpc_reply_ok (resp, arena, &out.base);
}
