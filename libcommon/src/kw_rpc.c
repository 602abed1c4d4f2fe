/*  kw_rpc: what both ends of an RPC share: the socket options, multipart
    frames, and the answers a handler makes (see kw_rpc.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>
#include "kw_jwt.h"
#include "kw_pb.h"
#include "kw_rpc.h"

void
kw_rpc_socket_defaults (void *socket)
{
    int linger = 0;
    int64_t max = KW_RPC_MAX_FRAME;
    zmq_setsockopt (socket, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (socket, ZMQ_MAXMSGSIZE, &max, sizeof max);
}

int
kw_rpc_recv_frames (void *socket, zmq_msg_t *frames, int max)
{
    int count = 0;
    int more = 1;
    while (more) {
        zmq_msg_t scratch;
        zmq_msg_t *msg = count < max ? &frames [count] : &scratch;
        zmq_msg_init (msg);
        if (zmq_msg_recv (msg, socket, count == 0 ? ZMQ_DONTWAIT : 0) < 0) {
            zmq_msg_close (msg);
            return count;
        }
        more = zmq_msg_more (msg);
        if (msg == &scratch)
            zmq_msg_close (msg);
        count++;
    }
    return count;
}

void
kw_rpc_close_frames (zmq_msg_t *frames, int count, int max)
{
    for (int i = 0; i < count && i < max; i++)
        zmq_msg_close (&frames [i]);
}

void
kw_rpc_reply_ok (Kw__Response *resp, kw_arena_t *arena, const ProtobufCMessage *out)
{
    resp->status = KW__STATUS__STATUS_OK;
    if (out)
        resp->payload.data = kw_arena_pack (arena, out, &resp->payload.len);
}

void
kw_rpc_reply_error (Kw__Response *resp, kw_arena_t *arena, Kw__Status status,
                    const char *field, const char *fmt, ...)
{
    char message [512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (message, sizeof message, fmt, ap);
    va_end (ap);
    resp->status = status;
    resp->message = kw_arena_strdup (arena, message);
    if (field)
        resp->field = kw_arena_strdup (arena, field);
    resp->payload.data = NULL;
    resp->payload.len = 0;
}

void
kw_rpc_reply_invalid (Kw__Response *resp, kw_arena_t *arena, const kw_field_errors_t *errs)
{
    if (errs->count == 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, NULL, "the input is not valid");
        return;
    }
    kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, errs->items [0].field, "%s",
                        errs->items [0].message);
    resp->n_errors = errs->count;
    resp->errors = kw_arena_alloc (arena, errs->count * sizeof *resp->errors);
    for (size_t i = 0; i < errs->count; i++) {
        Kw__FieldError *e = kw_arena_alloc (arena, sizeof *e);
        kw__field_error__init (e);
        e->field = kw_arena_strdup (arena, errs->items [i].field);
        e->message = kw_arena_strdup (arena, errs->items [i].message);
        resp->errors [i] = e;
    }
}

int
kw_rpc_role_allowed (const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena,
                     const char *const *roles, const char *field, const char *refusal)
{
    if (req->caller && kw_jwt_role_in (req->caller->role, roles))
        return 1;
    kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, field, "%s", refusal);
    return 0;
}

ProtobufCMessage *
kw_rpc_unpack (const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena,
               const ProtobufCMessageDescriptor *desc)
{
    ProtobufCMessage *msg = kw_pb_unpack (desc, arena, req->payload.data, req->payload.len);
    if (!msg)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, NULL,
                            "payload is not a valid %s", desc->short_name);
    return msg;
}
