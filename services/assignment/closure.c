/*  closure: how a case ends or changes hands by request. A coordinator
    closes a case with a reason; a withdrawn referral closes its case (no
    longer needed) and a child who reaches the region's upper age moves to
    adult services (eligibility.case_age_out); closing withdraws a pending
    offer, ends any cover and releases the key worker's place. A new
    decision that makes the referral of an open case ineligible flags the
    case for the coordinator's review instead of closing it (eligible again
    clears the flag). The family (for their own case), the key worker or a
    coordinator may ask for another key worker: a new round of offers that
    leaves out the current one, who stays until a new one accepts. */
#include <stdio.h>
#include <string.h>
#include "kw_audit.h"
#include "kw_check.h"
#include "kw_log.h"
#include "kw_time.h"
#include "kw_tx.h"
#include "kw_uuid.h"
#include "assignment.h"

#define MAX_NOTE 1000

static const char *const s_reasons [] = {
    "no_longer_needed", "moved_away", "transferred_to_adult_services", "other", NULL
};
static const char *const s_requesters [] = { "family", "key_worker", "coordinator", NULL };

int
closure_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "closure_close",
        "UPDATE assignment.cases SET status = 'closed', closed_at = now (), close_reason = $2,"
        " close_note = $3, awaiting_reason = NULL, updated_at = now ()"
        " WHERE id = $1::uuid AND status <> 'closed' RETURNING " TS ("closed_at"));
    kw_db_prepare (db, "closure_case_of_referral",
        "SELECT id FROM assignment.cases WHERE referral_id = $1::uuid");
    kw_db_prepare (db, "closure_flag",
        "UPDATE assignment.cases SET review_flagged_at = CASE WHEN $2 THEN now () END,"
        " review_sequence = $3::int, updated_at = now () WHERE id = $1::uuid"
        " RETURNING " TS ("updated_at"));
    kw_db_prepare (db, "closure_pending",
        "SELECT 1 FROM assignment.offers WHERE case_id = $1::uuid AND status = 'pending'");
    return 0;
}

int
closure_close (kw_db_t *db, journal_actor_t actor, case_row_t *row, const char *reason, const char *note,
               kw_arena_t *arena)
{
    if (strcmp (row->status, "closed") == 0)
        return 0;
    if (offers_withdraw_pending (db, actor, row, "the case closed", arena) != 0
    ||  absences_end_cover (db, actor, row, "case_closed", arena) != 0
    ||  offers_release_key_worker (db, row) != 0)
        return -1;
    const char *params [3] = { row->id, reason, note };
    PGresult *res = kw_db_query (db, "closure_close", 3, params);
    if (!res)
        return -1;
    Kw__CaseClosed closed = KW__CASE_CLOSED__INIT;
    closed.closed_at = rows_text (res, 0, 0, arena);
    PQclear (res);
    row->status = "closed";
    int failed = 0;
    closed.case_id = row->id;
    closed.referral_id = row->referral_id;
    closed.region = row->region;
    closed.reason = (char *) reason;
    closed.note = (char *) note;
    closed.key_worker = people_key_worker (db, row->key_worker_kind, row->key_worker_id,
                                           row->key_worker_family_id, arena, &failed);
    if (failed || people_team (db, row->id, arena, &closed.team, &closed.n_team) != 0
    ||  people_family (db, row->id, arena, &closed.family, &closed.n_family) != 0)
        return -1;
    kw_info ("case_closed", "case_id", row->id, "reason", reason);
    return journal_event (db, actor, row->region, row->id, NULL, KW_EVENT_ASSIGNMENT_CASE_CLOSED, &closed.base,
                          row->key_worker_id, NULL, "closed: %s%s%s", reason, note ? ": " : "",
                          note ? note : "") == 0 ? 1 : -1;
}

//  Close the case case_id (an event's) with reason and note.
static kw_apply_result_t
s_close_by_event (kw_db_t *db, const char *case_id, const char *reason, const char *note, kw_arena_t *arena)
{
    case_row_t row;
    int found = access_row (db, case_id, 1, &row, arena);
    if (found < 0)
        return KW_APPLY_RETRY;
    if (!found)
        return KW_APPLY_OK;
    return closure_close (db, NULL, &row, reason, note, arena) < 0 ? KW_APPLY_RETRY : KW_APPLY_OK;
}

kw_apply_result_t
closure_age_out (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                 kw_arena_t *arena)
{
    const char *case_id = event_rows_age_out (payload);
    if (!case_id)
        return KW_APPLY_SKIP;
    return s_close_by_event (db, case_id, "transferred_to_adult_services",
                             "the young person reached the region's upper age", arena);
}

kw_apply_result_t
closure_withdrawn (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                   kw_arena_t *arena)
{
    const char *params [1] = { event_rows_withdrawn (payload) };
    if (!params [0])
        return KW_APPLY_SKIP;
    PGresult *res = kw_db_query (db, "closure_case_of_referral", 1, params);
    if (!res)
        return KW_APPLY_RETRY;
    char *case_id = PQntuples (res) ? rows_text (res, 0, 0, arena) : NULL;
    PQclear (res);
    if (!case_id)
        return KW_APPLY_OK;
    return s_close_by_event (db, case_id, "no_longer_needed", "the referral was withdrawn", arena);
}

int
closure_review (kw_db_t *db, case_row_t *row, const Kw__EligibilityDecided *decided, kw_arena_t *arena)
{
    Kw__Outcome outcome = decided->decision->outcome;
    int flag = outcome == KW__OUTCOME__OUTCOME_INELIGIBLE;
    int clear = outcome == KW__OUTCOME__OUTCOME_ELIGIBLE;
    if (strcmp (row->status, "closed") == 0 || (flag && row->review_flagged) || (clear && !row->review_flagged)
    ||  (!flag && !clear))
        return 0;
    char sequence [16];
    snprintf (sequence, sizeof sequence, "%u", decided->sequence);
    const char *params [3] = { row->id, flag ? "true" : "false", sequence };
    PGresult *res = kw_db_query (db, "closure_flag", 3, params);
    if (!res)
        return -1;
    Kw__CaseReviewFlagged event = KW__CASE_REVIEW_FLAGGED__INIT;
    event.at = rows_text (res, 0, 0, arena);
    PQclear (res);
    int failed = 0;
    event.case_id = row->id;
    event.referral_id = row->referral_id;
    event.region = row->region;
    event.outcome = flag ? "ineligible" : "eligible";
    event.ruleset = decided->decision->ruleset;
    event.has_version = decided->decision->has_version;
    event.version = decided->decision->version;
    event.has_decision_sequence = decided->has_sequence;
    event.decision_sequence = decided->sequence;
    event.key_worker = people_key_worker (db, row->key_worker_kind, row->key_worker_id,
                                          row->key_worker_family_id, arena, &failed);
    if (failed)
        return -1;
    row->review_flagged = flag;
    kw_info (flag ? "case_review_flagged" : "case_review_cleared", "case_id", row->id);
    return journal_event (db, NULL, row->region, row->id, NULL,
                          flag ? KW_EVENT_ASSIGNMENT_CASE_REVIEW_FLAGGED : KW_EVENT_ASSIGNMENT_CASE_REVIEW_CLEARED,
                          &event.base, NULL, NULL, flag
                          ? "a new decision (%u) found the referral ineligible: the coordinator reviews the case"
                          : "a new decision (%u) found the referral eligible again: the review flag is cleared",
                          decided->sequence);
}

// ---- RPCs

typedef struct {
    const Kw__CloseRequest *close;
    const Kw__ChangeRequest *change;
    case_row_t row;
    const char *requested_by;
} closure_call_t;

static int
s_close_authorise (kw_tx_t *tx)
{
    closure_call_t *self = tx->arg;
    int found = access_load (tx->db, tx->req, self->close->id, "close", 1, &self->row, tx->resp, tx->arena);
    if (found <= 0)
        return found;
    return access_coordinator (tx->db, tx->req, "case", self->row.id, "close", tx->resp, tx->arena);
}

static int
s_close_write (kw_tx_t *tx)
{
    closure_call_t *self = tx->arg;
    int closed = closure_close (tx->db, tx->req->caller, &self->row, self->close->reason, self->close->note,
                                tx->arena);
    if (closed < 0)
        return -1;
    if (!closed) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "id", "the case is closed already");
        tx->resp->code = "case_closed";
        return 0;
    }
    if (kw_audit (tx->db, tx->req->caller, "close", "case", self->row.id, "ok") != 0)
        return -1;
    return offers_answer (tx, self->row.id);
}

void
closure_close_rpc (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "case_close", .what = "closure", .authorise = s_close_authorise, .write = s_close_write
    };
    closure_call_t self = { .close = (Kw__CloseRequest *) kw_rpc_unpack (req, resp, arena,
                                                                         &kw__close_request__descriptor) };
    if (!self.close)
        return;
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    if (!self.close->reason)
        kw_field_errors_add (&errs, "reason", "reason is required: one of no_longer_needed, moved_away,"
                             " transferred_to_adult_services, other");
    kw_check_one_of (self.close->reason, s_reasons, "reason", &errs);
    kw_check_text_lines (self.close->note, MAX_NOTE, 1, "note", &errs);
    if (errs.count) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    if (kw_tx_run (&def, svc, req, resp, arena, &self))
        kw_info ("case_closed_by_request", "case_id", self.row.id);
}

//  The family (their own case), the case's key worker, a coordinator or an
//  admin; what they may say they ask for as requested_by.
static int
s_change_authorise (kw_tx_t *tx)
{
    closure_call_t *self = tx->arg;
    int found = access_load (tx->db, tx->req, self->change->id, "change_request", 1, &self->row, tx->resp, tx->arena);
    if (found <= 0)
        return found;
    int failed = 0;
    const char *relationship = access_relationship (tx->db, tx->req, &self->row, &failed);
    if (failed)
        return -1;
    const char *as = relationship && strcmp (relationship, "family") == 0 ? "family"
                   : relationship && strcmp (relationship, "key_worker") == 0 ? "key_worker"
                   : relationship && strcmp (relationship, "coordinator") == 0 ? "coordinator" : NULL;
    const char *asked = self->change->requested_by;
    if (as && (!asked || strcmp (asked, as) == 0 || strcmp (as, "coordinator") == 0)) {
        self->requested_by = asked ? asked : as;
        return 1;
    }
    if (kw_audit (tx->db, tx->req->caller, "change_request", "case", self->row.id, "forbidden") != 0)
        return -1;
    kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_FORBIDDEN, as ? "requested_by" : NULL, as
                        ? "you may ask for a change only as yourself (requested_by %s)"
                        : "only the family, the key worker, a coordinator or an admin may ask for a change",
                        as ? as : "");
    return 0;
}

static int
s_change_write (kw_tx_t *tx)
{
    closure_call_t *self = tx->arg;
    case_row_t *row = &self->row;
    if (strcmp (row->status, "active") != 0) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "id",
                            "the case has no key worker to change (it is %s)", row->status);
        tx->resp->code = "no_key_worker";
        return 0;
    }
    const char *params [1] = { row->id };
    PGresult *res = kw_db_query (tx->db, "closure_pending", 1, params);
    if (!res)
        return -1;
    int pending = PQntuples (res) > 0;
    PQclear (res);
    if (pending) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "id",
                            "an offer for this case is pending already");
        tx->resp->code = "change_in_progress";
        return 0;
    }
    int failed = 0;
    Kw__ChangeRequested event = KW__CHANGE_REQUESTED__INIT;
    char at [32];
    kw_time_format (kw_time_now_us (), at);
    event.case_id = row->id;
    event.referral_id = row->referral_id;
    event.region = row->region;
    event.requested_by = (char *) self->requested_by;
    event.reason = self->change->reason;
    event.key_worker = people_key_worker (tx->db, row->key_worker_kind, row->key_worker_id,
                                          row->key_worker_family_id, tx->arena, &failed);
    event.at = at;
    event.has_round = 1;
    event.round = (uint32_t) row->round + 1;
    if (failed
    ||  journal_event (tx->db, tx->req->caller, row->region, row->id, NULL, KW_EVENT_ASSIGNMENT_CHANGE_REQUESTED,
                       &event.base, row->key_worker_id, NULL, "%s asked for another key worker: %s",
                       self->requested_by, self->change->reason) != 0
    ||  matching_new_round (tx->svc, tx->db, tx->req->caller, row, PURPOSE_CHANGE, tx->arena) != 0
    ||  kw_audit (tx->db, tx->req->caller, "change_request", "case", row->id, "ok") != 0)
        return -1;
    return offers_answer (tx, row->id);
}

void
closure_change_request (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "change_request", .what = "change request",
        .authorise = s_change_authorise, .write = s_change_write
    };
    closure_call_t self = { .change = (Kw__ChangeRequest *) kw_rpc_unpack (req, resp, arena,
                                                                           &kw__change_request__descriptor) };
    if (!self.change)
        return;
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    kw_check_one_of (self.change->requested_by, s_requesters, "requested_by", &errs);
    kw_check_required_text (self.change->reason, MAX_NOTE, "reason", &errs);
    if (errs.count) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    if (kw_tx_run (&def, svc, req, resp, arena, &self))
        kw_info ("change_requested", "case_id", self.row.id, "requested_by", self.requested_by);
}
