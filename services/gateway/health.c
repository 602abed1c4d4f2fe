/*  health: GET /v1/health asks every service's "health" method at once and
    answers when all have replied or timed out (a service without its
    database is "degraded"); GET /metrics prints the
    gateway's counters in the Prometheus text format (no labels carry data). */
#include <stdio.h>
#include <string.h>
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
    size_t count;
    const route_t *routes = routes_table (&count);
    h2o_mem_pool_t *pool = &req->pool;
    size_t size = 4096 + (count + 1) * 5 * 160;
    char *text = h2o_mem_alloc_pool (pool, size);
    size_t n = 0;
    n += (size_t) snprintf (text + n, size - n,
        "# HELP kw_gateway_responses_total HTTP answers by route and status class.\n"
        "# TYPE kw_gateway_responses_total counter\n");
    for (size_t r = 0; r <= count && r < 32; r++) {
        size_t row = r < count ? r : 31;
        for (int cls = 1; cls <= 5; cls++) {
            if (!self->answers [row][cls])
                continue;
            n += (size_t) snprintf (text + n, size - n,
                "kw_gateway_responses_total{route=\"%s %s\",class=\"%dxx\"} %llu\n",
                r < count ? routes [r].method : "ANY", r < count ? routes [r].pattern : "unrouted",
                cls, (unsigned long long) self->answers [row][cls]);
        }
    }
    size_t pending = 0;
    for (int i = 0; i < SERVICE_COUNT; i++)
        pending += kw_rpc_client_pending (self->clients [i]);
    n += (size_t) snprintf (text + n, size - n,
        "# HELP kw_gateway_rpc_unavailable_total Calls a service did not answer in time.\n"
        "# TYPE kw_gateway_rpc_unavailable_total counter\n"
        "kw_gateway_rpc_unavailable_total %llu\n"
        "# HELP kw_gateway_unauthenticated_total Requests refused for a missing or bad token.\n"
        "# TYPE kw_gateway_unauthenticated_total counter\n"
        "kw_gateway_unauthenticated_total %llu\n"
        "# HELP kw_gateway_forbidden_total Requests refused because the route does not name the token's role.\n"
        "# TYPE kw_gateway_forbidden_total counter\n"
        "kw_gateway_forbidden_total %llu\n"
        "# HELP kw_gateway_rpc_pending Calls waiting for a service.\n"
        "# TYPE kw_gateway_rpc_pending gauge\n"
        "kw_gateway_rpc_pending %zu\n",
        (unsigned long long) self->unavailable, (unsigned long long) self->unauthenticated,
        (unsigned long long) self->forbidden, pending);
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header (pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                    H2O_STRLIT ("text/plain; version=0.0.4"));
    h2o_send_inline (req, text, n < size ? n : size - 1);
}
