/*  Unit tests for kw_shutdown: SIGTERM and SIGINT reach the callback on the
    loop, once; later ones are ignored; kw_loop_finish closes what is left and the loop is clean. */
#include <signal.h>
#include "kw_shutdown.h"
#include "tap.h"

static int s_calls;
static int s_signum;
static kw_shutdown_t *s_shutdown;

static void
s_on_stop (int signum, void *arg)
{
    s_calls++;
    s_signum = signum;
    kw_shutdown_destroy (&s_shutdown);
}

static void
s_raise (uv_timer_t *timer)
{
    raise (SIGTERM);
}

int
main (void)
{
    uv_loop_t loop;
    uv_loop_init (&loop);
    s_shutdown = kw_shutdown_new (&loop, s_on_stop, NULL);
    ok (s_shutdown != NULL, "created");
    uv_timer_t timer;
    uv_timer_init (&loop, &timer);
    uv_timer_start (&timer, s_raise, 10, 0);
    uv_run (&loop, UV_RUN_ONCE);
    uv_run (&loop, UV_RUN_ONCE);
    uv_run (&loop, UV_RUN_NOWAIT);
    is_int (s_calls, 1, "SIGTERM ran the callback once");
    is_int (s_signum, SIGTERM, "with the signal number");
    ok (s_shutdown == NULL, "the callback could destroy the watcher");

    //  Once the stop has begun, a repeated signal does not end the process.
    raise (SIGTERM);
    raise (SIGINT);
    ok (1, "SIGTERM and SIGINT after the stop began are ignored");

    //  A handle nobody closed is closed by kw_loop_finish.
    uv_idle_t idle;
    uv_idle_init (&loop, &idle);
    is_int (kw_loop_finish (&loop), 0, "kw_loop_finish leaves the loop clean");
    (void) timer;
    return tap_done ();
}
