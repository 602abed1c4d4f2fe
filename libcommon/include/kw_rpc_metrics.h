/*  kw_rpc_metrics: the RPC families of kw_metrics, both ends. A call is
    counted with its method name (from the service's or the route's table,
    never the caller's text), its outcome (the Response status in lower case:
    ok, invalid, not_found, conflict, forbidden, unavailable, internal; and
    on the client "timeout" when no answer came) and its duration. */
#ifndef KW_RPC_METRICS_H
#define KW_RPC_METRICS_H

#include <stdint.h>
#include "kw/rpc.pb-c.h"

//  The outcome label of a Response status.
const char *kw_rpc_metrics_outcome (Kw__Status status);
//  A request a service answered: kw_rpc_server_duration_seconds{method,outcome}.
//  started_ns is uv_hrtime () when the request was taken.
void kw_rpc_metrics_served (const char *method, Kw__Status status, uint64_t started_ns);
//  A call a client made (resp NULL: no answer in time):
//  kw_rpc_client_duration_seconds{service,method,outcome}.
void kw_rpc_metrics_called (const char *service, const char *method, const Kw__Response *resp,
                            uint64_t started_ns);

#endif
