/*  kw_migrate: apply a service's schema migrations (services/<name>/sql/
    NNN_name.sql, embedded in the binary at build time) in order, each once,
    in its own transaction, under an advisory lock; applied versions are
    recorded in bus.migrations. */
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

#endif
