/*  deliveries: the record of every message the service owes. An
    assignment.offer_made event becomes one e-mail delivery, rendered and
    inserted in the consumer's transaction; (event_id, recipient_id, channel)
    is unique so an event applied twice adds nothing. An offer whose fields
    cannot be put in an e-mail safely is recorded as suppressed. RPC
    notification.list pages through the records of the caller's region. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw/assignment.pb-c.h"
#include "kw/notification.pb-c.h"
#include "kw_audit.h"
#include "kw_cursor.h"
#include "kw_log.h"
#include "kw_uuid.h"
#include "message.h"
#include "notification.h"

#define TIMESTAMP(col) \
    "to_char (" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

int
deliveries_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "notification_insert",
        "INSERT INTO notification.deliveries (id, event_id, event, channel, recipient_id,"
        " recipient_address, template, case_id, region, subject, body, status, last_error)"
        " VALUES ($1, $2, $3, 'email', $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        " ON CONFLICT (event_id, recipient_id, channel) DO NOTHING");
    //  Page by (created_at, id); the cursor carries the last row's pair.
    kw_db_prepare (db, "notification_list",
        "SELECT id, event, channel, recipient_id, template, status, attempts, last_error,"
        " " TIMESTAMP ("created_at") ", " TIMESTAMP ("sent_at") ", case_id,"
        " (extract (epoch FROM created_at) * 1000000)::bigint"
        " FROM notification.deliveries"
        " WHERE ($1::text IS NULL OR region = $1)"
        " AND ($2::text IS NULL OR case_id = $2)"
        " AND ($3::text IS NULL OR recipient_id = $3)"
        " AND ($4::bigint IS NULL OR (created_at, id) >"
        "      (timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5::uuid))"
        " ORDER BY created_at, id LIMIT $6::int");
    return 0;
}

// ---- events

int
deliveries_offer_row (const Kw__Envelope *event, const Kw__OfferMade *msg, delivery_row_t *row)
{
    memset (row, 0, sizeof *row);
    if (!msg->case_id || !*msg->case_id || !msg->professional_id || !*msg->professional_id)
        return -1;
    row->region = msg->region && *msg->region ? msg->region : event->region;
    if (!row->region || !*row->region)
        return -1;
    message_offer_t offer = {
        .case_id = msg->case_id,
        .professional_name = msg->professional_name,
        .professional_email = msg->professional_email,
        .expires_at = msg->expires_at,
    };
    row->renderable = message_offer_render (&offer, &row->subject, &row->body, row->error,
                                            sizeof row->error) == 0;
    row->address = message_address_valid (msg->professional_email) ? msg->professional_email : "";
    return 0;
}

void
deliveries_row_free (delivery_row_t *row)
{
    free (row->subject);
    free (row->body);
    row->subject = row->body = NULL;
}

kw_apply_result_t
deliveries_offer_made (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event,
                       const void *payload, kw_arena_t *arena)
{
    const Kw__OfferMade *msg = payload;
    delivery_row_t row;
    if (deliveries_offer_row (event, msg, &row) != 0)
        return KW_APPLY_SKIP;
    char id [KW_UUID_SIZE];
    kw_uuid_generate (id);
    const char *values [12] = {
        id, event->event_id, KW_TOPIC (KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_OFFER_MADE),
        msg->professional_id, row.address,
        "offer_made", msg->case_id, row.region, row.renderable ? row.subject : "",
        row.renderable ? row.body : "", row.renderable ? "pending" : "suppressed",
        row.renderable ? NULL : row.error
    };
    int inserted = kw_db_exec_count (db, "notification_insert", 12, values, NULL, NULL);
    deliveries_row_free (&row);
    if (inserted < 0)
        return KW_APPLY_RETRY;
    if (!inserted)
        kw_info ("delivery_exists", "event_id", event->event_id, "case_id", msg->case_id);
    else
    if (row.renderable)
        kw_info ("delivery_queued", "delivery_id", id, "case_id", msg->case_id,
                 "recipient_id", msg->professional_id);
    else
        kw_warn ("delivery_suppressed", "delivery_id", id, "case_id", msg->case_id,
                 "recipient_id", msg->professional_id, "reason", row.error);
    return KW_APPLY_OK;
}

// ---- notification.list

static Kw__Channel
s_channel (const char *name)
{
    if (strcmp (name, "email") == 0)
        return KW__CHANNEL__CHANNEL_EMAIL;
    if (strcmp (name, "sms") == 0)
        return KW__CHANNEL__CHANNEL_SMS;
    if (strcmp (name, "webhook") == 0)
        return KW__CHANNEL__CHANNEL_WEBHOOK;
    return KW__CHANNEL__CHANNEL_UNSPECIFIED;
}

static Kw__DeliveryStatus
s_status (const char *name)
{
    static const struct {
        const char *name;
        Kw__DeliveryStatus value;
    } table [] = {
        { "pending", KW__DELIVERY_STATUS__DELIVERY_STATUS_PENDING },
        { "sent", KW__DELIVERY_STATUS__DELIVERY_STATUS_SENT },
        { "delivered", KW__DELIVERY_STATUS__DELIVERY_STATUS_DELIVERED },
        { "failed", KW__DELIVERY_STATUS__DELIVERY_STATUS_FAILED },
        { "suppressed", KW__DELIVERY_STATUS__DELIVERY_STATUS_SUPPRESSED },
    };
    for (size_t i = 0; i < sizeof table / sizeof table [0]; i++)
        if (strcmp (table [i].name, name) == 0)
            return table [i].value;
    return KW__DELIVERY_STATUS__DELIVERY_STATUS_UNSPECIFIED;
}

void
deliveries_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    //  Admins and coordinators see their region's deliveries; key workers
    //  the deliveries addressed to them. Families and referrers see none.
    //  Every list is audited; a list whose audit row cannot be written fails.
    static const char *const roles [] = { "admin", "coordinator", "key_worker", NULL };
    const char *role = req->caller->role;
    if (!kw_rpc_role_allowed (req, resp, arena, roles, NULL, "this role may not list notifications"))
        return;
    Kw__DeliveryListRequest *in = (Kw__DeliveryListRequest *)
        kw_rpc_unpack (req, resp, arena, &kw__delivery_list_request__descriptor);
    if (!in)
        return;
    const char *region = req->caller->region;
    if (!region || !*region) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL, "the caller has no region");
        return;
    }
    if (in->region && *in->region && strcmp (in->region, region) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, "region",
                            "you may list only your own region's notifications");
        return;
    }
    const char *recipient = NULL;
    if (strcmp (role, "key_worker") == 0) {
        recipient = req->caller->professional_id;
        if (!recipient || !*recipient) {
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL,
                                "the caller is not a registered professional");
            return;
        }
    }
    kw_page_t page;
    if (kw_cursor_page (in->has_limit, in->limit, in->cursor, arena, &page) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "cursor", "cursor is not valid");
        return;
    }
    const char *params [6] = { region, in->case_id && *in->case_id ? in->case_id : NULL,
                               recipient, page.after_us, page.after_id, page.fetch };
    PGresult *res = kw_db_query (kw_service_db (svc), "notification_list", 6, params);
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    int rows = PQntuples (res);
    int count = rows > page.limit ? (int) page.limit : rows;
    Kw__DeliveryList out = KW__DELIVERY_LIST__INIT;
    out.n_items = (size_t) count;
    out.items = kw_arena_calloc (arena, (count ? (size_t) count : 1) * sizeof *out.items);
    for (int i = 0; i < count; i++) {
        Kw__Delivery *d = kw_arena_alloc (arena, sizeof *d);
        kw__delivery__init (d);
        d->id = kw_arena_strdup (arena, PQgetvalue (res, i, 0));
        d->event = kw_arena_strdup (arena, PQgetvalue (res, i, 1));
        d->has_channel = 1;
        d->channel = s_channel (PQgetvalue (res, i, 2));
        d->recipient_id = kw_arena_strdup (arena, PQgetvalue (res, i, 3));
        d->template_ = kw_arena_strdup (arena, PQgetvalue (res, i, 4));
        d->has_status = 1;
        d->status = s_status (PQgetvalue (res, i, 5));
        d->has_attempts = 1;
        d->attempts = (uint32_t) strtoul (PQgetvalue (res, i, 6), NULL, 10);
        if (!PQgetisnull (res, i, 7))
            d->last_error = kw_arena_strdup (arena, PQgetvalue (res, i, 7));
        d->created_at = kw_arena_strdup (arena, PQgetvalue (res, i, 8));
        if (!PQgetisnull (res, i, 9))
            d->sent_at = kw_arena_strdup (arena, PQgetvalue (res, i, 9));
        if (!PQgetisnull (res, i, 10))
            d->case_id = kw_arena_strdup (arena, PQgetvalue (res, i, 10));
        out.items [i] = d;
    }
    if (rows > page.limit && count > 0)
        out.next_cursor = kw_cursor_after (arena, PQgetvalue (res, count - 1, 11),
                                           PQgetvalue (res, count - 1, 0));
    PQclear (res);
    if (kw_audit_read (kw_service_db (svc), req->caller, "list", "notification",
                       in->case_id && *in->case_id ? in->case_id : "", "ok", resp, arena) != 0)
        return;
    kw_rpc_reply_ok (resp, arena, &out.base);
}
