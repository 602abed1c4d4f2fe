/*  kw_zmonitor: the failed handshakes of a server socket, logged from the
    program's loop (a ZeroMQ socket monitor): a client with no key, a key
    the ZAP handler refused, or a broken greeting. The log line names the
    socket and the kind of failure, never a person. */
#ifndef KW_ZMONITOR_H
#define KW_ZMONITOR_H

#include <uv.h>

typedef struct _kw_zmonitor_t kw_zmonitor_t;

//  Log the failed handshakes of socket (of context zctx) as
//  curve_handshake_failed with socket=what. NULL when it cannot monitor.
kw_zmonitor_t *kw_zmonitor_new (uv_loop_t *loop, void *zctx, void *socket, const char *what);
//  Stop monitoring (before the socket is closed). Clears the caller's pointer.
void kw_zmonitor_destroy (kw_zmonitor_t **self_p);

#endif
