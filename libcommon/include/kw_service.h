/*  kw_service: the runtime every domain service shares: configuration and
    --help, logging, the database connection and migrations, the outbox relay,
    the event consumer, the RPC server, signals and a clean shutdown. A
    service supplies a kw_service_def_t and calls kw_service_main. Its
    migrations are applied by `--migrate`, as the schema owner; at start it
    runs as its own role and refuses to run until they are applied and
    bus.subscriptions names the producers of its event table. At start and
    every hour its published events older than KW_OUTBOX_RETENTION_S that
    every consumer has applied are deleted (kw_prune), and, when its schema
    has an idempotency table (written to by kw_tx), its expired
    Idempotency-Key answers. */
#ifndef KW_SERVICE_H
#define KW_SERVICE_H

#include <stddef.h>
#include <uv.h>
#include "kw_config.h"
#include "kw_consumer.h"
#include "kw_db.h"
#include "kw_migrate.h"
#include "kw_rpc.h"
#include "kw_rpc_server.h"
#include "kw_topics.h"

typedef struct _kw_service_t kw_service_t;

//  One RPC method of a service: its name ("referral.get") and handler.
typedef struct {
    const char *name;
    void (*fn) (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
} kw_service_method_t;

//  Apply one event inside the consumer's open transaction on db: payload
//  is the envelope's payload unpacked as the row's message (in arena).
//  KW_APPLY_OK applied (or nothing to do), KW_APPLY_SKIP never applicable
//  (logged, the offset advances), KW_APPLY_RETRY transient failure (the
//  batch rolls back and is applied again later).
typedef kw_apply_result_t (kw_service_event_fn) (kw_service_t *svc, kw_db_t *db,
                                                 const Kw__Envelope *event, const void *payload,
                                                 kw_arena_t *arena);

//  One event a service applies: where it comes from (kw_topics.h), the
//  message its payload is, and its handler. An event with no row is passed
//  over (its offset advances); a payload that does not unpack as the
//  message (kw_pb_unpack: nesting bounded before protobuf-c reads it) is
//  skipped with a log line.
typedef struct {
    const char *producer;                       //  KW_PRODUCER_*
    const char *type;                           //  KW_EVENT_*
    const ProtobufCMessageDescriptor *payload;  //  e.g. &kw__eligibility_decided__descriptor
    kw_service_event_fn *fn;
} kw_service_event_t;

typedef struct {
    const char *name;                       //  "referral": schema, producer, role suffix
    const char *summary;                    //  one line for --help
    const kw_migration_t *migrations;       //  embedded sql/ files
    size_t migration_count;
    const kw_service_method_t *methods;     //  RPC methods, ending with { NULL }; NULL: only "health"
    const kw_service_event_t *events;       //  events applied, ending with { NULL }; NULL: none
                                            //  (the producers consumed are those named here)
    int (*start) (kw_service_t *svc);       //  after the database is ready; -1 aborts
    void (*stop) (kw_service_t *svc);       //  before handles close
    void (*reload) (kw_service_t *svc);     //  on SIGHUP (NULL: SIGHUP is ignored)
    void (*after_commit) (kw_service_t *svc);   //  after each committed consumer batch, or NULL
    kw_config_var_t *extra_vars;            //  service-specific configuration
    size_t extra_count;
    size_t consumer_batch;                  //  events in one transaction at most (0: 256); a
                                            //  service whose events take long keeps its RPC
                                            //  calls answered between smaller batches
} kw_service_def_t;

//  From an RPC handler: the answer to req is sent later, with
//  kw_service_answer, by work the handler goes on with between turns of the
//  loop (in steps, so other calls are answered meanwhile). NULL when it
//  cannot be deferred (resp then answers UNAVAILABLE: retry).
kw_rpc_pending_t *kw_service_defer_answer (kw_service_t *svc, Kw__Response *resp, kw_arena_t *arena);
//  On the loop: send a deferred answer (dropped once the service is
//  stopping) and free it. Clears the caller's pointer.
void kw_service_answer (kw_service_t *svc, kw_rpc_pending_t **pending_p, const Kw__Response *resp);

//  Work done off the service's loop, on a worker thread: a database
//  connection of its own (db, opened for the work and closed after it, its
//  statements prepared by the work), a copy of the request, and resp and
//  arena its own. It must not touch the loop, the service's connection or
//  its state; kw_tx_run_on runs its transaction on db.
typedef void (kw_service_work_fn) (kw_service_t *svc, kw_db_t *db, const Kw__Request *req,
                                   Kw__Response *resp, kw_arena_t *arena);

//  From an RPC handler: answer req with work done on a worker thread, so
//  other calls are answered while it runs. When it is done, back on the
//  loop, the relay is woken and the answer sent. 0, or -1 when it cannot be
//  deferred (resp then answers UNAVAILABLE: retry).
int kw_service_defer (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp,
                      kw_arena_t *arena, kw_service_work_fn *work);

//  Run the service until SIGINT/SIGTERM; returns the process exit status.
//  With --health (see kw_health.h) it checks the instance running with the
//  same configuration instead; with --migrate it connects as KW_DB_OWNER,
//  records the producers it consumes in bus.subscriptions, applies the service's
//  migrations and returns.
int kw_service_main (const kw_service_def_t *def, int argc, char **argv);

kw_db_t *kw_service_db (kw_service_t *self);
uv_loop_t *kw_service_loop (kw_service_t *self);
const char *kw_service_name (kw_service_t *self);
//  Value of a configuration variable (common or extra).
const char *kw_service_config (kw_service_t *self, const char *name);
//  Tell the relay that an outbox row was committed.
void kw_service_outbox_committed (kw_service_t *self);
//  Service state for handlers.
void kw_service_set_state (kw_service_t *self, void *state);
void *kw_service_state (kw_service_t *self);

#endif
