/*  kw_rpc_metrics: RPC durations by method and outcome (see kw_rpc_metrics.h). */
#include <uv.h>
#include "kw_metrics.h"
#include "kw_rpc_metrics.h"

const char *
kw_rpc_metrics_outcome (Kw__Status status)
{
    switch (status) {
        case KW__STATUS__STATUS_OK: return "ok";
        case KW__STATUS__STATUS_INVALID: return "invalid";
        case KW__STATUS__STATUS_NOT_FOUND: return "not_found";
        case KW__STATUS__STATUS_CONFLICT: return "conflict";
        case KW__STATUS__STATUS_FORBIDDEN: return "forbidden";
        case KW__STATUS__STATUS_UNAVAILABLE: return "unavailable";
        default: return "internal";
    }
}

static double
s_seconds_since (uint64_t started_ns)
{
    return (double) (uv_hrtime () - started_ns) / 1e9;
}

void
kw_rpc_metrics_served (const char *method, Kw__Status status, uint64_t started_ns)
{
    kw_metric_observe (kw_metrics_histogram ("kw_rpc_server_duration_seconds",
                                             "Time to answer an RPC request, by method and outcome.",
                                             "method,outcome", NULL, 0),
                       s_seconds_since (started_ns), method, kw_rpc_metrics_outcome (status));
}

void
kw_rpc_metrics_called (const char *service, const char *method, const Kw__Response *resp,
                       uint64_t started_ns)
{
    kw_metric_observe (kw_metrics_histogram ("kw_rpc_client_duration_seconds",
                                             "Time a service took to answer an RPC call (timeout: no answer"
                                             " in time), by service, method and outcome.",
                                             "service,method,outcome", NULL, 0),
                       s_seconds_since (started_ns), service, method,
                       resp ? kw_rpc_metrics_outcome (resp->status) : "timeout");
}
