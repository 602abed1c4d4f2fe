/*  kw_rpc_server: a service's end of RPC (see kw_rpc.h): a ROUTER socket
    that hands each request to the service's handler and sends its answer. */
#ifndef KW_RPC_SERVER_H
#define KW_RPC_SERVER_H

#include <uv.h>
#include "kw_curve.h"
#include "kw_rpc.h"

typedef struct _kw_rpc_server_t kw_rpc_server_t;
//  A request whose answer is sent later (work done off the loop).
typedef struct _kw_rpc_pending_t kw_rpc_pending_t;

//  Handle one request: fill resp (status, message, field, payload). Memory for
//  the response may come from arena, which is reset after the reply is sent.
typedef void (kw_rpc_handler_fn) (const Kw__Request *req, Kw__Response *resp,
                                  kw_arena_t *arena, void *arg);

//  Bind a ROUTER socket to endpoint and serve requests on loop. With curve
//  (CURVE on), the socket is a server of ZAP domain "rpc" (kw_curve_admit it
//  first), and a request's caller is kept only when it was sent by one of
//  callers (comma-separated program names): from any other admitted peer the
//  handler sees a request without a caller.
kw_rpc_server_t *kw_rpc_server_new (uv_loop_t *loop, void *zctx, const char *endpoint,
                                    kw_curve_t *curve, const char *callers,
                                    kw_rpc_handler_fn *handler, void *arg,
                                    char *err, size_t err_size);
//  Called from the handler only: the request being handled is answered
//  later with kw_rpc_pending_reply, not when the handler returns (what the
//  handler put in resp is dropped). NULL when out of memory (the request is
//  then answered as usual).
kw_rpc_pending_t *kw_rpc_server_defer (kw_rpc_server_t *self);
//  Answer a deferred request with resp, on the loop's thread, and free the
//  pending answer; resp NULL drops it (the server is gone: the caller's
//  retry gets the answer kept under its Idempotency-Key). The server must
//  exist when resp is given. Clears the caller's pointer.
void kw_rpc_pending_reply (kw_rpc_pending_t **pending_p, const Kw__Response *resp);

//  Stop serving and close the socket. Clears the caller's pointer.
void kw_rpc_server_destroy (kw_rpc_server_t **self_p);

#endif
