/*  cases: what people read about cases. One case with its key worker,
    deputy, cover, team and every offer with its reasons (case.get, for
    those access.c lets in); the region's cases for coordinators and admins,
    filtered by status, key worker and whether the coordinator has to act
    (case.list); a key worker's or a family's own cases with their
    relationship to each (case.mine); each professional's caseload
    (caseload.list); a case's timeline, oldest first (case.timeline). Lists
    page by (opened_at, id), the timeline by its row number. Reads are
    audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_audit.h"
#include "kw_cursor.h"
#include "kw_uuid.h"
#include "assignment.h"

#define SUMMARY_COLUMNS \
    "c.id, c.referral_id, c.status, c.key_worker_id, c.key_worker_kind, coalesce (p.name, f.name)," \
    " coalesce (p.email, f.email), c.awaiting_reason, " TS ("c.review_flagged_at") ", " TS ("c.opened_at") "," \
    " " TS ("c.closed_at") ", c.round, " US ("c.opened_at") ", c.region"
#define SUMMARY_FROM \
    " FROM assignment.cases c LEFT JOIN assignment.professionals p ON p.id = c.key_worker_id" \
    " LEFT JOIN assignment.case_family f ON f.id = c.key_worker_family_id"
#define AWAITING "(c.status <> 'closed' AND (c.awaiting_reason IS NOT NULL OR c.review_flagged_at IS NOT NULL))"

int
cases_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "cases_list",
        "SELECT " SUMMARY_COLUMNS ", NULL" SUMMARY_FROM " WHERE c.region = $1"
        " AND ($2::text IS NULL OR c.status = $2) AND ($3::uuid IS NULL OR c.key_worker_id = $3::uuid)"
        " AND ($4::boolean IS NULL OR " AWAITING " = $4)"
        " AND ($5::bigint IS NULL OR (c.opened_at, c.id) >"
        "      (timestamptz 'epoch' + $5::bigint * interval '1 microsecond', $6::uuid))"
        " ORDER BY c.opened_at, c.id LIMIT $7::int");
    kw_db_prepare (db, "cases_mine_professional",
        "WITH mine AS ("
        "  SELECT id FROM assignment.cases WHERE key_worker_id = $2::uuid"
        "  UNION SELECT id FROM assignment.cases WHERE deputy_id = $2::uuid AND status <> 'closed'"
        "  UNION SELECT case_id FROM assignment.covers WHERE cover_id = $2::uuid AND status = 'active'"
        "  UNION SELECT case_id FROM assignment.team_members WHERE professional_id = $2::uuid AND removed_at IS NULL"
        "  UNION SELECT case_id FROM assignment.offers WHERE professional_id = $2::uuid AND status = 'pending')"
        " SELECT " SUMMARY_COLUMNS ", CASE WHEN c.key_worker_id = $2::uuid THEN 'key_worker'"
        "  WHEN EXISTS (SELECT 1 FROM assignment.covers v WHERE v.case_id = c.id AND v.status = 'active'"
        "               AND v.cover_id = $2::uuid) THEN 'cover'"
        "  WHEN c.deputy_id = $2::uuid THEN 'deputy'"
        "  WHEN EXISTS (SELECT 1 FROM assignment.team_members t WHERE t.case_id = c.id AND t.removed_at IS NULL"
        "               AND t.professional_id = $2::uuid) THEN 'team' ELSE 'offeree' END"
        SUMMARY_FROM " JOIN mine ON mine.id = c.id WHERE c.region = $1 AND ($3::text IS NULL OR c.status = $3)"
        " AND ($4::bigint IS NULL OR (c.opened_at, c.id) >"
        "      (timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5::uuid))"
        " ORDER BY c.opened_at, c.id LIMIT $6::int");
    kw_db_prepare (db, "cases_mine_family",
        "SELECT " SUMMARY_COLUMNS ", 'family'" SUMMARY_FROM " WHERE c.region = $1"
        " AND EXISTS (SELECT 1 FROM assignment.case_family m WHERE m.case_id = c.id"
        "             AND lower (m.email) = lower ($2)) AND ($3::text IS NULL OR c.status = $3)"
        " AND ($4::bigint IS NULL OR (c.opened_at, c.id) >"
        "      (timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5::uuid))"
        " ORDER BY c.opened_at, c.id LIMIT $6::int");
    kw_db_prepare (db, "cases_caseloads",
        "SELECT id, name, agency, discipline, caseload, max_caseload, pending_offers, cover_load,"
        " max_caseload - caseload - cover_load - pending_offers, absent, active, " US ("created_at")
        " FROM assignment.professionals WHERE region = $1"
        " AND ($2::bigint IS NULL OR (created_at, id) >"
        "      (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::uuid))"
        " ORDER BY created_at, id LIMIT $4::int");
    kw_db_prepare (db, "cases_timeline",
        "SELECT id, " TS ("at") ", kind, actor, actor_role, detail, professional_id, offer_id, event_id"
        " FROM assignment.timeline WHERE case_id = $1::uuid AND ($2::bigint IS NULL OR id > $2::bigint)"
        " ORDER BY id LIMIT $3::int");
    return 0;
}

static void
s_unavailable (Kw__Response *resp, kw_arena_t *arena)
{
    kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
}

void
cases_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return;
    kw_db_t *db = kw_service_db (svc);
    case_row_t row;
    const char *relationship;
    int rc = access_read (db, req, in->id, "read", &row, &relationship, resp, arena);
    if (rc > 0) {
        Kw__Case *out = offers_case_view (db, &row, relationship, arena);
        if (out && kw_audit (db, req->caller, "read", "case", row.id, "ok") == 0)
            kw_rpc_reply_ok (resp, arena, &out->base);
        else
            rc = -1;
    }
    if (rc < 0)
        s_unavailable (resp, arena);
}

//  A case summary from a row of SUMMARY_COLUMNS and a relationship column.
static Kw__Case *
s_summary (PGresult *res, int r, kw_arena_t *arena)
{
    static const char *const statuses [] = { "", "awaiting_key_worker", "offered", "active", "closed" };
    Kw__Case *c = kw_arena_calloc (arena, sizeof *c);
    kw__case__init (c);
    c->id = rows_text (res, r, 0, arena);
    c->referral_id = rows_text (res, r, 1, arena);
    c->has_status = 1;
    for (int i = 1; i < 5; i++)
        if (strcmp (PQgetvalue (res, r, 2), statuses [i]) == 0)
            c->status = (Kw__CaseStatus) i;
    if (!PQgetisnull (res, r, 4)) {
        c->key_worker = kw_arena_calloc (arena, sizeof *c->key_worker);
        kw__key_worker__init (c->key_worker);
        c->key_worker->id = rows_text (res, r, 3, arena);
        c->key_worker->kind = rows_text (res, r, 4, arena);
        c->key_worker->name = rows_text (res, r, 5, arena);
        c->key_worker->email = rows_text (res, r, 6, arena);
    }
    c->review_flagged_at = rows_text (res, r, 8, arena);
    c->awaiting_reason = rows_text (res, r, 7, arena);
    if (!c->awaiting_reason && c->review_flagged_at && c->status != KW__CASE_STATUS__CASE_STATUS_CLOSED)
        c->awaiting_reason = "review";
    c->has_awaiting = 1;
    c->awaiting = c->awaiting_reason && c->status != KW__CASE_STATUS__CASE_STATUS_CLOSED;
    c->opened_at = rows_text (res, r, 9, arena);
    c->closed_at = rows_text (res, r, 10, arena);
    c->has_round = 1;
    c->round = (uint32_t) atoi (PQgetvalue (res, r, 11));
    c->region = rows_text (res, r, 13, arena);
    c->relationship = rows_text (res, r, 14, arena);
    return c;
}

//  Answer resp with a page of summaries from res (page.limit + 1 rows read).
static void
s_page (PGresult *res, const kw_page_t *page, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__CaseList out = KW__CASE_LIST__INIT;
    out.items = rows_page (res, page, &out.n_items, arena);
    for (size_t i = 0; i < out.n_items; i++)
        out.items [i] = s_summary (res, (int) i, arena);
    out.next_cursor = rows_next_cursor (res, out.n_items, 12, out.n_items ? out.items [out.n_items - 1]->id : NULL,
                                        arena);
    kw_rpc_reply_ok (resp, arena, &out.base);
}

static const char *
s_status_name (int has, Kw__CaseStatus status)
{
    static const char *const names [] = { NULL, "awaiting_key_worker", "offered", "active", "closed" };
    return has && status > 0 && status < 5 ? names [status] : NULL;
}

//  The page asked for, or answered INVALID. 0 or -1.
static int
s_page_of (int has_limit, uint32_t limit, const char *cursor, kw_page_t *page, Kw__Response *resp,
           kw_arena_t *arena)
{
    if (kw_cursor_page (has_limit, limit, cursor, arena, page) == 0)
        return 0;
    kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "cursor", "cursor is not one this list gave");
    return -1;
}

void
cases_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__CaseListRequest *in = (Kw__CaseListRequest *) kw_rpc_unpack (req, resp, arena,
                                                                     &kw__case_list_request__descriptor);
    if (!in)
        return;
    kw_db_t *db = kw_service_db (svc);
    int allowed = access_coordinator (db, req, "case", "", "list", resp, arena);
    if (allowed <= 0) {
        if (allowed < 0)
            s_unavailable (resp, arena);
        return;
    }
    if (in->key_worker_id && !kw_uuid_valid (in->key_worker_id)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "key_worker_id",
                            "key_worker_id must be the id of a registered professional");
        return;
    }
    kw_page_t page;
    if (s_page_of (in->has_limit, in->limit, in->cursor, &page, resp, arena) != 0)
        return;
    const char *params [7] = {
        req->caller->region, s_status_name (in->has_status, in->status), in->key_worker_id,
        !in->has_awaiting ? NULL : in->awaiting ? "true" : "false", page.after_us, page.after_id, page.fetch
    };
    PGresult *res = kw_db_query (db, "cases_list", 7, params);
    if (res && kw_audit (db, req->caller, "list", "case", "", "ok") == 0)
        s_page (res, &page, resp, arena);
    else
        s_unavailable (resp, arena);
    PQclear (res);
}

void
cases_mine (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__MyCasesRequest *in = (Kw__MyCasesRequest *) kw_rpc_unpack (req, resp, arena,
                                                                   &kw__my_cases_request__descriptor);
    if (!in)
        return;
    kw_db_t *db = kw_service_db (svc);
    const Kw__Caller *caller = req->caller;
    const char *role = caller->role ? caller->role : "";
    int professional = strcmp (role, "key_worker") == 0 && caller->professional_id
                    && kw_uuid_valid (caller->professional_id);
    int family = strcmp (role, "family") == 0 && caller->sub && *caller->sub;
    if (!professional && !family) {
        if (kw_audit (db, caller, "list_mine", "case", "", "forbidden") != 0)
            s_unavailable (resp, arena);
        else
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL,
                                "only a key worker (a token with a professional_id) or a family has own cases");
        return;
    }
    kw_page_t page;
    if (s_page_of (in->has_limit, in->limit, in->cursor, &page, resp, arena) != 0)
        return;
    const char *params [6] = {
        caller->region, professional ? caller->professional_id : caller->sub,
        s_status_name (in->has_status, in->status), page.after_us, page.after_id, page.fetch
    };
    PGresult *res = kw_db_query (db, professional ? "cases_mine_professional" : "cases_mine_family", 6, params);
    if (res && kw_audit (db, caller, "list_mine", "case", "", "ok") == 0)
        s_page (res, &page, resp, arena);
    else
        s_unavailable (resp, arena);
    PQclear (res);
}

void
cases_caseloads (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__CaseloadListRequest *in = (Kw__CaseloadListRequest *)
        kw_rpc_unpack (req, resp, arena, &kw__caseload_list_request__descriptor);
    if (!in)
        return;
    kw_db_t *db = kw_service_db (svc);
    int allowed = access_coordinator (db, req, "professional", "", "caseloads", resp, arena);
    if (allowed <= 0) {
        if (allowed < 0)
            s_unavailable (resp, arena);
        return;
    }
    kw_page_t page;
    if (s_page_of (in->has_limit, in->limit, in->cursor, &page, resp, arena) != 0)
        return;
    const char *params [4] = { req->caller->region, page.after_us, page.after_id, page.fetch };
    PGresult *res = kw_db_query (db, "cases_caseloads", 4, params);
    if (!res) {
        s_unavailable (resp, arena);
        return;
    }
    Kw__CaseloadList out = KW__CASELOAD_LIST__INIT;
    out.items = rows_page (res, &page, &out.n_items, arena);
    for (size_t i = 0; i < out.n_items; i++) {
        int r = (int) i;
        Kw__Caseload *c = kw_arena_calloc (arena, sizeof *c);
        kw__caseload__init (c);
        c->professional_id = rows_text (res, r, 0, arena);
        c->name = rows_text (res, r, 1, arena);
        c->agency = rows_text (res, r, 2, arena);
        c->discipline = rows_text (res, r, 3, arena);
        c->has_caseload = c->has_max_caseload = c->has_pending_offers = c->has_cover_load = 1;
        c->caseload = (uint32_t) atoi (PQgetvalue (res, r, 4));
        c->max_caseload = (uint32_t) atoi (PQgetvalue (res, r, 5));
        c->pending_offers = (uint32_t) atoi (PQgetvalue (res, r, 6));
        c->cover_load = (uint32_t) atoi (PQgetvalue (res, r, 7));
        c->has_spare = c->has_absent = c->has_active = 1;
        c->spare = atoi (PQgetvalue (res, r, 8));
        c->absent = PQgetvalue (res, r, 9) [0] == 't';
        c->active = PQgetvalue (res, r, 10) [0] == 't';
        out.items [i] = c;
    }
    out.next_cursor = rows_next_cursor (res, out.n_items, 11,
                                        out.n_items ? out.items [out.n_items - 1]->professional_id : NULL, arena);
    PQclear (res);
    if (kw_audit (db, req->caller, "caseloads", "professional", "", "ok") != 0) {
        s_unavailable (resp, arena);
        return;
    }
    kw_rpc_reply_ok (resp, arena, &out.base);
}

void
cases_timeline (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__TimelineRequest *in = (Kw__TimelineRequest *) kw_rpc_unpack (req, resp, arena,
                                                                     &kw__timeline_request__descriptor);
    if (!in)
        return;
    kw_db_t *db = kw_service_db (svc);
    case_row_t row;
    int rc = access_read (db, req, in->id, "read_timeline", &row, NULL, resp, arena);
    if (rc == 0)
        return;
    kw_page_t page;
    if (rc > 0 && s_page_of (in->has_limit, in->limit, in->cursor, &page, resp, arena) != 0)
        return;
    //  A timeline cursor is "<row number>.<case id>".
    if (rc > 0 && page.after_id && strcmp (page.after_id, row.id) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "cursor", "cursor is not one this list gave");
        return;
    }
    PGresult *res = NULL;
    if (rc > 0) {
        const char *params [3] = { row.id, page.after_us, page.fetch };
        res = kw_db_query (db, "cases_timeline", 3, params);
        rc = res && kw_audit (db, req->caller, "read_timeline", "case", row.id, "ok") == 0 ? 1 : -1;
    }
    if (rc < 0) {
        PQclear (res);
        s_unavailable (resp, arena);
        return;
    }
    Kw__Timeline out = KW__TIMELINE__INIT;
    out.items = rows_page (res, &page, &out.n_items, arena);
    for (size_t i = 0; i < out.n_items; i++) {
        int r = (int) i;
        Kw__TimelineEntry *e = kw_arena_calloc (arena, sizeof *e);
        kw__timeline_entry__init (e);
        e->at = rows_text (res, r, 1, arena);
        e->kind = rows_text (res, r, 2, arena);
        e->actor = rows_text (res, r, 3, arena);
        e->actor_role = rows_text (res, r, 4, arena);
        e->detail = rows_text (res, r, 5, arena);
        e->professional_id = rows_text (res, r, 6, arena);
        e->offer_id = rows_text (res, r, 7, arena);
        e->event_id = rows_text (res, r, 8, arena);
        out.items [i] = e;
    }
    out.next_cursor = rows_next_cursor (res, out.n_items, 0, row.id, arena);
    PQclear (res);
    kw_rpc_reply_ok (resp, arena, &out.base);
}
