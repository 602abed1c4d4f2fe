/*  projection: the referral's view of facts other services decide, kept
    from their events: the eligibility decision (status and reasons), the
    case opened for the referral and its closing (which closes the
    referral). A decision that leaves the referral needing more information
    is announced with the referrer's contact (information_requested), once
    for each decision applied, for the notification service to tell them.
    A statement whose result is not read (every one but a decision asking
    for more information) goes with the consumer batch's next statement or
    its COMMIT (kw_db_defer): its failure fails that one, nothing of the
    batch commits, and the batch is applied again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw/assignment.pb-c.h"
#include "kw/eligibility.pb-c.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_uuid.h"
#include "referral.h"

int
projection_prepare (kw_db_t *db)
{
    //  A decision older than the one shown (by its number) is ignored. A
    //  withdrawn or closed referral keeps its status, and an ineligible one
    //  stays so when the child has another open referral by now.
    kw_db_prepare (db, "referral_decided",
        "UPDATE referral.referrals r SET"
        " status = CASE WHEN r.status IN ('received', 'eligible', 'ineligible', 'more_information_needed')"
        "          AND NOT (r.status = 'ineligible' AND $2 <> 'ineligible' AND EXISTS ("
        "              SELECT 1 FROM referral.referrals o WHERE o.region = r.region"
        "              AND o.nhs_number = r.nhs_number AND o.id <> r.id"
        "              AND o.status IN " RECORD_OPEN_STATUSES "))"
        "          THEN $2 ELSE r.status END,"
        " decision = $3, decided_at = $4::timestamptz, decision_revision = $5::int,"
        " decision_sequence = $6::int, updated_at = now ()"
        " WHERE r.id = $1::uuid AND (r.decision_sequence IS NULL OR r.decision_sequence < $6::int)");
    //  A closed case closes its referral (a withdrawn one stays withdrawn).
    kw_db_prepare (db, "referral_case_closed",
        "UPDATE referral.referrals SET status = 'closed', updated_at = now ()"
        " WHERE id = $1::uuid AND status IN " RECORD_OPEN_STATUSES);
    kw_db_prepare (db, "referral_case_opened",
        "UPDATE referral.referrals SET case_id = $2, updated_at = now () WHERE id = $1::uuid");
    return 0;
}

static const char *
s_outcome_status (Kw__Outcome outcome)
{
    switch (outcome) {
        case KW__OUTCOME__OUTCOME_ELIGIBLE: return "eligible";
        case KW__OUTCOME__OUTCOME_INELIGIBLE: return "ineligible";
        case KW__OUTCOME__OUTCOME_MORE_INFORMATION_NEEDED: return "more_information_needed";
        default: return NULL;
    }
}

int
projection_decided_row (const Kw__Envelope *event, const Kw__EligibilityDecided *msg, kw_arena_t *arena,
                        projection_decision_t *row)
{
    memset (row, 0, sizeof *row);
    if (!msg->referral_id || !msg->decision || !msg->decision->has_outcome)
        return -1;
    row->status = s_outcome_status (msg->decision->outcome);
    if (!row->status)
        return -1;
    row->decision = kw_arena_pack (arena, &msg->decision->base, &row->decision_size);
    row->decided_at = msg->decision->decided_at ? msg->decision->decided_at : event->occurred_at;
    snprintf (row->revision, sizeof row->revision, "%u", msg->revision);
    //  Decisions from before they were numbered: one per revision.
    snprintf (row->sequence, sizeof row->sequence, "%u",
              msg->has_sequence ? msg->sequence : msg->revision + 1);
    return 0;
}

//  The missing fields of decision, joined by ", " (arena).
static char *
s_missing (const Kw__EligibilityDecision *decision, kw_arena_t *arena)
{
    size_t size = 1;
    for (size_t i = 0; i < decision->n_missing; i++)
        size += strlen (decision->missing [i]) + 2;
    char *out = kw_arena_alloc (arena, size);
    out [0] = '\0';
    for (size_t i = 0; i < decision->n_missing; i++) {
        if (i)
            strcat (out, ", ");
        strcat (out, decision->missing [i]);
    }
    return out;
}

//  The decision just applied leaves the referral needing more
//  information: announce it with the referrer's name and e-mail. Nothing
//  when the referral is in another state now or its referrer has no
//  e-mail. 0 or -1.
static int
s_information_requested (kw_db_t *db, const Kw__EligibilityDecided *msg, const projection_decision_t *row,
                         kw_arena_t *arena)
{
    const char *params [1] = { msg->referral_id };
    PGresult *res = kw_db_query (db, "referral_get", 1, params);
    if (!res)
        return -1;
    Kw__Referral *r = PQntuples (res) == 1 ? record_from_row (res, 0, arena) : NULL;
    PQclear (res);
    if (!r || r->status != KW__REFERRAL_STATUS__REFERRAL_STATUS_MORE_INFORMATION_NEEDED || !r->referrer
    ||  !r->referrer->email || !*r->referrer->email)
        return 0;
    Kw__Referrer referrer = KW__REFERRER__INIT;
    referrer.name = r->referrer->name;
    referrer.email = r->referrer->email;
    Kw__InformationRequested event = KW__INFORMATION_REQUESTED__INIT;
    event.referral_id = msg->referral_id;
    event.region = r->region;
    event.referrer = &referrer;
    event.missing_fields = s_missing (msg->decision, arena);
    event.sequence = (uint32_t) strtoul (row->sequence, NULL, 10);
    event.has_sequence = 1;
    event.decided_at = (char *) row->decided_at;
    return kw_outbox_insert (db, KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_INFORMATION_REQUESTED, r->region,
                             msg->referral_id, &event.base, NULL);
}

kw_apply_result_t
projection_decided (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                    kw_arena_t *arena)
{
    const Kw__EligibilityDecided *msg = payload;
    projection_decision_t row;
    if (projection_decided_row (event, msg, arena, &row) != 0)
        return KW_APPLY_SKIP;
    const char *values [6] = { msg->referral_id, row.status, (const char *) row.decision, row.decided_at,
                               row.revision, row.sequence };
    int lengths [6] = { 0, 0, (int) row.decision_size, 0, 0, 0 };
    int formats [6] = { 0, 0, 1, 0, 0, 0 };
    //  Only a decision asking for more information reads whether it was
    //  applied; any other goes with the batch's next statement or COMMIT
    //  (kw_db_defer: its failure fails that, and the batch is applied again).
    if (msg->decision->outcome != KW__OUTCOME__OUTCOME_MORE_INFORMATION_NEEDED)
        return kw_db_defer (db, "referral_decided", 6, values, lengths, formats, -1) == 0
             ? KW_APPLY_OK : KW_APPLY_RETRY;
    int applied = kw_db_exec_count (db, "referral_decided", 6, values, lengths, formats);
    if (applied < 0)
        return KW_APPLY_RETRY;
    if (applied == 0)
        kw_info ("decision_not_applied", "event_id", event->event_id);
    if (applied > 0 && s_information_requested (db, msg, &row, arena) != 0)
        return KW_APPLY_RETRY;
    return KW_APPLY_OK;
}

int
projection_case_opened_params (const Kw__CaseOpened *msg, const char *params [2])
{
    params [0] = msg->referral_id;
    params [1] = msg->case_id;
    return msg->referral_id && kw_uuid_valid (msg->referral_id) && msg->case_id && kw_uuid_valid (msg->case_id)
         ? 0 : -1;
}

int
projection_case_closed_params (const Kw__CaseClosed *msg, const char *params [1])
{
    params [0] = msg->referral_id;
    return msg->referral_id && kw_uuid_valid (msg->referral_id) ? 0 : -1;
}

kw_apply_result_t
projection_case_opened (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event,
                        const void *payload, kw_arena_t *arena)
{
    const char *values [2];
    if (projection_case_opened_params (payload, values) != 0)
        return KW_APPLY_SKIP;
    return kw_db_defer (db, "referral_case_opened", 2, values, NULL, NULL, -1) == 0
         ? KW_APPLY_OK : KW_APPLY_RETRY;
}

kw_apply_result_t
projection_case_closed (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event,
                        const void *payload, kw_arena_t *arena)
{
    const char *values [1];
    if (projection_case_closed_params (payload, values) != 0)
        return KW_APPLY_SKIP;
    return kw_db_defer (db, "referral_case_closed", 1, values, NULL, NULL, -1) == 0
         ? KW_APPLY_OK : KW_APPLY_RETRY;
}
