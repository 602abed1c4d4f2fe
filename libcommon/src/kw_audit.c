/*  kw_audit: rows of audit.events (see kw_audit.h). */
#include "kw_audit.h"

int
kw_audit (kw_db_t *db, const Kw__Caller *caller, const char *action, const char *record_type,
          const char *record_id, const char *outcome)
{
    //  Registered on first use; later calls find it registered.
    kw_db_prepare (db, "kw_audit",
        "INSERT INTO audit.events (actor, role, region, action, record_type, record_id, outcome)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)");
    const char *params [7] = { caller->sub ? caller->sub : "", caller->role ? caller->role : "",
                               caller->region ? caller->region : "", action, record_type,
                               record_id, outcome };
    return kw_db_exec (db, "kw_audit", 7, params);
}
