/*  deliveries: the record of every message the service owes. An event
    becomes one delivery per row of the table (config.h) and person of the
    row's audience, rendered and inserted in the consumer's transaction;
    (event_id, recipient_id, channel) is unique so an event applied twice
    adds nothing and a person in two audiences of one event is told once
    (by the first row). A person without an address for the channel, or
    whose message cannot be rendered safely, is recorded as suppressed. RPC
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
#include "audience.h"
#include "config.h"
#include "message.h"
#include "notification.h"
#include "template.h"

#define TIMESTAMP(col) \
    "to_char (" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

int
deliveries_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "notification_insert",
        "INSERT INTO notification.deliveries (id, event_id, event, channel, recipient_id,"
        " recipient_address, template, case_id, region, subject, body, html, status, last_error,"
        " audience, max_attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
        " $16::int)"
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

//  One event being turned into deliveries.
typedef struct {
    const config_t *config;
    const config_region_t *region;
    const config_row_t *row;
    const Kw__Envelope *event;
    const ProtobufCMessage *msg;
    const char *case_id;
    kw_db_t *db;
    const audience_contact_t *contact;
    char value [64];
    int failed;
} s_apply_t;

static const char *
s_lookup (const char *name, void *arg)
{
    s_apply_t *a = arg;
    if (strcmp (name, "recipient_name") == 0)
        return *a->contact->name ? a->contact->name : "colleague";
    if (strcmp (name, "service_name") == 0)
        return a->region->name;
    return audience_placeholder (a->msg, name, a->value, sizeof a->value);
}

//  Render part of the row's template into *out (NULL when the channel has
//  no such part). 0, or -1 with the reason in err.
static int
s_render_part (s_apply_t *a, const char *part, template_escape_t esc, char **out, char *err, size_t err_size)
{
    char name [96];
    snprintf (name, sizeof name, "%s.%s", a->row->template_, part);
    const char *text = config_text (a->config, a->region, name);
    *out = NULL;
    if (!text)
        return 0;
    *out = template_render (text, esc, s_lookup, a, err, err_size);
    return *out ? 0 : -1;
}

static void
s_deliver (const audience_contact_t *contact, void *arg)
{
    s_apply_t *a = arg;
    if (a->failed)
        return;
    a->contact = contact;
    int email = strcmp (a->row->channel, "email") == 0;
    const char *address = email ? contact->email : contact->phone;
    char err [160] = "";
    char *subject = NULL, *body = NULL, *html = NULL;
    if (email && !message_address_valid (address))
        snprintf (err, sizeof err, "the recipient has no valid e-mail address");
    else
    if (!email && !*address)
        snprintf (err, sizeof err, "the recipient has no telephone number");
    else
    if (email) {
        if (s_render_part (a, "subject", TEMPLATE_TEXT, &subject, err, sizeof err) == 0
        &&  s_render_part (a, "txt", TEMPLATE_TEXT, &body, err, sizeof err) == 0)
            s_render_part (a, "html", TEMPLATE_HTML, &html, err, sizeof err);
    }
    else
        s_render_part (a, "sms", TEMPLATE_TEXT, &body, err, sizeof err);
    int ok = !*err;
    char id [KW_UUID_SIZE];
    kw_uuid_generate (id);
    char max_attempts [16];
    snprintf (max_attempts, sizeof max_attempts, "%u", a->region->max_attempts);
    const char *values [16] = {
        id, a->event->event_id, a->row->event, a->row->channel, contact->recipient_id,
        ok ? address : "", a->row->template_, a->case_id, a->region->id,
        ok && subject ? subject : "", ok && body ? body : "", ok ? html : NULL,
        ok ? "pending" : "suppressed", ok ? NULL : err, a->row->audience,
        max_attempts
    };
    int inserted = kw_db_exec_count (a->db, "notification_insert", 16, values, NULL, NULL);
    free (subject);
    free (body);
    free (html);
    if (inserted < 0) {
        a->failed = 1;
        return;
    }
    if (!inserted)
        kw_info ("delivery_exists", "event_id", a->event->event_id, "recipient_id", contact->recipient_id,
                 "channel", a->row->channel);
    else
    if (ok)
        kw_info ("delivery_queued", "delivery_id", id, "template", a->row->template_,
                 "recipient_id", contact->recipient_id, "channel", a->row->channel);
    else
        kw_warn ("delivery_suppressed", "delivery_id", id, "template", a->row->template_,
                 "recipient_id", contact->recipient_id, "reason", err);
}

//  The string field name of msg, or NULL when it has none or it is empty.
static const char *
s_field (const ProtobufCMessage *msg, const char *name)
{
    char buf [8];
    const char *value = audience_placeholder (msg, name, buf, sizeof buf);
    return value && *value && value != buf ? value : NULL;
}

//  Make the deliveries of every row of the table for event topic (its id
//  event_id) and payload msg. 0, or -1 when a row could not be written;
//  1 when the region is unknown.
static int
s_apply_rows (kw_service_t *svc, kw_db_t *db, const char *topic, const Kw__Envelope *event,
              const ProtobufCMessage *msg)
{
    notify_t *notify = kw_service_state (svc);
    const char *region_id = s_field (msg, "region");
    if (!region_id)
        region_id = event->region;
    const config_region_t *region = config_region (notify->config, region_id);
    if (!region) {
        kw_warn ("delivery_region_unknown", "event_id", event->event_id, "event", topic);
        return 1;
    }
    s_apply_t a = { .config = notify->config, .region = region, .event = event, .msg = msg,
                    .case_id = s_field (msg, "case_id"), .db = db };
    size_t count;
    const config_row_t *rows = config_rows (notify->config, &count);
    for (size_t i = 0; i < count && !a.failed; i++) {
        if (strcmp (rows [i].event, topic) != 0 || !config_region_sends (region, rows [i].channel))
            continue;
        a.row = &rows [i];
        if (strcmp (rows [i].audience, AUDIENCE_COORDINATORS) == 0)
            for (size_t c = 0; c < region->coordinator_count && !a.failed; c++) {
                audience_contact_t contact;
                audience_coordinator (region->coordinators [c], &contact);
                s_deliver (&contact, &a);
            }
        else
            audience_each (msg, rows [i].audience, s_deliver, &a);
    }
    return a.failed ? -1 : 0;
}

kw_apply_result_t
deliveries_apply (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                  kw_arena_t *arena)
{
    (void) arena;
    char topic [128];
    snprintf (topic, sizeof topic, "%s.%s", event->producer, event->type);
    int rc = s_apply_rows (svc, db, topic, event, payload);
    return rc < 0 ? KW_APPLY_RETRY : rc > 0 ? KW_APPLY_SKIP : KW_APPLY_OK;
}

int
deliveries_dead_letter (kw_service_t *svc, kw_db_t *db, const Kw__DeliveryFailed *failed)
{
    //  Keyed by the failed delivery, so its notice is made once.
    char event_id [96];
    snprintf (event_id, sizeof event_id, "dead-letter-%s", failed->delivery_id);
    Kw__Envelope event = KW__ENVELOPE__INIT;
    event.event_id = event_id;
    event.producer = KW_PRODUCER_NOTIFICATION;
    event.type = DELIVERIES_DEAD_LETTER;
    event.region = failed->region;
    return s_apply_rows (svc, db, KW_PRODUCER_NOTIFICATION "." DELIVERIES_DEAD_LETTER, &event, &failed->base) < 0
           ? -1 : 0;
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
