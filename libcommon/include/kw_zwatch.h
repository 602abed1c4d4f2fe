/*  kw_zwatch: watch a ZeroMQ socket from a libuv loop.
    ZMQ_FD is edge-triggered, libuv's poll is level-triggered: the watcher uses
    poll + prepare + check + idle (as flux-core's ev_zmq) and re-reads
    ZMQ_EVENTS on each loop turn after anything that may have consumed the
    edge (the descriptor woke, the callback ran, the owner used the socket
    and said so with kw_zwatch_touch), so no queued message is left behind.
    The callback runs from the check phase while the socket has input; it
    should receive with ZMQ_DONTWAIT up to a budget and return. */
#ifndef KW_ZWATCH_H
#define KW_ZWATCH_H

#include <uv.h>

typedef struct _kw_zwatch_t kw_zwatch_t;
typedef void (kw_zwatch_fn) (void *socket, void *arg);

//  Start watching socket for input on loop. NULL on error.
kw_zwatch_t *kw_zwatch_new (uv_loop_t *loop, void *socket, kw_zwatch_fn *on_readable, void *arg);
//  The socket was used outside the callback (a send, a subscription): any
//  such call may take the descriptor's edge, so ZMQ_EVENTS is read again
//  before the loop blocks. Every send on a watched socket must be followed
//  by it. NULL is ignored.
void kw_zwatch_touch (kw_zwatch_t *self);
//  Stop watching; handles are closed by the loop, memory freed in the last
//  close callback. Does not close the socket. Clears the caller's pointer.
void kw_zwatch_destroy (kw_zwatch_t **self_p);

#endif
