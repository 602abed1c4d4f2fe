/*  access: who may read or act on a case. A case is seen only in its own
    region (elsewhere it does not exist). Coordinators and admins of the
    region may read every case; a key worker token (its professional_id)
    the cases they are key worker, deputy, cover or team member of, or hold
    a pending offer for; a family token the cases whose family lists the
    token's subject as a member's e-mail (docs/assignment.md). A declined or
    lapsed offer gives no access. Refusals are audited. */
#include <stdlib.h>
#include <string.h>
#include "kw_audit.h"
#include "kw_uuid.h"
#include "assignment.h"

#define CASE_COLUMNS \
    "c.id, c.referral_id, c.region, c.status, c.key_worker_id, c.key_worker_kind," \
    " c.key_worker_family_id, c.deputy_id, c.round, c.round_purpose, c.awaiting_reason," \
    " c.review_flagged_at IS NOT NULL"

int
access_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "access_case",
        "SELECT " CASE_COLUMNS " FROM assignment.cases c WHERE c.id = $1::uuid");
    kw_db_prepare (db, "access_case_lock",
        "SELECT " CASE_COLUMNS " FROM assignment.cases c WHERE c.id = $1::uuid FOR UPDATE");
    kw_db_prepare (db, "access_professional",
        "SELECT CASE"
        " WHEN c.key_worker_id = $2::uuid THEN 'key_worker'"
        " WHEN EXISTS (SELECT 1 FROM assignment.covers v WHERE v.case_id = c.id AND v.status = 'active'"
        "              AND v.cover_id = $2::uuid) THEN 'cover'"
        " WHEN c.deputy_id = $2::uuid THEN 'deputy'"
        " WHEN EXISTS (SELECT 1 FROM assignment.team_members t WHERE t.case_id = c.id"
        "              AND t.removed_at IS NULL AND t.professional_id = $2::uuid) THEN 'team'"
        " WHEN EXISTS (SELECT 1 FROM assignment.offers o WHERE o.case_id = c.id AND o.status = 'pending'"
        "              AND o.professional_id = $2::uuid) THEN 'offeree'"
        " END FROM assignment.cases c WHERE c.id = $1::uuid");
    kw_db_prepare (db, "access_family",
        "SELECT 1 FROM assignment.case_family WHERE case_id = $1::uuid AND lower (email) = lower ($2)");
    return 0;
}

int
access_row (kw_db_t *db, const char *id, int lock, case_row_t *row, kw_arena_t *arena)
{
    memset (row, 0, sizeof *row);
    const char *params [1] = { id };
    PGresult *res = kw_db_query (db, lock ? "access_case_lock" : "access_case", 1, params);
    if (!res)
        return -1;
    if (PQntuples (res) == 0) {
        PQclear (res);
        return 0;
    }
    row->id = rows_text (res, 0, 0, arena);
    row->referral_id = rows_text (res, 0, 1, arena);
    row->region = rows_text (res, 0, 2, arena);
    row->status = rows_text (res, 0, 3, arena);
    row->key_worker_id = rows_text (res, 0, 4, arena);
    row->key_worker_kind = rows_text (res, 0, 5, arena);
    row->key_worker_family_id = rows_text (res, 0, 6, arena);
    row->deputy_id = rows_text (res, 0, 7, arena);
    row->round = atoi (PQgetvalue (res, 0, 8));
    row->round_purpose = rows_text (res, 0, 9, arena);
    row->awaiting_reason = rows_text (res, 0, 10, arena);
    row->review_flagged = PQgetvalue (res, 0, 11) [0] == 't';
    PQclear (res);
    return 1;
}

int
access_load (kw_db_t *db, const Kw__Request *req, const char *id, const char *action, int lock,
             case_row_t *row, Kw__Response *resp, kw_arena_t *arena)
{
    int found = id && kw_uuid_valid (id) ? access_row (db, id, lock, row, arena) : 0;
    if (found < 0)
        return -1;
    int elsewhere = found && strcmp (row->region, req->caller->region) != 0;
    if (elsewhere && kw_audit (db, req->caller, action, "case", id, "not_found") != 0)
        return -1;
    if (!found || elsewhere) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such case");
        return 0;
    }
    return 1;
}

static int
s_role (const Kw__Request *req, const char *role)
{
    return req->caller->role && strcmp (req->caller->role, role) == 0;
}

const char *
access_relationship (kw_db_t *db, const Kw__Request *req, const case_row_t *row, int *failed)
{
    const Kw__Caller *caller = req->caller;
    if (s_role (req, "coordinator") || s_role (req, "admin"))
        return "coordinator";
    PGresult *res = NULL;
    const char *relationship = NULL;
    if (s_role (req, "key_worker") && caller->professional_id && kw_uuid_valid (caller->professional_id)) {
        const char *params [2] = { row->id, caller->professional_id };
        res = kw_db_query (db, "access_professional", 2, params);
        if (res && PQntuples (res) && !PQgetisnull (res, 0, 0)) {
            static const char *const names [] = { "key_worker", "cover", "deputy", "team", "offeree" };
            for (size_t i = 0; i < sizeof names / sizeof names [0]; i++)
                if (strcmp (PQgetvalue (res, 0, 0), names [i]) == 0)
                    relationship = names [i];
        }
    }
    else
    if (s_role (req, "family") && caller->sub && *caller->sub) {
        const char *params [2] = { row->id, caller->sub };
        res = kw_db_query (db, "access_family", 2, params);
        if (res && PQntuples (res))
            relationship = "family";
    }
    else
        return NULL;
    if (!res)
        *failed = 1;
    PQclear (res);
    return relationship;
}

//  Refuse: audited, FORBIDDEN. 0, or -1 when the audit cannot be written.
static int
s_refuse (kw_db_t *db, const Kw__Request *req, const char *action, const char *record_type,
          const char *record_id, const char *message, Kw__Response *resp, kw_arena_t *arena)
{
    if (kw_audit (db, req->caller, action, record_type, record_id, "forbidden") != 0)
        return -1;
    kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL, "%s", message);
    return 0;
}

int
access_read (kw_db_t *db, const Kw__Request *req, const char *id, const char *action, case_row_t *row,
             const char **relationship, Kw__Response *resp, kw_arena_t *arena)
{
    int found = access_load (db, req, id, action, 0, row, resp, arena);
    if (found <= 0)
        return found;
    int failed = 0;
    const char *related = access_relationship (db, req, row, &failed);
    if (failed)
        return -1;
    if (relationship)
        *relationship = related;
    if (related)
        return 1;
    return s_refuse (db, req, action, "case", row->id,
                     "you may see only cases you are key worker, deputy, cover or team member of,"
                     " or hold an offer for", resp, arena);
}

int
access_coordinator (kw_db_t *db, const Kw__Request *req, const char *record_type, const char *record_id,
                    const char *action, Kw__Response *resp, kw_arena_t *arena)
{
    if (s_role (req, "coordinator") || s_role (req, "admin"))
        return 1;
    return s_refuse (db, req, action, record_type, record_id ? record_id : "",
                     "only a coordinator or an admin may do this", resp, arena);
}
