/*  changes: RPCs that change a referral after it was made: withdrawal, and
    information added (merged into the stored body, validated as a whole,
    and sent to eligibility for a new decision). Each change, its event, its
    audit record and its Idempotency-Key answer commit together. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kw_log.h"
#include "kw_nhs.h"
#include "kw_outbox.h"
#include "kw_time.h"
#include "kw_tx.h"
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

//  A change to one referral: its id and audit action, the request's input,
//  and the referral as the caller may see it (loaded by s_authorise).
typedef struct {
    const char *id;
    const char *action;
    void *in;
    Kw__Referral *current;
} change_t;

//  The referral the caller may change: in the caller's region and, for
//  roles that see only their own, one the caller made. A refusal is
//  audited (record_load).
static int
s_authorise (kw_tx_t *tx)
{
    change_t *self = tx->arg;
    self->current = record_load (tx->db, tx->req, self->id, self->action, tx->resp, tx->arena);
    if (self->current)
        return 1;
    return tx->resp->status == KW__STATUS__STATUS_UNAVAILABLE ? -1 : 0;
}

//  Answer with the referral as it stands after the change. 0 or -1.
static int
s_answer (kw_tx_t *tx, const char *id)
{
    const char *params [1] = { id };
    PGresult *res = kw_db_query (tx->db, "referral_get", 1, params);
    Kw__Referral *out = res && PQntuples (res) == 1 ? record_from_row (res, 0, tx->arena) : NULL;
    PQclear (res);
    if (!out)
        return -1;
    kw_rpc_reply_ok (tx->resp, tx->arena, &out->base);
    return 0;
}

static int
s_withdraw_write (kw_tx_t *tx)
{
    change_t *self = tx->arg;
    const Kw__WithdrawRequest *in = self->in;
    const char *region = tx->req->caller->region;
    const char *params [2] = { in->id, in->reason };
    PGresult *res = kw_db_query (tx->db, "referral_withdraw", 2, params);
    if (!res)
        return -1;
    if (PQntuples (res) == 0) {
        PQclear (res);
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "status",
                            "the referral is %s and can no longer be withdrawn",
                            record_status_name (self->current->status));
        return 0;
    }
    Kw__ReferralWithdrawn event = KW__REFERRAL_WITHDRAWN__INIT;
    event.referral_id = in->id;
    event.region = (char *) region;
    event.withdrawn_at = kw_arena_strdup (tx->arena, PQgetvalue (res, 0, 0));
    if (!PQgetisnull (res, 0, 1))
        event.case_id = kw_arena_strdup (tx->arena, PQgetvalue (res, 0, 1));
    PQclear (res);
    if (kw_outbox_insert (tx->db, KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_WITHDRAWN, region, in->id,
                          &event.base, NULL) != 0
    ||  kw_audit (tx->db, tx->req->caller, "withdraw", "referral", in->id, "ok") != 0)
        return -1;
    return s_answer (tx, in->id);
}

void
changes_withdraw (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t withdraw = {
        .name = "referral_withdraw", .what = "change",
        .authorise = s_authorise, .write = s_withdraw_write
    };
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
    change_t self = { .id = in->id, .action = "withdraw", .in = in };
    if (kw_tx_run (&withdraw, svc, req, resp, arena, &self))
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
    size_t a, b;
    uint8_t *body = kw_arena_pack (arena, &base.base, &a);
    uint8_t *added = kw_arena_pack (arena, &info->base, &b);
    uint8_t *both = kw_arena_alloc (arena, a + b + 1);
    memcpy (both, body, a);
    memcpy (both + a, added, b);
    Kw__ReferralBody *merged = kw__referral_body__unpack (kw_arena_allocator (arena), a + b, both);
    if (!merged)
        return NULL;
    if (info->meeting_preferences && info->meeting_preferences->n_days && merged->meeting_preferences) {
        merged->meeting_preferences->n_days = info->meeting_preferences->n_days;
        merged->meeting_preferences->days = info->meeting_preferences->days;
    }
    s_dedupe (merged);
    return merged;
}

static int
s_information_write (kw_tx_t *tx)
{
    change_t *self = tx->arg;
    Kw__ReferralInformation *info = self->in;
    const Kw__Referral *current = self->current;
    Kw__Response *resp = tx->resp;
    kw_arena_t *arena = tx->arena;
    const char *region = tx->req->caller->region;
    if (info->has_source && info->source != current->source) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "source", "source cannot be changed");
        return 0;
    }
    //  The number as written ("400 000 0039") is the stored one when its
    //  digits are; a number that cannot be read is refused by the checks.
    char nhs [KW_NHS_SIZE];
    if (info->child && info->child->nhs_number && current->child
    &&  kw_nhs_parse (info->child->nhs_number, strlen (info->child->nhs_number), nhs) == KW_NHS_OK
    &&  strcmp (nhs, current->child->nhs_number) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "child.nhs_number",
                            "child.nhs_number cannot be changed; withdraw this referral and make a new one");
        return 0;
    }
    Kw__ReferralBody *merged = s_merge (current, info, arena);
    int ty, tm, td;
    kw_date_today_utc (&ty, &tm, &td);
    kw_field_errors_t errs;
    if (!merged) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, NULL, "the information could not be merged");
        return 0;
    }
    if (validate_referral (merged, ty, tm, td, &errs) != 0) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return 0;
    }
    validate_normalise (merged, arena);
    if (current->status == KW__REFERRAL_STATUS__REFERRAL_STATUS_INELIGIBLE) {
        int failed;
        char *open = intake_open_referral (tx->db, region, current->child->nhs_number, arena, &failed);
        if (failed)
            return -1;
        if (open) {
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_CONFLICT, "id",
                                "the child has a newer open referral; add the information there");
            resp->code = "duplicate_referral";
            resp->existing_id = open;
            return 0;
        }
    }
    size_t size;
    uint8_t *packed = kw_arena_pack (arena, &merged->base, &size);
    const char *values [2] = { self->id, (const char *) packed };
    int lengths [2] = { 0, (int) size };
    int formats [2] = { 0, 1 };
    PGresult *res = kw_db_queryb (tx->db, "referral_add_information", 2, values, lengths, formats, 0);
    if (!res)
        return -1;
    if (PQntuples (res) == 0) {
        PQclear (res);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_CONFLICT, "status",
                            "the referral is %s and takes no more information",
                            record_status_name (current->status));
        return 0;
    }
    Kw__ReferralReceived event = KW__REFERRAL_RECEIVED__INIT;
    event.referral_id = (char *) self->id;
    event.region = (char *) region;
    event.has_revision = 1;
    event.revision = (uint32_t) strtoul (PQgetvalue (res, 0, 0), NULL, 10);
    event.received_at = kw_arena_strdup (arena, PQgetvalue (res, 0, 1));
    event.referral = record_event_body (merged, arena);
    PQclear (res);
    if (kw_outbox_insert (tx->db, KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_INFORMATION_ADDED, region,
                          self->id, &event.base, NULL) != 0
    ||  kw_audit (tx->db, tx->req->caller, "add_information", "referral", self->id, "ok") != 0)
        return -1;
    return s_answer (tx, self->id);
}

void
changes_information (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t information = {
        .name = "referral_information", .what = "change",
        .authorise = s_authorise, .write = s_information_write
    };
    Kw__ReferralInformation *info = (Kw__ReferralInformation *)
        kw_rpc_unpack (req, resp, arena, &kw__referral_information__descriptor);
    if (!info)
        return;
    change_t self = { .id = info->id, .action = "add_information", .in = info };
    if (kw_tx_run (&information, svc, req, resp, arena, &self))
        kw_info ("referral_information_added", "referral_id", self.id);
}
