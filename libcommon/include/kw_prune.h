/*  kw_prune: deleting a producer's old events from bus.outbox once every
    consumer that subscribes to it (bus.subscriptions) has applied them and
    they are older than the retention, in batches, each batch its own
    statement. The outbox_prune policy enforces the same rule for the
    runtime roles. */
#ifndef KW_PRUNE_H
#define KW_PRUNE_H

#include "kw_db.h"

//  Delete producer's events older than retention_s seconds that every
//  subscribed consumer has passed, batch rows a statement, until none is
//  left or max_batches statements have run (so a long backlog is deleted a
//  part at a time between loop turns). Returns the rows deleted or -1
//  (reason in kw_db_error); *more is set when the limit stopped it.
long kw_prune_outbox (kw_db_t *db, const char *producer, long retention_s, int batch, int max_batches,
                      int *more);

#endif
