/*  fuzz_gateway_routes: the gateway's request handling below the socket. The
    input is a small HTTP request: "METHOD PATH[?QUERY]" on the first line,
    "Name: value" header lines, an empty line, then the body. It runs the
    steps of dispatch.c that do not need a server: routes_match on the
    method and path, the bearer token (kw_jwt_verify), the route's roles
    (request_authorise), the Content-Type and
    Idempotency-Key checks, the input JSON from body, query
    (routes_query_json) and path id, kw_pbjson_from_json into the route's
    input message and the RPC Request (request_build, which dispatch.c's
    forwarding calls), then the Request as packed for the service and
    unpacked there (checked to arrive unchanged). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kw_arena.h"
#include "kw_jwt.h"
#include "kw_pbjson.h"
#include "kw/rpc.pb-c.h"
#include "request.h"
#include "routes.h"

#define S_MAX_BODY (1024 * 1024)

static const unsigned char s_secret [] = "fuzzing-secret-0123456789abcdef";

typedef struct {
    const char *base;
    size_t len;
} span_t;

typedef struct {
    span_t method, path, query;
    int has_query;
    span_t authorization, content_type, idempotency_key;
    span_t body;
} fuzz_request_t;

//  Next line of [*p, end) without its "\n" (or "\r\n"); 0 at the end.
static int
s_line (const char **p, const char *end, span_t *line)
{
    if (*p >= end)
        return 0;
    const char *nl = memchr (*p, '\n', (size_t) (end - *p));
    const char *stop = nl ? nl : end;
    line->base = *p;
    line->len = (size_t) (stop - *p);
    if (line->len && line->base [line->len - 1] == '\r')
        line->len--;
    *p = nl ? nl + 1 : end;
    return 1;
}

static void
s_parse (const char *data, size_t size, fuzz_request_t *req)
{
    memset (req, 0, sizeof *req);
    const char *p = data, *end = data + size;
    span_t line;
    if (!s_line (&p, end, &line))
        return;
    const char *sp = memchr (line.base, ' ', line.len);
    req->method.base = line.base;
    req->method.len = sp ? (size_t) (sp - line.base) : line.len;
    const char *target = sp ? sp + 1 : line.base + line.len;
    size_t target_len = (size_t) (line.base + line.len - target);
    const char *q = memchr (target, '?', target_len);
    req->path.base = target;
    req->path.len = q ? (size_t) (q - target) : target_len;
    if (q) {
        req->has_query = 1;
        req->query.base = q + 1;
        req->query.len = target_len - req->path.len - 1;
    }
    while (s_line (&p, end, &line) && line.len) {
        const char *colon = memchr (line.base, ':', line.len);
        if (!colon)
            continue;
        size_t name_len = (size_t) (colon - line.base);
        span_t value = { colon + 1, line.len - name_len - 1 };
        while (value.len && value.base [0] == ' ') {
            value.base++;
            value.len--;
        }
        if (name_len == 13 && strncasecmp (line.base, "authorization", 13) == 0)
            req->authorization = value;
        else
        if (name_len == 12 && strncasecmp (line.base, "content-type", 12) == 0)
            req->content_type = value;
        else
        if (name_len == 15 && strncasecmp (line.base, "idempotency-key", 15) == 0)
            req->idempotency_key = value;
    }
    req->body.base = p;
    req->body.len = (size_t) (end - p);
}

//  The gateway's token check: the claims when the token verifies, else a
//  coordinator's (the fuzzer cannot sign tokens, and what follows is worth
//  reaching).
static void
s_authenticate (const fuzz_request_t *req, kw_jwt_claims_t *claims)
{
    request_error_t err;
    kw_jwt_policy_t policy;
    char perr [128];
    if (kw_jwt_policy_init (&policy, NULL, NULL, NULL, perr, sizeof perr) != 0)
        abort ();
    int rc = request_bearer (req->authorization.base, req->authorization.len, s_secret,
                             sizeof s_secret - 1, &policy, 1800000000, claims, &err);
    if ((rc == 0 && !kw_jwt_role_valid (claims->role))
    ||  (rc != 0 && (err.status != 401 || !memchr (err.problem.message, 0, sizeof err.problem.message))))
        abort ();
    if (rc != 0) {
        memset (claims, 0, sizeof *claims);
        strcpy (claims->sub, "fuzz");
        strcpy (claims->role, "coordinator");
        strcpy (claims->region, "norfolk");
    }
}

//  dispatch.c's forwarding (request_build, the code the gateway runs), then
//  the service's side: kw_rpc's Request unpack and the payload's unpack,
//  which must give the same message.
static void
s_forward (const fuzz_request_t *req, const route_match_t *m, const kw_jwt_claims_t *claims,
           kw_arena_t *arena)
{
    request_parts_t parts = {
        .idempotency_key = req->idempotency_key.base, .idempotency_key_len = req->idempotency_key.len,
        .content_type = req->content_type.base, .content_type_len = req->content_type.len,
        .body = req->body.base, .body_len = req->body.len,
        .query = req->has_query ? req->query.base : NULL, .query_len = req->query.len,
    };
    request_rpc_t rpc;
    request_error_t rerr;
    if (request_build (m, claims, S_MAX_BODY, &parts, arena, &rpc, &rerr) != 0) {
        if ((rerr.status != 400 && rerr.status != 413 && rerr.status != 415) || !rerr.code
        ||  !memchr (rerr.problem.message, 0, sizeof rerr.problem.message) || !memchr (rerr.problem.field, 0, sizeof rerr.problem.field))
            abort ();
        return;
    }
    const Kw__Request *request = &rpc.request;
    size_t size = request->payload.len;
    if (strcmp (request->method, m->route->rpc) != 0 || request->idempotency_key != rpc.key
    ||  strcmp (request->caller->sub, claims->sub) != 0 || strcmp (request->caller->role, claims->role) != 0)
        abort ();
    size_t wire_len = kw__request__get_packed_size (request);
    uint8_t *wire = kw_arena_alloc (arena, wire_len ? wire_len : 1);
    kw__request__pack (request, wire);

    Kw__Request *got = kw__request__unpack (kw_arena_allocator (arena), wire_len, wire);
    if (!got || strcmp (got->method, m->route->rpc) != 0 || strcmp (got->idempotency_key, rpc.key) != 0
    ||  !got->caller || strcmp (got->caller->region, claims->region) != 0
    ||  got->payload.len != size || (size && memcmp (got->payload.data, request->payload.data, size) != 0))
        abort ();
    ProtobufCMessage *in = protobuf_c_message_unpack (m->route->input, kw_arena_allocator (arena),
                                                      got->payload.len, got->payload.data);
    if (!in || protobuf_c_message_get_packed_size (in) != size)
        abort ();
    uint8_t *again = kw_arena_alloc (arena, size ? size : 1);
    protobuf_c_message_pack (in, again);
    if (size && memcmp (again, request->payload.data, size) != 0)
        abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static kw_arena_t *arena;
    if (!arena)
        arena = kw_arena_new (16384);
    fuzz_request_t req;
    s_parse ((const char *) data, size, &req);

    route_match_t m;
    char allow [64];
    int found = routes_match (req.method.base ? req.method.base : "", req.method.len,
                              req.path.base ? req.path.base : "", req.path.len,
                              &m, allow, sizeof allow);
    size_t count = 0;
    const route_t *table = routes_table (&count);
    if (found == 0) {
        if (m.index >= count || m.route != &table [m.index] || !memchr (m.id, 0, sizeof m.id))
            abort ();
        if (m.route->kind == ROUTE_RPC) {
            kw_jwt_claims_t claims;
            s_authenticate (&req, &claims);
            //  The route's roles: 403 exactly for a role it does not name.
            request_error_t aerr;
            int refused = request_authorise (m.route, &claims, &aerr) != 0;
            if (refused != !routes_role_allowed (m.route, claims.role) || (refused && aerr.status != 403)
            ||  !m.route->roles)
                abort ();
            s_forward (&req, &m, &claims, arena);
        }
    }
    else
    if (found == -2) {
        if (!memchr (allow, 0, sizeof allow) || !*allow)
            abort ();
    }
    else
    if (found != -1)
        abort ();

    //  The query parser on its own, for every route's input message.
    if (req.has_query) {
        for (size_t i = 0; i < count; i++) {
            if (!table [i].input)
                continue;
            json_t *obj = json_object ();
            kw_field_error_t err;
            if (routes_query_json (table [i].input, req.query.base, req.query.len, obj, &err) != 0
            &&  (!memchr (err.message, 0, sizeof err.message) || !memchr (err.field, 0, sizeof err.field)))
                abort ();
            json_decref (obj);
        }
    }
    kw_arena_reset (arena);
    return 0;
}
