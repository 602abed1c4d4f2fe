/*  decide: deciding a referral and recording the decision. Decisions are
    numbered per referral; a new one is recorded, and announced as
    eligibility.decided, only when its result differs from the newest one.
    A revision is decided once from its own event: a redelivered event
    records nothing (unique per referral and revision for those causes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw/eligibility.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_time.h"
#include "kw_tz.h"
#include "kw_uuid.h"
#include "eligibility.h"

int
decide_prepare (kw_db_t *db)
{
    //  The referral's newest decision and the child's DSR rating, in one
    //  round trip (binary: the number, the decision, the rating's text).
    kw_db_prepare (db, "eligibility_newest",
        "SELECT d.sequence, d.decision,"
        " (SELECT rag FROM eligibility.dsr_ratings WHERE region = $2 AND nhs_number = $3)"
        " FROM (SELECT) one LEFT JOIN LATERAL (SELECT sequence, decision FROM eligibility.decisions"
        "  WHERE referral_id = $1::uuid ORDER BY sequence DESC LIMIT 1) d ON true");
    kw_db_prepare (db, "eligibility_insert",
        "INSERT INTO eligibility.decisions (referral_id, region, outcome, ruleset, version, decision,"
        " decided_at, revision, sequence, cause)"
        " VALUES ($1::uuid, $2, $3, $4, $5::int, $6, $7::timestamptz, $8::int, $9::int, $10)"
        " ON CONFLICT (referral_id, revision) WHERE cause IN ('received', 'information_added')"
        " DO NOTHING");
    return 0;
}

//  The referral's newest decision into *newest (NULL when none), its
//  number into *sequence (0 when none), and the rating of the child with
//  nhs_number (may be NULL) in region into *rating (NULL when none). 0, or
//  -1 on a database error.
static int
s_newest (kw_db_t *db, const char *referral_id, const char *region, const char *nhs_number,
          Kw__EligibilityDecision **newest, unsigned *sequence, char **rating, kw_arena_t *arena)
{
    const char *params [3] = { referral_id, region, nhs_number };
    PGresult *res = kw_db_queryb (db, "eligibility_newest", 3, params, NULL, NULL, 1);
    if (!res)
        return -1;
    *newest = NULL;
    *sequence = 0;
    *rating = PQntuples (res) == 1 && !PQgetisnull (res, 0, 2)
            ? kw_arena_strdup (arena, PQgetvalue (res, 0, 2)) : NULL;
    if (PQntuples (res) == 1 && PQgetlength (res, 0, 0) == 4) {
        const unsigned char *n = (const unsigned char *) PQgetvalue (res, 0, 0);
        *sequence = (unsigned) n [0] << 24 | (unsigned) n [1] << 16 | (unsigned) n [2] << 8 | n [3];
        *newest = kw__eligibility_decision__unpack (kw_arena_allocator (arena),
                                                    (size_t) PQgetlength (res, 0, 1),
                                                    (const uint8_t *) PQgetvalue (res, 0, 1));
    }
    PQclear (res);
    return 0;
}

Kw__EligibilityDecided *
decide_event (const region_t *region, const referral_seen_t *referral, const char *cause,
              Kw__EligibilityDecision *decision, unsigned sequence, kw_arena_t *arena)
{
    const Kw__ReferralBody *body = referral->body;
    Kw__EligibilityDecided *decided = kw_arena_alloc (arena, sizeof *decided);
    kw__eligibility_decided__init (decided);
    decided->referral_id = referral->referral_id;
    decided->region = region->id;
    decided->decision = decision;
    decided->has_revision = 1;
    decided->revision = referral->revision;
    decided->has_sequence = 1;
    decided->sequence = sequence;
    decided->cause = (char *) cause;
    //  What assignment needs to match and form the team, without the
    //  child's identity.
    Kw__ReferralBody *parts = kw_arena_alloc (arena, sizeof *parts);
    kw__referral_body__init (parts);
    parts->needs = body->needs;
    parts->n_professionals = body->n_professionals;
    parts->professionals = body->professionals;
    parts->n_family = body->n_family;
    parts->family = body->family;
    parts->suggested_key_worker = body->suggested_key_worker;
    if (body->child) {
        Kw__Child *place = kw_arena_alloc (arena, sizeof *place);
        kw__child__init (place);
        place->postcode = body->child->postcode;
        place->language = body->child->language;
        parts->child = place;
    }
    decided->referral = parts;
    return decided;
}

//  Record decision as number sequence and emit eligibility.decided: 1
//  recorded, 0 the revision was decided before from its own event, -1 on a
//  database error.
static int
s_insert (kw_db_t *db, const region_t *region, const referral_seen_t *referral, const char *cause,
          Kw__EligibilityDecision *decision, unsigned sequence, kw_arena_t *arena)
{
    size_t size;
    uint8_t *packed = kw_arena_pack (arena, &decision->base, &size);
    const char *outcome = rules_outcome_name (decision->outcome);
    char version [16], revision [16], number [16];
    snprintf (version, sizeof version, "%u", decision->version);
    snprintf (revision, sizeof revision, "%u", referral->revision);
    snprintf (number, sizeof number, "%u", sequence);
    const char *values [10] = { referral->referral_id, region->id, outcome, decision->ruleset,
                                version, (const char *) packed, decision->decided_at, revision,
                                number, cause };
    int lengths [10] = { 0, 0, 0, 0, 0, (int) size, 0, 0, 0, 0 };
    int formats [10] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
    int inserted = kw_db_exec_count (db, "eligibility_insert", 10, values, lengths, formats);
    if (inserted <= 0)
        return inserted;

    Kw__EligibilityDecided *decided = decide_event (region, referral, cause, decision, sequence, arena);
    if (kw_outbox_insert (db, KW_PRODUCER_ELIGIBILITY, KW_EVENT_ELIGIBILITY_DECIDED, region->id,
                          referral->referral_id, &decided->base, NULL) != 0)
        return -1;
    kw_info ("decided", "referral_id", referral->referral_id, "region", region->id,
             "outcome", outcome, "revision", revision, "sequence", number, "cause", cause);
    return 1;
}

int
decide_record (kw_db_t *db, const region_t *region, const referral_seen_t *referral,
               const char *cause, Kw__EligibilityDecision **decision, int *changed,
               kw_arena_t *arena)
{
    *changed = 0;
    int y, m, d;
    if (kw_tz_today (region->time_zone, &y, &m, &d) != 0) {
        kw_error ("date_unavailable", "region", region->id, "time_zone", region->time_zone);
        return -1;
    }
    const Kw__Child *child = referral->body->child;
    char *rating;
    Kw__EligibilityDecision *newest;
    unsigned sequence;
    if (s_newest (db, referral->referral_id, region->id, child ? child->nhs_number : NULL,
                  &newest, &sequence, &rating, arena) != 0)
        return -1;
    Kw__EligibilityDecision *fresh = rules_decide (region, referral->body, rating, y, m, d, arena);
    if (newest && rules_same_result (newest, fresh)) {
        *decision = newest;
        return 0;
    }
    char *decided_at = kw_arena_alloc (arena, KW_TIME_RFC3339_SIZE);
    kw_time_format (kw_time_now_us (), decided_at);
    fresh->decided_at = decided_at;
    int recorded = s_insert (db, region, referral, cause, fresh, sequence + 1, arena);
    if (recorded < 0)
        return -1;
    *changed = recorded;
    *decision = recorded ? fresh : newest;
    return 0;
}

int
decide_revision_check (const Kw__ReferralReceived *msg)
{
    return msg->referral_id && kw_uuid_valid (msg->referral_id) && msg->region && msg->referral ? 0 : -1;
}

//  Keep the referral's revision and decide it, for cause.
static kw_apply_result_t
s_decide_revision (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event,
                   const Kw__ReferralReceived *msg, const char *cause, kw_arena_t *arena)
{
    if (decide_revision_check (msg) != 0)
        return KW_APPLY_SKIP;
    //  Kept even when the region has no rule set yet: it stays undecided
    //  until an admin re-evaluates the region once its file is in place.
    if (referrals_keep (db, msg->referral_id, msg->region, msg->revision, msg->referral, arena) != 0)
        return KW_APPLY_RETRY;
    const region_t *region = region_set_find (state_regions (svc), msg->region);
    if (!region) {
        kw_warn ("unknown_region", "event_id", event->event_id,
                 "referral_id", msg->referral_id, "region", msg->region);
        return KW_APPLY_OK;
    }
    referral_seen_t referral = { .referral_id = msg->referral_id, .region = msg->region,
                                 .revision = msg->revision, .body = msg->referral };
    Kw__EligibilityDecision *decision;
    int changed;
    if (decide_record (db, region, &referral, cause, &decision, &changed, arena) != 0)
        return KW_APPLY_RETRY;
    if (!changed)
        kw_info ("decision_unchanged", "referral_id", msg->referral_id, "cause", cause);
    return KW_APPLY_OK;
}

kw_apply_result_t
decide_received (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                 kw_arena_t *arena)
{
    return s_decide_revision (svc, db, event, payload, CAUSE_RECEIVED, arena);
}

kw_apply_result_t
decide_information_added (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event,
                          const void *payload, kw_arena_t *arena)
{
    return s_decide_revision (svc, db, event, payload, CAUSE_INFORMATION_ADDED, arena);
}
