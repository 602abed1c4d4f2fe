/*  kw_consumer: exactly-once application of events (docs/design.md, "The
    event path").
    Offsets live in bus.offsets(consumer, producer, last_seq). Events with
    seq <= last_seq are skipped; the next one is applied and the offset
    advanced in the same transaction; a gap is filled from bus.outbox first.
    Events are read only from the table, never from the socket: a frame on
    the bus is a wake-up naming its producer (docs/security.md, "Events from
    the outbox"), so a forged frame cannot be applied nor take a genuine
    event's seq. The consumer also reads the table on start and on a timer
    while idle, in batches, one transaction per batch. */
#ifndef KW_CONSUMER_H
#define KW_CONSUMER_H

#include <stdint.h>
#include <uv.h>
#include "kw_db.h"
#include "kw_arena.h"
#include "kw_curve.h"
#include "kw/envelope.pb-c.h"

typedef enum {
    KW_APPLY_OK = 0,            //  applied (or not of interest): advance the offset
    KW_APPLY_SKIP = 1,          //  malformed and will never apply: log, advance
    KW_APPLY_RETRY = -1         //  transient failure: roll back the batch, retry later
} kw_apply_result_t;

//  Apply one event inside the consumer's open transaction on db.
typedef kw_apply_result_t (kw_consumer_apply_fn) (kw_db_t *db, const Kw__Envelope *event,
                                                  kw_arena_t *arena, void *arg);
//  Called after each committed batch (e.g. to wake the service's relay).
typedef void (kw_consumer_commit_fn) (size_t applied, void *arg);

typedef struct _kw_consumer_t kw_consumer_t;

//  Subscribe to each producer's events on sub_endpoint (a CURVE client of
//  the bus when curve is on) and start applying. producers is NULL-terminated.
kw_consumer_t *kw_consumer_new (uv_loop_t *loop, kw_db_t *db, void *zctx,
                                const char *sub_endpoint, kw_curve_t *curve,
                                const char *name,
                                const char *const *producers,
                                kw_consumer_apply_fn *apply,
                                kw_consumer_commit_fn *on_commit, void *arg,
                                unsigned catchup_interval_ms,
                                char *err, size_t err_size);
void kw_consumer_destroy (kw_consumer_t **self_p);
//  Read and apply everything in bus.outbox past the offsets now, and write
//  the offsets: events applied or passed over, or -1 on a database failure.
int kw_consumer_catch_up (kw_consumer_t *self);
//  Apply only the events of these topics ("producer.type", NULL-terminated,
//  copied), and wake only on their frames; the other events of the
//  producers are passed over without a transaction, their offset written
//  with the next batch that applies something or on the idle timer. 0, or
//  -1 when the socket refused a subscription.
int kw_consumer_set_topics (kw_consumer_t *self, const char *const *topics);
//  Apply at most events (1 to 256, the default 256) in one transaction, from
//  the socket or the table; a backlog is applied one batch a loop turn.
void kw_consumer_set_batch (kw_consumer_t *self, size_t events);
//  Events applied since start.
uint64_t kw_consumer_applied (kw_consumer_t *self);

#endif
