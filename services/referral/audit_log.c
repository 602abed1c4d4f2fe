/*  audit_log: RPC audit.list (GET /v1/audit), the audit rows of the
    caller's region for admins, oldest first (in the order they were
    written), filtered by record, actor and date, a page at a time. The rows
    are read over a connection of their own as the audit reader role
    (KW_AUDIT_DB_USER), the only role that may read audit.events; the read
    itself is audited on the service's connection, and fails when it cannot
    be. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw/audit.pb-c.h"
#include "kw_audit.h"
#include "kw_cursor.h"
#include "referral.h"

static kw_db_t *s_reader;

int
audit_log_start (kw_service_t *svc)
{
    s_reader = kw_db_new (kw_service_config (svc, "KW_DB_URL"), kw_service_config (svc, "KW_AUDIT_DB_USER"),
                          "referral-audit");
    kw_db_prepare (s_reader, "audit_list",
        "SELECT id, to_char (at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), actor, role,"
        " region, action, record_type, record_id, outcome FROM audit.events WHERE region = $1"
        " AND ($2::text IS NULL OR record_id = $2) AND ($3::text IS NULL OR actor = $3)"
        " AND ($4::date IS NULL OR at >= $4::date::timestamp AT TIME ZONE 'UTC')"
        " AND ($5::date IS NULL OR at < ($5::date + 1)::timestamp AT TIME ZONE 'UTC')"
        " AND ($6::bigint IS NULL OR id > $6::bigint)"
        " ORDER BY id LIMIT $7::int");
    return 0;
}

void
audit_log_stop (kw_service_t *svc)
{
    kw_db_destroy (&s_reader);
}

//  NULL when value is absent or empty.
static const char *
s_given (const char *value)
{
    return value && *value ? value : NULL;
}

//  The cursor: the id of the last row of the page, digits only.
static int
s_cursor (const char *cursor)
{
    size_t len = cursor ? strlen (cursor) : 0;
    if (len == 0 || len > 18)
        return -1;
    for (size_t i = 0; i < len; i++)
        if (cursor [i] < '0' || cursor [i] > '9')
            return -1;
    return 0;
}

static Kw__AuditEntry *
s_entry (PGresult *res, int row, kw_arena_t *arena)
{
    Kw__AuditEntry *e = kw_arena_alloc (arena, sizeof *e);
    kw__audit_entry__init (e);
    char **fields [8] = { &e->at, &e->actor, &e->role, &e->region, &e->action, &e->record_type,
                          &e->record_id, &e->outcome };
    for (int i = 0; i < 8; i++)
        *fields [i] = kw_arena_strdup (arena, PQgetvalue (res, row, i + 1));
    return e;
}

void
audit_log_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    kw_db_t *db = kw_service_db (svc);
    Kw__AuditListRequest *in = (Kw__AuditListRequest *)
        kw_rpc_unpack (req, resp, arena, &kw__audit_list_request__descriptor);
    if (!in)
        return;
    const char *record_id = s_given (in->record_id);
    if (!req->caller->role || strcmp (req->caller->role, "admin") != 0) {
        if (kw_audit_read (db, req->caller, "list", "audit", record_id ? record_id : "", "forbidden",
                           resp, arena) == 0)
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL,
                                "only admins may read the audit trail");
        return;
    }
    const char *from = s_given (in->from), *to = s_given (in->to), *cursor = s_given (in->cursor);
    if (listing_check_date (from, "from", resp, arena) || listing_check_date (to, "to", resp, arena))
        return;
    if (from && to && strcmp (from, to) > 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "to", "to is before from");
        return;
    }
    if (cursor && s_cursor (cursor) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "cursor", "cursor is not valid");
        return;
    }
    kw_page_t page;
    kw_cursor_page (in->has_limit, in->limit, NULL, arena, &page);
    const char *params [7] = { req->caller->region, record_id, s_given (in->actor), from, to, cursor,
                               page.fetch };
    PGresult *res = kw_db_ensure (s_reader) == 0 ? kw_db_query (s_reader, "audit_list", 7, params) : NULL;
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "the audit trail is unavailable");
        return;
    }
    int rows = PQntuples (res);
    int count = rows > page.limit ? (int) page.limit : rows;
    Kw__AuditList out = KW__AUDIT_LIST__INIT;
    out.items = kw_arena_calloc (arena, (count ? (size_t) count : 1) * sizeof *out.items);
    for (int i = 0; i < count; i++)
        out.items [out.n_items++] = s_entry (res, i, arena);
    if (rows > page.limit && count > 0)
        out.next_cursor = kw_arena_strdup (arena, PQgetvalue (res, count - 1, 0));
    PQclear (res);
    if (kw_audit_read (db, req->caller, "list", "audit", record_id ? record_id : "", "ok", resp, arena) != 0)
        return;
    kw_rpc_reply_ok (resp, arena, &out.base);
}
