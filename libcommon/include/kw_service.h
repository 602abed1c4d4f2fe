/*  kw_service: the runtime every domain service shares: configuration and
    --help, logging, the database connection and migrations, the outbox relay,
    the event consumer, the RPC server, signals and a clean shutdown. A
    service supplies a kw_service_def_t and calls kw_service_main. */
#ifndef KW_SERVICE_H
#define KW_SERVICE_H

#include <stddef.h>
#include <uv.h>
#include "kw_config.h"
#include "kw_consumer.h"
#include "kw_db.h"
#include "kw_migrate.h"
#include "kw_rpc.h"

typedef struct _kw_service_t kw_service_t;

//  One RPC method of a service: its name ("referral.get") and handler.
typedef struct {
    const char *name;
    void (*fn) (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
} kw_service_method_t;

typedef struct {
    const char *name;                       //  "referral": schema, producer, role suffix
    const char *summary;                    //  one line for --help
    const kw_migration_t *migrations;       //  embedded sql/ files
    size_t migration_count;
    const char *const *consumes;            //  producers to consume, NULL-terminated, or NULL
    kw_consumer_apply_fn *apply;            //  event handler (with consumes)
    const kw_service_method_t *methods;     //  RPC methods, ending with { NULL }; NULL: only "health"
    int (*start) (kw_service_t *svc);       //  after the database is ready; -1 aborts
    void (*stop) (kw_service_t *svc);       //  before handles close
    void (*reload) (kw_service_t *svc);     //  on SIGHUP (NULL: SIGHUP is ignored)
    void (*after_commit) (kw_service_t *svc);   //  after each committed consumer batch, or NULL
    kw_config_var_t *extra_vars;            //  service-specific configuration
    size_t extra_count;
} kw_service_def_t;

//  Run the service until SIGINT/SIGTERM; returns the process exit status.
//  With --health (see kw_health.h) it checks the instance running with the
//  same configuration instead; with --migrate it applies the service's
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
