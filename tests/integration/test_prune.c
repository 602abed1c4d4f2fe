/*  Tests of kw_prune_outbox against the test stack's PostgreSQL: a
    producer's events are deleted only when older than the retention and
    passed by every consumer subscribed to it (one without an offset holds
    them all), in batches; other producers' events are untouched. As a
    service's own role (row-level security) it deletes its own old events
    when nobody consumes them, and none that a consumer has not applied. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kw_db.h"
#include "kw_log.h"
#include "kw_prune.h"
#include "tap.h"

static long
s_count (kw_db_t *db, const char *producer)
{
    const char *params [1] = { producer };
    PGresult *res = kw_db_query (db, "SELECT count(*) FROM bus.outbox WHERE producer = $1", 1, params);
    long n = res ? atol (PQgetvalue (res, 0, 0)) : -1;
    PQclear (res);
    return n;
}

static void
s_offset (kw_db_t *db, const char *consumer, const char *producer, const char *seq)
{
    const char *params [3] = { consumer, producer, seq };
    kw_db_exec (db, "INSERT INTO bus.offsets (consumer, producer, last_seq) VALUES ($1, $2, $3::bigint)"
                    " ON CONFLICT (consumer, producer) DO UPDATE SET last_seq = excluded.last_seq",
                3, params);
}

int
main (void)
{
    kw_log_init ("test_prune", KW_LOG_ERROR);
    const char *url = tap_db_url ();
    kw_db_t *db = kw_db_new (url, NULL, "test_prune");
    int more = 0;
    kw_db_connect (db, 5000);
    char producer [64], other [64], c1 [64], c2 [64], c3 [64];
    snprintf (producer, sizeof producer, "prune_%d", (int) getpid ());
    snprintf (other, sizeof other, "prune_other_%d", (int) getpid ());
    snprintf (c1, sizeof c1, "prune_c1_%d", (int) getpid ());
    snprintf (c2, sizeof c2, "prune_c2_%d", (int) getpid ());
    snprintf (c3, sizeof c3, "prune_c3_%d", (int) getpid ());
    //  2500 events: the first 2000 two days old, the rest new; another
    //  producer's 100 old events.
    const char *params [2] = { producer, other };
    ok (kw_db_exec (db, "INSERT INTO bus.outbox (producer, seq, event_id, type, occurred_at, payload)"
                        " SELECT $1, n, gen_random_uuid (), 't',"
                        "  CASE WHEN n <= 2000 THEN now () - interval '2 days' ELSE now () END, '\\x00'"
                        " FROM generate_series (1, 2500) n", 1, params) == 0, "events written");
    kw_db_exec (db, "INSERT INTO bus.outbox (producer, seq, event_id, type, occurred_at, payload)"
                    " SELECT $1, n, gen_random_uuid (), 't', now () - interval '2 days', '\\x00'"
                    " FROM generate_series (1, 100) n", 1, params + 1);
    const char *subs [2] = { c1, c2 };
    for (int i = 0; i < 2; i++) {
        const char *p [2] = { subs [i], producer };
        kw_db_exec (db, "INSERT INTO bus.subscriptions (consumer, producer) VALUES ($1, $2)", 2, p);
    }
    s_offset (db, c1, producer, "1500");
    s_offset (db, c2, producer, "1800");

    is_int (kw_prune_outbox (db, producer, 86400, 400, 2, &more), 800,
            "two statements of 400 at most a call");
    ok (more, "and it says more are due");
    is_int (kw_prune_outbox (db, producer, 86400, 400, 100, &more), 700,
            "the events every consumer passed and older than a day are deleted, 400 a statement");
    ok (!more, "all of them: nothing more is due");
    is_int (s_count (db, producer), 1000, "the rest stay");
    is_int (s_count (db, other), 100, "another producer's events are untouched");
    is_int (kw_prune_outbox (db, producer, 86400, 400, 100, &more), 0, "nothing more the second time");

    s_offset (db, c1, producer, "2500");
    is_int (kw_prune_outbox (db, producer, 86400, 1000, 100, &more), 300,
            "the slowest consumer holds the rest (up to its offset 1800)");
    s_offset (db, c2, producer, "2500");
    is_int (kw_prune_outbox (db, producer, 86400, 1000, 100, &more), 200,
            "events younger than the retention stay when all have passed them");

    //  A third consumer subscribed but without an offset yet holds everything.
    const char *p3 [2] = { c3, producer };
    kw_db_exec (db, "INSERT INTO bus.subscriptions (consumer, producer) VALUES ($1, $2)", 2, p3);
    is_int (kw_prune_outbox (db, producer, 0, 1000, 100, &more), 0,
            "a consumer with no offset yet keeps every event");
    const char *p3d [1] = { c3 };
    kw_db_exec (db, "DELETE FROM bus.subscriptions WHERE consumer = $1", 1, p3d);
    is_int (kw_prune_outbox (db, producer, 0, 1000, 100, &more), 500, "retention 0: every passed event goes");

    //  As the runtime roles: events far past every offset, two days old.
    const char *far = "INSERT INTO bus.outbox (producer, seq, event_id, type, occurred_at, payload)"
                      " SELECT $1, 900000000000 + n, gen_random_uuid (), 't', now () - interval '2 days',"
                      " '\\x00' FROM generate_series (1, 30) n";
    const char *notification [1] = { "notification" }, *referral [1] = { "referral" };
    kw_db_exec (db, far, 1, notification);
    kw_db_exec (db, far, 1, referral);
    kw_db_t *as_notification = kw_db_new (url, "kw_notification", "test_prune_notification");
    kw_db_t *as_referral = kw_db_new (url, "kw_referral", "test_prune_referral");
    ok (kw_db_connect (as_notification, 5000) == 0 && kw_db_connect (as_referral, 5000) == 0,
        "connected as kw_notification and kw_referral");
    is_int (kw_prune_outbox (as_referral, "notification", 0, 7, 100, &more), 0,
            "kw_referral cannot delete another producer's events");
    is_int (kw_prune_outbox (as_notification, "notification", 86400, 7, 100, &more), 30,
            "kw_notification deletes its own old events, which nobody consumes");
    is_int (kw_prune_outbox (as_referral, "referral", 86400, 7, 100, &more), 0,
            "kw_referral deletes none its consumers have not applied");
    kw_db_destroy (&as_notification);
    kw_db_destroy (&as_referral);
    const char *leftover [1] = { "referral" };
    PGresult *res = kw_db_query (db, "SELECT count(*) FROM bus.outbox WHERE producer = $1"
                                     " AND seq > 900000000000", 1, leftover);
    is_str (res ? PQgetvalue (res, 0, 0) : NULL, "30", "the referral events are all still there");
    PQclear (res);
    kw_db_exec (db, "DELETE FROM bus.outbox WHERE seq > 900000000000", 0, NULL);

    kw_db_exec (db, "DELETE FROM bus.outbox WHERE producer IN ($1, $2)", 2, params);
    kw_db_exec (db, "DELETE FROM bus.subscriptions WHERE producer = $1", 1, params);
    kw_db_exec (db, "DELETE FROM bus.offsets WHERE producer = $1", 1, params);
    kw_db_destroy (&db);
    return tap_done ();
}
