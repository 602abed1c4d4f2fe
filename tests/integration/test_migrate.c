/*  Tests of kw_migrate against the test stack's PostgreSQL: migrations apply
    in order, once; a failing one is reported by name and not recorded;
    versions must ascend; the start-time check refuses a schema with a
    migration missing or subscriptions that differ from the event table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kw_db.h"
#include "kw_log.h"
#include "kw_migrate.h"
#include "tap.h"

int
main (void)
{
    kw_log_init ("test_migrate", KW_LOG_ERROR);
    const char *url = tap_db_url ();
    kw_db_t *db = kw_db_new (url, NULL, "test_migrate");
    kw_db_connect (db, 5000);
    char service [64], create [256], insert [256], check [256];
    snprintf (service, sizeof service, "test_migrate_%d", (int) getpid ());
    snprintf (create, sizeof create, "CREATE SCHEMA %s; CREATE TABLE %s.t (n int);", service, service);
    snprintf (insert, sizeof insert, "INSERT INTO %s.t VALUES (1); INSERT INTO %s.t VALUES (2);", service, service);
    snprintf (check, sizeof check, "SELECT count(*) FROM %s.t", service);
    kw_migration_t migrations [] = {
        { 1, "001_create.sql", create },
        { 2, "002_rows.sql", insert },
    };
    char err [512] = "";
    is_int (kw_migrate_run (db, service, migrations, 2, err, sizeof err), 2, "two migrations applied (%s)", err);
    is_int (kw_migrate_run (db, service, migrations, 2, err, sizeof err), 0, "none the second time");
    PGresult *res = kw_db_query (db, check, 0, NULL);
    is_str (res ? PQgetvalue (res, 0, 0) : NULL, "2", "each ran exactly once");
    PQclear (res);

    kw_migration_t broken [] = {
        { 1, "001_create.sql", create },
        { 2, "002_rows.sql", insert },
        { 3, "003_broken.sql", "INSERT INTO nowhere VALUES (1);" },
    };
    is_int (kw_migrate_run (db, service, broken, 3, err, sizeof err), -1, "a failing migration fails the run");
    ok (strstr (err, "003_broken.sql") != NULL, "the error names the file: %s", err);
    const char *params [1] = { service };
    res = kw_db_query (db, "SELECT max(version) FROM bus.migrations WHERE service = $1", 1, params);
    is_str (res ? PQgetvalue (res, 0, 0) : NULL, "2", "the failed migration is not recorded");
    PQclear (res);

    //  The start-time check: every embedded migration applied, the
    //  subscriptions exactly the producers consumed.
    const char *consumed [] = { "referral", "eligibility", NULL };
    const char *fewer [] = { "referral", NULL };
    is_int (kw_migrate_check (db, service, migrations, 2, consumed, err, sizeof err), -1,
            "a service with no subscriptions recorded is refused (%s)", err);
    ok (strstr (err, "--migrate") != NULL, "the refusal says to run --migrate");
    is_int (kw_migrate_subscribe (db, service, consumed, err, sizeof err), 0, "subscriptions written");
    is_int (kw_migrate_check (db, service, migrations, 2, consumed, err, sizeof err), 0,
            "applied and subscribed: the service may start (%s)", err);
    is_int (kw_migrate_check (db, service, migrations, 2, fewer, err, sizeof err), -1,
            "subscriptions that differ from the event table are refused");
    is_int (kw_migrate_check (db, service, broken, 3, consumed, err, sizeof err), -1,
            "a migration not applied is refused: %s", err);
    is_int (kw_migrate_subscribe (db, service, fewer, err, sizeof err), 0, "subscriptions replaced");
    res = kw_db_query (db, "SELECT string_agg (producer, ',') FROM bus.subscriptions WHERE consumer = $1",
                       1, params);
    is_str (res ? PQgetvalue (res, 0, 0) : NULL, "referral", "a second --migrate replaces the list");
    PQclear (res);

    kw_migration_t unordered [] = { { 5, "005_a.sql", "SELECT 1" }, { 4, "004_b.sql", "SELECT 1" } };
    is_int (kw_migrate_run (db, service, unordered, 2, err, sizeof err), -1, "versions out of order are refused");

    char drop [128];
    snprintf (drop, sizeof drop, "DROP SCHEMA %s CASCADE", service);
    kw_db_exec (db, drop, 0, NULL);
    kw_db_exec (db, "DELETE FROM bus.migrations WHERE service = $1", 1, params);
    kw_db_exec (db, "DELETE FROM bus.subscriptions WHERE consumer = $1", 1, params);
    kw_db_destroy (&db);
    return tap_done ();
}
