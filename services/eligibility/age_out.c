/*  age_out: the daily sweep that plans a child's move to adult services.
    For each open case of a region whose child is within the region's
    transition notice of its upper age it emits eligibility.case_transition_due,
    and on (or after) the birthday it reaches the upper age,
    eligibility.case_age_out. Each at most once per case: the event and its
    row in eligibility.age_out_events commit together, a case at a time.
    The sweep runs at start and at the first check after midnight in each
    region's time zone; a sweep that fails is tried again at the next check.
    Admins can run it now (RPC eligibility.age_out_sweep). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw/eligibility.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_audit.h"
#include "kw_config.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_time.h"
#include "kw_tx.h"
#include "kw_tz.h"
#include "eligibility.h"

#define AGE_OUT_MAX_REGIONS 64

struct _age_out_t {
    kw_service_t *svc;
    uv_timer_t timer;
    struct {
        char region [40];
        char date [16];         //  the region's date of its last sweep
    } swept [AGE_OUT_MAX_REGIONS];
    size_t swept_count;
};

typedef struct {
    unsigned transition_due;
    unsigned age_out;
} sweep_counts_t;

int
age_out_prepare (kw_db_t *db)
{
    //  Cases whose child is, by the base upper age, within the notice by
    //  today: a superset of those due (an extension only makes it later);
    //  and whether the transition was announced already.
    kw_db_prepare (db, "eligibility_age_out_candidates",
        "SELECT c.case_id, c.referral_id, r.body, EXISTS (SELECT 1 FROM eligibility.age_out_events e"
        "  WHERE e.case_id = c.case_id AND e.kind = 'transition_due')"
        " FROM eligibility.cases c"
        " JOIN eligibility.referrals r ON r.referral_id = c.referral_id"
        " WHERE c.region = $1 AND c.closed_at IS NULL AND NOT r.withdrawn"
        " AND r.date_of_birth <= $2::date + $3::int - make_interval (years => $4::int)"
        " AND NOT EXISTS (SELECT 1 FROM eligibility.age_out_events e"
        "  WHERE e.case_id = c.case_id AND e.kind = 'age_out')"
        " ORDER BY c.case_id");
    kw_db_prepare (db, "eligibility_age_out_event",
        "INSERT INTO eligibility.age_out_events (case_id, kind, upper_age_date)"
        " VALUES ($1::uuid, $2, $3::date) ON CONFLICT DO NOTHING");
    return 0;
}

//  "YYYY-MM-DD" of ymd into day (16 bytes).
static char *
s_day (const int ymd [3], char *day)
{
    snprintf (day, 16, "%04d-%02d-%02d", ymd [0], ymd [1], ymd [2]);
    return day;
}

//  Emit kind (eligibility.age_out_events.kind) as the event type for the
//  case once: 1 emitted, 0 emitted before, -1 error.
static int
s_emit (kw_db_t *db, const region_t *region, const char *case_id, const char *referral_id,
        const char *kind, const char *type, const int date [3], unsigned upper_age)
{
    char day [16];
    s_day (date, day);
    const char *params [3] = { case_id, kind, day };
    int inserted = kw_db_exec_count (db, "eligibility_age_out_event", 3, params, NULL, NULL);
    if (inserted <= 0)
        return inserted;
    Kw__CaseAgeOut event = KW__CASE_AGE_OUT__INIT;
    event.case_id = (char *) case_id;
    event.referral_id = (char *) referral_id;
    event.region = region->id;
    //  The notification service tells the key worker and the family the
    //  day the service ends (and the age) when the transition falls due;
    //  the age-out itself needs nobody to read a date (docs/events.md).
    if (strcmp (type, KW_EVENT_ELIGIBILITY_CASE_TRANSITION_DUE) == 0) {
        event.upper_age_date = day;
        event.has_upper_age = 1;
        event.upper_age = upper_age;
    }
    if (kw_outbox_insert (db, KW_PRODUCER_ELIGIBILITY, type, region->id, case_id, &event.base, NULL) != 0)
        return -1;
    kw_info (type, "case_id", case_id, "region", region->id);
    return 1;
}

//  What a case is due for; how many events were emitted.
typedef struct {
    const region_t *region;
    const char *case_id;
    const char *referral_id;
    int age_out [3];
    int aged_out;
    unsigned upper_age;
    int transition_emitted, age_out_emitted;
} due_t;

//  Announce what the case is due for (a kw_tx_job). 0, or -1 on a
//  database error.
static int
s_announce (kw_db_t *db, void *arg)
{
    due_t *self = arg;
    self->transition_emitted = s_emit (db, self->region, self->case_id, self->referral_id,
                                       "transition_due", KW_EVENT_ELIGIBILITY_CASE_TRANSITION_DUE,
                                       self->age_out, self->upper_age);
    self->age_out_emitted = self->transition_emitted < 0 || !self->aged_out ? 0
        : s_emit (db, self->region, self->case_id, self->referral_id, "age_out",
                  KW_EVENT_ELIGIBILITY_CASE_AGE_OUT, self->age_out, self->upper_age);
    return self->transition_emitted < 0 || self->age_out_emitted < 0 ? -1 : 0;
}

//  One case in a transaction of its own (none when nothing is due that
//  was not announced): 0, or -1 on a database error.
static int
s_case (kw_service_t *svc, const region_t *region, const int today [3], const char *case_id,
        const char *referral_id, const Kw__ReferralBody *body, int transition_sent,
        sweep_counts_t *counts)
{
    int in_school = region->upper_age_extended
                  ? rules_flag (body, region->upper_age_extended_when) == 1 : 0;
    due_t due = { .region = region, .case_id = case_id, .referral_id = referral_id };
    int transition [3];
    if (!body->child || rules_upper_age_dates (region, body->child->date_of_birth, in_school,
                                               due.age_out, transition) != 0)
        return 0;
    due.upper_age = in_school ? region->upper_age_extended : region->upper_age;
    int transition_due = kw_date_cmp (today [0], today [1], today [2],
                                      transition [0], transition [1], transition [2]) >= 0;
    due.aged_out = kw_date_cmp (today [0], today [1], today [2],
                                due.age_out [0], due.age_out [1], due.age_out [2]) >= 0;
    if (!transition_due || (transition_sent && !due.aged_out))
        return 0;
    if (kw_tx_job (svc, s_announce, &due) != 0)
        return -1;
    counts->transition_due += (unsigned) due.transition_emitted;
    counts->age_out += (unsigned) due.age_out_emitted;
    return 0;
}

//  Sweep region's open cases on today (day, its text). 0, or -1 on a
//  database error.
static int
s_sweep (kw_service_t *svc, const region_t *region, const int today [3], const char *day,
         sweep_counts_t *counts)
{
    char notice [16], years [16];
    snprintf (notice, sizeof notice, "%u", region->transition_notice_days);
    snprintf (years, sizeof years, "%u", region->upper_age);
    const char *params [4] = { region->id, day, notice, years };
    PGresult *res = kw_db_query (kw_service_db (svc), "eligibility_age_out_candidates", 4, params);
    if (!res)
        return -1;
    int failed = 0;
    kw_arena_t *arena = kw_arena_new (0);
    for (int i = 0; i < PQntuples (res) && !failed; i++) {
        Kw__ReferralBody *body = referrals_body (res, i, 2, arena);
        if (body)
            failed = s_case (svc, region, today, PQgetvalue (res, i, 0), PQgetvalue (res, i, 1),
                             body, PQgetvalue (res, i, 3) [0] == 't', counts) != 0;
        kw_arena_reset (arena);
    }
    kw_arena_destroy (&arena);
    PQclear (res);
    return failed ? -1 : 0;
}

//  Sweep region unless it was swept on its today already (or force).
static int
s_sweep_region (age_out_t *self, const region_t *region, int force, sweep_counts_t *counts)
{
    int today [3];
    if (kw_tz_today (region->time_zone, &today [0], &today [1], &today [2]) != 0)
        return -1;
    char day [16];
    s_day (today, day);
    size_t slot = 0;
    while (slot < self->swept_count && strcmp (self->swept [slot].region, region->id) != 0)
        slot++;
    if (!force && slot < self->swept_count && strcmp (self->swept [slot].date, day) == 0)
        return 0;
    if (s_sweep (self->svc, region, today, day, counts) != 0) {
        kw_error ("age_out_sweep_failed", "region", region->id,
                  "reason", kw_db_error (kw_service_db (self->svc)));
        return -1;
    }
    if (slot == self->swept_count && slot < AGE_OUT_MAX_REGIONS) {
        snprintf (self->swept [slot].region, sizeof self->swept [slot].region, "%s", region->id);
        self->swept_count++;
    }
    if (slot < self->swept_count)
        snprintf (self->swept [slot].date, sizeof self->swept [slot].date, "%s", day);
    return 0;
}

static void
s_on_timer (uv_timer_t *timer)
{
    age_out_t *self = timer->data;
    const region_set_t *regions = state_regions (self->svc);
    for (size_t i = 0; i < region_set_count (regions); i++) {
        sweep_counts_t counts = { 0, 0 };
        s_sweep_region (self, region_set_at (regions, i), 0, &counts);
    }
}

age_out_t *
age_out_start (kw_service_t *svc)
{
    long seconds;
    char err [128];
    if (kw_config_int ("KW_AGE_OUT_CHECK_SECONDS", kw_service_config (svc, "KW_AGE_OUT_CHECK_SECONDS"),
                       1, 86400, &seconds, err, sizeof err) != 0) {
        fprintf (stderr, "eligibility: %s\n", err);
        return NULL;
    }
    age_out_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->svc = svc;
    uv_timer_init (kw_service_loop (svc), &self->timer);
    self->timer.data = self;
    uv_timer_start (&self->timer, s_on_timer, 1000, (uint64_t) seconds * 1000);
    return self;
}

static void
s_closed (uv_handle_t *handle)
{
    free (handle->data);
}

void
age_out_stop (age_out_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    age_out_t *self = *self_p;
    *self_p = NULL;
    uv_timer_stop (&self->timer);
    uv_close ((uv_handle_t *) &self->timer, s_closed);
}

void
age_out_sweep_rpc (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const char *const roles [] = { "admin", NULL };
    const region_t *region = state_caller_region (svc, req, roles,
                                                  "only admins may run the age-out sweep",
                                                  resp, arena);
    eligibility_t *state = state_get (svc);
    if (!region)
        return;
    sweep_counts_t counts = { 0, 0 };
    if (s_sweep_region (state->age_out, region, 1, &counts) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL,
                            "the sweep did not finish; run it again");
        return;
    }
    Kw__AgeOutSweepResult out = KW__AGE_OUT_SWEEP_RESULT__INIT;
    out.has_transition_due = out.has_age_out = 1;
    out.transition_due = counts.transition_due;
    out.age_out = counts.age_out;
    if (kw_audit_read (kw_service_db (svc), req->caller, "age_out_sweep", "region", region->id, "ok",
                       resp, arena) != 0)
        return;
    kw_rpc_reply_ok (resp, arena, &out.base);
}
