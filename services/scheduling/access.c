/*  access: who may read or act on a case's meetings and plan. A case is
    seen only in its own region (elsewhere it does not exist). Coordinators
    and admins of the region may do everything; a key worker token (its
    professional_id) is related to the cases it is key worker, deputy or
    cover of (ACCESS_KEY_WORKER) or a team member of (ACCESS_TEAM); a family
    token to the cases whose family lists its subject as an e-mail
    (ACCESS_FAMILY). The people come from assignment's events (cases.c).
    Every refusal and every case not found is audited. */
#include <string.h>
#include "kw_audit.h"
#include "kw_rpc.h"
#include "kw_uuid.h"
#include "scheduling.h"

int
access_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "access_case",
        "SELECT case_id, region, referral_id, status FROM scheduling.cases WHERE case_id = $1::uuid");
    kw_db_prepare (db, "access_meeting_case",
        "SELECT case_id FROM scheduling.meetings WHERE id = $1::uuid");
    kw_db_prepare (db, "access_meeting_lock",
        "SELECT case_id FROM scheduling.meetings WHERE id = $1::uuid FOR UPDATE");
    kw_db_prepare (db, "access_professional",
        "SELECT role FROM scheduling.case_people WHERE case_id = $1::uuid AND professional_id = $2::uuid"
        " ORDER BY role <> 'key_worker', role <> 'cover', role <> 'deputy' LIMIT 1");
    kw_db_prepare (db, "access_family",
        "SELECT 1 FROM scheduling.case_people WHERE case_id = $1::uuid AND role = 'family'"
        " AND lower (email) = lower ($2)");
    return 0;
}

static int
s_role (const Kw__Request *req, const char *role)
{
    return req->caller && req->caller->role && strcmp (req->caller->role, role) == 0;
}

//  The caller's relationship to case id: an ACCESS_ bit, 0 for none, or
//  -1 on a database error.
static int
s_relationship (kw_db_t *db, const Kw__Request *req, const char *id)
{
    const Kw__Caller *caller = req->caller;
    if (s_role (req, "coordinator") || s_role (req, "admin"))
        return ACCESS_COORDINATOR;
    PGresult *res = NULL;
    int relationship = 0;
    if (s_role (req, "key_worker") && caller->professional_id && kw_uuid_valid (caller->professional_id)) {
        const char *params [2] = { id, caller->professional_id };
        if (!(res = kw_db_query (db, "access_professional", 2, params)))
            return -1;
        if (PQntuples (res))
            relationship = strcmp (PQgetvalue (res, 0, 0), "team") == 0 ? ACCESS_TEAM
                         : strcmp (PQgetvalue (res, 0, 0), "family") == 0 ? 0 : ACCESS_KEY_WORKER;
    }
    else
    if (s_role (req, "family") && caller->sub && *caller->sub) {
        const char *params [2] = { id, caller->sub };
        if (!(res = kw_db_query (db, "access_family", 2, params)))
            return -1;
        relationship = PQntuples (res) ? ACCESS_FAMILY : 0;
    }
    PQclear (res);
    return relationship;
}

int
access_case (kw_db_t *db, const Kw__Request *req, const char *id, const char *action, unsigned allowed,
             case_row_t *row, unsigned *relationship, Kw__Response *resp, kw_arena_t *arena)
{
    memset (row, 0, sizeof *row);
    PGresult *res = NULL;
    if (id && kw_uuid_valid (id)) {
        const char *params [1] = { id };
        if (!(res = kw_db_query (db, "access_case", 1, params)))
            return -1;
    }
    int found = res && PQntuples (res) == 1;
    if (found) {
        row->id = rows_text (res, 0, 0, arena);
        row->region = rows_text (res, 0, 1, arena);
        row->referral_id = rows_text (res, 0, 2, arena);
        row->status = rows_text (res, 0, 3, arena);
    }
    PQclear (res);
    if (!found || !req->caller || !req->caller->region || strcmp (row->region, req->caller->region) != 0) {
        if (found && kw_audit (db, req->caller, action, "case", id, "not_found") != 0)
            return -1;
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such case");
        return 0;
    }
    int related = s_relationship (db, req, row->id);
    if (related < 0)
        return -1;
    *relationship = (unsigned) related;
    if (related && ((unsigned) related & allowed))
        return 1;
    if (kw_audit (db, req->caller, action, "case", row->id, "forbidden") != 0)
        return -1;
    kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL, "%s",
                        related ? "your part in this case does not let you do this"
                                : "you may act only on cases you are key worker, deputy, cover, team member"
                                  " or family of");
    return 0;
}

int
access_meeting (kw_db_t *db, const Kw__Request *req, const char *id, const char *action, unsigned allowed,
                int lock, case_row_t *row, unsigned *relationship, Kw__Response *resp, kw_arena_t *arena)
{
    PGresult *res = NULL;
    if (id && kw_uuid_valid (id)) {
        const char *params [1] = { id };
        if (!(res = kw_db_query (db, lock ? "access_meeting_lock" : "access_meeting_case", 1, params)))
            return -1;
    }
    char *case_id = res && PQntuples (res) == 1 ? rows_text (res, 0, 0, arena) : NULL;
    PQclear (res);
    if (!case_id) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such meeting");
        return 0;
    }
    int rc = access_case (db, req, case_id, action, allowed, row, relationship, resp, arena);
    if (rc == 0 && resp->status == KW__STATUS__STATUS_NOT_FOUND)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such meeting");
    return rc;
}

const char *
access_person (const Kw__Request *req, unsigned relationship)
{
    if (relationship & ACCESS_FAMILY)
        return "family";
    if (relationship & (ACCESS_KEY_WORKER | ACCESS_TEAM))
        return req->caller->professional_id;
    return NULL;
}
