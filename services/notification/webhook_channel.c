/*  webhook_channel: webhooks as a channel (webhook_channel.h). */
#include <stdlib.h>
#include <string.h>
#include "webhook_channel.h"

typedef struct {
    channel_t base;
    kw_curl_uv_t *driver;
    webhook_client_t *client;
    webhook_find_fn *find;
    void *find_arg;
    int destroying;
} webhook_channel_t;

typedef struct {
    webhook_channel_t *channel;
    channel_done_fn *done;
    void *arg;
} s_send_t;

static void
s_sent (const webhook_result_t *result, void *arg)
{
    s_send_t *send = arg;
    channel_outcome_t outcome = send->channel->destroying ? CHANNEL_CANCELLED
                              : result->outcome == WEBHOOK_DELIVERED ? CHANNEL_SENT
                              : result->outcome == WEBHOOK_TEMPORARY ? CHANNEL_TEMPORARY : CHANNEL_PERMANENT;
    send->done (send->arg, outcome, NULL, outcome == CHANNEL_SENT ? "" : result->error);
    free (send);
}

static int
s_start (channel_t *base, const channel_message_t *msg, channel_done_fn *done, void *arg)
{
    webhook_channel_t *self = (webhook_channel_t *) base;
    const webhook_subscriber_t *subscriber = self->find (self->find_arg, msg->address);
    s_send_t *send = subscriber ? calloc (1, sizeof *send) : NULL;
    if (!send)
        return -1;
    *send = (s_send_t) { .channel = self, .done = done, .arg = arg };
    webhook_message_t out = { .delivery_id = msg->delivery_id, .body = msg->body };
    char err [128];
    if (webhook_client_send (self->client, subscriber, &out, s_sent, send, err, sizeof err) != 0) {
        free (send);
        return -1;
    }
    return 0;
}

static void
s_destroy (channel_t *base)
{
    webhook_channel_t *self = (webhook_channel_t *) base;
    self->destroying = 1;
    webhook_client_destroy (&self->client);
    kw_curl_uv_destroy (&self->driver);
    free (self);
}

channel_t *
webhook_channel_new (uv_loop_t *loop, webhook_find_fn *find, void *find_arg, char *err, size_t err_size)
{
    webhook_channel_t *self = calloc (1, sizeof *self);
    if (self)
        self->driver = kw_curl_uv_new (loop, WEBHOOK_CHANNEL_IN_FLIGHT);
    if (self && self->driver)
        self->client = webhook_client_new (self->driver, 0);
    if (!self || !self->client) {
        if (self)
            kw_curl_uv_destroy (&self->driver);
        free (self);
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    self->find = find;
    self->find_arg = find_arg;
    self->base.name = "webhook";
    self->base.capacity = WEBHOOK_CHANNEL_IN_FLIGHT;
    self->base.start = s_start;
    self->base.destroy = s_destroy;
    return &self->base;
}
