/*  gateway: the only HTTP surface. Checks the bearer token, turns each
    request into an RPC to the service behind its route, and the answer into
    JSON, errors as {"error": {"code", "message", "field"}}. */
#ifndef GATEWAY_H
#define GATEWAY_H

#include <stddef.h>
#include <stdint.h>
#define H2O_USE_LIBUV 1
#include <h2o.h>
#include "kw_jwt.h"
#include "kw_pbjson.h"
#include "kw_rpc_client.h"
#include "regions.h"
#include "request.h"
#include "routes.h"
#include "tokens.h"

typedef struct {
    h2o_handler_t super;                    //  first: h2o passes this to on_req
    uv_loop_t *loop;
    kw_rpc_client_t *clients [SERVICE_COUNT];
    unsigned char *secret;
    size_t secret_len;
    tokens_t *tokens;                       //  the tokens verified so far (NULL: none kept)
    kw_jwt_policy_t policy;                 //  iss, aud, the longest lifetime
    char issuer [KW_JWT_CLAIM_SIZE];
    char audience [KW_JWT_CLAIM_SIZE];
    regions_t *regions;                     //  the region ids a token may name
    kw_curve_t *curve;              //  CURVE keys of the RPC clients
    unsigned rpc_timeout_ms;
    unsigned health_timeout_ms;
    size_t max_body;
    unsigned char *callback_token;          //  Notify's callback bearer token; NULL: receipts refused
    size_t callback_token_len;
} gateway_t;

//  Entry point for every request (the h2o handler).
int dispatch_request (h2o_handler_t *handler, h2o_req_t *req);
//  Its steps before any RPC, which need no server (tests/fuzz drives them):
//  the route of req on the path as sent (as routes_match: 0, -1 none, -2
//  another method with allow filled); the caller, whose token must verify,
//  name a region the gateway knows and a role the route names (0 with
//  claims filled, else DISPATCH_UNAUTHENTICATED (401) or DISPATCH_FORBIDDEN
//  (403) with err filled); the parts of req the RPC request is built from.
#define DISPATCH_UNAUTHENTICATED 1
#define DISPATCH_FORBIDDEN 2
int dispatch_route (h2o_req_t *req, route_match_t *m, char *allow, size_t allow_size);
int dispatch_caller (gateway_t *self, h2o_req_t *req, const route_t *route, int64_t now, kw_jwt_claims_t *claims,
                     request_error_t *err);
void dispatch_parts (h2o_req_t *req, request_parts_t *parts);

//  Send a JSON body with status.
void reply_json (gateway_t *self, h2o_req_t *req, size_t route, int status, json_t *body);
//  Send body (len bytes) as the whole answer, with its Content-Length: h2o
//  closes an HTTP/1.1 connection after any answer but 200 whose length it
//  does not know, so every answer states it and the connection stays open.
void reply_send (h2o_req_t *req, const char *body, size_t len);
//  Send the error format: {"error": {"code", "message", "field"?, "existing_id"?}}.
void reply_error (gateway_t *self, h2o_req_t *req, size_t route, int status, const char *code,
                  const char *message, const char *field, const char *existing_id);
//  Send a service's error answer in that format, with its field errors
//  (when it gave any) as "errors": [{"field", "message"}, ...].
void reply_service_error (gateway_t *self, h2o_req_t *req, size_t route, int status, const char *code,
                          const Kw__Response *resp);
//  As reply_service_error, with the members of detail (a JSON object, taken;
//  NULL for none) added to "error" beside code and message.
void reply_service_refusal (gateway_t *self, h2o_req_t *req, size_t route, int status, const char *code,
                            const Kw__Response *resp, json_t *detail);
//  Send text as it is with its content type (an invitation, a printable page).
void reply_text (gateway_t *self, h2o_req_t *req, size_t route, int status, const char *content_type,
                 const char *text);
//  Count an answer for /metrics (kw_gateway_responses_total{route,class}).
void reply_count (gateway_t *self, size_t route, int status);

//  GET /v1/health: ask every service, answer ok or degraded.
void health_request (gateway_t *self, h2o_req_t *req, size_t route);
//  GET /metrics: every family of kw_metrics, in the Prometheus text format.
void metrics_request (gateway_t *self, h2o_req_t *req, size_t route);
//  Count calls a service did not answer in time, and requests refused for
//  want of a valid token (0: make the series).
void metrics_unavailable (double calls);
void metrics_unauthenticated (double requests);
//  Count requests refused by the route's roles (0: make the series).
void metrics_forbidden (double requests);
//  Set the gauges read at scrape time (a kw_metrics collector; arg is the gateway).
void metrics_collect (void *arg);

#endif
