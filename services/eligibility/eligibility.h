/*  eligibility: the service's modules: its state, the region set in force
    (state.c); the projection of referrals and cases it decides on
    (referrals.c) and of DSR ratings (ratings.c); deciding and recording
    decisions (decide.c); re-evaluation on demand, after a rule change and
    on a DSR re-rating (reevaluate.c); the DSR entry events (dsr.c); the
    age-out sweep (age_out.c); and the rule set as the API shows it
    (ruleset.c). main.c wires them to the runtime; no module calls into it. */
#ifndef ELIGIBILITY_H
#define ELIGIBILITY_H

#include "kw/assignment.pb-c.h"
#include "kw/dsr.pb-c.h"
#include "kw_consumer.h"
#include <stdint.h>
#include "kw_service.h"
#include "region.h"
#include "rules.h"

typedef struct _age_out_t age_out_t;

// ---- state.c

//  The service state.
typedef struct {
    region_set_t *regions;
    age_out_t *age_out;                 //  set by main.c once the sweep has started
    uint64_t read_first_through;        //  referral events up to this seq read before deciding (decide.c)
    uint64_t fast_through;              //  the newest referral event decided without reading (decide.c)
} eligibility_t;

//  Create the state and load the region set of KW_REGION_DIR. 0, or -1
//  with the reason printed.
int state_start (kw_service_t *svc);
//  SIGHUP: load the region files again; a set that does not load leaves
//  the old one in force.
void state_reload (kw_service_t *svc);
//  Free the state (the sweep is stopped first). Safe twice.
void state_stop (kw_service_t *svc);
//  The state, or NULL before start and after stop.
eligibility_t *state_get (kw_service_t *svc);
//  The region set in force.
const region_set_t *state_regions (kw_service_t *svc);
//  The caller's region when the caller has one of roles; else resp is
//  answered (forbidden with refusal, or no such region) and NULL returned.
const region_t *state_caller_region (kw_service_t *svc, const Kw__Request *req,
                                     const char *const *roles, const char *refusal,
                                     Kw__Response *resp, kw_arena_t *arena);

//  What made a decision (eligibility.decisions.cause).
#define CAUSE_RECEIVED "received"
#define CAUSE_INFORMATION_ADDED "information_added"
#define CAUSE_DSR_RATING_CHANGED "dsr_rating_changed"
#define CAUSE_RE_EVALUATION "re_evaluation"

// ---- referrals.c

//  A referral as eligibility last saw it.
typedef struct {
    char *referral_id;
    char *region;
    unsigned revision;
    int withdrawn;
    Kw__ReferralBody *body;
} referral_seen_t;

int referrals_prepare (kw_db_t *db);
//  The referral body in a text-format bytea column of res (in arena), or
//  NULL when it does not unpack.
Kw__ReferralBody *referrals_body (PGresult *res, int row, int col, kw_arena_t *arena);
//  The referral id (in arena): 1 found, 0 not seen, -1 database error.
int referrals_load (kw_db_t *db, const char *referral_id, referral_seen_t *out, kw_arena_t *arena);
//  The parameters of the row kept for a referral's revision (decide.c
//  keeps the newest from referral.received and referral.information_added),
//  with no database: the id, the region, the NHS number ("" when none), the
//  revision, the body packed (in arena; its length in lengths [4]), the
//  date of birth only when it is a real date, and the child's NHS number
//  to look the rating up by (NULL when there is no child).
void referrals_keep_params (const char *referral_id, const char *region, unsigned revision,
                            const Kw__ReferralBody *body, kw_arena_t *arena, const char *values [7],
                            int lengths [7]);
//  The parameters referrals_withdrawn writes, from the event alone: 0, or
//  -1 when the id is not a UUID: the event is skipped. (case_opened and
//  case_closed: kw_case_event.h.)
int referrals_withdrawn_params (const Kw__ReferralWithdrawn *msg, const char *params [1]);
//  Event referral.withdrawn (ReferralWithdrawn): the referral is withdrawn.
kw_service_event_fn referrals_withdrawn;
//  Event assignment.case_opened (CaseOpened): an open case, for age-out.
kw_service_event_fn referrals_case_opened;
//  Event assignment.case_closed (CaseClosed): the case is closed.
kw_service_event_fn referrals_case_closed;

// ---- ratings.c

int ratings_prepare (kw_db_t *db);
//  Keep the child's rating and its effective date. 0 or -1.
int ratings_keep (kw_db_t *db, const char *region, const char *nhs_number, const char *rag,
                  const char *effective_date);

// ---- decide.c

int decide_prepare (kw_db_t *db);
//  Decide the referral under its region's rule set today, in the open
//  transaction. When the result differs from the referral's newest
//  decision (or there is none), record it as the next decision with its
//  cause and emit eligibility.decided, and set *changed. *decision is the
//  newest decision afterwards (in arena). keep: the referral's revision is
//  written with the read (referral.received and information_added; the
//  revision is decided once from its own event). 0, or -1 on a database
//  error.
int decide_record (kw_db_t *db, const region_t *region, const referral_seen_t *referral,
                   const char *cause, int keep, Kw__EligibilityDecision **decision, int *changed,
                   kw_arena_t *arena);
//  The event eligibility.decided announcing decision as number sequence of
//  the referral, in arena: the decision, the revision and cause, and of the
//  body only what assignment needs to open the case and form the team (the
//  needs, the professionals, the family, the suggestion, the child's
//  postcode and language), never the child's identity.
Kw__EligibilityDecided *decide_event (const region_t *region, const referral_seen_t *referral,
                                      const char *cause, Kw__EligibilityDecision *decision,
                                      unsigned sequence, kw_arena_t *arena);
//  0 when a referral.received or referral.information_added names a
//  referral (a UUID), a region and the body; else -1 (skipped).
int decide_revision_check (const Kw__ReferralReceived *msg);
//  Events referral.received and referral.information_added
//  (ReferralReceived): keep the referral and decide its revision.
kw_service_event_fn decide_received;
kw_service_event_fn decide_information_added;

// ---- reevaluate.c

int reevaluate_prepare (kw_db_t *db);
//  Decide again the child's newest decided referral in region that is not
//  withdrawn, after a change in the child's DSR rating; *open is set when
//  its decision (changed or not) is not ineligible. 0 or -1.
int reevaluate_child (kw_db_t *db, const region_t *region, const char *nhs_number, int *open,
                      kw_arena_t *arena);
//  RPC eligibility.re_evaluate and eligibility.re_evaluate_all.
void reevaluate_one (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void reevaluate_all (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

// ---- dsr.c

//  0 when a DSR entry event names the region, the NHS number, the rating
//  with a real effective date and the entry as a referral; else -1
//  (skipped).
int dsr_entry_check (const Kw__DsrEntryEvent *msg);
//  1 when the entry's rating is new or changed.
int dsr_entry_newly_rated (const Kw__DsrEntryEvent *msg);
//  Whether a checked entry is due to become a referral on date y-m-d, with
//  no database (referred: the child's referral stays open): 1 with due
//  filled (region and NHS number, pointing into msg), 0 not (not newly rated, a referral already,
//  no consent, a rating that does not refer), -1 the region's rules rule it
//  out on what the entry tells.
int dsr_entry_due (const region_t *region, const Kw__DsrEntryEvent *msg, int referred, int y, int m, int d,
                   kw_arena_t *arena, Kw__DsrReferralDue *due);
//  Events referral.dsr_entry_created and referral.dsr_entry_changed
//  (DsrEntryEvent): keep the rating, decide again a referred child whose
//  rating changed, and emit eligibility.dsr_referral_due when a new or newly
//  rated entry with consent and no open referral meets the region's rules
//  as far as the entry tells.
kw_service_event_fn dsr_entry_apply;

// ---- age_out.c

int age_out_prepare (kw_db_t *db);
//  Start the daily sweep: at start and at the first check after midnight in
//  each region's time zone (checks every KW_AGE_OUT_CHECK_SECONDS).
age_out_t *age_out_start (kw_service_t *svc);
void age_out_stop (age_out_t **self_p);
//  RPC eligibility.age_out_sweep: the sweep of the caller's region, now.
void age_out_sweep_rpc (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp,
                        kw_arena_t *arena);

// ---- ruleset.c

//  RPC eligibility.ruleset: the rule set of the caller's region (or the
//  region the request names).
void ruleset_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

#endif
