/*  kw_rpc: request/reply between the gateway and the services over ZeroMQ,
    protobuf Request and Response (proto/kw/rpc.proto) in multipart frames:
    the gateway's DEALER (kw_rpc_client) sends [request-id][Request], a
    service's ROUTER (kw_rpc_server) answers [request-id][Response].
    Requests carry a deadline; a server drops requests that arrive too late.
    This module holds what both ends share: the socket options and frames,
    and the answers a handler makes. */
#ifndef KW_RPC_H
#define KW_RPC_H

#include <stdint.h>
#include <zmq.h>
#include "kw/rpc.pb-c.h"
#include "kw_arena.h"
#include "kw_field_error.h"

#define KW_RPC_MAX_FRAME (32 * 1024 * 1024)
//  Bytes of the request id that pairs a reply with its call.
#define KW_RPC_ID_SIZE 8
//  Messages read from a socket per wake-up.
#define KW_RPC_RECV_BUDGET 64

//  Set the options both ends use (no linger, frames up to KW_RPC_MAX_FRAME).
void kw_rpc_socket_defaults (void *socket);
//  Receive one multipart message into frames (at most max); extra frames are
//  drained and counted. Returns the frame count, 0 when nothing is waiting.
int kw_rpc_recv_frames (void *socket, zmq_msg_t *frames, int max);
//  Close the frames kw_rpc_recv_frames filled (count of them, at most max).
void kw_rpc_close_frames (zmq_msg_t *frames, int count, int max);

//  Set resp to OK with out packed into arena memory.
void kw_rpc_reply_ok (Kw__Response *resp, kw_arena_t *arena, const ProtobufCMessage *out);
//  Set resp to an error status with a message and (optional) field path.
void kw_rpc_reply_error (Kw__Response *resp, kw_arena_t *arena, Kw__Status status,
                         const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));
//  Set resp to INVALID with every problem of errs (at least one) in
//  resp->errors, the first also as its field and message.
void kw_rpc_reply_invalid (Kw__Response *resp, kw_arena_t *arena, const kw_field_errors_t *errs);
//  1 when the caller's role is one of roles (NULL-terminated); else resp
//  is set to FORBIDDEN with refusal (and field, optional) and 0 returned.
int kw_rpc_role_allowed (const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena,
                         const char *const *roles, const char *field, const char *refusal);
//  Unpack the request payload as desc into arena (kw_pb_unpack: nesting
//  bounded, no field numbered 0); on failure sets resp to INVALID and
//  returns NULL.
ProtobufCMessage *kw_rpc_unpack (const Kw__Request *req, Kw__Response *resp,
                                 kw_arena_t *arena, const ProtobufCMessageDescriptor *desc);

#endif
