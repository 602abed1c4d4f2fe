/*  kw_runtime_metrics: the database, consumer and relay families (see
    kw_runtime_metrics.h). */
#include <stdio.h>
#include "kw_metrics.h"
#include "kw_runtime_metrics.h"

void
kw_db_metrics_connected (const char *connection, int reconnect)
{
    kw_metric_set (kw_metrics_gauge ("kw_db_up", "1 while the database connection is up.",
                                     "connection"), 1, connection);
    kw_metric_add (kw_metrics_counter ("kw_db_reconnects_total",
                                       "Database connections made again after one was lost.",
                                       "connection"), reconnect ? 1 : 0, connection);
    kw_metric_add (kw_metrics_counter ("kw_db_disconnects_total", "Database connections lost.",
                                       "connection"), 0, connection);
}

void
kw_db_metrics_down (const char *connection)
{
    kw_metric_set (kw_metrics_gauge ("kw_db_up", "1 while the database connection is up.",
                                     "connection"), 0, connection);
    kw_metric_add (kw_metrics_counter ("kw_db_disconnects_total", "Database connections lost.",
                                       "connection"), 1, connection);
}

void
kw_db_metrics_error (const char *connection, const char *sqlstate)
{
    char class [3] = "";
    if (sqlstate && sqlstate [0] && sqlstate [1])
        snprintf (class, sizeof class, "%.2s", sqlstate);
    kw_metric_add (kw_metrics_counter ("kw_db_query_errors_total",
                                       "Statements that failed, by SQLSTATE class (08: connection,"
                                       " 23: constraint, 40: rolled back, 57: operator).",
                                       "connection,class"), 1, connection, class);
}

void
kw_consumer_metrics_applied (const char *producer, uint64_t applied)
{
    kw_metric_add (kw_metrics_counter ("kw_consumer_events_applied_total",
                                       "Events applied (offset advanced), by producer.", "producer"),
                   (double) applied, producer);
}

void
kw_consumer_metrics_lag (const char *producer, uint64_t newest, uint64_t last_seq)
{
    kw_metric_set (kw_metrics_gauge ("kw_consumer_lag_events",
                                     "Events of the producer seen (bus or outbox) but not yet applied.",
                                     "producer"),
                   newest > last_seq ? (double) (newest - last_seq) : 0, producer);
}

void
kw_relay_metrics_published (const char *producer, uint64_t events)
{
    kw_metric_add (kw_metrics_counter ("kw_relay_published_total",
                                       "Outbox events published on the bus, by producer.", "producer"),
                   (double) events, producer);
}

void
kw_relay_metrics_backlog (const char *producer, uint64_t backlog)
{
    kw_metric_set (kw_metrics_gauge ("kw_relay_backlog_events",
                                     "Events committed to the outbox and not yet published, by producer.",
                                     "producer"), (double) backlog, producer);
}
