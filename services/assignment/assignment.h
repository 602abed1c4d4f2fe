/*  assignment: the assignment service's modules and what they share.
      rows.c          column values: text or NULL, text[] both ways
      state.c         the region settings in force and the sweep's handle
      journal.c       an event into the outbox with its row in the case timeline
      people.c        professionals, family members and team members as event parts
      access.c        who may read or act on a case (role, region, relationship)
      candidates.c    registered professionals a case may be offered to, ranked (rank.c)
      event_rows.c    what an event tells the handlers, as columns and parameters (no database)
      matching.c      opening a case for an eligible referral; the next offer of a round
      offers.c        the offer state machine: accept, decline, expire, withdraw, override
      team.c          the team around the child
      absences.c      absences, cover by deputies, replacement after a long absence
      sweep.c         the timer that expires offers and starts and ends absences
      closure.c       closing cases, withdrawal, age-out, review flags, change requests
      professionals.c the registry: create, read, change, list; checks in professional_check.c
      import.c        the registry's CSV import
      cases.c         case reads: one case, lists, my cases, caseloads, the timeline
    Every write runs in one transaction: the change, its events (outbox),
    timeline rows and audit records commit together. */
#ifndef ASSIGNMENT_H
#define ASSIGNMENT_H

#include <stdarg.h>
#include "kw/assignment.pb-c.h"
#include "kw/eligibility.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_consumer.h"
#include "kw_cursor.h"
#include "kw_rpc.h"
#include "kw_service.h"
#include "kw_tx.h"
#include "rank.h"
#include "settings.h"

//  RFC 3339 UTC of a timestamptz column, for SELECT lists.
#define TS(col) "to_char (" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
//  Microseconds since the epoch of a timestamptz column, for cursors.
#define US(col) "(extract (epoch FROM " col ") * 1000000)::bigint"

//  Offer purposes and statuses as stored.
#define PURPOSE_INITIAL "initial"
#define PURPOSE_CHANGE "change_request"
#define PURPOSE_REPLACEMENT "replacement"
#define PURPOSE_OVERRIDE "override"

// ---- rows.c

//  A column's text in arena, NULL for SQL NULL.
char *rows_text (PGresult *res, int row, int col, kw_arena_t *arena);
//  A text[] value in text form ({a,"b c"}) as its items, in arena.
char **rows_array (const char *text, kw_arena_t *arena, size_t *count);
//  items as a text[] literal, every item quoted, a NULL item NULL, in arena.
char *rows_array_literal (char *const *items, size_t count, kw_arena_t *arena);
//  A page of res, read with one row more than it shows: the rows it shows
//  in *count and an array for as many items, in arena.
void *rows_page (PGresult *res, const kw_page_t *page, size_t *count, kw_arena_t *arena);
//  The cursor after the last of the shown rows when res holds more (from
//  that row's time column and id), else NULL.
char *rows_next_cursor (PGresult *res, size_t shown, int time_col, const char *id, kw_arena_t *arena);

// ---- state.c

typedef struct _sweep_t sweep_t;

typedef struct {
    settings_t *settings;
    sweep_t *sweep;
} assignment_t;

//  Load the region settings (KW_REGION_DIR) and start the sweep. 0 or -1.
int state_start (kw_service_t *svc);
//  SIGHUP: read the region settings again; keep the old ones when they do not load.
void state_reload (kw_service_t *svc);
void state_stop (kw_service_t *svc);
//  The settings of region (the defaults for a region without a file).
const settings_region_t *state_settings (kw_service_t *svc, const char *region);

// ---- journal.c

//  Who caused a change: a caller, or the service itself (caller NULL).
typedef const Kw__Caller *journal_actor_t;

//  Write the event producer assignment / type with payload into the outbox
//  and, when case_id is set, a timeline row of the case: kind type, the
//  actor, detail (printf), the professional and offer it concerns (may be
//  NULL), in one statement. The correlation id is the case's, else
//  about's. 0 or -1.
int journal_event (kw_db_t *db, journal_actor_t actor, const char *region, const char *case_id,
                   const char *about, const char *type, const ProtobufCMessage *payload,
                   const char *professional_id, const char *offer_id, const char *fmt, ...)
    __attribute__ ((format (printf, 10, 11)));

// ---- people.c

int people_prepare (kw_db_t *db);
//  A registered professional as a person in a role (kind professional); NULL
//  when id is NULL or unknown; *failed set on a database error.
Kw__KeyWorker *people_professional (kw_db_t *db, const char *id, kw_arena_t *arena, int *failed);
//  A family member of a case as a person (kind family_member).
Kw__KeyWorker *people_family_member (kw_db_t *db, const char *family_id, kw_arena_t *arena, int *failed);
//  The case's family, its team (current members), in arena. 0 or -1.
int people_family (kw_db_t *db, const char *case_id, kw_arena_t *arena, Kw__KeyWorker ***out, size_t *n);
int people_team (kw_db_t *db, const char *case_id, kw_arena_t *arena, Kw__TeamMember ***out, size_t *n);
//  Team members from rows of people_team's columns (id, professional_id,
//  name, agency, discipline, email, phone, source, added_at) from column
//  col, in arena; a row without an id there is not a member.
void people_team_rows (PGresult *res, int col, kw_arena_t *arena, Kw__TeamMember ***out, size_t *n);
//  A person from the columns from col on: id, name, email, phone and
//  (professional) agency, discipline or (family) relationship; NULL when
//  the id is NULL.
Kw__KeyWorker *people_from (PGresult *res, int row, int col, int family, kw_arena_t *arena);
//  The key worker of a case row (professional or family member), or NULL.
Kw__KeyWorker *people_key_worker (kw_db_t *db, const char *kind, const char *professional_id,
                                  const char *family_id, kw_arena_t *arena, int *failed);

// ---- access.c

//  A case as loaded for a check, locked FOR UPDATE when asked.
typedef struct {
    char *id;
    char *referral_id;
    char *region;
    char *status;
    char *key_worker_id;            //  NULL for a family member or nobody
    char *key_worker_kind;          //  NULL, professional or family_member
    char *key_worker_family_id;
    char *deputy_id;
    int round;
    char *round_purpose;
    char *awaiting_reason;
    int review_flagged;
    int opening;                    //  inserted by this transaction as offered, its first offer to come
    char *opened_at;                //  when opening: its opening time, this transaction's now ()
} case_row_t;

int access_prepare (kw_db_t *db);
//  Load case id into row (in arena; locked FOR UPDATE when lock): 1, 0
//  when there is none, -1 on a database error.
int access_row (kw_db_t *db, const char *id, int lock, case_row_t *row, kw_arena_t *arena);
//  Load case id of the caller's region into row (locked when lock): 1, 0
//  when there is none in the region (resp answered NOT_FOUND; a case of
//  another region is audited as action with outcome not_found), -1 on a
//  database error or when that audit row cannot be written.
int access_load (kw_db_t *db, const Kw__Request *req, const char *id, const char *action, int lock,
                 case_row_t *row, Kw__Response *resp, kw_arena_t *arena);
//  The caller's relationship to the case: "coordinator" (coordinators and
//  admins of the region), "key_worker", "deputy", "cover", "team",
//  "offeree", "family", or NULL when none. *failed on a database error.
const char *access_relationship (kw_db_t *db, const Kw__Request *req, const case_row_t *row, int *failed);
//  Load case id (access_load) for the caller to read: 1 when they may,
//  with their relationship in *relationship (when asked); else 0 with
//  resp answered NOT_FOUND, or FORBIDDEN with the refusal audited (action
//  on the case); -1 on a database error.
int access_read (kw_db_t *db, const Kw__Request *req, const char *id, const char *action, case_row_t *row,
                 const char **relationship, Kw__Response *resp, kw_arena_t *arena);
//  1 when the caller's role is coordinator or admin; else 0, refused and
//  audited as access_read.
int access_coordinator (kw_db_t *db, const Kw__Request *req, const char *record_type,
                        const char *record_id, const char *action, Kw__Response *resp, kw_arena_t *arena);

// ---- candidates.c

//  What matching knows about a case's child, from the decision that opened it.
typedef struct {
    const char *region;
    const char *case_id;            //  NULL for a case not stored yet
    char **needs;
    size_t need_count;
    const char *district;
    const char *language;
    const char *suggested_email;
    char **excluded;                //  professionals refused in this round
    size_t excluded_count;
    const char *keeping_id;         //  the key worker who stays during a change
} candidates_child_t;

typedef struct {
    rank_candidate_t *items;        //  ranked: the offerable first
    size_t count;
    size_t offerable;
    rank_child_t child;             //  what they were ranked on, for rank_explain
    rank_weights_t weights;
} candidates_t;

//  The draw as SQL, for its own statement and for the one that opens a
//  case: the CTE drawn, given the statement's expressions for the region,
//  the suggested e-mail, the district and the language (NULL or '': none)
//  and the fitting disciplines (text[]), and a CTE team (professional_id)
//  of the child's team. Each source is one ordered index scan that reads
//  the rows it draws (the district's and the language's by primary key);
//  a professional drawn twice is ranked once (candidates_read keeps one
//  row an id, which costs less than a sort and a unique step in every
//  execution). CANDIDATES_SELECT is the select list of candidates_read's
//  columns, from drawn d.
#define CANDIDATES_SOURCE_LIMIT "10"
#define CANDIDATES_DISCIPLINE_LIMIT "6"
#define CANDIDATES_ROOM "(max_caseload - caseload - cover_load - pending_offers)"
#define CANDIDATES_PRESENT "active AND NOT absent"
#define CANDIDATES_COLUMNS "p.id, p.email, p.discipline, p.languages, p.localities, p.max_caseload," \
    " p.caseload, p.cover_load, p.pending_offers, p.active, p.absent, p.name, p.phone"
#define CANDIDATES_TERM(region, kind, value) \
    " UNION ALL (SELECT " CANDIDATES_COLUMNS " FROM (SELECT professional_id FROM assignment.professional_terms" \
    "  WHERE region = " region " AND term = '" kind " ' || " value " AND present AND room > 0" \
    "  ORDER BY room DESC, professional_id LIMIT " CANDIDATES_SOURCE_LIMIT ") t" \
    "  JOIN assignment.professionals p ON p.id = t.professional_id)"
#define CANDIDATES_DRAWN(region, email, district, language, fitting) \
    " drawn AS (" \
    "  (SELECT " CANDIDATES_COLUMNS " FROM assignment.professionals p WHERE region = " region \
    "   AND lower (email) = lower (" email "))" \
    "  UNION ALL (SELECT " CANDIDATES_COLUMNS " FROM team t JOIN assignment.professionals p" \
    "   ON p.id = t.professional_id WHERE p.region = " region ")" \
    "  UNION ALL (SELECT d.* FROM unnest (" fitting "::text[]) want (discipline) CROSS JOIN LATERAL" \
    "   (SELECT " CANDIDATES_COLUMNS " FROM assignment.professionals p WHERE region = " region \
    "    AND discipline = want.discipline AND " CANDIDATES_PRESENT " AND " CANDIDATES_ROOM " > 0" \
    "    ORDER BY " CANDIDATES_ROOM " DESC, id LIMIT " CANDIDATES_DISCIPLINE_LIMIT ") d)" \
    CANDIDATES_TERM (region, "district", district) CANDIDATES_TERM (region, "language", language) \
    "  UNION ALL (SELECT " CANDIDATES_COLUMNS " FROM assignment.professionals p WHERE region = " region \
    "   AND " CANDIDATES_PRESENT " ORDER BY " CANDIDATES_ROOM " DESC, id LIMIT " CANDIDATES_SOURCE_LIMIT "))"
#define CANDIDATES_SELECT "d.*, coalesce (d.id = ANY (ARRAY (SELECT professional_id FROM team)), false)"
//  Fourteen columns.
#define CANDIDATES_COUNT 14

int candidates_prepare (kw_db_t *db);
//  The disciplines that fit any of the needs, each once, as a text[]
//  literal (arena).
char *candidates_fitting (char *const *needs, size_t need_count, kw_arena_t *arena);
//  Rank the professionals drawn: the rows of res with a value in column
//  col, CANDIDATES_SELECT's columns from col on.
void candidates_read (PGresult *res, int col, const candidates_child_t *child, const rank_weights_t *weights,
                      kw_arena_t *arena, candidates_t *out);
//  Rank the professionals the case may be offered to: the suggestion, the
//  team, those working in the district, those speaking the language, and
//  those with the most room, scored with weights (rank.c). 0 or -1.
int candidates_rank (kw_db_t *db, const candidates_child_t *child, const rank_weights_t *weights,
                     kw_arena_t *arena, candidates_t *out);

// ---- matching.c

int matching_prepare (kw_db_t *db);
//  Event eligibility.decided: an eligible referral opens its case, with
//  its family and team and the first offer; an ineligible decision on an
//  open case flags it for review.
kw_service_event_fn matching_decided;
//  The next offer of the case's current round (row, locked), or the case
//  waits for the coordinator (no candidate, or the round's refusal limit).
//  0 or -1.
int matching_next (kw_service_t *svc, kw_db_t *db, journal_actor_t actor, const case_row_t *row,
                   kw_arena_t *arena);
//  Start a new round of offers for the case (change_request or replacement),
//  keeping the key worker until a new one accepts, and make its first offer.
int matching_new_round (kw_service_t *svc, kw_db_t *db, journal_actor_t actor, case_row_t *row,
                        const char *purpose, kw_arena_t *arena);
//  A deputy for a case whose key worker is key_worker_id (NULL for a family
//  member): the key worker's own deputy when active, else the best-ranked
//  other professional. Into *deputy_id (arena, NULL when nobody). 0 or -1.
int matching_deputy (kw_service_t *svc, kw_db_t *db, const case_row_t *row, const char *key_worker_id,
                     kw_arena_t *arena, char **deputy_id);

// ---- offers.c

int offers_prepare (kw_db_t *db);
//  Write a pending offer of the case to a professional or a family member
//  (exactly one of professional_id and family_id), with its score and
//  reasons, and emit offer_made. ranked: the professional as ranked in
//  this transaction, or NULL; the first offer of a case being opened to
//  one is then written with the transaction's next round trip. An offer
//  to a professional fails (-1) when they have no place left once their
//  row is locked: ranked, counting their pending offers. 0 or -1.
int offers_make (kw_service_t *svc, kw_db_t *db, journal_actor_t actor, const case_row_t *row,
                 const char *professional_id, const rank_candidate_t *ranked, const char *family_id, int score,
                 char *const *reasons, size_t reason_count, const char *purpose,
                 const char *override_reason, kw_arena_t *arena);
//  Expire the pending offer offer_id of case_id when it is due (the
//  sweep), and make the next offer. 1 expired, 0 not due or not pending,
//  -1 on error.
int offers_expire (kw_service_t *svc, kw_db_t *db, const char *offer_id, const char *case_id,
                   kw_arena_t *arena);
//  Withdraw the case's pending offer, if any (a coordinator's offer
//  replaces it, or the case closes). 0 or -1.
int offers_withdraw_pending (kw_db_t *db, journal_actor_t actor, const case_row_t *row,
                             const char *reason, kw_arena_t *arena);
//  The case (with its offers, team, key worker) as the API shows it. NULL
//  on a database error.
Kw__Case *offers_case_view (kw_db_t *db, const case_row_t *row, const char *relationship, kw_arena_t *arena);
//  Answer the write tx with the case as it stands now, as its caller may
//  see it. 0 or -1.
int offers_answer (kw_tx_t *tx, const char *case_id);
//  RPCs offer.accept, offer.decline (OfferDecision -> Case), offer.create
//  (OfferCreate -> Case).
void offers_accept (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void offers_decline (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void offers_create (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
//  End the case's key worker: their caseload is released (close, change).
int offers_release_key_worker (kw_db_t *db, const case_row_t *row);

// ---- team.c

int team_prepare (kw_db_t *db);
//  Add the referral's professionals (and family) to the case, matching
//  registered professionals by e-mail; emit team_changed when the team
//  changed (opening: the case is being opened, so the members added are
//  the whole team and it has no key worker). 0 or -1.
int team_from_referral (kw_db_t *db, const char *region, const char *case_id, const char *referral_id,
                        const Kw__ReferralBody *referral, int opening, kw_arena_t *arena);
//  A case about to be opened: its columns (needs a PostgreSQL array text).
typedef struct {
    const char *id;
    const char *referral_id;
    const char *region;
    const char *needs;
    const char *district;
    const char *language;
    const char *suggested_email;
    int suggested_family;
} team_case_t;
//  Open case c (once per referral) with the professionals named in the
//  referral (may be NULL) as its team, in one statement that also draws
//  the candidates for child (its case_id, excluded and keeping_id unread:
//  the case is new), and its family: 1 with the opening time in
//  *opened_at, the members added and the candidates ranked with weights
//  (arena), 0 when the referral has a case already (nothing written), -1
//  on error.
int team_open_case (kw_db_t *db, const team_case_t *c, const Kw__ReferralBody *referral,
                    const candidates_child_t *child, const rank_weights_t *weights, kw_arena_t *arena,
                    char **opened_at, Kw__TeamMember ***added, size_t *added_count, candidates_t *ranked);
//  Emit team_changed for the members added from a referral, when any
//  (opening: the case is being opened, so they are the whole team). 0 or -1.
int team_opened (kw_db_t *db, const char *region, const char *case_id, const char *referral_id,
                 Kw__TeamMember **added, size_t added_count, int opening, kw_arena_t *arena);
//  Event referral.information_added: new professionals and family members
//  of a referral with an open case join it.
kw_service_event_fn team_information_added;
//  Emit team_changed with the whole team and the member added or removed.
int team_changed (kw_db_t *db, journal_actor_t actor, const char *region, const char *case_id,
                  const char *referral_id, Kw__TeamMember *added, Kw__TeamMember *removed,
                  kw_arena_t *arena);
//  RPCs team.get (IdRequest), team.add (TeamAdd), team.remove (TeamRemove) -> Team.
void team_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void team_add (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void team_remove (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

// ---- event_rows.c

//  eligibility.decided: 0 when it names a referral (a UUID), a region and
//  an outcome, else -1 (skipped).
int event_rows_decided (const Kw__EligibilityDecided *msg);
//  The case an eligible decision opens as case_id: its columns (needs as a
//  PostgreSQL array text of the need flags that hold, the district of the
//  child's postcode, the child's or a family member's language, the
//  family's suggestion; empty values NULL) and the needs as items, in
//  arena; columns.district points into out.
typedef struct {
    team_case_t columns;
    char district [8];
    char **needs;
    size_t need_count;
} event_rows_opening_t;
void event_rows_opening (const Kw__EligibilityDecided *msg, const char *case_id, kw_arena_t *arena,
                         event_rows_opening_t *out);
//  The referral's professionals (referral may be NULL) as five text[]
//  literals into params [0] to [4]: names, agencies, disciplines, e-mails
//  (an empty one NULL), phones.
void event_rows_team (const Kw__ReferralBody *referral, const char **params, kw_arena_t *arena);
//  The referral's family as eight text[] literals into params [0] to [7]:
//  names, relationships, e-mails, phones, languages, preferred contacts,
//  parental responsibility ("true", "false" or NULL), postal addresses
//  (lines joined by LF). Answers their number.
size_t event_rows_family (const Kw__ReferralBody *referral, const char **params, kw_arena_t *arena);
//  The case an eligibility.case_age_out closes, the referral a
//  referral.withdrawn ends, the referral a referral.information_added adds
//  to (it must carry the body): the id when it is a UUID, else NULL.
const char *event_rows_age_out (const Kw__CaseAgeOut *msg);
const char *event_rows_withdrawn (const Kw__ReferralWithdrawn *msg);
const char *event_rows_information (const Kw__ReferralReceived *msg);

// ---- absences.c

int absences_prepare (kw_db_t *db);
//  Start the absence (due, or entered in the past): cover for each of the
//  professional's cases, and a replacement round after a long absence.
//  1 started, 0 not due or not scheduled, -1 on error.
int absences_start (kw_service_t *svc, kw_db_t *db, const char *absence_id, kw_arena_t *arena);
//  End the absence that is due: the covers end. 1, 0, -1 as absences_start.
int absences_end (kw_service_t *svc, kw_db_t *db, const char *absence_id, kw_arena_t *arena);
//  End the active cover of a case (the case closed, its key worker changed).
int absences_end_cover (kw_db_t *db, journal_actor_t actor, const case_row_t *row, const char *because,
                        kw_arena_t *arena);
//  RPCs absence.create (AbsenceCreate -> Absence), absence.list
//  (AbsenceListRequest -> AbsenceList), absence.cancel (AbsenceCancel -> Absence).
void absences_create (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void absences_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void absences_cancel (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

// ---- sweep.c

//  Start the timer (every interval_ms) that expires due offers and starts
//  and ends due absences, each in its own transaction. NULL on failure.
sweep_t *sweep_new (kw_service_t *svc, unsigned interval_ms);
void sweep_destroy (sweep_t **self_p);
//  Run once now: the items handled, or -1 on a database error.
int sweep_run (sweep_t *self);

// ---- closure.c

int closure_prepare (kw_db_t *db);
//  Close the case (row, locked) with reason and note: pending offer
//  withdrawn, cover ended, caseload released, case_closed emitted. 1
//  closed, 0 already closed, -1 on error.
int closure_close (kw_db_t *db, journal_actor_t actor, case_row_t *row, const char *reason,
                   const char *note, kw_arena_t *arena);
//  Events eligibility.case_age_out and referral.withdrawn.
kw_service_event_fn closure_age_out;
kw_service_event_fn closure_withdrawn;
//  A decision on the referral of an open case (row, locked): ineligible
//  flags it for review, eligible again clears the flag. 0 or -1.
int closure_review (kw_db_t *db, case_row_t *row, const Kw__EligibilityDecided *decided, kw_arena_t *arena);
//  RPCs case.close (CloseRequest -> Case), case.change_request (ChangeRequest -> Case).
void closure_close_rpc (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void closure_change_request (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

// ---- professionals.c

int professionals_prepare (kw_db_t *db);
//  The public record of professional id (in arena): 1, 0 none, -1 error.
int professionals_load (kw_db_t *db, const char *id, const char *region, kw_arena_t *arena,
                        Kw__ProfessionalRecord **out);
//  Emit professional_changed with the record of id as it stands. 0 or -1.
int professionals_changed (kw_db_t *db, journal_actor_t actor, const char *id, const char *region,
                           const char *change, kw_arena_t *arena);
//  The same for count professionals at once (ids, each with its change),
//  written with one COPY (an import). 0 or -1.
int professionals_changed_all (kw_db_t *db, char *const *ids, const char *const *changes, size_t count,
                               const char *region, kw_arena_t *arena);
//  RPCs professional.create, .update (ProfessionalRecord), .get (IdRequest)
//  -> ProfessionalRecord; professional.list -> ProfessionalList.
void professionals_create (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void professionals_update (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void professionals_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void professionals_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

// ---- import.c

int import_prepare (kw_db_t *db);
//  RPC professional.import (ProfessionalImportRequest -> ProfessionalImportResult).
void import_professionals (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

// ---- cases.c

int cases_prepare (kw_db_t *db);
//  RPCs case.get (IdRequest -> Case), case.list (CaseListRequest),
//  case.mine (MyCasesRequest) -> CaseList, caseload.list -> CaseloadList,
//  case.timeline (TimelineRequest -> Timeline).
void cases_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void cases_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void cases_mine (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void cases_caseloads (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
void cases_timeline (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

// ---- links.c

//  Register the statements and read the link key (KW_LINK_KEY_FILE). 0.
int links_prepare (kw_service_t *svc);
//  RPC link.view: LinkRequest -> LinkPage (changes nothing).
void links_view (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
//  RPC link.use: LinkRequest -> LinkPage (done), the offer answered.
void links_use (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

#endif
