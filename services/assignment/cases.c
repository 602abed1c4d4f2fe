/*  cases: reading a case with its key worker and offers over RPC. A caller
    sees cases of its own region; a key worker only cases they hold or were
    offered. */
#include <string.h>
#include "kw/assignment.pb-c.h"
#include "kw_audit.h"
#include "kw_uuid.h"
#include "assignment.h"

#define TS(col) "to_char (" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

int
cases_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "case_get",
        "SELECT c.referral_id, c.region, c.status, " TS ("c.opened_at") ", " TS ("c.closed_at") ","
        " c.close_reason, p.id, p.name, p.email"
        " FROM assignment.cases c LEFT JOIN assignment.professionals p ON p.id = c.key_worker_id"
        " WHERE c.id = $1::uuid");
    kw_db_prepare (db, "case_offers",
        "SELECT id, professional_id, status, " TS ("expires_at") ", " TS ("created_at")
        " FROM assignment.offers WHERE case_id = $1::uuid ORDER BY created_at, id");
    return 0;
}

static const struct { const char *name; int value; } CASE_STATUS [] = {
    { "awaiting_key_worker", KW__CASE_STATUS__CASE_STATUS_AWAITING_KEY_WORKER },
    { "offered", KW__CASE_STATUS__CASE_STATUS_OFFERED },
    { "active", KW__CASE_STATUS__CASE_STATUS_ACTIVE },
    { "closed", KW__CASE_STATUS__CASE_STATUS_CLOSED },
};

static const struct { const char *name; int value; } OFFER_STATUS [] = {
    { "pending", KW__OFFER_STATUS__OFFER_STATUS_PENDING },
    { "accepted", KW__OFFER_STATUS__OFFER_STATUS_ACCEPTED },
    { "declined", KW__OFFER_STATUS__OFFER_STATUS_DECLINED },
    { "expired", KW__OFFER_STATUS__OFFER_STATUS_EXPIRED },
};

#define LOOKUP(table, text, out) do { \
        for (size_t i_ = 0; i_ < sizeof (table) / sizeof (table) [0]; i_++) \
            if (strcmp ((table) [i_].name, (text)) == 0) (out) = (table) [i_].value; \
    } while (0)

static char *
s_value (PGresult *res, int row, int col, kw_arena_t *arena)
{
    return PQgetisnull (res, row, col) ? NULL : kw_arena_strdup (arena, PQgetvalue (res, row, col));
}

void
cases_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return;
    if (!in->id || !kw_uuid_valid (in->id)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such case");
        return;
    }
    kw_db_t *db = kw_service_db (svc);
    const char *params [1] = { in->id };
    PGresult *res = kw_db_query (db, "case_get", 1, params);
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    if (PQntuples (res) == 0 || strcmp (PQgetvalue (res, 0, 1), req->caller->region) != 0) {
        PQclear (res);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such case");
        return;
    }
    Kw__Case *out = kw_arena_calloc (arena, sizeof *out);
    kw__case__init (out);
    out->id = kw_arena_strdup (arena, in->id);
    out->referral_id = s_value (res, 0, 0, arena);
    out->region = s_value (res, 0, 1, arena);
    out->has_status = 1;
    LOOKUP (CASE_STATUS, PQgetvalue (res, 0, 2), out->status);
    out->opened_at = s_value (res, 0, 3, arena);
    out->closed_at = s_value (res, 0, 4, arena);
    out->close_reason = s_value (res, 0, 5, arena);
    if (!PQgetisnull (res, 0, 6)) {
        out->key_worker = kw_arena_calloc (arena, sizeof *out->key_worker);
        kw__key_worker__init (out->key_worker);
        out->key_worker->id = s_value (res, 0, 6, arena);
        out->key_worker->name = s_value (res, 0, 7, arena);
        out->key_worker->email = s_value (res, 0, 8, arena);
        out->key_worker->kind = "professional";
    }
    PQclear (res);

    res = kw_db_query (db, "case_offers", 1, params);
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    int involved = 0;
    const char *me = req->caller->professional_id;
    out->n_offers = (size_t) PQntuples (res);
    out->offers = kw_arena_calloc (arena, sizeof *out->offers * (out->n_offers ? out->n_offers : 1));
    for (size_t i = 0; i < out->n_offers; i++) {
        Kw__Offer *offer = kw_arena_calloc (arena, sizeof *offer);
        kw__offer__init (offer);
        offer->id = s_value (res, (int) i, 0, arena);
        offer->professional_id = s_value (res, (int) i, 1, arena);
        offer->has_status = 1;
        LOOKUP (OFFER_STATUS, PQgetvalue (res, (int) i, 2), offer->status);
        offer->expires_at = s_value (res, (int) i, 3, arena);
        offer->created_at = s_value (res, (int) i, 4, arena);
        out->offers [i] = offer;
        if (me && *me && strcmp (me, offer->professional_id) == 0)
            involved = 1;
    }
    PQclear (res);
    if (me && *me && out->key_worker && strcmp (me, out->key_worker->id) == 0)
        involved = 1;
    const char *role = req->caller->role;
    if (!(strcmp (role, "admin") == 0 || strcmp (role, "coordinator") == 0
          || (strcmp (role, "key_worker") == 0 && involved))) {
        kw_audit (db, req->caller, "read", "case", in->id, "forbidden");
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL,
                            "you may read only cases you are involved in");
        return;
    }
    kw_audit (db, req->caller, "read", "case", in->id, "ok");
    kw_rpc_reply_ok (resp, arena, &out->base);
}
