/*  decide: the decision on each revision of a referral. The decision, and
    its eligibility.decided event, are written once per (referral, revision)
    in the consumer's transaction; a redelivered event inserts nothing. */
#include <stdio.h>
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
    kw_db_prepare (db, "eligibility_insert",
        "INSERT INTO eligibility.decisions (referral_id, region, outcome, ruleset, version, decision,"
        " decided_at, revision)"
        " VALUES ($1::uuid, $2, $3, $4, $5::int, $6, $7::timestamptz, $8::int)"
        " ON CONFLICT (referral_id, revision) DO NOTHING");
    return 0;
}

kw_apply_result_t
decide_referral (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, kw_arena_t *arena)
{
    const region_set_t *regions = kw_service_state (svc);
    Kw__ReferralReceived *msg = kw__referral_received__unpack (
        kw_arena_allocator (arena), event->payload.len, event->payload.data);
    if (!msg || !msg->referral_id || !kw_uuid_valid (msg->referral_id) || !msg->region
    ||  !msg->referral)
        return KW_APPLY_SKIP;
    const region_t *region = region_set_find (regions, msg->region);
    if (!region) {
        kw_warn ("unknown_region", "event_id", event->event_id,
                 "referral_id", msg->referral_id, "region", msg->region);
        return KW_APPLY_SKIP;
    }
    int y, m, d;
    if (kw_tz_today (region->time_zone, &y, &m, &d) != 0) {
        kw_error ("date_unavailable", "region", region->region, "time_zone", region->time_zone);
        return KW_APPLY_RETRY;
    }
    Kw__ReferralBody *body = msg->referral;
    int failed = 0;
    char *rating = body->child && body->child->nhs_number
                 ? dsr_rating (db, region->region, body->child->nhs_number, arena, &failed) : NULL;
    if (failed)
        return KW_APPLY_RETRY;
    Kw__EligibilityDecision *decision = rules_decide (region, body, rating, y, m, d, arena);
    char decided_at [KW_TIME_RFC3339_SIZE];
    kw_time_format (kw_time_now_us (), decided_at);
    decision->decided_at = decided_at;

    size_t size = kw__eligibility_decision__get_packed_size (decision);
    uint8_t *packed = kw_arena_alloc (arena, size ? size : 1);
    kw__eligibility_decision__pack (decision, packed);
    const char *outcome = rules_outcome_name (decision->outcome);
    char version [16], revision [16];
    snprintf (version, sizeof version, "%u", decision->version);
    snprintf (revision, sizeof revision, "%u", msg->revision);
    const char *values [8] = { msg->referral_id, region->region, outcome, decision->ruleset,
                               version, (const char *) packed, decided_at, revision };
    int lengths [8] = { 0, 0, 0, 0, 0, (int) size, 0, 0 };
    int formats [8] = { 0, 0, 0, 0, 0, 1, 0, 0 };
    PGresult *res = kw_db_queryb (db, "eligibility_insert", 8, values, lengths, formats, 0);
    if (!res)
        return KW_APPLY_RETRY;
    int inserted = strcmp (PQcmdTuples (res), "1") == 0;
    PQclear (res);
    if (!inserted) {
        //  Decided before: the first decision on this revision and its event stand.
        kw_info ("already_decided", "referral_id", msg->referral_id, "revision", revision);
        return KW_APPLY_OK;
    }

    Kw__EligibilityDecided decided = KW__ELIGIBILITY_DECIDED__INIT;
    decided.referral_id = msg->referral_id;
    decided.region = region->region;
    decided.decision = decision;
    decided.has_revision = 1;
    decided.revision = msg->revision;
    if (body->suggested_key_worker && body->suggested_key_worker->email
    &&  *body->suggested_key_worker->email)
        decided.suggested_key_worker_email = body->suggested_key_worker->email;
    if (body->child) {
        decided.postcode = body->child->postcode;
        decided.language = body->child->language;
    }
    if (kw_outbox_insert (db, "eligibility", "decided", region->region, msg->referral_id,
                          &decided.base, NULL) != 0)
        return KW_APPLY_RETRY;
    kw_info ("decided", "referral_id", msg->referral_id, "region", region->region,
             "outcome", outcome, "revision", revision);
    return KW_APPLY_OK;
}
