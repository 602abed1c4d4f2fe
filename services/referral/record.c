/*  record: a stored referral as the API shows it, who may see it, and the
    audit record of each read and change. */
#include <stdlib.h>
#include <string.h>
#include "kw/eligibility.pb-c.h"
#include "kw_jwt.h"
#include "referral.h"

static const char *STATUS_NAMES [] = {
    [KW__REFERRAL_STATUS__REFERRAL_STATUS_RECEIVED] = "received",
    [KW__REFERRAL_STATUS__REFERRAL_STATUS_ELIGIBLE] = "eligible",
    [KW__REFERRAL_STATUS__REFERRAL_STATUS_INELIGIBLE] = "ineligible",
    [KW__REFERRAL_STATUS__REFERRAL_STATUS_MORE_INFORMATION_NEEDED] = "more_information_needed",
    [KW__REFERRAL_STATUS__REFERRAL_STATUS_WITHDRAWN] = "withdrawn",
    [KW__REFERRAL_STATUS__REFERRAL_STATUS_CLOSED] = "closed",
};

static const char *SOURCE_NAMES [] = {
    [KW__SOURCE__SOURCE_PROFESSIONAL] = "professional",
    [KW__SOURCE__SOURCE_SELF] = "self",
    [KW__SOURCE__SOURCE_DSR] = "dsr",
};

const char *
record_status_name (Kw__ReferralStatus status)
{
    return status > 0 && (size_t) status < sizeof STATUS_NAMES / sizeof STATUS_NAMES [0]
         ? STATUS_NAMES [status] : NULL;
}

const char *
record_source_name (Kw__Source source)
{
    return source > 0 && (size_t) source < sizeof SOURCE_NAMES / sizeof SOURCE_NAMES [0]
         ? SOURCE_NAMES [source] : NULL;
}

static int
s_status_value (const char *name)
{
    for (size_t i = 1; i < sizeof STATUS_NAMES / sizeof STATUS_NAMES [0]; i++)
        if (STATUS_NAMES [i] && strcmp (STATUS_NAMES [i], name) == 0)
            return (int) i;
    return 0;
}

int
record_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "referral_get",
        "SELECT " RECORD_COLUMNS " FROM referral.referrals r WHERE r.id = $1::uuid");
    kw_db_prepare (db, "referral_audit_many",
        "INSERT INTO audit.events (actor, role, region, action, record_type, record_id, outcome)"
        " SELECT $1, $2, $3, $4, $5, unnest ($6::text[]), 'ok'");
    return 0;
}

int
record_audit_many (kw_db_t *db, Kw__Response *resp, const Kw__Caller *caller, const char *action, const char *type,
                   const char *const *ids, size_t count, kw_arena_t *arena)
{
    if (count == 0)
        return 0;
    //  An array literal of ids this service made (no quoting needed).
    size_t size = 3, len = 0;
    for (size_t i = 0; i < count; i++)
        size += strlen (ids [i]) + 1;
    char *array = kw_arena_alloc (arena, size);
    array [len++] = '{';
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen (ids [i]);
        if (i)
            array [len++] = ',';
        memcpy (array + len, ids [i], n);
        len += n;
    }
    array [len++] = '}';
    array [len] = 0;
    const char *params [6] = { caller->sub ? caller->sub : "", caller->role ? caller->role : "",
                               caller->region ? caller->region : "", action, type, array };
    if (kw_db_exec (db, "referral_audit_many", 6, params) == 0)
        return 0;
    kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL,
                        "the read could not be audited; try again");
    return -1;
}

int
record_may_read (const Kw__Caller *caller, const char *created_by)
{
    static const char *const all_in_region [] = { "admin", "coordinator", NULL };
    return kw_jwt_role_in (caller->role, all_in_region)
        || (caller->sub && *caller->sub && strcmp (caller->sub, created_by) == 0);
}

static char *
s_text (PGresult *res, int row, int col, kw_arena_t *arena)
{
    return PQgetisnull (res, row, col) ? NULL : kw_arena_strdup (arena, PQgetvalue (res, row, col));
}

Kw__Referral *
record_from_row (PGresult *res, int row, kw_arena_t *arena)
{
    size_t len = 0;
    unsigned char *body = PQunescapeBytea ((const unsigned char *) PQgetvalue (res, row, RECORD_BODY), &len);
    Kw__Referral *out = body ? kw__referral__unpack (kw_arena_allocator (arena), len, body) : NULL;
    PQfreemem (body);
    if (!out)
        return NULL;
    out->id = s_text (res, row, RECORD_ID, arena);
    out->region = s_text (res, row, RECORD_REGION, arena);
    out->has_status = 1;
    out->status = s_status_value (PQgetvalue (res, row, RECORD_STATUS));
    out->received_at = s_text (res, row, RECORD_RECEIVED_AT, arena);
    if (!PQgetisnull (res, row, RECORD_DECISION)) {
        unsigned char *decision = PQunescapeBytea (
            (const unsigned char *) PQgetvalue (res, row, RECORD_DECISION), &len);
        if (decision)
            out->eligibility = kw__eligibility_decision__unpack (kw_arena_allocator (arena), len, decision);
        PQfreemem (decision);
    }
    out->case_id = s_text (res, row, RECORD_CASE_ID, arena);
    out->has_revision = 1;
    out->revision = (uint32_t) strtoul (PQgetvalue (res, row, RECORD_REVISION), NULL, 10);
    out->withdrawn_at = s_text (res, row, RECORD_WITHDRAWN_AT, arena);
    out->withdrawal_reason = s_text (res, row, RECORD_WITHDRAWAL_REASON, arena);
    out->updated_at = s_text (res, row, RECORD_UPDATED_AT, arena);
    return out;
}

Kw__Referral *
record_load (kw_db_t *db, const Kw__Request *req, const char *id, const char *action,
             Kw__Response *resp, kw_arena_t *arena)
{
    if (!id || !kw_uuid_valid (id)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such referral");
        return NULL;
    }
    const char *params [1] = { id };
    PGresult *res = kw_db_query (db, "referral_get", 1, params);
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return NULL;
    }
    //  Another region's referral is answered as missing, and the refused
    //  read audited as not_found.
    int elsewhere = PQntuples (res) > 0
                 && strcmp (PQgetvalue (res, 0, RECORD_REGION), req->caller->region) != 0;
    if (PQntuples (res) == 0 || elsewhere) {
        PQclear (res);
        if (!elsewhere || kw_audit_read (db, req->caller, action, "referral", id, "not_found", resp, arena) == 0)
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such referral");
        return NULL;
    }
    if (!record_may_read (req->caller, PQgetvalue (res, 0, RECORD_CREATED_BY))) {
        PQclear (res);
        if (kw_audit_read (db, req->caller, action, "referral", id, "forbidden", resp, arena) == 0)
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL,
                            "you may see only referrals you made");
        return NULL;
    }
    Kw__Referral *out = record_from_row (res, 0, arena);
    PQclear (res);
    if (!out)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INTERNAL, NULL, "stored referral is unreadable");
    return out;
}

Kw__ReferralBody *
record_event_body (const Kw__ReferralBody *body, kw_arena_t *arena)
{
    Kw__ReferralBody *out = kw_arena_alloc (arena, sizeof *out);
    *out = *body;
    out->referrer = NULL;
    if (body->child) {
        out->child = kw_arena_alloc (arena, sizeof *out->child);
        *out->child = *body->child;
        out->child->given_name = NULL;
        out->child->family_name = NULL;
    }
    return out;
}
