/*  kw_audit: rows of audit.events (see kw_audit.h). */
#include "kw_audit.h"
#include "kw_rpc.h"

//  The row, sent now or (later: 1) with the transaction's next round trip.
static int
s_audit (kw_db_t *db, const Kw__Caller *caller, const char *action, const char *record_type,
         const char *record_id, const char *outcome, int later)
{
    //  Registered on first use; later calls find it registered.
    kw_db_prepare (db, "kw_audit",
        "INSERT INTO audit.events (actor, role, region, action, record_type, record_id, outcome)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)");
    const char *params [7] = { caller->sub ? caller->sub : "", caller->role ? caller->role : "",
                               caller->region ? caller->region : "", action, record_type,
                               record_id, outcome };
    return later ? kw_db_defer (db, "kw_audit", 7, params, NULL, NULL, -1)
                 : kw_db_exec (db, "kw_audit", 7, params);
}

int
kw_audit (kw_db_t *db, const Kw__Caller *caller, const char *action, const char *record_type,
          const char *record_id, const char *outcome)
{
    return s_audit (db, caller, action, record_type, record_id, outcome, 1);
}

int
kw_audit_read (kw_db_t *db, const Kw__Caller *caller, const char *action, const char *record_type,
               const char *record_id, const char *outcome, Kw__Response *resp, kw_arena_t *arena)
{
    //  Written before the answer is given: never deferred.
    if (s_audit (db, caller, action, record_type, record_id, outcome, 0) == 0)
        return 0;
    kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL,
                        "the read could not be audited; try again");
    return -1;
}
