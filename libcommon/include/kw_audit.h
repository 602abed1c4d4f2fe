/*  kw_audit: one row of audit.events, who read or changed which record:
    the caller (sub, role, region), the action, the record's type and id,
    and the outcome ("ok", "forbidden", ...). Written in the caller's open
    transaction, or on its own. */
#ifndef KW_AUDIT_H
#define KW_AUDIT_H

#include "kw_db.h"
#include "kw/rpc.pb-c.h"

//  0, or -1 on a database error.
int kw_audit (kw_db_t *db, const Kw__Caller *caller, const char *action, const char *record_type,
              const char *record_id, const char *outcome);

#endif
