/*  notify_route: the "email" channel, through GOV.UK Notify for the regions
    whose Notify settings send e-mail and through SMTP for the others
    (notify_channel.h). */
#include <stdlib.h>
#include "notify_channel.h"

typedef struct {
    channel_t base;
    channel_t *smtp;
    channel_t *notify;
    notify_settings_fn *settings;
    void *settings_arg;
} route_t;

static int
s_start (channel_t *base, const channel_message_t *msg, channel_done_fn *done, void *arg)
{
    route_t *self = (route_t *) base;
    const notify_settings_t *settings = self->settings (self->settings_arg, msg->region ? msg->region : "");
    channel_t *through = settings && settings->kinds [NOTIFY_EMAIL].on ? self->notify : self->smtp;
    return through->start (through, msg, done, arg);
}

static void
s_destroy (channel_t *base)
{
    route_t *self = (route_t *) base;
    self->smtp->destroy (self->smtp);
    self->notify->destroy (self->notify);
    free (self);
}

channel_t *
notify_route_new (channel_t *smtp, channel_t *notify_email, notify_settings_fn *settings, void *arg)
{
    route_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    *self = (route_t) { .smtp = smtp, .notify = notify_email, .settings = settings, .settings_arg = arg };
    self->base.name = "email";
    //  The sender's count of sends in flight is the route's: at most what
    //  the smaller of the two takes at once.
    self->base.capacity = smtp->capacity < notify_email->capacity ? smtp->capacity : notify_email->capacity;
    self->base.start = s_start;
    self->base.destroy = s_destroy;
    return &self->base;
}
