/*  scheduling: the scheduling service's modules (docs/scheduling.md):
      cases     projections of assignment's and referral's events: cases,
                the people around them, professionals' working hours and
                absences, the family's wishes and DSR ratings; and what those
                changes do to booked meetings
      access    who may read or act on a case's meetings and plan
      calendar  a search's inputs read from the projections (slots.c finds
                the slot)
      meetings  booking, reading, responses, rescheduling and cancelling
      records   a meeting read whole, and its events (with the invitation)
      ics       the invitation (RFC 5545/5546) through libical
      plan      outcomes, the Family Service Plan's versions and actions,
                its printable page
      sweep     the daily sweep: reviews due and overdue actions
      links     the invitation's signed attend and decline links
    State: the regions' settings (settings.h), read at start and on SIGHUP. */
#ifndef SCHEDULING_H
#define SCHEDULING_H

#include "kw_arena.h"
#include "kw_service.h"
#include "kw_tx.h"
#include "kw/scheduling.pb-c.h"
#include "settings.h"
#include "slots.h"

//  UTC instants as "2026-12-01T09:00:00Z" in SELECT lists.
#define TS(col) "to_char (" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
//  An instant as epoch seconds in SELECT lists.
#define EPOCH(col) "extract (epoch FROM " col ")::bigint"

typedef struct _sweep_t sweep_t;

typedef struct {
    settings_t *settings;
    sweep_t *sweep;
} scheduling_t;

//  The settings of a region, or NULL when the region is unknown.
const settings_region_t *scheduling_region (kw_service_t *svc, const char *region);
//  Today's date in the region (days since 1970-01-01).
int32_t scheduling_today (const settings_region_t *region);

// ---- rows
//  The value at (row, col) copied into arena, NULL when SQL NULL.
char *rows_text (PGresult *res, int row, int col, kw_arena_t *arena);

// ---- cases
int cases_prepare (kw_db_t *db);
kw_service_event_fn cases_opened;           //  assignment.case_opened
kw_service_event_fn cases_closed;           //  assignment.case_closed
kw_service_event_fn cases_key_worker;       //  assignment.key_worker_changed
kw_service_event_fn cases_cover;            //  assignment.cover_started, cover_ended
kw_service_event_fn cases_team;             //  assignment.team_changed
kw_service_event_fn cases_professional;     //  assignment.professional_changed
kw_service_event_fn cases_absence;          //  assignment.absence_recorded, absence_cancelled
kw_service_event_fn cases_referral;         //  referral.received, information_added
kw_service_event_fn cases_dsr;              //  referral.dsr_entry_created, dsr_entry_changed

// ---- access
typedef struct {
    char *id;
    char *region;
    char *referral_id;
    char *status;
} case_row_t;

//  Relationships to a case, as bits of what a call allows.
#define ACCESS_COORDINATOR  1u      //  coordinator or admin of the region
#define ACCESS_KEY_WORKER   2u      //  the key worker, deputy or cover
#define ACCESS_TEAM         4u      //  a team member
#define ACCESS_FAMILY       8u      //  a family token of the case
#define ACCESS_READERS      (ACCESS_COORDINATOR | ACCESS_KEY_WORKER | ACCESS_TEAM | ACCESS_FAMILY)
#define ACCESS_ORGANISERS   (ACCESS_COORDINATOR | ACCESS_KEY_WORKER)

int access_prepare (kw_db_t *db);
//  Load case id (in the caller's region, else not found) and the caller's
//  relationship (*relationship, one ACCESS_ bit); refuse unless it is in
//  allowed. Refusals and not-found are audited under action. 1 allowed, 0
//  answered on resp, -1 database error.
int access_case (kw_db_t *db, const Kw__Request *req, const char *id, const char *action, unsigned allowed,
                 case_row_t *row, unsigned *relationship, Kw__Response *resp, kw_arena_t *arena);
//  The case of meeting id, then as access_case; *meeting_status too.
int access_meeting (kw_db_t *db, const Kw__Request *req, const char *id, const char *action, unsigned allowed,
                    int lock, case_row_t *row, unsigned *relationship, Kw__Response *resp, kw_arena_t *arena);
//  The caller's person id in a meeting's participants: their professional
//  id, or "family" for a family token.
const char *access_person (const Kw__Request *req, unsigned relationship);

// ---- calendar
typedef struct {
    char *person_id;            //  professional id, team member id, or "family"
    char *role;                 //  key_worker | deputy | cover | team | family | professional
    char *professional_id;
    char *name, *email, *phone;
    int required;
} invitee_t;

int calendar_prepare (kw_db_t *db);
//  Resolve the required and optional names ("key_worker", "deputy",
//  "cover", "team", "family", or a registered professional's id) of case
//  into invitees (arena). 0, 1 with errs filled (an unknown name), -1 db.
int calendar_invitees (kw_db_t *db, const case_row_t *c, char **required, size_t n_required, char **optional,
                       size_t n_optional, invitee_t **out, size_t *count, kw_field_errors_t *errs,
                       kw_arena_t *arena);
//  Search [first_day, last_day] for a slot of duration for the invitees,
//  with the region's buffer, holidays and zone and the family's wishes;
//  the meeting being moved (or NULL) does not count as busy. 0 or -1.
int calendar_search (kw_db_t *db, const settings_region_t *region, const case_row_t *c,
                     const invitee_t *invitees, size_t count, int32_t first_day, int32_t last_day,
                     int duration, const char *moving, slot_result_t *result, kw_arena_t *arena);
//  The invitees (by index) an optional-mask leaves out, into names.
void calendar_unavailable (const invitee_t *invitees, size_t count, uint32_t free_mask, char ***names,
                           size_t *n_names, kw_arena_t *arena);
//  Lock every required invitee (sorted, transaction-scoped), then check
//  none has another scheduled meeting overlapping [start, end) with the
//  buffer. 1 free, 0 taken (*who set), -1 db.
int calendar_lock_and_check (kw_db_t *db, const char *case_id, const invitee_t *invitees, size_t count,
                             int64_t start, int64_t end, unsigned buffer, const char *moving, const char **who);

// ---- records
int records_prepare (kw_db_t *db);
//  Meeting id whole, with its participants; NULL when absent (*failed on
//  a database error).
Kw__Meeting *records_meeting (kw_service_t *svc, kw_db_t *db, const char *id, kw_arena_t *arena, int *failed);
//  Write the event type (meeting_scheduled, _updated, _cancelled) for
//  meeting id in the open transaction, with the invitation. 0 or -1.
int records_emit (kw_service_t *svc, kw_db_t *db, const char *id, const char *type, const char *change,
                  const char *actor, kw_arena_t *arena);
//  A Participant from the columns person_id, role, name, email, phone of
//  row (arena).
Kw__Participant *records_participant (PGresult *res, int row, kw_arena_t *arena);
//  The case's key worker as a Participant, or NULL.
Kw__Participant *records_key_worker (kw_db_t *db, const char *case_id, kw_arena_t *arena, int *failed);

// ---- ics
//  The invitation of meeting (METHOD:REQUEST, or CANCEL once cancelled)
//  in the region's zone, as text in arena; NULL on failure.
char *ics_render (const Kw__Meeting *meeting, const settings_region_t *region, kw_arena_t *arena);

// ---- meetings (RPC methods)
int meetings_prepare (kw_db_t *db);
void meetings_book (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void meetings_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void meetings_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void meetings_invite (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void meetings_respond (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void meetings_reschedule (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void meetings_cancel (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
//  Record person's response (accepted, declined, tentative) to meeting_id
//  of case row in tx, as meeting.respond does after its authorisation:
//  the response, a suggested slot when a required participant declines,
//  the event response_recorded and the audit; the meeting on tx->resp.
//  0 answered (OK, or a refusal: not scheduled, not invited), -1 db.
int meetings_record_response (kw_tx_t *tx, const char *meeting_id, const case_row_t *row, const char *person,
                              const char *response);

// ---- links (RPC methods; docs/security.md, "Signed links")
//  Read the link key (KW_LINK_KEY_FILE) and register the statements. 0.
int links_prepare (kw_service_t *svc);
//  meeting_link.view: LinkRequest -> LinkPage (changes nothing).
void links_view (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
//  meeting_link.use: LinkRequest -> LinkPage (done), the response recorded.
void links_use (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

// ---- plan (RPC methods)
int plan_prepare (kw_db_t *db);
void plan_outcome (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
//  plan.get and plan.version (the version n of the path).
void plan_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void plan_html (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void plan_action_complete (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void plan_action_cancel (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void plan_action_reassign (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

// ---- sweep
sweep_t *sweep_new (kw_service_t *svc, unsigned interval_ms);
void sweep_destroy (sweep_t **self_p);
//  RPC scheduling.sweep (POST /v1/admin/scheduling/sweep): run it now.
void sweep_now (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

#endif
