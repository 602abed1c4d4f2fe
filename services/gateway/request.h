/*  request: the checks on a request that need no server: the Content-Type,
    the Idempotency-Key, the route's input built from the JSON body, the
    query string and the path segments, and the RPC request forwarded to the
    service. dispatch.c applies them to h2o requests; the fuzz target
    applies them to raw bytes. */
#ifndef GATEWAY_REQUEST_H
#define GATEWAY_REQUEST_H

#include <stddef.h>
#include <jansson.h>
#include "kw_arena.h"
#include "kw_field_error.h"
#include "kw_jwt.h"
#include "kw/rpc.pb-c.h"
#include "routes.h"

#define REQUEST_MAX_KEY 200

typedef struct {
    int status;                 //  400, 401, 413, 415 or 500
    const char *code;           //  "invalid", "unauthenticated", "too_large", ...
    kw_field_error_t problem;   //  its field ("" when none applies) and message
} request_error_t;

//  Check the Authorization value (NULL when absent): "Bearer <token>" with a
//  token valid under policy at now. 0 and claims filled, or -1 with the
//  reason in err->message (status 401).
int request_bearer (const char *value, size_t len, const unsigned char *secret, size_t secret_len,
                    const kw_jwt_policy_t *policy, int64_t now, kw_jwt_claims_t *claims,
                    request_error_t *err);

//  403 unless the route names the caller's role: 0, or -1 with err filled
//  (naming the roles the route is open to).
int request_authorise (const route_t *route, const kw_jwt_claims_t *claims, request_error_t *err);

//  1 when the Content-Type value (may be NULL) is application/json, with or
//  without parameters.
int request_is_json (const char *value, size_t len);

//  Copy the Idempotency-Key value (NULL when absent: key becomes "") into
//  key; -1 with err filled when it is empty, too long or not printable.
int request_idempotency_key (const char *value, size_t len, char key [REQUEST_MAX_KEY + 1],
                             request_error_t *err);

//  A body limit as people read it: "1 MiB (1048576 bytes)", "512 KiB (524288
//  bytes)" or "1500 bytes". A 413 states the limit it applied in these words.
void request_limit_text (size_t limit, char *buf, size_t size);

//  The route's input as a JSON object: the body (when the route takes one;
//  content_type may be NULL), the query string (NULL when the URL has none)
//  and the path segments the pattern names. NULL with err filled when the request is not acceptable.
json_t *request_input (const route_match_t *m, size_t max_body,
                       const char *content_type, size_t content_type_len,
                       const char *body, size_t body_len,
                       const char *query, size_t query_len, request_error_t *err);

//  Put a file body (a raw route's) into msg's bytes field "data"; the
//  message points into body, which must outlive it. 0, or -1 when msg has
//  no such field.
int request_attach_file (ProtobufCMessage *msg, const char *body, size_t len);

//  The parts of an HTTP request the RPC request is built from; each value
//  NULL (length 0) when the request has none.
typedef struct {
    const char *idempotency_key;
    size_t idempotency_key_len;
    const char *content_type;
    size_t content_type_len;
    const char *body;
    size_t body_len;
    const char *query;              //  after the '?'
    size_t query_len;
} request_parts_t;

//  The RPC request a routed, authenticated request is forwarded as.
typedef struct {
    char key [REQUEST_MAX_KEY + 1];
    Kw__Caller caller;
    Kw__Request request;
} request_rpc_t;

//  Build out->request for the route m on behalf of claims: the
//  Idempotency-Key, the route's input (from parts, at most max_body bytes of
//  body) as its protobuf message packed into arena, the caller from claims.
//  0 with out filled (it points into out, arena, claims, m and parts->body),
//  or -1 with err filled with the answer to give.
int request_build (const route_match_t *m, const kw_jwt_claims_t *claims, size_t max_body,
                   const request_parts_t *parts, kw_arena_t *arena, request_rpc_t *out,
                   request_error_t *err);

#endif
