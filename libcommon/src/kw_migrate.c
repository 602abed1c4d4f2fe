/*  kw_migrate: the schema migrations runner (see kw_migrate.h). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_log.h"
#include "kw_migrate.h"

//  Apply one migration in its own transaction; 0 or -1.
static int
s_apply (kw_db_t *db, const char *service, const kw_migration_t *m, char *err, size_t err_size)
{
    char version [16];
    snprintf (version, sizeof version, "%d", m->version);
    const char *params [3] = { service, version, m->name };
    if (kw_db_begin (db) != 0)
        goto failed;
    PGresult *res = kw_db_query (db,
        "SELECT 1 FROM bus.migrations WHERE service = $1 AND version = $2::int", 2, params);
    if (!res)
        goto failed;
    int applied = PQntuples (res) > 0;
    PQclear (res);
    if (applied) {
        kw_db_rollback (db);
        return 0;
    }
    //  The migration text is the project's own file, never input: it runs
    //  as a simple query so it may hold several statements.
    res = PQexec (kw_db_conn (db), m->sql);
    if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK) {
        snprintf (err, err_size, "%s: %s", m->name, PQresultErrorMessage (res));
        PQclear (res);
        kw_db_rollback (db);
        return -1;
    }
    PQclear (res);
    if (kw_db_exec (db, "INSERT INTO bus.migrations (service, version, name) VALUES ($1, $2::int, $3)",
                    3, params) != 0
    ||  kw_db_commit (db) != 0)
        goto failed;
    kw_info ("migration_applied", "service", service, "migration", m->name);
    return 1;
failed:
    snprintf (err, err_size, "%s: %s", m->name, kw_db_error (db));
    kw_db_rollback (db);
    return -1;
}

int
kw_migrate_run (kw_db_t *db, const char *service, const kw_migration_t *migrations,
                size_t count, char *err, size_t err_size)
{
    assert (db && service);
    const char *params [1] = { service };
    if (kw_db_ensure (db) != 0) {
        snprintf (err, err_size, "database unavailable: %s", kw_db_error (db));
        return -1;
    }
    for (size_t i = 1; i < count; i++)
        if (migrations [i].version <= migrations [i - 1].version) {
            snprintf (err, err_size, "%s: versions must be unique and ascending", migrations [i].name);
            return -1;
        }
    //  One runner at a time per service, even with several instances starting.
    if (kw_db_exec (db, "SELECT pg_advisory_lock (hashtext ('kw.migrate'), hashtext ($1))", 1, params) != 0) {
        snprintf (err, err_size, "cannot take the migration lock: %s", kw_db_error (db));
        return -1;
    }
    int applied = 0;
    for (size_t i = 0; i < count; i++) {
        int rc = s_apply (db, service, &migrations [i], err, err_size);
        if (rc < 0) {
            applied = -1;
            break;
        }
        applied += rc;
    }
    kw_db_exec (db, "SELECT pg_advisory_unlock (hashtext ('kw.migrate'), hashtext ($1))", 1, params);
    return applied;
}

//  producers as a PostgreSQL array literal ("{a,b}"): producer names are the
//  project's own identifiers (kw_topics.h), never input.
static void
s_array (const char *const *producers, char *out, size_t size)
{
    size_t len = (size_t) snprintf (out, size, "{");
    for (size_t i = 0; producers && producers [i] && len < size; i++)
        len += (size_t) snprintf (out + len, size - len, "%s%s", i ? "," : "", producers [i]);
    if (len < size)
        snprintf (out + len, size - len, "}");
}

int
kw_migrate_subscribe (kw_db_t *db, const char *service, const char *const *producers,
                      char *err, size_t err_size)
{
    char list [1024];
    s_array (producers, list, sizeof list);
    const char *params [2] = { service, list };
    if (kw_db_begin (db) != 0
    ||  kw_db_exec (db, "DELETE FROM bus.subscriptions WHERE consumer = $1", 1, params) != 0
    ||  kw_db_exec (db, "INSERT INTO bus.subscriptions (consumer, producer)"
                        " SELECT $1, p FROM unnest ($2::text[]) p", 2, params) != 0
    ||  kw_db_commit (db) != 0) {
        snprintf (err, err_size, "subscriptions: %s", kw_db_error (db));
        kw_db_rollback (db);
        return -1;
    }
    return 0;
}

int
kw_migrate_check (kw_db_t *db, const char *service, const kw_migration_t *migrations,
                  size_t count, const char *const *producers, char *err, size_t err_size)
{
    char versions [1024], list [1024];
    size_t len = (size_t) snprintf (versions, sizeof versions, "{");
    for (size_t i = 0; i < count && len < sizeof versions; i++)
        len += (size_t) snprintf (versions + len, sizeof versions - len, "%s%d", i ? "," : "",
                                  migrations [i].version);
    if (len < sizeof versions)
        snprintf (versions + len, sizeof versions - len, "}");
    s_array (producers, list, sizeof list);
    const char *params [3] = { service, versions, list };
    PGresult *res = kw_db_query (db,
        "SELECT (SELECT count(*) FROM unnest ($2::int[]) v"
        "        WHERE NOT EXISTS (SELECT 1 FROM bus.migrations m"
        "                          WHERE m.service = $1 AND m.version = v)),"
        "       (SELECT coalesce (array_agg (producer ORDER BY producer), '{}')"
        "        FROM bus.subscriptions WHERE consumer = $1)"
        "       = (SELECT coalesce (array_agg (p ORDER BY p), '{}') FROM unnest ($3::text[]) p)",
        3, params);
    if (!res) {
        snprintf (err, err_size, "cannot read the schema version: %s", kw_db_error (db));
        return -1;
    }
    int missing = atoi (PQgetvalue (res, 0, 0));
    int subscribed = strcmp (PQgetvalue (res, 0, 1), "t") == 0;
    PQclear (res);
    if (missing > 0) {
        snprintf (err, err_size, "%d of %zu migrations not applied: run %s --migrate as the owner",
                  missing, count, service);
        return -1;
    }
    if (!subscribed) {
        snprintf (err, err_size, "bus.subscriptions does not match the events applied:"
                  " run %s --migrate as the owner", service);
        return -1;
    }
    return 0;
}
