/*  kw_rpc: ZeroMQ request/reply for the gateway (client, DEALER) and the
    services (server, ROUTER), with protobuf Request/Response frames. */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "kw_jwt.h"
#include "kw_log.h"
#include "kw_pb.h"
#include "kw_rpc.h"
#include "kw_time.h"
#include "kw_zwatch.h"

#define RECV_BUDGET 64
#define ID_SIZE 8

static void
s_socket_defaults (void *socket)
{
    int linger = 0;
    int64_t max = KW_RPC_MAX_FRAME;
    zmq_setsockopt (socket, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (socket, ZMQ_MAXMSGSIZE, &max, sizeof max);
}

//  Receive one multipart message into frames (at most max); extra frames are
//  drained and counted. Returns the frame count, 0 when nothing is waiting.
static int
s_recv_multipart (void *socket, zmq_msg_t *frames, int max)
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

static void
s_close_frames (zmq_msg_t *frames, int count, int max)
{
    for (int i = 0; i < count && i < max; i++)
        zmq_msg_close (&frames [i]);
}

// ---------------------------------------------------------------- server

struct _kw_rpc_server_t {
    void *socket;
    kw_zwatch_t *watch;
    kw_rpc_handler_fn *handler;
    void *arg;
    kw_arena_t *arena;
};

static void
s_server_handle (kw_rpc_server_t *self, zmq_msg_t *frames)
{
    Kw__Request *req = (Kw__Request *) kw_pb_unpack (&kw__request__descriptor, self->arena,
                                                     zmq_msg_data (&frames [2]),
                                                     zmq_msg_size (&frames [2]));
    Kw__Response resp = KW__RESPONSE__INIT;
    if (!req)
        kw_rpc_reply_error (&resp, self->arena, KW__STATUS__STATUS_INVALID, NULL,
                            "request frame is not a valid Request");
    else
    if (req->deadline_ms > 0 && (int64_t) (kw_time_now_us () / 1000) > req->deadline_ms) {
        //  The caller has given up: doing the work now could surprise a retry.
        kw_warn ("rpc_expired", "method", req->method);
        return;
    }
    else {
        self->handler (req, &resp, self->arena, self->arg);
    }
    size_t size = kw__response__get_packed_size (&resp);
    zmq_msg_t out;
    zmq_msg_init_size (&out, size);
    kw__response__pack (&resp, zmq_msg_data (&out));
    if (zmq_msg_send (&frames [0], self->socket, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
    ||  zmq_msg_send (&frames [1], self->socket, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
    ||  zmq_msg_send (&out, self->socket, ZMQ_DONTWAIT) < 0) {
        kw_warn ("rpc_reply_lost", "reason", zmq_strerror (errno));
        zmq_msg_close (&out);
    }
}

static void
s_server_readable (void *socket, void *arg)
{
    kw_rpc_server_t *self = arg;
    for (int n = 0; n < RECV_BUDGET; n++) {
        zmq_msg_t frames [3];
        int count = s_recv_multipart (socket, frames, 3);
        if (count == 0)
            break;
        if (count == 3 && zmq_msg_size (&frames [1]) == ID_SIZE)
            s_server_handle (self, frames);
        else
            kw_warn ("rpc_bad_frames", "reason", "expected [identity][id][request]");
        s_close_frames (frames, count, 3);
        kw_arena_reset (self->arena);
    }
}

kw_rpc_server_t *
kw_rpc_server_new (uv_loop_t *loop, void *zctx, const char *endpoint,
                   kw_rpc_handler_fn *handler, void *arg, char *err, size_t err_size)
{
    assert (loop && zctx && endpoint && handler);
    kw_rpc_server_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    self->handler = handler;
    self->arg = arg;
    self->arena = kw_arena_new (16384);
    self->socket = zmq_socket (zctx, ZMQ_ROUTER);
    if (!self->socket) {
        snprintf (err, err_size, "zmq_socket: %s", zmq_strerror (errno));
        kw_rpc_server_destroy (&self);
        return NULL;
    }
    s_socket_defaults (self->socket);
    if (zmq_bind (self->socket, endpoint) != 0) {
        snprintf (err, err_size, "cannot bind %s: %s", endpoint, zmq_strerror (errno));
        kw_rpc_server_destroy (&self);
        return NULL;
    }
    self->watch = kw_zwatch_new (loop, self->socket, s_server_readable, self);
    if (!self->watch) {
        snprintf (err, err_size, "cannot watch the RPC socket");
        kw_rpc_server_destroy (&self);
        return NULL;
    }
    return self;
}

void
kw_rpc_server_destroy (kw_rpc_server_t **self_p)
{
    assert (self_p);
    kw_rpc_server_t *self = *self_p;
    if (!self)
        return;
    kw_zwatch_destroy (&self->watch);
    if (self->socket)
        zmq_close (self->socket);
    kw_arena_destroy (&self->arena);
    free (self);
    *self_p = NULL;
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

// ---------------------------------------------------------------- client

typedef struct _call_t {
    uint64_t id;
    uint64_t deadline;              //  monotonic ms
    kw_rpc_reply_fn *cb;
    void *arg;
    struct _call_t *next;
} call_t;

struct _kw_rpc_client_t {
    void *socket;
    kw_zwatch_t *watch;
    uv_timer_t *timer;
    kw_arena_t *arena;
    call_t *calls;
    size_t pending;
    uint64_t next_id;
};

static call_t *
s_take_call (kw_rpc_client_t *self, uint64_t id)
{
    for (call_t **p = &self->calls; *p; p = &(*p)->next)
        if ((*p)->id == id) {
            call_t *call = *p;
            *p = call->next;
            self->pending--;
            return call;
        }
    return NULL;
}

static void
s_timer_cb (uv_timer_t *timer)
{
    kw_rpc_client_t *self = timer->data;
    uint64_t now = kw_time_mono_ms ();
    call_t **p = &self->calls;
    while (*p) {
        call_t *call = *p;
        if (call->deadline <= now) {
            *p = call->next;
            self->pending--;
            call->cb (NULL, call->arg);
            free (call);
        }
        else
            p = &call->next;
    }
    if (!self->calls)
        uv_timer_stop (timer);
}

static void
s_client_readable (void *socket, void *arg)
{
    kw_rpc_client_t *self = arg;
    for (int n = 0; n < RECV_BUDGET; n++) {
        zmq_msg_t frames [2];
        int count = s_recv_multipart (socket, frames, 2);
        if (count == 0)
            break;
        if (count == 2 && zmq_msg_size (&frames [0]) == ID_SIZE) {
            uint64_t id;
            memcpy (&id, zmq_msg_data (&frames [0]), ID_SIZE);
            call_t *call = s_take_call (self, id);
            if (call) {
                Kw__Response *resp = (Kw__Response *) kw_pb_unpack (
                    &kw__response__descriptor, self->arena, zmq_msg_data (&frames [1]),
                    zmq_msg_size (&frames [1]));
                Kw__Response broken = KW__RESPONSE__INIT;
                if (!resp) {
                    broken.status = KW__STATUS__STATUS_INTERNAL;
                    broken.message = "malformed reply from service";
                    resp = &broken;
                }
                call->cb (resp, call->arg);
                free (call);
                kw_arena_reset (self->arena);
            }
        }
        s_close_frames (frames, count, 2);
    }
}

kw_rpc_client_t *
kw_rpc_client_new (uv_loop_t *loop, void *zctx, const char *endpoint, char *err, size_t err_size)
{
    assert (loop && zctx && endpoint);
    kw_rpc_client_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    self->arena = kw_arena_new (16384);
    self->next_id = 1;
    self->timer = malloc (sizeof *self->timer);
    uv_timer_init (loop, self->timer);
    self->timer->data = self;
    self->socket = zmq_socket (zctx, ZMQ_DEALER);
    if (!self->socket) {
        snprintf (err, err_size, "zmq_socket: %s", zmq_strerror (errno));
        kw_rpc_client_destroy (&self);
        return NULL;
    }
    s_socket_defaults (self->socket);
    int immediate = 1;
    zmq_setsockopt (self->socket, ZMQ_IMMEDIATE, &immediate, sizeof immediate);
    int reconnect_max = 1000;
    zmq_setsockopt (self->socket, ZMQ_RECONNECT_IVL_MAX, &reconnect_max, sizeof reconnect_max);
    if (zmq_connect (self->socket, endpoint) != 0) {
        snprintf (err, err_size, "cannot connect %s: %s", endpoint, zmq_strerror (errno));
        kw_rpc_client_destroy (&self);
        return NULL;
    }
    self->watch = kw_zwatch_new (loop, self->socket, s_client_readable, self);
    if (!self->watch) {
        snprintf (err, err_size, "cannot watch the RPC socket");
        kw_rpc_client_destroy (&self);
        return NULL;
    }
    return self;
}

static void
s_free_timer (uv_handle_t *handle)
{
    free (handle);
}

void
kw_rpc_client_destroy (kw_rpc_client_t **self_p)
{
    assert (self_p);
    kw_rpc_client_t *self = *self_p;
    if (!self)
        return;
    while (self->calls) {
        call_t *call = self->calls;
        self->calls = call->next;
        free (call);
    }
    uv_close ((uv_handle_t *) self->timer, s_free_timer);
    kw_zwatch_destroy (&self->watch);
    if (self->socket)
        zmq_close (self->socket);
    kw_arena_destroy (&self->arena);
    free (self);
    *self_p = NULL;
}

uint64_t
kw_rpc_client_call (kw_rpc_client_t *self, Kw__Request *req, unsigned timeout_ms,
                    kw_rpc_reply_fn *cb, void *arg)
{
    assert (self && req && cb);
    call_t *call = calloc (1, sizeof *call);
    assert (call);
    call->id = self->next_id++;
    call->cb = cb;
    call->arg = arg;
    call->deadline = kw_time_mono_ms () + timeout_ms;
    req->deadline_ms = kw_time_now_us () / 1000 + timeout_ms;

    size_t size = kw__request__get_packed_size (req);
    zmq_msg_t id_frame, body;
    zmq_msg_init_size (&id_frame, ID_SIZE);
    memcpy (zmq_msg_data (&id_frame), &call->id, ID_SIZE);
    zmq_msg_init_size (&body, size);
    kw__request__pack (req, zmq_msg_data (&body));
    if (zmq_msg_send (&id_frame, self->socket, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&id_frame);
        zmq_msg_close (&body);
        call->deadline = 0;             //  no peer: fail on the next timer turn
    }
    else
    if (zmq_msg_send (&body, self->socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&body);
        call->deadline = 0;
    }
    call->next = self->calls;
    self->calls = call;
    self->pending++;
    if (call->deadline == 0 || !uv_is_active ((uv_handle_t *) self->timer))
        uv_timer_start (self->timer, s_timer_cb, call->deadline ? 20 : 0, 20);
    return call->id;
}

void
kw_rpc_client_cancel (kw_rpc_client_t *self, uint64_t call_id)
{
    call_t *call = s_take_call (self, call_id);
    free (call);
}

size_t
kw_rpc_client_pending (kw_rpc_client_t *self)
{
    return self->pending;
}
