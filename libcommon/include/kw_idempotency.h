/*  kw_idempotency: the stored answers of POSTs that carried an
    Idempotency-Key, in the service's own <schema>.idempotency table
    (caller, key, request_hash, response, created_at; key (caller, key)). */
#ifndef KW_IDEMPOTENCY_H
#define KW_IDEMPOTENCY_H

#include <sodium.h>
#include "kw_db.h"
#include "kw_rpc.h"

#define KW_IDEMPOTENCY_HASH_SIZE crypto_hash_sha256_BYTES

int kw_idempotency_prepare (kw_db_t *db, const char *schema);
//  The request's identity under its key: method and payload.
void kw_idempotency_hash (const Kw__Request *req, unsigned char hash [KW_IDEMPOTENCY_HASH_SIZE]);
//  In the open transaction: 1 when resp was filled from an earlier answer
//  to this caller's key (or with a conflict), 0 when there is none or the
//  request has no key, -1 on a database error.
int kw_idempotency_replay (kw_db_t *db, const Kw__Request *req, const unsigned char *hash,
                           Kw__Response *resp, kw_arena_t *arena);
//  Keep resp as the answer to this key (no-op without a key): 0 or -1.
int kw_idempotency_store (kw_db_t *db, const Kw__Request *req, const unsigned char *hash,
                          const Kw__Response *resp, kw_arena_t *arena);

#endif
