/*  kw_db: one PostgreSQL connection with reconnect and prepared statements.
    Queries are parameterised (never built from input) and synchronous: the
    services run them from the loop between events, on a local server. After
    a failure the connection is marked down and kw_db_ensure reconnects with
    exponential backoff; prepared statements are prepared again on first use. */
#ifndef KW_DB_H
#define KW_DB_H

#include <stddef.h>
#include <libpq-fe.h>

typedef struct _kw_db_t kw_db_t;
typedef void (kw_db_connect_fn) (kw_db_t *db, void *arg);

//  conninfo: a libpq URL or key=value string; user overrides its user when set.
kw_db_t *kw_db_new (const char *conninfo, const char *user, const char *application_name);
void kw_db_destroy (kw_db_t **self_p);

//  Called after every successful (re)connection, e.g. to LISTEN again.
void kw_db_on_connect (kw_db_t *self, kw_db_connect_fn *fn, void *arg);

//  Connect, retrying with backoff (100 ms doubling to 2 s) for up to
//  wait_ms milliseconds. 0 or -1 (reason in kw_db_error).
int kw_db_connect (kw_db_t *self, unsigned wait_ms);
//  0 when the connection is usable; otherwise one reconnect attempt if the
//  backoff allows, -1 when still down.
int kw_db_ensure (kw_db_t *self);
//  1 when connected.
int kw_db_up (kw_db_t *self);

//  Register a named statement; prepared lazily on each connection.
int kw_db_prepare (kw_db_t *self, const char *name, const char *sql);

//  Run a registered statement (by name) or plain SQL with text parameters
//  (a NULL value is SQL NULL). Returns the result (caller PQclears) when it
//  succeeded (tuples or command ok); NULL on error, see kw_db_error/sqlstate.
PGresult *kw_db_query (kw_db_t *self, const char *stmt, int nparams, const char *const *values);
//  Same with per-parameter lengths and formats (1 = binary), and the result format.
PGresult *kw_db_queryb (kw_db_t *self, const char *stmt, int nparams,
                        const char *const *values, const int *lengths,
                        const int *formats, int result_format);
//  Run a statement and discard its result: 0 or -1.
int kw_db_exec (kw_db_t *self, const char *stmt, int nparams, const char *const *values);
//  Run a statement and return the rows it affected (inserted, updated,
//  deleted or selected), or -1 on error. lengths and formats as in
//  kw_db_queryb; NULL for text parameters.
int kw_db_exec_count (kw_db_t *self, const char *stmt, int nparams, const char *const *values,
                      const int *lengths, const int *formats);

//  Run a statement whose result matters only for whether it succeeded,
//  inside the open transaction: it is sent with the transaction's next
//  round trip (the next statement, or the COMMIT), in order. expect_rows
//  (-1: any) is how many rows it must return: the client checks that, so
//  a COMMIT after such a statement is sent only once it has been checked
//  (a round trip of its own). Its failure is then the failure of that
//  statement or COMMIT (kw_db_error names it), and the transaction is left
//  to roll back. Outside a transaction it runs now.
//  0, or -1 when it ran now and failed or cannot be sent.
int kw_db_defer (kw_db_t *self, const char *stmt, int nparams, const char *const *values,
                 const int *lengths, const int *formats, int expect_rows);

//  Run "COPY ... FROM STDIN" (sql) and send data (len bytes, in the COPY
//  format sql names) as its input. 0 or -1 (reason in kw_db_error).
int kw_db_copy_in (kw_db_t *self, const char *sql, const char *data, size_t len);

//  Begin a transaction. BEGIN is sent with the transaction's first
//  statement, in one round trip (libpq's pipeline mode); a failure to begin
//  is that statement's failure. COMMIT of a transaction that ran nothing
//  sends nothing; COMMIT goes with the deferred statements.
int kw_db_begin (kw_db_t *self);
int kw_db_commit (kw_db_t *self);
//  Run the transaction's last statement and COMMIT in one round trip: the
//  rows the statement affected (as kw_db_exec_count), or -1 when it failed
//  or the transaction did not commit (roll back then). COMMIT is sent with
//  the statement, so a statement whose outcome decides whether to commit
//  must fail by itself when it should not.
int kw_db_exec_commit (kw_db_t *self, const char *stmt, int nparams, const char *const *values);
//  Roll back; safe when no transaction is open or the connection is down.
void kw_db_rollback (kw_db_t *self);

//  Last error message (static to the connection) and SQLSTATE ("" if none).
const char *kw_db_error (kw_db_t *self);
const char *kw_db_sqlstate (kw_db_t *self);
//  The raw connection (NULL when down, or when what was pending failed), e.g.
//  for PQsocket / PQnotifies; a transaction begun by kw_db_begin is open on
//  it and its deferred statements have run.
PGconn *kw_db_conn (kw_db_t *self);

#endif
