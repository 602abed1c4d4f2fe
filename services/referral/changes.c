/*  changes: RPCs that change a referral after it was made: withdrawal, and
    information added (merged into the stored body, validated as a whole,
    and sent to eligibility for a new decision). Each change, its event, its
    audit record and its Idempotency-Key answer commit together. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_time.h"
#include "referral.h"
#include "validate.h"

#define MAX_REASON 1000

int
changes_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "referral_withdraw",
        "UPDATE referral.referrals SET status = 'withdrawn', withdrawn_at = now (),"
        " withdrawal_reason = $2, updated_at = now ()"
        " WHERE id = $1::uuid AND status IN " RECORD_OPEN_STATUSES
        " RETURNING to_char (withdrawn_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), case_id");
    kw_db_prepare (db, "referral_add_information",
        "UPDATE referral.referrals SET body = $2, revision = revision + 1, updated_at = now ()"
        " WHERE id = $1::uuid AND status NOT IN ('withdrawn', 'closed')"
        " RETURNING revision, to_char (received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
    return 0;
}

//  The referral as it stands after a change, in the open transaction.
static Kw__Referral *
s_reload (kw_db_t *db, const char *id, kw_arena_t *arena)
{
    const char *params [1] = { id };
    PGresult *res = kw_db_query (db, "referral_get", 1, params);
    Kw__Referral *out = res && PQntuples (res) == 1 ? record_from_row (res, 0, arena) : NULL;
    PQclear (res);
    return out;
}

//  Common ending: answer with the referral, keep the answer under the key,
//  commit. 0 or -1 (nothing answered).
static int
s_finish (kw_service_t *svc, kw_db_t *db, const Kw__Request *req, const unsigned char *hash,
          const char *id, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__Referral *out = s_reload (db, id, arena);
    if (!out)
        return -1;
    kw_rpc_reply_ok (resp, arena, &out->base);
    if (kw_idempotency_store (db, req, hash, resp, arena) != 0 || kw_db_commit (db) != 0)
        return -1;
    kw_service_outbox_committed (svc);
    return 0;
}

static void
s_unavailable (kw_db_t *db, const char *event, Kw__Response *resp, kw_arena_t *arena)
{
    kw_warn (event, "reason", kw_db_error (db));
    kw_db_rollback (db);
    kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL,
                        "the change could not be stored; retry with the same Idempotency-Key");
}

//  Open the transaction, replay an earlier answer to the same key, and load
//  the referral the caller may change. The referral, or NULL when resp is
//  answered (replayed, not found, forbidden, unavailable) and the
//  transaction closed.
static Kw__Referral *
s_begin (kw_db_t *db, const Kw__Request *req, const unsigned char *hash, const char *id,
         const char *action, Kw__Response *resp, kw_arena_t *arena)
{
    int replayed = kw_db_begin (db) == 0 ? kw_idempotency_replay (db, req, hash, resp, arena) : -1;
    if (replayed < 0) {
        s_unavailable (db, "referral_change_failed", resp, arena);
        return NULL;
    }
    if (replayed) {
        kw_db_rollback (db);
        return NULL;
    }
    Kw__Referral *current = record_load (db, req, id, action, resp, arena);
    if (!current)
        kw_db_commit (db);          //  keeps the audit record of a refusal
    return current;
}

void
changes_withdraw (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__WithdrawRequest *in = (Kw__WithdrawRequest *)
        kw_rpc_unpack (req, resp, arena, &kw__withdraw_request__descriptor);
    if (!in)
        return;
    if (!in->reason || !*in->reason) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "reason", "reason is required");
        return;
    }
    if (strlen (in->reason) > MAX_REASON) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "reason",
                            "reason is longer than %d characters", MAX_REASON);
        return;
    }
    kw_db_t *db = kw_service_db (svc);
    unsigned char hash [KW_IDEMPOTENCY_HASH_SIZE];
    kw_idempotency_hash (req, hash);
    Kw__Referral *current = s_begin (db, req, hash, in->id, "withdraw", resp, arena);
    if (!current)
        return;
    const char *params [2] = { in->id, in->reason };
    PGresult *res = kw_db_query (db, "referral_withdraw", 2, params);
    if (!res)
        return s_unavailable (db, "referral_withdraw_failed", resp, arena);
    if (PQntuples (res) == 0) {
        PQclear (res);
        kw_db_rollback (db);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_CONFLICT, "status",
                            "the referral is %s and can no longer be withdrawn",
                            record_status_name (current->status));
        return;
    }
    Kw__ReferralWithdrawn event = KW__REFERRAL_WITHDRAWN__INIT;
    event.referral_id = in->id;
    event.region = req->caller->region;
    event.withdrawn_at = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
    if (!PQgetisnull (res, 0, 1))
        event.case_id = kw_arena_strdup (arena, PQgetvalue (res, 0, 1));
    PQclear (res);
    if (kw_outbox_insert (db, "referral", "withdrawn", req->caller->region, in->id, &event.base, NULL) != 0
    ||  kw_audit (db, req->caller, "withdraw", "referral", in->id, "ok") != 0
    ||  s_finish (svc, db, req, hash, in->id, resp, arena) != 0)
        return s_unavailable (db, "referral_withdraw_failed", resp, arena);
    kw_info ("referral_withdrawn", "referral_id", in->id);
}

//  Repeated entries the merge appended twice (same name and agency, or name
//  and relationship) are kept once.
static void
s_dedupe (Kw__ReferralBody *body)
{
    size_t n = 0;
    for (size_t i = 0; i < body->n_professionals; i++) {
        Kw__Professional *p = body->professionals [i];
        int seen = 0;
        for (size_t j = 0; j < n && !seen; j++) {
            Kw__Professional *q = body->professionals [j];
            seen = p->name && q->name && strcasecmp (p->name, q->name) == 0
                && strcasecmp (p->agency ? p->agency : "", q->agency ? q->agency : "") == 0;
        }
        if (!seen)
            body->professionals [n++] = p;
    }
    body->n_professionals = n;
    n = 0;
    for (size_t i = 0; i < body->n_family; i++) {
        Kw__FamilyMember *p = body->family [i];
        int seen = 0;
        for (size_t j = 0; j < n && !seen; j++) {
            Kw__FamilyMember *q = body->family [j];
            seen = p->name && q->name && strcasecmp (p->name, q->name) == 0
                && strcasecmp (p->relationship ? p->relationship : "",
                               q->relationship ? q->relationship : "") == 0;
        }
        if (!seen)
            body->family [n++] = p;
    }
    body->n_family = n;
}

//  The stored body with the information merged in: later scalar values win,
//  parts are merged field by field, lists grow (protobuf's merge of
//  concatenated messages); meeting days given replace the old ones.
static Kw__ReferralBody *
s_merge (const Kw__Referral *current, Kw__ReferralInformation *info, kw_arena_t *arena)
{
    Kw__ReferralBody base = KW__REFERRAL_BODY__INIT;
    base.has_source = current->has_source;
    base.source = current->source;
    base.referrer = current->referrer;
    base.child = current->child;
    base.needs = current->needs;
    base.n_professionals = current->n_professionals;
    base.professionals = current->professionals;
    base.n_family = current->n_family;
    base.family = current->family;
    base.suggested_key_worker = current->suggested_key_worker;
    base.consent = current->consent;
    base.meeting_preferences = current->meeting_preferences;
    info->id = NULL;
    size_t a = kw__referral_body__get_packed_size (&base);
    size_t b = kw__referral_information__get_packed_size (info);
    uint8_t *buf = kw_arena_alloc (arena, a + b + 1);
    kw__referral_body__pack (&base, buf);
    kw__referral_information__pack (info, buf + a);
    Kw__ReferralBody *merged = kw__referral_body__unpack (kw_arena_allocator (arena), a + b, buf);
    if (!merged)
        return NULL;
    if (info->meeting_preferences && info->meeting_preferences->n_days && merged->meeting_preferences) {
        merged->meeting_preferences->n_days = info->meeting_preferences->n_days;
        merged->meeting_preferences->days = info->meeting_preferences->days;
    }
    s_dedupe (merged);
    return merged;
}

void
changes_information (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__ReferralInformation *info = (Kw__ReferralInformation *)
        kw_rpc_unpack (req, resp, arena, &kw__referral_information__descriptor);
    if (!info)
        return;
    kw_db_t *db = kw_service_db (svc);
    unsigned char hash [KW_IDEMPOTENCY_HASH_SIZE];
    kw_idempotency_hash (req, hash);
    char *id = info->id;
    Kw__Referral *current = s_begin (db, req, hash, id, "add_information", resp, arena);
    if (!current)
        return;
    if (info->has_source && info->source != current->source) {
        kw_db_rollback (db);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "source",
                            "source cannot be changed");
        return;
    }
    if (info->child && info->child->nhs_number && current->child
    &&  strcmp (info->child->nhs_number, current->child->nhs_number) != 0) {
        kw_db_rollback (db);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "child.nhs_number",
                            "child.nhs_number cannot be changed; withdraw this referral and make a new one");
        return;
    }
    Kw__ReferralBody *merged = s_merge (current, info, arena);
    int ty, tm, td;
    kw_date_today_utc (&ty, &tm, &td);
    validate_error_t verr;
    if (!merged || validate_referral (merged, ty, tm, td, &verr) != 0) {
        kw_db_rollback (db);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, merged ? verr.field : NULL, "%s",
                            merged ? verr.message : "the information could not be merged");
        return;
    }
    validate_normalise (merged, arena);
    if (current->status == KW__REFERRAL_STATUS__REFERRAL_STATUS_INELIGIBLE) {
        int failed;
        char *open = intake_open_referral (db, req->caller->region, current->child->nhs_number,
                                           arena, &failed);
        if (failed)
            return s_unavailable (db, "referral_information_failed", resp, arena);
        if (open) {
            kw_db_rollback (db);
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_CONFLICT, "id",
                                "the child has a newer open referral; add the information there");
            resp->code = "duplicate_referral";
            resp->existing_id = open;
            return;
        }
    }
    size_t size = kw__referral_body__get_packed_size (merged);
    uint8_t *packed = kw_arena_alloc (arena, size ? size : 1);
    kw__referral_body__pack (merged, packed);
    const char *values [2] = { id, (const char *) packed };
    int lengths [2] = { 0, (int) size };
    int formats [2] = { 0, 1 };
    PGresult *res = kw_db_queryb (db, "referral_add_information", 2, values, lengths, formats, 0);
    if (!res)
        return s_unavailable (db, "referral_information_failed", resp, arena);
    if (PQntuples (res) == 0) {
        PQclear (res);
        kw_db_rollback (db);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_CONFLICT, "status",
                            "the referral is %s and takes no more information",
                            record_status_name (current->status));
        return;
    }
    Kw__ReferralReceived event = KW__REFERRAL_RECEIVED__INIT;
    event.referral_id = id;
    event.region = req->caller->region;
    event.has_revision = 1;
    event.revision = (uint32_t) strtoul (PQgetvalue (res, 0, 0), NULL, 10);
    event.received_at = kw_arena_strdup (arena, PQgetvalue (res, 0, 1));
    event.referral = merged;
    PQclear (res);
    if (kw_outbox_insert (db, "referral", "information_added", req->caller->region, id,
                          &event.base, NULL) != 0
    ||  kw_audit (db, req->caller, "add_information", "referral", id, "ok") != 0
    ||  s_finish (svc, db, req, hash, id, resp, arena) != 0)
        return s_unavailable (db, "referral_information_failed", resp, arena);
    kw_info ("referral_information_added", "referral_id", id);
}
