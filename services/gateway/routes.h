/*  routes: the gateway's HTTP surface as a table: each route's method and
    path pattern, the service and RPC method behind it, its input and output
    messages and its success status. Matching and query parsing are pure
    functions so they can be tested without a server. */
#ifndef GATEWAY_ROUTES_H
#define GATEWAY_ROUTES_H

#include <stddef.h>
#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include "kw_pbjson.h"

typedef enum {
    SERVICE_REFERRAL,
    SERVICE_ELIGIBILITY,
    SERVICE_ASSIGNMENT,
    SERVICE_SCHEDULING,
    SERVICE_NOTIFICATION,
    SERVICE_COUNT
} service_id_t;

typedef enum {
    ROUTE_RPC,                  //  forwarded to a service
    ROUTE_HEALTH,               //  GET /v1/health, no token
    ROUTE_METRICS,              //  GET /metrics, no token
    ROUTE_OPENAPI,              //  GET /v1/openapi.json, no token
    ROUTE_LINK,                 //  a signed link's page (HTML): the token in the path is the credential
    ROUTE_NOTIFY_CALLBACK       //  Notify's delivery receipts: the configured callback token
} route_kind_t;

//  The platform's roles, as bits of a route's roles.
typedef enum {
    ROLE_ADMIN = 1 << 0,
    ROLE_COORDINATOR = 1 << 1,
    ROLE_KEY_WORKER = 1 << 2,
    ROLE_REFERRER = 1 << 3,
    ROLE_DSR_FEED = 1 << 4,
    ROLE_FAMILY = 1 << 5,
    ROLE_COUNT = 6
} route_role_t;
#define ROLES_ALL (ROLE_ADMIN | ROLE_COORDINATOR | ROLE_KEY_WORKER | ROLE_REFERRER | ROLE_DSR_FEED \
                   | ROLE_FAMILY)
#define ROLES_STAFF (ROLE_ADMIN | ROLE_COORDINATOR)
#define ROLES_CASE (ROLE_ADMIN | ROLE_COORDINATOR | ROLE_KEY_WORKER | ROLE_FAMILY)

#define ROUTE_ID_SIZE 256           //  a path segment (a signed link's token is about 180)
//  Files (DSR imports): up to 20 MiB, and a minute to import.
#define ROUTE_MAX_FILE (20 * 1024 * 1024)
#define ROUTE_FILE_TIMEOUT_MS 60000
//  RPC timeout of admin commands that work through a whole region.
#define ROUTE_ADMIN_TIMEOUT_MS 60000

typedef struct {
    const char *method;         //  "GET", "POST", "PATCH", "DELETE"
    const char *pattern;        //  "/v1/referrals/{id}": {name} matches one path segment, the
                                //  input field name (at most ROUTE_MAX_PARAMS a pattern)
    route_kind_t kind;
    service_id_t service;
    const char *rpc;            //  "referral.get"
    const ProtobufCMessageDescriptor *input;
    const ProtobufCMessageDescriptor *output;
    const char *summary;        //  what the call does, in a few words (the API document's)
    int success;                //  HTTP status of a successful answer
    unsigned roles;             //  the roles the gateway lets through (route_role_t bits);
                                //  0 for the routes that need no token
    int has_body;               //  the JSON body is the input
    int has_query;              //  query parameters are input fields
    int raw_body;               //  the body is a file (CSV or NDJSON), sent as the input's
                                //  bytes field "data", its kind as the string field "format"
    int csv_only;               //  a raw body that may only be CSV
    size_t max_body;            //  the route's body limit; 0: the gateway's (KW_MAX_BODY)
    unsigned timeout_ms;        //  the route's RPC timeout; 0: the gateway's (KW_RPC_TIMEOUT_MS)
    const char *id_meaning;     //  what {id} is, for the API document
    const char *note;           //  a route without a bearer token: how it is authenticated
    const char *text_output;    //  the answer is the output's string field "text", sent as it is
                                //  with this content type; NULL: JSON
    const ProtobufCMessageDescriptor *refusal;  //  a refusal's payload, when it has one, is this
                                //  message; its fields join "error"
} route_t;

#define ROUTE_MAX_PARAMS 2
#define ROUTE_PARAM_NAME_SIZE 32

typedef struct {
    const route_t *route;
    size_t index;               //  position in the table (for metrics)
    char id [ROUTE_ID_SIZE];    //  the {id} segment, "" when the pattern has none
    size_t param_count;         //  the path's segments named in the pattern, {id} included
    char param_names [ROUTE_MAX_PARAMS][ROUTE_PARAM_NAME_SIZE];
    char params [ROUTE_MAX_PARAMS][ROUTE_ID_SIZE];
} route_match_t;

//  The service names, in service_id_t order ("referral", ...).
extern const char *const route_service_names [SERVICE_COUNT];

//  The role names, in route_role_t bit order ("admin", "coordinator", ...).
extern const char *const route_role_names [ROLE_COUNT];

//  1 when role (a token's role claim; NULL is no role) is one the route names.
int routes_role_allowed (const route_t *route, const char *role);

//  The route's role names in order, ", "-separated, into buf ("" for none).
void routes_roles_text (const route_t *route, char *buf, size_t size);

//  The route table and its size.
const route_t *routes_table (size_t *count);

//  Match a request. 0 and m filled; -1 when no route has this path; -2 when
//  routes have the path but not the method (allow gets "GET, POST").
int routes_match (const char *method, size_t method_len, const char *path, size_t path_len,
                  route_match_t *m, char *allow, size_t allow_size);

//  Add the query string's parameters (a=1&b=x, percent-encoded) to obj as
//  fields of desc: integer fields become JSON integers. -1 with err naming the
//  parameter when it is unknown, repeated, malformed or not a number.
int routes_query_json (const ProtobufCMessageDescriptor *desc, const char *query, size_t len,
                       json_t *obj, kw_field_error_t *err);

#endif
