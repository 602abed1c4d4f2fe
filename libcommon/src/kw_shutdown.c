/*  kw_shutdown: SIGINT/SIGTERM watched on the loop, and the loop's last rites. */
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include "kw_shutdown.h"

struct _kw_shutdown_t {
    uv_signal_t sigint;
    uv_signal_t sigterm;
    kw_shutdown_fn *fn;
    void *arg;
    int open_handles;
    int fired;
};

static void
s_signal_cb (uv_signal_t *handle, int signum)
{
    kw_shutdown_t *self = handle->data;
    if (self->fired++)
        return;
    self->fn (signum, self->arg);
}

kw_shutdown_t *
kw_shutdown_new (uv_loop_t *loop, kw_shutdown_fn *fn, void *arg)
{
    assert (loop && fn);
    kw_shutdown_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->fn = fn;
    self->arg = arg;
    uv_signal_init (loop, &self->sigint);
    uv_signal_init (loop, &self->sigterm);
    self->sigint.data = self->sigterm.data = self;
    self->open_handles = 2;
    uv_signal_start (&self->sigint, s_signal_cb, SIGINT);
    uv_signal_start (&self->sigterm, s_signal_cb, SIGTERM);
    //  A closed peer must not kill the process.
    signal (SIGPIPE, SIG_IGN);
    return self;
}

static void
s_close_cb (uv_handle_t *handle)
{
    kw_shutdown_t *self = handle->data;
    if (--self->open_handles == 0)
        free (self);
}

void
kw_shutdown_destroy (kw_shutdown_t **self_p)
{
    assert (self_p);
    kw_shutdown_t *self = *self_p;
    if (!self)
        return;
    //  A signal that comes while the program finishes its stop (a second
    //  Ctrl-C, a supervisor's SIGTERM after the terminal's SIGINT) must not
    //  cut it short: from here on both are ignored. They are blocked while
    //  libuv puts back their default action, so none slips in between.
    sigset_t both, old;
    sigemptyset (&both);
    sigaddset (&both, SIGINT);
    sigaddset (&both, SIGTERM);
    pthread_sigmask (SIG_BLOCK, &both, &old);
    uv_close ((uv_handle_t *) &self->sigint, s_close_cb);
    uv_close ((uv_handle_t *) &self->sigterm, s_close_cb);
    signal (SIGINT, SIG_IGN);
    signal (SIGTERM, SIG_IGN);
    pthread_sigmask (SIG_SETMASK, &old, NULL);
    *self_p = NULL;
}

static void
s_close_any (uv_handle_t *handle, void *arg)
{
    (void) arg;
    if (!uv_is_closing (handle))
        uv_close (handle, NULL);
}

int
kw_loop_finish (uv_loop_t *loop)
{
    //  Owners have started closing their handles; anything still open is
    //  closed here so the loop cannot hang, then the closes are completed.
    uv_walk (loop, s_close_any, NULL);
    uv_run (loop, UV_RUN_DEFAULT);
    return uv_loop_close (loop);
}
