/*  absences: a professional's absences and the cover of their cases. An
    absence is scheduled until its start, active until its end, then ended
    (or cancelled). When it starts (the sweep finds it due; one entered in
    the past starts at once), each case the professional holds as key
    worker is covered by their deputy, or else by the case's deputy, if
    that colleague is active, present and has room (covered cases count
    towards their maximum); otherwise the cover overflows to the
    coordinator. An absence longer than the region's threshold also starts
    a replacement round for each case: the key worker stays until a new one
    accepts. At the end, or on cancellation, the covers end. Every start
    and end of cover is an event. Coordinators and admins of the region,
    and the professional themself, record and cancel absences. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_audit.h"
#include "kw_check.h"
#include "kw_log.h"
#include "kw_time.h"
#include "kw_tx.h"
#include "kw_uuid.h"
#include "assignment.h"

#define MAX_REASON 500
#define ABSENCE_COLUMNS \
    "a.id, a.professional_id, " TS ("a.starts_at") ", " TS ("a.ends_at") ", a.reason, a.status," \
    " a.long_absence, " TS ("a.created_at") ", " TS ("a.cancelled_at") ", a.region"

int
absences_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "absences_professional",
        "SELECT id FROM assignment.professionals WHERE id = $1::uuid AND region = $2 FOR UPDATE");
    kw_db_prepare (db, "absences_date",
        "SELECT to_char ((($1::date + $3::int)::timestamp AT TIME ZONE $2) AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
    kw_db_prepare (db, "absences_instant",
        "SELECT to_char ($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
    kw_db_prepare (db, "absences_overlap",
        "SELECT 1 FROM assignment.absences WHERE professional_id = $1::uuid"
        " AND status IN ('scheduled', 'active') AND starts_at < $3::timestamptz AND ends_at > $2::timestamptz");
    kw_db_prepare (db, "absences_insert",
        "INSERT INTO assignment.absences (id, professional_id, region, starts_at, ends_at, reason, status,"
        " long_absence, created_by)"
        " VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6, 'scheduled',"
        " $5::timestamptz - $4::timestamptz > $7::int * interval '1 second', $8)");
    kw_db_prepare (db, "absences_get",
        "SELECT " ABSENCE_COLUMNS ", a.starts_at <= now (), a.ends_at <= now ()"
        " FROM assignment.absences a WHERE a.id = $1::uuid FOR UPDATE");
    kw_db_prepare (db, "absences_list",
        "SELECT " ABSENCE_COLUMNS " FROM assignment.absences a WHERE a.professional_id = $1::uuid"
        " ORDER BY a.starts_at, a.id");
    kw_db_prepare (db, "absences_set_status",
        "UPDATE assignment.absences SET status = $2,"
        " cancelled_at = CASE WHEN $2 = 'cancelled' THEN now () END WHERE id = $1::uuid");
    kw_db_prepare (db, "absences_absent",
        "UPDATE assignment.professionals SET absent = EXISTS (SELECT 1 FROM assignment.absences a"
        " WHERE a.professional_id = $1::uuid AND a.status = 'active'), updated_at = now ()"
        " WHERE id = $1::uuid");
    kw_db_prepare (db, "absences_cases",
        "SELECT id FROM assignment.cases WHERE key_worker_id = $1::uuid AND status = 'active'"
        " ORDER BY id");
    kw_db_prepare (db, "absences_cover_choices",
        "SELECT p.deputy_id, c.deputy_id FROM assignment.cases c, assignment.professionals p"
        " WHERE c.id = $1::uuid AND p.id = $2::uuid");
    kw_db_prepare (db, "absences_take_cover",
        "UPDATE assignment.professionals SET cover_load = cover_load + 1, updated_at = now ()"
        " WHERE id = $1::uuid AND id <> $2::uuid AND active AND NOT absent"
        " AND caseload + cover_load < max_caseload RETURNING id");
    kw_db_prepare (db, "absences_cover_insert",
        "INSERT INTO assignment.covers (id, case_id, absence_id, absent_id, cover_id, starts_at, ends_at,"
        " status) SELECT $1, $2, a.id, a.professional_id, $4::uuid, greatest (a.starts_at, now ()), a.ends_at,"
        " 'active' FROM assignment.absences a WHERE a.id = $3::uuid"
        " RETURNING " TS ("starts_at") ", " TS ("ends_at"));
    kw_db_prepare (db, "absences_covers_of",
        "SELECT id, case_id FROM assignment.covers WHERE absence_id = $1::uuid AND status = 'active'"
        " ORDER BY case_id");
    kw_db_prepare (db, "absences_cover_of_case",
        "SELECT id FROM assignment.covers WHERE case_id = $1::uuid AND status = 'active'");
    kw_db_prepare (db, "absences_cover_end",
        "UPDATE assignment.covers SET status = 'ended', ended_at = now (), ended_because = $2"
        " WHERE id = $1::uuid AND status = 'active'"
        " RETURNING absence_id, absent_id, cover_id, " TS ("starts_at") ", " TS ("ends_at") ", "
        TS ("ended_at"));
    kw_db_prepare (db, "absences_replacing",
        "SELECT id FROM assignment.cases WHERE key_worker_id = $1::uuid AND status = 'active'"
        " AND round_purpose = 'replacement' ORDER BY id");
    kw_db_prepare (db, "absences_release_cover",
        "UPDATE assignment.professionals SET cover_load = cover_load - 1, updated_at = now ()"
        " WHERE id = $1::uuid");
    return 0;
}

// ---- cover

//  Fill the parts of a cover event every start and end share.
static int
s_cover_event (kw_db_t *db, const case_row_t *row, Kw__CoverChanged *event, const char *absence_id,
               const char *absent_id, const char *cover_id, kw_arena_t *arena)
{
    int failed = 0;
    event->case_id = row->id;
    event->referral_id = row->referral_id;
    event->region = row->region;
    event->absence_id = (char *) absence_id;
    event->absent = people_professional (db, absent_id, arena, &failed);
    event->cover = people_professional (db, cover_id, arena, &failed);
    event->has_overflow = 1;
    event->overflow = cover_id == NULL;
    if (failed || people_team (db, row->id, arena, &event->team, &event->n_team) != 0
    ||  people_family (db, row->id, arena, &event->family, &event->n_family) != 0)
        return -1;
    return 0;
}

//  Cover the case row of absent professional absent_id for absence_id.
static int
s_cover (kw_db_t *db, const case_row_t *row, const char *absence_id, const char *absent_id, kw_arena_t *arena)
{
    const char *params [2] = { row->id, absent_id };
    PGresult *res = kw_db_query (db, "absences_cover_choices", 2, params);
    if (!res)
        return -1;
    char *choices [2] = { NULL, NULL };
    if (PQntuples (res)) {
        choices [0] = rows_text (res, 0, 0, arena);
        choices [1] = rows_text (res, 0, 1, arena);
    }
    PQclear (res);
    char *cover_id = NULL;
    for (int i = 0; i < 2 && !cover_id; i++) {
        if (!choices [i])
            continue;
        const char *take [2] = { choices [i], absent_id };
        res = kw_db_query (db, "absences_take_cover", 2, take);
        if (!res)
            return -1;
        if (PQntuples (res))
            cover_id = choices [i];
        PQclear (res);
    }
    char id [KW_UUID_SIZE];
    kw_uuid_generate (id);
    const char *insert [4] = { id, row->id, absence_id, cover_id };
    res = kw_db_query (db, "absences_cover_insert", 4, insert);
    if (!res)
        return -1;
    Kw__CoverChanged event = KW__COVER_CHANGED__INIT;
    event.from = rows_text (res, 0, 0, arena);
    event.to = rows_text (res, 0, 1, arena);
    PQclear (res);
    if (s_cover_event (db, row, &event, absence_id, absent_id, cover_id, arena) != 0)
        return -1;
    kw_info ("cover_started", "case_id", row->id, "absence_id", absence_id, "cover_id", cover_id,
             "overflow", cover_id ? "false" : "true");
    if (cover_id)
        return journal_event (db, NULL, row->region, row->id, NULL, KW_EVENT_ASSIGNMENT_COVER_STARTED,
                              &event.base, cover_id, NULL, "%s covers for %s from %s to %s",
                              event.cover && event.cover->name ? event.cover->name : "-",
                              event.absent && event.absent->name ? event.absent->name : "-",
                              event.from, event.to);
    return journal_event (db, NULL, row->region, row->id, NULL, KW_EVENT_ASSIGNMENT_COVER_STARTED,
                          &event.base, NULL, NULL, "nobody with room can cover for %s from %s to %s:"
                          " the coordinator covers", event.absent && event.absent->name ? event.absent->name
                          : "-", event.from, event.to);
}

//  End cover cover_id (of case row) because of why. 0 or -1.
static int
s_end_cover (kw_db_t *db, journal_actor_t actor, const case_row_t *row, const char *cover_id, const char *why,
             kw_arena_t *arena)
{
    const char *params [2] = { cover_id, why };
    PGresult *res = kw_db_query (db, "absences_cover_end", 2, params);
    if (!res)
        return -1;
    if (PQntuples (res) == 0) {
        PQclear (res);
        return 0;
    }
    char *absence_id = rows_text (res, 0, 0, arena);
    char *absent_id = rows_text (res, 0, 1, arena);
    char *covering = rows_text (res, 0, 2, arena);
    Kw__CoverChanged event = KW__COVER_CHANGED__INIT;
    event.from = rows_text (res, 0, 3, arena);
    event.to = rows_text (res, 0, 4, arena);
    event.ended_at = rows_text (res, 0, 5, arena);
    event.ended_because = (char *) why;
    PQclear (res);
    const char *release [1] = { covering };
    if ((covering && kw_db_exec (db, "absences_release_cover", 1, release) != 0)
    ||  s_cover_event (db, row, &event, absence_id, absent_id, covering, arena) != 0)
        return -1;
    kw_info ("cover_ended", "case_id", row->id, "absence_id", absence_id, "because", why);
    return journal_event (db, actor, row->region, row->id, NULL, KW_EVENT_ASSIGNMENT_COVER_ENDED, &event.base,
                          covering, NULL, "the cover for %s ended (%s)",
                          event.absent && event.absent->name ? event.absent->name : "-", why);
}

int
absences_end_cover (kw_db_t *db, journal_actor_t actor, const case_row_t *row, const char *because,
                    kw_arena_t *arena)
{
    const char *params [1] = { row->id };
    PGresult *res = kw_db_query (db, "absences_cover_of_case", 1, params);
    if (!res)
        return -1;
    char *cover_id = PQntuples (res) ? rows_text (res, 0, 0, arena) : NULL;
    PQclear (res);
    return cover_id ? s_end_cover (db, actor, row, cover_id, because, arena) : 0;
}

// ---- the life of an absence

//  An absence as loaded (locked), with whether it is due to start and end.
typedef struct {
    Kw__Absence *absence;
    int start_due;
    int end_due;
} loaded_t;

static Kw__Absence *
s_absence (PGresult *res, int r, kw_arena_t *arena)
{
    Kw__Absence *a = kw_arena_calloc (arena, sizeof *a);
    kw__absence__init (a);
    a->id = rows_text (res, r, 0, arena);
    a->professional_id = rows_text (res, r, 1, arena);
    a->from = rows_text (res, r, 2, arena);
    a->to = rows_text (res, r, 3, arena);
    a->reason = rows_text (res, r, 4, arena);
    a->status = rows_text (res, r, 5, arena);
    a->has_long_absence = 1;
    a->long_absence = PQgetvalue (res, r, 6) [0] == 't';
    a->created_at = rows_text (res, r, 7, arena);
    a->cancelled_at = rows_text (res, r, 8, arena);
    a->region = rows_text (res, r, 9, arena);
    return a;
}

static int
s_load (kw_db_t *db, const char *id, kw_arena_t *arena, loaded_t *out)
{
    const char *params [1] = { id };
    PGresult *res = kw_db_query (db, "absences_get", 1, params);
    if (!res)
        return -1;
    int found = PQntuples (res) == 1;
    if (found) {
        out->absence = s_absence (res, 0, arena);
        out->start_due = PQgetvalue (res, 0, 10) [0] == 't';
        out->end_due = PQgetvalue (res, 0, 11) [0] == 't';
    }
    PQclear (res);
    return found;
}

static int
s_set_status (kw_db_t *db, Kw__Absence *a, const char *status)
{
    const char *params [2] = { a->id, status };
    const char *absent [1] = { a->professional_id };
    a->status = (char *) status;
    return kw_db_exec (db, "absences_set_status", 2, params) || kw_db_exec (db, "absences_absent", 1, absent)
         ? -1 : 0;
}

int
absences_start (kw_service_t *svc, kw_db_t *db, const char *absence_id, kw_arena_t *arena)
{
    loaded_t loaded;
    int found = s_load (db, absence_id, arena, &loaded);
    if (found <= 0)
        return found;
    Kw__Absence *a = loaded.absence;
    if (strcmp (a->status, "scheduled") != 0 || !loaded.start_due)
        return 0;
    if (s_set_status (db, a, "active") != 0)
        return -1;
    const char *params [1] = { a->professional_id };
    PGresult *res = kw_db_query (db, "absences_cases", 1, params);
    if (!res)
        return -1;
    size_t count = (size_t) PQntuples (res);
    char **cases = kw_arena_calloc (arena, sizeof *cases * (count ? count : 1));
    for (size_t i = 0; i < count; i++)
        cases [i] = rows_text (res, (int) i, 0, arena);
    PQclear (res);
    kw_info ("absence_started", "absence_id", a->id, "professional_id", a->professional_id,
             "long", a->long_absence ? "true" : "false");
    for (size_t i = 0; i < count; i++) {
        case_row_t row;
        if (access_row (db, cases [i], 1, &row, arena) != 1)
            return -1;
        if (s_cover (db, &row, a->id, a->professional_id, arena) != 0)
            return -1;
        if (a->long_absence && matching_new_round (svc, db, NULL, &row, PURPOSE_REPLACEMENT, arena) != 0)
            return -1;
    }
    return 1;
}

//  End the active absence's covers and the absence (status ended or cancelled).
static int
s_finish (kw_db_t *db, journal_actor_t actor, Kw__Absence *a, const char *status, kw_arena_t *arena)
{
    const char *because = strcmp (status, "cancelled") == 0 ? "absence_cancelled" : "absence_ended";
    if (s_set_status (db, a, status) != 0)
        return -1;
    const char *params [1] = { a->id };
    PGresult *res = kw_db_query (db, "absences_covers_of", 1, params);
    if (!res)
        return -1;
    size_t count = (size_t) PQntuples (res);
    char **covers = kw_arena_calloc (arena, sizeof *covers * (count ? count : 1));
    char **cases = kw_arena_calloc (arena, sizeof *cases * (count ? count : 1));
    for (size_t i = 0; i < count; i++) {
        covers [i] = rows_text (res, (int) i, 0, arena);
        cases [i] = rows_text (res, (int) i, 1, arena);
    }
    PQclear (res);
    for (size_t i = 0; i < count; i++) {
        case_row_t row;
        if (access_row (db, cases [i], 1, &row, arena) != 1
        ||  s_end_cover (db, actor, &row, covers [i], because, arena) != 0)
            return -1;
    }
    //  A long absence cancelled: the replacement it started is not needed.
    if (strcmp (status, "cancelled") == 0 && a->long_absence) {
        const char *who [1] = { a->professional_id };
        res = kw_db_query (db, "absences_replacing", 1, who);
        if (!res)
            return -1;
        count = (size_t) PQntuples (res);
        char **replacing = kw_arena_calloc (arena, sizeof *replacing * (count ? count : 1));
        for (size_t i = 0; i < count; i++)
            replacing [i] = rows_text (res, (int) i, 0, arena);
        PQclear (res);
        for (size_t i = 0; i < count; i++) {
            case_row_t row;
            if (access_row (db, replacing [i], 1, &row, arena) != 1
            ||  offers_withdraw_pending (db, actor, &row, "the absence was cancelled", arena) != 0)
                return -1;
        }
    }
    kw_info ("absence_ended", "absence_id", a->id, "status", status);
    return 0;
}

int
absences_end (kw_service_t *svc, kw_db_t *db, const char *absence_id, kw_arena_t *arena)
{
    loaded_t loaded;
    int found = s_load (db, absence_id, arena, &loaded);
    if (found <= 0)
        return found;
    if (strcmp (loaded.absence->status, "active") != 0 || !loaded.end_due)
        return 0;
    return s_finish (db, NULL, loaded.absence, "ended", arena) == 0 ? 1 : -1;
}

// ---- RPCs

static int
s_changed (kw_db_t *db, journal_actor_t actor, Kw__Absence *a, const char *type)
{
    Kw__AbsenceChanged event = KW__ABSENCE_CHANGED__INIT;
    char at [KW_TIME_RFC3339_SIZE];
    kw_time_format (kw_time_now_us (), at);
    event.absence = a;
    event.at = at;
    return journal_event (db, actor, a->region, NULL, a->professional_id, type, &event.base, NULL, NULL, "-");
}

typedef struct {
    const char *professional_id;
    const Kw__AbsenceCreate *create;
    const Kw__AbsenceCancel *cancel;
    char *from, *to;                    //  RFC 3339 UTC
} absence_call_t;

//  The professional of the region, locked (the caller: coordinator, admin
//  or the professional themself).
static int
s_authorise (kw_tx_t *tx)
{
    absence_call_t *self = tx->arg;
    const Kw__Caller *caller = tx->req->caller;
    const char *params [2] = { self->professional_id, caller->region };
    PGresult *res = kw_uuid_valid (self->professional_id)
                  ? kw_db_query (tx->db, "absences_professional", 2, params) : NULL;
    if (kw_uuid_valid (self->professional_id) && !res)
        return -1;
    int found = res && PQntuples (res) == 1;
    PQclear (res);
    if (!found) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such professional");
        return 0;
    }
    const char *role = caller->role ? caller->role : "";
    if (strcmp (role, "key_worker") == 0 && caller->professional_id
    &&  strcmp (caller->professional_id, self->professional_id) == 0)
        return 1;
    return access_coordinator (tx->db, tx->req, "professional", self->professional_id, "absence",
                               tx->resp, tx->arena);
}

static int
s_answer (kw_db_t *db, const char *id, Kw__Response *resp, kw_arena_t *arena)
{
    loaded_t loaded;
    if (s_load (db, id, arena, &loaded) != 1)
        return -1;
    kw_rpc_reply_ok (resp, arena, &loaded.absence->base);
    return 0;
}

static int
s_create_write (kw_tx_t *tx)
{
    absence_call_t *self = tx->arg;
    const char *overlap [3] = { self->professional_id, self->from, self->to };
    PGresult *res = kw_db_query (tx->db, "absences_overlap", 3, overlap);
    if (!res)
        return -1;
    int overlaps = PQntuples (res) > 0;
    PQclear (res);
    if (overlaps) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "from",
                            "the professional has an absence in that time already");
        tx->resp->code = "absence_overlaps";
        return 0;
    }
    const settings_region_t *settings = state_settings (tx->svc, tx->req->caller->region);
    char id [KW_UUID_SIZE], threshold [24];
    kw_uuid_generate (id);
    snprintf (threshold, sizeof threshold, "%ld", settings->long_absence_seconds);
    const char *params [8] = { id, self->professional_id, tx->req->caller->region, self->from, self->to,
                               self->create->reason, threshold,
                               tx->req->caller->sub ? tx->req->caller->sub : "" };
    loaded_t loaded;
    if (kw_db_exec (tx->db, "absences_insert", 8, params) != 0 || s_load (tx->db, id, tx->arena, &loaded) != 1
    ||  s_changed (tx->db, tx->req->caller, loaded.absence, KW_EVENT_ASSIGNMENT_ABSENCE_RECORDED) != 0
    ||  kw_audit (tx->db, tx->req->caller, "absence", "professional", self->professional_id, "ok") != 0)
        return -1;
    //  An absence entered in the past is applied at once.
    if (absences_start (tx->svc, tx->db, id, tx->arena) < 0 || absences_end (tx->svc, tx->db, id, tx->arena) < 0)
        return -1;
    return s_answer (tx->db, id, tx->resp, tx->arena);
}

//  A date (whole days in the region: from its start, to its end) or an
//  RFC 3339 instant, as RFC 3339 UTC in *out. 0, or -1 with resp answered.
static int
s_when (kw_db_t *db, const char *value, const char *field, int end_of_day, const char *time_zone,
        kw_arena_t *arena, char **out, Kw__Response *resp)
{
    int y, m, d;
    int date = value && kw_date_parse (value, &y, &m, &d) == 0;
    //  YYYY-MM-DDTHH:MM:SS, fraction optional, then Z or an offset.
    int instant = value && strlen (value) >= 20 && strlen (value) <= 35 && value [10] == 'T'
               && kw_date_parse (kw_arena_strndup (arena, value, 10), &y, &m, &d) == 0
               && (value [strlen (value) - 1] == 'Z' || strchr (value + 19, '+') || strchr (value + 19, '-'));
    for (const char *p = value; instant && *p; p++)
        instant = strchr ("0123456789-:T.Z+", *p) != NULL;
    if (!date && !instant) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, field,
                            "%s must be a date YYYY-MM-DD or an RFC 3339 time such as 2026-12-01T09:00:00Z",
                            field);
        return -1;
    }
    const char *params [3] = { value, time_zone, end_of_day ? "1" : "0" };
    PGresult *res = kw_db_query (db, date ? "absences_date" : "absences_instant", date ? 3 : 1, params);
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, field, "%s is not a real time", field);
        return -1;
    }
    *out = rows_text (res, 0, 0, arena);
    PQclear (res);
    return 0;
}

void
absences_create (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "absence_create", .what = "absence", .authorise = s_authorise, .write = s_create_write
    };
    Kw__AbsenceCreate *in = (Kw__AbsenceCreate *) kw_rpc_unpack (req, resp, arena, &kw__absence_create__descriptor);
    if (!in)
        return;
    absence_call_t self = { .professional_id = in->id ? in->id : "", .create = in };
    kw_db_t *db = kw_service_db (svc);
    const char *tz = state_settings (svc, req->caller->region)->time_zone;
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    if (!in->from || !in->to) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, in->from ? "to" : "from",
                            "%s is required", in->from ? "to" : "from");
        return;
    }
    if (kw_check_text (in->reason, MAX_REASON, "reason", &errs) != 0) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    if (s_when (db, in->from, "from", 0, tz, arena, &self.from, resp) != 0
    ||  s_when (db, in->to, "to", 1, tz, arena, &self.to, resp) != 0)
        return;
    if (strcmp (self.to, self.from) <= 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "to", "to must be after from");
        return;
    }
    if (kw_tx_run (&def, svc, req, resp, arena, &self))
        kw_info ("absence_recorded", "professional_id", self.professional_id);
}

static int
s_cancel_write (kw_tx_t *tx)
{
    absence_call_t *self = tx->arg;
    loaded_t loaded;
    int found = kw_uuid_valid (self->cancel->absence_id)
              ? s_load (tx->db, self->cancel->absence_id, tx->arena, &loaded) : 0;
    if (found < 0)
        return -1;
    if (!found || strcmp (loaded.absence->professional_id, self->professional_id) != 0) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_NOT_FOUND, "absence_id",
                            "the professional has no such absence");
        return 0;
    }
    Kw__Absence *a = loaded.absence;
    if (strcmp (a->status, "scheduled") != 0 && strcmp (a->status, "active") != 0) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "absence_id",
                            "the absence is %s already", a->status);
        tx->resp->code = "absence_not_open";
        return 0;
    }
    if ((strcmp (a->status, "active") == 0 ? s_finish (tx->db, tx->req->caller, a, "cancelled", tx->arena)
                                           : s_set_status (tx->db, a, "cancelled")) != 0
    ||  s_load (tx->db, a->id, tx->arena, &loaded) != 1
    ||  s_changed (tx->db, tx->req->caller, loaded.absence, KW_EVENT_ASSIGNMENT_ABSENCE_CANCELLED) != 0
    ||  kw_audit (tx->db, tx->req->caller, "absence_cancel", "professional", self->professional_id, "ok") != 0)
        return -1;
    kw_rpc_reply_ok (tx->resp, tx->arena, &loaded.absence->base);
    return 0;
}

void
absences_cancel (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "absence_cancel", .what = "cancellation", .authorise = s_authorise, .write = s_cancel_write
    };
    Kw__AbsenceCancel *in = (Kw__AbsenceCancel *) kw_rpc_unpack (req, resp, arena, &kw__absence_cancel__descriptor);
    if (!in)
        return;
    absence_call_t self = { .professional_id = in->id ? in->id : "", .cancel = in };
    if (!in->absence_id)
        in->absence_id = "";
    if (kw_tx_run (&def, svc, req, resp, arena, &self))
        kw_info ("absence_cancelled", "absence_id", in->absence_id);
}

void
absences_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__AbsenceListRequest *in = (Kw__AbsenceListRequest *)
        kw_rpc_unpack (req, resp, arena, &kw__absence_list_request__descriptor);
    if (!in)
        return;
    kw_db_t *db = kw_service_db (svc);
    absence_call_t self = { .professional_id = in->id ? in->id : "" };
    kw_tx_t tx = { .svc = svc, .db = db, .req = req, .resp = resp, .arena = arena, .arg = &self };
    int rc = s_authorise (&tx);
    PGresult *res = NULL;
    if (rc > 0) {
        const char *params [1] = { self.professional_id };
        res = kw_db_query (db, "absences_list", 1, params);
        rc = res && kw_audit (db, req->caller, "read_absences", "professional", self.professional_id, "ok") == 0
           ? 1 : -1;
    }
    if (rc > 0) {
        Kw__AbsenceList out = KW__ABSENCE_LIST__INIT;
        out.n_items = (size_t) PQntuples (res);
        out.items = kw_arena_calloc (arena, sizeof *out.items * (out.n_items ? out.n_items : 1));
        for (size_t i = 0; i < out.n_items; i++)
            out.items [i] = s_absence (res, (int) i, arena);
        kw_rpc_reply_ok (resp, arena, &out.base);
    }
    PQclear (res);
    if (rc < 0)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
}
