/*  plan: the Family Service Plan. A meeting's outcome (held_at, who
    attended, notes, the family's views and actions with an owner and a due
    date) marks it held and writes the plan's next version; a version keeps
    the case's actions as they were then, the current plan shows them as
    they are now (open, done, overdue, cancelled). Owners are the key
    worker, the family, or a person of the case (team, deputy, cover, by
    their id). Actions are completed (by a coordinator, the key worker, or
    their owner), cancelled or reassigned (coordinator or key worker); each
    change is plan_updated. The plan is also a printable HTML page, which
    the family may read. Every read and change is audited. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "kw_audit.h"
#include "kw_buf.h"
#include "kw_check.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_rpc.h"
#include "kw_tx.h"
#include "kw_uuid.h"
#include "scheduling.h"
#include "zone.h"

#define MAX_NOTES 5000
#define MAX_DESCRIPTION 500
#define MAX_ACTIONS 50
#define MAX_ATTENDED 32

//  The case's actions as a JSON array, in plan order.
#define ACTIONS_JSON \
    "(SELECT coalesce (json_agg (json_build_object ('id', a.id, 'description', a.description, 'owner', a.owner," \
    " 'owner_name', a.owner_name, 'due', a.due::text, 'status', a.status, 'completed_at', " TS ("a.completed_at") \
    ", 'meeting_id', a.meeting_id) ORDER BY a.due, a.id), '[]')::text FROM scheduling.actions a" \
    " WHERE a.case_id = $1::uuid)"

int
plan_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "plan_held",
        "UPDATE scheduling.meetings SET status = 'held', held_at = to_timestamp ($2::bigint), updated_at = now ()"
        " WHERE id = $1::uuid AND status = 'scheduled' RETURNING case_id");
    kw_db_prepare (db, "plan_participant",
        "SELECT 1 FROM scheduling.participants WHERE meeting_id = $1::uuid AND person_id = $2");
    //  An owner: a role of the case, or a person of it by id.
    kw_db_prepare (db, "plan_owner",
        "SELECT person_id, name FROM scheduling.case_people WHERE case_id = $1::uuid"
        " AND (role = $2 OR person_id = $2 OR professional_id::text = $2)"
        " ORDER BY role <> $2, person_id LIMIT 1");
    kw_db_prepare (db, "plan_action_insert",
        "INSERT INTO scheduling.actions (id, case_id, region, meeting_id, version, description, owner, owner_name, due)"
        " VALUES ($1::uuid, $2::uuid, $3, $4::uuid, $5::int, $6, $7, $8, $9::date)");
    kw_db_prepare (db, "plan_next_version",
        "SELECT coalesce (max (version), 0) + 1 FROM scheduling.plans WHERE case_id = $1::uuid");
    kw_db_prepare (db, "plan_insert",
        "INSERT INTO scheduling.plans (case_id, version, meeting_id, held_at, notes, family_views, attended,"
        " actions, created_by) VALUES ($1::uuid, $2::int, $3::uuid, to_timestamp ($4::bigint), $5, $6,"
        " string_to_array ($7, ','), " ACTIONS_JSON "::jsonb, $8)");
    //  A version ($2; 0 the latest) with its actions then, or now for the latest.
    kw_db_prepare (db, "plan_version",
        "SELECT p.version, p.meeting_id, " TS ("p.held_at") ", p.notes, p.family_views,"
        " array_to_string (p.attended, ','), CASE WHEN p.version = l.version THEN " ACTIONS_JSON
        " ELSE p.actions::text END, " TS ("p.created_at") ", (p.held_at AT TIME ZONE $3)::date + $4::int"
        " FROM scheduling.plans p, (SELECT max (version) AS version FROM scheduling.plans"
        "  WHERE case_id = $1::uuid) l"
        " WHERE p.case_id = $1::uuid AND p.version = CASE WHEN $2::int = 0 THEN l.version ELSE $2::int END");
    kw_db_prepare (db, "plan_action",
        "SELECT case_id, owner, status FROM scheduling.actions WHERE id = $1::uuid FOR UPDATE");
    kw_db_prepare (db, "plan_action_set",
        "UPDATE scheduling.actions SET status = $2, completed_at = CASE WHEN $2 = 'done' THEN now () END,"
        " owner = coalesce ($3, owner), owner_name = CASE WHEN $3 IS NULL THEN owner_name ELSE $4 END,"
        " due = coalesce ($5::date, due), overdue_at = CASE WHEN $5 IS NULL THEN overdue_at END,"
        " updated_at = now () WHERE id = $1::uuid");
    kw_db_prepare (db, "plan_recipients",
        "SELECT DISTINCT ON (person_id) person_id, role, name, email, phone FROM scheduling.case_people"
        " WHERE case_id = $1::uuid AND (role IN ('key_worker', 'family')"
        "  OR person_id IN (SELECT owner FROM scheduling.actions WHERE case_id = $1::uuid AND status <> 'cancelled'))"
        " ORDER BY person_id, role");
    return 0;
}

// ---- reading a plan

static char *
s_json_text (json_t *obj, const char *key, kw_arena_t *arena)
{
    const char *value = json_string_value (json_object_get (obj, key));
    return value ? kw_arena_strdup (arena, value) : NULL;
}

static void
s_actions (const char *text, Kw__Plan *plan, kw_arena_t *arena)
{
    json_t *list = json_loads (text ? text : "[]", 0, NULL);
    size_t n = json_is_array (list) ? json_array_size (list) : 0;
    plan->actions = kw_arena_calloc (arena, sizeof *plan->actions * (n + 1));
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get (list, i);
        Kw__PlanAction *a = kw_arena_calloc (arena, sizeof *a);
        kw__plan_action__init (a);
        a->id = s_json_text (item, "id", arena);
        a->description = s_json_text (item, "description", arena);
        a->owner = s_json_text (item, "owner", arena);
        a->owner_name = s_json_text (item, "owner_name", arena);
        a->due = s_json_text (item, "due", arena);
        a->status = s_json_text (item, "status", arena);
        a->completed_at = s_json_text (item, "completed_at", arena);
        a->meeting_id = s_json_text (item, "meeting_id", arena);
        plan->actions [plan->n_actions++] = a;
    }
    json_decref (list);
}

//  Version n (0: the latest) of the case's plan; NULL when none
//  (*failed on a database error).
static Kw__Plan *
s_plan (kw_db_t *db, const char *case_id, unsigned n, const settings_region_t *region, kw_arena_t *arena,
        int *failed)
{
    char version [16], interval [16];
    snprintf (version, sizeof version, "%u", n);
    snprintf (interval, sizeof interval, "%u", region ? region->review_interval_days : 182);
    const char *params [4] = { case_id, version, region ? region->time_zone : "UTC", interval };
    PGresult *res = kw_db_query (db, "plan_version", 4, params);
    if (!res) {
        *failed = 1;
        return NULL;
    }
    Kw__Plan *plan = NULL;
    if (PQntuples (res) == 1) {
        plan = kw_arena_calloc (arena, sizeof *plan);
        kw__plan__init (plan);
        plan->case_id = kw_arena_strdup (arena, case_id);
        plan->has_version = 1;
        plan->version = (uint32_t) atoi (PQgetvalue (res, 0, 0));
        plan->meeting_id = rows_text (res, 0, 1, arena);
        plan->held_at = rows_text (res, 0, 2, arena);
        plan->notes = rows_text (res, 0, 3, arena);
        plan->family_views = rows_text (res, 0, 4, arena);
        char *attended = rows_text (res, 0, 5, arena);
        plan->attended = kw_arena_calloc (arena, sizeof *plan->attended * (MAX_ATTENDED + 1));
        for (char *save = NULL, *p = attended && *attended ? strtok_r (attended, ",", &save) : NULL;
             p && plan->n_attended < MAX_ATTENDED; p = strtok_r (NULL, ",", &save))
            plan->attended [plan->n_attended++] = p;
        s_actions (PQgetvalue (res, 0, 6), plan, arena);
        plan->created_at = rows_text (res, 0, 7, arena);
        plan->next_review_due = rows_text (res, 0, 8, arena);
    }
    PQclear (res);
    return plan;
}

//  The case's plan for a read call: 1 with *plan, 0 answered, -1 answered
//  unavailable.
static int
s_read (kw_service_t *svc, const Kw__Request *req, const char *case_id, unsigned n, const char *action,
        Kw__Plan **plan, Kw__Response *resp, kw_arena_t *arena)
{
    kw_db_t *db = kw_service_db (svc);
    case_row_t row;
    unsigned relationship;
    int rc = access_case (db, req, case_id, action, ACCESS_READERS, &row, &relationship, resp, arena);
    int failed = rc < 0;
    *plan = rc == 1 ? s_plan (db, row.id, n, scheduling_region (svc, row.region), arena, &failed) : NULL;
    if (failed) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "the plan could not be read");
        return -1;
    }
    if (rc != 1)
        return 0;
    if (!*plan) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, n ? "n" : "id",
                            n ? "the plan has no such version" : "the case has no plan yet");
        return 0;
    }
    return kw_audit_read (db, req->caller, action, "case", row.id, "ok", resp, arena) == 0 ? 1 : -1;
}

void
plan_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__PlanRequest *in = (Kw__PlanRequest *) kw_rpc_unpack (req, resp, arena, &kw__plan_request__descriptor);
    if (!in)
        return;
    unsigned n = 0;
    if (in->n) {
        char *end = NULL;
        unsigned long value = strtoul (in->n, &end, 10);
        if (!*in->n || *end || in->n [0] < '1' || in->n [0] > '9' || value > 100000) {
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "n", "n must be a version number from 1");
            return;
        }
        n = (unsigned) value;
    }
    Kw__Plan *plan;
    if (s_read (svc, req, in->id, n, n ? "plan.version" : "plan.get", &plan, resp, arena) == 1)
        kw_rpc_reply_ok (resp, arena, &plan->base);
}

static void
s_put (kw_buf_t *buf, const char *text)
{
    kw_buf_append (buf, text, strlen (text));
}

static void
s_putf (kw_buf_t *buf, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
s_putf (kw_buf_t *buf, const char *fmt, ...)
{
    char text [1024];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (text, sizeof text, fmt, ap);
    va_end (ap);
    s_put (buf, text);
}

//  Text with HTML's special characters escaped.
static void
s_html (kw_buf_t *buf, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++)
        switch (*p) {
            case '<': s_put (buf, "&lt;"); break;
            case '>': s_put (buf, "&gt;"); break;
            case '&': s_put (buf, "&amp;"); break;
            case '"': s_put (buf, "&quot;"); break;
            case '\'': s_put (buf, "&#39;"); break;
            case '\n': s_put (buf, "<br>"); break;
            default: kw_buf_append (buf, p, 1);
        }
}

static const char *
s_status_words (const char *status)
{
    return !status ? "" : strcmp (status, "done") == 0 ? "Done" : strcmp (status, "overdue") == 0 ? "Overdue"
         : strcmp (status, "cancelled") == 0 ? "Cancelled" : "Open";
}

void
plan_html (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return;
    Kw__Plan *plan;
    if (s_read (svc, req, in->id, 0, "plan.html", &plan, resp, arena) != 1)
        return;
    kw_buf_t html = { 0 }, *buf = &html;
    s_putf (buf, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<title>Family Service Plan, version %u</title>\n"
                    "<style>body{font-family:sans-serif;max-width:50em;margin:1em auto;line-height:1.5}"
                    "table{border-collapse:collapse;width:100%%}th,td{border:1px solid #444;padding:.4em;"
                    "text-align:left;vertical-align:top}</style>\n</head>\n<body>\n<main>\n"
                    "<h1>Family Service Plan</h1>\n<p>Version %u, agreed at the meeting held on ",
                    plan->version, plan->version);
    s_html (buf, plan->held_at ? kw_arena_strndup (arena, plan->held_at, 10) : "");
    s_put (buf, ".</p>\n");
    if (plan->next_review_due) {
        s_put (buf, "<p>Next review due by ");
        s_html (buf, plan->next_review_due);
        s_put (buf, ".</p>\n");
    }
    s_put (buf, "<h2>What the family said</h2>\n<p>");
    s_html (buf, plan->family_views && *plan->family_views ? plan->family_views : "Not recorded.");
    s_put (buf, "</p>\n<h2>Notes of the meeting</h2>\n<p>");
    s_html (buf, plan->notes && *plan->notes ? plan->notes : "None.");
    s_put (buf, "</p>\n<h2>What will be done, by whom and by when</h2>\n<table>\n"
                   "<caption>Actions of the plan</caption>\n<thead><tr><th scope=\"col\">Action</th>"
                   "<th scope=\"col\">Who</th><th scope=\"col\">By</th><th scope=\"col\">Status</th></tr></thead>\n"
                   "<tbody>\n");
    for (size_t i = 0; i < plan->n_actions; i++) {
        const Kw__PlanAction *a = plan->actions [i];
        s_put (buf, "<tr><td>");
        s_html (buf, a->description);
        s_put (buf, "</td><td>");
        s_html (buf, a->owner_name ? a->owner_name : strcmp (a->owner ? a->owner : "", "family") == 0
                     ? "The family" : a->owner);
        s_put (buf, "</td><td>");
        s_html (buf, a->due);
        s_put (buf, "</td><td>");
        s_html (buf, s_status_words (a->status));
        s_put (buf, "</td></tr>\n");
    }
    s_put (buf, "</tbody>\n</table>\n</main>\n</body>\n</html>\n");
    Kw__TextDocument out = KW__TEXT_DOCUMENT__INIT;
    kw_buf_append (buf, "", 1);
    out.text = kw_arena_strdup (arena, buf->data);
    kw_buf_free (buf);
    kw_rpc_reply_ok (resp, arena, &out.base);
}

// ---- changes

typedef struct {
    const char *id;
    const ProtobufCMessage *in;
    case_row_t row;
    unsigned relationship;
    int64_t held_at;
    char *action_owner;         //  an action change: the action's owner and status
    char *action_status;
    char *owner_name;
} plan_call_t;

//  plan_updated with the current plan and whom to tell.
static int
s_updated (kw_tx_t *tx, const char *case_id, const char *region_id)
{
    int failed = 0;
    const settings_region_t *region = scheduling_region (tx->svc, region_id);
    Kw__PlanUpdated event = KW__PLAN_UPDATED__INIT;
    event.plan = s_plan (tx->db, case_id, 0, region, tx->arena, &failed);
    if (!event.plan)
        return -1;
    const char *params [1] = { case_id };
    PGresult *res = kw_db_query (tx->db, "plan_recipients", 1, params);
    if (!res)
        return -1;
    event.n_recipients = (size_t) PQntuples (res);
    event.recipients = kw_arena_calloc (tx->arena, sizeof *event.recipients * (event.n_recipients + 1));
    for (size_t i = 0; i < event.n_recipients; i++)
        event.recipients [i] = records_participant (res, (int) i, tx->arena);
    PQclear (res);
    event.region = (char *) region_id;
    event.at = event.plan->created_at;
    return kw_outbox_insert (tx->db, KW_PRODUCER_SCHEDULING, KW_EVENT_SCHEDULING_PLAN_UPDATED, region_id, case_id,
                             &event.base, NULL);
}

//  Resolve owner on the case: 1 with its stored form and name, 0 unknown, -1 db.
static int
s_owner (kw_db_t *db, const char *case_id, const char *owner, char **stored, char **name, kw_arena_t *arena)
{
    const char *params [2] = { case_id, owner };
    PGresult *res = kw_db_query (db, "plan_owner", 2, params);
    if (!res)
        return -1;
    int found = PQntuples (res) == 1;
    if (found) {
        int by_role = strcmp (owner, "family") == 0;
        *stored = by_role ? "family" : rows_text (res, 0, 0, arena);
        *name = by_role ? "The family" : rows_text (res, 0, 1, arena);
    }
    PQclear (res);
    return found;
}

static int
s_outcome_authorise (kw_tx_t *tx)
{
    plan_call_t *call = tx->arg;
    return access_meeting (tx->db, tx->req, call->id, "meeting.outcome", ACCESS_ORGANISERS, 1, &call->row,
                           &call->relationship, tx->resp, tx->arena);
}

static int
s_outcome_write (kw_tx_t *tx)
{
    plan_call_t *call = tx->arg;
    const Kw__MeetingOutcome *in = (const Kw__MeetingOutcome *) call->in;
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    for (size_t i = 0; i < in->n_attended; i++) {
        const char *params [2] = { call->id, in->attended [i] };
        PGresult *res = kw_db_query (tx->db, "plan_participant", 2, params);
        if (!res)
            return -1;
        if (PQntuples (res) == 0)
            kw_field_errors_add (&errs, "attended", "attended[%zu] is not a participant of the meeting", i);
        PQclear (res);
    }
    char **owners = kw_arena_calloc (tx->arena, sizeof *owners * (in->n_actions + 1));
    char **names = kw_arena_calloc (tx->arena, sizeof *names * (in->n_actions + 1));
    for (size_t i = 0; i < in->n_actions; i++) {
        int found = s_owner (tx->db, call->row.id, in->actions [i]->owner, &owners [i], &names [i], tx->arena);
        if (found < 0)
            return -1;
        if (!found)
            kw_field_errors_add (&errs, "actions", "actions[%zu].owner is not the key worker, the family or a"
                                 " person of the case", i);
    }
    if (kw_field_errors_found (&errs)) {
        kw_rpc_reply_invalid (tx->resp, tx->arena, &errs);
        return 0;
    }
    char held [24];
    snprintf (held, sizeof held, "%lld", (long long) call->held_at);
    const char *params [2] = { call->id, held };
    PGresult *res = kw_db_query (tx->db, "plan_held", 2, params);
    if (!res)
        return -1;
    int held_now = PQntuples (res) == 1;
    PQclear (res);
    if (!held_now) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "id",
                            "the meeting is not scheduled (its outcome is recorded, or it was cancelled)");
        tx->resp->code = "meeting_not_scheduled";
        return 0;
    }
    const char *case_params [1] = { call->row.id };
    res = kw_db_query (tx->db, "plan_next_version", 1, case_params);
    if (!res)
        return -1;
    char *version = rows_text (res, 0, 0, tx->arena);
    PQclear (res);
    for (size_t i = 0; i < in->n_actions; i++) {
        char id [KW_UUID_SIZE];
        kw_uuid_generate (id);
        const Kw__PlanAction *a = in->actions [i];
        const char *p [9] = { id, call->row.id, call->row.region, call->id, version, a->description, owners [i],
                              names [i], a->due };
        if (kw_db_exec (tx->db, "plan_action_insert", 9, p) != 0)
            return -1;
    }
    kw_buf_t attended = { 0 };
    for (size_t i = 0; i < in->n_attended; i++) {
        if (i)
            kw_buf_append (&attended, ",", 1);
        kw_buf_append (&attended, in->attended [i], strlen (in->attended [i]));
    }
    kw_buf_append (&attended, "", 1);
    const char *plan [8] = { call->row.id, version, call->id, held, in->notes, in->family_views,
                             kw_arena_strdup (tx->arena, attended.data), tx->req->caller->sub };
    kw_buf_free (&attended);
    if (kw_db_exec (tx->db, "plan_insert", 8, plan) != 0 || s_updated (tx, call->row.id, call->row.region) != 0
    ||  records_emit (tx->svc, tx->db, call->id, KW_EVENT_SCHEDULING_MEETING_UPDATED, "held", tx->req->caller->sub,
                      tx->arena) != 0
    ||  kw_audit (tx->db, tx->req->caller, "meeting.outcome", "case", call->row.id, "ok") != 0)
        return -1;
    int failed = 0;
    Kw__Plan *out = s_plan (tx->db, call->row.id, 0, scheduling_region (tx->svc, call->row.region), tx->arena,
                            &failed);
    if (!out)
        return -1;
    kw_info ("plan_updated", "case_id", call->row.id, "version", version);
    kw_rpc_reply_ok (tx->resp, tx->arena, &out->base);
    return 0;
}

void
plan_outcome (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "meeting_outcome", .what = "outcome", .authorise = s_outcome_authorise, .write = s_outcome_write
    };
    Kw__MeetingOutcome *in = (Kw__MeetingOutcome *) kw_rpc_unpack (req, resp, arena,
                                                                  &kw__meeting_outcome__descriptor);
    if (!in)
        return;
    plan_call_t call = { .id = in->id, .in = &in->base, .held_at = (int64_t) time (NULL) };
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    if (in->held_at && (zone_parse_instant (in->held_at, &call.held_at) != 0 || call.held_at > time (NULL) + 3600
                        || call.held_at < time (NULL) - 366L * 86400))
        kw_field_errors_add (&errs, "held_at", "held_at must be an RFC 3339 time within the past year");
    kw_check_text_lines (in->notes, MAX_NOTES, 1, "notes", &errs);
    kw_check_text_lines (in->family_views, MAX_NOTES, 1, "family_views", &errs);
    if (in->n_attended > MAX_ATTENDED)
        kw_field_errors_add (&errs, "attended", "attended may name at most %d people", MAX_ATTENDED);
    if (in->n_actions > MAX_ACTIONS)
        kw_field_errors_add (&errs, "actions", "a plan may have at most %d new actions", MAX_ACTIONS);
    for (size_t i = 0; i < in->n_actions && i < MAX_ACTIONS; i++) {
        char field [48];
        int32_t day;
        snprintf (field, sizeof field, "actions[%zu].description", i);
        kw_check_required_text (in->actions [i]->description, MAX_DESCRIPTION, field, &errs);
        snprintf (field, sizeof field, "actions[%zu].owner", i);
        kw_check_required_text (in->actions [i]->owner, 128, field, &errs);
        snprintf (field, sizeof field, "actions[%zu].due", i);
        if (zone_parse_date (in->actions [i]->due, &day) != 0)
            kw_field_errors_add (&errs, field, "%s must be a date YYYY-MM-DD", field);
    }
    if (kw_field_errors_found (&errs)) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    kw_tx_run (&def, svc, req, resp, arena, &call);
}

//  Which change of an action: complete, cancel or reassign.
typedef enum { CHANGE_COMPLETE, CHANGE_CANCEL, CHANGE_REASSIGN } change_t;

typedef struct {
    plan_call_t base;
    change_t change;
} action_call_t;

static int
s_action_authorise (kw_tx_t *tx)
{
    action_call_t *self = tx->arg;
    plan_call_t *call = &self->base;
    const char *params [1] = { call->id };
    PGresult *res = kw_uuid_valid (call->id) ? kw_db_query (tx->db, "plan_action", 1, params) : NULL;
    if (kw_uuid_valid (call->id) && !res)
        return -1;
    char *case_id = res && PQntuples (res) ? rows_text (res, 0, 0, tx->arena) : NULL;
    if (case_id) {
        call->action_owner = rows_text (res, 0, 1, tx->arena);
        call->action_status = rows_text (res, 0, 2, tx->arena);
    }
    PQclear (res);
    if (!case_id) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such action");
        return 0;
    }
    unsigned allowed = self->change == CHANGE_COMPLETE ? ACCESS_READERS : ACCESS_ORGANISERS;
    int rc = access_case (tx->db, tx->req, case_id, "plan.action", allowed, &call->row, &call->relationship,
                          tx->resp, tx->arena);
    if (rc != 1 || call->relationship & ACCESS_ORGANISERS)
        return rc;
    const char *me = access_person (tx->req, call->relationship);
    if (me && strcmp (me, call->action_owner) == 0)
        return 1;
    if (kw_audit (tx->db, tx->req->caller, "plan.action", "action", call->id, "forbidden") != 0)
        return -1;
    kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_FORBIDDEN, NULL,
                        "only the action's owner, the key worker or a coordinator may complete it");
    return 0;
}

static int
s_action_write (kw_tx_t *tx)
{
    action_call_t *self = tx->arg;
    plan_call_t *call = &self->base;
    const Kw__PlanActionChange *in = (const Kw__PlanActionChange *) call->in;
    if (strcmp (call->action_status, "open") != 0 && strcmp (call->action_status, "overdue") != 0) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "id", "the action is %s already",
                            call->action_status);
        tx->resp->code = "action_closed";
        return 0;
    }
    char *owner = NULL, *name = NULL;
    if (self->change == CHANGE_REASSIGN && in->owner) {
        int found = s_owner (tx->db, call->row.id, in->owner, &owner, &name, tx->arena);
        if (found <= 0) {
            if (found == 0)
                kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_INVALID, "owner",
                                    "owner is not the key worker, the family or a person of the case");
            return found;
        }
    }
    const char *status = self->change == CHANGE_COMPLETE ? "done" : self->change == CHANGE_CANCEL ? "cancelled"
                       : in->due ? "open" : call->action_status;
    const char *params [5] = { call->id, status, owner, name, self->change == CHANGE_REASSIGN ? in->due : NULL };
    if (kw_db_exec (tx->db, "plan_action_set", 5, params) != 0 || s_updated (tx, call->row.id, call->row.region) != 0
    ||  kw_audit (tx->db, tx->req->caller, "plan.action", "action", call->id, "ok") != 0)
        return -1;
    int failed = 0;
    Kw__Plan *plan = s_plan (tx->db, call->row.id, 0, scheduling_region (tx->svc, call->row.region), tx->arena,
                             &failed);
    for (size_t i = 0; plan && i < plan->n_actions; i++)
        if (strcmp (plan->actions [i]->id, call->id) == 0) {
            kw_rpc_reply_ok (tx->resp, tx->arena, &plan->actions [i]->base);
            return 0;
        }
    return -1;
}

static void
s_action (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena, change_t change)
{
    static const kw_tx_def_t def = {
        .name = "plan_action", .what = "action", .authorise = s_action_authorise, .write = s_action_write
    };
    Kw__PlanActionChange *in = (Kw__PlanActionChange *) kw_rpc_unpack (req, resp, arena,
                                                                      &kw__plan_action_change__descriptor);
    if (!in)
        return;
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    int32_t day;
    if (change == CHANGE_REASSIGN && !in->owner && !in->due)
        kw_field_errors_add (&errs, "owner", "reassign needs an owner, a due date, or both");
    if (in->due && zone_parse_date (in->due, &day) != 0)
        kw_field_errors_add (&errs, "due", "due must be a date YYYY-MM-DD");
    kw_check_text (in->owner, 128, "owner", &errs);
    kw_check_text (in->reason, MAX_DESCRIPTION, "reason", &errs);
    if (kw_field_errors_found (&errs)) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    action_call_t call = { .base = { .id = in->id, .in = &in->base }, .change = change };
    kw_tx_run (&def, svc, req, resp, arena, &call);
}

void
plan_action_complete (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    s_action (svc, req, resp, arena, CHANGE_COMPLETE);
}

void
plan_action_cancel (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    s_action (svc, req, resp, arena, CHANGE_CANCEL);
}

void
plan_action_reassign (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    s_action (svc, req, resp, arena, CHANGE_REASSIGN);
}
