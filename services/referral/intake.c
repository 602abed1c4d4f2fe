/*  intake: creating and reading referrals over RPC. A create stores the
    referral, its referral.received event, its audit record and (with an
    Idempotency-Key) its answer in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "kw/eligibility.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_jwt.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_time.h"
#include "kw_uuid.h"
#include "referral.h"
#include "validate.h"

static const char *STATUS_NAMES [] = {
    [KW__REFERRAL_STATUS__REFERRAL_STATUS_RECEIVED] = "received",
    [KW__REFERRAL_STATUS__REFERRAL_STATUS_ELIGIBLE] = "eligible",
    [KW__REFERRAL_STATUS__REFERRAL_STATUS_INELIGIBLE] = "ineligible",
    [KW__REFERRAL_STATUS__REFERRAL_STATUS_MORE_INFORMATION_NEEDED] = "more_information_needed",
    [KW__REFERRAL_STATUS__REFERRAL_STATUS_WITHDRAWN] = "withdrawn",
    [KW__REFERRAL_STATUS__REFERRAL_STATUS_CLOSED] = "closed",
};

static const char *SOURCE_NAMES [] = {
    [KW__SOURCE__SOURCE_PROFESSIONAL] = "professional",
    [KW__SOURCE__SOURCE_SELF] = "self",
    [KW__SOURCE__SOURCE_DSR] = "dsr",
};

static int
s_status_value (const char *name)
{
    for (size_t i = 1; i < sizeof STATUS_NAMES / sizeof STATUS_NAMES [0]; i++)
        if (STATUS_NAMES [i] && strcmp (STATUS_NAMES [i], name) == 0)
            return (int) i;
    return 0;
}

int
intake_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "referral_open_for_child",
        "SELECT id FROM referral.referrals WHERE region = $1 AND nhs_number = $2"
        " AND status IN ('received', 'eligible', 'more_information_needed')");
    kw_db_prepare (db, "referral_insert",
        "INSERT INTO referral.referrals (id, region, nhs_number, source, status, received_at,"
        " created_by, created_by_role, body) VALUES ($1, $2, $3, $4, 'received', $5, $6, $7, $8)");
    kw_db_prepare (db, "referral_get",
        "SELECT region, status, to_char (received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " created_by, body, decision, case_id FROM referral.referrals WHERE id = $1");
    kw_db_prepare (db, "referral_idem_get",
        "SELECT request_hash, response FROM referral.idempotency WHERE caller = $1 AND key = $2");
    kw_db_prepare (db, "referral_idem_put",
        "INSERT INTO referral.idempotency (caller, key, request_hash, response) VALUES ($1, $2, $3, $4)");
    kw_db_prepare (db, "referral_audit",
        "INSERT INTO audit.events (actor, role, region, action, record_type, record_id, outcome)"
        " VALUES ($1, $2, $3, $4, 'referral', $5, $6)");
    return 0;
}

static int
s_audit (kw_db_t *db, const Kw__Caller *caller, const char *action, const char *id, const char *outcome)
{
    const char *params [6] = { caller->sub ? caller->sub : "", caller->role ? caller->role : "",
                               caller->region, action, id, outcome };
    return kw_db_exec (db, "referral_audit", 6, params);
}

//  Look up an earlier answer for this caller's Idempotency-Key. Returns 1
//  when resp was filled from it (or with a conflict), 0 when there is none,
//  -1 on a database error.
static int
s_idempotent_replay (kw_db_t *db, const Kw__Request *req, const unsigned char *hash,
                     Kw__Response *resp, kw_arena_t *arena)
{
    const char *params [2] = { req->caller->sub, req->idempotency_key };
    PGresult *res = kw_db_queryb (db, "referral_idem_get", 2, params, NULL, NULL, 1);
    if (!res)
        return -1;
    if (PQntuples (res) == 0) {
        PQclear (res);
        return 0;
    }
    int same = PQgetlength (res, 0, 0) == crypto_hash_sha256_BYTES
            && memcmp (PQgetvalue (res, 0, 0), hash, crypto_hash_sha256_BYTES) == 0;
    if (!same) {
        PQclear (res);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_CONFLICT, "Idempotency-Key",
                            "Idempotency-Key was already used with a different body");
        resp->code = "idempotency_key_reused";
        return 1;
    }
    Kw__Response *stored = kw__response__unpack (kw_arena_allocator (arena),
                                                 (size_t) PQgetlength (res, 0, 1),
                                                 (const uint8_t *) PQgetvalue (res, 0, 1));
    PQclear (res);
    if (!stored)
        return -1;
    *resp = *stored;
    return 1;
}

static int
s_idempotent_store (kw_db_t *db, const Kw__Request *req, const unsigned char *hash,
                    const Kw__Response *resp, kw_arena_t *arena)
{
    size_t size = kw__response__get_packed_size (resp);
    uint8_t *buf = kw_arena_alloc (arena, size ? size : 1);
    kw__response__pack (resp, buf);
    const char *values [4] = { req->caller->sub, req->idempotency_key, (const char *) hash,
                               (const char *) buf };
    int lengths [4] = { 0, 0, crypto_hash_sha256_BYTES, (int) size };
    int formats [4] = { 0, 0, 1, 1 };
    PGresult *res = kw_db_queryb (db, "referral_idem_put", 4, values, lengths, formats, 0);
    if (!res)
        return -1;
    PQclear (res);
    return 0;
}

void
intake_create (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const char *const roles [] = { "admin", "coordinator", "referrer", "family",
                                          "dsr_feed", "key_worker", NULL };
    if (!kw_jwt_role_in (req->caller->role, roles)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL,
                            "this role may not create referrals");
        return;
    }
    Kw__ReferralBody *body = (Kw__ReferralBody *)
        kw_rpc_unpack (req, resp, arena, &kw__referral_body__descriptor);
    if (!body)
        return;
    int ty, tm, td;
    kw_date_today_utc (&ty, &tm, &td);
    validate_error_t verr;
    if (validate_referral (body, ty, tm, td, &verr) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, verr.field, "%s", verr.message);
        return;
    }
    kw_db_t *db = kw_service_db (svc);
    unsigned char hash [crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (hash, req->payload.data, req->payload.len);
    int keyed = req->idempotency_key && *req->idempotency_key;
    if (kw_db_begin (db) != 0)
        goto failed;
    if (keyed) {
        int replayed = s_idempotent_replay (db, req, hash, resp, arena);
        if (replayed < 0)
            goto failed;
        if (replayed) {
            kw_db_rollback (db);
            return;
        }
    }
    const char *region = req->caller->region;
    const char *dup_params [2] = { region, body->child->nhs_number };
    PGresult *res = kw_db_query (db, "referral_open_for_child", 2, dup_params);
    if (!res)
        goto failed;
    if (PQntuples (res) > 0) {
        char *existing = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
        PQclear (res);
        kw_db_rollback (db);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_CONFLICT, "child.nhs_number",
                            "an open referral already exists for this child in the region");
        resp->code = "duplicate_referral";
        resp->existing_id = existing;
        return;
    }
    PQclear (res);

    char id [KW_UUID_SIZE];
    kw_uuid_generate (id);
    char received_at [KW_TIME_RFC3339_SIZE];
    kw_time_format (kw_time_now_us () / 1000000 * 1000000, received_at);
    size_t size = kw__referral_body__get_packed_size (body);
    uint8_t *packed = kw_arena_alloc (arena, size ? size : 1);
    kw__referral_body__pack (body, packed);
    const char *values [8] = { id, region, body->child->nhs_number, SOURCE_NAMES [body->source],
                               received_at, req->caller->sub ? req->caller->sub : "",
                               req->caller->role, (const char *) packed };
    int lengths [8] = { 0, 0, 0, 0, 0, 0, 0, (int) size };
    int formats [8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
    res = kw_db_queryb (db, "referral_insert", 8, values, lengths, formats, 0);
    if (!res)
        goto failed;
    PQclear (res);

    Kw__ReferralReceived event = KW__REFERRAL_RECEIVED__INIT;
    event.referral_id = id;
    event.region = (char *) region;
    event.received_at = received_at;
    event.referral = body;
    if (kw_outbox_insert (db, "referral", "received", region, id, &event.base, NULL) != 0
    ||  s_audit (db, req->caller, "create", id, "ok") != 0)
        goto failed;

    Kw__ReferralCreated created = KW__REFERRAL_CREATED__INIT;
    created.id = id;
    created.has_status = 1;
    created.status = KW__REFERRAL_STATUS__REFERRAL_STATUS_RECEIVED;
    created.received_at = received_at;
    created.region = (char *) region;
    kw_rpc_reply_ok (resp, arena, &created.base);
    if ((keyed && s_idempotent_store (db, req, hash, resp, arena) != 0)
    ||  kw_db_commit (db) != 0)
        goto failed;
    kw_service_outbox_committed (svc);
    kw_info ("referral_created", "referral_id", id, "region", region);
    return;
failed:
    kw_warn ("referral_create_failed", "reason", kw_db_error (db));
    kw_db_rollback (db);
    kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL,
                        "the referral could not be stored; retry with the same Idempotency-Key");
}

void
intake_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return;
    if (!in->id || !kw_uuid_valid (in->id)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such referral");
        return;
    }
    kw_db_t *db = kw_service_db (svc);
    const char *params [1] = { in->id };
    PGresult *res = kw_db_queryb (db, "referral_get", 1, params, NULL, NULL, 0);
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    if (PQntuples (res) == 0 || strcmp (PQgetvalue (res, 0, 0), req->caller->region) != 0) {
        PQclear (res);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such referral");
        return;
    }
    static const char *const all_in_region [] = { "admin", "coordinator", NULL };
    const char *created_by = PQgetvalue (res, 0, 3);
    if (!kw_jwt_role_in (req->caller->role, all_in_region)
    &&  !(req->caller->sub && strcmp (req->caller->sub, created_by) == 0)) {
        PQclear (res);
        s_audit (db, req->caller, "read", in->id, "forbidden");
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL,
                            "you may read only referrals you made");
        return;
    }
    size_t len = 0;
    unsigned char *body = PQunescapeBytea ((const unsigned char *) PQgetvalue (res, 0, 4), &len);
    Kw__Referral *out = body ? kw__referral__unpack (kw_arena_allocator (arena), len, body) : NULL;
    PQfreemem (body);
    if (!out) {
        PQclear (res);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INTERNAL, NULL, "stored referral is unreadable");
        return;
    }
    out->id = kw_arena_strdup (arena, in->id);
    out->region = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
    out->has_status = 1;
    out->status = s_status_value (PQgetvalue (res, 0, 1));
    out->received_at = kw_arena_strdup (arena, PQgetvalue (res, 0, 2));
    if (!PQgetisnull (res, 0, 5)) {
        unsigned char *decision = PQunescapeBytea ((const unsigned char *) PQgetvalue (res, 0, 5), &len);
        if (decision)
            out->eligibility = kw__eligibility_decision__unpack (kw_arena_allocator (arena), len, decision);
        PQfreemem (decision);
    }
    if (!PQgetisnull (res, 0, 6))
        out->case_id = kw_arena_strdup (arena, PQgetvalue (res, 0, 6));
    PQclear (res);
    s_audit (db, req->caller, "read", in->id, "ok");
    kw_rpc_reply_ok (resp, arena, &out->base);
}
