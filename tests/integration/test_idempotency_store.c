/*  Tests of kw_idempotency against the test stack's PostgreSQL
    (KW_TEST_DB_URL), on a session's own idempotency table: an answer kept
    with the transaction's COMMIT is replayed; a live answer already kept
    under the key (a concurrent request) fails that COMMIT with
    KW_IDEMPOTENCY_HELD and leaves the kept answer alone; an expired one gives
    way; a request without a key keeps nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_db.h"
#include "kw_idempotency.h"
#include "kw_log.h"
#include "tap.h"

static int
s_rows (kw_db_t *db, const char *sql)
{
    return kw_db_exec_count (db, sql, 0, NULL, NULL, NULL);
}

int
main (void)
{
    kw_log_init ("test_idempotency_store", KW_LOG_ERROR);
    const char *url = tap_db_url ();
    kw_db_t *db = kw_db_new (url, NULL, "test_idempotency_store");
    is_int (kw_db_connect (db, 5000), 0, "connects");
    is_int (kw_db_exec (db, "CREATE TEMP TABLE idempotency (caller_sub text NOT NULL, caller_role text NOT NULL,"
                            " caller_region text NOT NULL, key text NOT NULL, method text NOT NULL,"
                            " request_hash bytea NOT NULL, response bytea NOT NULL,"
                            " created_at timestamptz NOT NULL DEFAULT now (),"
                            " PRIMARY KEY (caller_sub, caller_role, caller_region, key))", 0, NULL),
            0, "a session's idempotency table");
    const char *schema = "pg_temp";
    kw_arena_t *arena = kw_arena_new (4096);

    Kw__Caller caller = KW__CALLER__INIT;
    caller.sub = "someone";
    caller.role = "coordinator";
    caller.region = "norfolk";
    Kw__Request req = KW__REQUEST__INIT;
    req.method = "referral.create";
    req.caller = &caller;
    req.idempotency_key = "k1";
    req.payload.data = (uint8_t *) "body";
    req.payload.len = 4;
    unsigned char hash [KW_IDEMPOTENCY_HASH_SIZE];
    kw_idempotency_hash (&req, hash);
    Kw__Response first = KW__RESPONSE__INIT;
    first.status = KW__STATUS__STATUS_OK;
    first.message = "first";

    kw_db_begin (db);
    Kw__Response resp = KW__RESPONSE__INIT;
    is_int (kw_idempotency_replay (db, schema, &req, hash, &resp, arena), 0, "no answer kept yet");
    is_int (kw_idempotency_store (db, schema, &req, hash, &first, arena), 0, "the answer sent to be kept");
    is_int (kw_db_commit (db), 0, "and kept with the COMMIT");
    is_int (s_rows (db, "SELECT 1 FROM pg_temp.idempotency WHERE key = 'k1'"), 1, "one row");

    kw_db_begin (db);
    is_int (kw_idempotency_replay (db, schema, &req, hash, &resp, arena), 1, "the answer is replayed");
    is_str (resp.message, "first", "the kept one");
    kw_db_rollback (db);

    //  Another request with the key got as far as keeping its answer: the
    //  answer kept is live, so this transaction must not commit.
    Kw__Response second = KW__RESPONSE__INIT;
    second.status = KW__STATUS__STATUS_OK;
    second.message = "second";
    kw_db_begin (db);
    kw_db_exec (db, "CREATE TEMP TABLE effects (x int)", 0, NULL);
    is_int (kw_idempotency_store (db, schema, &req, hash, &second, arena), 0, "a second answer sent");
    is_int (kw_db_commit (db), -1, "a live answer under the key fails the COMMIT");
    is_str (kw_db_sqlstate (db), KW_IDEMPOTENCY_HELD, "with KW_IDEMPOTENCY_HELD");
    kw_db_rollback (db);
    ok (s_rows (db, "SELECT 1 FROM pg_temp.effects") < 0, "nothing of that transaction was kept");
    kw_db_begin (db);
    kw_idempotency_replay (db, schema, &req, hash, &resp, arena);
    is_str (resp.message, "first", "and the first answer stays");
    kw_db_rollback (db);

    s_rows (db, "UPDATE pg_temp.idempotency SET created_at = now () - interval '25 hours'");
    kw_db_begin (db);
    is_int (kw_idempotency_replay (db, schema, &req, hash, &resp, arena), 0, "an expired answer is not replayed");
    kw_idempotency_store (db, schema, &req, hash, &second, arena);
    is_int (kw_db_commit (db), 0, "and gives way to a new one");
    kw_db_begin (db);
    kw_idempotency_replay (db, schema, &req, hash, &resp, arena);
    is_str (resp.message, "second", "which is replayed");
    kw_db_rollback (db);

    req.idempotency_key = NULL;
    kw_db_begin (db);
    is_int (kw_idempotency_store (db, schema, &req, hash, &first, arena), 0, "without a key");
    is_int (kw_db_commit (db), 0, "commits");
    is_int (s_rows (db, "SELECT 1 FROM pg_temp.idempotency"), 1, "and keeps nothing");

    kw_arena_destroy (&arena);
    kw_db_destroy (&db);
    return tap_done ();
}
