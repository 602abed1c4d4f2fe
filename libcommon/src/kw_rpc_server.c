/*  kw_rpc_server: a service's end of RPC: a ROUTER socket receiving
    [identity][request-id][Request] and answering [identity][request-id][Response]
    through the service's handler; requests past their deadline are dropped,
    and a caller is believed only from the programs allowed to vouch for one. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "kw_log.h"
#include "kw_pb.h"
#include "kw_rpc_server.h"
#include "kw_time.h"
#include "kw_zmonitor.h"
#include "kw_zwatch.h"

struct _kw_rpc_server_t {
    void *socket;
    kw_zwatch_t *watch;
    kw_zmonitor_t *monitor;         //  failed handshakes, with CURVE
    kw_rpc_handler_fn *handler;
    void *arg;
    kw_arena_t *arena;
    zmq_msg_t *current;             //  the frames of the request being handled
    int deferred;                   //  its answer is sent later
    kw_curve_t *curve;
    char *callers;                  //  programs whose Request.caller is believed
};

struct _kw_rpc_pending_t {
    kw_rpc_server_t *server;
    zmq_msg_t identity;
    zmq_msg_t request_id;
};

//  Send [identity][request-id][resp]; the two frames are consumed.
static void
s_send (kw_rpc_server_t *self, zmq_msg_t *identity, zmq_msg_t *request_id, const Kw__Response *resp)
{
    void *socket = self->socket;
    kw_zwatch_touch (self->watch);
    size_t size = kw__response__get_packed_size (resp);
    zmq_msg_t out;
    zmq_msg_init_size (&out, size);
    kw__response__pack (resp, zmq_msg_data (&out));
    if (zmq_msg_send (identity, socket, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
    ||  zmq_msg_send (request_id, socket, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
    ||  zmq_msg_send (&out, socket, ZMQ_DONTWAIT) < 0) {
        kw_warn ("rpc_reply_lost", "reason", zmq_strerror (errno));
        zmq_msg_close (&out);
    }
}

kw_rpc_pending_t *
kw_rpc_server_defer (kw_rpc_server_t *self)
{
    assert (self->current);
    kw_rpc_pending_t *pending = calloc (1, sizeof *pending);
    if (!pending)
        return NULL;
    pending->server = self;
    zmq_msg_init (&pending->identity);
    zmq_msg_init (&pending->request_id);
    zmq_msg_copy (&pending->identity, &self->current [0]);
    zmq_msg_copy (&pending->request_id, &self->current [1]);
    self->deferred = 1;
    return pending;
}

void
kw_rpc_pending_reply (kw_rpc_pending_t **pending_p, const Kw__Response *resp)
{
    assert (pending_p);
    kw_rpc_pending_t *pending = *pending_p;
    if (!pending)
        return;
    if (resp)
        s_send (pending->server, &pending->identity, &pending->request_id, resp);
    zmq_msg_close (&pending->identity);
    zmq_msg_close (&pending->request_id);
    free (pending);
    *pending_p = NULL;
}

static void
s_server_handle (kw_rpc_server_t *self, zmq_msg_t *frames)
{
    Kw__Request *req = (Kw__Request *) kw_pb_unpack (&kw__request__descriptor, self->arena,
                                                     zmq_msg_data (&frames [2]),
                                                     zmq_msg_size (&frames [2]));
    Kw__Response resp = KW__RESPONSE__INIT;
    if (req && req->caller && !kw_curve_sent_by (self->curve, &frames [2], self->callers))
        req->caller = NULL;             //  a peer that may not vouch for a user
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
        self->current = frames;
        self->deferred = 0;
        self->handler (req, &resp, self->arena, self->arg);
        self->current = NULL;
        if (self->deferred)
            return;
    }
    s_send (self, &frames [0], &frames [1], &resp);
}

static void
s_server_readable (void *socket, void *arg)
{
    kw_rpc_server_t *self = arg;
    for (int n = 0; n < KW_RPC_RECV_BUDGET; n++) {
        zmq_msg_t frames [3];
        int count = kw_rpc_recv_frames (socket, frames, 3);
        if (count == 0)
            break;
        if (count == 3 && zmq_msg_size (&frames [1]) == KW_RPC_ID_SIZE)
            s_server_handle (self, frames);
        else
            kw_warn ("rpc_bad_frames", "reason", "expected [identity][id][request]");
        kw_rpc_close_frames (frames, count, 3);
        kw_arena_reset (self->arena);
    }
}

kw_rpc_server_t *
kw_rpc_server_new (uv_loop_t *loop, void *zctx, const char *endpoint,
                   kw_curve_t *curve, const char *callers,
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
    self->curve = curve;
    self->callers = strdup (callers ? callers : "");
    self->socket = zmq_socket (zctx, ZMQ_ROUTER);
    if (!self->socket) {
        snprintf (err, err_size, "zmq_socket: %s", zmq_strerror (errno));
        kw_rpc_server_destroy (&self);
        return NULL;
    }
    kw_rpc_socket_defaults (self->socket);
    if (kw_curve_server (curve, self->socket, "rpc", err, err_size) != 0) {
        kw_rpc_server_destroy (&self);
        return NULL;
    }
    if (zmq_bind (self->socket, endpoint) != 0) {
        snprintf (err, err_size, "cannot bind %s: %s", endpoint, zmq_strerror (errno));
        kw_rpc_server_destroy (&self);
        return NULL;
    }
    if (kw_curve_on (curve))
        self->monitor = kw_zmonitor_new (loop, zctx, self->socket, "rpc");
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
    kw_zmonitor_destroy (&self->monitor);
    if (self->socket)
        zmq_close (self->socket);
    kw_arena_destroy (&self->arena);
    free (self->callers);
    free (self);
    *self_p = NULL;
}
