/*  kw_relay: publishes a producer's committed outbox events on the bus
    (see kw_outbox.h for how they are written and numbered), while it holds
    the producer's advisory lock on its own connection. */
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_relay.h"
#include "kw_runtime_metrics.h"

#define RELAY_BATCH 256
//  One lock a producer: the pair (hash of "kw_relay", hash of the producer).
#define KW_RELAY_LOCK_SQL "SELECT pg_try_advisory_lock (hashtext ('kw_relay'), hashtext ($1))"

struct _kw_relay_t {
    uv_loop_t *loop;
    kw_db_t *db;
    kw_db_t *listen_db;
    void *pub;
    char *producer;
    uv_timer_t *tick;               //  periodic run
    uv_timer_t *soon;               //  run on the next loop turn
    uv_poll_t *listen_poll;         //  NOTIFY arrivals on the listen connection
    int listen_fd;                  //  our dup of the listen socket
    kw_arena_t *arena;
    uint64_t published;
    int positioned;                 //  cursor read from the database
    int leader;                     //  1 holds the producer's lock (publishes), 0 not, -1 not asked
    char cursor [24];               //  the last seq published
};

static void s_relay_soon_cb (uv_timer_t *timer);

static void
s_free_handle (uv_handle_t *handle)
{
    free (handle);
}

static void
s_close_poll_fd (uv_handle_t *handle)
{
    close ((int) (intptr_t) handle->data);
    free (handle);
}

static void
s_set_leader (kw_relay_t *self, int leader)
{
    if (leader == self->leader)
        return;
    self->leader = leader;
    //  A new leader starts a batch behind the producer's counter.
    self->positioned = 0;
    kw_info (leader ? "relay_leader" : "relay_standby", "producer", self->producer);
}

//  Take the producer's lock on the relay's own connection if free: one
//  relay of a producer publishes, the others wait; the lock goes with the
//  session, so a relay that dies or loses its connection hands it over.
static void
s_try_lead (kw_relay_t *self)
{
    const char *params [1] = { self->producer };
    PGresult *res = kw_db_query (self->listen_db, KW_RELAY_LOCK_SQL, 1, params);
    if (!res)
        return;
    s_set_leader (self, PQgetvalue (res, 0, 0) [0] == 't');
    PQclear (res);
}

static void
s_listen_stop (kw_relay_t *self)
{
    if (self->leader == 1)
        s_set_leader (self, 0);
    if (self->listen_poll) {
        self->listen_poll->data = (void *) (intptr_t) self->listen_fd;
        uv_close ((uv_handle_t *) self->listen_poll, s_close_poll_fd);
        self->listen_poll = NULL;
        self->listen_fd = -1;
    }
}

static void
s_listen_cb (uv_poll_t *poll, int status, int events)
{
    kw_relay_t *self = poll->data;
    PGconn *conn = kw_db_conn (self->listen_db);
    if (status < 0 || !conn || !PQconsumeInput (conn)) {
        //  Lost: the periodic run reconnects and listens again.
        s_listen_stop (self);
        return;
    }
    int wake = 0;
    PGnotify *note;
    while ((note = PQnotifies (conn))) {
        wake = 1;
        PQfreemem (note);
    }
    if (wake)
        kw_relay_wake (self);
}

static void
s_listen_connected (kw_db_t *db, void *arg)
{
    kw_relay_t *self = arg;
    s_listen_stop (self);
    s_try_lead (self);
    char channel [128];
    snprintf (channel, sizeof channel, KW_OUTBOX_NOTIFY_PREFIX "%s", self->producer);
    char *quoted = PQescapeIdentifier (kw_db_conn (db), channel, strlen (channel));
    char *sql = quoted ? malloc (strlen (quoted) + 8) : NULL;
    int listening = 0;
    if (sql) {
        sprintf (sql, "LISTEN %s", quoted);
        listening = kw_db_exec (db, sql, 0, NULL) == 0;
    }
    free (sql);
    PQfreemem (quoted);
    if (!listening)
        return;
    int fd = fcntl (PQsocket (kw_db_conn (db)), F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return;
    self->listen_poll = malloc (sizeof *self->listen_poll);
    assert (self->listen_poll);
    if (uv_poll_init (self->loop, self->listen_poll, fd) != 0) {
        free (self->listen_poll);
        self->listen_poll = NULL;
        close (fd);
        return;
    }
    self->listen_fd = fd;
    self->listen_poll->data = self;
    uv_poll_start (self->listen_poll, UV_READABLE, s_listen_cb);
}

//  Start the cursor a batch behind the producer's counter: events committed
//  just before a restart (and perhaps never sent) go out again, and
//  consumers skip the ones they have.
static int
s_position (kw_relay_t *self)
{
    if (self->positioned)
        return 0;
    const char *params [1] = { self->producer };
    PGresult *res = kw_db_query (self->db, "kw_relay_position", 1, params);
    if (!res)
        return -1;
    snprintf (self->cursor, sizeof self->cursor, "%s", PQntuples (res) ? PQgetvalue (res, 0, 0) : "0");
    PQclear (res);
    self->positioned = 1;
    return 0;
}

static void
s_publish (kw_relay_t *self, const Kw__Envelope *env)
{
    char topic [256];
    if (kw_outbox_topic (env->producer, env->type, topic, sizeof topic) != 0)
        return;
    size_t size = kw__envelope__get_packed_size (env);
    zmq_msg_t body;
    zmq_msg_init_size (&body, size);
    kw__envelope__pack (env, zmq_msg_data (&body));
    //  PUB never blocks; a frame dropped here is found by the consumers'
    //  catch-up from bus.outbox.
    if (zmq_send (self->pub, topic, strlen (topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
    ||  zmq_msg_send (&body, self->pub, ZMQ_DONTWAIT) < 0)
        zmq_msg_close (&body);
}

//  One pass: publish up to RELAY_BATCH committed events past the cursor, in
//  seq order. No transaction: the rows were numbered when they were written.
static int
s_relay_pass (kw_relay_t *self)
{
    kw_db_t *db = self->db;
    if (self->leader != 1)
        return 0;
    if (kw_db_ensure (db) != 0 || s_position (self) != 0)
        goto failed;
    const char *params [2] = { self->producer, self->cursor };
    PGresult *rows = kw_db_query (db, "kw_relay_next", 2, params);
    if (!rows)
        goto failed;
    int n = PQntuples (rows);
    for (int i = 0; i < n; i++) {
        Kw__Envelope *env = kw_outbox_envelope (rows, i, self->producer, self->arena);
        if (env)
            s_publish (self, env);
    }
    if (n > 0)
        snprintf (self->cursor, sizeof self->cursor, "%s", PQgetvalue (rows, n - 1, 0));
    PQclear (rows);
    kw_arena_reset (self->arena);
    self->published += (uint64_t) n;
    kw_relay_metrics_published (self->producer, (uint64_t) n);
    return n;
failed:
    kw_warn ("relay_failed", "producer", self->producer, "reason", kw_db_error (db));
    return -1;
}

int
kw_relay_run_once (kw_relay_t *self)
{
    int total = 0;
    int n;
    while ((n = s_relay_pass (self)) == RELAY_BATCH)
        total += n;
    return n < 0 ? (total ? total : -1) : total + n;
}

//  The producer's last committed seq minus the cursor, for the metrics.
static void
s_backlog (kw_relay_t *self)
{
    const char *params [1] = { self->producer };
    PGresult *res = kw_db_query (self->db, "kw_relay_last", 1, params);
    if (!res)
        return;
    uint64_t last = PQntuples (res) ? strtoull (PQgetvalue (res, 0, 0), NULL, 10) : 0;
    uint64_t cursor = strtoull (self->cursor, NULL, 10);
    kw_relay_metrics_backlog (self->producer, last > cursor ? last - cursor : 0);
    PQclear (res);
}

static void
s_relay_tick_cb (uv_timer_t *timer)
{
    kw_relay_t *self = timer->data;
    if (!self->listen_poll && kw_db_ensure (self->listen_db) == 0 && !self->listen_poll)
        s_listen_connected (self->listen_db, self);
    else
    if (self->leader != 1 && self->listen_poll)
        s_try_lead (self);
    if (kw_relay_run_once (self) >= 0)
        s_backlog (self);
}

static void
s_relay_soon_cb (uv_timer_t *timer)
{
    kw_relay_run_once (timer->data);
}

kw_relay_t *
kw_relay_new (uv_loop_t *loop, kw_db_t *db, const char *listen_conninfo,
              const char *listen_user, void *pub_socket, const char *producer,
              unsigned interval_ms)
{
    assert (loop && db && pub_socket && producer);
    kw_relay_t *self = calloc (1, sizeof *self);
    assert (self);
    self->loop = loop;
    self->db = db;
    self->pub = pub_socket;
    self->producer = strdup (producer);
    self->arena = kw_arena_new (65536);
    self->listen_fd = -1;
    self->leader = -1;
    kw_db_prepare (db, "kw_relay_position",
        "SELECT greatest (last_seq - 256, 0) FROM bus.producers WHERE producer = $1");
    kw_db_prepare (db, "kw_relay_last", "SELECT last_seq FROM bus.producers WHERE producer = $1");
    kw_db_prepare (db, "kw_relay_next",
        "SELECT " KW_OUTBOX_ENVELOPE_COLUMNS " FROM bus.outbox o"
        " WHERE o.producer = $1 AND o.seq > $2::bigint ORDER BY o.seq LIMIT 256");
    char name [128];
    snprintf (name, sizeof name, "kw-relay-%s", producer);
    self->listen_db = kw_db_new (listen_conninfo, listen_user, name);
    kw_db_on_connect (self->listen_db, s_listen_connected, self);
    kw_db_ensure (self->listen_db);

    self->tick = malloc (sizeof *self->tick);
    self->soon = malloc (sizeof *self->soon);
    assert (self->tick && self->soon);
    uv_timer_init (loop, self->tick);
    uv_timer_init (loop, self->soon);
    self->tick->data = self->soon->data = self;
    uv_timer_start (self->tick, s_relay_tick_cb, 0, interval_ms ? interval_ms : 1000);
    return self;
}

void
kw_relay_wake (kw_relay_t *self)
{
    if (!uv_is_active ((uv_handle_t *) self->soon))
        uv_timer_start (self->soon, s_relay_soon_cb, 0, 0);
}

uint64_t
kw_relay_published (kw_relay_t *self)
{
    return self->published;
}

void
kw_relay_destroy (kw_relay_t **self_p)
{
    assert (self_p);
    kw_relay_t *self = *self_p;
    if (!self)
        return;
    s_listen_stop (self);
    uv_close ((uv_handle_t *) self->tick, s_free_handle);
    uv_close ((uv_handle_t *) self->soon, s_free_handle);
    kw_db_destroy (&self->listen_db);
    kw_arena_destroy (&self->arena);
    free (self->producer);
    free (self);
    *self_p = NULL;
}
