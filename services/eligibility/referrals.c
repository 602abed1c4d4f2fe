/*  referrals: eligibility's own projection of the referrals it decides on
    (the newest revision's body, and whether it was withdrawn) and of the
    cases opened for them, fed by the referral and assignment events. The
    handlers here read no result: each statement goes with the consumer
    batch's next statement or its COMMIT (kw_db_defer), whose failure it
    then is, and the batch is applied again. */
#include <stdio.h>
#include <stdlib.h>
#include "kw/assignment.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_case_event.h"
#include "kw_time.h"
#include "kw_uuid.h"
#include "eligibility.h"

int
referrals_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "eligibility_referral_load",
        "SELECT region, revision, withdrawn, body FROM eligibility.referrals WHERE referral_id = $1::uuid");
    kw_db_prepare (db, "eligibility_referral_withdrawn",
        "UPDATE eligibility.referrals SET withdrawn = true, updated_at = now () WHERE referral_id = $1::uuid");
    kw_db_prepare (db, "eligibility_case_opened",
        "INSERT INTO eligibility.cases (case_id, referral_id, region, opened_at)"
        " VALUES ($1::uuid, $2::uuid, $3, coalesce ($4::timestamptz, now ())) ON CONFLICT DO NOTHING");
    kw_db_prepare (db, "eligibility_case_closed",
        "UPDATE eligibility.cases SET closed_at = coalesce ($2::timestamptz, now ())"
        " WHERE case_id = $1::uuid AND closed_at IS NULL");
    return 0;
}

void
referrals_keep_params (const char *referral_id, const char *region, unsigned revision,
                       const Kw__ReferralBody *body, kw_arena_t *arena, const char *values [7], int lengths [7])
{
    const Kw__Child *child = body->child;
    int y, m, d;
    size_t size;
    uint8_t *packed = kw_arena_pack (arena, &body->base, &size);
    values [0] = referral_id;
    values [1] = region;
    values [2] = child && child->nhs_number ? child->nhs_number : "";
    values [3] = kw_arena_printf (arena, "%u", revision);
    values [4] = (const char *) packed;
    values [5] = child && child->date_of_birth && kw_date_parse (child->date_of_birth, &y, &m, &d) == 0
               ? child->date_of_birth : NULL;
    values [6] = child ? child->nhs_number : NULL;
    for (int i = 0; i < 7; i++)
        lengths [i] = i == 4 ? (int) size : 0;
}

Kw__ReferralBody *
referrals_body (PGresult *res, int row, int col, kw_arena_t *arena)
{
    size_t len = 0;
    unsigned char *bytes = PQunescapeBytea ((const unsigned char *) PQgetvalue (res, row, col), &len);
    Kw__ReferralBody *body = bytes
        ? kw__referral_body__unpack (kw_arena_allocator (arena), len, bytes) : NULL;
    PQfreemem (bytes);
    return body;
}

int
referrals_load (kw_db_t *db, const char *referral_id, referral_seen_t *out, kw_arena_t *arena)
{
    if (!kw_uuid_valid (referral_id))
        return 0;
    const char *params [1] = { referral_id };
    PGresult *res = kw_db_queryb (db, "eligibility_referral_load", 1, params, NULL, NULL, 0);
    if (!res)
        return -1;
    int found = PQntuples (res) == 1;
    if (found) {
        out->referral_id = kw_arena_strdup (arena, referral_id);
        out->region = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
        out->revision = (unsigned) strtoul (PQgetvalue (res, 0, 1), NULL, 10);
        out->withdrawn = PQgetvalue (res, 0, 2) [0] == 't';
        out->body = referrals_body (res, 0, 3, arena);
        found = out->body ? 1 : -1;
    }
    PQclear (res);
    return found;
}

int
referrals_withdrawn_params (const Kw__ReferralWithdrawn *msg, const char *params [1])
{
    params [0] = msg->referral_id;
    return msg->referral_id && kw_uuid_valid (msg->referral_id) ? 0 : -1;
}

kw_apply_result_t
referrals_withdrawn (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                     kw_arena_t *arena)
{
    const char *params [1];
    if (referrals_withdrawn_params (payload, params) != 0)
        return KW_APPLY_SKIP;
    return kw_db_defer (db, "eligibility_referral_withdrawn", 1, params, NULL, NULL, -1) == 0
         ? KW_APPLY_OK : KW_APPLY_RETRY;
}

kw_apply_result_t
referrals_case_opened (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event,
                       const void *payload, kw_arena_t *arena)
{
    const char *params [4];
    if (kw_case_opened_params (payload, params) != 0)
        return KW_APPLY_SKIP;
    return kw_db_defer (db, "eligibility_case_opened", 4, params, NULL, NULL, -1) == 0
         ? KW_APPLY_OK : KW_APPLY_RETRY;
}

kw_apply_result_t
referrals_case_closed (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event,
                       const void *payload, kw_arena_t *arena)
{
    const char *params [2];
    if (kw_case_closed_params (payload, params) != 0)
        return KW_APPLY_SKIP;
    return kw_db_defer (db, "eligibility_case_closed", 2, params, NULL, NULL, -1) == 0
         ? KW_APPLY_OK : KW_APPLY_RETRY;
}
