/*  notify_receipt: Notify's callback body, checked field by field, and its
    status mapped (docs/notifications-channels.md "Delivery receipts"). */
#include <string.h>
#include <jansson.h>
#include "notify_receipt.h"

typedef struct {
    const char *status;
    const char *types;          //  the notification types it applies to, " "-separated
    notify_receipt_state_t state;
} status_map_t;

static const status_map_t s_statuses [] = {
    { "delivered", "email sms", NOTIFY_RECEIPT_DELIVERED },
    { "sent", "sms", NOTIFY_RECEIPT_DELIVERED },
    { "received", "letter", NOTIFY_RECEIPT_DELIVERED },
    { "accepted", "letter", NOTIFY_RECEIPT_DELIVERED },
    { "permanent-failure", "email sms letter", NOTIFY_RECEIPT_FAILED },
    { "temporary-failure", "email sms", NOTIFY_RECEIPT_FAILED },
    { "technical-failure", "email sms letter", NOTIFY_RECEIPT_FAILED },
    { "cancelled", "letter", NOTIFY_RECEIPT_FAILED },
    { "created", "email sms letter", NOTIFY_RECEIPT_IN_PROGRESS },
    { "sending", "email sms letter", NOTIFY_RECEIPT_IN_PROGRESS },
    { "pending", "sms", NOTIFY_RECEIPT_IN_PROGRESS },
};

const char *
notify_receipt_state_name (notify_receipt_state_t state)
{
    return state == NOTIFY_RECEIPT_DELIVERED ? "delivered"
         : state == NOTIFY_RECEIPT_FAILED ? "failed" : "in_progress";
}

//  1 when word is one of the space-separated words of list.
static int
s_word_in (const char *word, const char *list)
{
    size_t n = strlen (word);
    for (const char *p = list; *p; ) {
        const char *end = strchr (p, ' ');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        if (len == n && strncmp (p, word, n) == 0)
            return 1;
        p += len + (end ? 1 : 0);
    }
    return 0;
}

//  The string field name of doc into out (size bytes): -1 when it is
//  missing (unless nullable and null), not a string, or too long.
static int
s_text (json_t *doc, const char *name, int nullable, char *out, size_t size, kw_field_error_t *err)
{
    json_t *value = json_object_get (doc, name);
    if (nullable && (!value || json_is_null (value))) {
        *out = 0;
        return 0;
    }
    if (!json_is_string (value))
        return kw_field_error_set (err, 0, name, "%s", nullable ? "must be a string or null" : "is required (a string)");
    if (json_string_length (value) >= size || strlen (json_string_value (value)) != json_string_length (value))
        return kw_field_error_set (err, 0, name, "is too long or holds a NUL");
    memcpy (out, json_string_value (value), json_string_length (value) + 1);
    return 0;
}

static int
s_check (json_t *doc, notify_receipt_t *out, kw_field_error_t *err)
{
    char created [NOTIFY_RECEIPT_TIME_SIZE], sent [NOTIFY_RECEIPT_TIME_SIZE];
    if (!json_is_object (doc))
        return kw_field_error_set (err, 0, "", "the body must be a JSON object");
    if (s_text (doc, "id", 0, out->notification_id, sizeof out->notification_id, err)
    ||  s_text (doc, "reference", 0, out->reference, sizeof out->reference, err)
    ||  s_text (doc, "notification_type", 0, out->notification_type, sizeof out->notification_type, err)
    ||  s_text (doc, "status", 0, out->status, sizeof out->status, err)
    ||  s_text (doc, "created_at", 0, created, sizeof created, err)
    ||  s_text (doc, "completed_at", 1, out->completed_at, sizeof out->completed_at, err)
    ||  s_text (doc, "sent_at", 1, sent, sizeof sent, err))
        return -1;
    if (!json_is_string (json_object_get (doc, "to")))
        return kw_field_error_set (err, 0, "to", "is required (a string)");
    if (!kw_uuid_valid (out->notification_id))
        return kw_field_error_set (err, 0, "id", "must be Notify's notification id (a UUID)");
    if (!kw_uuid_valid (out->reference))
        return kw_field_error_set (err, 0, "reference", "must be a delivery id (a UUID)");
    if (!s_word_in (out->notification_type, "email sms letter") || !*out->notification_type)
        return kw_field_error_set (err, 0, "notification_type", "must be email, sms or letter");
    for (size_t i = 0; i < sizeof s_statuses / sizeof s_statuses [0]; i++)
        if (strcmp (out->status, s_statuses [i].status) == 0
        &&  s_word_in (out->notification_type, s_statuses [i].types)) {
            out->state = s_statuses [i].state;
            return 0;
        }
    return kw_field_error_set (err, 0, "status", "is not a status Notify documents for this notification_type");
}

int
notify_receipt_parse (const char *body, size_t len, notify_receipt_t *out, kw_field_error_t *err)
{
    memset (out, 0, sizeof *out);
    memset (err, 0, sizeof *err);
    if (len > NOTIFY_RECEIPT_MAX_BODY)
        return kw_field_error_set (err, 0, "", "the body is over %d bytes", NOTIFY_RECEIPT_MAX_BODY);
    json_error_t jerr;
    json_t *doc = json_loadb (body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return kw_field_error_set (err, 0, "", "malformed JSON at line %d, column %d", jerr.line, jerr.column);
    int rc = s_check (doc, out, err);
    json_decref (doc);
    if (rc != 0)
        memset (out, 0, sizeof *out);
    return rc;
}
