/*  kw_idempotency: the answers kept for requests that carried an
    Idempotency-Key (see kw_idempotency.h). The statements are registered
    on first use, named after the schema they read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_idempotency.h"
#include "kw_rpc.h"

#define SQL_SIZE 640
#define NAME_SIZE 96

//  The name of statement verb over schema, registered with sql (a format
//  taking the schema) on first use.
static const char *
s_statement (kw_db_t *db, const char *schema, const char *verb, const char *sql, char *name)
{
    snprintf (name, NAME_SIZE, "kw_idempotency_%s:%s", verb, schema);
    char text [SQL_SIZE];
    snprintf (text, sizeof text, sql, schema);
    kw_db_prepare (db, name, text);
    return name;
}

static const char *
s_text (const char *s)
{
    return s ? s : "";
}

void
kw_idempotency_hash (const Kw__Request *req, unsigned char hash [KW_IDEMPOTENCY_HASH_SIZE])
{
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init (&state);
    const char *method = s_text (req->method);
    crypto_hash_sha256_update (&state, (const unsigned char *) method, strlen (method) + 1);
    crypto_hash_sha256_update (&state, req->payload.data, req->payload.len);
    crypto_hash_sha256_final (&state, hash);
}

int
kw_idempotency_replay (kw_db_t *db, const char *schema, const Kw__Request *req,
                       const unsigned char *hash, Kw__Response *resp, kw_arena_t *arena)
{
    if (!req->idempotency_key || !*req->idempotency_key)
        return 0;
    char name [NAME_SIZE];
    s_statement (db, schema, "get",
        "SELECT method, request_hash, response FROM %s.idempotency"
        " WHERE caller_sub = $1 AND caller_role = $2 AND caller_region = $3 AND key = $4"
        " AND created_at > now () - interval '" KW_IDEMPOTENCY_TTL "'", name);
    const Kw__Caller *caller = req->caller;
    const char *params [4] = { s_text (caller->sub), s_text (caller->role), s_text (caller->region),
                               req->idempotency_key };
    PGresult *res = kw_db_queryb (db, name, 4, params, NULL, NULL, 1);
    if (!res)
        return -1;
    if (PQntuples (res) == 0) {
        PQclear (res);
        return 0;
    }
    const char *method = s_text (req->method);
    int same = (size_t) PQgetlength (res, 0, 0) == strlen (method)
            && memcmp (PQgetvalue (res, 0, 0), method, strlen (method)) == 0
            && PQgetlength (res, 0, 1) == KW_IDEMPOTENCY_HASH_SIZE
            && memcmp (PQgetvalue (res, 0, 1), hash, KW_IDEMPOTENCY_HASH_SIZE) == 0;
    if (!same) {
        PQclear (res);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_CONFLICT, "Idempotency-Key",
                            "Idempotency-Key was already used with a different request");
        resp->code = "idempotency_key_reused";
        return 1;
    }
    Kw__Response *stored = kw__response__unpack (kw_arena_allocator (arena),
                                                 (size_t) PQgetlength (res, 0, 2),
                                                 (const uint8_t *) PQgetvalue (res, 0, 2));
    PQclear (res);
    if (!stored)
        return -1;
    *resp = *stored;
    return 1;
}

int
kw_idempotency_store (kw_db_t *db, const char *schema, const Kw__Request *req,
                      const unsigned char *hash, const Kw__Response *resp, kw_arena_t *arena)
{
    if (!req->idempotency_key || !*req->idempotency_key)
        return 0;
    char name [NAME_SIZE];
    //  An expired answer under the key gives way; a live one (a concurrent
    //  request with the key) is left alone, nothing is written and the
    //  statement fails (division by zero), so the COMMIT sent with it does not
    //  commit.
    s_statement (db, schema, "put",
        "WITH put AS (INSERT INTO %s.idempotency AS i (caller_sub, caller_role, caller_region, key,"
        " method, request_hash, response) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (caller_sub, caller_role, caller_region, key) DO UPDATE SET"
        " method = EXCLUDED.method, request_hash = EXCLUDED.request_hash,"
        " response = EXCLUDED.response, created_at = now ()"
        " WHERE i.created_at <= now () - interval '" KW_IDEMPOTENCY_TTL "' RETURNING 1)"
        " SELECT 1 / count(*) FROM put", name);
    size_t size;
    uint8_t *buf = kw_arena_pack (arena, &resp->base, &size);
    const Kw__Caller *caller = req->caller;
    const char *values [7] = { s_text (caller->sub), s_text (caller->role), s_text (caller->region),
                               req->idempotency_key, s_text (req->method), (const char *) hash,
                               (const char *) buf };
    int lengths [7] = { 0, 0, 0, 0, 0, KW_IDEMPOTENCY_HASH_SIZE, (int) size };
    int formats [7] = { 0, 0, 0, 0, 0, 1, 1 };
    return kw_db_defer (db, name, 7, values, lengths, formats, 1);
}

int
kw_idempotency_prune (kw_db_t *db, const char *schema)
{
    char name [NAME_SIZE];
    s_statement (db, schema, "prune",
        "DELETE FROM %s.idempotency WHERE created_at <= now () - interval '" KW_IDEMPOTENCY_TTL "'",
        name);
    return kw_db_exec_count (db, name, 0, NULL, NULL, NULL);
}
