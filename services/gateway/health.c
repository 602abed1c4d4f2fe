/*  health: GET /v1/health asks every service's "health" method at once and
    answers when all have replied or timed out (a service without its
    database is "degraded"); GET /metrics prints the process's kw_metrics
    families in the Prometheus text format (no label carries data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_metrics.h"
#include "kw_pb.h"
#include "gateway.h"

typedef struct health_ctx health_ctx_t;

typedef struct {
    health_ctx_t *parent;
    service_id_t service;
    uint64_t call_id;
} probe_t;

struct health_ctx {
    gateway_t *gateway;
    h2o_req_t *req;
    size_t route;
    int waiting;
    const char *status [SERVICE_COUNT];     //  "ok", "degraded" (no database), "unavailable"
    probe_t probes [SERVICE_COUNT];
};

static void
s_dispose (void *arg)
{
    health_ctx_t *ctx = arg;
    for (int i = 0; i < SERVICE_COUNT; i++)
        if (ctx->probes [i].call_id)
            kw_rpc_client_cancel (ctx->gateway->clients [i], ctx->probes [i].call_id);
}

static void
s_answer (health_ctx_t *ctx)
{
    json_t *services = json_object ();
    int all_ok = 1;
    for (int i = 0; i < SERVICE_COUNT; i++) {
        json_object_set_new (services, route_service_names [i], json_string (ctx->status [i]));
        all_ok &= strcmp (ctx->status [i], "ok") == 0;
    }
    json_t *body = json_pack ("{s:s, s:o}", "status", all_ok ? "ok" : "degraded",
                              "services", services);
    reply_json (ctx->gateway, ctx->req, ctx->route, all_ok ? 200 : 503, body);
}

static void
s_on_probe (const Kw__Response *resp, void *arg)
{
    probe_t *probe = arg;
    health_ctx_t *ctx = probe->parent;
    probe->call_id = 0;
    const char *state = "unavailable";
    if (resp && resp->status == KW__STATUS__STATUS_OK) {
        Kw__HealthReply *reply = kw_pb_check (&kw__health_reply__descriptor, resp->payload.data,
                                              resp->payload.len, KW_PB_MAX_DEPTH) == 0
            ? kw__health_reply__unpack (NULL, resp->payload.len, resp->payload.data) : NULL;
        state = reply && reply->status && strcmp (reply->status, "ok") == 0 ? "ok" : "degraded";
        if (reply)
            kw__health_reply__free_unpacked (reply, NULL);
    }
    ctx->status [probe->service] = state;
    if (--ctx->waiting == 0)
        s_answer (ctx);
}

void
health_request (gateway_t *self, h2o_req_t *req, size_t route)
{
    health_ctx_t *ctx = h2o_mem_alloc_shared (&req->pool, sizeof *ctx, s_dispose);
    memset (ctx, 0, sizeof *ctx);
    ctx->gateway = self;
    ctx->req = req;
    ctx->route = route;
    ctx->waiting = SERVICE_COUNT;
    Kw__Caller caller = KW__CALLER__INIT;
    caller.sub = "gateway";
    caller.role = "admin";
    caller.region = "";
    for (int i = 0; i < SERVICE_COUNT; i++) {
        Kw__Request request = KW__REQUEST__INIT;
        request.method = "health";
        request.caller = &caller;
        ctx->probes [i] = (probe_t) { .parent = ctx, .service = (service_id_t) i };
        ctx->probes [i].call_id = kw_rpc_client_call (self->clients [i], &request,
                                                      self->health_timeout_ms, s_on_probe,
                                                      &ctx->probes [i]);
    }
}

void
metrics_request (gateway_t *self, h2o_req_t *req, size_t route)
{
    reply_count (self, route, 200);
    size_t len;
    char *text = kw_metrics_render (&len);
    h2o_iovec_t body = h2o_strdup (&req->pool, text, len);
    free (text);
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header (&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                    H2O_STRLIT ("text/plain; version=0.0.4; charset=utf-8"));
    reply_send (req, body.base, body.len);
}

void
metrics_collect (void *arg)
{
    gateway_t *self = arg;
    size_t pending = 0;
    for (int i = 0; i < SERVICE_COUNT; i++)
        if (self->clients [i])
            pending += kw_rpc_client_pending (self->clients [i]);
    kw_metric_set (kw_metrics_gauge ("kw_gateway_rpc_pending", "Calls waiting for a service.", NULL),
                   (double) pending);
}

void
metrics_unavailable (double calls)
{
    kw_metric_add (kw_metrics_counter ("kw_gateway_rpc_unavailable_total",
                                       "Calls a service did not answer in time.", NULL), calls);
}

void
metrics_unauthenticated (double requests)
{
    kw_metric_add (kw_metrics_counter ("kw_gateway_unauthenticated_total",
                                       "Requests refused for a missing or bad token.", NULL), requests);
}

void
metrics_forbidden (double requests)
{
    kw_metric_add (kw_metrics_counter ("kw_gateway_forbidden_total",
                                       "Requests refused because the route does not name the token's role.", NULL),
                   requests);
}
