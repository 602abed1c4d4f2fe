/*  kw_db: a PostgreSQL connection that reconnects, with lazily prepared
    named statements. Every query is parameterised. A transaction's BEGIN
    goes with its first statement, and its deferred statements with the
    next one (or the COMMIT), in one round trip. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kw_db.h"
#include "kw_log.h"
#include "kw_runtime_metrics.h"
#include "kw_time.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000
//  Named statements are found by a hash of the name (every query looks one up).
#define STATEMENT_BUCKETS 128

typedef struct _statement_t {
    char *name;
    char *sql;
    int prepared;                   //  on the current connection
    struct _statement_t *next;      //  every statement
    struct _statement_t *same_bucket;
} statement_t;

//  A statement of the open transaction not sent yet, its parameters copied.
typedef struct _deferred_t {
    const char *name;               //  prepared name, or NULL
    const char *sql;                //  SQL when not prepared
    int nparams;
    const char **values;
    int *lengths;
    int *formats;
    int expect_rows;                //  rows it must return, or -1
    struct _deferred_t *next;
} deferred_t;

struct _kw_db_t {
    char *conninfo;
    char *user;
    char *application_name;
    PGconn *conn;
    int up;
    int begin_pending;              //  kw_db_begin called, BEGIN not yet sent
    int connected_before;           //  a connection was made once (the next is a reconnect)
    statement_t *statements;
    statement_t *buckets [STATEMENT_BUCKETS];
    deferred_t *deferred;           //  in order, sent with the next round trip
    deferred_t **deferred_tail;
    kw_db_connect_fn *on_connect;
    void *on_connect_arg;
    uint64_t next_attempt;          //  monotonic ms
    unsigned backoff;
    char error [512];
    char sqlstate [6];
};

kw_db_t *
kw_db_new (const char *conninfo, const char *user, const char *application_name)
{
    assert (conninfo);
    kw_db_t *self = calloc (1, sizeof *self);
    assert (self);
    self->conninfo = strdup (conninfo);
    self->user = user && *user ? strdup (user) : NULL;
    self->application_name = strdup (application_name ? application_name : "kw");
    self->backoff = BACKOFF_MIN_MS;
    self->deferred_tail = &self->deferred;
    return self;
}

static void
s_drop_deferred (kw_db_t *self)
{
    while (self->deferred) {
        deferred_t *d = self->deferred;
        self->deferred = d->next;
        free (d);
    }
    self->deferred_tail = &self->deferred;
}

void
kw_db_destroy (kw_db_t **self_p)
{
    assert (self_p);
    kw_db_t *self = *self_p;
    if (!self)
        return;
    if (self->conn)
        PQfinish (self->conn);
    s_drop_deferred (self);
    while (self->statements) {
        statement_t *st = self->statements;
        self->statements = st->next;
        free (st->name);
        free (st->sql);
        free (st);
    }
    free (self->conninfo);
    free (self->user);
    free (self->application_name);
    free (self);
    *self_p = NULL;
}

void
kw_db_on_connect (kw_db_t *self, kw_db_connect_fn *fn, void *arg)
{
    self->on_connect = fn;
    self->on_connect_arg = arg;
}

static void
s_set_error (kw_db_t *self, const char *message, const char *sqlstate)
{
    snprintf (self->error, sizeof self->error, "%s", message ? message : "unknown error");
    size_t len = strlen (self->error);
    while (len && (self->error [len - 1] == '\n' || self->error [len - 1] == ' '))
        self->error [--len] = 0;
    snprintf (self->sqlstate, sizeof self->sqlstate, "%s", sqlstate ? sqlstate : "");
}

static void
s_mark_down (kw_db_t *self)
{
    if (self->up) {
        kw_warn ("db_down", "reason", self->error);
        kw_db_metrics_down (self->application_name);
    }
    self->up = 0;
    self->begin_pending = 0;
    s_drop_deferred (self);
    if (self->conn) {
        PQfinish (self->conn);
        self->conn = NULL;
    }
}

static int
s_attempt (kw_db_t *self)
{
    //  Defaults first, so the URL can override them: a connection whose
    //  server went away without a word (a host or container gone) is
    //  found dead by TCP keepalives within about 25 s of silence, rather
    //  than waited on for ever.
    const char *keys [] = { "connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                            "dbname", "application_name", "user", NULL };
    const char *values [] = { "5", "10", "5", "3", self->conninfo, self->application_name, self->user, NULL };
    PGconn *conn = PQconnectdbParams (keys, values, 1);
    if (PQstatus (conn) != CONNECTION_OK) {
        s_set_error (self, PQerrorMessage (conn), "08000");
        PQfinish (conn);
        return -1;
    }
    PGresult *res = PQexec (conn, "SET synchronous_commit = on");
    PQclear (res);
    if (self->conn)
        PQfinish (self->conn);
    self->conn = conn;
    self->up = 1;
    self->begin_pending = 0;
    self->backoff = BACKOFF_MIN_MS;
    for (statement_t *st = self->statements; st; st = st->next)
        st->prepared = 0;
    kw_info ("db_connected");
    kw_db_metrics_connected (self->application_name, self->connected_before);
    self->connected_before = 1;
    if (self->on_connect)
        self->on_connect (self, self->on_connect_arg);
    return 0;
}

int
kw_db_connect (kw_db_t *self, unsigned wait_ms)
{
    uint64_t give_up = kw_time_mono_ms () + wait_ms;
    unsigned backoff = BACKOFF_MIN_MS;
    while (s_attempt (self) != 0) {
        if (kw_time_mono_ms () + backoff > give_up)
            return -1;
        usleep (backoff * 1000);
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    return 0;
}

int
kw_db_ensure (kw_db_t *self)
{
    if (self->up && self->conn && PQstatus (self->conn) == CONNECTION_OK)
        return 0;
    if (self->up)
        s_mark_down (self);
    uint64_t now = kw_time_mono_ms ();
    if (now < self->next_attempt)
        return -1;
    if (s_attempt (self) == 0)
        return 0;
    self->next_attempt = now + self->backoff;
    self->backoff = self->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : self->backoff * 2;
    return -1;
}

int
kw_db_up (kw_db_t *self)
{
    return self->up;
}

//  FNV-1a of the name, a bucket's index.
static size_t
s_bucket (const char *name)
{
    uint32_t hash = 2166136261u;
    for (const unsigned char *c = (const unsigned char *) name; *c; c++)
        hash = (hash ^ *c) * 16777619u;
    return hash % STATEMENT_BUCKETS;
}

static statement_t *
s_statement (kw_db_t *self, const char *name)
{
    for (statement_t *st = self->buckets [s_bucket (name)]; st; st = st->same_bucket)
        if (strcmp (st->name, name) == 0)
            return st;
    return NULL;
}

int
kw_db_prepare (kw_db_t *self, const char *name, const char *sql)
{
    if (s_statement (self, name))
        return -1;
    statement_t *st = calloc (1, sizeof *st);
    assert (st);
    st->name = strdup (name);
    st->sql = strdup (sql);
    st->next = self->statements;
    self->statements = st;
    size_t bucket = s_bucket (name);
    st->same_bucket = self->buckets [bucket];
    self->buckets [bucket] = st;
    return 0;
}

//  Inspect a result: keep it when it succeeded, else record the error, mark
//  the connection down when it was lost, and return NULL.
static PGresult *
s_check (kw_db_t *self, PGresult *res)
{
    ExecStatusType status = res ? PQresultStatus (res) : PGRES_FATAL_ERROR;
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
        return res;
    if (res)
        //  The primary message only: DETAIL lines can quote the row's values.
        s_set_error (self, PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY)
                           ? PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY) : PQresultErrorMessage (res),
                     PQresultErrorField (res, PG_DIAG_SQLSTATE));
    else
        s_set_error (self, PQerrorMessage (self->conn), "08006");
    PQclear (res);
    kw_db_metrics_error (self->application_name, self->sqlstate);
    if (PQstatus (self->conn) != CONNECTION_OK)
        s_mark_down (self);
    return NULL;
}

//  One statement of a round trip.
typedef struct {
    const char *name;               //  prepared name, or NULL
    const char *sql;                //  SQL when not prepared
    int nparams;
    const char *const *values;
    const int *lengths;
    const int *formats;
    int result_format;
    int expect_rows;                //  rows it must return, or -1
    int is_commit;                  //  COMMIT: it must report COMMIT
} item_t;

static const item_t s_begin_item = { NULL, "BEGIN", 0, NULL, NULL, NULL, 0, -1, 0 };
static const item_t s_commit_item = { NULL, "COMMIT", 0, NULL, NULL, NULL, 0, -1, 1 };

static int
s_send (PGconn *conn, const item_t *it)
{
    return it->name ? PQsendQueryPrepared (conn, it->name, it->nparams, it->values, it->lengths, it->formats,
                                           it->result_format)
                    : PQsendQueryParams (conn, it->sql, it->nparams, NULL, it->values, it->lengths,
                                         it->formats, it->result_format);
}

static PGresult *
s_exec_item (PGconn *conn, const item_t *it)
{
    return it->name ? PQexecPrepared (conn, it->name, it->nparams, it->values, it->lengths, it->formats,
                                      it->result_format)
                    : PQexecParams (conn, it->sql, it->nparams, NULL, it->values, it->lengths, it->formats,
                                    it->result_format);
}

//  The first result of the next query in the pipeline, the rest dropped.
static PGresult *
s_pipeline_result (PGconn *conn)
{
    PGresult *first = PQgetResult (conn);
    if (first) {
        PGresult *more;
        while ((more = PQgetResult (conn)) != NULL)
            PQclear (more);
    }
    return first;
}

//  Check an item's result: kept (returned) when it succeeded as the item
//  must, else NULL with the error recorded and the result freed.
static PGresult *
s_check_item (kw_db_t *self, const item_t *it, PGresult *res)
{
    if (it->is_commit) {
        //  COMMIT of a failed transaction "succeeds" with the tag ROLLBACK.
        if (PQresultStatus (res) == PGRES_COMMAND_OK && strcmp (PQcmdStatus (res), "COMMIT") != 0) {
            PQclear (res);
            s_set_error (self, "transaction was rolled back", "40000");
            return NULL;
        }
        return s_check (self, res);
    }
    if (!(res = s_check (self, res)))
        return NULL;
    if (it->expect_rows >= 0 && PQntuples (res) != it->expect_rows) {
        PQclear (res);
        s_set_error (self, "a deferred statement returned an unexpected number of rows", "21000");
        return NULL;
    }
    return res;
}

//  Run the items in order, one round trip (libpq's pipeline mode) when
//  there are several, else one at a time. Stops at the first failure.
//  0 with *out the result of item keep (-1: none kept), or -1 (error kept).
static int
s_run_items (kw_db_t *self, const item_t *items, size_t count, size_t keep, PGresult **out)
{
    PGconn *conn = self->conn;
    *out = NULL;
    if (count > 1 && PQenterPipelineMode (conn) == 1) {
        int sent = 1;
        for (size_t i = 0; sent && i < count; i++)
            sent = s_send (conn, &items [i]) == 1;
        sent = sent && PQpipelineSync (conn) == 1;
        PGresult **results = calloc (count, sizeof *results);
        assert (results);
        for (size_t i = 0; sent && i < count; i++)
            results [i] = s_pipeline_result (conn);
        PGresult *sync = sent ? PQgetResult (conn) : NULL;
        int synced = PQresultStatus (sync) == PGRES_PIPELINE_SYNC;
        PQclear (sync);
        int failed = 0;
        if (!synced || PQexitPipelineMode (conn) != 1) {
            //  Only a broken connection leaves the pipeline unfinished.
            s_set_error (self, PQerrorMessage (conn), "08006");
            s_mark_down (self);
            failed = 1;
        }
        for (size_t i = 0; i < count; i++) {
            if (!failed && !(results [i] = s_check_item (self, &items [i], results [i])))
                failed = 1;
            else
            if (i == keep && !failed)
                *out = results [i];
            else
                PQclear (results [i]);
        }
        free (results);
        if (failed) {
            PQclear (*out);
            *out = NULL;
            return -1;
        }
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        PGresult *res = s_check_item (self, &items [i], s_exec_item (conn, &items [i]));
        if (!res) {
            PQclear (*out);
            *out = NULL;
            return -1;
        }
        if (i == keep)
            *out = res;
        else
            PQclear (res);
    }
    return 0;
}

//  One round trip: BEGIN when one is pending, the deferred statements, the
//  statement q (when not NULL), then COMMIT when commit. 0 with *out the
//  result of q (NULL without q), or -1 (error kept; a COMMIT that did not
//  commit is an error too, and leaves the failed transaction to roll back).
static int
s_round_trip (kw_db_t *self, const item_t *q, int commit, PGresult **out)
{
    //  A deferred statement's count of rows is checked here, not by the
    //  server, which would commit whatever it returned: the COMMIT then
    //  waits for the check, in a round trip of its own.
    int commit_after = 0;
    for (deferred_t *d = self->deferred; commit && d; d = d->next)
        commit_after |= d->expect_rows >= 0;
    if (commit_after)
        commit = 0;
    size_t count = (size_t) self->begin_pending + (q ? 1 : 0) + (size_t) (commit != 0);
    for (deferred_t *d = self->deferred; d; d = d->next)
        count++;
    item_t stack [8];
    item_t *items = count <= 8 ? stack : malloc (count * sizeof *items);
    assert (items);
    size_t n = 0, keep = (size_t) -1;
    if (self->begin_pending)
        items [n++] = s_begin_item;
    for (deferred_t *d = self->deferred; d; d = d->next)
        items [n++] = (item_t) { d->name, d->sql, d->nparams, d->values, d->lengths, d->formats, 0,
                                 d->expect_rows, 0 };
    if (q) {
        keep = n;
        items [n++] = *q;
    }
    if (commit)
        items [n++] = s_commit_item;
    self->begin_pending = 0;
    int rc = s_run_items (self, items, n, keep, out);
    s_drop_deferred (self);
    if (items != stack)
        free (items);
    if (rc == 0 && commit_after) {
        PGresult *none;
        if (s_run_items (self, &s_commit_item, 1, (size_t) -1, &none) != 0) {
            PQclear (*out);
            *out = NULL;
            return -1;
        }
    }
    return rc;
}

//  Send what is pending (BEGIN, deferred statements) before what cannot go
//  with it. 0 or -1.
static int
s_flush (kw_db_t *self)
{
    PGresult *none;
    if (!self->begin_pending && !self->deferred)
        return 0;
    return s_round_trip (self, NULL, 0, &none);
}

//  The statement named stmt, prepared on this connection when it is one
//  (NULL: stmt is SQL); 0, or -1 when it could not be prepared.
static int
s_prepared (kw_db_t *self, const char *stmt, statement_t **st_out)
{
    statement_t *st = s_statement (self, stmt);
    *st_out = st;
    if (!st || st->prepared)
        return 0;
    PGresult *res = s_check (self, PQprepare (self->conn, st->name, st->sql, 0, NULL));
    if (!res)
        return -1;
    PQclear (res);
    st->prepared = 1;
    return 0;
}

static int
s_down (kw_db_t *self)
{
    if (self->up && self->conn)
        return 0;
    s_set_error (self, "database connection is down", "08003");
    return -1;
}

//  Run stmt with what is pending, COMMIT after it when commit.
static PGresult *
s_query (kw_db_t *self, const char *stmt, int nparams, const char *const *values, const int *lengths,
         const int *formats, int result_format, int commit)
{
    statement_t *st;
    if (s_down (self) != 0 || s_prepared (self, stmt, &st) != 0)
        return NULL;
    item_t q = { st ? st->name : NULL, st ? NULL : stmt, nparams, values, lengths, formats, result_format,
                 -1, 0 };
    PGresult *res;
    return s_round_trip (self, &q, commit, &res) == 0 ? res : NULL;
}

PGresult *
kw_db_queryb (kw_db_t *self, const char *stmt, int nparams, const char *const *values,
              const int *lengths, const int *formats, int result_format)
{
    return s_query (self, stmt, nparams, values, lengths, formats, result_format, 0);
}

int
kw_db_defer (kw_db_t *self, const char *stmt, int nparams, const char *const *values,
             const int *lengths, const int *formats, int expect_rows)
{
    statement_t *st;
    if (s_down (self) != 0 || s_prepared (self, stmt, &st) != 0)
        return -1;
    if (!self->begin_pending && PQtransactionStatus (self->conn) != PQTRANS_INTRANS) {
        //  No transaction to carry it: now.
        item_t q = { st ? st->name : NULL, st ? NULL : stmt, nparams, values, lengths, formats, 0,
                     expect_rows, 0 };
        PGresult *res;
        if (s_round_trip (self, &q, 0, &res) != 0)
            return -1;
        PQclear (res);
        return 0;
    }
    //  One block: the entry, its arrays, then the values and the SQL.
    size_t size = sizeof (deferred_t) + (size_t) nparams * (sizeof (char *) + 2 * sizeof (int));
    for (int i = 0; i < nparams; i++)
        if (values [i])
            size += (lengths && formats && formats [i] ? (size_t) lengths [i] : strlen (values [i])) + 1;
    size += st ? 0 : strlen (stmt) + 1;
    deferred_t *d = calloc (1, size);
    assert (d);
    d->values = (const char **) (d + 1);
    d->lengths = (int *) (d->values + nparams);
    d->formats = d->lengths + nparams;
    char *at = (char *) (d->formats + nparams);
    for (int i = 0; i < nparams; i++) {
        int binary = lengths && formats && formats [i];
        d->formats [i] = binary;
        if (!values [i])
            continue;
        size_t len = binary ? (size_t) lengths [i] : strlen (values [i]);
        d->lengths [i] = (int) len;
        memcpy (at, values [i], len);
        at [len] = 0;
        d->values [i] = at;
        at += len + 1;
    }
    d->name = st ? st->name : NULL;
    if (!st) {
        strcpy (at, stmt);
        d->sql = at;
    }
    d->nparams = nparams;
    d->expect_rows = expect_rows;
    *self->deferred_tail = d;
    self->deferred_tail = &d->next;
    return 0;
}

//  The rows a statement's result touched, the result freed; -1 without one.
static int
s_rows_touched (PGresult *res)
{
    if (!res)
        return -1;
    int count = atoi (PQcmdTuples (res));
    PQclear (res);
    return count;
}

int
kw_db_exec_commit (kw_db_t *self, const char *stmt, int nparams, const char *const *values)
{
    return s_rows_touched (s_query (self, stmt, nparams, values, NULL, NULL, 0, 1));
}

PGresult *
kw_db_query (kw_db_t *self, const char *stmt, int nparams, const char *const *values)
{
    return kw_db_queryb (self, stmt, nparams, values, NULL, NULL, 0);
}

int
kw_db_exec (kw_db_t *self, const char *stmt, int nparams, const char *const *values)
{
    PGresult *res = kw_db_query (self, stmt, nparams, values);
    if (!res)
        return -1;
    PQclear (res);
    return 0;
}

int
kw_db_exec_count (kw_db_t *self, const char *stmt, int nparams, const char *const *values,
                  const int *lengths, const int *formats)
{
    return s_rows_touched (kw_db_queryb (self, stmt, nparams, values, lengths, formats, 0));
}

int
kw_db_copy_in (kw_db_t *self, const char *sql, const char *data, size_t len)
{
    if (s_down (self) != 0 || s_flush (self) != 0)
        return -1;
    PGresult *res = PQexec (self->conn, sql);
    if (PQresultStatus (res) != PGRES_COPY_IN) {
        res = s_check (self, res);
        if (res) {
            PQclear (res);
            s_set_error (self, "the statement is not COPY FROM STDIN", "42000");
        }
        return -1;
    }
    PQclear (res);
    //  In pieces: PQputCopyData takes an int length.
    const size_t chunk = 1 << 20;
    int ok = 1;
    for (size_t at = 0; ok && at < len; at += chunk)
        ok = PQputCopyData (self->conn, data + at, (int) (len - at < chunk ? len - at : chunk)) == 1;
    if (PQputCopyEnd (self->conn, ok ? NULL : "copy data could not be sent") != 1)
        ok = 0;
    int failed = !ok;
    while ((res = PQgetResult (self->conn)) != NULL)
        if (!s_check (self, res))
            failed = 1;
        else
            PQclear (res);
    return failed ? -1 : 0;
}

int
kw_db_begin (kw_db_t *self)
{
    if (s_down (self) != 0)
        return -1;
    self->begin_pending = 1;
    return 0;
}

int
kw_db_commit (kw_db_t *self)
{
    if (self->begin_pending && !self->deferred) {
        self->begin_pending = 0;            //  nothing ran: nothing to commit
        return 0;
    }
    PGresult *none;
    if (s_down (self) != 0)
        return -1;
    return s_round_trip (self, NULL, 1, &none);
}

void
kw_db_rollback (kw_db_t *self)
{
    self->begin_pending = 0;
    s_drop_deferred (self);
    if (self->up && self->conn && PQtransactionStatus (self->conn) != PQTRANS_IDLE) {
        PGresult *res = PQexec (self->conn, "ROLLBACK");
        PQclear (res);
        if (PQstatus (self->conn) != CONNECTION_OK)
            s_mark_down (self);
    }
}

const char *
kw_db_error (kw_db_t *self)
{
    return self->error;
}

const char *
kw_db_sqlstate (kw_db_t *self)
{
    return self->sqlstate;
}

PGconn *
kw_db_conn (kw_db_t *self)
{
    if (self->up && self->conn && s_flush (self) != 0)
        return NULL;
    return self->up ? self->conn : NULL;
}
