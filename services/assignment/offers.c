/*  offers: the life of an offer of the key worker role, as a state
    machine: pending until accepted, declined (with a reason), expired (its
    due time passed, found by the sweep) or withdrawn (a coordinator's offer
    replaced it, a new round began, the case closed); no other transition.
    Accepting makes the offeree the key worker, in one statement that also
    holds their caseload to its maximum under the row's lock, so that no
    professional ever holds more cases than their maximum however many
    accepts race (and a CHECK constraint stands behind it). Declining or
    expiring moves on to the next candidate (matching.c). Only the offeree,
    a coordinator or an admin of the region may answer an offer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kw_audit.h"
#include "kw_log.h"
#include "kw_time.h"
#include "kw_tx.h"
#include "kw_uuid.h"
#include "assignment.h"

#define MAX_REASON 1000

typedef enum { OFFER_PENDING, OFFER_ACCEPTED, OFFER_DECLINED, OFFER_EXPIRED, OFFER_WITHDRAWN,
               OFFER_STATE_COUNT, OFFER_INVALID = -1 } offer_state_t;
typedef enum { OFFER_ACCEPT, OFFER_DECLINE, OFFER_EXPIRE, OFFER_WITHDRAW, OFFER_EVENT_COUNT } offer_event_t;

static const char *const s_state_names [OFFER_STATE_COUNT] = {
    "pending", "accepted", "declined", "expired", "withdrawn"
};
static const char *const s_event_names [OFFER_EVENT_COUNT] = { "accept", "decline", "expire", "withdraw" };
//  The topic of the offer's end, by the state it reaches.
static const char *const s_topics [OFFER_STATE_COUNT] = {
    NULL, KW_EVENT_ASSIGNMENT_OFFER_ACCEPTED, KW_EVENT_ASSIGNMENT_OFFER_DECLINED,
    KW_EVENT_ASSIGNMENT_OFFER_EXPIRED, KW_EVENT_ASSIGNMENT_OFFER_WITHDRAWN
};

//  The one transition function: the state event leads to from state, or
//  OFFER_INVALID (only a pending offer ends, and only once).
static offer_state_t
s_execute (offer_state_t state, offer_event_t event)
{
    switch (state) {
        case OFFER_PENDING:
            switch (event) {
                case OFFER_ACCEPT: return OFFER_ACCEPTED;
                case OFFER_DECLINE: return OFFER_DECLINED;
                case OFFER_EXPIRE: return OFFER_EXPIRED;
                case OFFER_WITHDRAW: return OFFER_WITHDRAWN;
                default: return OFFER_INVALID;
            }
        default:
            return OFFER_INVALID;
    }
}

static offer_state_t
s_state (const char *name)
{
    for (int i = 0; i < OFFER_STATE_COUNT; i++)
        if (strcmp (s_state_names [i], name) == 0)
            return (offer_state_t) i;
    return OFFER_INVALID;
}

//  The districts' and languages' room of professional p (a CTE answering
//  id and room) as p's own: an offer changes only the count of pending
//  offers, which the registry's trigger leaves to the statement
//  (006_referral_cost.sql).
#define TERMS_ROOM(p) \
    " terms AS (UPDATE assignment.professional_terms t SET room = " p ".room FROM " p \
    "  WHERE t.professional_id = " p ".id)"
#define ROOM "max_caseload - caseload - cover_load - pending_offers AS room"

//  The offer, the offeree's count of pending offers and the case's
//  status in one statement, which answers the expiry, the offeree (a
//  professional: people_from's columns) and the cases changed; a case
//  being opened was inserted as offered and is left as it is. An offer to
//  a professional who is not registered answers no row, and so does one
//  to a professional without a place once their row is locked here: their
//  cases held and covered must be under their maximum and, for an offer
//  ranked by matching ($12 true), their pending offers too, as rank.c
//  counted them from the row read without its lock (another instance may
//  have offered the place since). The transaction then fails, and its
//  retry ranks again.
#define OFFERS_INSERT(c) \
    "WITH o AS (INSERT INTO assignment.offers (id, case_id, professional_id, family_member_id, kind, status," \
    "  expires_at, score, reasons, round, purpose, reason)" \
    "  VALUES ($1, $2, $3, $4, $5, 'pending', now () + $6::int * interval '1 second', $7::int," \
    "  $8::text[], $9::int, $10, $11) RETURNING expires_at)," \
    " p AS (UPDATE assignment.professionals SET pending_offers = pending_offers + 1 WHERE id = $3::uuid" \
    "  AND caseload + cover_load + CASE WHEN $12::boolean THEN pending_offers ELSE 0 END < max_caseload" \
    "  RETURNING id, name, email, phone, agency, discipline, " ROOM "), " TERMS_ROOM ("p") "," \
    " c AS (" c ")" \
    " SELECT " TS ("o.expires_at") ", p.id, p.name, p.email, p.phone, p.agency, p.discipline," \
    " (SELECT count(*) FROM c) FROM o LEFT JOIN p ON true WHERE ($3::uuid IS NULL) = (p.id IS NULL)"

int
offers_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "offers_insert", OFFERS_INSERT (
        "UPDATE assignment.cases SET status = CASE WHEN key_worker_kind IS NULL THEN 'offered'"
        "  ELSE status END, awaiting_reason = NULL, updated_at = now () WHERE id = $2::uuid RETURNING id"));
    kw_db_prepare (db, "offers_insert_opening", OFFERS_INSERT ("SELECT $2::uuid WHERE false"));
    kw_db_prepare (db, "offers_load",
        "SELECT o.id, o.case_id, o.status, o.professional_id, o.family_member_id, o.kind,"
        " o.expires_at <= now (), o.round, o.purpose, f.email"
        " FROM assignment.offers o LEFT JOIN assignment.case_family f ON f.id = o.family_member_id"
        " WHERE o.id = $1::uuid AND o.case_id = $2::uuid FOR UPDATE OF o");
    //  The end of a pending offer in one statement: the offer, the
    //  offeree's count of pending offers (unless accepted, where taking
    //  the case moves it), the other refusals of the round, the offeree (a
    //  professional: people_from's columns).
    kw_db_prepare (db, "offers_end",
        "WITH o AS (UPDATE assignment.offers SET status = $2, reason = coalesce ($3, reason), decided_at = now (),"
        "  decided_by = $4 WHERE id = $1::uuid AND status = 'pending'"
        "  RETURNING decided_at, case_id, round, professional_id),"
        " p AS (UPDATE assignment.professionals SET pending_offers = pending_offers - 1"
        "  WHERE id = (SELECT professional_id FROM o) AND $2 <> 'accepted' RETURNING id, " ROOM "), "
        TERMS_ROOM ("p")
        " SELECT " TS ("o.decided_at") ", (SELECT count(*) FROM assignment.offers r WHERE r.case_id = o.case_id"
        "  AND r.round = o.round AND r.status IN ('declined', 'expired') AND r.id <> $1::uuid),"
        " pr.id, pr.name, pr.email, pr.phone, pr.agency, pr.discipline, (SELECT count(*) FROM p)"
        " FROM o LEFT JOIN assignment.professionals pr ON pr.id = o.professional_id");
    kw_db_prepare (db, "offers_pending_of_case",
        "SELECT id FROM assignment.offers WHERE case_id = $1::uuid AND status = 'pending' FOR UPDATE");
    //  The maximum holds here: the row is locked by this UPDATE, and a
    //  concurrent accept waits and sees the new caseload.
    kw_db_prepare (db, "offers_take_case",
        "UPDATE assignment.professionals SET caseload = caseload + 1,"
        " pending_offers = pending_offers - 1, updated_at = now ()"
        " WHERE id = $1::uuid AND active AND caseload + cover_load < max_caseload RETURNING caseload");
    kw_db_prepare (db, "offers_room",
        "SELECT active, caseload, cover_load, max_caseload FROM assignment.professionals WHERE id = $1::uuid");
    kw_db_prepare (db, "offers_release",
        "UPDATE assignment.professionals SET caseload = caseload - 1, updated_at = now () WHERE id = $1::uuid");
    kw_db_prepare (db, "offers_case_key_worker",
        "UPDATE assignment.cases SET status = 'active', key_worker_id = $2::uuid, key_worker_kind = $3,"
        " key_worker_family_id = $4::uuid, deputy_id = $5::uuid, awaiting_reason = NULL, updated_at = now ()"
        " WHERE id = $1::uuid RETURNING " TS ("updated_at"));
    kw_db_prepare (db, "offers_view",
        "SELECT o.id, o.professional_id, o.status, " TS ("o.expires_at") ", " TS ("o.created_at") ","
        " o.kind, coalesce (p.name, f.name), o.score, o.reasons, o.reason, " TS ("o.decided_at") ","
        " o.round, o.purpose"
        " FROM assignment.offers o LEFT JOIN assignment.professionals p ON p.id = o.professional_id"
        " LEFT JOIN assignment.case_family f ON f.id = o.family_member_id"
        " WHERE o.case_id = $1::uuid ORDER BY o.created_at, o.id");
    //  The case with its professional key worker and deputy (people_from's
    //  columns from 5 and 11).
    kw_db_prepare (db, "offers_case_view",
        "SELECT " TS ("c.opened_at") ", " TS ("c.closed_at") ", c.close_reason, c.close_note, "
        TS ("c.review_flagged_at") ", k.id, k.name, k.email, k.phone, k.agency, k.discipline,"
        " d.id, d.name, d.email, d.phone, d.agency, d.discipline FROM assignment.cases c"
        " LEFT JOIN assignment.professionals k ON k.id = c.key_worker_id AND c.key_worker_kind = 'professional'"
        " LEFT JOIN assignment.professionals d ON d.id = c.deputy_id WHERE c.id = $1::uuid");
    kw_db_prepare (db, "offers_cover_view",
        "SELECT " TS ("v.starts_at") ", " TS ("v.ends_at") ", p.id, p.name, p.email, p.phone, p.agency,"
        " p.discipline FROM assignment.covers v LEFT JOIN assignment.professionals p ON p.id = v.cover_id"
        " WHERE v.case_id = $1::uuid AND v.status = 'active'");
    kw_db_prepare (db, "offers_override_professional",
        "SELECT active, caseload + cover_load >= max_caseload FROM assignment.professionals"
        " WHERE id = $1::uuid AND region = $2");
    return 0;
}

// ---- making offers

//  The expiry of an offer made in the transaction that opened the case:
//  its opening time (now (), in whole seconds) and ttl seconds more, as
//  the offer's statement answers it, into out.
static int
s_expiry (const char *opened_at, long ttl, char out [KW_TIME_RFC3339_SIZE])
{
    int y, m, d, hh, mm, ss, n = 0;
    if (sscanf (opened_at, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &m, &d, &hh, &mm, &ss, &n) != 6
    ||  (size_t) n != strlen (opened_at))
        return -1;
    int64_t seconds = kw_date_days (y, m, d) * 86400L + hh * 3600L + mm * 60L + ss + ttl;
    kw_time_format (seconds * 1000000, out);
    return 0;
}

//  The offeree and the expiry of an offer: from the offer's statement, or,
//  for the first offer of a case being opened to a professional ranked in
//  the transaction, known already, the statement then sent with the
//  transaction's next round trip (it must write the offer and count it
//  against the professional: one row). 0 or -1.
static int
s_offer_write (kw_db_t *db, const case_row_t *row, const rank_candidate_t *ranked, const char *family_id,
               long ttl, const char *const *params, kw_arena_t *arena, char **expires_at,
               Kw__KeyWorker **offeree)
{
    if (row->opening && row->opened_at && ranked) {
        char at [KW_TIME_RFC3339_SIZE];
        if (s_expiry (row->opened_at, ttl, at) != 0)
            return -1;
        *expires_at = kw_arena_strdup (arena, at);
        *offeree = kw_arena_calloc (arena, sizeof **offeree);
        kw__key_worker__init (*offeree);
        (*offeree)->name = (char *) ranked->name;
        (*offeree)->email = (char *) ranked->email;
        (*offeree)->phone = (char *) ranked->phone;
        return kw_db_defer (db, "offers_insert_opening", 12, params, NULL, NULL, 1);
    }
    PGresult *res = kw_db_query (db, row->opening ? "offers_insert_opening" : "offers_insert", 12, params);
    if (!res)
        return -1;
    if (PQntuples (res) != 1 || strcmp (PQgetvalue (res, 0, 7), row->opening ? "0" : "1") != 0) {
        PQclear (res);
        return -1;
    }
    *expires_at = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
    int failed = 0;
    *offeree = family_id ? people_family_member (db, family_id, arena, &failed)
                         : people_from (res, 0, 1, 0, arena);
    PQclear (res);
    return failed || !*offeree ? -1 : 0;
}

int
offers_make (kw_service_t *svc, kw_db_t *db, journal_actor_t actor, const case_row_t *row,
             const char *professional_id, const rank_candidate_t *ranked, const char *family_id, int score,
             char *const *reasons, size_t reason_count, const char *purpose,
             const char *override_reason, kw_arena_t *arena)
{
    const settings_region_t *settings = state_settings (svc, row->region);
    char offer_id [KW_UUID_SIZE], ttl [24], score_text [16], round [16];
    kw_uuid_generate (offer_id);
    snprintf (ttl, sizeof ttl, "%ld", settings->offer_ttl_seconds);
    snprintf (score_text, sizeof score_text, "%d", score);
    snprintf (round, sizeof round, "%d", row->round);
    const char *kind = professional_id ? "professional" : "family_member";
    const char *params [12] = {
        offer_id, row->id, professional_id, family_id, kind, ttl, score_text,
        rows_array_literal (reasons, reason_count, arena), round, purpose, override_reason, ranked ? "t" : "f"
    };
    char *expires_at;
    Kw__KeyWorker *offeree;
    if (s_offer_write (db, row, professional_id ? ranked : NULL, family_id, settings->offer_ttl_seconds,
                       params, arena, &expires_at, &offeree) != 0)
        return -1;
    Kw__OfferMade event = KW__OFFER_MADE__INIT;
    event.offer_id = offer_id;
    event.case_id = row->id;
    event.referral_id = row->referral_id;
    event.professional_id = (char *) professional_id;
    event.professional_name = offeree->name;
    event.professional_email = offeree->email;
    event.professional_phone = offeree->phone;
    event.expires_at = expires_at;
    event.region = row->region;
    event.kind = (char *) kind;
    event.has_score = 1;
    event.score = score;
    event.n_reasons = reason_count;
    event.reasons = (char **) reasons;
    event.has_round = 1;
    event.round = (uint32_t) row->round;
    event.purpose = (char *) purpose;
    event.override_reason = (char *) override_reason;
    kw_info ("offer_made", "case_id", row->id, "offer_id", offer_id, "kind", kind,
             "professional_id", professional_id, "purpose", purpose);
    return journal_event (db, actor, row->region, row->id, NULL, KW_EVENT_ASSIGNMENT_OFFER_MADE,
                          &event.base, professional_id, offer_id,
                          "offered to %s%s (%s, round %d, %s), score %d, until %s",
                          offeree->name ? offeree->name : "-", professional_id ? "" : ", a family member",
                          professional_id ? professional_id : "family member", row->round, purpose,
                          score, expires_at);
}

// ---- ending offers

//  An offer as loaded (locked) for an answer.
typedef struct {
    char *id;
    char *case_id;
    offer_state_t state;
    char *professional_id;
    char *family_id;
    char *kind;
    int due;
    int round;
    char *family_email;
} offer_t;

//  Load offer_id of case_id (locked): 1, 0 none, -1 error.
static int
s_load (kw_db_t *db, const char *case_id, const char *offer_id, kw_arena_t *arena, offer_t *offer)
{
    memset (offer, 0, sizeof *offer);
    if (!offer_id || !kw_uuid_valid (offer_id))
        return 0;
    const char *params [2] = { offer_id, case_id };
    PGresult *res = kw_db_query (db, "offers_load", 2, params);
    if (!res)
        return -1;
    int found = PQntuples (res) == 1;
    if (found) {
        offer->id = rows_text (res, 0, 0, arena);
        offer->case_id = rows_text (res, 0, 1, arena);
        offer->state = s_state (PQgetvalue (res, 0, 2));
        offer->professional_id = rows_text (res, 0, 3, arena);
        offer->family_id = rows_text (res, 0, 4, arena);
        offer->kind = rows_text (res, 0, 5, arena);
        offer->due = PQgetvalue (res, 0, 6) [0] == 't';
        offer->round = atoi (PQgetvalue (res, 0, 7));
        offer->family_email = rows_text (res, 0, 9, arena);
    }
    PQclear (res);
    return found;
}

//  Move the offer by event: its end is stored and announced (OfferEnded)
//  with a timeline row; the offeree in *offeree_out when asked. The state reached, or OFFER_INVALID when the
//  offer is not pending (nothing written); -2 on a database error.
static int
s_end (kw_db_t *db, journal_actor_t actor, const case_row_t *row, offer_t *offer, offer_event_t event,
       const char *reason, Kw__KeyWorker **offeree_out, kw_arena_t *arena)
{
    offer_state_t next = s_execute (offer->state, event);
    if (next == OFFER_INVALID) {
        kw_info ("offer_transition_refused", "offer_id", offer->id, "state",
                 offer->state >= 0 ? s_state_names [offer->state] : "unknown", "event", s_event_names [event]);
        return OFFER_INVALID;
    }
    const char *by = actor && actor->sub && *actor->sub ? actor->sub : "assignment";
    const char *params [4] = { offer->id, s_state_names [next], reason, by };
    PGresult *res = kw_db_query (db, "offers_end", 4, params);
    if (!res)
        return -2;
    if (PQntuples (res) == 0) {
        PQclear (res);
        return OFFER_INVALID;
    }
    Kw__OfferEnded ended = KW__OFFER_ENDED__INIT;
    ended.at = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
    ended.has_refusals = 1;
    ended.refusals = (uint32_t) atoi (PQgetvalue (res, 0, 1))
                   + (next == OFFER_DECLINED || next == OFFER_EXPIRED);
    int failed = 0;
    ended.offeree = offer->professional_id ? people_from (res, 0, 2, 0, arena) : NULL;
    int moved = atoi (PQgetvalue (res, 0, 8));
    PQclear (res);
    if (offer->professional_id && moved != (next != OFFER_ACCEPTED))
        return -2;
    offer->state = next;
    if (!offer->professional_id)
        ended.offeree = people_family_member (db, offer->family_id, arena, &failed);
    if (failed)
        return -2;
    if (offeree_out)
        *offeree_out = ended.offeree;
    ended.offer_id = offer->id;
    ended.case_id = row->id;
    ended.referral_id = row->referral_id;
    ended.region = row->region;
    ended.status = (char *) s_state_names [next];
    ended.reason = (char *) reason;
    ended.has_round = 1;
    ended.round = (uint32_t) offer->round;
    const char *name = ended.offeree && ended.offeree->name ? ended.offeree->name : "-";
    kw_info ("offer_ended", "case_id", row->id, "offer_id", offer->id, "status", s_state_names [next]);
    //  In words, by the state reached.
    static const char *const said [OFFER_STATE_COUNT] = {
        NULL, "%s accepted the offer%s%s", "%s declined the offer%s%s",
        "the offer to %s expired unanswered%s%s", "the offer to %s was withdrawn%s%s"
    };
    if (journal_event (db, actor, row->region, row->id, NULL, s_topics [next], &ended.base,
                       offer->professional_id, offer->id, said [next], name, reason ? ": " : "",
                       reason ? reason : "") != 0)
        return -2;
    return next;
}

int
offers_withdraw_pending (kw_db_t *db, journal_actor_t actor, const case_row_t *row, const char *reason,
                         kw_arena_t *arena)
{
    const char *params [1] = { row->id };
    PGresult *res = kw_db_query (db, "offers_pending_of_case", 1, params);
    if (!res)
        return -1;
    char *id = PQntuples (res) ? kw_arena_strdup (arena, PQgetvalue (res, 0, 0)) : NULL;
    PQclear (res);
    offer_t offer;
    if (!id)
        return 0;
    if (s_load (db, row->id, id, arena, &offer) != 1)
        return -1;
    return s_end (db, actor, row, &offer, OFFER_WITHDRAW, reason, NULL, arena) == -2 ? -1 : 0;
}

int
offers_expire (kw_service_t *svc, kw_db_t *db, const char *offer_id, const char *case_id, kw_arena_t *arena)
{
    case_row_t row;
    offer_t offer;
    int found = access_row (db, case_id, 1, &row, arena);
    if (found <= 0)
        return found;
    found = s_load (db, case_id, offer_id, arena, &offer);
    if (found <= 0)
        return found;
    if (!offer.due || offer.state != OFFER_PENDING)
        return 0;
    int state = s_end (db, NULL, &row, &offer, OFFER_EXPIRE, NULL, NULL, arena);
    if (state == -2)
        return -1;
    if (state != OFFER_EXPIRED)
        return 0;
    return matching_next (svc, db, NULL, &row, arena) == 0 ? 1 : -1;
}

int
offers_release_key_worker (kw_db_t *db, const case_row_t *row)
{
    if (!row->key_worker_id)
        return 0;
    const char *params [1] = { row->key_worker_id };
    return kw_db_exec (db, "offers_release", 1, params);
}

// ---- the case as the API shows it

Kw__Case *
offers_case_view (kw_db_t *db, const case_row_t *row, const char *relationship, kw_arena_t *arena)
{
    static const struct { const char *name; Kw__CaseStatus value; } statuses [] = {
        { "awaiting_key_worker", KW__CASE_STATUS__CASE_STATUS_AWAITING_KEY_WORKER },
        { "offered", KW__CASE_STATUS__CASE_STATUS_OFFERED },
        { "active", KW__CASE_STATUS__CASE_STATUS_ACTIVE },
        { "closed", KW__CASE_STATUS__CASE_STATUS_CLOSED },
    };
    const char *params [1] = { row->id };
    PGresult *res = kw_db_query (db, "offers_case_view", 1, params);
    if (!res || PQntuples (res) != 1) {
        PQclear (res);
        return NULL;
    }
    Kw__Case *out = kw_arena_calloc (arena, sizeof *out);
    kw__case__init (out);
    out->id = row->id;
    out->referral_id = row->referral_id;
    out->region = row->region;
    out->has_status = 1;
    for (size_t i = 0; i < sizeof statuses / sizeof statuses [0]; i++)
        if (strcmp (statuses [i].name, row->status) == 0)
            out->status = statuses [i].value;
    out->opened_at = rows_text (res, 0, 0, arena);
    out->closed_at = rows_text (res, 0, 1, arena);
    out->close_reason = rows_text (res, 0, 2, arena);
    out->close_note = rows_text (res, 0, 3, arena);
    out->review_flagged_at = rows_text (res, 0, 4, arena);
    int failed = 0;
    out->key_worker = people_from (res, 0, 5, 0, arena);
    out->deputy = people_from (res, 0, 11, 0, arena);
    PQclear (res);
    if (row->key_worker_kind && strcmp (row->key_worker_kind, "family_member") == 0)
        out->key_worker = people_family_member (db, row->key_worker_family_id, arena, &failed);
    out->has_round = 1;
    out->round = (uint32_t) row->round;
    out->awaiting_reason = row->awaiting_reason ? row->awaiting_reason
                         : out->review_flagged_at && strcmp (row->status, "closed") != 0 ? "review" : NULL;
    out->has_awaiting = 1;
    out->awaiting = out->awaiting_reason != NULL;
    out->relationship = (char *) relationship;
    if (failed)
        return NULL;

    res = kw_db_query (db, "offers_cover_view", 1, params);
    if (!res)
        return NULL;
    if (PQntuples (res)) {
        out->cover = people_from (res, 0, 2, 0, arena);
        if (!out->cover) {
            out->cover = kw_arena_calloc (arena, sizeof *out->cover);
            kw__key_worker__init (out->cover);
            out->cover->kind = "coordinator";
            out->cover->name = "the coordinator (nobody had room to cover)";
        }
        out->cover->from = rows_text (res, 0, 0, arena);
        out->cover->to = rows_text (res, 0, 1, arena);
    }
    PQclear (res);
    if (people_team (db, row->id, arena, &out->team, &out->n_team) != 0)
        return NULL;

    res = kw_db_query (db, "offers_view", 1, params);
    if (!res)
        return NULL;
    int family = relationship && strcmp (relationship, "family") == 0;
    out->n_offers = (size_t) PQntuples (res);
    out->offers = kw_arena_calloc (arena, sizeof *out->offers * (out->n_offers ? out->n_offers : 1));
    for (size_t i = 0; i < out->n_offers; i++) {
        int r = (int) i;
        Kw__Offer *offer = kw_arena_calloc (arena, sizeof *offer);
        kw__offer__init (offer);
        offer->id = rows_text (res, r, 0, arena);
        offer->professional_id = rows_text (res, r, 1, arena);
        offer->has_status = 1;
        offer->status = (Kw__OfferStatus) (s_state (PQgetvalue (res, r, 2)) + 1);
        offer->expires_at = rows_text (res, r, 3, arena);
        offer->created_at = rows_text (res, r, 4, arena);
        offer->kind = rows_text (res, r, 5, arena);
        offer->name = rows_text (res, r, 6, arena);
        //  The ranking of professionals is the service's, not the family's to read.
        if (!family && !PQgetisnull (res, r, 7)) {
            offer->has_score = 1;
            offer->score = atoi (PQgetvalue (res, r, 7));
            offer->reasons = rows_array (PQgetvalue (res, r, 8), arena, &offer->n_reasons);
        }
        offer->reason = family ? NULL : rows_text (res, r, 9, arena);
        offer->decided_at = rows_text (res, r, 10, arena);
        offer->has_round = 1;
        offer->round = (uint32_t) atoi (PQgetvalue (res, r, 11));
        offer->purpose = rows_text (res, r, 12, arena);
        out->offers [i] = offer;
    }
    PQclear (res);
    return out;
}

int
offers_answer (kw_tx_t *tx, const char *case_id)
{
    case_row_t row;
    if (access_row (tx->db, case_id, 0, &row, tx->arena) != 1)
        return -1;
    int failed = 0;
    const char *relationship = access_relationship (tx->db, tx->req, &row, &failed);
    Kw__Case *view = failed ? NULL : offers_case_view (tx->db, &row, relationship, tx->arena);
    if (!view)
        return -1;
    kw_rpc_reply_ok (tx->resp, tx->arena, &view->base);
    return 0;
}

// ---- offer.accept and offer.decline

typedef struct {
    const Kw__OfferDecision *in;
    case_row_t row;
    offer_t offer;
} answer_t;

//  The offeree (by professional id, or the family member by the token's
//  subject), a coordinator or an admin of the region.
static int
s_answer_authorise (kw_tx_t *tx)
{
    answer_t *self = tx->arg;
    const Kw__Caller *caller = tx->req->caller;
    int found = access_load (tx->db, tx->req, self->in->id, "offer_answer", 1, &self->row, tx->resp, tx->arena);
    if (found <= 0)
        return found;
    found = s_load (tx->db, self->row.id, self->in->offer_id, tx->arena, &self->offer);
    if (found < 0)
        return -1;
    if (!found) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_NOT_FOUND, "offer_id",
                            "the case has no such offer");
        return 0;
    }
    const char *role = caller->role ? caller->role : "";
    int offeree = (strcmp (role, "key_worker") == 0 && self->offer.professional_id && caller->professional_id
                   && strcmp (self->offer.professional_id, caller->professional_id) == 0)
               || (strcmp (role, "family") == 0 && self->offer.family_email && caller->sub
                   && strcasecmp (self->offer.family_email, caller->sub) == 0);
    if (offeree || strcmp (role, "coordinator") == 0 || strcmp (role, "admin") == 0)
        return 1;
    if (kw_audit (tx->db, caller, "offer_answer", "case", self->row.id, "forbidden") != 0)
        return -1;
    kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_FORBIDDEN, NULL,
                        "only the professional offered the role, a coordinator or an admin may answer"
                        " this offer");
    return 0;
}

//  The offer is no longer open: 409, after expiring it if its time is up
//  (the expiry commits with the refusal). 0 or -1.
static int
s_not_open (kw_tx_t *tx, answer_t *self)
{
    if (self->offer.state == OFFER_PENDING && self->offer.due) {
        int state = s_end (tx->db, NULL, &self->row, &self->offer, OFFER_EXPIRE, NULL, NULL, tx->arena);
        if (state == -2 || (state == OFFER_EXPIRED && matching_next (tx->svc, tx->db, NULL, &self->row,
                                                                    tx->arena) != 0))
            return -1;
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "offer_id",
                            "the offer expired before it was answered");
        tx->resp->code = "offer_expired";
        return 0;
    }
    kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "offer_id",
                        "the offer is %s, no longer pending",
                        self->offer.state >= 0 ? s_state_names [self->offer.state] : "closed");
    tx->resp->code = "offer_not_pending";
    return 0;
}

//  The professional cannot take another case: why, answered 409. 0 or -1.
static int
s_no_room (kw_tx_t *tx, const char *professional_id)
{
    const char *params [1] = { professional_id };
    PGresult *res = kw_db_query (tx->db, "offers_room", 1, params);
    if (!res)
        return -1;
    int active = PQntuples (res) && PQgetvalue (res, 0, 0) [0] == 't';
    if (!active) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "offer_id",
                            "the professional is no longer active");
        tx->resp->code = "professional_inactive";
    }
    else {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "offer_id",
                            "the professional holds %s cases and covers %s, their maximum is %s",
                            PQgetvalue (res, 0, 1), PQgetvalue (res, 0, 2), PQgetvalue (res, 0, 3));
        tx->resp->code = "at_max_caseload";
    }
    PQclear (res);
    return 0;
}

static int
s_accept_write (kw_tx_t *tx)
{
    answer_t *self = tx->arg;
    case_row_t *row = &self->row;
    offer_t *offer = &self->offer;
    if (offer->state != OFFER_PENDING || offer->due)
        return s_not_open (tx, self);
    if (offer->professional_id) {
        const char *params [1] = { offer->professional_id };
        PGresult *res = kw_db_query (tx->db, "offers_take_case", 1, params);
        if (!res)
            return -1;
        int taken = PQntuples (res) == 1;
        PQclear (res);
        if (!taken)
            return s_no_room (tx, offer->professional_id);
    }
    case_row_t before = *row;
    if (before.key_worker_kind && strcmp (before.key_worker_kind, "professional") == 0
    &&  (!offer->professional_id || strcmp (before.key_worker_id, offer->professional_id) != 0)) {
        if (absences_end_cover (tx->db, tx->req->caller, row, "key_worker_changed", tx->arena) != 0
        ||  offers_release_key_worker (tx->db, row) != 0)
            return -1;
    }
    char *deputy_id;
    if (matching_deputy (tx->svc, tx->db, row, offer->professional_id, tx->arena, &deputy_id) != 0)
        return -1;
    Kw__KeyWorker *offeree;
    if (s_end (tx->db, tx->req->caller, row, offer, OFFER_ACCEPT, NULL, &offeree, tx->arena) != OFFER_ACCEPTED)
        return -1;
    const char *params [5] = { row->id, offer->professional_id, offer->kind, offer->family_id, deputy_id };
    PGresult *res = kw_db_query (tx->db, "offers_case_key_worker", 5, params);
    if (!res)
        return -1;
    Kw__KeyWorkerChanged changed = KW__KEY_WORKER_CHANGED__INIT;
    changed.at = kw_arena_strdup (tx->arena, PQgetvalue (res, 0, 0));
    PQclear (res);
    int failed = 0;
    changed.case_id = row->id;
    changed.referral_id = row->referral_id;
    changed.region = row->region;
    changed.offer_id = offer->id;
    changed.key_worker = offeree;
    changed.previous = people_key_worker (tx->db, before.key_worker_kind, before.key_worker_id,
                                          before.key_worker_family_id, tx->arena, &failed);
    changed.deputy = people_professional (tx->db, deputy_id, tx->arena, &failed);
    if (failed || !changed.key_worker
    ||  people_team (tx->db, row->id, tx->arena, &changed.team, &changed.n_team) != 0
    ||  people_family (tx->db, row->id, tx->arena, &changed.family, &changed.n_family) != 0)
        return -1;
    if (journal_event (tx->db, tx->req->caller, row->region, row->id, NULL,
                       KW_EVENT_ASSIGNMENT_KEY_WORKER_CHANGED, &changed.base, offer->professional_id,
                       offer->id, "%s is the key worker%s%s; deputy %s",
                       changed.key_worker->name ? changed.key_worker->name : "-",
                       changed.previous ? ", after " : "",
                       changed.previous && changed.previous->name ? changed.previous->name : "",
                       changed.deputy && changed.deputy->name ? changed.deputy->name : "none") != 0
    ||  kw_audit (tx->db, tx->req->caller, "offer_accept", "case", row->id, "ok") != 0)
        return -1;
    return offers_answer (tx, row->id);
}

static int
s_decline_write (kw_tx_t *tx)
{
    answer_t *self = tx->arg;
    if (self->offer.state != OFFER_PENDING || self->offer.due)
        return s_not_open (tx, self);
    if (s_end (tx->db, tx->req->caller, &self->row, &self->offer, OFFER_DECLINE, self->in->reason,
               NULL, tx->arena) != OFFER_DECLINED
    ||  matching_next (tx->svc, tx->db, tx->req->caller, &self->row, tx->arena) != 0
    ||  kw_audit (tx->db, tx->req->caller, "offer_decline", "case", self->row.id, "ok") != 0)
        return -1;
    return offers_answer (tx, self->row.id);
}

//  A reason: required (or not), at most MAX_REASON bytes. 1 when it is
//  acceptable, else 0 with resp answered INVALID naming field.
static int
s_reason_ok (const char *reason, int required, const char *field, Kw__Response *resp, kw_arena_t *arena)
{
    if (required && (!reason || !*reason)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, field, "%s is required", field);
        return 0;
    }
    if (reason && strlen (reason) > MAX_REASON) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, field,
                            "%s is longer than %d characters", field, MAX_REASON);
        return 0;
    }
    return 1;
}

static void
s_answer_offer (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena,
                const kw_tx_def_t *def, int decline)
{
    answer_t self = { .in = (Kw__OfferDecision *) kw_rpc_unpack (req, resp, arena,
                                                                 &kw__offer_decision__descriptor) };
    if (!self.in || !s_reason_ok (self.in->reason, decline, "reason", resp, arena))
        return;
    if (kw_tx_run (def, svc, req, resp, arena, &self))
        kw_info (decline ? "offer_declined" : "offer_accepted", "case_id", self.row.id,
                 "offer_id", self.offer.id);
}

void
offers_accept (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "offer_accept", .what = "acceptance",
        .authorise = s_answer_authorise, .write = s_accept_write
    };
    s_answer_offer (svc, req, resp, arena, &def, 0);
}

void
offers_decline (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "offer_decline", .what = "decline",
        .authorise = s_answer_authorise, .write = s_decline_write
    };
    s_answer_offer (svc, req, resp, arena, &def, 1);
}

// ---- offer.create: a coordinator's offer

typedef struct {
    const Kw__OfferCreate *in;
    case_row_t row;
} override_t;

static int
s_override_authorise (kw_tx_t *tx)
{
    override_t *self = tx->arg;
    int found = access_load (tx->db, tx->req, self->in->id, "offer_override", 1, &self->row, tx->resp, tx->arena);
    if (found <= 0)
        return found;
    return access_coordinator (tx->db, tx->req, "case", self->row.id, "offer_override", tx->resp, tx->arena);
}

static int
s_override_write (kw_tx_t *tx)
{
    override_t *self = tx->arg;
    case_row_t *row = &self->row;
    const char *pid = self->in->professional_id;
    if (strcmp (row->status, "closed") == 0) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "id", "the case is closed");
        tx->resp->code = "case_closed";
        return 0;
    }
    if (row->key_worker_id && strcmp (row->key_worker_id, pid) == 0) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "professional_id",
                            "the professional is the case's key worker already");
        return 0;
    }
    const char *params [2] = { pid, row->region };
    PGresult *res = kw_db_query (tx->db, "offers_override_professional", 2, params);
    if (!res)
        return -1;
    int found = PQntuples (res) == 1;
    int active = found && PQgetvalue (res, 0, 0) [0] == 't';
    int full = found && PQgetvalue (res, 0, 1) [0] == 't';
    PQclear (res);
    if (!found || !active) {
        kw_rpc_reply_error (tx->resp, tx->arena, found ? KW__STATUS__STATUS_CONFLICT : KW__STATUS__STATUS_INVALID,
                            "professional_id", found ? "the professional is not active"
                                                     : "no such professional in the region");
        return 0;
    }
    if (full)
        return s_no_room (tx, pid);
    if (offers_withdraw_pending (tx->db, tx->req->caller, row, "replaced by a coordinator's offer", tx->arena) != 0)
        return -1;
    char *reason = kw_arena_printf (tx->arena, "chosen by the coordinator: %s", self->in->reason);
    if (offers_make (tx->svc, tx->db, tx->req->caller, row, pid, NULL, NULL, 0, &reason, 1, PURPOSE_OVERRIDE,
                     self->in->reason, tx->arena) != 0
    ||  kw_audit (tx->db, tx->req->caller, "offer_override", "case", row->id, "ok") != 0)
        return -1;
    return offers_answer (tx, row->id);
}

void
offers_create (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "offer_override", .what = "offer",
        .authorise = s_override_authorise, .write = s_override_write
    };
    override_t self = { .in = (Kw__OfferCreate *) kw_rpc_unpack (req, resp, arena, &kw__offer_create__descriptor) };
    if (!self.in)
        return;
    if (!self.in->professional_id || !kw_uuid_valid (self.in->professional_id)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "professional_id",
                            "professional_id is required: the id of a registered professional");
        return;
    }
    if (!s_reason_ok (self.in->reason, 1, "reason", resp, arena))
        return;
    if (kw_tx_run (&def, svc, req, resp, arena, &self))
        kw_info ("offer_override", "case_id", self.row.id, "professional_id", self.in->professional_id);
}
