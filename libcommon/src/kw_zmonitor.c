/*  kw_zmonitor: logs a server socket's failed handshakes (see kw_zmonitor.h). */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "kw_log.h"
#include "kw_rpc.h"
#include "kw_zmonitor.h"
#include "kw_zwatch.h"

#define EVENTS (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL \
                | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

struct _kw_zmonitor_t {
    void *socket;                   //  the monitored socket
    void *pair;                     //  receives its events
    kw_zwatch_t *watch;
    char *what;
};

static const char *
s_kind (uint16_t event)
{
    switch (event) {
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: return "refused";
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return "protocol";
        default: return "no_detail";            //  e.g. a client without CURVE
    }
}

//  An event is [uint16 event, uint32 value][endpoint].
static void
s_readable (void *socket, void *arg)
{
    kw_zmonitor_t *self = arg;
    for (int n = 0; n < 64; n++) {
        zmq_msg_t frame;
        int count = kw_rpc_recv_frames (socket, &frame, 1);
        if (count == 0)
            break;
        uint16_t event = 0;
        uint32_t value = 0;
        if (zmq_msg_size (&frame) >= 6) {
            memcpy (&event, zmq_msg_data (&frame), 2);
            memcpy (&value, (uint8_t *) zmq_msg_data (&frame) + 2, 4);
        }
        kw_rpc_close_frames (&frame, count, 1);
        char detail [16];
        snprintf (detail, sizeof detail, "%u", value);
        if (event & EVENTS)
            kw_warn ("curve_handshake_failed", "socket", self->what, "kind", s_kind (event),
                     "detail", detail);
    }
}

kw_zmonitor_t *
kw_zmonitor_new (uv_loop_t *loop, void *zctx, void *socket, const char *what)
{
    assert (loop && zctx && socket && what);
    static unsigned s_count;
    kw_zmonitor_t *self = calloc (1, sizeof *self);
    assert (self);
    self->socket = socket;
    self->what = strdup (what);
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://kw-zmonitor-%u", s_count++);
    if (zmq_socket_monitor (socket, endpoint, EVENTS) != 0) {
        kw_zmonitor_destroy (&self);
        return NULL;
    }
    self->pair = zmq_socket (zctx, ZMQ_PAIR);
    int linger = 0;
    if (self->pair)
        zmq_setsockopt (self->pair, ZMQ_LINGER, &linger, sizeof linger);
    if (!self->pair || zmq_connect (self->pair, endpoint) != 0
    ||  !(self->watch = kw_zwatch_new (loop, self->pair, s_readable, self))) {
        kw_zmonitor_destroy (&self);
        return NULL;
    }
    return self;
}

void
kw_zmonitor_destroy (kw_zmonitor_t **self_p)
{
    assert (self_p);
    kw_zmonitor_t *self = *self_p;
    if (!self)
        return;
    kw_zwatch_destroy (&self->watch);
    zmq_socket_monitor (self->socket, NULL, 0);
    if (self->pair)
        zmq_close (self->pair);
    free (self->what);
    free (self);
    *self_p = NULL;
}
