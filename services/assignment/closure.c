/*  closure: closing cases. A child who reaches the region's upper age
    (eligibility.case_age_out) moves to adult services: the case is closed
    as transferred_to_adult_services and assignment.case_closed announces
    it, once (a closed case is not closed again). */
#include <string.h>
#include "kw/assignment.pb-c.h"
#include "kw/eligibility.pb-c.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_uuid.h"
#include "assignment.h"

int
closure_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "assignment_close_case",
        "UPDATE assignment.cases SET status = 'closed', closed_at = now (), close_reason = $2"
        " WHERE id = $1::uuid AND status <> 'closed'"
        " RETURNING referral_id, region,"
        " to_char (closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
    return 0;
}

kw_apply_result_t
closure_age_out (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                 kw_arena_t *arena)
{
    const Kw__CaseAgeOut *msg = payload;
    if (!msg->case_id || !kw_uuid_valid (msg->case_id))
        return KW_APPLY_SKIP;
    const char *reason = "transferred_to_adult_services";
    const char *params [2] = { msg->case_id, reason };
    PGresult *res = kw_db_query (db, "assignment_close_case", 2, params);
    if (!res)
        return KW_APPLY_RETRY;
    if (PQntuples (res) == 0) {
        PQclear (res);
        kw_info ("case_not_open", "case_id", msg->case_id, "event_id", event->event_id);
        return KW_APPLY_OK;
    }
    Kw__CaseClosed closed = KW__CASE_CLOSED__INIT;
    closed.case_id = msg->case_id;
    closed.referral_id = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
    closed.region = kw_arena_strdup (arena, PQgetvalue (res, 0, 1));
    closed.closed_at = kw_arena_strdup (arena, PQgetvalue (res, 0, 2));
    closed.reason = (char *) reason;
    PQclear (res);
    if (kw_outbox_insert (db, KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_CASE_CLOSED, closed.region,
                          msg->case_id, &closed.base, NULL) != 0)
        return KW_APPLY_RETRY;
    kw_info ("case_closed", "case_id", msg->case_id, "reason", reason);
    return KW_APPLY_OK;
}
