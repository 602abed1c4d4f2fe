/*  notify_channel: GOV.UK Notify text messages as a channel
    (notify_channel.h). A send held by Notify's rate limit is answered
    temporary on the next loop turn, so done is never called from start. */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "kw_jread.h"
#include "kw_uuid.h"
#include "notify_channel.h"
#include "notify_client.h"

#define KEY_MAX 256

typedef struct _held_t held_t;

typedef struct {
    channel_t base;
    uv_loop_t *loop;
    kw_curl_uv_t *driver;
    notify_client_t *client;
    char template_id [KW_UUID_SIZE];
    held_t *held;               //  sends held by the rate limit, answered next turn
    int destroying;
} notify_channel_t;

//  One send, in flight or held.
struct _held_t {
    notify_channel_t *channel;
    channel_done_fn *done;
    void *arg;
    uv_timer_t timer;           //  held sends only
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
    send->done (send->arg, outcome, NULL, "Notify's rate limit: held");
    uv_close ((uv_handle_t *) &send->timer, s_held_closed);
}

static void
s_held_due (uv_timer_t *timer)
{
    s_held_end (timer->data, CHANNEL_TEMPORARY);
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
    notify_message_t out = { .kind = NOTIFY_SMS, .to = msg->address, .template_id = self->template_id,
                             .personalisation = personalisation, .reference = msg->delivery_id };
    char err [128];
    int rc = notify_client_send (self->client, &out, s_sent, send, err, sizeof err);
    json_decref (personalisation);
    if (rc == 1) {
        uv_timer_init (self->loop, &send->timer);
        send->timer.data = send;
        send->next = self->held;
        self->held = send;
        uv_timer_start (&send->timer, s_held_due, 0, 0);
        return 0;
    }
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
    notify_client_destroy (&self->client);
    kw_curl_uv_destroy (&self->driver);
    free (self);
}

channel_t *
notify_channel_new (uv_loop_t *loop, const char *base_url, const char *key_file, const char *template_id,
                    char *err, size_t err_size)
{
    if (!template_id || !kw_uuid_valid (template_id)) {
        snprintf (err, err_size, "KW_NOTIFY_SMS_TEMPLATE must be the id (a UUID) of a Notify template"
                  " whose text is ((body))");
        return NULL;
    }
    char *key = NULL;
    size_t len = 0;
    if (kw_jread_file (key_file, KEY_MAX, &key, &len, err, err_size) != 0)
        return NULL;
    while (len && (key [len - 1] == '\n' || key [len - 1] == '\r'))
        key [--len] = '\0';
    notify_channel_t *self = calloc (1, sizeof *self);
    if (self)
        self->driver = kw_curl_uv_new (loop, NOTIFY_CHANNEL_IN_FLIGHT);
    notify_config_t config = { .base_url = base_url, .api_key = key };
    if (self && self->driver)
        self->client = notify_client_new (self->driver, &config, err, err_size);
    sodium_memzero (key, len);
    free (key);
    if (!self || !self->client) {
        if (!self || !self->driver)
            snprintf (err, err_size, "out of memory");
        if (self)
            kw_curl_uv_destroy (&self->driver);
        free (self);
        return NULL;
    }
    self->loop = loop;
    snprintf (self->template_id, sizeof self->template_id, "%s", template_id);
    self->base.name = "sms";
    self->base.capacity = NOTIFY_CHANNEL_IN_FLIGHT;
    self->base.start = s_start;
    self->base.destroy = s_destroy;
    return &self->base;
}
