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

//  A count of events by producer: added to a counter, or set on a gauge.
static void
s_events (const char *name, const char *help, int gauge, const char *producer, uint64_t events)
{
    if (gauge)
        kw_metric_set (kw_metrics_gauge (name, help, "producer"), (double) events, producer);
    else
        kw_metric_add (kw_metrics_counter (name, help, "producer"), (double) events, producer);
}

void
kw_consumer_metrics_applied (const char *producer, uint64_t applied)
{
    s_events ("kw_consumer_events_applied_total", "Events applied (offset advanced), by producer.", 0,
              producer, applied);
}

void
kw_consumer_metrics_lag (const char *producer, uint64_t newest, uint64_t last_seq)
{
    s_events ("kw_consumer_lag_events", "Events of the producer seen (bus or outbox) but not yet applied.",
              1, producer, newest > last_seq ? newest - last_seq : 0);
}

void
kw_relay_metrics_published (const char *producer, uint64_t events)
{
    s_events ("kw_relay_published_total", "Outbox events published on the bus, by producer.", 0,
              producer, events);
}

void
kw_relay_metrics_backlog (const char *producer, uint64_t backlog)
{
    s_events ("kw_relay_backlog_events", "Events committed to the outbox and not yet published, by producer.",
              1, producer, backlog);
}
