/*  notify_channel: e-mails, text messages and letters through GOV.UK
    Notify as channels (channel.h), over notify_client, each message with
    the Notify settings of its region (notify_settings.h: the region's own
    API key, base URL and templates, or the service's). One client per
    region and key, kept while the settings stay the same (a SIGHUP that
    changes them makes a new one), so each region's rate limit is its own.

    Notify sends from its own templates: the message rendered by the
    service goes as personalisation, "subject" and "body" for an e-mail,
    "body" for a text message, "body" and "address_line_1".."address_line_7"
    for a letter (the delivery's address, its lines separated by LF: 3 to 7
    of them), and for a template the region maps to its own Notify template
    the values of our template's fields ("key_worker.name"), to the
    Notify template the region maps the table's template
    to, else the region's generic one. Notify's reference is the delivery
    id. Outcomes: 201 sent; 429 and 5xx temporary (a 429 holds every send of
    that region's client for its backoff: a send asked for meanwhile ends
    temporary at once, without reaching Notify); 400 and 403 permanent; a
    region whose settings do not send the kind, or a letter whose address
    has too few or too many lines, permanent without reaching Notify. */
#ifndef NOTIFICATION_NOTIFY_CHANNEL_H
#define NOTIFICATION_NOTIFY_CHANNEL_H

#include <uv.h>
#include "channel.h"
#include "notify_settings.h"

#define NOTIFY_CHANNEL_IN_FLIGHT 8

//  The Notify settings of region (the service's current ones), or NULL.
typedef const notify_settings_t *(notify_settings_fn) (void *arg, const char *region);

//  A channel sending kind ("email", "sms" or "letter" as its name) with
//  each message's region's settings from settings (arg passed on). NULL
//  when out of memory.
channel_t *notify_channel_new (uv_loop_t *loop, notify_kind_t kind, notify_settings_fn *settings, void *arg);

//  The "email" channel: a message whose region's Notify settings send
//  e-mail goes through notify_email, every other through smtp. Takes both
//  (destroying it destroys them); NULL when out of memory (neither taken).
channel_t *notify_route_new (channel_t *smtp, channel_t *notify_email, notify_settings_fn *settings, void *arg);

#endif
