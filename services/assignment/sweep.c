/*  sweep: the timer behind every due time the service keeps in the
    database, so that nothing depends on a timer that dies with the
    process: offers whose expires_at has passed expire (and the next
    candidate is offered), scheduled absences whose start has come start,
    active absences whose end has come end. Each item is handled in its own
    transaction and its events wake the relay; after a restart the first
    run finds whatever fell due meanwhile. Several instances may sweep:
    every item is re-checked under its row's lock. A run takes at most
    BATCH items of each kind; when more are due the next run follows at
    once, the loop turning between runs (RPC calls are answered). */
#include <stdlib.h>
#include "kw_log.h"
#include "kw_ticker.h"
#include "kw_tx.h"
#include "assignment.h"

#define BATCH "16"
#define BATCH_ROWS 16

struct _sweep_t {
    kw_service_t *svc;
    kw_ticker_t *ticker;
    kw_arena_t *arena;
    int prepared;
    int more;                       //  a run found a whole batch due
};

static void
s_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "sweep_offers",
        "SELECT id, case_id FROM assignment.offers WHERE status = 'pending' AND expires_at <= now ()"
        " ORDER BY expires_at LIMIT " BATCH);
    kw_db_prepare (db, "sweep_starts",
        "SELECT id FROM assignment.absences WHERE status = 'scheduled' AND starts_at <= now ()"
        " ORDER BY starts_at LIMIT " BATCH);
    kw_db_prepare (db, "sweep_ends",
        "SELECT id FROM assignment.absences WHERE status = 'active' AND ends_at <= now ()"
        " ORDER BY ends_at LIMIT " BATCH);
}

typedef enum { DUE_OFFER, DUE_START, DUE_END } due_t;

//  One due item, as a kw_tx_job.
typedef struct {
    sweep_t *self;
    due_t kind;
    const char *id;
    const char *case_id;
} item_t;

static int
s_work (kw_db_t *db, void *arg)
{
    item_t *item = arg;
    sweep_t *self = item->self;
    return item->kind == DUE_OFFER ? offers_expire (self->svc, db, item->id, item->case_id, self->arena)
         : item->kind == DUE_START ? absences_start (self->svc, db, item->id, self->arena)
         : absences_end (self->svc, db, item->id, self->arena);
}

//  Handle one due item in its own transaction: 1 done, 0 nothing to do, -1 failed.
static int
s_item (sweep_t *self, due_t kind, const char *id, const char *case_id)
{
    kw_arena_reset (self->arena);
    item_t item = { self, kind, id, case_id };
    int rc = kw_tx_job (self->svc, s_work, &item);
    if (rc < 0)
        kw_warn ("sweep_failed", "id", id, "reason", kw_db_error (kw_service_db (self->svc)));
    return rc;
}

static int
s_due (sweep_t *self, due_t kind, const char *stmt)
{
    kw_db_t *db = kw_service_db (self->svc);
    PGresult *res = kw_db_query (db, stmt, 0, NULL);
    if (!res)
        return -1;
    int done = 0, rows = PQntuples (res);
    for (int i = 0; i < rows; i++) {
        int rc = s_item (self, kind, PQgetvalue (res, i, 0), kind == DUE_OFFER ? PQgetvalue (res, i, 1) : NULL);
        if (rc < 0) {
            done = -1;
            break;
        }
        done += rc;
    }
    PQclear (res);
    //  More may be due; once every item found was handled (no busy loop on
    //  items another instance holds).
    if (rows >= BATCH_ROWS && done == rows)
        self->more = 1;
    return done;
}

int
sweep_run (sweep_t *self)
{
    kw_db_t *db = kw_service_db (self->svc);
    if (kw_db_ensure (db) != 0)
        return -1;
    if (!self->prepared) {
        s_prepare (db);
        self->prepared = 1;
    }
    self->more = 0;
    int offers = s_due (self, DUE_OFFER, "sweep_offers");
    int starts = offers < 0 ? -1 : s_due (self, DUE_START, "sweep_starts");
    int ends = starts < 0 ? -1 : s_due (self, DUE_END, "sweep_ends");
    return ends < 0 ? -1 : offers + starts + ends;
}

//  A run of the ticker: more due when the run found a whole batch.
static int
s_tick (void *arg)
{
    sweep_t *self = arg;
    return sweep_run (self) >= 0 && self->more;
}

sweep_t *
sweep_new (kw_service_t *svc, unsigned interval_ms)
{
    sweep_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->svc = svc;
    self->arena = kw_arena_new (16384);
    self->ticker = kw_ticker_new (kw_service_loop (svc), interval_ms, s_tick, self);
    if (!self->ticker) {
        kw_arena_destroy (&self->arena);
        free (self);
        return NULL;
    }
    return self;
}

void
sweep_destroy (sweep_t **self_p)
{
    sweep_t *self = *self_p;
    if (!self)
        return;
    kw_ticker_destroy (&self->ticker);
    kw_arena_destroy (&self->arena);
    free (self);
    *self_p = NULL;
}
