/*  notify_channel: text messages through GOV.UK Notify as a channel
    (channel.h), over notify_client. Notify sends text from its own
    templates: the region's message, rendered by the service, goes as the
    personalisation "body" of one Notify template whose text is ((body)).
    Notify's reference is the delivery id. Outcomes: 201 sent; 429 and 5xx
    temporary (a 429 holds every send for the client's backoff: a send
    asked for meanwhile ends temporary at once, without reaching Notify);
    400 and 403 permanent. */
#ifndef NOTIFICATION_NOTIFY_CHANNEL_H
#define NOTIFICATION_NOTIFY_CHANNEL_H

#include <uv.h>
#include "channel.h"

#define NOTIFY_CHANNEL_IN_FLIGHT 8

//  base_url: Notify's API ("https://api.notifications.service.gov.uk");
//  key_file: the file holding the API key ("{name}-{service id}-{secret}");
//  template_id: the Notify template (UUID) whose text is ((body)). NULL
//  with the reason in err.
channel_t *notify_channel_new (uv_loop_t *loop, const char *base_url, const char *key_file,
                               const char *template_id, char *err, size_t err_size);

#endif
