/*  Unit tests for kw_zwatch: every queued message is delivered even though
    ZMQ_FD is edge-triggered, the callback is called at most once per loop
    turn (so a callback that stops at its budget lets the loop's other
    handles run between batches), an idle socket's ZMQ_EVENTS is not read
    every loop turn (each read is a system call) but is read again after
    kw_zwatch_touch, a reply that arrives before the next send is delivered,
    and the watcher closes cleanly. */
#include <dlfcn.h>
#include <string.h>
#include <zmq.h>
#include "kw_zwatch.h"
#include "tap.h"

//  ZMQ_EVENTS reads of the socket watched, counted: this definition is the
//  one kw_zwatch calls, and it passes on to libzmq's.
static void *s_counted;
static int s_events_reads;

int
zmq_getsockopt (void *socket, int option, void *value, size_t *size)
{
    static int (*real) (void *, int, void *, size_t *);
    if (!real)
        real = (int (*) (void *, int, void *, size_t *)) dlsym (RTLD_NEXT, "zmq_getsockopt");
    if (socket == s_counted && option == ZMQ_EVENTS)
        s_events_reads++;
    return real (socket, option, value, size);
}

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

//  Spins the loop for 50 turns, then stops it.
static void
s_spin (uv_idle_t *idle)
{
    int *turns = idle->data;
    if (++*turns == 50) {
        uv_idle_stop (idle);
        uv_stop (idle->loop);
    }
}

static int
s_spin_loop (uv_loop_t *loop)
{
    int turns = 0;
    uv_idle_t idle;
    uv_idle_init (loop, &idle);
    idle.data = &turns;
    uv_idle_start (&idle, s_spin);
    uv_run (loop, UV_RUN_DEFAULT);
    uv_close ((uv_handle_t *) &idle, NULL);
    uv_run (loop, UV_RUN_NOWAIT);
    return turns;
}

//  A request a timer turn from a watched DEALER to a ROUTER the test
//  answers at once, the answer sent before the next request: that send
//  may take the descriptor's edge, which the touch after it makes good.
typedef struct {
    void *dealer, *router;
    kw_zwatch_t *watch;
    int sent, answered;
} rpc_t;

static void
s_answer (void *socket, void *arg)
{
    rpc_t *r = arg;
    char buf [16];
    while (zmq_recv (socket, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
        r->answered++;
}

static void
s_request (uv_timer_t *timer)
{
    rpc_t *r = timer->data;
    char id [64], buf [16];
    if (r->sent) {
        //  Answer the last request, then send the next at once.
        int n = zmq_recv (r->router, id, sizeof id, 0);
        zmq_recv (r->router, buf, sizeof buf, 0);
        zmq_send (r->router, id, (size_t) n, ZMQ_SNDMORE);
        zmq_send (r->router, "a", 1, 0);
    }
    if (r->sent == 20) {
        uv_timer_stop (timer);
        return;
    }
    zmq_send (r->dealer, "q", 1, 0);
    kw_zwatch_touch (r->watch);
    r->sent++;
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

    //  An idle socket: its ZMQ_EVENTS is read once, not every turn.
    s_counted = pull;
    s_events_reads = 0;
    int spun = s_spin_loop (&loop);
    ok (spun == 50 && s_events_reads <= 2, "an idle socket over %d loop turns: %d ZMQ_EVENTS reads",
        spun, s_events_reads);
    s_events_reads = 0;
    kw_zwatch_touch (w);
    kw_zwatch_touch (NULL);
    s_spin_loop (&loop);
    ok (s_events_reads >= 1 && s_events_reads <= 2, "a touched one is read again: %d reads", s_events_reads);
    zmq_send (push, "z", 1, 0);
    c.received = 0;
    uv_timer_start (&timer, s_timeout, 200, 0);
    uv_run (&loop, UV_RUN_DEFAULT);
    is_int (c.received, 1, "and input still wakes it");
    s_counted = NULL;

    rpc_t r = { .dealer = zmq_socket (ctx, ZMQ_DEALER), .router = zmq_socket (ctx, ZMQ_ROUTER) };
    zmq_bind (r.router, "inproc://zwatch-rpc");
    zmq_connect (r.dealer, "inproc://zwatch-rpc");
    r.watch = kw_zwatch_new (&loop, r.dealer, s_answer, &r);
    uv_timer_t requests;
    uv_timer_init (&loop, &requests);
    requests.data = &r;
    uv_timer_start (&requests, s_request, 5, 5);
    uv_timer_start (&timer, s_timeout, 1000, 0);
    uv_run (&loop, UV_RUN_DEFAULT);
    is_int (r.answered, 20, "every answer delivered, those that came before a send too");
    kw_zwatch_destroy (&r.watch);
    uv_close ((uv_handle_t *) &requests, NULL);

    kw_zwatch_destroy (&w);
    ok (w == NULL, "destroy clears the caller's pointer");
    kw_zwatch_destroy (&w);
    uv_close ((uv_handle_t *) &timer, NULL);
    uv_close ((uv_handle_t *) &turns, NULL);
    uv_run (&loop, UV_RUN_DEFAULT);
    is_int (uv_loop_close (&loop), 0, "loop closes cleanly");
    zmq_close (push);
    zmq_close (pull);
    zmq_close (r.dealer);
    zmq_close (r.router);
    zmq_ctx_term (ctx);
    return tap_done ();
}
