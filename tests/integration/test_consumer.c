/*  Tests of kw_consumer against the test stack's PostgreSQL: catch-up from
    bus.outbox on start, exactly-once application with the offset in the
    same transaction, a failed batch rolled back and retried, duplicates
    skipped, gaps filled from the table, a frame with no row in the table
    never applied, malformed frames ignored, frames of events already read
    causing no read; with topics set, events of other types passed over
    without a transaction and their offset written later. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>
#include "kw_consumer.h"
#include "kw_db.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_shutdown.h"
#include "tap.h"

static char s_table [64];
static int s_fail_once = 5;
static int s_failures;

static kw_apply_result_t
s_apply (kw_db_t *db, const Kw__Envelope *event, kw_arena_t *arena, void *arg)
{
    if ((int) event->seq == s_fail_once) {
        s_fail_once = 0;
        s_failures++;
        return KW_APPLY_RETRY;
    }
    char sql [128], seq [24];
    snprintf (sql, sizeof sql, "INSERT INTO %s (seq) VALUES ($1::bigint)", s_table);
    snprintf (seq, sizeof seq, "%llu", (unsigned long long) event->seq);
    const char *params [1] = { seq };
    return kw_db_exec (db, sql, 1, params) == 0 ? KW_APPLY_OK : KW_APPLY_RETRY;
}

//  Batches committed and the largest.
static size_t s_batches, s_largest;

static void
s_committed (size_t applied, void *arg)
{
    s_batches++;
    if (applied > s_largest)
        s_largest = applied;
}

static void
s_add_typed (kw_db_t *db, const char *producer, int seq, const char *type)
{
    char s [16];
    snprintf (s, sizeof s, "%d", seq);
    const char *params [3] = { producer, s, type };
    kw_db_exec (db, "INSERT INTO bus.outbox (producer, seq, event_id, type, payload)"
                    " VALUES ($1, $2::bigint, gen_random_uuid (), $3, '\\x')", 3, params);
}

static void
s_add_row (kw_db_t *db, const char *producer, int seq)
{
    s_add_typed (db, producer, seq, "ev");
}

static void
s_send (void *pub, const char *producer, int seq)
{
    Kw__Envelope env = KW__ENVELOPE__INIT;
    env.producer = (char *) producer;
    env.type = "ev";
    env.seq = (uint64_t) seq;
    env.event_id = "00000000-0000-4000-8000-000000000000";
    uint8_t buf [256];
    size_t len = kw__envelope__pack (&env, buf);
    char topic [64];
    snprintf (topic, sizeof topic, "%s.ev", producer);
    zmq_send (pub, topic, strlen (topic), ZMQ_SNDMORE);
    zmq_send (pub, buf, len, 0);
}

static void
s_stop_cb (uv_timer_t *timer)
{
    uv_stop (timer->loop);
}

static void
s_run_for (uv_loop_t *loop, uv_timer_t *timer, int ms)
{
    uv_timer_start (timer, s_stop_cb, ms, 0);
    uv_run (loop, UV_RUN_DEFAULT);
}

static char *
s_scalar (kw_db_t *db, const char *sql, const char *param)
{
    const char *params [1] = { param };
    PGresult *res = kw_db_query (db, sql, param ? 1 : 0, params);
    static char value [256];
    snprintf (value, sizeof value, "%s", res && PQntuples (res) ? PQgetvalue (res, 0, 0) : "(none)");
    PQclear (res);
    return value;
}

int
main (void)
{
    kw_log_init ("test_consumer", KW_LOG_ERROR);
    const char *url = tap_db_url ();
    char producer [32], consumer [32];
    snprintf (producer, sizeof producer, "p%d", (int) getpid ());
    snprintf (consumer, sizeof consumer, "c%d", (int) getpid ());
    snprintf (s_table, sizeof s_table, "public.applied_%d", (int) getpid ());
    kw_db_t *db = kw_db_new (url, NULL, "test_consumer");
    kw_db_t *setup = kw_db_new (url, NULL, "test_consumer_setup");
    kw_db_connect (db, 5000);
    kw_db_connect (setup, 5000);
    char create [128];
    snprintf (create, sizeof create, "CREATE TABLE %s (seq bigint NOT NULL)", s_table);
    kw_db_exec (setup, create, 0, NULL);
    for (int seq = 1; seq <= 10; seq++)
        s_add_row (setup, producer, seq);

    void *ctx = zmq_ctx_new ();
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    zmq_bind (pub, "inproc://consumer");
    uv_loop_t loop;
    uv_loop_init (&loop);
    uv_timer_t timer;
    uv_timer_init (&loop, &timer);
    const char *producers [] = { producer, NULL };
    char err [256] = "";
    kw_consumer_t *c = kw_consumer_new (&loop, db, ctx, "inproc://consumer", NULL, consumer, producers,
                                        s_apply, NULL, NULL, 200, err, sizeof err);
    ok (c != NULL, "consumer created (%s)", err);
    s_run_for (&loop, &timer, 800);
    is_int (s_failures, 1, "the batch with event 5 failed once");
    char count_sql [160];
    snprintf (count_sql, sizeof count_sql, "SELECT count(*) || '/' || count(DISTINCT seq) || '/' || max(seq) FROM %s", s_table);
    is_str (s_scalar (db, count_sql, NULL), "10/10/10", "after the retry events 1..10 are applied exactly once");
    char offset_sql [160];
    snprintf (offset_sql, sizeof offset_sql, "SELECT last_seq FROM bus.offsets WHERE consumer = '%s' AND producer = $1", consumer);
    is_str (s_scalar (db, offset_sql, producer), "10", "the offset is 10");

    //  The fast path: event 11 arrives on the socket (and is in the table).
    s_add_row (setup, producer, 11);
    s_send (pub, producer, 11);
    s_send (pub, producer, 11);                 //  duplicate
    s_send (pub, producer, 3);                  //  old
    s_run_for (&loop, &timer, 100);
    is_str (s_scalar (db, count_sql, NULL), "11/11/11", "event 11 applied once; duplicates skipped");

    //  A gap: 13 arrives, 12 never does on the socket; both come from the table.
    s_add_row (setup, producer, 12);
    s_add_row (setup, producer, 13);
    s_send (pub, producer, 13);
    s_run_for (&loop, &timer, 100);
    is_str (s_scalar (db, count_sql, NULL), "13/13/13", "the gap was filled from bus.outbox");

    //  Silence: 14 is committed but its frame is lost; the idle timer finds it.
    s_add_row (setup, producer, 14);
    s_run_for (&loop, &timer, 500);
    is_str (s_scalar (db, count_sql, NULL), "14/14/14", "an event whose frame was lost is found while idle");

    //  A frame is a wake-up, never a fact: event 15 with the next seq but no
    //  row (a forgery) is not applied; the genuine 15 is, once committed.
    s_send (pub, producer, 15);
    s_run_for (&loop, &timer, 300);
    is_str (s_scalar (db, offset_sql, producer), "14", "a frame with no row in bus.outbox is not applied");
    s_add_row (setup, producer, 15);
    s_send (pub, producer, 15);
    s_run_for (&loop, &timer, 100);
    is_str (s_scalar (db, count_sql, NULL), "15/15/15", "the genuine event 15 is applied");

    //  Malformed frames do not crash or stop the consumer.
    zmq_send (pub, "garbage", 7, 0);
    char topic [64];
    snprintf (topic, sizeof topic, "%s.ev", producer);
    zmq_send (pub, topic, strlen (topic), ZMQ_SNDMORE);
    zmq_send (pub, "\xff\xfe\xfd", 3, 0);
    s_add_row (setup, producer, 16);
    s_send (pub, producer, 16);
    s_run_for (&loop, &timer, 100);
    is_str (s_scalar (db, count_sql, NULL), "16/16/16", "malformed frames are ignored, the next event applies");
    ok (kw_consumer_applied (c) == 16, "the consumer counted 16");

    //  A restarted consumer starts from its offset: nothing is applied twice.
    kw_consumer_destroy (&c);
    s_fail_once = 0;
    c = kw_consumer_new (&loop, db, ctx, "inproc://consumer", NULL, consumer, producers,
                         s_apply, NULL, NULL, 200, err, sizeof err);
    s_run_for (&loop, &timer, 300);
    is_str (s_scalar (db, count_sql, NULL), "16/16/16", "a restart applies nothing twice");

    //  Smaller batches: a backlog of 10 is applied 4 events a transaction.
    kw_consumer_destroy (&c);
    for (int seq = 17; seq <= 26; seq++)
        s_add_row (setup, producer, seq);
    c = kw_consumer_new (&loop, db, ctx, "inproc://consumer", NULL, consumer, producers,
                         s_apply, s_committed, NULL, 200, err, sizeof err);
    kw_consumer_set_batch (c, 4);
    s_run_for (&loop, &timer, 300);
    is_str (s_scalar (db, count_sql, NULL), "26/26/26", "a backlog is applied in full with a batch of 4");
    ok (s_batches == 3 && s_largest == 4, "in 3 transactions of at most 4 events (%zu, largest %zu)",
        s_batches, s_largest);

    //  Topics: only "<producer>.ev" is applied. Events of another type are
    //  passed over with no transaction; the offset moves past them with the
    //  next event applied, or on the idle timer when none comes.
    kw_consumer_destroy (&c);
    char wanted [64];
    snprintf (wanted, sizeof wanted, "%s.ev", producer);
    const char *topics [] = { wanted, NULL };
    s_batches = 0;
    c = kw_consumer_new (&loop, db, ctx, "inproc://consumer", NULL, consumer, producers,
                         s_apply, s_committed, NULL, 400, err, sizeof err);
    is_int (kw_consumer_set_topics (c, topics), 0, "topics set");
    s_run_for (&loop, &timer, 100);
    for (int seq = 27; seq <= 29; seq++)
        s_add_typed (setup, producer, seq, "other");
    s_send (pub, producer, 29);
    s_run_for (&loop, &timer, 100);
    is_int ((int) s_batches, 0, "events of another type open no transaction");
    is_str (s_scalar (db, offset_sql, producer), "26", "their offset is not written at once");
    s_add_row (setup, producer, 30);
    s_send (pub, producer, 30);
    s_run_for (&loop, &timer, 100);
    is_str (s_scalar (db, count_sql, NULL), "27/27/30", "the next event of the topic is applied");
    is_str (s_scalar (db, offset_sql, producer), "30", "the offset moved past the events passed over with it");
    is_int ((int) s_batches, 1, "in one transaction");
    s_add_typed (setup, producer, 31, "other");
    s_add_typed (setup, producer, 32, "other");
    s_run_for (&loop, &timer, 600);
    is_str (s_scalar (db, offset_sql, producer), "32", "with nothing to apply, the idle timer writes the offset");
    is_str (s_scalar (db, count_sql, NULL), "27/27/30", "and applies none of them");

    //  Another instance moved the offset past 33: the batch of 33 and 34
    //  does not commit; from the offset read again, only 34 is applied.
    char moved [200];
    snprintf (moved, sizeof moved, "UPDATE bus.offsets SET last_seq = 33 WHERE consumer = '%s' AND producer = $1",
              consumer);
    const char *params [1] = { producer };
    kw_db_exec (setup, moved, 1, params);
    s_add_row (setup, producer, 33);
    s_add_row (setup, producer, 34);
    s_send (pub, producer, 34);
    s_run_for (&loop, &timer, 700);
    is_str (s_scalar (db, count_sql, NULL), "28/28/34", "an offset moved by another instance: 33 is not applied");
    is_str (s_scalar (db, offset_sql, producer), "34", "34 is, once");

    //  A frame of an event already read causes no read of the table; a
    //  frame of a new one does (the consumer's session's last query, as
    //  another session sees it, shows what it sent). The idle timer is
    //  set far off so it reads nothing meanwhile.
    kw_consumer_destroy (&c);
    c = kw_consumer_new (&loop, db, ctx, "inproc://consumer", NULL, consumer, producers,
                         s_apply, NULL, NULL, 600000, err, sizeof err);
    s_run_for (&loop, &timer, 200);
    char db_pid [16];
    snprintf (db_pid, sizeof db_pid, "%d", PQbackendPID (kw_db_conn (db)));
    const char *last_sql = "SELECT query FROM pg_stat_activity WHERE pid = $1::int";
    s_scalar (db, "SELECT 'marker'", NULL);
    s_send (pub, producer, 34);
    s_send (pub, producer, 20);
    s_run_for (&loop, &timer, 100);
    is_str (s_scalar (setup, last_sql, db_pid), "SELECT 'marker'",
            "frames of events already read cause no read of bus.outbox");
    s_add_row (setup, producer, 35);
    s_send (pub, producer, 35);
    s_run_for (&loop, &timer, 100);
    is_str (s_scalar (db, count_sql, NULL), "29/29/35", "a frame of a new event is read and applied");

    kw_db_exec (setup, "DELETE FROM bus.outbox WHERE producer = $1", 1, params);
    kw_db_exec (setup, "DELETE FROM bus.offsets WHERE producer = $1", 1, params);
    char drop [128];
    snprintf (drop, sizeof drop, "DROP TABLE %s", s_table);
    kw_db_exec (setup, drop, 0, NULL);
    kw_consumer_destroy (&c);
    uv_close ((uv_handle_t *) &timer, NULL);
    is_int (kw_loop_finish (&loop), 0, "loop closes cleanly");
    zmq_close (pub);
    zmq_ctx_term (ctx);
    kw_db_destroy (&setup);
    kw_db_destroy (&db);
    return tap_done ();
}
