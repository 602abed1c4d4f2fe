/*  kw_service: the shared runtime of the domain services (see kw_service.h). */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "kw_curve.h"
#include "kw_health.h"
#include "kw_idempotency.h"
#include "kw_log.h"
#include "kw_metrics.h"
#include "kw_metrics_http.h"
#include "kw_outbox.h"
#include "kw_pb.h"
#include "kw_prune.h"
#include "kw_relay.h"
#include "kw_rpc_metrics.h"
#include "kw_rpc_server.h"
#include "kw_service.h"
#include "kw_shutdown.h"

#define COMMON_VARS (14 + KW_CURVE_CONFIG_COUNT)
#define DB_WAIT_MS 60000
//  Old published events deleted a statement at a time, at most
//  PRUNE_BATCHES statements a loop turn (the rest a second later).
#define PRUNE_BATCH 1000
#define PRUNE_BATCHES 10
#define PRUNE_AGAIN_MS 1000
//  How often expired Idempotency-Key answers and old events are deleted.
#define PRUNE_INTERVAL_MS (3600 * 1000)

struct _kw_service_t {
    const kw_service_def_t *def;
    kw_config_var_t *vars;
    size_t var_count;
    uv_loop_t loop;
    kw_db_t *db;
    void *zctx;
    void *pub;
    kw_relay_t *relay;
    uint64_t outbox_written;        //  kw_outbox_written () after the last consumer batch
    kw_consumer_t *consumer;
    kw_rpc_server_t *rpc;
    kw_curve_t *curve;
    kw_metrics_http_t *metrics;
    kw_shutdown_t *shutdown;
    uv_signal_t *hangup;                    //  SIGHUP, when the service reloads on it
    uv_timer_t *prune;                      //  old events and Idempotency-Key answers
    int keeps_answers;                      //  its schema has an idempotency table
    long retention_s;                       //  KW_OUTBOX_RETENTION_S
    const char **producers;                 //  consumed, from the event table, NULL-terminated
    void *state;
    int stopping;
    char rpc_var [64];
    char rpc_default [64];
    char metrics_var [64];
    char db_user_default [64];
};

static int
s_rpc_port (const char *name)
{
    static const char *order [] = { "referral", "eligibility", "assignment", "scheduling", "notification" };
    for (int i = 0; i < 5; i++)
        if (strcmp (order [i], name) == 0)
            return 5561 + i;
    return 5569;
}

static int
s_build_vars (kw_service_t *self)
{
    const kw_service_def_t *def = self->def;
    snprintf (self->rpc_var, sizeof self->rpc_var, "KW_%s_RPC", def->name);
    for (char *c = self->rpc_var; *c; c++)
        *c = (char) toupper ((unsigned char) *c);
    snprintf (self->metrics_var, sizeof self->metrics_var, "KW_%s_METRICS", def->name);
    for (char *c = self->metrics_var; *c; c++)
        *c = (char) toupper ((unsigned char) *c);
    snprintf (self->rpc_default, sizeof self->rpc_default, "tcp://127.0.0.1:%d", s_rpc_port (def->name));
    snprintf (self->db_user_default, sizeof self->db_user_default, "kw_%s", def->name);
    kw_config_var_t common [COMMON_VARS] = {
        { "KW_DB_URL", "host=127.0.0.1 port=55432 dbname=kw", "PostgreSQL connection (libpq URL or key=value)", NULL },
        { "KW_DB_USER", self->db_user_default, "PostgreSQL role of this service (overrides any user in KW_DB_URL)", NULL },
        { "KW_DB_OWNER", "kw_owner", "PostgreSQL role that owns the schemas: --migrate connects as it", NULL },
        { "KW_OUTBOX_RETENTION_S", "604800", "seconds a published event stays in bus.outbox once every consumer has passed it", NULL },
        { "KW_BUS_PUB", "tcp://127.0.0.1:5550", "bus endpoint this service publishes events to (the proxy's XSUB)", NULL },
        { "KW_BUS_SUB", "tcp://127.0.0.1:5551", "bus endpoint this service subscribes from (the proxy's XPUB)", NULL },
        { self->rpc_var, self->rpc_default, "endpoint this service binds for RPC from the gateway", NULL },
        { "KW_LOG_LEVEL", "info", "minimum log level: debug, info, warn, error", NULL },
        { "KW_RELAY_INTERVAL_MS", "1000", "outbox relay timer (it also runs after each commit and on NOTIFY)", NULL },
        { "KW_CATCHUP_INTERVAL_MS", "1000", "consumer catch-up timer while idle", NULL },
        { "KW_RPC_ENABLED", "1", "0 to run without the RPC server", NULL },
        { "KW_OUTBOX_NOTIFY", "0", "1 to NOTIFY other instances' relays on every event (one writer per producer needs no NOTIFY)", NULL },
        { self->metrics_var, "", "address (host:port) serving GET /metrics in the Prometheus text format; empty: none", NULL },
        { "KW_RPC_CLIENTS", "gateway", "programs admitted to call this service and vouch for the caller (comma-separated key names)", NULL },
        KW_CURVE_CONFIG_VARS
    };
    self->var_count = COMMON_VARS + def->extra_count;
    self->vars = calloc (self->var_count, sizeof *self->vars);
    assert (self->vars);
    memcpy (self->vars, common, sizeof common);
    for (size_t i = 0; i < def->extra_count; i++)
        self->vars [COMMON_VARS + i] = def->extra_vars [i];
    return 0;
}

const char *
kw_service_config (kw_service_t *self, const char *name)
{
    return kw_config_get (self->vars, self->var_count, name);
}

kw_db_t *
kw_service_db (kw_service_t *self)
{
    return self->db;
}

uv_loop_t *
kw_service_loop (kw_service_t *self)
{
    return &self->loop;
}

const char *
kw_service_name (kw_service_t *self)
{
    return self->def->name;
}

void
kw_service_outbox_committed (kw_service_t *self)
{
    if (self->relay)
        kw_relay_wake (self->relay);
}

kw_rpc_pending_t *
kw_service_defer_answer (kw_service_t *self, Kw__Response *resp, kw_arena_t *arena)
{
    kw_rpc_pending_t *pending = self->rpc ? kw_rpc_server_defer (self->rpc) : NULL;
    if (!pending)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL,
                            "the work could not be started; retry");
    return pending;
}

void
kw_service_answer (kw_service_t *self, kw_rpc_pending_t **pending_p, const Kw__Response *resp)
{
    //  After a shutdown began the server is gone: the answer is kept under
    //  the caller's Idempotency-Key when it was one to keep.
    kw_rpc_pending_reply (pending_p, self->rpc ? resp : NULL);
}

//  A request answered off the loop.
typedef struct {
    uv_work_t work;
    kw_service_t *svc;
    kw_service_work_fn *fn;
    kw_rpc_pending_t *pending;
    kw_arena_t *arena;
    Kw__Request *req;                       //  a copy, in arena
    Kw__Response resp;
} deferred_t;

static void
s_deferred_work (uv_work_t *work)
{
    deferred_t *job = work->data;
    kw_service_t *self = job->svc;
    char name [96];
    snprintf (name, sizeof name, "%s-worker", self->def->name);
    kw_db_t *db = kw_db_new (kw_service_config (self, "KW_DB_URL"), kw_service_config (self, "KW_DB_USER"),
                             name);
    if (kw_db_connect (db, DB_WAIT_MS) != 0)
        kw_rpc_reply_error (&job->resp, job->arena, KW__STATUS__STATUS_UNAVAILABLE, NULL,
                            "database unavailable; retry with the same Idempotency-Key");
    else
        job->fn (self, db, job->req, &job->resp, job->arena);
    kw_db_destroy (&db);
}

static void
s_deferred_done (uv_work_t *work, int status)
{
    deferred_t *job = work->data;
    kw_service_t *self = job->svc;
    kw_service_outbox_committed (self);
    kw_service_answer (self, &job->pending, &job->resp);
    kw_arena_destroy (&job->arena);
    free (job);
}

int
kw_service_defer (kw_service_t *self, const Kw__Request *req, Kw__Response *resp,
                  kw_arena_t *arena, kw_service_work_fn *work)
{
    deferred_t *job = calloc (1, sizeof *job);
    if (job) {
        job->arena = kw_arena_new (65536);
        size_t size;
        uint8_t *packed = kw_arena_pack (job->arena, &req->base, &size);
        job->req = (Kw__Request *) kw_pb_unpack (&kw__request__descriptor, job->arena, packed, size);
    }
    if (!job || !job->req || !(job->pending = kw_service_defer_answer (self, resp, arena))) {
        if (job)
            kw_arena_destroy (&job->arena);
        free (job);
        if (resp->status == KW__STATUS__STATUS_OK)
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL,
                                "the work could not be started; retry");
        return -1;
    }
    kw__response__init (&job->resp);
    job->svc = self;
    job->fn = work;
    job->work.data = job;
    if (uv_queue_work (&self->loop, &job->work, s_deferred_work, s_deferred_done) != 0) {
        Kw__Response refused = KW__RESPONSE__INIT;
        kw_rpc_reply_error (&refused, job->arena, KW__STATUS__STATUS_UNAVAILABLE, NULL,
                            "the work could not be started; retry");
        kw_rpc_pending_reply (&job->pending, &refused);
        kw_arena_destroy (&job->arena);
        free (job);
        return -1;
    }
    return 0;
}

void
kw_service_set_state (kw_service_t *self, void *state)
{
    self->state = state;
}

void *
kw_service_state (kw_service_t *self)
{
    return self->state;
}

//  Answer one request; the method's name in the service's table ("health",
//  or "unknown" for a name it does not have, or "" before a method is chosen).
static const char *
s_dispatch (kw_service_t *self, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    if (req->method && strcmp (req->method, "health") == 0) {
        Kw__HealthReply reply = KW__HEALTH_REPLY__INIT;
        reply.service = (char *) self->def->name;
        reply.status = kw_db_ensure (self->db) == 0 ? "ok" : "degraded";
        kw_rpc_reply_ok (resp, arena, &reply.base);
        return "health";
    }
    if (kw_db_ensure (self->db) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return "";
    }
    if (!req->caller || !req->caller->region || !*req->caller->region) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL, "request has no caller");
        return "";
    }
    for (const kw_service_method_t *m = self->def->methods; m && m->name; m++)
        if (req->method && strcmp (req->method, m->name) == 0) {
            m->fn (self, req, resp, arena);
            return m->name;
        }
    kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, NULL,
                        "unknown method %.64s", req->method ? req->method : "");
    return "unknown";
}

static void
s_handle (const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena, void *arg)
{
    uint64_t started = uv_hrtime ();
    kw_rpc_metrics_served (s_dispatch (arg, req, resp, arena), resp->status, started);
}

//  The event's row of the table, unpack its payload, apply it.
static kw_apply_result_t
s_apply (kw_db_t *db, const Kw__Envelope *event, kw_arena_t *arena, void *arg)
{
    kw_service_t *self = arg;
    for (const kw_service_event_t *e = self->def->events; e->producer; e++) {
        if (strcmp (e->producer, event->producer) != 0 || strcmp (e->type, event->type) != 0)
            continue;
        const ProtobufCMessage *payload = kw_pb_unpack (e->payload, arena, event->payload.data,
                                                        event->payload.len);
        if (!payload) {
            kw_warn ("event_unreadable", "producer", event->producer, "type", event->type,
                     "event_id", event->event_id, "expected", e->payload->short_name);
            return KW_APPLY_SKIP;
        }
        return e->fn (self, db, event, payload, arena);
    }
    return KW_APPLY_OK;
}

//  The producers the event table names, each once, in table order
//  (NULL-terminated; the caller frees the array).
static const char **
s_producers (const kw_service_event_t *events)
{
    size_t rows = 0;
    while (events [rows].producer)
        rows++;
    const char **producers = calloc (rows + 1, sizeof *producers);
    assert (producers);
    size_t count = 0;
    for (size_t i = 0; i < rows; i++) {
        size_t j = 0;
        while (j < count && strcmp (producers [j], events [i].producer) != 0)
            j++;
        if (j == count)
            producers [count++] = events [i].producer;
    }
    return producers;
}

//  The consumer applies (and wakes for) the event table's topics only.
static int
s_consumer_topics (kw_service_t *self)
{
    size_t rows = 0;
    while (self->def->events [rows].producer)
        rows++;
    char (*names) [128] = calloc (rows ? rows : 1, sizeof *names);
    const char **topics = calloc (rows + 1, sizeof *topics);
    assert (names && topics);
    int rc = 0;
    for (size_t i = 0; i < rows && rc == 0; i++) {
        rc = kw_outbox_topic (self->def->events [i].producer, self->def->events [i].type,
                              names [i], sizeof names [i]);
        topics [i] = names [i];
    }
    rc = rc == 0 ? kw_consumer_set_topics (self->consumer, topics) : -1;
    free (topics);
    free (names);
    return rc;
}

//  After a consumer batch: the relay is woken when the batch (or anything
//  since the last batch) wrote events, as kw_tx wakes it after a write
//  handler's transaction that wrote one.
static void
s_committed (size_t applied, void *arg)
{
    kw_service_t *self = arg;
    uint64_t written = kw_outbox_written ();
    if (written != self->outbox_written) {
        self->outbox_written = written;
        kw_service_outbox_committed (self);
    }
    if (self->def->after_commit)
        self->def->after_commit (self);
}

static void
s_hangup (uv_signal_t *handle, int signum)
{
    kw_service_t *self = handle->data;
    kw_info ("reloading", "signal", "SIGHUP");
    self->def->reload (self);
}

static void
s_free_handle (uv_handle_t *handle)
{
    free (handle);
}

static void
s_prune (uv_timer_t *timer)
{
    kw_service_t *self = timer->data;
    if (kw_db_ensure (self->db) != 0)
        return;
    char count [24];
    int more = 0;
    long events = kw_prune_outbox (self->db, self->def->name, self->retention_s, PRUNE_BATCH,
                                   PRUNE_BATCHES, &more);
    if (more)
        uv_timer_start (self->prune, s_prune, PRUNE_AGAIN_MS, PRUNE_INTERVAL_MS);
    snprintf (count, sizeof count, "%ld", events);
    if (events < 0)
        kw_warn ("outbox_prune_failed", "reason", kw_db_error (self->db));
    else
    if (events > 0)
        kw_info ("outbox_pruned", "events", count);
    if (!self->keeps_answers)
        return;
    int deleted = kw_idempotency_prune (self->db, self->def->name);
    snprintf (count, sizeof count, "%d", deleted);
    if (deleted < 0)
        kw_warn ("idempotency_prune_failed", "reason", kw_db_error (self->db));
    else
    if (deleted > 0)
        kw_info ("idempotency_pruned", "answers", count);
}

//  Prune the service's old events, and its Idempotency-Key answers when it
//  keeps them (its schema has an idempotency table), now and every
//  PRUNE_INTERVAL_MS.
static int
s_prune_start (kw_service_t *self)
{
    char table [96];
    snprintf (table, sizeof table, "%s.idempotency", self->def->name);
    const char *params [1] = { table };
    PGresult *res = kw_db_query (self->db, "SELECT to_regclass ($1) IS NOT NULL", 1, params);
    if (!res)
        return -1;
    self->keeps_answers = PQgetvalue (res, 0, 0) [0] == 't';
    PQclear (res);
    self->prune = malloc (sizeof *self->prune);
    assert (self->prune);
    uv_timer_init (&self->loop, self->prune);
    self->prune->data = self;
    uv_timer_start (self->prune, s_prune, 0, PRUNE_INTERVAL_MS);
    return 0;
}

//  Close the handles the runtime owns (not the database or the sockets).
static void
s_close (kw_service_t *self)
{
    kw_consumer_destroy (&self->consumer);
    kw_rpc_server_destroy (&self->rpc);
    kw_metrics_http_destroy (&self->metrics);
    kw_relay_destroy (&self->relay);
    kw_shutdown_destroy (&self->shutdown);
    if (self->hangup) {
        uv_close ((uv_handle_t *) self->hangup, s_free_handle);
        self->hangup = NULL;
    }
    if (self->prune) {
        uv_close ((uv_handle_t *) self->prune, s_free_handle);
        self->prune = NULL;
    }
}

static void
s_stop (int signum, void *arg)
{
    kw_service_t *self = arg;
    kw_info ("stopping", "signal", signum == 2 ? "SIGINT" : "SIGTERM");
    self->stopping = 1;
    if (self->def->stop)
        self->def->stop (self);
    s_close (self);
}

static long
s_int_var (kw_service_t *self, const char *name, long min, long max, int *ok)
{
    long value = 0;
    char err [256];
    if (kw_config_int (name, kw_service_config (self, name), min, max, &value, err, sizeof err) != 0) {
        fprintf (stderr, "%s: %s\n", self->def->name, err);
        *ok = 0;
    }
    return value;
}

int
kw_service_main (const kw_service_def_t *def, int argc, char **argv)
{
    kw_service_t service = { 0 };
    kw_service_t *self = &service;
    self->def = def;
    s_build_vars (self);
    kw_health_mode_t health = kw_health_take (&argc, argv);
    int migrate_only = kw_config_take (&argc, argv, "--migrate");
    char err [512], summary [512];
    snprintf (summary, sizeof summary, "%s\n\n  --migrate      apply this service's schema migrations as KW_DB_OWNER"
              " and exit", def->summary);
    int rc = kw_config_load (self->vars, self->var_count, def->name, summary,
                             argc, argv, err, sizeof err);
    if (rc != 0) {
        if (rc < 0)
            fprintf (stderr, "%s: %s\n", def->name, err);
        free (self->vars);
        return rc > 0 ? 0 : 2;
    }
    //  Migrations talk only to the database: no keys needed.
    self->curve = kw_curve_new (def->name, migrate_only ? "off" : kw_service_config (self, "KW_CURVE"),
                                kw_service_config (self, "KW_CURVE_PUBLIC_DIR"),
                                kw_service_config (self, "KW_CURVE_SECRET_FILE"), err, sizeof err);
    if (!self->curve) {
        fprintf (stderr, "%s: %s\n", def->name, err);
        free (self->vars);
        return 2;
    }
    if (health != KW_HEALTH_NONE) {
        rc = kw_health_service (def->name, kw_service_config (self, self->rpc_var), self->curve,
                                health, KW_HEALTH_TIMEOUT_MS);
        kw_curve_destroy (&self->curve);
        free (self->vars);
        return rc;
    }
    kw_log_level_t level = KW_LOG_INFO;
    if (kw_log_level_parse (kw_service_config (self, "KW_LOG_LEVEL"), &level) != 0) {
        fprintf (stderr, "%s: KW_LOG_LEVEL: expected debug, info, warn or error\n", def->name);
        kw_curve_destroy (&self->curve);
        free (self->vars);
        return 2;
    }
    int ok = 1;
    long relay_ms = s_int_var (self, "KW_RELAY_INTERVAL_MS", 10, 3600000, &ok);
    long catchup_ms = s_int_var (self, "KW_CATCHUP_INTERVAL_MS", 10, 3600000, &ok);
    self->retention_s = s_int_var (self, "KW_OUTBOX_RETENTION_S", 0, 3650L * 86400, &ok);
    long rpc_enabled = s_int_var (self, "KW_RPC_ENABLED", 0, 1, &ok);
    kw_outbox_set_notify ((int) s_int_var (self, "KW_OUTBOX_NOTIFY", 0, 1, &ok));
    //  The gateway (or whoever KW_RPC_CLIENTS names) calls; the service's
    //  own key is admitted for its --health probe, which may not vouch.
    char rpc_peers [512];
    snprintf (rpc_peers, sizeof rpc_peers, "%s,%s", kw_service_config (self, "KW_RPC_CLIENTS"), def->name);
    if (ok && kw_curve_admit (self->curve, "rpc", rpc_peers, err, sizeof err) != 0) {
        fprintf (stderr, "%s: KW_RPC_CLIENTS: %s\n", def->name, err);
        ok = 0;
    }
    if (!ok) {
        kw_curve_destroy (&self->curve);
        free (self->vars);
        return 2;
    }
    kw_log_init (def->name, level);
    kw_info ("starting", "curve", kw_curve_on (self->curve) ? "on" : "off");
    kw_metrics_process (def->name);

    int status = 1;
    uv_loop_init (&self->loop);
    const char *url = kw_service_config (self, "KW_DB_URL");
    //  The schema owner migrates; the runtime role only checks (it cannot run DDL).
    const char *user = kw_service_config (self, migrate_only ? "KW_DB_OWNER" : "KW_DB_USER");
    self->db = kw_db_new (url, user, def->name);
    if (kw_db_connect (self->db, DB_WAIT_MS) != 0) {
        kw_error ("db_unavailable", "reason", kw_db_error (self->db));
        goto done;
    }
    if (def->events && def->events->producer)
        self->producers = s_producers (def->events);
    if (migrate_only) {
        if (kw_migrate_run (self->db, def->name, def->migrations, def->migration_count,
                            err, sizeof err) < 0
        ||  kw_migrate_subscribe (self->db, def->name, self->producers, err, sizeof err) != 0)
            kw_error ("migration_failed", "reason", err);
        else
            status = 0;
        goto done;
    }
    if (kw_migrate_check (self->db, def->name, def->migrations, def->migration_count,
                          self->producers, err, sizeof err) != 0) {
        kw_error ("schema_not_migrated", "reason", err);
        goto done;
    }
    if (s_prune_start (self) != 0) {
        kw_error ("db_unavailable", "reason", kw_db_error (self->db));
        goto done;
    }
    self->zctx = zmq_ctx_new ();
    if (kw_curve_start (self->curve, self->zctx, err, sizeof err) != 0) {
        kw_error ("curve_failed", "reason", err);
        goto done;
    }
    self->pub = zmq_socket (self->zctx, ZMQ_PUB);
    int linger = 0, hwm = 100000;
    zmq_setsockopt (self->pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (self->pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (kw_curve_client (self->curve, self->pub, "bus", err, sizeof err) != 0) {
        kw_error ("curve_failed", "reason", err);
        goto done;
    }
    if (zmq_connect (self->pub, kw_service_config (self, "KW_BUS_PUB")) != 0) {
        kw_error ("bus_connect_failed", "endpoint", kw_service_config (self, "KW_BUS_PUB"),
                  "reason", zmq_strerror (errno));
        goto done;
    }
    if (def->start && def->start (self) != 0) {
        kw_error ("start_failed");
        goto done;
    }
    if (def->reload) {
        self->hangup = calloc (1, sizeof *self->hangup);
        if (!self->hangup) {
            kw_error ("out_of_memory");
            goto done;
        }
        uv_signal_init (&self->loop, self->hangup);
        self->hangup->data = self;
        uv_signal_start (self->hangup, s_hangup, SIGHUP);
    }
    else
        signal (SIGHUP, SIG_IGN);
    self->relay = kw_relay_new (&self->loop, self->db, url, user, self->pub, def->name,
                                (unsigned) relay_ms);
    if (rpc_enabled) {
        self->rpc = kw_rpc_server_new (&self->loop, self->zctx, kw_service_config (self, self->rpc_var),
                                       self->curve, kw_service_config (self, "KW_RPC_CLIENTS"),
                                       s_handle, self, err, sizeof err);
        if (!self->rpc) {
            kw_error ("rpc_bind_failed", "reason", err);
            goto done;
        }
    }
    if (self->producers) {
        self->consumer = kw_consumer_new (&self->loop, self->db, self->zctx,
                                          kw_service_config (self, "KW_BUS_SUB"), self->curve,
                                          def->name,
                                          self->producers, s_apply, s_committed, self,
                                          (unsigned) catchup_ms, err, sizeof err);
        if (!self->consumer) {
            kw_error ("consumer_failed", "reason", err);
            goto done;
        }
        if (def->consumer_batch)
            kw_consumer_set_batch (self->consumer, def->consumer_batch);
        if (s_consumer_topics (self) != 0) {
            kw_error ("consumer_failed", "reason", "cannot subscribe to the event table's topics");
            goto done;
        }
    }
    const char *metrics_addr = kw_service_config (self, self->metrics_var);
    //  Without its metrics a service still does its work.
    if (*metrics_addr && !(self->metrics = kw_metrics_http_new (&self->loop, metrics_addr,
                                                                err, sizeof err)))
        kw_error ("metrics_listen_failed", "reason", err);
    self->shutdown = kw_shutdown_new (&self->loop, s_stop, self);
    kw_info ("ready");
    uv_run (&self->loop, UV_RUN_DEFAULT);
    status = 0;
done:
    if (!self->stopping) {
        if (def->stop && self->db && self->zctx)
            def->stop (self);
        s_close (self);
    }
    if (self->pub)
        zmq_close (self->pub);
    if (self->zctx)
        zmq_ctx_term (self->zctx);
    kw_curve_destroy (&self->curve);
    int loop_rc = kw_loop_finish (&self->loop);
    kw_db_destroy (&self->db);
    if (loop_rc != 0) {
        kw_error ("loop_not_clean");
        status = 1;
    }
    kw_info ("stopped");
    free (self->producers);
    free (self->vars);
    kw_metrics_reset ();
    return status;
}
