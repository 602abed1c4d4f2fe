/*  webhook_channel: the agencies' own systems as a channel (channel.h),
    over webhook_client. A delivery's address is "<region>/<subscriber id>";
    the subscriber (URL, secret) is looked up when it is sent, so a region
    file read again on SIGHUP takes effect, and a subscriber no longer in
    it makes the send fail permanently. The body is the delivery's, JSON;
    X-KW-Webhook-Id is the delivery id. */
#ifndef NOTIFICATION_WEBHOOK_CHANNEL_H
#define NOTIFICATION_WEBHOOK_CHANNEL_H

#include <uv.h>
#include "channel.h"
#include "webhook_client.h"

#define WEBHOOK_CHANNEL_IN_FLIGHT 8

//  The subscriber address names, or NULL.
typedef const webhook_subscriber_t *(webhook_find_fn) (void *arg, const char *address);

//  NULL with the reason in err.
channel_t *webhook_channel_new (uv_loop_t *loop, webhook_find_fn *find, void *find_arg, char *err,
                                size_t err_size);

#endif
