/*  Unit tests for kw_zwatch: every queued message is delivered even though
    ZMQ_FD is edge-triggered, the callback is called at most once per loop
    turn (so a callback that stops at its budget lets the loop's other
    handles run between batches), and the watcher closes cleanly. */
#include <string.h>
#include <zmq.h>
#include "kw_zwatch.h"
#include "tap.h"

typedef struct {
    int received;
    int calls;
    int budget;
    int turn;                   //  loop turns, counted by a prepare handle
    int last_turn;              //  the turn of the latest call
    int same_turn;              //  calls in a turn that already had one
} counter_t;

static void
s_on_turn (uv_prepare_t *prepare)
{
    counter_t *c = prepare->data;
    c->turn++;
}

static void
s_on_readable (void *socket, void *arg)
{
    counter_t *c = arg;
    if (c->calls++ && c->turn == c->last_turn)
        c->same_turn++;
    c->last_turn = c->turn;
    for (int i = 0; i < c->budget; i++) {
        char buf [16];
        if (zmq_recv (socket, buf, sizeof buf, ZMQ_DONTWAIT) < 0)
            break;
        c->received++;
    }
}

static void
s_timeout (uv_timer_t *timer)
{
    uv_stop (timer->loop);
}

int
main (void)
{
    void *ctx = zmq_ctx_new ();
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    ok (zmq_bind (pull, "inproc://zwatch") == 0, "bind inproc");
    ok (zmq_connect (push, "inproc://zwatch") == 0, "connect inproc");

    //  Queue messages before the watcher exists: the edge has already passed.
    for (int i = 0; i < 100; i++)
        zmq_send (push, "x", 1, 0);

    uv_loop_t loop;
    uv_loop_init (&loop);
    counter_t c = { .budget = 7 };
    uv_prepare_t turns;
    uv_prepare_init (&loop, &turns);
    turns.data = &c;
    uv_prepare_start (&turns, s_on_turn);
    kw_zwatch_t *w = kw_zwatch_new (&loop, pull, s_on_readable, &c);
    ok (w != NULL, "watcher created");
    uv_timer_t timer;
    uv_timer_init (&loop, &timer);
    uv_timer_start (&timer, s_timeout, 300, 0);
    uv_run (&loop, UV_RUN_DEFAULT);
    is_int (c.received, 100, "all 100 queued messages delivered");
    ok (c.calls >= (100 + 6) / 7 && c.same_turn == 0,
        "one call per loop turn: %d calls, %d in a turn that had one", c.calls, c.same_turn);

    //  Messages sent while the loop runs arrive too.
    c.received = 0;
    for (int i = 0; i < 10; i++)
        zmq_send (push, "y", 1, 0);
    uv_timer_start (&timer, s_timeout, 200, 0);
    uv_run (&loop, UV_RUN_DEFAULT);
    is_int (c.received, 10, "messages sent later are delivered");

    kw_zwatch_destroy (&w);
    ok (w == NULL, "destroy clears the caller's pointer");
    kw_zwatch_destroy (&w);
    uv_close ((uv_handle_t *) &timer, NULL);
    uv_close ((uv_handle_t *) &turns, NULL);
    uv_run (&loop, UV_RUN_DEFAULT);
    is_int (uv_loop_close (&loop), 0, "loop closes cleanly");
    zmq_close (push);
    zmq_close (pull);
    zmq_ctx_term (ctx);
    return tap_done ();
}
