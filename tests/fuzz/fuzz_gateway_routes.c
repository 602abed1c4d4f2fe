/*  fuzz_gateway_routes: the gateway's request handling below the socket. The
    input is a small HTTP request: "METHOD PATH[?QUERY]" on the first line,
    "Name: value" header lines, an empty line, then the body, made into an
    h2o request as the gateway receives it. It runs dispatch.c's steps that
    need no server (linked, not copied): dispatch_route on the method and
    the path as sent, dispatch_caller (the bearer token, its region among
    deploy/regions, the route's roles), dispatch_parts (body, query,
    Content-Type, Idempotency-Key) and request_build (the input JSON from
    body, query and path id, kw_pbjson_from_json into the route's input
    message, the RPC Request), then the Request as packed for the service
    and unpacked there (checked to arrive unchanged). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kw_arena.h"
#include "kw_jwt.h"
#include "kw_pbjson.h"
#include "kw/rpc.pb-c.h"
#include "gateway.h"

#define S_MAX_BODY (1024 * 1024)

static const unsigned char s_secret [] = "fuzzing-secret-0123456789abcdef";

typedef struct {
    const char *base;
    size_t len;
} span_t;

typedef struct {
    span_t method, target, path, query;
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
    req->target.base = target;
    req->target.len = target_len;
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

static gateway_t s_gateway;

//  The request as h2o hands it to the gateway's handler, in pool.
static void
s_h2o_request (const fuzz_request_t *in, h2o_mem_pool_t *pool, h2o_req_t *req)
{
    memset (req, 0, sizeof *req);
    req->method = h2o_iovec_init (in->method.base ? in->method.base : "", in->method.len);
    req->path = h2o_iovec_init (in->target.base ? in->target.base : "", in->target.len);
    req->query_at = in->has_query ? in->path.len : SIZE_MAX;
    if (in->authorization.base)
        h2o_add_header (pool, &req->headers, H2O_TOKEN_AUTHORIZATION, NULL, in->authorization.base,
                        in->authorization.len);
    if (in->content_type.base)
        h2o_add_header (pool, &req->headers, H2O_TOKEN_CONTENT_TYPE, NULL, in->content_type.base,
                        in->content_type.len);
    if (in->idempotency_key.base)
        h2o_add_header_by_str (pool, &req->headers, H2O_STRLIT ("idempotency-key"), 0, NULL,
                               in->idempotency_key.base, in->idempotency_key.len);
    req->entity = in->body.len ? h2o_iovec_init (in->body.base, in->body.len) : h2o_iovec_init (NULL, 0);
}

//  dispatch.c's caller check: the claims when the token verifies, else
//  401 or 403 as the gateway answers, and then a coordinator's claims (the
//  fuzzer cannot sign tokens, and what follows is worth reaching).
static void
s_authenticate (h2o_req_t *req, const route_t *route, kw_jwt_claims_t *claims)
{
    request_error_t err;
    int refused = dispatch_caller (&s_gateway, req, route, 1800000000, claims, &err);
    if ((!refused && (!kw_jwt_role_valid (claims->role) || !routes_role_allowed (route, claims->role)
                      || !regions_known (s_gateway.regions, claims->region, 1800000000)))
    ||  (refused == DISPATCH_UNAUTHENTICATED && err.status != 401)
    ||  (refused == DISPATCH_FORBIDDEN && (err.status != 403 || routes_role_allowed (route, claims->role)))
    ||  (refused && !memchr (err.problem.message, 0, sizeof err.problem.message)))
        abort ();
    if (refused) {
        memset (claims, 0, sizeof *claims);
        strcpy (claims->sub, "fuzz");
        strcpy (claims->role, "coordinator");
        strcpy (claims->region, "norfolk");
    }
}

//  dispatch.c's forwarding (dispatch_parts, request_build: the code the
//  gateway runs), then
//  the service's side: kw_rpc's Request unpack and the payload's unpack,
//  which must give the same message.
static void
s_forward (h2o_req_t *req, const route_match_t *m, const kw_jwt_claims_t *claims, kw_arena_t *arena)
{
    request_parts_t parts;
    dispatch_parts (req, &parts);
    request_rpc_t rpc;
    request_error_t rerr;
    if (request_build (m, claims, s_gateway.max_body, &parts, arena, &rpc, &rerr) != 0) {
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
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    char err [256];
    const char *dir = getenv ("KW_REGION_DIR");
    s_gateway.regions = regions_new (dir && *dir ? dir : "deploy/regions", err, sizeof err);
    if (!s_gateway.regions) {
        fprintf (stderr, "fuzz_gateway_routes: %s (run from the repository's top directory)\n", err);
        exit (1);
    }
    if (kw_jwt_policy_init (&s_gateway.policy, NULL, NULL, NULL, err, sizeof err) != 0)
        abort ();
    s_gateway.secret = (unsigned char *) s_secret;
    s_gateway.secret_len = sizeof s_secret - 1;
    s_gateway.max_body = S_MAX_BODY;
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static kw_arena_t *arena;
    if (!arena)
        arena = kw_arena_new (16384);
    fuzz_request_t in;
    s_parse ((const char *) data, size, &in);
    h2o_mem_pool_t pool;
    h2o_mem_init_pool (&pool);
    h2o_req_t req;
    s_h2o_request (&in, &pool, &req);

    route_match_t m;
    char allow [64];
    int found = dispatch_route (&req, &m, allow, sizeof allow);
    size_t count = 0;
    const route_t *table = routes_table (&count);
    if (found == 0) {
        if (m.index >= count || m.route != &table [m.index] || !memchr (m.id, 0, sizeof m.id))
            abort ();
        if (m.route->kind == ROUTE_RPC) {
            kw_jwt_claims_t claims;
            s_authenticate (&req, m.route, &claims);
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
    h2o_mem_clear_pool (&pool);

    //  The query parser on its own, for every route's input message.
    if (in.has_query) {
        for (size_t i = 0; i < count; i++) {
            if (!table [i].input)
                continue;
            json_t *obj = json_object ();
            kw_field_error_t err;
            if (routes_query_json (table [i].input, in.query.base, in.query.len, obj, &err) != 0
            &&  (!memchr (err.message, 0, sizeof err.message) || !memchr (err.field, 0, sizeof err.field)))
                abort ();
            json_decref (obj);
        }
    }
    kw_arena_reset (arena);
    return 0;
}
