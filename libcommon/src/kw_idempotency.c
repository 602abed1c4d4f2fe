/*  kw_idempotency: the stored answers of POSTs that carried an
    Idempotency-Key. A key belongs to its caller; the request is identified
    by the method and the packed payload, so the same key with another body
    or on another endpoint is a conflict. */
#include <stdio.h>
#include <string.h>
#include "kw_idempotency.h"

int
kw_idempotency_prepare (kw_db_t *db, const char *schema)
{
    char sql [256];
    snprintf (sql, sizeof sql,
        "SELECT request_hash, response FROM %s.idempotency WHERE caller = $1 AND key = $2", schema);
    kw_db_prepare (db, "kw_idem_get", sql);
    snprintf (sql, sizeof sql,
        "INSERT INTO %s.idempotency (caller, key, request_hash, response) VALUES ($1, $2, $3, $4)",
        schema);
    kw_db_prepare (db, "kw_idem_put", sql);
    return 0;
}

void
kw_idempotency_hash (const Kw__Request *req, unsigned char hash [KW_IDEMPOTENCY_HASH_SIZE])
{
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init (&state);
    crypto_hash_sha256_update (&state, (const unsigned char *) req->method, strlen (req->method) + 1);
    crypto_hash_sha256_update (&state, req->payload.data, req->payload.len);
    crypto_hash_sha256_final (&state, hash);
}

int
kw_idempotency_replay (kw_db_t *db, const Kw__Request *req, const unsigned char *hash,
                    Kw__Response *resp, kw_arena_t *arena)
{
    if (!req->idempotency_key || !*req->idempotency_key)
        return 0;
    const char *params [2] = { req->caller->sub, req->idempotency_key };
    PGresult *res = kw_db_queryb (db, "kw_idem_get", 2, params, NULL, NULL, 1);
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
                            "Idempotency-Key was already used with a different request");
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

int
kw_idempotency_store (kw_db_t *db, const Kw__Request *req, const unsigned char *hash,
                   const Kw__Response *resp, kw_arena_t *arena)
{
    if (!req->idempotency_key || !*req->idempotency_key)
        return 0;
    size_t size = kw__response__get_packed_size (resp);
    uint8_t *buf = kw_arena_alloc (arena, size ? size : 1);
    kw__response__pack (resp, buf);
    const char *values [4] = { req->caller->sub, req->idempotency_key, (const char *) hash,
                               (const char *) buf };
    int lengths [4] = { 0, 0, crypto_hash_sha256_BYTES, (int) size };
    int formats [4] = { 0, 0, 1, 1 };
    PGresult *res = kw_db_queryb (db, "kw_idem_put", 4, values, lengths, formats, 0);
    if (!res)
        return -1;
    PQclear (res);
    return 0;
}
