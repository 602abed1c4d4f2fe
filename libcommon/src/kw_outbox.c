/*  kw_outbox: events written and numbered in the producer's transaction,
    and the relay that publishes them on the bus after the commit. */
#include <assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>
#include "kw_buf.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_uuid.h"

#define RELAY_BATCH 256
//  Each producer has its own channel, so a commit wakes only its own relay.
#define NOTIFY_PREFIX "kw_outbox_"

//  The producer's counter row is locked until the transaction ends, so seq
//  follows commit order and a rolled-back event leaves no gap.
#define INSERT_CTE \
    "WITH s AS (" \
    "  INSERT INTO bus.producers AS p (producer, last_seq) VALUES ($1, 1)" \
    "  ON CONFLICT (producer) DO UPDATE SET last_seq = p.last_seq + 1 RETURNING last_seq)," \
    " ins AS (" \
    "  INSERT INTO bus.outbox (producer, event_id, type, region, correlation_id, payload, seq, sequenced_at)" \
    "  SELECT $1, $2, $3, $4, $5, $6, s.last_seq, now () FROM s RETURNING seq)"
static const char *INSERT_SQL = INSERT_CTE " SELECT seq FROM ins";
static const char *INSERT_NOTIFY_SQL =
    INSERT_CTE " SELECT pg_notify ('" NOTIFY_PREFIX "' || $1, ''), seq FROM ins";
static int s_notify;

void
kw_outbox_set_notify (int on)
{
    s_notify = on;
}

int
kw_outbox_insert (kw_db_t *db, const char *producer, const char *type, const char *region,
                  const char *correlation_id, const ProtobufCMessage *payload,
                  char *event_id_out)
{
    assert (db && producer && type && payload);
    const char *stmt = s_notify ? "kw_outbox_insert_notify" : "kw_outbox_insert";
    kw_db_prepare (db, stmt, s_notify ? INSERT_NOTIFY_SQL : INSERT_SQL);
    char event_id [KW_UUID_SIZE];
    kw_uuid_generate (event_id);
    size_t size = protobuf_c_message_get_packed_size (payload);
    uint8_t *buf = malloc (size ? size : 1);
    assert (buf);
    protobuf_c_message_pack (payload, buf);
    const char *values [6] = { producer, event_id, type, region ? region : "",
                               correlation_id ? correlation_id : "", (const char *) buf };
    int lengths [6] = { 0, 0, 0, 0, 0, (int) size };
    int formats [6] = { 0, 0, 0, 0, 0, 1 };
    PGresult *res = kw_db_queryb (db, stmt, 6, values, lengths, formats, 0);
    free (buf);
    if (!res)
        return -1;
    int inserted = PQntuples (res) == 1;
    PQclear (res);
    if (!inserted)
        return -1;
    if (event_id_out)
        memcpy (event_id_out, event_id, KW_UUID_SIZE);
    return 0;
}

// ---------------------------------------------------------------- batches

struct _kw_outbox_batch_t {
    char *producer;
    kw_buf_t rows;              //  COPY text lines without their seq and time
    size_t *ends;               //  where each event's text ends in rows
    size_t count, slots;
};

kw_outbox_batch_t *
kw_outbox_batch_new (const char *producer)
{
    kw_outbox_batch_t *self = calloc (1, sizeof *self);
    assert (self);
    self->producer = strdup (producer);
    assert (self->producer);
    return self;
}

void
kw_outbox_batch_destroy (kw_outbox_batch_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    kw_outbox_batch_t *self = *self_p;
    free (self->producer);
    kw_buf_free (&self->rows);
    free (self->ends);
    free (self);
    *self_p = NULL;
}

void
kw_outbox_batch_add (kw_outbox_batch_t *self, const char *type, const char *region,
                     const char *correlation_id, const ProtobufCMessage *payload)
{
    char event_id [KW_UUID_SIZE];
    kw_uuid_generate (event_id);
    kw_buf_copy_text (&self->rows, event_id, '\t');
    kw_buf_copy_text (&self->rows, type, '\t');
    kw_buf_copy_text (&self->rows, region ? region : "", '\t');
    kw_buf_copy_text (&self->rows, correlation_id ? correlation_id : "", '\t');
    size_t size = protobuf_c_message_get_packed_size (payload);
    uint8_t stack [512];
    uint8_t *buf = size <= sizeof stack ? stack : malloc (size);
    assert (buf);
    protobuf_c_message_pack (payload, buf);
    kw_buf_copy_bytea (&self->rows, buf, size, '\t');
    if (buf != stack)
        free (buf);
    if (self->count == self->slots) {
        self->slots = self->slots ? self->slots * 2 : 1024;
        self->ends = realloc (self->ends, self->slots * sizeof *self->ends);
        assert (self->ends);
    }
    self->ends [self->count++] = self->rows.len;
}

size_t
kw_outbox_batch_size (const kw_outbox_batch_t *self)
{
    return self->count;
}

int
kw_outbox_batch_insert (kw_outbox_batch_t *self, kw_db_t *db)
{
    if (self->count == 0)
        return 0;
    kw_db_prepare (db, "kw_outbox_reserve",
        "INSERT INTO bus.producers AS p (producer, last_seq) VALUES ($1, $2::bigint)"
        " ON CONFLICT (producer) DO UPDATE SET last_seq = p.last_seq + $2::bigint"
        " RETURNING last_seq - $2::bigint, to_char (now () AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
    char count [24];
    snprintf (count, sizeof count, "%zu", self->count);
    const char *params [2] = { self->producer, count };
    PGresult *res = kw_db_query (db, "kw_outbox_reserve", 2, params);
    if (!res)
        return -1;
    unsigned long long base = strtoull (PQgetvalue (res, 0, 0), NULL, 10);
    char now [40];
    snprintf (now, sizeof now, "%s", PQgetvalue (res, 0, 1));
    PQclear (res);

    size_t producer_len = strlen (self->producer), now_len = strlen (now);
    size_t size = self->rows.len + self->count * (producer_len + now_len + 24) + 1;
    char *data = malloc (size);
    assert (data);
    size_t len = 0, start = 0;
    for (size_t i = 0; i < self->count; i++) {
        memcpy (data + len, self->producer, producer_len);
        len += producer_len;
        data [len++] = '\t';
        memcpy (data + len, self->rows.data + start, self->ends [i] - start);
        len += self->ends [i] - start;
        start = self->ends [i];
        len += (size_t) snprintf (data + len, size - len, "%llu\t%s\n", base + 1 + i, now);
    }
    //  bus.outbox has row-level security, which COPY does not support: the
    //  rows go to a session table first, then across with one INSERT.
    int rc = kw_db_exec (db, "SET LOCAL client_min_messages = warning", 0, NULL) == 0
          && kw_db_exec (db, "CREATE TEMP TABLE IF NOT EXISTS outbox_stage (producer text, event_id uuid,"
                             " type text, region text, correlation_id text, payload bytea, seq bigint,"
                             " sequenced_at timestamptz) ON COMMIT DELETE ROWS", 0, NULL) == 0
          && kw_db_exec (db, "TRUNCATE pg_temp.outbox_stage", 0, NULL) == 0
          && kw_db_copy_in (db, "COPY pg_temp.outbox_stage FROM STDIN", data, len) == 0
          && kw_db_exec (db, "INSERT INTO bus.outbox (producer, event_id, type, region, correlation_id,"
                             " payload, seq, sequenced_at) SELECT producer, event_id, type, region,"
                             " correlation_id, payload, seq, sequenced_at FROM pg_temp.outbox_stage"
                             " ORDER BY seq", 0, NULL) == 0 ? 0 : -1;
    free (data);
    if (rc == 0 && s_notify) {
        const char *notify [1] = { self->producer };
        rc = kw_db_exec (db, "SELECT pg_notify ('" NOTIFY_PREFIX "' || $1, '')", 1, notify);
    }
    return rc;
}

int
kw_outbox_topic (const char *producer, const char *type, char *buf, size_t size)
{
    int n = snprintf (buf, size, "%s.%s", producer, type);
    return n < 0 || (size_t) n >= size ? -1 : 0;
}

Kw__Envelope *
kw_outbox_envelope (PGresult *res, int row, const char *producer, kw_arena_t *arena)
{
    Kw__Envelope *env = kw_arena_calloc (arena, sizeof *env);
    kw__envelope__init (env);
    char *end = NULL;
    env->seq = strtoull (PQgetvalue (res, row, 0), &end, 10);
    if (!end || *end || env->seq == 0)
        return NULL;
    env->event_id = kw_arena_strdup (arena, PQgetvalue (res, row, 1));
    env->type = kw_arena_strdup (arena, PQgetvalue (res, row, 2));
    env->region = kw_arena_strdup (arena, PQgetvalue (res, row, 3));
    env->correlation_id = kw_arena_strdup (arena, PQgetvalue (res, row, 4));
    env->occurred_at = kw_arena_strdup (arena, PQgetvalue (res, row, 5));
    env->producer = kw_arena_strdup (arena, producer);
    size_t len = 0;
    unsigned char *bytes = PQunescapeBytea ((const unsigned char *) PQgetvalue (res, row, 6), &len);
    if (!bytes)
        return NULL;
    env->payload.data = kw_arena_alloc (arena, len ? len : 1);
    memcpy (env->payload.data, bytes, len);
    env->payload.len = len;
    PQfreemem (bytes);
    return env;
}

// ---------------------------------------------------------------- relay

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
s_listen_stop (kw_relay_t *self)
{
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
    char channel [128];
    snprintf (channel, sizeof channel, NOTIFY_PREFIX "%s", self->producer);
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

static void
s_relay_tick_cb (uv_timer_t *timer)
{
    kw_relay_t *self = timer->data;
    if (!self->listen_poll && kw_db_ensure (self->listen_db) == 0 && !self->listen_poll)
        s_listen_connected (self->listen_db, self);
    kw_relay_run_once (self);
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
    kw_db_prepare (db, "kw_relay_position",
        "SELECT greatest (last_seq - 256, 0) FROM bus.producers WHERE producer = $1");
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
