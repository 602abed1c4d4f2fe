/*  records: the delivery records over RPC. notification.list pages
    through the caller's region's deliveries with filters, notification.get
    reads one, notification.retry sends a failed one again (a
    coordinator's act: the delivery is pending again with its attempts
    counted from nought, and keeps its id, so its Message-ID). Admins and
    coordinators see their region's deliveries; key workers only those
    addressed to them; anyone else none. A delivery of another region, or
    not the key worker's, is not found. Every read and the retry are
    audited. Records never carry the address, subject or body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw/notification.pb-c.h"
#include "kw_audit.h"
#include "kw_cursor.h"
#include "kw_log.h"
#include "kw_tx.h"
#include "kw_uuid.h"
#include "notification.h"

#define TIMESTAMP(col) \
    "to_char (" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define COLUMNS \
    "id, event, channel, recipient_id, template, status, attempts, last_error," \
    " " TIMESTAMP ("created_at") ", " TIMESTAMP ("sent_at") ", case_id," \
    " (extract (epoch FROM created_at) * 1000000)::bigint, audience, " TIMESTAMP ("updated_at") "," \
    " " TIMESTAMP ("next_attempt_at") ", max_attempts, region"

static const char *const s_statuses [] = {
    "pending", "sending", "sent", "delivered", "failed", "suppressed", NULL
};
static const char *const s_channels [] = { "email", "sms", "webhook", NULL };

int
records_prepare (kw_db_t *db)
{
    //  Page by (created_at, id); the cursor carries the last row's pair.
    kw_db_prepare (db, "notification_list",
        "SELECT " COLUMNS " FROM notification.deliveries"
        " WHERE region = $1"
        " AND ($2::text IS NULL OR case_id = $2)"
        " AND ($3::text IS NULL OR recipient_id = $3)"
        " AND ($4::bigint IS NULL OR (created_at, id) >"
        "      (timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5::uuid))"
        " AND ($7::text IS NULL OR status = $7)"
        " AND ($8::text IS NULL OR channel = $8)"
        " AND ($9::text IS NULL OR template = $9)"
        " ORDER BY created_at, id LIMIT $6::int");
    kw_db_prepare (db, "notification_get",
        "SELECT " COLUMNS " FROM notification.deliveries WHERE id = $1::uuid");
    kw_db_prepare (db, "notification_get_locked",
        "SELECT " COLUMNS " FROM notification.deliveries WHERE id = $1::uuid FOR UPDATE");
    kw_db_prepare (db, "notification_again",
        "UPDATE notification.deliveries SET status = 'pending', attempts = 0, next_attempt_at = now (),"
        " updated_at = now () WHERE id = $1::uuid AND status = 'failed'");
    return 0;
}

static Kw__Channel
s_channel (const char *name)
{
    for (int i = 0; s_channels [i]; i++)
        if (strcmp (s_channels [i], name) == 0)
            return (Kw__Channel) (i + 1);
    return KW__CHANNEL__CHANNEL_UNSPECIFIED;
}

static Kw__DeliveryStatus
s_status (const char *name)
{
    static const Kw__DeliveryStatus values [] = {
        KW__DELIVERY_STATUS__DELIVERY_STATUS_PENDING, KW__DELIVERY_STATUS__DELIVERY_STATUS_SENDING,
        KW__DELIVERY_STATUS__DELIVERY_STATUS_SENT, KW__DELIVERY_STATUS__DELIVERY_STATUS_DELIVERED,
        KW__DELIVERY_STATUS__DELIVERY_STATUS_FAILED, KW__DELIVERY_STATUS__DELIVERY_STATUS_SUPPRESSED,
    };
    for (int i = 0; s_statuses [i]; i++)
        if (strcmp (s_statuses [i], name) == 0)
            return values [i];
    return KW__DELIVERY_STATUS__DELIVERY_STATUS_UNSPECIFIED;
}

static char *
s_text (kw_arena_t *arena, PGresult *res, int row, int col)
{
    return PQgetisnull (res, row, col) ? NULL : kw_arena_strdup (arena, PQgetvalue (res, row, col));
}

//  Row i of a COLUMNS result as a record.
static Kw__Delivery *
s_record (kw_arena_t *arena, PGresult *res, int i)
{
    Kw__Delivery *d = kw_arena_alloc (arena, sizeof *d);
    kw__delivery__init (d);
    d->id = s_text (arena, res, i, 0);
    d->event = s_text (arena, res, i, 1);
    d->has_channel = 1;
    d->channel = s_channel (PQgetvalue (res, i, 2));
    d->recipient_id = s_text (arena, res, i, 3);
    d->template_ = s_text (arena, res, i, 4);
    d->has_status = 1;
    d->status = s_status (PQgetvalue (res, i, 5));
    d->has_attempts = 1;
    d->attempts = (uint32_t) strtoul (PQgetvalue (res, i, 6), NULL, 10);
    d->last_error = s_text (arena, res, i, 7);
    d->created_at = s_text (arena, res, i, 8);
    d->sent_at = s_text (arena, res, i, 9);
    d->case_id = s_text (arena, res, i, 10);
    d->audience = s_text (arena, res, i, 12);
    d->updated_at = s_text (arena, res, i, 13);
    if (strcmp (PQgetvalue (res, i, 5), "pending") == 0)
        d->next_attempt_at = s_text (arena, res, i, 14);
    d->has_max_attempts = 1;
    d->max_attempts = (uint32_t) strtoul (PQgetvalue (res, i, 15), NULL, 10);
    return d;
}

//  The caller's region, and for a key worker their professional id in
//  *recipient (else NULL). 0, or -1 with resp answered FORBIDDEN.
static int
s_scope (const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena, const char **recipient)
{
    static const char *const roles [] = { "admin", "coordinator", "key_worker", NULL };
    if (!kw_rpc_role_allowed (req, resp, arena, roles, NULL, "this role may not read notifications"))
        return -1;
    if (!req->caller->region || !*req->caller->region) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL, "the caller has no region");
        return -1;
    }
    *recipient = NULL;
    if (strcmp (req->caller->role, "key_worker") == 0) {
        *recipient = req->caller->professional_id;
        if (!*recipient || !**recipient) {
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL,
                                "the caller is not a registered professional");
            return -1;
        }
    }
    return 0;
}

//  A filter's value: NULL when not given; "" sets *bad when not in list.
static const char *
s_filter (const char *value, const char *const *list, int *bad)
{
    if (!value || !*value)
        return NULL;
    int known = !list;
    for (int i = 0; list && list [i]; i++)
        known |= strcmp (list [i], value) == 0;
    if (!known)
        *bad = 1;
    return value;
}

void
records_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    const char *recipient;
    if (s_scope (req, resp, arena, &recipient) != 0)
        return;
    Kw__DeliveryListRequest *in = (Kw__DeliveryListRequest *)
        kw_rpc_unpack (req, resp, arena, &kw__delivery_list_request__descriptor);
    if (!in)
        return;
    const char *region = req->caller->region;
    if (in->region && *in->region && strcmp (in->region, region) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, "region",
                            "you may list only your own region's notifications");
        return;
    }
    int bad_status = 0, bad_channel = 0, bad_id = 0;
    const char *status = s_filter (in->status, s_statuses, &bad_status);
    const char *channel = s_filter (in->channel, s_channels, &bad_channel);
    const char *wanted = s_filter (in->recipient_id, NULL, &bad_id);
    if (bad_status || bad_channel) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, bad_status ? "status" : "channel",
                            bad_status ? "status must be pending, sending, sent, delivered, failed or suppressed"
                                       : "channel must be email, sms or webhook");
        return;
    }
    if (recipient && wanted && strcmp (wanted, recipient) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, "recipient_id",
                            "a key worker may list only the notifications sent to them");
        return;
    }
    kw_page_t page;
    if (kw_cursor_page (in->has_limit, in->limit, in->cursor, arena, &page) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "cursor", "cursor is not valid");
        return;
    }
    const char *params [9] = {
        region, in->case_id && *in->case_id ? in->case_id : NULL, recipient ? recipient : wanted,
        page.after_us, page.after_id, page.fetch, status, channel,
        in->template_ && *in->template_ ? in->template_ : NULL
    };
    PGresult *res = kw_db_query (kw_service_db (svc), "notification_list", 9, params);
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    int rows = PQntuples (res);
    int count = rows > page.limit ? (int) page.limit : rows;
    Kw__DeliveryList out = KW__DELIVERY_LIST__INIT;
    out.n_items = (size_t) count;
    out.items = kw_arena_calloc (arena, (count ? (size_t) count : 1) * sizeof *out.items);
    for (int i = 0; i < count; i++)
        out.items [i] = s_record (arena, res, i);
    if (rows > page.limit && count > 0)
        out.next_cursor = kw_cursor_after (arena, PQgetvalue (res, count - 1, 11),
                                           PQgetvalue (res, count - 1, 0));
    PQclear (res);
    if (kw_audit_read (kw_service_db (svc), req->caller, "list", "notification",
                       in->case_id && *in->case_id ? in->case_id : "", "ok", resp, arena) != 0)
        return;
    kw_rpc_reply_ok (resp, arena, &out.base);
}

//  The delivery id of an IdRequest, checked; NULL with resp answered.
static const char *
s_id (const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return NULL;
    if (!kw_uuid_valid (in->id)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "id", "id must be a UUID");
        return NULL;
    }
    return in->id;
}

//  Whether the caller may see the delivery of row 0 of res: its region,
//  and a key worker's own. 1, or 0 (treated as not found).
static int
s_visible (PGresult *res, const char *region, const char *recipient)
{
    return PQntuples (res) == 1 && strcmp (PQgetvalue (res, 0, 16), region) == 0
        && (!recipient || strcmp (PQgetvalue (res, 0, 3), recipient) == 0);
}

void
records_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    const char *recipient;
    if (s_scope (req, resp, arena, &recipient) != 0)
        return;
    const char *id = s_id (req, resp, arena);
    if (!id)
        return;
    kw_db_t *db = kw_service_db (svc);
    const char *params [1] = { id };
    PGresult *res = kw_db_query (db, "notification_get", 1, params);
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    int visible = s_visible (res, req->caller->region, recipient);
    Kw__Delivery *d = visible ? s_record (arena, res, 0) : NULL;
    PQclear (res);
    if (kw_audit_read (db, req->caller, "read", "notification", id, visible ? "ok" : "not_found",
                       resp, arena) != 0)
        return;
    if (!visible)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such notification");
    else
        kw_rpc_reply_ok (resp, arena, &d->base);
}

// ---- notification.retry

typedef struct {
    const char *id;
} s_retry_t;

static int
s_retry_authorise (kw_tx_t *tx)
{
    static const char *const roles [] = { "coordinator", NULL };
    if (!kw_rpc_role_allowed (tx->req, tx->resp, tx->arena, roles, NULL,
                              "only a coordinator may send a notification again"))
        return kw_audit (tx->db, tx->req->caller, "retry", "notification", ((s_retry_t *) tx->arg)->id,
                         "forbidden") == 0 ? 0 : -1;
    return 1;
}

static int
s_retry_write (kw_tx_t *tx)
{
    s_retry_t *self = tx->arg;
    const char *params [1] = { self->id };
    PGresult *res = kw_db_query (tx->db, "notification_get_locked", 1, params);
    if (!res)
        return -1;
    const char *region = tx->req->caller->region;
    int visible = region && *region && s_visible (res, region, NULL);
    int failed = visible && strcmp (PQgetvalue (res, 0, 5), "failed") == 0;
    PQclear (res);
    if (kw_audit (tx->db, tx->req->caller, "retry", "notification", self->id,
                  !visible ? "not_found" : failed ? "ok" : "conflict") != 0)
        return -1;
    if (!visible) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such notification");
        return 0;
    }
    if (!failed) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "status",
                            "only a failed notification can be sent again");
        return 0;
    }
    if (kw_db_exec (tx->db, "notification_again", 1, params) != 0)
        return -1;
    res = kw_db_query (tx->db, "notification_get", 1, params);
    if (!res)
        return -1;
    Kw__Delivery *d = s_record (tx->arena, res, 0);
    PQclear (res);
    kw_rpc_reply_ok (tx->resp, tx->arena, &d->base);
    return 0;
}

void
records_retry (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "notification_retry", .what = "retry", .authorise = s_retry_authorise, .write = s_retry_write
    };
    const char *id = s_id (req, resp, arena);
    if (!id)
        return;
    s_retry_t self = { .id = id };
    if (kw_tx_run (&def, svc, req, resp, arena, &self)) {
        kw_info ("delivery_retry_requested", "delivery_id", id);
        notify_t *notify = kw_service_state (svc);
        if (notify && notify->sender)
            sender_wake (notify->sender);
    }
}
