/*  kw_tx: the one way to write an RPC method that changes state. The
    handler names its steps in a kw_tx_def_t and kw_tx_run runs them in one
    transaction on the service's connection:
      1. authorise: may this caller do this, by role, region and
         relationship to the record (read inside the transaction);
      2. replay: the answer kept under the request's Idempotency-Key for this
         caller and method (kw_idempotency), if there is one: only a caller
         the handler has just authorised ever gets it;
      3. write: the change, its events (kw_outbox_insert), its audit records,
         and the answer in resp.
    An OK answer commits with the answer kept under the key, and the
    service's relay is woken for the events. An error answer (a refusal, a
    conflict) commits what the steps wrote, such as the audit record of a
    refusal, and keeps no answer, so a retry is decided again. A database
    failure rolls everything back and answers UNAVAILABLE "the <what> could
    not be stored; retry with the same Idempotency-Key", or, when the handler
    names one, a unique violation (23505) as a CONFLICT on a field.
    A handler that writes nothing (a read) does not use kw_tx. Work that is
    not a request (a sweep, a batch) commits each item in a transaction of
    its own with kw_tx_job. */
#ifndef KW_TX_H
#define KW_TX_H

#include "kw_service.h"

//  What each step sees.
typedef struct {
    kw_service_t *svc;
    kw_db_t *db;                    //  the service's connection, in the transaction
    const Kw__Request *req;
    Kw__Response *resp;
    kw_arena_t *arena;
    void *arg;                      //  the handler's own state (its input, what it loaded)
} kw_tx_t;

typedef struct {
    const char *name;               //  for logs, e.g. "referral_withdraw"
    const char *what;               //  for the retry answer: "the <what> could not be stored"
    //  1 when the caller may go on; 0 when refused with resp answered (what
    //  the step wrote is kept); -1 on a database error. Required.
    int (*authorise) (kw_tx_t *tx);
    //  0 with resp answered (OK or an error); -1 on a database error. Required.
    int (*write) (kw_tx_t *tx);
    //  When set, a unique violation answers CONFLICT on this field with
    //  unique_message (e.g. a concurrent create of the same record).
    const char *unique_field;
    const char *unique_message;
} kw_tx_def_t;

//  Run def's steps for req in one transaction; resp is always answered.
//  1 when the write step's OK answer was committed now (for the handler's
//  log line), 0 otherwise (replayed, refused, an error answer, failed).
int kw_tx_run (const kw_tx_def_t *def, kw_service_t *svc, const Kw__Request *req,
                Kw__Response *resp, kw_arena_t *arena, void *arg);

//  As kw_tx_run, on db (a worker's connection, kw_service_defer), without
//  waking the relay: the caller wakes it on the loop's thread.
int kw_tx_run_on (const kw_tx_def_t *def, kw_service_t *svc, kw_db_t *db, const Kw__Request *req,
                  Kw__Response *resp, kw_arena_t *arena, void *arg);

//  Run work in a transaction of its own on the service's connection, for
//  what is not a request (one case of a sweep, one referral of a batch):
//  commit when it returns 0 or more and wake the relay, roll back when it
//  returns -1. Its result, or -1 when it or the commit failed.
int kw_tx_job (kw_service_t *svc, int (*work) (kw_db_t *db, void *arg), void *arg);

#endif
