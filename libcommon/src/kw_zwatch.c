/*  kw_zwatch: a ZeroMQ socket watched from a libuv loop.
    uv_poll on ZMQ_FD only wakes the loop; the prepare phase checks
    ZMQ_EVENTS and keeps an idle handle running while input is queued (so the
    loop does not block on an edge that has already passed); the check phase
    calls the user's callback while ZMQ_EVENTS reports input. ZMQ_EVENTS is
    read only when something may have changed it (the descriptor woke the
    loop, the callback ran, or the socket was used: kw_zwatch_touch): each
    read costs a system call, and an idle socket needs none a loop turn. */
#include <assert.h>
#include <stdlib.h>
#include <zmq.h>
#include "kw_zwatch.h"

struct _kw_zwatch_t {
    uv_poll_t poll;
    uv_prepare_t prepare;
    uv_check_t check;
    uv_idle_t idle;
    void *socket;
    kw_zwatch_fn *on_readable;
    void *arg;
    int open_handles;
    int dirty;                      //  ZMQ_EVENTS may report input: read it
};

static int
s_readable (void *socket)
{
    int events = 0;
    size_t size = sizeof events;
    if (zmq_getsockopt (socket, ZMQ_EVENTS, &events, &size) != 0)
        return 0;
    return (events & ZMQ_POLLIN) != 0;
}

static void
s_poll_cb (uv_poll_t *handle, int status, int events)
{
    //  Only a wake-up: the check phase does the work.
    kw_zwatch_t *self = handle->data;
    self->dirty = 1;
}

static void
s_idle_cb (uv_idle_t *handle)
{
}

static void
s_prepare_cb (uv_prepare_t *handle)
{
    kw_zwatch_t *self = handle->data;
    if (self->dirty && s_readable (self->socket)) {
        uv_idle_start (&self->idle, s_idle_cb);
        return;
    }
    //  No input, and the edge was consumed by that read: the descriptor
    //  wakes the loop for the next.
    self->dirty = 0;
    uv_idle_stop (&self->idle);
}

static void
s_check_cb (uv_check_t *handle)
{
    kw_zwatch_t *self = handle->data;
    if (!self->dirty)
        return;
    if (s_readable (self->socket))
        self->on_readable (self->socket, self->arg);
    else
        self->dirty = 0;
}

void
kw_zwatch_touch (kw_zwatch_t *self)
{
    if (self)
        self->dirty = 1;
}

kw_zwatch_t *
kw_zwatch_new (uv_loop_t *loop, void *socket, kw_zwatch_fn *on_readable, void *arg)
{
    assert (loop && socket && on_readable);
    int fd = -1;
    size_t size = sizeof fd;
    if (zmq_getsockopt (socket, ZMQ_FD, &fd, &size) != 0)
        return NULL;
    kw_zwatch_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->socket = socket;
    self->on_readable = on_readable;
    self->arg = arg;
    if (uv_poll_init (loop, &self->poll, fd) != 0) {
        free (self);
        return NULL;
    }
    uv_prepare_init (loop, &self->prepare);
    uv_check_init (loop, &self->check);
    uv_idle_init (loop, &self->idle);
    self->poll.data = self->prepare.data = self->check.data = self->idle.data = self;
    self->open_handles = 4;
    self->dirty = 1;
    uv_poll_start (&self->poll, UV_READABLE, s_poll_cb);
    uv_prepare_start (&self->prepare, s_prepare_cb);
    uv_check_start (&self->check, s_check_cb);
    return self;
}

static void
s_close_cb (uv_handle_t *handle)
{
    kw_zwatch_t *self = handle->data;
    if (--self->open_handles == 0)
        free (self);
}

void
kw_zwatch_destroy (kw_zwatch_t **self_p)
{
    assert (self_p);
    kw_zwatch_t *self = *self_p;
    if (!self)
        return;
    uv_close ((uv_handle_t *) &self->poll, s_close_cb);
    uv_close ((uv_handle_t *) &self->prepare, s_close_cb);
    uv_close ((uv_handle_t *) &self->check, s_close_cb);
    uv_close ((uv_handle_t *) &self->idle, s_close_cb);
    *self_p = NULL;
}
