/*  Tests of kw_outbox against the test stack's PostgreSQL: events written in
    a transaction are numbered gaplessly in commit order and published by the
    relay as [topic][Envelope]; rolled-back events never appear; an event not
    yet committed is not published; NOTIFY wakes the relay; batches are
    numbered in order with the single inserts; an event with a write of its
    own (kw_outbox_insert_with) stands or falls with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>
#include "kw/rpc.pb-c.h"
#include "kw_db.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_relay.h"
#include "kw_shutdown.h"
#include "tap.h"

static int
s_insert (kw_db_t *db, const char *producer, const char *id, int commit)
{
    Kw__IdRequest msg = KW__ID_REQUEST__INIT;
    msg.id = (char *) id;
    if (kw_db_begin (db) != 0)
        return -1;
    if (kw_outbox_insert (db, producer, "thing_done", "norfolk", id, &msg.base, NULL) != 0) {
        kw_db_rollback (db);
        return -1;
    }
    if (commit)
        return kw_db_commit (db);
    kw_db_rollback (db);
    return 0;
}

//  Receive every waiting [topic][Envelope]; record seqs and ids.
static int
s_receive (void *sub, uint64_t *seqs, char ids [][32], int max, char *topic_out)
{
    int n = 0;
    for (;;) {
        char topic [128];
        int tlen = zmq_recv (sub, topic, sizeof topic - 1, ZMQ_DONTWAIT);
        if (tlen < 0)
            break;
        topic [tlen] = 0;
        strcpy (topic_out, topic);
        zmq_msg_t body;
        zmq_msg_init (&body);
        zmq_msg_recv (&body, sub, 0);
        Kw__Envelope *env = kw__envelope__unpack (NULL, zmq_msg_size (&body), zmq_msg_data (&body));
        if (env && n < max) {
            seqs [n] = env->seq;
            Kw__IdRequest *msg = kw__id_request__unpack (NULL, env->payload.len, env->payload.data);
            snprintf (ids [n], 32, "%s", msg ? msg->id : "?");
            kw__id_request__free_unpacked (msg, NULL);
            n++;
        }
        kw__envelope__free_unpacked (env, NULL);
        zmq_msg_close (&body);
    }
    return n;
}

static void
s_stop_cb (uv_timer_t *timer)
{
    uv_stop (timer->loop);
}

int
main (void)
{
    kw_log_init ("test_outbox", KW_LOG_ERROR);
    const char *url = tap_db_url ();
    char producer [32];
    snprintf (producer, sizeof producer, "t%d", (int) getpid ());
    kw_db_t *db = kw_db_new (url, NULL, "test_outbox");
    kw_db_t *other = kw_db_new (url, NULL, "test_outbox_other");
    kw_db_connect (db, 5000);
    kw_db_connect (other, 5000);

    void *ctx = zmq_ctx_new ();
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    zmq_bind (pub, "inproc://outbox");
    zmq_connect (sub, "inproc://outbox");
    char prefix [40];
    snprintf (prefix, sizeof prefix, "%s.", producer);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, prefix, strlen (prefix));
    usleep (50000);

    uv_loop_t loop;
    uv_loop_init (&loop);
    uv_timer_t timer;
    uv_timer_init (&loop, &timer);
    is_int (s_insert (db, producer, "a", 1), 0, "event a committed");
    is_int (s_insert (db, producer, "b", 1), 0, "event b committed");
    is_int (s_insert (db, producer, "never", 0), 0, "event 'never' rolled back");
    is_int (s_insert (db, producer, "c", 1), 0, "event c committed");

    kw_relay_t *relay = kw_relay_new (&loop, db, url, NULL, pub, producer, 60000);
    uv_timer_start (&timer, s_stop_cb, 200, 0);
    uv_run (&loop, UV_RUN_DEFAULT);           //  the first pass runs at start
    uint64_t seqs [16];
    char ids [16][32];
    char topic [128] = "";
    int n = s_receive (sub, seqs, ids, 16, topic);
    is_int (n, 3, "three events published");
    ok (n == 3 && seqs [0] == 1 && seqs [1] == 2 && seqs [2] == 3, "numbered 1, 2, 3");
    ok (n == 3 && !strcmp (ids [0], "a") && !strcmp (ids [1], "b") && !strcmp (ids [2], "c"),
        "in commit order with their payloads");
    char want_topic [64];
    snprintf (want_topic, sizeof want_topic, "%s.thing_done", producer);
    is_str (topic, want_topic, "topic is producer.type");
    is_int (kw_relay_run_once (relay), 0, "nothing left to publish");

    //  An event whose transaction is still open is not published.
    const char *params [1] = { producer };
    Kw__IdRequest d = KW__ID_REQUEST__INIT;
    d.id = "d";
    kw_db_begin (other);
    kw_outbox_insert (other, producer, "thing_done", "norfolk", "d", &d.base, NULL);
    is_int (kw_relay_run_once (relay), 0, "an uncommitted event is not published");
    is_int (kw_db_commit (other), 0, "event d committed");

    //  NOTIFY wakes the relay: a commit from another connection (another
    //  instance of the producer) is published without waiting for the
    //  (one minute) timer.
    kw_outbox_set_notify (1);
    s_insert (other, producer, "e", 1);
    uv_timer_start (&timer, s_stop_cb, 500, 0);
    uv_run (&loop, UV_RUN_DEFAULT);
    n = s_receive (sub, seqs, ids, 16, topic);
    ok (n == 2 && seqs [0] == 4 && seqs [1] == 5 && !strcmp (ids [1], "e"),
        "NOTIFY woke the relay: d and e published as 4 and 5 (%d)", n);

    PGresult *res = kw_db_query (db,
        "SELECT count(*), min(seq), max(seq), count(DISTINCT seq) FROM bus.outbox WHERE producer = $1",
        1, params);
    ok (res && !strcmp (PQgetvalue (res, 0, 0), "5") && !strcmp (PQgetvalue (res, 0, 1), "1")
        && !strcmp (PQgetvalue (res, 0, 2), "5") && !strcmp (PQgetvalue (res, 0, 3), "5"),
        "bus.outbox holds 5 events numbered 1..5 without gaps");
    PQclear (res);
    res = kw_db_query (db, "SELECT last_seq FROM bus.producers WHERE producer = $1", 1, params);
    is_str (res ? PQgetvalue (res, 0, 0) : NULL, "5", "the producer's counter is 5");
    PQclear (res);
    ok (kw_relay_published (relay) == 5, "the relay counted 5");
    kw_outbox_set_notify (0);

    //  A batch: numbered after what came before, in the order added, with
    //  text that needs escaping in COPY; two batches in one transaction; a
    //  rolled-back batch leaves no gap.
    kw_outbox_batch_t *batch = kw_outbox_batch_new (producer);
    static const char *const batch_ids [] = { "f", "tab\there", "back\\slash", "new\nline" };
    for (size_t i = 0; i < 4; i++) {
        Kw__IdRequest m = KW__ID_REQUEST__INIT;
        m.id = (char *) batch_ids [i];
        kw_outbox_batch_add (batch, "thing_done", "norfolk", batch_ids [i], &m.base);
    }
    is_int ((int) kw_outbox_batch_size (batch), 4, "four events in the batch");
    kw_db_begin (db);
    int rc = kw_outbox_batch_insert (batch, db);
    kw_outbox_batch_t *second = kw_outbox_batch_new (producer);
    Kw__IdRequest last = KW__ID_REQUEST__INIT;
    last.id = "j";
    kw_outbox_batch_add (second, "thing_done", "norfolk", "j", &last.base);
    rc |= kw_outbox_batch_insert (second, db);
    is_int (rc == 0 ? kw_db_commit (db) : -1, 0, "two batches written and committed in one transaction");
    kw_db_begin (db);
    kw_outbox_batch_insert (batch, db);
    kw_db_rollback (db);
    s_insert (db, producer, "k", 1);
    is_int (kw_relay_run_once (relay), 6, "the relay publishes the 6 new events");
    n = s_receive (sub, seqs, ids, 16, topic);
    ok (n == 6 && seqs [0] == 6 && seqs [5] == 11 && !strcmp (ids [0], "f") && !strcmp (ids [1], "tab\there")
        && !strcmp (ids [2], "back\\slash") && !strcmp (ids [3], "new\nline") && !strcmp (ids [4], "j")
        && !strcmp (ids [5], "k"), "numbered 6..11 in order, the payloads intact (%d)", n);
    res = kw_db_query (db, "SELECT count(*) FROM bus.outbox WHERE producer = $1 AND correlation_id = 'tab\there'",
                       1, params);
    is_str (res ? PQgetvalue (res, 0, 0) : NULL, "1", "the correlation id with a tab is stored as given");
    PQclear (res);
    kw_outbox_batch_destroy (&batch);
    kw_outbox_batch_destroy (&second);
    kw_outbox_batch_destroy (&second);

    //  An event with a write of its own in the same statement: both are
    //  written, numbered next; when that write fails, neither is, and no
    //  number is used.
    kw_db_exec (db, "CREATE TEMP TABLE outbox_also (event_id uuid, kind text, note text)", 0, NULL);
    Kw__IdRequest noted = KW__ID_REQUEST__INIT;
    noted.id = "l";
    const char *extra [1] = { "noted" };
    char event_id [40] = "";
    kw_db_begin (db);
    rc = kw_outbox_insert_with (db, "test_outbox_also", "INSERT INTO outbox_also VALUES ($2::uuid, $3, $7)",
                                producer, "thing_noted", "norfolk", "l", &noted.base, 1, extra, event_id);
    is_int (rc == 0 ? kw_db_commit (db) : -1, 0, "an event and its own write committed");
    const char *also_params [2] = { producer, event_id };
    res = kw_db_query (db, "SELECT o.seq, a.kind, a.note FROM bus.outbox o JOIN outbox_also a"
                       " ON a.event_id = o.event_id WHERE o.producer = $1 AND o.event_id = $2::uuid", 2, also_params);
    ok (res && PQntuples (res) == 1 && !strcmp (PQgetvalue (res, 0, 0), "12")
        && !strcmp (PQgetvalue (res, 0, 1), "thing_noted") && !strcmp (PQgetvalue (res, 0, 2), "noted"),
        "the write names the event (id, type) and its own parameter; the event is numbered 12");
    PQclear (res);
    kw_db_begin (db);
    const char *bad [1] = { "not a number" };
    rc = kw_outbox_insert_with (db, "test_outbox_also_bad", "INSERT INTO outbox_also VALUES ($2::uuid, $3, $7::int::text)",
                                producer, "thing_noted", "norfolk", "l", &noted.base, 1, bad, NULL);
    //  The insert is sent with the transaction's COMMIT (kw_db_defer).
    is_int (rc == 0 ? kw_db_commit (db) : rc, -1, "a failing write fails the event's insert and its transaction");
    kw_db_rollback (db);
    s_insert (db, producer, "m", 1);
    res = kw_db_query (db, "SELECT max(seq), count(*) FROM bus.outbox WHERE producer = $1", 1, params);
    ok (res && !strcmp (PQgetvalue (res, 0, 0), "13") && !strcmp (PQgetvalue (res, 0, 1), "13"),
        "and uses no number: the next event is 13");
    PQclear (res);

    kw_db_exec (db, "DELETE FROM bus.outbox WHERE producer = $1", 1, params);
    kw_db_exec (db, "DELETE FROM bus.producers WHERE producer = $1", 1, params);
    kw_relay_destroy (&relay);
    uv_close ((uv_handle_t *) &timer, NULL);
    is_int (kw_loop_finish (&loop), 0, "loop closes cleanly");
    zmq_close (pub);
    zmq_close (sub);
    zmq_ctx_term (ctx);
    kw_db_destroy (&other);
    kw_db_destroy (&db);
    return tap_done ();
}
