/*  dispatch: one HTTP request from routing to answer. Checks the token,
    builds the route's input message from the JSON body, the query and the
    path, calls the service and turns its Response into HTTP. A request whose
    client goes away cancels its call (the pool's dispose hook). */
#include <ctype.h>
#include <string.h>
#include <time.h>
#include "kw_arena.h"
#include "kw_jwt.h"
#include "kw_log.h"
#include "kw_rpc_metrics.h"
#include "kw_pb.h"
#include "gateway.h"
#include "openapi.h"
#include "outside.h"
#include "request.h"

#define UNROUTED 31

typedef struct {
    gateway_t *gateway;
    h2o_req_t *req;
    const route_t *route;
    size_t index;
    service_id_t service;
    uint64_t call_id;           //  0 when no call is pending
    uint64_t started;           //  uv_hrtime () when the call was made
} call_ctx_t;

static void
s_dispose (void *arg)
{
    call_ctx_t *ctx = arg;
    if (ctx->call_id)
        kw_rpc_client_cancel (ctx->gateway->clients [ctx->service], ctx->call_id);
    ctx->call_id = 0;
}

static int
s_http_status (Kw__Status status, const char **code)
{
    switch (status) {
        case KW__STATUS__STATUS_INVALID: *code = "invalid"; return 400;
        case KW__STATUS__STATUS_NOT_FOUND: *code = "not_found"; return 404;
        case KW__STATUS__STATUS_CONFLICT: *code = "conflict"; return 409;
        case KW__STATUS__STATUS_FORBIDDEN: *code = "forbidden"; return 403;
        case KW__STATUS__STATUS_UNAVAILABLE: *code = "unavailable"; return 503;
        default: *code = "internal"; return 500;
    }
}

//  A service's refusal; a route's refusal message in its payload (e.g. the
//  alternatives of no_common_slot) adds its fields to "error".
static void
s_refusal (gateway_t *self, call_ctx_t *ctx, int status, const char *code, const Kw__Response *resp)
{
    json_t *detail = NULL;
    kw_arena_t *arena = NULL;
    if (ctx->route->refusal && resp->payload.len) {
        arena = kw_arena_new (4096);
        ProtobufCMessage *msg = kw_pb_unpack (ctx->route->refusal, arena, resp->payload.data, resp->payload.len);
        detail = msg ? kw_pbjson_to_json (msg) : NULL;
    }
    reply_service_refusal (self, ctx->req, ctx->index, status, code, resp, detail);
    kw_arena_destroy (&arena);
}

static void
s_on_reply (const Kw__Response *resp, void *arg)
{
    call_ctx_t *ctx = arg;
    gateway_t *self = ctx->gateway;
    ctx->call_id = 0;
    kw_rpc_metrics_called (route_service_names [ctx->service], ctx->route->rpc, resp, ctx->started);
    if (!resp) {
        metrics_unavailable (1);
        kw_warn ("service_unavailable", "service", route_service_names [ctx->service],
                 "route", ctx->route->pattern);
        reply_error (self, ctx->req, ctx->index, 503, "unavailable",
                     "the service did not answer in time; try again", NULL, NULL);
        return;
    }
    if (resp->status != KW__STATUS__STATUS_OK) {
        const char *code;
        int status = s_http_status (resp->status, &code);
        if (resp->code && *resp->code)
            code = resp->code;
        if (status == 500)
            kw_error ("service_error", "service", route_service_names [ctx->service],
                      "route", ctx->route->pattern);
        s_refusal (self, ctx, status, code, resp);
        return;
    }
    kw_arena_t *arena = kw_arena_new (16384);
    ProtobufCMessage *out = kw_pb_unpack (ctx->route->output, arena, resp->payload.data,
                                          resp->payload.len);
    if (!out) {
        kw_error ("malformed_reply", "service", route_service_names [ctx->service]);
        reply_error (self, ctx->req, ctx->index, 500, "internal", "the service answered malformed data",
                     NULL, NULL);
    }
    else
    if (ctx->route->text_output) {
        const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name (ctx->route->output,
                                                                                                "text");
        const char *text = field ? *(const char *const *) ((const char *) out + field->offset) : NULL;
        reply_text (self, ctx->req, ctx->index, ctx->route->success, ctx->route->text_output, text ? text : "");
    }
    else
        reply_json (self, ctx->req, ctx->index, ctx->route->success, kw_pbjson_to_json (out));
    kw_arena_destroy (&arena);
}

int
dispatch_caller (gateway_t *self, h2o_req_t *req, const route_t *route, int64_t now, kw_jwt_claims_t *claims,
                 request_error_t *err)
{
    ssize_t at = h2o_find_header (&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (tokens_bearer (self->tokens, at >= 0 ? req->headers.entries [at].value.base : NULL,
                       at >= 0 ? req->headers.entries [at].value.len : 0,
                       self->secret, self->secret_len, &self->policy, now, claims, err) != 0)
        return DISPATCH_UNAUTHENTICATED;
    if (!regions_known (self->regions, claims->region, now)) {
        *err = (request_error_t) { .status = 401, .code = "unauthenticated" };
        kw_field_error_set (&err->problem, 0, "", "token region is not a region of this platform");
        return DISPATCH_UNAUTHENTICATED;
    }
    return request_authorise (route, claims, err) != 0 ? DISPATCH_FORBIDDEN : 0;
}

//  The caller's claims; -1 (answered 401 or 403) when refused.
static int
s_authenticate (gateway_t *self, h2o_req_t *req, const route_t *route, size_t index,
                kw_jwt_claims_t *claims)
{
    request_error_t err;
    int refused = dispatch_caller (self, req, route, (int64_t) time (NULL), claims, &err);
    if (!refused)
        return 0;
    if (refused == DISPATCH_FORBIDDEN) {
        metrics_forbidden (1);
        kw_info ("forbidden_role", "route", route->pattern, "method", route->method, "role", claims->role,
                 "region", claims->region);
    }
    else
        metrics_unauthenticated (1);
    reply_error (self, req, index, err.status, err.code, err.problem.message, NULL, NULL);
    return -1;
}

//  A header's value, or NULL (with len 0) when the request has none.
static const char *
s_header (h2o_req_t *req, const h2o_token_t *token, const char *name, size_t name_len, size_t *len)
{
    ssize_t at = token ? h2o_find_header (&req->headers, token, -1)
                       : h2o_find_header_by_str (&req->headers, name, name_len, -1);
    *len = at >= 0 ? req->headers.entries [at].value.len : 0;
    return at >= 0 ? req->headers.entries [at].value.base : NULL;
}

void
dispatch_parts (h2o_req_t *req, request_parts_t *parts)
{
    *parts = (request_parts_t) {
        .body = req->entity.base, .body_len = req->entity.len,
        .query = req->query_at != SIZE_MAX ? req->path.base + req->query_at + 1 : NULL,
        .query_len = req->query_at != SIZE_MAX ? req->path.len - req->query_at - 1 : 0,
    };
    parts->idempotency_key = s_header (req, NULL, H2O_STRLIT ("idempotency-key"), &parts->idempotency_key_len);
    parts->content_type = s_header (req, H2O_TOKEN_CONTENT_TYPE, NULL, 0, &parts->content_type_len);
}

static void
s_forward (gateway_t *self, h2o_req_t *req, const route_match_t *m, const kw_jwt_claims_t *claims)
{
    request_parts_t parts;
    dispatch_parts (req, &parts);
    kw_arena_t *arena = kw_arena_new (16384);
    request_rpc_t rpc;
    request_error_t err;
    if (request_build (m, claims, self->max_body, &parts, arena, &rpc, &err) != 0) {
        reply_error (self, req, m->index, err.status, err.code, err.problem.message, err.problem.field, NULL);
        kw_arena_destroy (&arena);
        return;
    }
    call_ctx_t *ctx = h2o_mem_alloc_shared (&req->pool, sizeof *ctx, s_dispose);
    *ctx = (call_ctx_t) { .gateway = self, .req = req, .route = m->route,
                          .index = m->index, .service = m->route->service,
                          .started = uv_hrtime () };
    ctx->call_id = kw_rpc_client_call (self->clients [ctx->service], &rpc.request,
                                       m->route->timeout_ms ? m->route->timeout_ms
                                                            : self->rpc_timeout_ms, s_on_reply, ctx);
    kw_arena_destroy (&arena);
}

int
dispatch_route (h2o_req_t *req, route_match_t *m, char *allow, size_t allow_size)
{
    //  Route on the path as sent: h2o's normalised path decodes %2F before
    //  resolving "..", so /v1/referrals/%2e%2e%2f%2e%2e%2fmetrics reached /metrics.
    size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    return routes_match (req->method.base, req->method.len, req->path.base, path_len, m, allow, allow_size);
}

int
dispatch_request (h2o_handler_t *handler, h2o_req_t *req)
{
    gateway_t *self = (gateway_t *) handler;
    route_match_t m;
    char allow [64];
    int found = dispatch_route (req, &m, allow, sizeof allow);
    if (found == -1) {
        reply_error (self, req, UNROUTED, 404, "not_found", "no such resource", NULL, NULL);
        return 0;
    }
    if (found == -2) {
        h2o_add_header (&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, allow, strlen (allow));
        reply_error (self, req, UNROUTED, 405, "method_not_allowed",
                     "this resource does not take that method", NULL, NULL);
        return 0;
    }
    if (m.route->kind == ROUTE_HEALTH) {
        health_request (self, req, m.index);
        return 0;
    }
    if (m.route->kind == ROUTE_METRICS) {
        metrics_request (self, req, m.index);
        return 0;
    }
    if (m.route->kind == ROUTE_OPENAPI) {
        reply_json (self, req, m.index, 200, openapi_document ());
        return 0;
    }
    if (m.route->kind == ROUTE_LINK) {
        outside_link (self, req, &m);
        return 0;
    }
    if (m.route->kind == ROUTE_NOTIFY_CALLBACK) {
        outside_notify_callback (self, req, &m);
        return 0;
    }
    kw_jwt_claims_t claims;
    if (s_authenticate (self, req, m.route, m.index, &claims) != 0)
        return 0;
    s_forward (self, req, &m, &claims);
    return 0;
}
