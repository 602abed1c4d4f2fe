/*  kw_rpc_client: the gateway's end of RPC: a DEALER socket sending
    [request-id][Request], matching replies by id and failing the calls that
    pass their timeout. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "kw_pb.h"
#include "kw_rpc_client.h"
#include "kw_time.h"
#include "kw_zwatch.h"

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
    for (int n = 0; n < KW_RPC_RECV_BUDGET; n++) {
        zmq_msg_t frames [2];
        int count = kw_rpc_recv_frames (socket, frames, 2);
        if (count == 0)
            break;
        if (count == 2 && zmq_msg_size (&frames [0]) == KW_RPC_ID_SIZE) {
            uint64_t id;
            memcpy (&id, zmq_msg_data (&frames [0]), KW_RPC_ID_SIZE);
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
        kw_rpc_close_frames (frames, count, 2);
    }
}

kw_rpc_client_t *
kw_rpc_client_new (uv_loop_t *loop, void *zctx, const char *endpoint, kw_curve_t *curve,
                   const char *server, char *err, size_t err_size)
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
    kw_rpc_socket_defaults (self->socket);
    int immediate = 1;
    zmq_setsockopt (self->socket, ZMQ_IMMEDIATE, &immediate, sizeof immediate);
    int reconnect_max = 1000;
    zmq_setsockopt (self->socket, ZMQ_RECONNECT_IVL_MAX, &reconnect_max, sizeof reconnect_max);
    if (kw_curve_client (curve, self->socket, server, err, err_size) != 0) {
        kw_rpc_client_destroy (&self);
        return NULL;
    }
    //  Several endpoints, comma-separated: requests go round them (DEALER).
    char list [1024];
    if (snprintf (list, sizeof list, "%s", endpoint) >= (int) sizeof list) {
        snprintf (err, err_size, "the endpoint list is too long");
        kw_rpc_client_destroy (&self);
        return NULL;
    }
    for (char *save = NULL, *one = strtok_r (list, ",", &save); one; one = strtok_r (NULL, ",", &save))
        if (zmq_connect (self->socket, one) != 0) {
            snprintf (err, err_size, "cannot connect %.900s: %s", one, zmq_strerror (errno));
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
    zmq_msg_init_size (&id_frame, KW_RPC_ID_SIZE);
    memcpy (zmq_msg_data (&id_frame), &call->id, KW_RPC_ID_SIZE);
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
    kw_zwatch_touch (self->watch);
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
