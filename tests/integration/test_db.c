/*  Tests of kw_db against the test stack's PostgreSQL (KW_TEST_DB_URL):
    parameters stay values, prepared statements, affected rows counted, errors with SQLSTATE, a
    COMMIT of a failed transaction reported as a failure, BEGIN sent with
    the first statement (which then runs inside the transaction, prepared or
    not), deferred statements sent with the next round trip, and reconnection after the server drops the connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kw_db.h"
#include "kw_log.h"
#include "tap.h"

int
main (void)
{
    kw_log_init ("test_db", KW_LOG_ERROR);
    const char *url = tap_db_url ();
    kw_db_t *db = kw_db_new (url, NULL, "test_db");
    is_int (kw_db_connect (db, 5000), 0, "connects");
    ok (kw_db_up (db), "is up");

    const char *hostile = "x'); DROP TABLE bus.outbox; --";
    const char *params [1] = { hostile };
    PGresult *res = kw_db_query (db, "SELECT $1::text", 1, params);
    ok (res && strcmp (PQgetvalue (res, 0, 0), hostile) == 0, "a hostile parameter is just a value");
    PQclear (res);
    res = kw_db_query (db, "SELECT count(*) FROM bus.outbox", 0, NULL);
    ok (res != NULL, "and nothing was dropped");
    PQclear (res);

    is_int (kw_db_prepare (db, "add", "SELECT $1::int + $2::int"), 0, "statement registered");
    is_int (kw_db_prepare (db, "add", "SELECT 1"), -1, "a name is registered once");
    const char *two [2] = { "40", "2" };
    res = kw_db_query (db, "add", 2, two);
    is_str (res ? PQgetvalue (res, 0, 0) : NULL, "42", "prepared statement runs");
    PQclear (res);

    kw_db_exec (db, "CREATE TEMP TABLE counted (x int)", 0, NULL);
    is_int (kw_db_exec_count (db, "INSERT INTO counted SELECT generate_series (1, 3)", 0, NULL, NULL, NULL),
            3, "exec_count counts the rows inserted");
    is_int (kw_db_exec_count (db, "UPDATE counted SET x = x + 1 WHERE x > 1", 0, NULL, NULL, NULL), 2,
            "updated");
    is_int (kw_db_exec_count (db, "DELETE FROM counted", 0, NULL, NULL, NULL), 3, "deleted");
    is_int (kw_db_exec_count (db, "SELECT generate_series (1, 4)", 0, NULL, NULL, NULL), 4,
            "and returned");
    const char *bytes [1] = { "\x01\x00\x02" };
    int lengths [1] = { 3 }, formats [1] = { 1 };
    is_int (kw_db_exec_count (db, "SELECT 1 WHERE length ($1::bytea) = 3", 1, bytes, lengths, formats), 1,
            "and takes binary parameters");
    is_int (kw_db_exec_count (db, "SELECT 1 WHERE false", 0, NULL, NULL, NULL), 0, "none is 0");
    is_int (kw_db_exec_count (db, "SELECT 1/0", 0, NULL, NULL, NULL), -1, "an error is -1");
    ok (kw_db_query (db, "SELECT 1/0", 0, NULL) == NULL, "an error returns NULL");
    is_str (kw_db_sqlstate (db), "22012", "with its SQLSTATE");
    ok (strstr (kw_db_error (db), "division by zero") != NULL, "and its message");

    is_int (kw_db_begin (db), 0, "begin");
    ok (kw_db_query (db, "SELECT 1/0", 0, NULL) == NULL, "a failing statement inside");
    is_int (kw_db_commit (db), -1, "COMMIT of the failed transaction is a failure");
    res = kw_db_query (db, "SELECT 1", 0, NULL);
    ok (res != NULL, "the connection is usable afterwards");
    PQclear (res);

    //  BEGIN goes with the first statement: that statement, prepared or
    //  not, runs inside the transaction, and a rollback undoes it.
    const char *three [1] = { "3" };
    kw_db_prepare (db, "count_add", "INSERT INTO counted VALUES ($1::int)");
    is_int (kw_db_begin (db), 0, "begin (sent with the next statement)");
    is_int (kw_db_exec (db, "count_add", 1, three), 0, "a prepared first statement");
    ok (PQtransactionStatus (kw_db_conn (db)) == PQTRANS_INTRANS, "runs inside the transaction");
    kw_db_rollback (db);
    is_int (kw_db_exec_count (db, "SELECT 1 FROM counted", 0, NULL, NULL, NULL), 0, "and is rolled back");
    kw_db_begin (db);
    is_int (kw_db_exec_count (db, "INSERT INTO counted VALUES (1), (2)", 0, NULL, NULL, NULL), 2,
            "an unprepared first statement");
    ok (PQtransactionStatus (kw_db_conn (db)) == PQTRANS_INTRANS, "runs inside the transaction too");
    is_int (kw_db_commit (db), 0, "and commits");
    is_int (kw_db_exec_count (db, "SELECT 1 FROM counted", 0, NULL, NULL, NULL), 2, "its rows are kept");
    kw_db_begin (db);
    ok (kw_db_query (db, "SELECT 1/0", 0, NULL) == NULL, "a failing first statement fails");
    is_str (kw_db_sqlstate (db), "22012", "with its SQLSTATE");
    is_int (kw_db_commit (db), -1, "and its transaction does not commit");
    kw_db_begin (db);
    is_int (kw_db_commit (db), 0, "a transaction that ran nothing commits");
    ok (PQtransactionStatus (kw_db_conn (db)) == PQTRANS_IDLE, "and leaves none open");
    kw_db_begin (db);
    ok (PQtransactionStatus (kw_db_conn (db)) == PQTRANS_INTRANS,
        "the raw connection has the transaction begun");
    kw_db_rollback (db);

    //  The last statement and COMMIT in one round trip.
    kw_db_begin (db);
    kw_db_exec (db, "DELETE FROM counted", 0, NULL);
    is_int (kw_db_exec_commit (db, "count_add", 1, three), 1, "exec_commit counts the statement's rows");
    ok (PQtransactionStatus (kw_db_conn (db)) == PQTRANS_IDLE, "and commits");
    is_int (kw_db_exec_count (db, "SELECT 1 FROM counted", 0, NULL, NULL, NULL), 1, "what the transaction did");
    kw_db_begin (db);
    is_int (kw_db_exec_commit (db, "INSERT INTO counted VALUES (4), (5)", 0, NULL), 2,
            "a transaction of one statement: BEGIN, it and COMMIT at once");
    kw_db_begin (db);
    kw_db_exec (db, "DELETE FROM counted", 0, NULL);
    is_int (kw_db_exec_commit (db, "SELECT 1/0", 0, NULL), -1, "a failing last statement is -1");
    is_str (kw_db_sqlstate (db), "22012", "with its SQLSTATE");
    kw_db_rollback (db);
    is_int (kw_db_exec_count (db, "SELECT 1 FROM counted", 0, NULL, NULL, NULL), 3,
            "and nothing of its transaction was committed");

    //  Deferred statements: sent with the transaction's next round trip, in
    //  order, their failure that round trip's. The backend's last query (as
    //  another session sees it) shows what was sent.
    kw_db_t *watch = kw_db_new (url, NULL, "test_db_watch");
    kw_db_connect (watch, 5000);
    char db_pid [16];
    snprintf (db_pid, sizeof db_pid, "%d", PQbackendPID (kw_db_conn (db)));
    const char *db_pid_param [1] = { db_pid };
    kw_db_prepare (watch, "last_query", "SELECT query FROM pg_stat_activity WHERE pid = $1::int");
    kw_db_exec (db, "DELETE FROM counted", 0, NULL);
    kw_db_begin (db);
    kw_db_exec (db, "SELECT 'before'", 0, NULL);
    const char *seven [1] = { "7" };
    is_int (kw_db_defer (db, "count_add", 1, seven, NULL, NULL, -1), 0, "a statement deferred");
    res = kw_db_query (watch, "last_query", 1, db_pid_param);
    is_str (res ? PQgetvalue (res, 0, 0) : NULL, "SELECT 'before'", "is not sent at once");
    PQclear (res);
    const char *blob [1] = { "\x00\x07\x00" };
    int blob_len [1] = { 3 }, blob_fmt [1] = { 1 };
    is_int (kw_db_defer (db, "INSERT INTO counted SELECT length ($1::bytea) + 5", 1, blob, blob_len, blob_fmt, 0),
            0, "an unprepared statement with a binary parameter deferred");
    is_int (kw_db_exec_count (db, "SELECT x FROM counted ORDER BY x", 0, NULL, NULL, NULL), 2,
            "the next statement sees what the deferred ones wrote: they ran first");
    is_int (kw_db_commit (db), 0, "commit");
    is_int (kw_db_exec_count (db, "SELECT 1 FROM counted WHERE x IN (7, 8)", 0, NULL, NULL, NULL), 2,
            "both kept, the binary value copied whole");
    kw_db_begin (db);
    kw_db_defer (db, "count_add", 1, three, NULL, NULL, -1);
    is_int (kw_db_commit (db), 0, "a deferred statement goes with the COMMIT");
    is_int (kw_db_exec_count (db, "SELECT 1 FROM counted WHERE x = 3", 0, NULL, NULL, NULL), 1, "and is kept");
    kw_db_begin (db);
    kw_db_exec (db, "SELECT 1", 0, NULL);
    kw_db_defer (db, "count_add", 1, three, NULL, NULL, -1);
    kw_db_rollback (db);
    is_int (kw_db_exec_count (db, "SELECT 1 FROM counted WHERE x = 3", 0, NULL, NULL, NULL), 1,
            "a rollback drops what was deferred");
    kw_db_begin (db);
    is_int (kw_db_defer (db, "SELECT 1/0", 0, NULL, NULL, NULL, -1), 0, "a failing statement deferred");
    is_int (kw_db_defer (db, "count_add", 1, three, NULL, NULL, -1), 0, "and one after it");
    ok (kw_db_query (db, "SELECT 1", 0, NULL) == NULL, "fails the next statement");
    is_str (kw_db_sqlstate (db), "22012", "with the deferred statement's SQLSTATE");
    is_int (kw_db_commit (db), -1, "and the transaction does not commit");
    kw_db_rollback (db);
    kw_db_begin (db);
    kw_db_exec (db, "SELECT 1", 0, NULL);
    kw_db_defer (db, "SELECT 1/0", 0, NULL, NULL, NULL, -1);
    is_int (kw_db_exec_commit (db, "count_add", 1, three), -1, "fails exec_commit's round trip");
    kw_db_rollback (db);
    kw_db_begin (db);
    kw_db_exec (db, "SELECT 1", 0, NULL);
    kw_db_defer (db, "count_add", 1, three, NULL, NULL, -1);
    kw_db_defer (db, "SELECT 1/0", 0, NULL, NULL, NULL, -1);
    is_int (kw_db_commit (db), -1, "fails the COMMIT it goes with");
    kw_db_rollback (db);
    is_int (kw_db_exec_count (db, "SELECT 1 FROM counted WHERE x = 3", 0, NULL, NULL, NULL), 1,
            "and nothing of those transactions was kept");
    kw_db_begin (db);
    kw_db_defer (db, "SELECT 1 WHERE false", 0, NULL, NULL, NULL, 1);
    ok (kw_db_query (db, "SELECT 1", 0, NULL) == NULL, "a deferred statement without the rows it must return fails");
    kw_db_rollback (db);
    //  The server counts no rows: a COMMIT sent with such a statement would
    //  commit whatever it returned.
    const char *five [1] = { "5" };
    kw_db_begin (db);
    kw_db_exec (db, "count_add", 1, five);
    kw_db_defer (db, "SELECT 1 WHERE false", 0, NULL, NULL, NULL, 1);
    is_int (kw_db_commit (db), -1, "a COMMIT after a deferred statement without its rows fails");
    kw_db_rollback (db);
    kw_db_begin (db);
    kw_db_exec (db, "SELECT 1", 0, NULL);
    kw_db_defer (db, "SELECT 1 WHERE false", 0, NULL, NULL, NULL, 1);
    is_int (kw_db_exec_commit (db, "count_add", 1, five), -1, "so does exec_commit's");
    kw_db_rollback (db);
    is_int (kw_db_exec_count (db, "SELECT 1 FROM counted WHERE x = 5", 0, NULL, NULL, NULL), 0,
            "and neither transaction committed");
    kw_db_begin (db);
    kw_db_defer (db, "count_add", 1, five, NULL, NULL, 0);
    is_int (kw_db_commit (db), 0, "with the rows it must return, the COMMIT commits");
    is_int (kw_db_exec_count (db, "SELECT 1 FROM counted WHERE x = 5", 0, NULL, NULL, NULL), 1, "and keeps it");
    kw_db_begin (db);
    kw_db_exec (db, "SELECT 1", 0, NULL);
    kw_db_defer (db, "count_add", 1, three, NULL, NULL, -1);
    ok (kw_db_conn (db) != NULL, "the raw connection");
    res = kw_db_query (watch, "last_query", 1, db_pid_param);
    is_str (res ? PQgetvalue (res, 0, 0) : NULL, "INSERT INTO counted VALUES ($1::int)",
            "has what was deferred sent first");
    PQclear (res);
    kw_db_rollback (db);
    is_int (kw_db_defer (db, "SELECT 1/0", 0, NULL, NULL, NULL, -1), -1,
            "outside a transaction a statement runs at once: its failure now");
    is_int (kw_db_defer (db, "count_add", 1, seven, NULL, NULL, -1), 0, "and its success");
    is_int (kw_db_exec_count (db, "SELECT 1 FROM counted WHERE x = 7", 0, NULL, NULL, NULL), 2,
            "kept without a COMMIT");
    kw_db_destroy (&watch);

    //  The server drops us: the next query fails, ensure reconnects, and the
    //  prepared statement is prepared again on the new connection.
    kw_db_t *admin = kw_db_new (url, NULL, "test_db_admin");
    kw_db_connect (admin, 5000);
    char pid [16];
    snprintf (pid, sizeof pid, "%d", PQbackendPID (kw_db_conn (db)));
    const char *pid_param [1] = { pid };
    res = kw_db_query (admin, "SELECT pg_terminate_backend ($1::int)", 1, pid_param);
    PQclear (res);
    usleep (100000);
    ok (kw_db_query (db, "add", 2, two) == NULL, "a query on a dropped connection fails");
    ok (!kw_db_up (db), "the connection is marked down");
    usleep (150000);
    is_int (kw_db_ensure (db), 0, "ensure reconnects");
    res = kw_db_query (db, "add", 2, two);
    is_str (res ? PQgetvalue (res, 0, 0) : NULL, "42", "the prepared statement works again");
    PQclear (res);
    res = kw_db_query (db, "SHOW synchronous_commit", 0, NULL);
    is_str (res ? PQgetvalue (res, 0, 0) : NULL, "on", "synchronous_commit is on");
    PQclear (res);

    kw_db_t *nowhere = kw_db_new ("host=127.0.0.1 port=1 dbname=kw connect_timeout=1", NULL, "test");
    is_int (kw_db_connect (nowhere, 300), -1, "connecting to nothing gives up after the wait");
    is_int (kw_db_ensure (nowhere), -1, "ensure reports it down");
    kw_db_destroy (&nowhere);
    kw_db_destroy (&admin);
    kw_db_destroy (&db);
    ok (db == NULL, "destroy clears the pointer");
    return tap_done ();
}
