/*  kw_runtime_metrics: the kw_metrics families the shared runtime keeps
    (kw_db, kw_consumer, kw_relay), one call at each hook point. Labels are
    connection names (the application_name: the service, kw-relay-<producer>),
    producer names and SQLSTATE classes. */
#ifndef KW_RUNTIME_METRICS_H
#define KW_RUNTIME_METRICS_H

#include <stdint.h>

//  A database connection was made (reconnect: not its first).
void kw_db_metrics_connected (const char *connection, int reconnect);
//  A database connection was lost.
void kw_db_metrics_down (const char *connection);
//  A statement failed with sqlstate (its first two characters are its class).
void kw_db_metrics_error (const char *connection, const char *sqlstate);

//  A consumer committed applied events of producer.
void kw_consumer_metrics_applied (const char *producer, uint64_t applied);
//  The consumer's lag behind producer: newest (the highest seq it has seen,
//  on the socket or in the table) minus last_seq (its offset).
void kw_consumer_metrics_lag (const char *producer, uint64_t newest, uint64_t last_seq);

//  A relay published events of producer; backlog is the producer's last
//  committed seq minus the relay's cursor (committed, not yet published).
void kw_relay_metrics_published (const char *producer, uint64_t events);
void kw_relay_metrics_backlog (const char *producer, uint64_t backlog);

#endif
