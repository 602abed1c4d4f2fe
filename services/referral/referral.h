/*  referral: the referral service's modules: intake (create, get), listing,
    changes (withdraw, information), the DSR import and entries, the stored
    record, and the projection of decisions and cases fed by events. */
#ifndef REFERRAL_H
#define REFERRAL_H

#include "kw/assignment.pb-c.h"
#include "kw/dsr.pb-c.h"
#include "kw/eligibility.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_audit.h"
#include "kw_consumer.h"
#include "kw_field_error.h"
#include "kw_rpc.h"
#include "kw_service.h"
#include "kw_uuid.h"

//  The columns record_from_row reads, over referral.referrals r.
#define RECORD_COLUMNS \
    "r.id, r.region, r.status," \
    " to_char (r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
    " r.created_by, r.body, r.decision, r.case_id, r.revision," \
    " to_char (r.withdrawn_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
    " r.withdrawal_reason," \
    " to_char (r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
    " (extract (epoch FROM r.received_at) * 1000000)::bigint"
enum {
    RECORD_ID, RECORD_REGION, RECORD_STATUS, RECORD_RECEIVED_AT, RECORD_CREATED_BY,
    RECORD_BODY, RECORD_DECISION, RECORD_CASE_ID, RECORD_REVISION, RECORD_WITHDRAWN_AT,
    RECORD_WITHDRAWAL_REASON, RECORD_UPDATED_AT, RECORD_RECEIVED_US
};
//  Statuses in which a referral is open (at most one per child and region).
#define RECORD_OPEN_STATUSES "('received', 'eligible', 'more_information_needed')"

int record_prepare (kw_db_t *db);
//  "received", ... or NULL; "professional", "self", "dsr" or NULL.
const char *record_status_name (Kw__ReferralStatus status);
const char *record_source_name (Kw__Source source);
//  Append one audit record per id (ids made by this service: UUIDs or NHS
//  numbers) for records of type ("referral", "dsr_entry"): 0, or -1 with
//  UNAVAILABLE replied on resp (a read that cannot be audited fails).
int record_audit_many (kw_db_t *db, Kw__Response *resp, const Kw__Caller *caller, const char *action, const char *type,
                       const char *const *ids, size_t count, kw_arena_t *arena);
//  1 when caller may see a referral made by created_by (in its region).
int record_may_read (const Kw__Caller *caller, const char *created_by);
//  What referral.received and referral.information_added carry of body (in
//  arena, sharing body's parts): all but the child's name and the referrer,
//  which no consumer uses (docs/events.md, "Who reads the payloads").
Kw__ReferralBody *record_event_body (const Kw__ReferralBody *body, kw_arena_t *arena);
//  The referral in row of res (RECORD_COLUMNS), in arena; NULL when unreadable.
Kw__Referral *record_from_row (PGresult *res, int row, kw_arena_t *arena);
//  The referral id as the caller may see it, or NULL with resp answered
//  (not found, forbidden and audited as action, unavailable).
Kw__Referral *record_load (kw_db_t *db, const Kw__Request *req, const char *id, const char *action,
                           Kw__Response *resp, kw_arena_t *arena);

int intake_prepare (kw_db_t *db);
//  Store a new referral with its referral.received event and audit record
//  in the open transaction. id_out (KW_UUID_SIZE) and received_at_out
//  (KW_TIME_RFC3339_SIZE) are filled. 0; 1 when the child has an open
//  referral in the region (nothing stored); -1 on a database error.
int intake_store (kw_db_t *db, const Kw__Caller *caller, const Kw__ReferralBody *body,
                  kw_arena_t *arena, char *id_out, char *received_at_out);
//  The id of the open referral for this child in region (in arena), NULL
//  when there is none; *failed is set on a database error.
char *intake_open_referral (kw_db_t *db, const char *region, const char *nhs_number,
                            kw_arena_t *arena, int *failed);
//  RPC "referral.create": ReferralBody -> ReferralCreated.
void intake_create (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
//  RPC "referral.get": IdRequest -> Referral.
void intake_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

int listing_prepare (kw_db_t *db);
//  RPC "referral.list": ReferralListRequest -> ReferralList.
void listing_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

int changes_prepare (kw_db_t *db);
//  RPC "referral.withdraw": WithdrawRequest -> Referral.
void changes_withdraw (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
//  RPC "referral.information": ReferralInformation -> Referral.
void changes_information (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp,
                          kw_arena_t *arena);

int dsr_import_prepare (kw_db_t *db);
//  RPC "dsr.import": DsrImportRequest -> DsrImportResult.
void dsr_import (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

//  The columns dsr_entry_from_row reads first, over referral.dsr_entries e.
#define DSR_ENTRY_COLUMNS \
    "e.dsr_id, e.nhs_number, e.given_name, e.family_name, e.date_of_birth::text, e.postcode," \
    " e.learning_disability, e.autism, e.rag, e.rag_effective_date::text, e.inpatient," \
    " e.consent_basis, e.lead_professional_email, e.cetr_last::text, e.cetr_next::text, e.region"

int dsr_entries_prepare (kw_db_t *db);
//  Fill e from row of res (DSR_ENTRY_COLUMNS first): strings copied into
//  arena, or (arena NULL) pointing into res.
void dsr_entry_from_row (PGresult *res, int row, kw_arena_t *arena, Kw__DsrEntry *e);
//  The parts of the referral a DSR entry becomes, in the caller's memory.
typedef struct {
    Kw__ReferralBody body;
    Kw__Referrer referrer;
    Kw__Child child;
    Kw__Needs needs;
    Kw__Consent consent;
    char agency [96];
} dsr_referral_t;
//  The referral a DSR entry becomes, built in r: the child and needs from
//  the entry and the consent basis the register holds (no consent part when
//  it holds none); with contact, also the child's names and the register as
//  referrer (its lead professional as contact). Without contact it is what
//  eligibility needs to screen the entry.
Kw__ReferralBody *dsr_entry_referral (const Kw__DsrEntry *e, int contact, dsr_referral_t *r);
//  RPC "dsr.entry": IdRequest (the NHS number) -> DsrEntry.
void dsr_entries_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
//  What an eligibility.dsr_referral_due event makes of the entry as it is
//  now (NULL: none), with no database, on date ty-tm-td: NULL with the
//  referral body in *body (built in made), or why none is made:
//  "no_entry", "no_consent", "rating" (green or none: no longer due),
//  "open_referral", or "invalid" with the fields in errs.
const char *dsr_entries_due_body (const Kw__DsrEntry *entry, int ty, int tm, int td, dsr_referral_t *made,
                                  kw_field_errors_t *errs, Kw__ReferralBody **body);
//  Event eligibility.dsr_referral_due (DsrReferralDue): a referral with
//  source "dsr" for the entry, unless the child has an open referral or
//  the entry no consent.
kw_service_event_fn dsr_entries_referral_due;

int projection_prepare (kw_db_t *db);
//  What an eligibility.decided event writes on its referral, with no
//  database: the status its outcome gives, the decision packed (in arena),
//  when it was decided (the event's time when the decision has none), the
//  referral's revision and the decision's number (revision + 1 for
//  decisions from before they were numbered).
typedef struct {
    const char *status;
    uint8_t *decision;
    size_t decision_size;
    const char *decided_at;
    char revision [16];
    char sequence [16];
} projection_decision_t;
//  Fill row for the event's message. 0, or -1 when the event is never
//  applicable (no referral, decision or known outcome: skipped).
int projection_decided_row (const Kw__Envelope *event, const Kw__EligibilityDecided *msg,
                            kw_arena_t *arena, projection_decision_t *row);
//  Event eligibility.decided (EligibilityDecided): the referral's status
//  and decision, unless a newer decision is shown.
kw_service_event_fn projection_decided;
//  The parameters of the case events' statements, from the event alone:
//  the referral and the case it opened, the referral whose case closed. 0,
//  or -1 when an id is not a UUID (skipped).
int projection_case_opened_params (const Kw__CaseOpened *msg, const char *params [2]);
int projection_case_closed_params (const Kw__CaseClosed *msg, const char *params [1]);
//  Event assignment.case_opened (CaseOpened): the referral's case.
kw_service_event_fn projection_case_opened;
//  Event assignment.case_closed (CaseClosed): the referral is closed.
kw_service_event_fn projection_case_closed;

//  A date filter of a list (listing.c): 0 when value is absent, empty or a
//  real date YYYY-MM-DD; else INVALID naming field is replied and -1.
int listing_check_date (const char *value, const char *field, Kw__Response *resp, kw_arena_t *arena);

// ---- audit_log.c: RPC audit.list, read as the audit reader role
//  Open the audit reader's connection (KW_AUDIT_DB_USER; connected on first use).
int audit_log_start (kw_service_t *svc);
void audit_log_stop (kw_service_t *svc);
void audit_log_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

#endif
