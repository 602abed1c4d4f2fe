/*  intake: creating and reading referrals over RPC. A create stores the
    referral, its referral.received event, its audit record and (with an
    Idempotency-Key) its answer in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_jwt.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_time.h"
#include "kw_tx.h"
#include "referral.h"
#include "validate.h"

//  The create's audit row (as kw_audit writes it), written by the statement
//  that writes the referral.received event: $7 actor, $8 role, $9 region,
//  $10 the referral.
#define AUDIT_CREATE_ROW \
    "INSERT INTO audit.events (actor, role, region, action, record_type, record_id, outcome)" \
    " VALUES ($7, $8, $9, 'create', 'referral', $10, 'ok')"

int
intake_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "referral_open_for_child",
        "SELECT id FROM referral.referrals WHERE region = $1 AND nhs_number = $2"
        " AND status IN " RECORD_OPEN_STATUSES);
    kw_db_prepare (db, "referral_insert",
        "INSERT INTO referral.referrals (id, region, nhs_number, source, status, received_at,"
        " created_by, created_by_role, body) VALUES ($1, $2, $3, $4, 'received', now (), $5, $6, $7)"
        " ON CONFLICT (region, nhs_number) WHERE status IN " RECORD_OPEN_STATUSES " DO NOTHING"
        " RETURNING to_char (received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
    return 0;
}

char *
intake_open_referral (kw_db_t *db, const char *region, const char *nhs_number,
                      kw_arena_t *arena, int *failed)
{
    const char *params [2] = { region, nhs_number };
    PGresult *res = kw_db_query (db, "referral_open_for_child", 2, params);
    *failed = !res;
    if (!res)
        return NULL;
    char *id = PQntuples (res) > 0 ? kw_arena_strdup (arena, PQgetvalue (res, 0, 0)) : NULL;
    PQclear (res);
    return id;
}

int
intake_store (kw_db_t *db, const Kw__Caller *caller, const Kw__ReferralBody *body,
              kw_arena_t *arena, char *id, char *received_at)
{
    kw_uuid_generate (id);
    size_t size;
    uint8_t *packed = kw_arena_pack (arena, &body->base, &size);
    const char *values [7] = { id, caller->region, body->child->nhs_number,
                               record_source_name (body->source),
                               caller->sub ? caller->sub : "", caller->role, (const char *) packed };
    int lengths [7] = { 0, 0, 0, 0, 0, 0, (int) size };
    int formats [7] = { 0, 0, 0, 0, 0, 0, 1 };
    //  Stored to the microsecond (lists keep the order referrals came in),
    //  shown to the second. No row: the child has an open referral (one
    //  made concurrently is waited for).
    PGresult *res = kw_db_queryb (db, "referral_insert", 7, values, lengths, formats, 0);
    if (!res)
        return -1;
    int stored = PQntuples (res) == 1;
    if (stored)
        snprintf (received_at, KW_TIME_RFC3339_SIZE, "%s", PQgetvalue (res, 0, 0));
    PQclear (res);
    if (!stored)
        return 1;
    Kw__ReferralReceived event = KW__REFERRAL_RECEIVED__INIT;
    event.referral_id = id;
    event.region = caller->region;
    event.received_at = received_at;
    event.referral = record_event_body (body, arena);
    event.has_revision = 1;
    //  The event and the audit row in one statement (one round trip).
    const char *audit [4] = { caller->sub ? caller->sub : "", caller->role ? caller->role : "",
                              caller->region ? caller->region : "", id };
    return kw_outbox_insert_with (db, "referral_received", AUDIT_CREATE_ROW, KW_PRODUCER_REFERRAL,
                                  KW_EVENT_REFERRAL_RECEIVED, caller->region, id, &event.base, 4, audit, NULL);
}

typedef struct {
    Kw__ReferralBody *body;
    char id [KW_UUID_SIZE];             //  the referral made
} create_t;

//  Any role may refer; a referral with source dsr is made by a DSR feed or
//  a coordinator, a self-referral by the family or recorded by a coordinator.
static int
s_create_authorise (kw_tx_t *tx)
{
    static const char *const roles [] = { "admin", "coordinator", "referrer", "family",
                                          "dsr_feed", "key_worker", NULL };
    static const char *const dsr_roles [] = { "admin", "coordinator", "dsr_feed", NULL };
    const Kw__ReferralBody *body = ((create_t *) tx->arg)->body;
    const char *role = tx->req->caller->role;
    if (!kw_rpc_role_allowed (tx->req, tx->resp, tx->arena, roles, NULL,
                              "this role may not create referrals"))
        return 0;
    if (body->source == KW__SOURCE__SOURCE_DSR
    &&  !kw_rpc_role_allowed (tx->req, tx->resp, tx->arena, dsr_roles, "source",
                              "only a DSR feed or a coordinator may make a referral with source dsr"))
        return 0;
    if (body->source == KW__SOURCE__SOURCE_SELF && strcmp (role, "family") != 0
    &&  !kw_jwt_role_in (role, dsr_roles)) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_FORBIDDEN, "source",
                            "a self-referral is made by the family or recorded by a coordinator");
        return 0;
    }
    return 1;
}

//  At most one open referral per child and region: the insert finds the
//  open one, read only then for the answer.
static int
s_create_write (kw_tx_t *tx)
{
    create_t *self = tx->arg;
    const Kw__ReferralBody *body = self->body;
    const Kw__Caller *caller = tx->req->caller;
    char received_at [KW_TIME_RFC3339_SIZE];
    int stored = intake_store (tx->db, caller, body, tx->arena, self->id, received_at);
    if (stored < 0)
        return -1;
    if (stored > 0) {
        int failed;
        char *existing = intake_open_referral (tx->db, caller->region, body->child->nhs_number,
                                               tx->arena, &failed);
        if (failed)
            return -1;
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "child.nhs_number",
                            "an open referral already exists for this child in the region");
        tx->resp->code = "duplicate_referral";
        //  Only those who may read any referral of the region learn its id.
        static const char *const see_existing [] = { "admin", "coordinator", NULL };
        if (kw_jwt_role_in (caller->role, see_existing))
            tx->resp->existing_id = existing;
        return 0;
    }
    Kw__ReferralCreated created = KW__REFERRAL_CREATED__INIT;
    created.id = self->id;
    created.has_status = 1;
    created.status = KW__REFERRAL_STATUS__REFERRAL_STATUS_RECEIVED;
    created.received_at = received_at;
    created.region = caller->region;
    kw_rpc_reply_ok (tx->resp, tx->arena, &created.base);
    return 0;
}

void
intake_create (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t create = {
        .name = "referral_create", .what = "referral",
        .authorise = s_create_authorise, .write = s_create_write,
    };
    create_t self = { .body = (Kw__ReferralBody *)
        kw_rpc_unpack (req, resp, arena, &kw__referral_body__descriptor) };
    if (!self.body)
        return;
    int ty, tm, td;
    kw_date_today_utc (&ty, &tm, &td);
    kw_field_errors_t errs;
    if (validate_referral (self.body, ty, tm, td, &errs) != 0) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    validate_normalise (self.body, arena);
    if (kw_tx_run (&create, svc, req, resp, arena, &self))
        kw_info ("referral_created", "referral_id", self.id, "region", req->caller->region);
}

void
intake_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return;
    kw_db_t *db = kw_service_db (svc);
    Kw__Referral *out = record_load (db, req, in->id, "read", resp, arena);
    if (!out)
        return;
    if (kw_audit_read (db, req->caller, "read", "referral", in->id, "ok", resp, arena) != 0)
        return;
    kw_rpc_reply_ok (resp, arena, &out->base);
}
