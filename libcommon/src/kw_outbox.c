/*  kw_outbox: events written and numbered in the producer's transaction
    (one at a time, or a batch with one COPY), their topic, and an outbox
    row read back as an Envelope. kw_relay publishes them. */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_buf.h"
#include "kw_outbox.h"
#include "kw_uuid.h"


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
    INSERT_CTE " SELECT pg_notify ('" KW_OUTBOX_NOTIFY_PREFIX "' || $1, ''), seq FROM ins";
static int s_notify;
static _Atomic uint64_t s_written;

uint64_t
kw_outbox_written (void)
{
    return s_written;
}

void
kw_outbox_set_notify (int on)
{
    s_notify = on;
}

//  Insert the event with statement stmt (its text: sql, the event's
//  parameters $1 to $6, then extra_count more). 0 or -1.
static int
s_insert (kw_db_t *db, const char *stmt, const char *sql, const char *producer, const char *type,
          const char *region, const char *correlation_id, const ProtobufCMessage *payload,
          size_t extra_count, const char *const *extra, char *event_id_out)
{
    assert (db && producer && type && payload && extra_count <= KW_OUTBOX_EXTRA_MAX);
    kw_db_prepare (db, stmt, sql);
    char event_id [KW_UUID_SIZE];
    kw_uuid_generate (event_id);
    size_t size = protobuf_c_message_get_packed_size (payload);
    uint8_t *buf = malloc (size ? size : 1);
    assert (buf);
    protobuf_c_message_pack (payload, buf);
    const char *values [6 + KW_OUTBOX_EXTRA_MAX] = { producer, event_id, type, region ? region : "",
                                                     correlation_id ? correlation_id : "", (const char *) buf };
    int lengths [6 + KW_OUTBOX_EXTRA_MAX] = { 0, 0, 0, 0, 0, (int) size };
    int formats [6 + KW_OUTBOX_EXTRA_MAX] = { 0, 0, 0, 0, 0, 1 };
    for (size_t i = 0; i < extra_count; i++)
        values [6 + i] = extra [i];
    //  Nothing of its result is needed now: it goes with the transaction's
    //  next statement or its COMMIT (one round trip less an event).
    int rc = kw_db_defer (db, stmt, (int) (6 + extra_count), values, lengths, formats, 1);
    free (buf);
    if (rc != 0)
        return -1;
    s_written++;
    if (event_id_out)
        memcpy (event_id_out, event_id, KW_UUID_SIZE);
    return 0;
}

int
kw_outbox_insert (kw_db_t *db, const char *producer, const char *type, const char *region,
                  const char *correlation_id, const ProtobufCMessage *payload,
                  char *event_id_out)
{
    return s_notify ? s_insert (db, "kw_outbox_insert_notify", INSERT_NOTIFY_SQL, producer, type, region,
                                correlation_id, payload, 0, NULL, event_id_out)
                    : s_insert (db, "kw_outbox_insert", INSERT_SQL, producer, type, region,
                                correlation_id, payload, 0, NULL, event_id_out);
}

int
kw_outbox_insert_with (kw_db_t *db, const char *stmt, const char *also, const char *producer,
                       const char *type, const char *region, const char *correlation_id,
                       const ProtobufCMessage *payload, size_t extra_count, const char *const *extra,
                       char *event_id_out)
{
    assert (stmt && also);
    char name [128];
    snprintf (name, sizeof name, "%s%s", stmt, s_notify ? "_notify" : "");
    char *sql = NULL;
    if (asprintf (&sql, "%s, also AS (%s) SELECT %sseq FROM ins", INSERT_CTE, also,
                  s_notify ? "pg_notify ('" KW_OUTBOX_NOTIFY_PREFIX "' || $1, ''), " : "") < 0)
        return -1;
    int rc = s_insert (db, name, sql, producer, type, region, correlation_id, payload, extra_count, extra,
                       event_id_out);
    free (sql);
    return rc;
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
    if (rc == 0)
        s_written += self->count;
    if (rc == 0 && s_notify) {
        const char *notify [1] = { self->producer };
        rc = kw_db_exec (db, "SELECT pg_notify ('" KW_OUTBOX_NOTIFY_PREFIX "' || $1, '')", 1, notify);
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
