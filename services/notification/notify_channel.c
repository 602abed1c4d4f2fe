/*  notify_channel: GOV.UK Notify e-mails, text messages and letters as
    channels (notify_channel.h). A send answered without reaching Notify
    (held by the rate limit, or refused here) is answered on the next loop
    turn, so done is never called from start. */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "notify_channel.h"
#include "notify_client.h"

#define LETTER_LINES_MIN 3
#define LETTER_LINES_MAX 7

typedef struct _held_t held_t;
typedef struct _region_client_t region_client_t;

//  The client of one region, for the settings it was made with.
struct _region_client_t {
    char region [64];
    unsigned char settings_hash [crypto_generichash_BYTES];
    notify_client_t *client;
    region_client_t *next;
};

typedef struct {
    channel_t base;
    uv_loop_t *loop;
    notify_kind_t kind;
    notify_settings_fn *settings;
    void *settings_arg;
    kw_curl_uv_t *driver;
    region_client_t *clients;
    held_t *held;               //  sends answered next turn
    int destroying;
} notify_channel_t;

//  One send, in flight or answered next turn.
struct _held_t {
    notify_channel_t *channel;
    channel_done_fn *done;
    void *arg;
    uv_timer_t timer;           //  sends answered next turn only
    channel_outcome_t outcome;
    char error [NOTIFY_ERROR_SIZE];
    held_t *next;
};

static void
s_sent (const notify_result_t *result, void *arg)
{
    held_t *send = arg;
    channel_outcome_t outcome = send->channel->destroying ? CHANNEL_CANCELLED
                              : result->outcome == NOTIFY_SENT ? CHANNEL_SENT
                              : result->outcome == NOTIFY_TEMPORARY ? CHANNEL_TEMPORARY : CHANNEL_PERMANENT;
    send->done (send->arg, outcome, *result->notification_id ? result->notification_id : NULL,
                outcome == CHANNEL_SENT ? "" : result->error);
    free (send);
}

static void
s_held_closed (uv_handle_t *handle)
{
    free (handle->data);
}

//  Unlink send from the held list, answer it with outcome and free it.
static void
s_held_end (held_t *send, channel_outcome_t outcome)
{
    held_t **at = &send->channel->held;
    while (*at != send)
        at = &(*at)->next;
    *at = send->next;
    send->done (send->arg, outcome, NULL, send->error);
    uv_close ((uv_handle_t *) &send->timer, s_held_closed);
}

static void
s_held_due (uv_timer_t *timer)
{
    held_t *send = timer->data;
    s_held_end (send, send->outcome);
}

//  Answer send with outcome and error on the next loop turn.
static int
s_answer_later (held_t *send, channel_outcome_t outcome, const char *error)
{
    notify_channel_t *self = send->channel;
    send->outcome = outcome;
    snprintf (send->error, sizeof send->error, "%s", error);
    uv_timer_init (self->loop, &send->timer);
    send->timer.data = send;
    send->next = self->held;
    self->held = send;
    uv_timer_start (&send->timer, s_held_due, 0, 0);
    return 0;
}

//  The client for region with settings: the one made before while its
//  base URL, key and letters stay the same, else a new one (the old freed
//  once its sends end).
static notify_client_t *
s_client (notify_channel_t *self, const char *region, const notify_settings_t *settings)
{
    unsigned char hash [crypto_generichash_BYTES];
    crypto_generichash_state state;
    crypto_generichash_init (&state, NULL, 0, sizeof hash);
    crypto_generichash_update (&state, (const unsigned char *) settings->base_url, strlen (settings->base_url) + 1);
    crypto_generichash_update (&state, (const unsigned char *) settings->api_key, strlen (settings->api_key));
    unsigned char letters = (unsigned char) settings->kinds [NOTIFY_LETTER].on;
    crypto_generichash_update (&state, &letters, 1);
    crypto_generichash_final (&state, hash, sizeof hash);
    region_client_t *entry = self->clients;
    while (entry && strcmp (entry->region, region) != 0)
        entry = entry->next;
    if (entry && memcmp (entry->settings_hash, hash, sizeof hash) == 0)
        return entry->client;
    if (!entry) {
        if (strlen (region) >= sizeof entry->region || !(entry = calloc (1, sizeof *entry)))
            return NULL;
        snprintf (entry->region, sizeof entry->region, "%s", region);
        entry->next = self->clients;
        self->clients = entry;
    }
    notify_client_destroy (&entry->client);
    char err [128];
    notify_config_t config = { .base_url = settings->base_url, .api_key = settings->api_key,
                               .letters = settings->kinds [NOTIFY_LETTER].on };
    entry->client = notify_client_new (self->driver, &config, err, sizeof err);
    memcpy (entry->settings_hash, hash, sizeof hash);
    return entry->client;
}

//  A letter's address lines (LF-separated in address) into personalisation.
//  0, or -1 when there are too few or too many.
static int
s_address_lines (const char *address, json_t *personalisation)
{
    int lines = 0;
    const char *at = address;
    while (at && *at) {
        const char *end = strchr (at, '\n');
        size_t n = end ? (size_t) (end - at) : strlen (at);
        if (n && ++lines <= LETTER_LINES_MAX) {
            char name [32];           //  "address_line_" and any int
            snprintf (name, sizeof name, "address_line_%d", lines);
            json_object_set_new (personalisation, name, json_stringn (at, n));
        }
        at = end ? end + 1 : NULL;
    }
    return lines >= LETTER_LINES_MIN && lines <= LETTER_LINES_MAX ? 0 : -1;
}

static int
s_start (channel_t *base, const channel_message_t *msg, channel_done_fn *done, void *arg)
{
    notify_channel_t *self = (notify_channel_t *) base;
    held_t *send = calloc (1, sizeof *send);
    json_t *personalisation = json_pack ("{ss}", "body", msg->body ? msg->body : "");
    if (!send || !personalisation) {
        free (send);
        json_decref (personalisation);
        return -1;
    }
    *send = (held_t) { .channel = self, .done = done, .arg = arg };
    const char *region = msg->region ? msg->region : "";
    const notify_settings_t *settings = self->settings (self->settings_arg, region);
    const char *template_id = notify_settings_template (settings, self->kind, msg->template_name);
    if (!template_id) {
        json_decref (personalisation);
        char why [NOTIFY_ERROR_SIZE];
        snprintf (why, sizeof why, "GOV.UK Notify does not send this region's %s", base->name);
        return s_answer_later (send, CHANNEL_PERMANENT, why);
    }
    if (self->kind == NOTIFY_EMAIL)
        json_object_set_new (personalisation, "subject", json_string (msg->subject ? msg->subject : ""));
    //  A mapped template's values, beside (never instead of) the message.
    json_t *fields = msg->personalisation ? json_loads (msg->personalisation, 0, NULL) : NULL;
    if (json_is_object (fields))
        json_object_update_missing (personalisation, fields);
    json_decref (fields);
    if (self->kind == NOTIFY_LETTER && s_address_lines (msg->address, personalisation) != 0) {
        json_decref (personalisation);
        return s_answer_later (send, CHANNEL_PERMANENT, "the postal address must have 3 to 7 lines");
    }
    notify_client_t *client = s_client (self, region, settings);
    if (!client) {
        json_decref (personalisation);
        free (send);
        return -1;
    }
    notify_message_t out = { .kind = self->kind, .to = self->kind == NOTIFY_LETTER ? NULL : msg->address,
                             .template_id = template_id, .personalisation = personalisation,
                             .reference = msg->delivery_id,
                             .email_reply_to_id = self->kind == NOTIFY_EMAIL && *settings->kinds [NOTIFY_EMAIL].reply_to
                                                ? settings->kinds [NOTIFY_EMAIL].reply_to : NULL };
    char err [128];
    int rc = notify_client_send (client, &out, s_sent, send, err, sizeof err);
    json_decref (personalisation);
    if (rc == 1)
        return s_answer_later (send, CHANNEL_TEMPORARY, "Notify's rate limit: held");
    if (rc != 0)
        free (send);
    return rc;
}

static void
s_destroy (channel_t *base)
{
    notify_channel_t *self = (notify_channel_t *) base;
    self->destroying = 1;
    while (self->held) {
        uv_timer_stop (&self->held->timer);
        s_held_end (self->held, CHANNEL_CANCELLED);
    }
    while (self->clients) {
        region_client_t *entry = self->clients;
        self->clients = entry->next;
        notify_client_destroy (&entry->client);
        free (entry);
    }
    kw_curl_uv_destroy (&self->driver);
    free (self);
}

channel_t *
notify_channel_new (uv_loop_t *loop, notify_kind_t kind, notify_settings_fn *settings, void *arg)
{
    notify_channel_t *self = calloc (1, sizeof *self);
    if (self)
        self->driver = kw_curl_uv_new (loop, NOTIFY_CHANNEL_IN_FLIGHT);
    if (!self || !self->driver) {
        free (self);
        return NULL;
    }
    self->loop = loop;
    self->kind = kind;
    self->settings = settings;
    self->settings_arg = arg;
    self->base.name = notify_kind_name (kind);
    self->base.capacity = NOTIFY_CHANNEL_IN_FLIGHT;
    self->base.start = s_start;
    self->base.destroy = s_destroy;
    return &self->base;
}
