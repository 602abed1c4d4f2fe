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

//  Referral events after a failed first decision that are decided the
//  careful way too (a consumer's batch at most).
#define FIRST_AFTER_FAILURE 256

//  The referral's newest decision ($1) and the rating of the child (NHS
//  number nhs, may be NULL) in region $2, in one row (binary: the number,
//  the decision, the rating's text).
#define NEWEST_SELECT(nhs) \
    "SELECT d.sequence, d.decision," \
    " (SELECT rag FROM eligibility.dsr_ratings WHERE region = $2 AND nhs_number = " nhs ")"
#define NEWEST_FROM(one) \
    " FROM (SELECT" one ") one LEFT JOIN LATERAL (SELECT sequence, decision FROM eligibility.decisions" \
    "  WHERE referral_id = $1::uuid ORDER BY sequence DESC LIMIT 1) d ON true"

//  The decision's row, written by the statement that writes its event
//  (kw_outbox_insert_with: $7 on are s_insert's). A revision decided
//  twice from its own event breaks decisions_revision_once, a first
//  decision of a referral decided before the primary key: the statement
//  fails and the transaction is applied again, when decide_record finds
//  the revision decided and records nothing.
#define DECISION_INSERT \
    "INSERT INTO eligibility.decisions (referral_id, region, outcome, ruleset, version, decision," \
    " decided_at, revision, sequence, cause) "
#define DECISION_VALUES \
    "$7::uuid, $4, $8, $9, $10::int, $11::bytea, $12::timestamptz, $13::int, $14::int, $15"
#define DECISION_ROW DECISION_INSERT "VALUES (" DECISION_VALUES ")"
//  The same, with the referral's revision kept ($16 NHS number, $17 body,
//  $18 date of birth; 006_keep_revision.sql).
#define DECISION_ROW_KEPT DECISION_INSERT "SELECT " DECISION_VALUES \
    " FROM eligibility.keep_revision ($7::uuid, $4, $16, $13::int, $17::bytea, $18::date) kept"

int
decide_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "eligibility_newest", NEWEST_SELECT ("$3") NEWEST_FROM (""));
    //  The same for the revision of an event (referrals_keep_params: the
    //  child's NHS number is $7), which is kept in the same round trip (an
    //  older revision arriving late does not replace a newer one), and
    //  whether revision $4 was decided from its own event already.
    kw_db_prepare (db, "eligibility_keep_newest",
        NEWEST_SELECT ("$7") ", EXISTS (SELECT 1 FROM eligibility.decisions WHERE referral_id = $1::uuid"
        "  AND revision = $4::int AND cause IN ('received', 'information_added'))"
        NEWEST_FROM (" eligibility.keep_revision ($1::uuid, $2, $3, $4::int, $5, $6::date)"));
    return 0;
}

//  What decide_record reads before deciding.
typedef struct {
    Kw__EligibilityDecision *decision;  //  the referral's newest, or NULL
    unsigned sequence;                  //  its number (0 when none)
    char *rating;                       //  the child's DSR rating, or NULL
    int revision_decided;               //  keep: the revision was decided from its own event
} newest_t;

//  Read what decide_record needs; keep: write the referral's revision in
//  the same statement. 0, or -1 on a database error.
static int
s_newest (kw_db_t *db, const referral_seen_t *referral, int keep, newest_t *out, kw_arena_t *arena)
{
    const Kw__Child *child = referral->body->child;
    const char *values [7] = { referral->referral_id, referral->region, child ? child->nhs_number : NULL };
    int lengths [7] = { 0 }, formats [7] = { 0, 0, 0, 0, 1, 0, 0 };
    if (keep)
        referrals_keep_params (referral->referral_id, referral->region, referral->revision, referral->body,
                               arena, values, lengths);
    PGresult *res = keep ? kw_db_queryb (db, "eligibility_keep_newest", 7, values, lengths, formats, 1)
                         : kw_db_queryb (db, "eligibility_newest", 3, values, NULL, NULL, 1);
    if (!res)
        return -1;
    memset (out, 0, sizeof *out);
    int one = PQntuples (res) == 1;
    out->rating = one && !PQgetisnull (res, 0, 2) ? kw_arena_strdup (arena, PQgetvalue (res, 0, 2)) : NULL;
    out->revision_decided = keep && one && PQgetvalue (res, 0, 3) [0] == 1;
    if (one && PQgetlength (res, 0, 0) == 4) {
        const unsigned char *n = (const unsigned char *) PQgetvalue (res, 0, 0);
        out->sequence = (unsigned) n [0] << 24 | (unsigned) n [1] << 16 | (unsigned) n [2] << 8 | n [3];
        out->decision = kw__eligibility_decision__unpack (kw_arena_allocator (arena),
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

//  The bytes as bytea's text input ("\\x" and hex digits), in arena.
static char *
s_bytea_hex (const uint8_t *bytes, size_t size, kw_arena_t *arena)
{
    static const char digits [] = "0123456789abcdef";
    char *text = kw_arena_alloc (arena, 2 * size + 3);
    text [0] = '\\';
    text [1] = 'x';
    for (size_t i = 0; i < size; i++) {
        text [2 + 2 * i] = digits [bytes [i] >> 4];
        text [3 + 2 * i] = digits [bytes [i] & 15];
    }
    text [2 + 2 * size] = 0;
    return text;
}

//  Record decision as number sequence and emit eligibility.decided, in one
//  statement; keep: keep the referral's revision in it too. 0 or -1.
static int
s_insert (kw_db_t *db, const region_t *region, const referral_seen_t *referral, const char *cause,
          Kw__EligibilityDecision *decision, unsigned sequence, int keep, kw_arena_t *arena)
{
    size_t size;
    uint8_t *packed = kw_arena_pack (arena, &decision->base, &size);
    const char *outcome = rules_outcome_name (decision->outcome);
    char version [16], revision [16], number [16];
    snprintf (version, sizeof version, "%u", decision->version);
    snprintf (revision, sizeof revision, "%u", referral->revision);
    snprintf (number, sizeof number, "%u", sequence);
    const char *row [12] = { referral->referral_id, outcome, decision->ruleset, version,
                             s_bytea_hex (packed, size, arena), decision->decided_at, revision, number, cause };
    if (keep) {
        const char *values [7];
        int lengths [7];
        referrals_keep_params (referral->referral_id, referral->region, referral->revision, referral->body,
                               arena, values, lengths);
        row [9] = values [2];
        row [10] = s_bytea_hex ((const uint8_t *) values [4], (size_t) lengths [4], arena);
        row [11] = values [5];
    }
    Kw__EligibilityDecided *decided = decide_event (region, referral, cause, decision, sequence, arena);
    if (kw_outbox_insert_with (db, keep ? "eligibility_decided_kept" : "eligibility_decided",
                               keep ? DECISION_ROW_KEPT : DECISION_ROW, KW_PRODUCER_ELIGIBILITY,
                               KW_EVENT_ELIGIBILITY_DECIDED, region->id, referral->referral_id, &decided->base,
                               keep ? 12 : 9, row, NULL) != 0)
        return -1;
    kw_info ("decided", "referral_id", referral->referral_id, "region", region->id,
             "outcome", outcome, "revision", revision, "sequence", number, "cause", cause);
    return 0;
}

//  The referral's decision today under region's rules (decided_at set), or
//  NULL when the region's date is unavailable.
static Kw__EligibilityDecision *
s_fresh (const region_t *region, const referral_seen_t *referral, const char *rating, kw_arena_t *arena)
{
    int y, m, d;
    if (kw_tz_today (region->time_zone, &y, &m, &d) != 0) {
        kw_error ("date_unavailable", "region", region->id, "time_zone", region->time_zone);
        return NULL;
    }
    Kw__EligibilityDecision *fresh = rules_decide (region, referral->body, rating, y, m, d, arena);
    char *decided_at = kw_arena_alloc (arena, KW_TIME_RFC3339_SIZE);
    kw_time_format (kw_time_now_us (), decided_at);
    fresh->decided_at = decided_at;
    return fresh;
}

int
decide_record (kw_db_t *db, const region_t *region, const referral_seen_t *referral,
               const char *cause, int keep, Kw__EligibilityDecision **decision, int *changed,
               kw_arena_t *arena)
{
    *changed = 0;
    newest_t newest;
    if (s_newest (db, referral, keep, &newest, arena) != 0)
        return -1;
    Kw__EligibilityDecision *fresh = s_fresh (region, referral, newest.rating, arena);
    if (!fresh)
        return -1;
    if (newest.revision_decided || (newest.decision && rules_same_result (newest.decision, fresh))) {
        *decision = newest.decision;
        return 0;
    }
    if (s_insert (db, region, referral, cause, fresh, newest.sequence + 1, 0, arena) != 0)
        return -1;
    *changed = 1;
    *decision = fresh;
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
    referral_seen_t referral = { .referral_id = msg->referral_id, .region = msg->region,
                                 .revision = msg->revision, .body = msg->referral };
    //  Kept even when the region has no rule set yet: it stays undecided
    //  until an admin re-evaluates the region once its file is in place.
    const region_t *region = region_set_find (state_regions (svc), msg->region);
    if (!region) {
        kw_warn ("unknown_region", "event_id", event->event_id,
                 "referral_id", msg->referral_id, "region", msg->region);
        newest_t unused;
        return s_newest (db, &referral, 1, &unused, arena) == 0 ? KW_APPLY_OK : KW_APPLY_RETRY;
    }
    //  A referral's first revision, under rules that never read the rating:
    //  nothing needs reading. It is decided as the first decision, kept and
    //  recorded with its event in one statement, which fails when the
    //  referral was decided before (events applied again after their
    //  offset was moved back, or by a second instance at once); then that
    //  event and the next FIRST_AFTER_FAILURE are applied the other way,
    //  which reads the newest decision first. The statement goes with the
    //  batch's next statement or COMMIT (kw_db_defer), so its failure is
    //  theirs: an event this process decided that way before comes again
    //  only when its batch did not commit (or its offset moved back), and
    //  is then taken as that failure.
    eligibility_t *self = state_get (svc);
    if (strcmp (cause, CAUSE_RECEIVED) == 0 && msg->revision == 0 && !rules_read_rating (region->ruleset.rule)) {
        if (event->seq <= self->fast_through && self->read_first_through < self->fast_through) {
            kw_warn ("first_decision_not_committed", "event_id", event->event_id, "referral_id", msg->referral_id);
            self->read_first_through = self->fast_through + FIRST_AFTER_FAILURE;
        }
        if (event->seq > self->read_first_through) {
            self->fast_through = event->seq;
            Kw__EligibilityDecision *fresh = s_fresh (region, &referral, NULL, arena);
            if (fresh && s_insert (db, region, &referral, cause, fresh, 1, 1, arena) == 0)
                return KW_APPLY_OK;
            self->read_first_through = event->seq + FIRST_AFTER_FAILURE;
            return KW_APPLY_RETRY;
        }
    }
    //  The revision is kept by the statement that reads the newest decision.
    Kw__EligibilityDecision *decision;
    int changed;
    if (decide_record (db, region, &referral, cause, 1, &decision, &changed, arena) != 0)
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
