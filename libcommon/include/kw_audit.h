/*  kw_audit: one row of audit.events, who read or changed which record:
    the caller (sub, role, region), the action, the record's type and id,
    and the outcome ("ok", "forbidden", "not_found", ...). Written in the
    caller's open transaction, or on its own. A read of personal data whose
    audit row cannot be written fails (kw_audit_read). The table is
    append-only for every runtime role (deploy/db/bootstrap.sql). */
#ifndef KW_AUDIT_H
#define KW_AUDIT_H

#include "kw_arena.h"
#include "kw_db.h"
#include "kw/rpc.pb-c.h"

//  0, or -1 on a database error. Inside a transaction the row goes with its
//  next statement or COMMIT (kw_db_defer): its failure is theirs.
int kw_audit (kw_db_t *db, const Kw__Caller *caller, const char *action, const char *record_type,
              const char *record_id, const char *outcome);

//  Audit a read (or a refused read) as kw_audit does; when the row cannot
//  be written, reply UNAVAILABLE on resp (the read must not be answered)
//  and return -1. 0 when the row is written.
int kw_audit_read (kw_db_t *db, const Kw__Caller *caller, const char *action, const char *record_type,
                   const char *record_id, const char *outcome, Kw__Response *resp, kw_arena_t *arena);

#endif
