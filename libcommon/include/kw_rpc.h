/*  kw_rpc: request/reply between the gateway and the services over ZeroMQ.
    Client: DEALER sending [request-id][Request], matching replies by id,
    failing calls that pass their timeout. Server: ROUTER receiving
    [identity][request-id][Request] and answering [identity][request-id][Response].
    Requests carry a deadline; a server drops requests that arrive too late. */
#ifndef KW_RPC_H
#define KW_RPC_H

#include <stdint.h>
#include <uv.h>
#include "kw/rpc.pb-c.h"
#include "kw_arena.h"

#define KW_RPC_MAX_FRAME (32 * 1024 * 1024)

// ---- server
typedef struct _kw_rpc_server_t kw_rpc_server_t;

//  Handle one request: fill resp (status, message, field, payload). Memory for
//  the response may come from arena, which is reset after the reply is sent.
typedef void (kw_rpc_handler_fn) (const Kw__Request *req, Kw__Response *resp,
                                  kw_arena_t *arena, void *arg);

//  Bind a ROUTER socket to endpoint and serve requests on loop.
kw_rpc_server_t *kw_rpc_server_new (uv_loop_t *loop, void *zctx, const char *endpoint,
                                    kw_rpc_handler_fn *handler, void *arg,
                                    char *err, size_t err_size);
//  Stop serving and close the socket. Clears the caller's pointer.
void kw_rpc_server_destroy (kw_rpc_server_t **self_p);

//  Set resp to OK with out packed into arena memory.
void kw_rpc_reply_ok (Kw__Response *resp, kw_arena_t *arena, const ProtobufCMessage *out);
//  Set resp to an error status with a message and (optional) field path.
void kw_rpc_reply_error (Kw__Response *resp, kw_arena_t *arena, Kw__Status status,
                         const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));
//  1 when the caller's role is one of roles (NULL-terminated); else resp
//  is set to FORBIDDEN with refusal (and field, optional) and 0 returned.
int kw_rpc_role_allowed (const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena,
                         const char *const *roles, const char *field, const char *refusal);
//  Unpack the request payload as desc into arena (kw_pb_unpack: nesting
//  bounded, no field numbered 0); on failure sets resp to INVALID and
//  returns NULL.
ProtobufCMessage *kw_rpc_unpack (const Kw__Request *req, Kw__Response *resp,
                                 kw_arena_t *arena, const ProtobufCMessageDescriptor *desc);

// ---- client
typedef struct _kw_rpc_client_t kw_rpc_client_t;

//  Reply callback: resp is NULL when the call timed out or could not be sent;
//  resp and its memory are valid only during the callback.
typedef void (kw_rpc_reply_fn) (const Kw__Response *resp, void *arg);

//  Connect a DEALER socket to endpoint (ZMQ_IMMEDIATE: nothing is queued for
//  a peer that is not connected).
kw_rpc_client_t *kw_rpc_client_new (uv_loop_t *loop, void *zctx, const char *endpoint,
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
