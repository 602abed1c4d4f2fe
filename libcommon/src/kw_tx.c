/*  kw_tx: a write handler's transaction: authorise, replay, write, then
    commit with the answer kept and the relay woken, or fail with the
    answer a client retries on; and a job's transaction (see kw_tx.h). */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include "kw_idempotency.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_tx.h"

//  Roll back and answer the failure: the handler's conflict for a unique
//  violation, else the retry answer. reason NULL: the database's error.
static int
s_fail (const kw_tx_def_t *def, kw_tx_t *tx, const char *reason)
{
    char event [96];
    snprintf (event, sizeof event, "%s_failed", def->name);
    kw_warn (event, "reason", reason ? reason : kw_db_error (tx->db));
    int unique = !reason && strcmp (kw_db_sqlstate (tx->db), "23505") == 0;
    kw_db_rollback (tx->db);
    if (unique && def->unique_field)
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, def->unique_field,
                            "%s", def->unique_message);
    else
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_UNAVAILABLE, NULL,
                            "the %s could not be stored; retry with the same Idempotency-Key",
                            def->what);
    return 0;
}

int
kw_tx_run (const kw_tx_def_t *def, kw_service_t *svc, const Kw__Request *req,
           Kw__Response *resp, kw_arena_t *arena, void *arg)
{
    //  The relay is woken when the transaction wrote an event (and perhaps
    //  when another thread did): a read or a refusal costs it no query.
    uint64_t written = kw_outbox_written ();
    int committed = kw_tx_run_on (def, svc, kw_service_db (svc), req, resp, arena, arg);
    if (kw_outbox_written () != written)
        kw_service_outbox_committed (svc);
    return committed;
}

int
kw_tx_run_on (const kw_tx_def_t *def, kw_service_t *svc, kw_db_t *db, const Kw__Request *req,
              Kw__Response *resp, kw_arena_t *arena, void *arg)
{
    assert (def && def->name && def->what && def->authorise && def->write);
    kw_tx_t tx = { .svc = svc, .db = db, .req = req, .resp = resp, .arena = arena, .arg = arg };
    const char *schema = kw_service_name (svc);
    if (kw_db_begin (tx.db) != 0)
        return s_fail (def, &tx, NULL);
    int allowed = def->authorise (&tx);
    if (allowed < 0)
        return s_fail (def, &tx, NULL);
    if (allowed == 0) {
        //  Refused: keep what the step wrote (the audit record of the refusal).
        if (resp->status == KW__STATUS__STATUS_OK)
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INTERNAL, NULL,
                                "refused without an answer");
        if (kw_db_commit (tx.db) != 0)
            return s_fail (def, &tx, NULL);
        return 0;
    }
    //  Only now, for a caller the handler has authorised.
    unsigned char hash [KW_IDEMPOTENCY_HASH_SIZE];
    kw_idempotency_hash (req, hash);
    int replayed = kw_idempotency_replay (tx.db, schema, req, hash, resp, arena);
    if (replayed < 0)
        return s_fail (def, &tx, NULL);
    if (replayed) {
        kw_db_rollback (tx.db);
        return 0;
    }
    if (def->write (&tx) != 0)
        return s_fail (def, &tx, NULL);
    //  The answer kept goes with the COMMIT, one round trip.
    if (resp->status == KW__STATUS__STATUS_OK
    &&  kw_idempotency_store (tx.db, schema, req, hash, resp, arena) != 0)
        return s_fail (def, &tx, NULL);
    if (kw_db_commit (tx.db) != 0)
        return s_fail (def, &tx, strcmp (kw_db_sqlstate (tx.db), KW_IDEMPOTENCY_HELD) == 0
                                 ? "a concurrent request holds the Idempotency-Key" : NULL);
    return resp->status == KW__STATUS__STATUS_OK;
}

int
kw_tx_job (kw_service_t *svc, int (*work) (kw_db_t *db, void *arg), void *arg)
{
    kw_db_t *db = kw_service_db (svc);
    if (kw_db_begin (db) != 0)
        return -1;
    uint64_t written = kw_outbox_written ();
    int rc = work (db, arg);
    if (rc < 0 || kw_db_commit (db) != 0) {
        kw_db_rollback (db);
        return -1;
    }
    if (kw_outbox_written () != written)
        kw_service_outbox_committed (svc);
    return rc;
}
