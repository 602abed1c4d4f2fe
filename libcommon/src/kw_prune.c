/*  kw_prune: old events out of bus.outbox (see kw_prune.h). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include "kw_prune.h"

long
kw_prune_outbox (kw_db_t *db, const char *producer, long retention_s, int batch, int max_batches,
                 int *more)
{
    assert (db && producer && batch > 0 && max_batches > 0 && more);
    *more = 0;
    kw_db_prepare (db, "kw_prune_outbox",
        "DELETE FROM bus.outbox WHERE producer = $1 AND seq IN ("
        " SELECT seq FROM bus.outbox b WHERE b.producer = $1"
        "  AND b.occurred_at < now () - make_interval (secs => $2::bigint)"
        "  AND b.seq <= ALL (SELECT coalesce (o.last_seq, 0) FROM bus.subscriptions s"
        "                    LEFT JOIN bus.offsets o ON o.consumer = s.consumer AND o.producer = s.producer"
        "                    WHERE s.producer = $1)"
        " ORDER BY b.seq LIMIT $3::int)");
    char retention [24], size [16];
    snprintf (retention, sizeof retention, "%ld", retention_s);
    snprintf (size, sizeof size, "%d", batch);
    const char *params [3] = { producer, retention, size };
    long total = 0;
    for (int i = 0; i < max_batches; i++) {
        int deleted = kw_db_exec_count (db, "kw_prune_outbox", 3, params, NULL, NULL);
        if (deleted < 0)
            return -1;
        total += deleted;
        if (deleted < batch)
            return total;
    }
    *more = 1;
    return total;
}
