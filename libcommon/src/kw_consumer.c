/*  kw_consumer: applies each producer's events exactly once, in seq order,
    with the offset advanced in the same transaction as the effects. Events
    are read only from bus.outbox: on start, when a frame on the SUB socket
    says a producer has something new, after a failure and on a timer.
    With topics set, only their frames wake the consumer, and events of
    other types are passed over without a transaction: their offset is
    written with the next batch that applies something, or on the timer. */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "kw_consumer.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_rpc.h"
#include "kw_pb.h"
#include "kw_runtime_metrics.h"
#include "kw_zwatch.h"

#define BATCH_MAX 256
//  The SQLSTATE of kw_consumer_advance when the offset moved (division by zero).
#define KW_CONSUMER_OFFSET_MOVED "22012"
#define RETRY_MS 500

typedef struct {
    char *name;
    uint64_t last_seq;              //  committed offset
    uint64_t passed;                //  >= last_seq: events of no interest passed over up to here
    uint64_t newest;                //  highest seq seen (socket or table), for the lag
    int gap;                        //  catch-up needed
} producer_t;

struct _kw_consumer_t {
    uv_loop_t *loop;
    kw_db_t *db;
    void *sub;
    kw_zwatch_t *watch;
    char *name;
    producer_t *producers;
    size_t producer_count;
    kw_consumer_apply_fn *apply;
    kw_consumer_commit_fn *on_commit;
    void *arg;
    kw_arena_t *arena;
    uv_timer_t *tick;               //  idle catch-up
    uv_timer_t *soon;               //  catch-up on the next loop turn
    int offsets_loaded;
    uint64_t applied;
    unsigned interval_ms;
    size_t batch;                   //  events in one transaction at most (BATCH_MAX)
    char **topics;                  //  "producer.type" applied; NULL: every event
    size_t topic_count;
};

static producer_t *
s_producer (kw_consumer_t *self, const char *name)
{
    for (size_t i = 0; i < self->producer_count; i++)
        if (strcmp (self->producers [i].name, name) == 0)
            return &self->producers [i];
    return NULL;
}

//  Make sure every producer has an offset row, and load the offsets.
static int
s_load_offsets (kw_consumer_t *self)
{
    if (kw_db_ensure (self->db) != 0)
        return -1;
    for (size_t i = 0; i < self->producer_count; i++) {
        const char *params [2] = { self->name, self->producers [i].name };
        PGresult *res = kw_db_query (self->db, "kw_consumer_offset", 2, params);
        if (!res)
            return -1;
        self->producers [i].last_seq = strtoull (PQgetvalue (res, 0, 0), NULL, 10);
        self->producers [i].passed = self->producers [i].last_seq;
        PQclear (res);
    }
    self->offsets_loaded = 1;
    return 0;
}

static void
s_lag (kw_consumer_t *self)
{
    for (size_t i = 0; i < self->producer_count; i++)
        kw_consumer_metrics_lag (self->producers [i].name, self->producers [i].newest,
                                 self->producers [i].passed);
}

//  1 when the event's type is one the consumer applies.
static int
s_wanted (kw_consumer_t *self, const Kw__Envelope *env)
{
    if (!self->topics)
        return 1;
    size_t producer_len = strlen (env->producer);
    for (size_t i = 0; i < self->topic_count; i++) {
        const char *topic = self->topics [i];
        if (strncmp (topic, env->producer, producer_len) == 0 && topic [producer_len] == '.'
        &&  strcmp (topic + producer_len + 1, env->type) == 0)
            return 1;
    }
    return 0;
}

//  Every producer's events handled up to next [i] (counted).
static void
s_passed (kw_consumer_t *self, const uint64_t *next)
{
    for (size_t i = 0; i < self->producer_count; i++) {
        kw_consumer_metrics_applied (self->producers [i].name, next [i] - self->producers [i].passed);
        self->producers [i].passed = next [i];
    }
}

//  The batch's transaction did not commit (its events are applied again
//  from the table): said once, with PostgreSQL's reason.
static void
s_commit_failed (kw_consumer_t *self)
{
    kw_warn ("consumer_commit_failed", "consumer", self->name, "sqlstate", kw_db_sqlstate (self->db),
             "reason", kw_db_error (self->db));
}

//  Apply events (in order) in one transaction, opened at the first event
//  the consumer wants. Events already applied are skipped; an event past
//  the next expected seq marks its producer for catch-up and is left for
//  it. Events of no interest are passed over: without a wanted event no
//  transaction is opened and their offset is only kept in memory, unless
//  flush asks to write it. Returns the events applied or passed over, or
//  -1 after a rollback (offsets reloaded).
static int
s_apply_batch (kw_consumer_t *self, Kw__Envelope **events, size_t count, int flush)
{
    uint64_t next [self->producer_count];
    size_t applied = 0, handled = 0;
    int open = 0;
    for (size_t i = 0; i < self->producer_count; i++)
        next [i] = self->producers [i].passed;

    for (size_t e = 0; e < count; e++) {
        Kw__Envelope *env = events [e];
        producer_t *p = s_producer (self, env->producer);
        if (!p)
            continue;
        size_t pi = (size_t) (p - self->producers);
        p->newest = env->seq > p->newest ? env->seq : p->newest;
        //  Every event is past the offset: kw_consumer_read reads no other.
        if (env->seq > next [pi] + 1) {
            p->gap = 1;                     //  missing events come from the table
            continue;
        }
        handled++;
        if (!s_wanted (self, env)) {
            next [pi] = env->seq;           //  nothing to apply
            continue;
        }
        if (!open) {
            if (kw_db_ensure (self->db) != 0 || kw_db_begin (self->db) != 0)
                return -1;
            open = 1;
        }
        kw_apply_result_t result = self->apply (self->db, env, self->arena, self->arg);
        if (result == KW_APPLY_RETRY) {
            kw_warn ("consumer_apply_failed", "consumer", self->name, "producer", env->producer,
                     "type", env->type, "event_id", env->event_id, "reason", kw_db_error (self->db));
            goto failed;
        }
        if (result == KW_APPLY_SKIP)
            kw_error ("consumer_event_skipped", "consumer", self->name, "producer", env->producer,
                      "type", env->type, "event_id", env->event_id);
        next [pi] = env->seq;
        applied++;
    }
    if (!open) {
        int behind = 0;
        for (size_t i = 0; i < self->producer_count; i++)
            behind |= next [i] != self->producers [i].last_seq;
        if (!flush || !behind) {
            s_passed (self, next);
            return (int) handled;
        }
        if (kw_db_ensure (self->db) != 0 || kw_db_begin (self->db) != 0)
            return -1;
    }
    //  The offsets, COMMIT sent with the last of them: one round trip.
    size_t last = self->producer_count;
    for (size_t i = 0; i < self->producer_count; i++)
        if (next [i] != self->producers [i].last_seq)
            last = i;
    for (size_t i = 0; i < self->producer_count; i++) {
        if (next [i] == self->producers [i].last_seq)
            continue;
        char new_seq [24], old_seq [24];
        snprintf (new_seq, sizeof new_seq, "%" PRIu64, next [i]);
        snprintf (old_seq, sizeof old_seq, "%" PRIu64, self->producers [i].last_seq);
        const char *params [4] = { self->name, self->producers [i].name, new_seq, old_seq };
        int rc = i == last ? kw_db_exec_commit (self->db, "kw_consumer_advance", 4, params)
                           : kw_db_exec (self->db, "kw_consumer_advance", 4, params);
        if (rc < 0) {
            if (strcmp (kw_db_sqlstate (self->db), KW_CONSUMER_OFFSET_MOVED) == 0)
                kw_warn ("consumer_offset_moved", "consumer", self->name,
                         "producer", self->producers [i].name);
            else
                s_commit_failed (self);
            goto failed;
        }
    }
    if (last == self->producer_count && kw_db_commit (self->db) != 0) {
        s_commit_failed (self);
        goto failed;
    }
    s_passed (self, next);
    for (size_t i = 0; i < self->producer_count; i++)
        self->producers [i].last_seq = next [i];
    s_lag (self);
    self->applied += applied;
    if (self->on_commit && applied)
        self->on_commit (applied, self->arg);
    return (int) handled;
failed:
    kw_db_rollback (self->db);
    self->offsets_loaded = 0;
    for (size_t i = 0; i < self->producer_count; i++)
        self->producers [i].gap = 1;
    return -1;
}

//  Apply what bus.outbox holds past the offsets of the producers marked
//  (gap), one batch (at most self->batch events) a transaction. Every batch
//  (all: 1), or one batch a producer, the producer left marked and *more set
//  when it has more; flush: then write the offsets of the events passed
//  over. Events applied or passed over, or -1.
static int
s_catch_up (kw_consumer_t *self, int all, int flush, int *more)
{
    *more = 0;
    if (!self->offsets_loaded && s_load_offsets (self) != 0)
        return -1;
    int total = 0;
    char limit [24];
    snprintf (limit, sizeof limit, "%zu", self->batch);
    for (size_t i = 0; i < self->producer_count; i++) {
        producer_t *p = &self->producers [i];
        if (!p->gap)
            continue;
        p->gap = 0;
        for (;;) {
            char after [24];
            snprintf (after, sizeof after, "%" PRIu64, p->passed);
            const char *params [3] = { p->name, after, limit };
            PGresult *res = kw_db_query (self->db, "kw_consumer_read", 3, params);
            if (!res) {
                p->gap = 1;
                return -1;
            }
            int rows = PQntuples (res);
            Kw__Envelope **events = kw_arena_alloc (self->arena, sizeof *events * (rows ? rows : 1));
            size_t count = 0;
            for (int r = 0; r < rows; r++) {
                Kw__Envelope *env = kw_outbox_envelope (res, r, p->name, self->arena);
                if (env)
                    events [count++] = env;
            }
            PQclear (res);
            int n = count ? s_apply_batch (self, events, count, 0) : 0;
            kw_arena_reset (self->arena);
            if (n < 0)
                return -1;
            total += n;
            if ((size_t) rows < self->batch || n == 0)
                break;
            if (!all) {
                p->gap = 1;
                *more = 1;
                break;
            }
        }
    }
    if (flush && !*more && s_apply_batch (self, NULL, 0, 1) < 0)
        return -1;
    return total;
}

static void s_catch_up_cb (uv_timer_t *timer);

static void
s_topics_free (kw_consumer_t *self)
{
    for (size_t i = 0; i < self->topic_count; i++)
        free (self->topics [i]);
    free (self->topics);
    self->topics = NULL;
    self->topic_count = 0;
}

static void
s_mark_all (kw_consumer_t *self)
{
    for (size_t i = 0; i < self->producer_count; i++)
        self->producers [i].gap = 1;
}

int
kw_consumer_catch_up (kw_consumer_t *self)
{
    int more;
    s_mark_all (self);
    return s_catch_up (self, 1, 1, &more);
}

int
kw_consumer_set_topics (kw_consumer_t *self, const char *const *topics)
{
    assert (topics);
    size_t count = 0;
    while (topics [count])
        count++;
    char **copy = calloc (count ? count : 1, sizeof *copy);
    assert (copy);
    for (size_t i = 0; i < count; i++) {
        copy [i] = strdup (topics [i]);
        assert (copy [i]);
    }
    s_topics_free (self);
    self->topics = copy;
    self->topic_count = count;
    //  Only the frames of these topics wake the consumer.
    int rc = 0;
    for (size_t i = 0; i < self->producer_count; i++) {
        char prefix [128];
        snprintf (prefix, sizeof prefix, "%s.", self->producers [i].name);
        rc |= zmq_setsockopt (self->sub, ZMQ_UNSUBSCRIBE, prefix, strlen (prefix));
    }
    for (size_t i = 0; i < count; i++)
        rc |= zmq_setsockopt (self->sub, ZMQ_SUBSCRIBE, copy [i], strlen (copy [i]));
    kw_zwatch_touch (self->watch);
    return rc == 0 ? 0 : -1;
}

void
kw_consumer_set_batch (kw_consumer_t *self, size_t events)
{
    self->batch = events < 1 ? 1 : events > BATCH_MAX ? BATCH_MAX : events;
}

//  A batch a producer at a time, the loop turning between batches (RPC
//  calls are answered while a backlog is applied).
static void
s_catch_up_run (kw_consumer_t *self, int flush)
{
    int more;
    int n = s_catch_up (self, 0, flush, &more);
    s_lag (self);
    if (uv_is_active ((uv_handle_t *) self->soon))
        return;
    if (n < 0)
        uv_timer_start (self->soon, s_catch_up_cb, RETRY_MS, 0);
    else
    if (more)
        uv_timer_start (self->soon, s_catch_up_cb, 0, 0);
}

static void
s_catch_up_cb (uv_timer_t *timer)
{
    s_catch_up_run (timer->data, 0);
}

//  The idle timer: every producer's table, in case a frame was lost, and
//  the offsets of the events passed over since the last write.
static void
s_tick_cb (uv_timer_t *timer)
{
    s_mark_all (timer->data);
    s_catch_up_run (timer->data, 1);
}

static void
s_gap (kw_consumer_t *self)
{
    if (!uv_is_active ((uv_handle_t *) self->soon))
        uv_timer_start (self->soon, s_catch_up_cb, 0, 0);
}

//  1 unless the frame's envelope numbers an event the consumer has already
//  read past: then reading the table again would find nothing it did not
//  have. A frame that cannot be read counts as news.
static int
s_news (const producer_t *p, zmq_msg_t *body)
{
    if (!body)
        return 1;
    Kw__Envelope *env = kw__envelope__unpack (NULL, zmq_msg_size (body), zmq_msg_data (body));
    int news = !env || env->seq > p->passed;
    if (env)
        kw__envelope__free_unpacked (env, NULL);
    return news;
}

//  A frame names the producer whose outbox has something new; its content
//  is never applied (a frame is not a fact: anyone holding a key to the bus
//  could have sent it), only its seq read to pass over frames of events
//  already read (a forged one can at most cause a read, or save one the
//  timer makes). Drain the socket, then read those producers' new events
//  from bus.outbox on the next loop turn.
static void
s_readable (void *socket, void *arg)
{
    kw_consumer_t *self = arg;
    int woken = 0;
    for (size_t n = 0; n < BATCH_MAX; n++) {
        zmq_msg_t frames [2];
        int count = kw_rpc_recv_frames (socket, frames, 2);
        if (count == 0)
            break;
        //  The topic is "producer.type": mark its producer.
        const char *topic = zmq_msg_data (&frames [0]);
        size_t size = zmq_msg_size (&frames [0]);
        const char *dot = memchr (topic, '.', size);
        for (size_t i = 0; dot && i < self->producer_count; i++) {
            producer_t *p = &self->producers [i];
            if (strlen (p->name) == (size_t) (dot - topic)
            &&  memcmp (p->name, topic, (size_t) (dot - topic)) == 0
            &&  s_news (p, count > 1 ? &frames [1] : NULL)) {
                p->gap = 1;
                woken = 1;
            }
        }
        kw_rpc_close_frames (frames, count, 2);
    }
    if (woken)
        s_gap (self);
}

kw_consumer_t *
kw_consumer_new (uv_loop_t *loop, kw_db_t *db, void *zctx, const char *sub_endpoint,
                 kw_curve_t *curve, const char *name, const char *const *producers,
                 kw_consumer_apply_fn *apply, kw_consumer_commit_fn *on_commit, void *arg,
                 unsigned catchup_interval_ms, char *err, size_t err_size)
{
    assert (loop && db && zctx && sub_endpoint && name && producers && apply);
    kw_consumer_t *self = calloc (1, sizeof *self);
    assert (self);
    self->loop = loop;
    self->db = db;
    self->name = strdup (name);
    self->apply = apply;
    self->on_commit = on_commit;
    self->arg = arg;
    self->interval_ms = catchup_interval_ms ? catchup_interval_ms : 1000;
    self->batch = BATCH_MAX;
    self->arena = kw_arena_new (262144);
    while (producers [self->producer_count])
        self->producer_count++;
    self->producers = calloc (self->producer_count ? self->producer_count : 1, sizeof *self->producers);
    for (size_t i = 0; i < self->producer_count; i++) {
        self->producers [i].name = strdup (producers [i]);
        kw_consumer_metrics_applied (producers [i], 0);
    }

    kw_db_prepare (db, "kw_consumer_offset",
        "WITH ins AS (INSERT INTO bus.offsets (consumer, producer) VALUES ($1, $2)"
        "  ON CONFLICT DO NOTHING RETURNING last_seq)"
        " SELECT last_seq FROM ins UNION ALL"
        " SELECT last_seq FROM bus.offsets WHERE consumer = $1 AND producer = $2");
    //  Fails (division by zero) when the offset is not the one this batch
    //  started from (another instance moved it): the COMMIT sent with it
    //  then does not commit.
    kw_db_prepare (db, "kw_consumer_advance",
        "WITH moved AS (UPDATE bus.offsets SET last_seq = $3::bigint, updated_at = now ()"
        "  WHERE consumer = $1 AND producer = $2 AND last_seq = $4::bigint RETURNING 1)"
        " SELECT 1 / count(*) FROM moved");
    kw_db_prepare (db, "kw_consumer_read",
        "SELECT " KW_OUTBOX_ENVELOPE_COLUMNS " FROM bus.outbox o"
        " WHERE o.producer = $1 AND o.seq > $2::bigint ORDER BY o.seq LIMIT $3::int");

    self->sub = zmq_socket (zctx, ZMQ_SUB);
    int linger = 0, hwm = 100000;
    int64_t max = 16 * 1024 * 1024;
    zmq_setsockopt (self->sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (self->sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt (self->sub, ZMQ_MAXMSGSIZE, &max, sizeof max);
    for (size_t i = 0; i < self->producer_count; i++) {
        char prefix [128];
        snprintf (prefix, sizeof prefix, "%s.", producers [i]);
        zmq_setsockopt (self->sub, ZMQ_SUBSCRIBE, prefix, strlen (prefix));
    }
    if (kw_curve_client (curve, self->sub, "bus", err, err_size) != 0) {
        kw_consumer_destroy (&self);
        return NULL;
    }
    if (zmq_connect (self->sub, sub_endpoint) != 0) {
        snprintf (err, err_size, "cannot connect %s: %s", sub_endpoint, zmq_strerror (errno));
        kw_consumer_destroy (&self);
        return NULL;
    }
    self->watch = kw_zwatch_new (loop, self->sub, s_readable, self);
    self->tick = malloc (sizeof *self->tick);
    self->soon = malloc (sizeof *self->soon);
    uv_timer_init (loop, self->tick);
    uv_timer_init (loop, self->soon);
    self->tick->data = self->soon->data = self;
    //  Catch up from the table at once, then on every idle interval.
    uv_timer_start (self->tick, s_tick_cb, 0, self->interval_ms);
    return self;
}

uint64_t
kw_consumer_applied (kw_consumer_t *self)
{
    return self->applied;
}

static void
s_free_handle (uv_handle_t *handle)
{
    free (handle);
}

void
kw_consumer_destroy (kw_consumer_t **self_p)
{
    assert (self_p);
    kw_consumer_t *self = *self_p;
    if (!self)
        return;
    kw_zwatch_destroy (&self->watch);
    if (self->tick)
        uv_close ((uv_handle_t *) self->tick, s_free_handle);
    if (self->soon)
        uv_close ((uv_handle_t *) self->soon, s_free_handle);
    if (self->sub)
        zmq_close (self->sub);
    for (size_t i = 0; i < self->producer_count; i++)
        free (self->producers [i].name);
    free (self->producers);
    s_topics_free (self);
    kw_arena_destroy (&self->arena);
    free (self->name);
    free (self);
    *self_p = NULL;
}
