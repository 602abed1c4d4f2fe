/*  kw_ticker: a repeating timer that runs one function (see kw_ticker.h). */
#include <stdlib.h>
#include "kw_ticker.h"

struct _kw_ticker_t {
    uv_timer_t timer;               //  first: the handle is the allocation uv_close frees
    unsigned interval_ms;
    kw_ticker_fn *fn;
    void *arg;
};

static void
s_tick (uv_timer_t *timer)
{
    kw_ticker_t *self = timer->data;
    if (self->fn (self->arg) > 0)
        uv_timer_start (&self->timer, s_tick, 0, self->interval_ms);
}

kw_ticker_t *
kw_ticker_new (uv_loop_t *loop, unsigned interval_ms, kw_ticker_fn *fn, void *arg)
{
    kw_ticker_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->interval_ms = interval_ms;
    self->fn = fn;
    self->arg = arg;
    uv_timer_init (loop, &self->timer);
    self->timer.data = self;
    uv_timer_start (&self->timer, s_tick, 0, interval_ms);
    return self;
}

static void
s_free (uv_handle_t *handle)
{
    free (handle);
}

void
kw_ticker_destroy (kw_ticker_t **self_p)
{
    kw_ticker_t *self = *self_p;
    if (!self)
        return;
    uv_timer_stop (&self->timer);
    uv_close ((uv_handle_t *) &self->timer, s_free);
    *self_p = NULL;
}
