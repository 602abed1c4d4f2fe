/*  bus: the ZeroMQ XSUB/XPUB proxy every service publishes to and
    subscribes from. Frames are forwarded as they come (events downstream,
    subscriptions upstream); it keeps no state, so a restart loses only
    frames in flight, which consumers recover from bus.outbox. Both sides
    are CURVE servers admitting only the programs configured; an event whose
    topic names a producer other than the key that sent it is dropped. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "kw_config.h"
#include "kw_curve.h"
#include "kw_health.h"
#include "kw_log.h"
#include "kw_metrics.h"
#include "kw_metrics_http.h"
#include "kw_shutdown.h"
#include "kw_zmonitor.h"
#include "kw_zwatch.h"

#define BUDGET 1024
#define SERVICES "referral,eligibility,assignment,scheduling,notification"

typedef struct {
    void *xsub;                     //  publishers connect here
    void *xpub;                     //  subscribers connect here
    kw_zwatch_t *events;
    kw_zwatch_t *subscriptions;
    kw_zmonitor_t *pub_monitor;     //  failed handshakes, with CURVE
    kw_zmonitor_t *sub_monitor;
    kw_shutdown_t *shutdown;
    kw_metrics_http_t *metrics;
    uv_timer_t stats;
    uint64_t forwarded;
    uint64_t dropped;
    uint64_t refused;               //  events whose producer was not their sender
    kw_curve_t *curve;
} bus_t;

//  1 when the first part of an event, its topic "producer.type", names the
//  producer whose key sent it (always, with CURVE off).
static int
s_sender_is_producer (bus_t *bus, zmq_msg_t *topic)
{
    if (!kw_curve_on (bus->curve))
        return 1;
    const char *sender = kw_curve_sender (topic);
    const char *text = zmq_msg_data (topic);
    const char *dot = memchr (text, '.', zmq_msg_size (topic));
    return sender && dot && strlen (sender) == (size_t) (dot - text)
        && memcmp (sender, text, strlen (sender)) == 0;
}

//  Move up to BUDGET whole multipart messages from one socket to the other;
//  with bus set (events), only those whose sender is their producer.
static uint64_t
s_forward (void *from, void *to, bus_t *bus, uint64_t *dropped)
{
    uint64_t moved = 0;
    for (int n = 0; n < BUDGET; n++) {
        zmq_msg_t part;
        zmq_msg_init (&part);
        if (zmq_msg_recv (&part, from, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&part);
            break;
        }
        int more;
        int failed = 0;
        if (bus && !s_sender_is_producer (bus, &part)) {
            const char *sender = kw_curve_sender (&part);
            kw_warn ("bus_event_refused", "reason", "topic names another producer",
                     "sender", sender ? sender : "(none)");
            bus->refused++;
            failed = 1;
        }
        do {
            more = zmq_msg_more (&part);
            if (failed || zmq_msg_send (&part, to, (more ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT) < 0) {
                failed = 1;
                zmq_msg_close (&part);
            }
            if (more) {
                zmq_msg_init (&part);
                if (zmq_msg_recv (&part, from, 0) < 0) {
                    zmq_msg_close (&part);
                    break;
                }
            }
        } while (more);
        if (failed)
            (*dropped)++;
        else
            moved++;
    }
    return moved;
}

//  Count frames moved one way: direction "events" (publishers to
//  subscribers) or "subscriptions".
static void
s_count (const char *direction, uint64_t forwarded, uint64_t dropped)
{
    kw_metric_add (kw_metrics_counter ("kw_bus_messages_forwarded_total",
                                       "Whole messages passed on, by direction.", "direction"),
                   (double) forwarded, direction);
    kw_metric_add (kw_metrics_counter ("kw_bus_messages_dropped_total",
                                       "Whole messages dropped because the receiving side was full, by"
                                       " direction.", "direction"),
                   (double) dropped, direction);
}

static void
s_events_cb (void *socket, void *arg)
{
    bus_t *bus = arg;
    uint64_t dropped = bus->dropped;
    uint64_t moved = s_forward (bus->xsub, bus->xpub, bus, &bus->dropped);
    kw_zwatch_touch (bus->subscriptions);           //  XPUB was sent on
    bus->forwarded += moved;
    s_count ("events", moved, bus->dropped - dropped);
}

static void
s_subscriptions_cb (void *socket, void *arg)
{
    uint64_t dropped = 0;
    bus_t *bus = arg;
    s_count ("subscriptions", s_forward (bus->xpub, bus->xsub, NULL, &dropped), dropped);
    kw_zwatch_touch (bus->events);                  //  XSUB was sent on
}

static void
s_stats_cb (uv_timer_t *timer)
{
    bus_t *bus = timer->data;
    char forwarded [24], dropped [24], refused [24];
    snprintf (forwarded, sizeof forwarded, "%" PRIu64, bus->forwarded);
    snprintf (dropped, sizeof dropped, "%" PRIu64, bus->dropped);
    snprintf (refused, sizeof refused, "%" PRIu64, bus->refused);
    kw_debug ("bus_stats", "forwarded", forwarded, "dropped", dropped, "refused", refused);
}

static void
s_stop (int signum, void *arg)
{
    bus_t *bus = arg;
    kw_info ("stopping");
    kw_zwatch_destroy (&bus->events);
    kw_zwatch_destroy (&bus->subscriptions);
    kw_zmonitor_destroy (&bus->pub_monitor);
    kw_zmonitor_destroy (&bus->sub_monitor);
    kw_shutdown_destroy (&bus->shutdown);
    kw_metrics_http_destroy (&bus->metrics);
    uv_close ((uv_handle_t *) &bus->stats, NULL);
}

int
main (int argc, char **argv)
{
    kw_config_var_t vars [] = {
        { "KW_BUS_PUB", "tcp://127.0.0.1:5550", "endpoint publishers connect to (bound here, XSUB)", NULL },
        { "KW_BUS_SUB", "tcp://127.0.0.1:5551", "endpoint subscribers connect to (bound here, XPUB)", NULL },
        { "KW_LOG_LEVEL", "info", "minimum log level: debug, info, warn, error", NULL },
        { "KW_BUS_PUBLISHERS", SERVICES, "programs admitted to publish (each only events of its own name; comma-separated key names)", NULL },
        { "KW_BUS_SUBSCRIBERS", SERVICES, "programs admitted to subscribe (comma-separated key names)", NULL },
        KW_CURVE_CONFIG_VARS,
        { "KW_BUS_METRICS", "", "address (host:port) serving GET /metrics in the Prometheus text format;"
          " empty: none", NULL },
    };
    size_t count = sizeof vars / sizeof vars [0];
    char err [256];
    kw_health_mode_t health = kw_health_take (&argc, argv);
    int rc = kw_config_load (vars, count, "bus",
                             "The event bus: a ZeroMQ XSUB/XPUB proxy between the services.",
                             argc, argv, err, sizeof err);
    if (rc != 0) {
        if (rc < 0)
            fprintf (stderr, "bus: %s\n", err);
        return rc > 0 ? 0 : 2;
    }
    bus_t bus = { 0 };
    bus.curve = kw_curve_new ("bus", kw_config_get (vars, count, "KW_CURVE"),
                              kw_config_get (vars, count, "KW_CURVE_PUBLIC_DIR"),
                              kw_config_get (vars, count, "KW_CURVE_SECRET_FILE"), err, sizeof err);
    if (!bus.curve) {
        fprintf (stderr, "bus: %s\n", err);
        return 2;
    }
    if (health != KW_HEALTH_NONE) {
        rc = kw_health_bus (kw_config_get (vars, count, "KW_BUS_PUB"),
                            kw_config_get (vars, count, "KW_BUS_SUB"), bus.curve, KW_HEALTH_TIMEOUT_MS);
        kw_curve_destroy (&bus.curve);
        return rc;
    }
    //  The bus's own key is admitted on both sides for its --health probe.
    char publishers [512], subscribers [512];
    snprintf (publishers, sizeof publishers, "%s,bus", kw_config_get (vars, count, "KW_BUS_PUBLISHERS"));
    snprintf (subscribers, sizeof subscribers, "%s,bus", kw_config_get (vars, count, "KW_BUS_SUBSCRIBERS"));
    kw_log_level_t level = KW_LOG_INFO;
    if (kw_log_level_parse (kw_config_get (vars, count, "KW_LOG_LEVEL"), &level) != 0)
        snprintf (err, sizeof err, "KW_LOG_LEVEL: expected debug, info, warn or error");
    else
    if (kw_curve_admit (bus.curve, "bus-pub", publishers, err, sizeof err) == 0
    &&  kw_curve_admit (bus.curve, "bus-sub", subscribers, err, sizeof err) == 0)
        *err = 0;
    if (*err) {
        fprintf (stderr, "bus: %s\n", err);
        kw_curve_destroy (&bus.curve);
        return 2;
    }
    kw_log_init ("bus", level);
    kw_metrics_process ("bus");
    s_count ("events", 0, 0);
    s_count ("subscriptions", 0, 0);

    uv_loop_t loop;
    uv_loop_init (&loop);
    void *zctx = zmq_ctx_new ();
    int status = 1;
    if (kw_curve_start (bus.curve, zctx, err, sizeof err) != 0) {
        kw_error ("curve_failed", "reason", err);
        zmq_ctx_term (zctx);
        kw_curve_destroy (&bus.curve);
        return 1;
    }
    bus.xsub = zmq_socket (zctx, ZMQ_XSUB);
    bus.xpub = zmq_socket (zctx, ZMQ_XPUB);
    int linger = 0, hwm = 100000;
    int64_t max = 32 * 1024 * 1024;
    zmq_setsockopt (bus.xsub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (bus.xpub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (bus.xsub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt (bus.xpub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt (bus.xsub, ZMQ_MAXMSGSIZE, &max, sizeof max);
    const char *pub = kw_config_get (vars, count, "KW_BUS_PUB");
    const char *sub = kw_config_get (vars, count, "KW_BUS_SUB");
    if (kw_curve_server (bus.curve, bus.xsub, "bus-pub", err, sizeof err) != 0
    ||  kw_curve_server (bus.curve, bus.xpub, "bus-sub", err, sizeof err) != 0) {
        kw_error ("curve_failed", "reason", err);
        goto done;
    }
    if (zmq_bind (bus.xsub, pub) != 0) {
        kw_error ("bind_failed", "endpoint", pub, "reason", zmq_strerror (errno));
        goto done;
    }
    if (zmq_bind (bus.xpub, sub) != 0) {
        kw_error ("bind_failed", "endpoint", sub, "reason", zmq_strerror (errno));
        goto done;
    }
    if (kw_curve_on (bus.curve)) {
        bus.pub_monitor = kw_zmonitor_new (&loop, zctx, bus.xsub, "bus-pub");
        bus.sub_monitor = kw_zmonitor_new (&loop, zctx, bus.xpub, "bus-sub");
    }
    bus.events = kw_zwatch_new (&loop, bus.xsub, s_events_cb, &bus);
    bus.subscriptions = kw_zwatch_new (&loop, bus.xpub, s_subscriptions_cb, &bus);
    const char *metrics = kw_config_get (vars, count, "KW_BUS_METRICS");
    if (*metrics && !(bus.metrics = kw_metrics_http_new (&loop, metrics, err, sizeof err)))
        kw_error ("metrics_listen_failed", "reason", err);
    bus.shutdown = kw_shutdown_new (&loop, s_stop, &bus);
    uv_timer_init (&loop, &bus.stats);
    bus.stats.data = &bus;
    uv_timer_start (&bus.stats, s_stats_cb, 10000, 10000);
    kw_info ("ready", "pub", pub, "sub", sub, "curve", kw_curve_on (bus.curve) ? "on" : "off");
    uv_run (&loop, UV_RUN_DEFAULT);
    status = 0;
done:
    kw_zwatch_destroy (&bus.events);
    kw_zwatch_destroy (&bus.subscriptions);
    kw_zmonitor_destroy (&bus.pub_monitor);
    kw_zmonitor_destroy (&bus.sub_monitor);
    kw_shutdown_destroy (&bus.shutdown);
    kw_metrics_http_destroy (&bus.metrics);
    zmq_close (bus.xsub);
    zmq_close (bus.xpub);
    zmq_ctx_term (zctx);
    kw_curve_destroy (&bus.curve);
    if (kw_loop_finish (&loop) != 0) {
        kw_error ("loop_not_clean");
        status = 1;
    }
    kw_metrics_reset ();
    kw_info ("stopped");
    return status;
}
