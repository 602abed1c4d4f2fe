/*  deliveries: the record of every message the service owes. An event
    becomes one delivery per row of the table (config.h) and person of the
    row's audience, rendered and inserted in the consumer's transaction;
    (event_id, recipient_id, channel) is unique so an event applied twice
    adds nothing and a person in two audiences of one event is told once
    (by the first row). A person without an address for the channel, or
    whose message cannot be rendered safely, is recorded as suppressed;
    records.c lists and reads them over RPC. An event's deliveries are
    inserted together, up to DELIVERIES_BATCH rows a statement. That
    statement goes with the consumer batch's next statement or its COMMIT
    (kw_db_defer), each of its rows expected new: a row there already fails
    the batch, which is applied again, and an event this process inserted
    that way before (its batch did not commit, or its offset moved back)
    and the next LATER_AFTER_FAILURE of its producer are inserted reading
    which rows were new. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "kw/assignment.pb-c.h"
#include "kw_buf.h"
#include "kw_log.h"
#include "kw_uuid.h"
#include "audience.h"
#include "config.h"
#include "message.h"
#include "notification.h"
#include "render.h"
#include "rule.h"

#define DELIVERIES_BATCH 8
#define DELIVERY_COLUMNS 21
#define INSERT_NAME_SIZE 48
//  Events of a producer inserted reading which rows were new after one
//  inserted without reading came again (a consumer's batch at most).
#define LATER_AFTER_FAILURE 256

//  The name of the statement inserting n rows.
static void
s_insert_name (char *name, size_t n)
{
    snprintf (name, INSERT_NAME_SIZE, "notification_insert_%zu", n);
}

//  Prepare (when first used) the statements inserting 1 to DELIVERIES_BATCH
//  rows of DELIVERY_COLUMNS values each, returning the ids inserted (a row
//  whose event, recipient and channel exist already, or came earlier in
//  the statement, is left out).
static void
s_prepare_inserts (kw_db_t *db)
{
    static const char head [] = "INSERT INTO notification.deliveries (id, event_id, event, channel, recipient_id,"
        " recipient_address, template, case_id, region, subject, body, html, status, last_error,"
        " audience, max_attempts, next_attempt_at, calendar, personalisation) VALUES ";
    static const char tail [] = " ON CONFLICT (event_id, recipient_id, channel) DO NOTHING RETURNING id";
    kw_buf_t sql = { 0 };
    kw_buf_append (&sql, head, strlen (head));
    for (size_t n = 1; n <= DELIVERIES_BATCH; n++) {
        size_t p = (n - 1) * DELIVERY_COLUMNS;
        char row [512];
        snprintf (row, sizeof row, "%s($%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu,"
                  " $%zu, $%zu, $%zu::int, notification.quiet_until (now (), $%zu, $%zu::time, $%zu::time),"
                  " $%zu, $%zu)", n > 1 ? ", " : "", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7, p + 8,
                  p + 9, p + 10, p + 11, p + 12, p + 13, p + 14, p + 15, p + 16, p + 17, p + 18, p + 19, p + 20,
                  p + 21);
        kw_buf_append (&sql, row, strlen (row));
        kw_buf_t statement = { 0 };
        kw_buf_append (&statement, sql.data, sql.len);
        kw_buf_append (&statement, tail, sizeof tail);
        char name [INSERT_NAME_SIZE];
        s_insert_name (name, n);
        kw_db_prepare (db, name, statement.data);
        kw_buf_free (&statement);
    }
    kw_buf_free (&sql);
}

int
deliveries_prepare (kw_db_t *db)
{
    s_prepare_inserts (db);
    kw_db_prepare (db, "notification_case_people_set",
        "INSERT INTO notification.case_people (case_id, region, people) VALUES ($1, $2, $3::bytea)"
        " ON CONFLICT (case_id) DO UPDATE SET region = excluded.region, people = excluded.people,"
        " updated_at = now ()");
    kw_db_prepare (db, "notification_case_people_drop",
        "DELETE FROM notification.case_people WHERE case_id = $1");
    kw_db_prepare (db, "notification_case_people",
        "SELECT people FROM notification.case_people WHERE case_id = $1");
    kw_db_prepare (db, "notification_preferences_of",
        "SELECT array_to_string (channels, ','), opted_out, quiet_from, quiet_to"
        " FROM notification.preferences WHERE contact_id = $1");
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
    const char *public_url;
    int later;                  //  insert with the next statement, rows expected new
    int failed;
    //  the rows made and not yet inserted: DELIVERY_COLUMNS values each
    //  (copies; NULL for SQL NULL)
    char *rows [DELIVERIES_BATCH][DELIVERY_COLUMNS];
    size_t row_count;
} s_apply_t;

//  A recipient's preferences (found 0: none, the table's).
typedef struct {
    int found;
    char *channels;             //  "email,sms" in order, or ""
    int opted_out;
    char *quiet_from;           //  "HH:MM:SS" or NULL
    char *quiet_to;
} s_prefs_t;

static void
s_prefs_free (s_prefs_t *prefs)
{
    free (prefs->channels);
    free (prefs->quiet_from);
    free (prefs->quiet_to);
}

static int
s_prefs (s_apply_t *a, const char *contact_id, s_prefs_t *prefs)
{
    memset (prefs, 0, sizeof *prefs);
    const char *params [1] = { contact_id };
    PGresult *res = kw_db_query (a->db, "notification_preferences_of", 1, params);
    if (!res)
        return -1;
    if (PQntuples (res) == 1) {
        prefs->found = 1;
        prefs->channels = strdup (PQgetvalue (res, 0, 0));
        prefs->opted_out = strcmp (PQgetvalue (res, 0, 1), "t") == 0;
        if (!PQgetisnull (res, 0, 2)) {
            prefs->quiet_from = strdup (PQgetvalue (res, 0, 2));
            prefs->quiet_to = strdup (PQgetvalue (res, 0, 3));
        }
    }
    PQclear (res);
    return 0;
}

//  The channel a person with named channels is told on for the current
//  row's event and audience: the first of theirs with a row the region
//  sends on; NULL when they named none or none has a row (the table's).
static const char *
s_chosen_channel (s_apply_t *a, const s_prefs_t *prefs)
{
    if (!prefs->found || !prefs->channels || !*prefs->channels)
        return NULL;
    size_t count;
    const config_row_t *rows = config_rows (a->config, &count);
    static const char *const channels [] = { "email", "sms", "letter", "webhook" };
    const char *best = NULL;
    size_t best_at = SIZE_MAX;
    for (size_t i = 0; i < count; i++) {
        if (strcmp (rows [i].event, a->row->event) != 0 || strcmp (rows [i].audience, a->row->audience) != 0
        ||  !config_region_sends (a->region, rows [i].channel))
            continue;
        for (size_t c = 0; c < sizeof channels / sizeof channels [0]; c++) {
            if (strcmp (rows [i].channel, channels [c]) != 0)
                continue;
            const char *at = strstr (prefs->channels, channels [c]);
            if (at && (size_t) (at - prefs->channels) < best_at) {
                best_at = (size_t) (at - prefs->channels);
                best = channels [c];
            }
        }
    }
    return best;
}

//  A family member without preferences of their own has the contact they
//  chose in the referral: e-mail, a text message (for "sms" and "phone")
//  or a letter (for "post"). 0, or -1 out of memory.
static int
s_referral_preference (const audience_contact_t *contact, s_prefs_t *prefs)
{
    const char *chose = contact->preferred ? contact->preferred : "";
    const char *channel = strcmp (chose, "email") == 0 ? "email"
                        : strcmp (chose, "sms") == 0 || strcmp (chose, "phone") == 0 ? "sms"
                        : strcmp (chose, "post") == 0 ? "letter" : NULL;
    if (prefs->found || !channel)
        return 0;
    prefs->found = 1;
    prefs->channels = strdup (channel);
    return prefs->channels ? 0 : -1;
}

//  Free the rows not inserted.
static void
s_rows_free (s_apply_t *a)
{
    for (size_t r = 0; r < a->row_count; r++)
        for (size_t c = 0; c < DELIVERY_COLUMNS; c++)
            free (a->rows [r][c]);
    a->row_count = 0;
}

//  Whether id is one of the first column's values of res.
static int
s_returned (PGresult *res, const char *id)
{
    for (int i = 0; i < PQntuples (res); i++)
        if (strcmp (PQgetvalue (res, i, 0), id) == 0)
            return 1;
    return 0;
}

//  Insert the rows made, in one statement, and log each: queued,
//  suppressed, or there already.
static void
s_insert_rows (s_apply_t *a)
{
    if (!a->row_count || a->failed) {
        s_rows_free (a);
        return;
    }
    const char *params [DELIVERIES_BATCH * DELIVERY_COLUMNS];
    for (size_t r = 0; r < a->row_count; r++)
        for (size_t c = 0; c < DELIVERY_COLUMNS; c++)
            params [r * DELIVERY_COLUMNS + c] = a->rows [r][c];
    char name [INSERT_NAME_SIZE];
    s_insert_name (name, a->row_count);
    int nparams = (int) (a->row_count * DELIVERY_COLUMNS);
    PGresult *res = a->later ? NULL : kw_db_query (a->db, name, nparams, params);
    int inserted = a->later ? kw_db_defer (a->db, name, nparams, params, NULL, NULL, (int) a->row_count) == 0
                            : res != NULL;
    for (size_t r = 0; r < a->row_count && inserted; r++) {
        char *const *v = a->rows [r];
        //  v: id, event_id, event, channel, recipient_id, address, template, ..., status, last_error
        if (res && !s_returned (res, v [0]))
            kw_info ("delivery_exists", "event_id", v [1], "recipient_id", v [4], "channel", v [3]);
        else
        if (strcmp (v [12], "pending") == 0)
            kw_info ("delivery_queued", "delivery_id", v [0], "template", v [6], "recipient_id", v [4],
                     "channel", v [3]);
        else
            kw_warn ("delivery_suppressed", "delivery_id", v [0], "template", v [6], "recipient_id", v [4],
                     "reason", v [13]);
    }
    PQclear (res);
    a->failed = !inserted;
    s_rows_free (a);
}

//  Keep a copy of a row's values for the event's insert (made at once
//  when DELIVERIES_BATCH rows wait).
static void
s_add_row (s_apply_t *a, const char *const *values)
{
    if (a->failed)
        return;
    char **row = a->rows [a->row_count++];
    for (size_t c = 0; c < DELIVERY_COLUMNS; c++) {
        row [c] = values [c] ? strdup (values [c]) : NULL;
        if (values [c] && !row [c])
            a->failed = 1;
    }
    if (a->row_count == DELIVERIES_BATCH || a->failed)
        s_insert_rows (a);
}

static audience_fn s_deliver;

//  A webhook's JSON body: what happened and to which case, ids only (the
//  subscriber reads the rest over the API, as its role allows).
static char *
s_webhook_body (s_apply_t *a)
{
    json_t *doc = json_pack ("{ss ss ss ss?}", "event", a->row->event, "event_id", a->event->event_id,
                             "region", a->region->id, "case_id", a->case_id);
    char *body = doc ? json_dumps (doc, JSON_COMPACT) : NULL;
    json_decref (doc);
    return body;
}

//  The region's subscribers taking the event, each a recipient whose
//  address is "<region>/<subscriber id>" (config_webhook).
static void
s_webhooks (s_apply_t *a)
{
    for (size_t i = 0; i < a->region->webhook_count && !a->failed; i++) {
        const webhook_subscriber_t *sub = &a->region->webhooks [i];
        if (!webhook_subscriber_wants (sub, a->row->event))
            continue;
        char address [CONFIG_ID_SIZE + sizeof sub->id + 1];
        snprintf (address, sizeof address, "%s/%s", a->region->id, sub->id);
        audience_contact_t contact = { .name = "", .email = "", .phone = address, .address = "",
                                       .preferred = "" };
        snprintf (contact.recipient_id, sizeof contact.recipient_id, "webhook-%s", sub->id);
        s_deliver (&contact, a);
    }
}

static void
s_deliver (const audience_contact_t *contact, void *arg)
{
    s_apply_t *a = arg;
    if (a->failed || !rule_person_holds (contact->person, a->row->when))
        return;
    s_prefs_t prefs;
    if (s_prefs (a, contact->recipient_id, &prefs) != 0 || s_referral_preference (contact, &prefs) != 0) {
        s_prefs_free (&prefs);
        a->failed = 1;
        return;
    }
    //  A person who named their channels is told on the first of them this
    //  event and audience has a row for, and on no other.
    const char *chosen = s_chosen_channel (a, &prefs);
    int letter = strcmp (a->row->channel, "letter") == 0;
    //  A letter goes to one who chose post, or whom nothing else reaches.
    if ((chosen && strcmp (chosen, a->row->channel) != 0)
    ||  (letter && !chosen && (*contact->email || *contact->phone))) {
        s_prefs_free (&prefs);
        return;
    }
    int email = strcmp (a->row->channel, "email") == 0;
    int webhook = strcmp (a->row->channel, "webhook") == 0;
    const char *address = email ? contact->email : letter ? contact->address : contact->phone;
    char err [160] = "";
    render_t text = { 0 };
    render_values_t fill = { .msg = a->msg, .contact = contact, .service_name = a->region->name,
                             .public_url = a->public_url };
    if (email && !message_address_valid (address))
        snprintf (err, sizeof err, "the recipient has no valid e-mail address");
    else
    if (!email && !*address)
        snprintf (err, sizeof err, letter ? "the recipient has no postal address"
                                          : "the recipient has no telephone number");
    else
    if (webhook)
        text.body = s_webhook_body (a);
    else
        render_row (a->config, a->region, a->row, &fill, &text, err, sizeof err);
    //  A Notify template of the region's own for this template and channel
    //  is filled with the template's values.
    int kind = notify_kind_of (a->row->channel);
    char *fields = !*err && kind >= 0 && notify_settings_mapped (&a->region->notify, (notify_kind_t) kind,
                                                                 a->row->template_)
                 ? render_fields (a->config, a->region, a->row, &fill) : NULL;
    if (!*err && prefs.opted_out && !a->row->required)
        snprintf (err, sizeof err, "the recipient opted out of this message");
    int ok = !*err;
    char id [KW_UUID_SIZE];
    kw_uuid_generate (id);
    char max_attempts [16];
    snprintf (max_attempts, sizeof max_attempts, "%u", a->region->max_attempts);
    int quiet = ok && !a->row->urgent && prefs.found && prefs.quiet_from;
    char unused [8];
    const char *calendar = ok && email && a->row->attach
                         ? audience_field_value (a->msg, a->row->attach, unused, sizeof unused) : NULL;
    const char *values [DELIVERY_COLUMNS] = {
        id, a->event->event_id, a->row->event, a->row->channel, contact->recipient_id,
        ok ? address : "", a->row->template_, a->case_id, a->region->id,
        ok && text.subject ? text.subject : "", ok && text.body ? text.body : "", ok ? text.html : NULL,
        ok ? "pending" : "suppressed", ok ? NULL : err, a->row->audience,
        max_attempts, quiet ? a->region->time_zone : NULL, quiet ? prefs.quiet_from : NULL,
        quiet ? prefs.quiet_to : NULL, calendar && *calendar ? calendar : NULL, ok ? fields : NULL
    };
    s_add_row (a, values);
    render_free (&text);
    free (fields);
    s_prefs_free (&prefs);
}

//  The string field name of msg, or NULL when it has none or it is empty.
static const char *
s_field (const ProtobufCMessage *msg, const char *name)
{
    char buf [8];
    const char *value = audience_field_value (msg, name, buf, sizeof buf);
    return value && *value && value != buf ? value : NULL;
}

//  Deliver to field of the case's people (the projection), when the
//  event's case has any. 0, or -1 on a database error.
static int
s_case_people (s_apply_t *a, const char *field)
{
    if (!a->case_id)
        return 0;
    const char *params [1] = { a->case_id };
    PGresult *res = kw_db_queryb (a->db, "notification_case_people", 1, params, NULL, NULL, 1);
    if (!res)
        return -1;
    if (PQntuples (res) == 1) {
        Kw__KeyWorkerChanged *people = kw__key_worker_changed__unpack (
            NULL, (size_t) PQgetlength (res, 0, 0), (const uint8_t *) PQgetvalue (res, 0, 0));
        if (people)
            audience_each (&people->base, field, s_deliver, a);
        kw__key_worker_changed__free_unpacked (people, NULL);
    }
    PQclear (res);
    return 0;
}

//  What an event changes in the case's people kept here.
typedef enum { PEOPLE_KEPT, PEOPLE_SET, PEOPLE_DROPPED } people_change_t;

//  Keep the case's people: the last key_worker_changed as it came
//  (PEOPLE_SET), none once the case is closed (PEOPLE_DROPPED). Nothing of
//  the result is read: the statement goes with the transaction's next one
//  or its COMMIT (kw_db_defer), whose failure it then is. 0, or -1 on a
//  database error.
static int
s_project (kw_db_t *db, people_change_t change, const Kw__Envelope *event, const char *case_id,
           const char *region)
{
    if (!case_id || change == PEOPLE_KEPT)
        return 0;
    if (change == PEOPLE_DROPPED) {
        const char *params [1] = { case_id };
        return kw_db_defer (db, "notification_case_people_drop", 1, params, NULL, NULL, -1);
    }
    const char *params [3] = { case_id, region, (const char *) event->payload.data };
    const int lengths [3] = { 0, 0, (int) event->payload.len };
    const int formats [3] = { 0, 0, 1 };
    return kw_db_defer (db, "notification_case_people_set", 3, params, lengths, formats, -1);
}

//  The case an event concerns: its case_id, or its meeting's or plan's
//  (the scheduling events carry the case one level down).
static const char *
s_case_of (const ProtobufCMessage *msg)
{
    const char *case_id = s_field (msg, "case_id");
    if (!case_id)
        case_id = s_field (msg, "meeting.case_id");
    if (!case_id)
        case_id = s_field (msg, "plan.case_id");
    return case_id;
}

//  Whether event's deliveries may be inserted with the next statement
//  (only a consumed event's: one of a known producer).
static int
s_later (notify_t *notify, const Kw__Envelope *event)
{
    static const char *const producers [DELIVERIES_PRODUCERS] = {
        KW_PRODUCER_ASSIGNMENT, KW_PRODUCER_ELIGIBILITY, KW_PRODUCER_REFERRAL, KW_PRODUCER_SCHEDULING };
    for (size_t i = 0; i < DELIVERIES_PRODUCERS; i++) {
        deliveries_later_t *p = &notify->later [i];
        if (!event->seq || strcmp (event->producer, producers [i]) != 0)
            continue;
        if (event->seq <= p->later_through && p->read_through < p->later_through) {
            kw_warn ("deliveries_not_committed", "event_id", event->event_id, "producer", event->producer);
            p->read_through = p->later_through + LATER_AFTER_FAILURE;
        }
        if (event->seq <= p->read_through)
            return 0;
        p->later_through = event->seq;
        return 1;
    }
    return 0;
}

//  Make the deliveries of every row of the table for event topic (its id
//  event_id) and payload msg, after the change it makes to the case's
//  people. 0, or -1 when a row could not be written; 1 when the region is
//  unknown.
static int
s_apply_rows (kw_service_t *svc, kw_db_t *db, const char *topic, const Kw__Envelope *event,
              const ProtobufCMessage *msg, people_change_t change)
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
                    .case_id = s_case_of (msg), .db = db, .later = s_later (notify, event),
                    .public_url = kw_service_config (svc, "KW_PUBLIC_URL") };
    if (s_project (db, change, event, a.case_id, region->id) != 0)
        return -1;
    size_t count;
    const config_row_t *rows = config_rows (notify->config, &count);
    for (size_t i = 0; i < count && !a.failed; i++) {
        if (strcmp (rows [i].event, topic) != 0 || !config_region_sends (region, rows [i].channel)
        ||  !rule_event_holds (msg, rows [i].when))
            continue;
        a.row = &rows [i];
        if (strcmp (rows [i].channel, "webhook") == 0)
            s_webhooks (&a);
        else
        if (strcmp (rows [i].audience, AUDIENCE_COORDINATORS) == 0)
            for (size_t c = 0; c < region->coordinator_count && !a.failed; c++) {
                audience_contact_t contact;
                audience_coordinator (region->coordinators [c], &contact);
                s_deliver (&contact, &a);
            }
        else
        if (strncmp (rows [i].audience, AUDIENCE_CASE, strlen (AUDIENCE_CASE)) == 0)
            a.failed = s_case_people (&a, rows [i].audience + strlen (AUDIENCE_CASE)) != 0;
        else
            audience_each (msg, rows [i].audience, s_deliver, &a);
    }
    s_insert_rows (&a);
    return a.failed ? -1 : 0;
}

static kw_apply_result_t
s_apply (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload, people_change_t change)
{
    char topic [128];
    snprintf (topic, sizeof topic, "%s.%s", event->producer, event->type);
    int rc = s_apply_rows (svc, db, topic, event, payload, change);
    return rc < 0 ? KW_APPLY_RETRY : rc > 0 ? KW_APPLY_SKIP : KW_APPLY_OK;
}

kw_apply_result_t
deliveries_apply (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                  kw_arena_t *arena)
{
    return s_apply (svc, db, event, payload, PEOPLE_KEPT);
}

kw_apply_result_t
deliveries_key_worker_changed (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                               kw_arena_t *arena)
{
    return s_apply (svc, db, event, payload, PEOPLE_SET);
}

kw_apply_result_t
deliveries_case_closed (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                        kw_arena_t *arena)
{
    return s_apply (svc, db, event, payload, PEOPLE_DROPPED);
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
    return s_apply_rows (svc, db, KW_PRODUCER_NOTIFICATION "." DELIVERIES_DEAD_LETTER, &event, &failed->base,
                         PEOPLE_KEPT) < 0 ? -1 : 0;
}
