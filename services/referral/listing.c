/*  listing: RPC referral.list, the referrals of the caller's region (or,
    for roles that see only their own, the ones the caller made), oldest
    first, filtered by status, source and the date received, a page at a
    time with an opaque cursor. */
#include <stdio.h>
#include <string.h>
#include "kw_cursor.h"
#include "kw_jwt.h"
#include "kw_time.h"
#include "referral.h"

int
listing_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "referral_list",
        "SELECT " RECORD_COLUMNS " FROM referral.referrals r WHERE r.region = $1"
        " AND ($2::text IS NULL OR r.status = $2)"
        " AND ($3::text IS NULL OR r.source = $3)"
        " AND ($4::date IS NULL OR r.received_at >= $4::date::timestamp AT TIME ZONE 'UTC')"
        " AND ($5::date IS NULL OR r.received_at < ($5::date + 1)::timestamp AT TIME ZONE 'UTC')"
        " AND ($6::bigint IS NULL OR (r.received_at, r.id)"
        "      > ('epoch'::timestamptz + $6::bigint * interval '1 microsecond', $7::uuid))"
        " AND ($8::text IS NULL OR r.created_by = $8)"
        " ORDER BY r.received_at, r.id LIMIT $9::int");
    return 0;
}

int
listing_check_date (const char *value, const char *field, Kw__Response *resp, kw_arena_t *arena)
{
    int y, m, d;
    if (value && *value && kw_date_parse (value, &y, &m, &d) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, field,
                            "%s is not a real date in the form YYYY-MM-DD", field);
        return -1;
    }
    return 0;
}

void
listing_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const char *const whole_region [] = { "admin", "coordinator", NULL };
    Kw__ReferralListRequest *in = (Kw__ReferralListRequest *)
        kw_rpc_unpack (req, resp, arena, &kw__referral_list_request__descriptor);
    if (!in)
        return;
    if (listing_check_date (in->from, "from", resp, arena) || listing_check_date (in->to, "to", resp, arena))
        return;
    const char *from = in->from && *in->from ? in->from : NULL;
    const char *to = in->to && *in->to ? in->to : NULL;
    if (from && to && strcmp (from, to) > 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "to", "to is before from");
        return;
    }
    const char *status = in->has_status ? record_status_name (in->status) : NULL;
    const char *source = in->has_source ? record_source_name (in->source) : NULL;
    if ((in->has_status && !status) || (in->has_source && !source)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, in->has_status && !status
                            ? "status" : "source", "is not a known value");
        return;
    }
    const char *own = NULL;
    if (!kw_jwt_role_in (req->caller->role, whole_region)) {
        own = req->caller->sub;
        if (!own || !*own) {
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL,
                                "the caller has no identity to list its referrals by");
            return;
        }
    }
    kw_page_t page;
    if (kw_cursor_page (in->has_limit, in->limit, in->cursor, arena, &page) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "cursor", "cursor is not valid");
        return;
    }
    const char *params [9] = { req->caller->region, status, source, from, to,
                               page.after_us, page.after_id, own, page.fetch };
    kw_db_t *db = kw_service_db (svc);
    PGresult *res = kw_db_query (db, "referral_list", 9, params);
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    int rows = PQntuples (res);
    int count = rows > page.limit ? (int) page.limit : rows;
    Kw__ReferralList out = KW__REFERRAL_LIST__INIT;
    out.items = kw_arena_calloc (arena, (count ? (size_t) count : 1) * sizeof *out.items);
    for (int i = 0; i < count; i++) {
        Kw__Referral *item = record_from_row (res, i, arena);
        if (item)
            out.items [out.n_items++] = item;
    }
    if (rows > page.limit && count > 0)
        out.next_cursor = kw_cursor_after (arena, PQgetvalue (res, count - 1, RECORD_RECEIVED_US),
                                           PQgetvalue (res, count - 1, RECORD_ID));
    PQclear (res);
    const char **ids = kw_arena_calloc (arena, (out.n_items ? out.n_items : 1) * sizeof *ids);
    for (size_t i = 0; i < out.n_items; i++)
        ids [i] = out.items [i]->id;
    if (record_audit_many (db, resp, req->caller, "list", "referral", ids, out.n_items, arena) != 0)
        return;
    kw_rpc_reply_ok (resp, arena, &out.base);
}
