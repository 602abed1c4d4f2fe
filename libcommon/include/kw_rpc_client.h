/*  kw_rpc_client: the gateway's end of RPC (see kw_rpc.h): a DEALER socket
    whose calls each end in one callback, with the reply or at the timeout. */
#ifndef KW_RPC_CLIENT_H
#define KW_RPC_CLIENT_H

#include <uv.h>
#include "kw_curve.h"
#include "kw_rpc.h"

typedef struct _kw_rpc_client_t kw_rpc_client_t;

//  Reply callback: resp is NULL when the call timed out or could not be sent;
//  resp and its memory are valid only during the callback.
typedef void (kw_rpc_reply_fn) (const Kw__Response *resp, void *arg);

//  Connect a DEALER socket to endpoint (ZMQ_IMMEDIATE: nothing is queued for
//  a peer that is not connected). Several endpoints, comma-separated, are
//  instances of one service: requests are spread over those connected.
//  With curve (CURVE on), a CURVE client of the program named server.
kw_rpc_client_t *kw_rpc_client_new (uv_loop_t *loop, void *zctx, const char *endpoint,
                                    kw_curve_t *curve, const char *server,
                                    char *err, size_t err_size);
void kw_rpc_client_destroy (kw_rpc_client_t **self_p);
//  Send req; cb runs exactly once (reply or timeout) unless cancelled.
//  Returns a call id (> 0) for kw_rpc_client_cancel.
uint64_t kw_rpc_client_call (kw_rpc_client_t *self, Kw__Request *req,
                             unsigned timeout_ms, kw_rpc_reply_fn *cb, void *arg);
//  Forget a pending call; its callback will not run.
void kw_rpc_client_cancel (kw_rpc_client_t *self, uint64_t call_id);
//  Number of calls waiting for a reply.
size_t kw_rpc_client_pending (kw_rpc_client_t *self);

#endif
