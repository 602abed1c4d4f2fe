/*  kw_idempotency: the answers kept for requests that carried an
    Idempotency-Key, in the service's own <schema>.idempotency table
    (caller_sub, caller_role, caller_region, key, method, request_hash,
    response, created_at; key (caller_sub, caller_role, caller_region, key)).
    A key belongs to one caller identity (sub, role and region) and one
    request (method and payload): the same key from another identity is
    another key; with another method or payload it is a conflict. Answers
    are kept KW_IDEMPOTENCY_TTL: an older one is never replayed, its key may
    be used again, and kw_idempotency_prune deletes it. kw_tx replays an
    answer only after the handler has authorised the caller. */
#ifndef KW_IDEMPOTENCY_H
#define KW_IDEMPOTENCY_H

#include <sodium.h>
#include "kw_arena.h"
#include "kw_db.h"
#include "kw/rpc.pb-c.h"

#define KW_IDEMPOTENCY_HASH_SIZE crypto_hash_sha256_BYTES
//  How long an answer is replayed (a PostgreSQL interval).
#define KW_IDEMPOTENCY_TTL "24 hours"

//  The request's identity under its key: method and payload.
void kw_idempotency_hash (const Kw__Request *req, unsigned char hash [KW_IDEMPOTENCY_HASH_SIZE]);
//  In the open transaction: 1 when resp was filled from the answer kept
//  for this caller's key (or with the conflict of a key used for another
//  request), 0 when there is none younger than the TTL or the request has
//  no key, -1 on a database error.
int kw_idempotency_replay (kw_db_t *db, const char *schema, const Kw__Request *req,
                           const unsigned char *hash, Kw__Response *resp, kw_arena_t *arena);
//  The SQLSTATE the transaction's COMMIT fails with when a live answer is
//  kept under the key already (a concurrent request): division by zero.
#define KW_IDEMPOTENCY_HELD "22012"
//  Keep resp as the answer to this caller's key, in the open transaction
//  (no-op without a key); an expired answer under the key is replaced. The
//  row goes with the COMMIT (kw_db_defer): when a live answer is kept under
//  the key already, the statement fails with KW_IDEMPOTENCY_HELD and the
//  transaction does not commit. 0, or -1 when it cannot be sent.
int kw_idempotency_store (kw_db_t *db, const char *schema, const Kw__Request *req,
                          const unsigned char *hash, const Kw__Response *resp, kw_arena_t *arena);
//  Delete the answers older than the TTL: how many, or -1 on a database error.
int kw_idempotency_prune (kw_db_t *db, const char *schema);

#endif
