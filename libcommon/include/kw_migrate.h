/*  kw_migrate: apply a service's schema migrations (services/<name>/sql/
    NNN_name.sql, embedded in the binary at build time) in order, each once,
    in its own transaction, under an advisory lock; applied versions are
    recorded in bus.migrations. Migrations run as the schema owner (the
    one-shot `<service> --migrate` step); a service's runtime role cannot
    run DDL and only checks at start that its schema is migrated. */
#ifndef KW_MIGRATE_H
#define KW_MIGRATE_H

#include <stddef.h>
#include "kw_db.h"

typedef struct {
    int version;                //  NNN
    const char *name;           //  file name
    const char *sql;
} kw_migration_t;

//  Apply pending migrations of service. Returns the number applied or -1
//  (reason in err). Migrations must be sorted by version.
int kw_migrate_run (kw_db_t *db, const char *service, const kw_migration_t *migrations,
                    size_t count, char *err, size_t err_size);

//  Record in bus.subscriptions that service consumes exactly producers
//  (NULL-terminated; NULL or empty: none), replacing what was there. Run
//  by the owner with the migrations. 0 or -1 (reason in err).
int kw_migrate_subscribe (kw_db_t *db, const char *service, const char *const *producers,
                          char *err, size_t err_size);

//  0 when every migration of service is applied and its subscriptions are
//  exactly producers; -1 otherwise, with what differs (or the database
//  error) in err.
int kw_migrate_check (kw_db_t *db, const char *service, const kw_migration_t *migrations,
                      size_t count, const char *const *producers, char *err, size_t err_size);

#endif
