/*  meetings: booking a case's meeting (the earliest slot that fits, or a
    coordinator's fixed time), reading it and its invitation, responses,
    rescheduling and cancelling (docs/scheduling.md). Booking and
    rescheduling lock each required participant before searching, so two
    concurrent bookings cannot take the same person's time. A declined
    invitation from a required participant proposes the next slot
    (reschedule_suggested) and tells the coordinator and the key worker
    (response_recorded). Every read and change is audited; every change is
    an event with the invitation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kw_audit.h"
#include "kw_check.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_rpc.h"
#include "kw_tx.h"
#include "kw_uuid.h"
#include "scheduling.h"
#include "zone.h"

#define MAX_REASON 500
#define MAX_LOCATION 200
#define MAX_WINDOW_DAYS 366
#define DEFAULT_WINDOW_DAYS 28
#define DEFAULT_DURATION 60

static const char *const TYPES [] = { "planning", "review", "tac", "cetr", NULL };
static const char *const RESPONSES [] = { "accepted", "declined", "tentative", NULL };

int
meetings_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "meetings_insert",
        "INSERT INTO scheduling.meetings (id, case_id, region, type, status, starts_at, ends_at, location,"
        " created_by) VALUES ($1::uuid, $2::uuid, $3, $4, 'scheduled', to_timestamp ($5::bigint),"
        " to_timestamp ($6::bigint), $7, $8)");
    kw_db_prepare (db, "meetings_participant",
        "INSERT INTO scheduling.participants (meeting_id, person_id, role, required, name, email, phone, position)"
        " VALUES ($1::uuid, $2, $3, $4::boolean, $5, $6, $7, $8::int)");
    //  Reviews found due within the fold window of the meeting's day are
    //  folded into it.
    kw_db_prepare (db, "meetings_fold",
        "WITH f AS (UPDATE scheduling.reviews SET meeting_id = $1::uuid WHERE case_id = $2::uuid"
        "  AND meeting_id IS NULL AND due <= to_timestamp ($3::bigint)::date + $4::int RETURNING kind, due)"
        " UPDATE scheduling.meetings SET covers = (SELECT coalesce (array_agg (kind || ':' || due ORDER BY due,"
        "  kind), '{}') FROM f) WHERE id = $1::uuid");
    kw_db_prepare (db, "meetings_of_case",
        "SELECT id FROM scheduling.meetings WHERE case_id = $1::uuid AND ($2::text IS NULL OR status = $2)"
        " ORDER BY starts_at, id");
    kw_db_prepare (db, "meetings_participant_of",
        "SELECT person_id, role, required, name, email, phone FROM scheduling.participants"
        " WHERE meeting_id = $1::uuid ORDER BY position, person_id");
    kw_db_prepare (db, "meetings_respond",
        "UPDATE scheduling.participants SET response = $3, responded_at = now ()"
        " WHERE meeting_id = $1::uuid AND person_id = $2 RETURNING required");
    kw_db_prepare (db, "meetings_suggest",
        "UPDATE scheduling.meetings SET suggested_start = to_timestamp ($2::bigint),"
        " suggested_end = to_timestamp ($3::bigint), updated_at = now () WHERE id = $1::uuid");
    kw_db_prepare (db, "meetings_move",
        "UPDATE scheduling.meetings SET starts_at = to_timestamp ($2::bigint), ends_at = to_timestamp ($3::bigint),"
        " sequence = sequence + 1, flagged = false, flag_reason = NULL, suggested_start = NULL,"
        " suggested_end = NULL, updated_at = now () WHERE id = $1::uuid");
    kw_db_prepare (db, "meetings_reset_responses",
        "UPDATE scheduling.participants SET response = 'needs_action', responded_at = NULL"
        " WHERE meeting_id = $1::uuid");
    kw_db_prepare (db, "meetings_cancel",
        "UPDATE scheduling.meetings SET status = 'cancelled', cancel_reason = $2, sequence = sequence + 1,"
        " updated_at = now () WHERE id = $1::uuid");
    kw_db_prepare (db, "meetings_unfold",
        "UPDATE scheduling.reviews SET meeting_id = NULL WHERE meeting_id = $1::uuid");
    kw_db_prepare (db, "meetings_status",
        "SELECT status, " EPOCH ("starts_at") ", " EPOCH ("ends_at") " FROM scheduling.meetings"
        " WHERE id = $1::uuid");
    kw_db_prepare (db, "meetings_wished_location",
        "SELECT location FROM scheduling.referrals WHERE referral_id = $1::uuid");
    return 0;
}

// ---- shared steps

//  One call: its input, the case, the caller's relationship and what the
//  steps find.
typedef struct {
    const char *id;             //  the case (book) or the meeting
    const ProtobufCMessage *in;
    case_row_t row;
    unsigned relationship;
    const settings_region_t *region;
    int32_t first_day, last_day;
    int64_t fixed_start;        //  0: search
    invitee_t *invitees;
    size_t invitee_count;
} call_t;

static int
s_write_audit (kw_tx_t *tx, const char *action, const char *record_type, const char *id)
{
    return kw_audit (tx->db, tx->req->caller, action, record_type, id, "ok");
}

//  The window from earliest and latest (dates in the region; defaults:
//  today, and DEFAULT_WINDOW_DAYS later). 0, or -1 with errs.
static int
s_window (const settings_region_t *region, const char *earliest, const char *latest, call_t *call,
          kw_field_errors_t *errs)
{
    int32_t today = scheduling_today (region);
    call->first_day = today;
    if (earliest && zone_parse_date (earliest, &call->first_day) != 0)
        return kw_field_errors_add (errs, "earliest", "earliest must be a date YYYY-MM-DD");
    if (call->first_day < today)
        return kw_field_errors_add (errs, "earliest", "earliest must not be before today in the region");
    call->last_day = call->first_day + DEFAULT_WINDOW_DAYS;
    if (latest && zone_parse_date (latest, &call->last_day) != 0)
        return kw_field_errors_add (errs, "latest", "latest must be a date YYYY-MM-DD");
    if (call->last_day < call->first_day)
        return kw_field_errors_add (errs, "latest", "latest must not be before earliest");
    if (call->last_day - call->first_day > MAX_WINDOW_DAYS)
        return kw_field_errors_add (errs, "latest", "the window may be at most %d days", MAX_WINDOW_DAYS);
    return 0;
}

//  The 409 no_common_slot answer with its reason and alternatives.
static void
s_no_common_slot (kw_tx_t *tx, call_t *call, const slot_result_t *result)
{
    Kw__NoCommonSlot out = KW__NO_COMMON_SLOT__INIT;
    out.reason = kw_arena_strdup (tx->arena, result->reason);
    out.n_constraints = result->constraint_count;
    out.constraints = (char **) result->constraints;
    Kw__SlotAlternative **alts = kw_arena_calloc (tx->arena, sizeof *alts * (SLOTS_MAX_ALTERNATIVES + 1));
    for (size_t i = 0; i < result->alternative_count; i++) {
        Kw__SlotAlternative *a = kw_arena_calloc (tx->arena, sizeof *a);
        kw__slot_alternative__init (a);
        a->start = kw_arena_alloc (tx->arena, ZONE_TIME_SIZE);
        a->end = kw_arena_alloc (tx->arena, ZONE_TIME_SIZE);
        zone_format (call->region->zone, result->alternatives [i].start, a->start);
        zone_format (call->region->zone, result->alternatives [i].end, a->end);
        a->breaks = (char *) result->alternatives [i].breaks;
        calendar_unavailable (call->invitees, call->invitee_count, result->alternatives [i].optional_free,
                              &a->unavailable, &a->n_unavailable, tx->arena);
        alts [i] = a;
    }
    out.alternatives = alts;
    out.n_alternatives = result->alternative_count;
    kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, NULL, "no common slot: %s",
                        result->reason);
    tx->resp->code = "no_common_slot";
    tx->resp->payload.data = kw_arena_pack (tx->arena, &out.base, &tx->resp->payload.len);
}

//  Lock the required invitees and find the slot (or check the fixed one):
//  1 with *start and *end, 0 answered (taken, no slot), -1 db.
static int
s_find_slot (kw_tx_t *tx, call_t *call, int duration, const char *moving, slot_t *slot)
{
    const char *who = NULL;
    int64_t start = call->fixed_start, end = start ? start + (int64_t) duration * 60 : 0;
    int free_now = calendar_lock_and_check (tx->db, call->row.id, call->invitees, call->invitee_count, start, end,
                                            call->region->buffer_minutes, moving, &who);
    if (free_now < 0)
        return -1;
    if (!free_now) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "start",
                            "a required participant (%s) has another meeting at that time", who);
        tx->resp->code = "double_booked";
        return 0;
    }
    memset (slot, 0, sizeof *slot);
    if (start) {
        slot->start = start;
        slot->end = end;
        slot->optional_free = UINT32_MAX;
        return 1;
    }
    slot_result_t result;
    if (calendar_search (tx->db, call->region, &call->row, call->invitees, call->invitee_count, call->first_day,
                         call->last_day, duration, moving, &result, tx->arena) != 0)
        return -1;
    if (!result.found) {
        s_no_common_slot (tx, call, &result);
        return 0;
    }
    *slot = result.slot;
    return 1;
}

//  Answer with meeting id, and the optional participants not free.
static int
s_answer (kw_tx_t *tx, call_t *call, const char *id, const slot_t *slot)
{
    int failed = 0;
    Kw__Meeting *m = records_meeting (tx->svc, tx->db, id, tx->arena, &failed);
    if (!m)
        return -1;
    if (slot)
        calendar_unavailable (call->invitees, call->invitee_count, slot->optional_free, &m->optional_unavailable,
                              &m->n_optional_unavailable, tx->arena);
    kw_rpc_reply_ok (tx->resp, tx->arena, &m->base);
    return 0;
}

// ---- book

static int
s_book_authorise (kw_tx_t *tx)
{
    call_t *call = tx->arg;
    int rc = access_case (tx->db, tx->req, call->id, "meeting.book", ACCESS_ORGANISERS, &call->row,
                          &call->relationship, tx->resp, tx->arena);
    if (rc != 1)
        return rc;
    if (call->fixed_start && !(call->relationship & ACCESS_COORDINATOR)) {
        if (kw_audit (tx->db, tx->req->caller, "meeting.book", "case", call->row.id, "forbidden") != 0)
            return -1;
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_FORBIDDEN, "start",
                            "only a coordinator may fix a meeting's time; leave start out to search");
        return 0;
    }
    return 1;
}

//  The invitees of the call's names, or 400 naming the unknown ones.
static int
s_invitees (kw_tx_t *tx, call_t *call, char **required, size_t n_required, char **optional, size_t n_optional)
{
    static char *defaults [] = { "key_worker", "family" };
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    int rc = calendar_invitees (tx->db, &call->row, n_required ? required : defaults,
                                n_required ? n_required : 2, optional, n_optional, &call->invitees,
                                &call->invitee_count, &errs, tx->arena);
    if (rc == 1)
        kw_rpc_reply_invalid (tx->resp, tx->arena, &errs);
    return rc;
}

static int
s_insert (kw_tx_t *tx, call_t *call, const char *id, const char *type, const slot_t *slot, const char *location)
{
    char start [24], end [24];
    snprintf (start, sizeof start, "%lld", (long long) slot->start);
    snprintf (end, sizeof end, "%lld", (long long) slot->end);
    const char *params [8] = { id, call->row.id, call->row.region, type, start, end, location,
                               tx->req->caller->sub };
    if (kw_db_exec (tx->db, "meetings_insert", 8, params) != 0)
        return -1;
    for (size_t i = 0; i < call->invitee_count; i++) {
        const invitee_t *who = &call->invitees [i];
        char position [24];
        snprintf (position, sizeof position, "%zu", i);
        const char *p [8] = { id, who->person_id, who->role, who->required ? "true" : "false", who->name,
                              who->email, who->phone, position };
        if (kw_db_exec (tx->db, "meetings_participant", 8, p) != 0)
            return -1;
    }
    char window [16];
    snprintf (window, sizeof window, "%u", call->region->fold_window_days);
    const char *fold [4] = { id, call->row.id, start, window };
    return kw_db_exec (tx->db, "meetings_fold", 4, fold);
}

//  The family's wished location, or "home".
static const char *
s_location (kw_tx_t *tx, call_t *call, const char *given)
{
    if (given && *given)
        return given;
    const char *params [1] = { call->row.referral_id };
    PGresult *res = kw_db_query (tx->db, "meetings_wished_location", 1, params);
    const char *location = res && PQntuples (res) && !PQgetisnull (res, 0, 0)
                         ? rows_text (res, 0, 0, tx->arena) : "home";
    PQclear (res);
    return location;
}

static int
s_book_write (kw_tx_t *tx)
{
    call_t *call = tx->arg;
    const Kw__MeetingBook *in = (const Kw__MeetingBook *) call->in;
    if (strcmp (call->row.status, "active") != 0) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "id", "the case is closed");
        tx->resp->code = "case_closed";
        return 0;
    }
    int rc = s_invitees (tx, call, in->required, in->n_required, in->optional, in->n_optional);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    slot_t slot;
    int duration = in->has_duration_minutes ? (int) in->duration_minutes : DEFAULT_DURATION;
    if ((rc = s_find_slot (tx, call, duration, NULL, &slot)) != 1)
        return rc;
    char id [KW_UUID_SIZE];
    kw_uuid_generate (id);
    if (s_insert (tx, call, id, in->type, &slot, s_location (tx, call, in->location)) != 0
    ||  records_emit (tx->svc, tx->db, id, KW_EVENT_SCHEDULING_MEETING_SCHEDULED, "scheduled", tx->req->caller->sub,
                      tx->arena) != 0
    ||  s_write_audit (tx, "meeting.book", "meeting", id) != 0)
        return -1;
    kw_info ("meeting_scheduled", "meeting_id", id, "case_id", call->row.id);
    return s_answer (tx, call, id, &slot);
}

void
meetings_book (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "meeting_book", .what = "meeting", .authorise = s_book_authorise, .write = s_book_write
    };
    Kw__MeetingBook *in = (Kw__MeetingBook *) kw_rpc_unpack (req, resp, arena, &kw__meeting_book__descriptor);
    if (!in)
        return;
    call_t call = { .id = in->id, .in = &in->base, .region = scheduling_region (svc, req->caller->region) };
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    if (!in->type)
        kw_field_errors_add (&errs, "type", "type is required (planning, review, tac or cetr)");
    kw_check_one_of (in->type, TYPES, "type", &errs);
    if (in->has_duration_minutes && (in->duration_minutes < 15 || in->duration_minutes > 480
                                     || in->duration_minutes % 5))
        kw_field_errors_add (&errs, "duration_minutes", "duration_minutes must be 15 to 480, in steps of 5");
    kw_check_text (in->location, MAX_LOCATION, "location", &errs);
    if (in->n_required > SLOTS_MAX_PEOPLE || in->n_optional > SLOTS_MAX_PEOPLE)
        kw_field_errors_add (&errs, in->n_required > SLOTS_MAX_PEOPLE ? "required" : "optional",
                             "a meeting may invite at most %d people", SLOTS_MAX_PEOPLE - 1);
    if (in->start && zone_parse_instant (in->start, &call.fixed_start) != 0)
        kw_field_errors_add (&errs, "start", "start must be an RFC 3339 time such as 2026-12-01T09:00:00Z");
    else
    if (in->start && call.fixed_start < (int64_t) time (NULL))
        kw_field_errors_add (&errs, "start", "start must not be in the past");
    if (!call.region)
        kw_field_errors_add (&errs, "id", "the caller's region has no scheduling settings");
    else
    if (!in->start)
        s_window (call.region, in->earliest, in->latest, &call, &errs);
    if (kw_field_errors_found (&errs)) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    kw_tx_run (&def, svc, req, resp, arena, &call);
}

// ---- reads

void
meetings_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return;
    kw_db_t *db = kw_service_db (svc);
    call_t call = { 0 };
    int rc = access_meeting (db, req, in->id, "meeting.get", ACCESS_READERS, 0, &call.row, &call.relationship,
                             resp, arena);
    int failed = rc < 0;
    Kw__Meeting *m = rc == 1 ? records_meeting (svc, db, in->id, arena, &failed) : NULL;
    if (failed || (m && kw_audit_read (db, req->caller, "meeting.get", "meeting", in->id, "ok", resp, arena) != 0)) {
        if (failed)
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "the meeting could not be read");
        return;
    }
    if (m)
        kw_rpc_reply_ok (resp, arena, &m->base);
    else
    if (rc == 1)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such meeting");
}

void
meetings_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__MeetingListRequest *in = (Kw__MeetingListRequest *) kw_rpc_unpack (req, resp, arena,
                                                                          &kw__meeting_list_request__descriptor);
    if (!in)
        return;
    static const char *const statuses [] = { "scheduled", "cancelled", "held", NULL };
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    if (kw_check_one_of (in->status, statuses, "status", &errs) != 0) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    kw_db_t *db = kw_service_db (svc);
    call_t call = { 0 };
    int rc = access_case (db, req, in->id, "meeting.list", ACCESS_READERS, &call.row, &call.relationship, resp,
                          arena);
    if (rc != 1) {
        if (rc < 0)
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "the meetings could not be read");
        return;
    }
    const char *params [2] = { call.row.id, in->status };
    PGresult *res = kw_db_query (db, "meetings_of_case", 2, params);
    Kw__MeetingList out = KW__MEETING_LIST__INIT;
    int failed = !res;
    out.n_items = res ? (size_t) PQntuples (res) : 0;
    out.items = kw_arena_calloc (arena, sizeof *out.items * (out.n_items + 1));
    for (size_t i = 0; i < out.n_items && !failed; i++)
        failed = !(out.items [i] = records_meeting (svc, db, PQgetvalue (res, (int) i, 0), arena, &failed));
    PQclear (res);
    if (failed) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "the meetings could not be read");
        return;
    }
    if (kw_audit_read (db, req->caller, "meeting.list", "case", call.row.id, "ok", resp, arena) == 0)
        kw_rpc_reply_ok (resp, arena, &out.base);
}

void
meetings_invite (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return;
    kw_db_t *db = kw_service_db (svc);
    call_t call = { 0 };
    int rc = access_meeting (db, req, in->id, "meeting.invite", ACCESS_READERS, 0, &call.row, &call.relationship,
                             resp, arena);
    int failed = rc < 0;
    Kw__Meeting *m = rc == 1 ? records_meeting (svc, db, in->id, arena, &failed) : NULL;
    const settings_region_t *region = m ? scheduling_region (svc, m->region) : NULL;
    Kw__TextDocument out = KW__TEXT_DOCUMENT__INIT;
    if (m && region)
        out.text = ics_render (m, region, arena);
    if (failed || (m && !out.text)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "the invitation could not be made");
        return;
    }
    if (m && kw_audit_read (db, req->caller, "meeting.invite", "meeting", in->id, "ok", resp, arena) == 0)
        kw_rpc_reply_ok (resp, arena, &out.base);
    else
    if (!m && rc == 1)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such meeting");
}

// ---- changes of a booked meeting

//  The meeting's state: 1 scheduled (start and end set), 0 answered
//  (not scheduled), -1 db.
static int
s_scheduled (kw_tx_t *tx, const char *id, int64_t *start, int64_t *end)
{
    const char *params [1] = { id };
    PGresult *res = kw_db_query (tx->db, "meetings_status", 1, params);
    if (!res)
        return -1;
    int scheduled = PQntuples (res) && strcmp (PQgetvalue (res, 0, 0), "scheduled") == 0;
    if (scheduled) {
        *start = atoll (PQgetvalue (res, 0, 1));
        *end = atoll (PQgetvalue (res, 0, 2));
    }
    PQclear (res);
    if (!scheduled) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "id",
                            "the meeting is no longer scheduled (cancelled or held)");
        tx->resp->code = "meeting_not_scheduled";
    }
    return scheduled;
}

//  The meeting's participants as invitees (their professional id is their
//  person id, the family's none).
static int
s_participants (kw_tx_t *tx, call_t *call)
{
    const char *params [1] = { call->id };
    PGresult *res = kw_db_query (tx->db, "meetings_participant_of", 1, params);
    if (!res)
        return -1;
    call->invitee_count = (size_t) PQntuples (res);
    call->invitees = kw_arena_calloc (tx->arena, sizeof *call->invitees * (call->invitee_count + 1));
    for (size_t i = 0; i < call->invitee_count; i++) {
        invitee_t *who = &call->invitees [i];
        who->person_id = rows_text (res, (int) i, 0, tx->arena);
        who->role = rows_text (res, (int) i, 1, tx->arena);
        who->required = PQgetvalue (res, (int) i, 2) [0] == 't';
        who->name = rows_text (res, (int) i, 3, tx->arena);
        who->email = rows_text (res, (int) i, 4, tx->arena);
        who->phone = rows_text (res, (int) i, 5, tx->arena);
        who->professional_id = strcmp (who->role, "family") != 0 && kw_uuid_valid (who->person_id)
                             ? who->person_id : NULL;
    }
    PQclear (res);
    return 0;
}

static int
s_respond_authorise (kw_tx_t *tx)
{
    call_t *call = tx->arg;
    const Kw__MeetingResponse *in = (const Kw__MeetingResponse *) call->in;
    int rc = access_meeting (tx->db, tx->req, call->id, "meeting.respond", ACCESS_READERS, 1, &call->row,
                             &call->relationship, tx->resp, tx->arena);
    if (rc != 1)
        return rc;
    const char *me = access_person (tx->req, call->relationship);
    if (call->relationship & ACCESS_COORDINATOR || (me && in->participant_id && strcmp (me, in->participant_id) == 0)
    ||  (me && !in->participant_id))
        return 1;
    if (kw_audit (tx->db, tx->req->caller, "meeting.respond", "meeting", call->id, "forbidden") != 0)
        return -1;
    kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_FORBIDDEN, "participant_id",
                        "each participant answers for themselves (a coordinator for anyone)");
    return 0;
}

//  A required participant declined: the next slot for everyone from
//  tomorrow (this meeting's time not counted), kept on the meeting.
static int
s_suggest (kw_tx_t *tx, call_t *call, Kw__SlotAlternative **out)
{
    *out = NULL;
    call->region = scheduling_region (tx->svc, call->row.region);
    if (!call->region || s_participants (tx, call) != 0)
        return call->region ? -1 : 0;
    int64_t start, end;
    int rc = s_scheduled (tx, call->id, &start, &end);
    if (rc != 1)
        return rc < 0 ? -1 : 0;
    int32_t today = scheduling_today (call->region);
    slot_result_t result;
    if (calendar_search (tx->db, call->region, &call->row, call->invitees, call->invitee_count, today + 1,
                         today + 1 + DEFAULT_WINDOW_DAYS, (int) ((end - start) / 60), call->id, &result,
                         tx->arena) != 0)
        return -1;
    if (!result.found)
        return 0;
    char from [24], to [24];
    snprintf (from, sizeof from, "%lld", (long long) result.slot.start);
    snprintf (to, sizeof to, "%lld", (long long) result.slot.end);
    const char *params [3] = { call->id, from, to };
    if (kw_db_exec (tx->db, "meetings_suggest", 3, params) != 0)
        return -1;
    Kw__SlotAlternative *a = kw_arena_calloc (tx->arena, sizeof *a);
    kw__slot_alternative__init (a);
    a->start = kw_arena_alloc (tx->arena, ZONE_TIME_SIZE);
    a->end = kw_arena_alloc (tx->arena, ZONE_TIME_SIZE);
    zone_format (call->region->zone, result.slot.start, a->start);
    zone_format (call->region->zone, result.slot.end, a->end);
    *out = a;
    return 0;
}

int
meetings_record_response (kw_tx_t *tx, const char *meeting_id, const case_row_t *row, const char *person,
                          const char *response)
{
    call_t one = { .id = meeting_id, .row = *row }, *call = &one;
    int64_t start, end;
    int rc = s_scheduled (tx, call->id, &start, &end);
    if (rc != 1)
        return rc;
    const char *params [3] = { call->id, person, response };
    PGresult *res = kw_db_query (tx->db, "meetings_respond", 3, params);
    if (!res)
        return -1;
    int found = PQntuples (res) == 1, required = found && PQgetvalue (res, 0, 0) [0] == 't';
    PQclear (res);
    if (!found) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_NOT_FOUND, "participant_id",
                            "participant_id is not invited to this meeting");
        return 0;
    }
    Kw__ResponseRecorded event = KW__RESPONSE_RECORDED__INIT;
    if (required && strcmp (response, "declined") == 0 && s_suggest (tx, call, &event.reschedule_suggested) != 0)
        return -1;
    int failed = 0;
    Kw__Meeting *m = records_meeting (tx->svc, tx->db, call->id, tx->arena, &failed);
    if (!m)
        return -1;
    for (size_t i = 0; i < m->n_participants; i++)
        if (strcmp (m->participants [i]->id, person) == 0)
            event.participant = m->participants [i];
    event.meeting_id = m->id;
    event.case_id = m->case_id;
    event.region = m->region;
    event.response = (char *) response;
    event.at = m->updated_at;
    event.start = m->start;
    event.key_worker = records_key_worker (tx->db, m->case_id, tx->arena, &failed);
    if (failed || kw_outbox_insert (tx->db, KW_PRODUCER_SCHEDULING, KW_EVENT_SCHEDULING_RESPONSE_RECORDED,
                                    m->region, m->case_id, &event.base, NULL) != 0
    ||  s_write_audit (tx, "meeting.respond", "meeting", call->id) != 0)
        return -1;
    kw_rpc_reply_ok (tx->resp, tx->arena, &m->base);
    return 0;
}

static int
s_respond_write (kw_tx_t *tx)
{
    call_t *call = tx->arg;
    const Kw__MeetingResponse *in = (const Kw__MeetingResponse *) call->in;
    const char *person = in->participant_id ? in->participant_id : access_person (tx->req, call->relationship);
    return meetings_record_response (tx, call->id, &call->row, person, in->response);
}

void
meetings_respond (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "meeting_respond", .what = "response", .authorise = s_respond_authorise, .write = s_respond_write
    };
    Kw__MeetingResponse *in = (Kw__MeetingResponse *) kw_rpc_unpack (req, resp, arena,
                                                                    &kw__meeting_response__descriptor);
    if (!in)
        return;
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    if (!in->response)
        kw_field_errors_add (&errs, "response", "response is required (accepted, declined or tentative)");
    kw_check_one_of (in->response, RESPONSES, "response", &errs);
    kw_check_text (in->participant_id, 128, "participant_id", &errs);
    if (kw_field_errors_found (&errs)) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    call_t call = { .id = in->id, .in = &in->base };
    kw_tx_run (&def, svc, req, resp, arena, &call);
}

static int
s_organiser_authorise (kw_tx_t *tx, const char *action)
{
    call_t *call = tx->arg;
    int rc = access_meeting (tx->db, tx->req, call->id, action, ACCESS_ORGANISERS, 1, &call->row,
                             &call->relationship, tx->resp, tx->arena);
    if (rc != 1 || !call->fixed_start || (call->relationship & ACCESS_COORDINATOR))
        return rc;
    if (kw_audit (tx->db, tx->req->caller, action, "meeting", call->id, "forbidden") != 0)
        return -1;
    kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_FORBIDDEN, "start",
                        "only a coordinator may fix a meeting's time; leave start out to search");
    return 0;
}

static int
s_reschedule_authorise (kw_tx_t *tx)
{
    return s_organiser_authorise (tx, "meeting.reschedule");
}

static int
s_reschedule_write (kw_tx_t *tx)
{
    call_t *call = tx->arg;
    int64_t start, end;
    int rc = s_scheduled (tx, call->id, &start, &end);
    if (rc != 1)
        return rc;
    call->region = scheduling_region (tx->svc, call->row.region);
    slot_t slot;
    if (s_participants (tx, call) != 0)
        return -1;
    if ((rc = s_find_slot (tx, call, (int) ((end - start) / 60), call->id, &slot)) != 1)
        return rc;
    char from [24], to [24];
    snprintf (from, sizeof from, "%lld", (long long) slot.start);
    snprintf (to, sizeof to, "%lld", (long long) slot.end);
    const char *params [3] = { call->id, from, to };
    if (kw_db_exec (tx->db, "meetings_move", 3, params) != 0
    ||  kw_db_exec (tx->db, "meetings_reset_responses", 1, params) != 0
    ||  records_emit (tx->svc, tx->db, call->id, KW_EVENT_SCHEDULING_MEETING_UPDATED, "rescheduled",
                      tx->req->caller->sub, tx->arena) != 0
    ||  s_write_audit (tx, "meeting.reschedule", "meeting", call->id) != 0)
        return -1;
    return s_answer (tx, call, call->id, &slot);
}

void
meetings_reschedule (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "meeting_reschedule", .what = "meeting", .authorise = s_reschedule_authorise,
        .write = s_reschedule_write
    };
    Kw__MeetingReschedule *in = (Kw__MeetingReschedule *) kw_rpc_unpack (req, resp, arena,
                                                                        &kw__meeting_reschedule__descriptor);
    if (!in)
        return;
    call_t call = { .id = in->id, .in = &in->base };
    const settings_region_t *region = scheduling_region (svc, req->caller->region);
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    if (in->start && (zone_parse_instant (in->start, &call.fixed_start) != 0
                      || call.fixed_start < (int64_t) time (NULL)))
        kw_field_errors_add (&errs, "start", "start must be a future RFC 3339 time such as 2026-12-01T09:00:00Z");
    if (!region)
        kw_field_errors_add (&errs, "id", "the caller's region has no scheduling settings");
    else
        s_window (region, in->earliest, in->latest, &call, &errs);
    if (kw_field_errors_found (&errs)) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    kw_tx_run (&def, svc, req, resp, arena, &call);
}

static int
s_cancel_authorise (kw_tx_t *tx)
{
    return s_organiser_authorise (tx, "meeting.cancel");
}

static int
s_cancel_write (kw_tx_t *tx)
{
    call_t *call = tx->arg;
    const Kw__MeetingCancel *in = (const Kw__MeetingCancel *) call->in;
    int64_t start, end;
    int rc = s_scheduled (tx, call->id, &start, &end);
    if (rc != 1)
        return rc;
    const char *params [2] = { call->id, in->reason };
    if (kw_db_exec (tx->db, "meetings_cancel", 2, params) != 0 || kw_db_exec (tx->db, "meetings_unfold", 1, params) != 0
    ||  records_emit (tx->svc, tx->db, call->id, KW_EVENT_SCHEDULING_MEETING_CANCELLED, "cancelled",
                      tx->req->caller->sub, tx->arena) != 0
    ||  s_write_audit (tx, "meeting.cancel", "meeting", call->id) != 0)
        return -1;
    return s_answer (tx, call, call->id, NULL);
}

void
meetings_cancel (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "meeting_cancel", .what = "meeting", .authorise = s_cancel_authorise, .write = s_cancel_write
    };
    Kw__MeetingCancel *in = (Kw__MeetingCancel *) kw_rpc_unpack (req, resp, arena, &kw__meeting_cancel__descriptor);
    if (!in)
        return;
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    if (kw_check_required_text (in->reason, MAX_REASON, "reason", &errs) != 0) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    call_t call = { .id = in->id, .in = &in->base };
    kw_tx_run (&def, svc, req, resp, arena, &call);
}
