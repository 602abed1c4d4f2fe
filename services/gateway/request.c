/*  request: Content-Type, Idempotency-Key, the route's input as JSON and
    the RPC request built from them. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "request.h"

static void
s_fail (request_error_t *err, int status, const char *code, const char *field, const char *message)
{
    err->status = status;
    err->code = code;
    kw_field_error_set (&err->problem, 0, field, "%s", message);
}

int
request_bearer (const char *value, size_t len, const unsigned char *secret, size_t secret_len,
                const kw_jwt_policy_t *policy, int64_t now, kw_jwt_claims_t *claims,
                request_error_t *err)
{
    char token [8200];
    if (!value) {
        s_fail (err, 401, "unauthenticated", NULL, "an Authorization: Bearer token is required");
        return -1;
    }
    if (len <= 7 || len - 7 >= sizeof token || strncasecmp (value, "Bearer ", 7) != 0) {
        s_fail (err, 401, "unauthenticated", NULL, "the Authorization header must be 'Bearer <token>'");
        return -1;
    }
    memcpy (token, value + 7, len - 7);
    token [len - 7] = 0;
    char reason [128];
    if (kw_jwt_verify (token, secret, secret_len, policy, now, claims, reason, sizeof reason) == 0)
        return 0;
    s_fail (err, 401, "unauthenticated", NULL, reason);
    return -1;
}

int
request_authorise (const route_t *route, const kw_jwt_claims_t *claims, request_error_t *err)
{
    if (routes_role_allowed (route, claims->role))
        return 0;
    char roles [96], message [sizeof err->problem.message];
    routes_roles_text (route, roles, sizeof roles);
    snprintf (message, sizeof message, "the role %.40s may not make this call (it is open to: %s)",
              claims->role, roles);
    s_fail (err, 403, "forbidden", NULL, message);
    return -1;
}

int
request_is_json (const char *value, size_t len)
{
    static const char json [] = "application/json";
    size_t n = sizeof json - 1;
    if (!value || len < n || strncasecmp (value, json, n) != 0)
        return 0;
    return len == n || value [n] == ';' || value [n] == ' ';
}

int
request_idempotency_key (const char *value, size_t len, char key [REQUEST_MAX_KEY + 1],
                         request_error_t *err)
{
    *key = 0;
    if (!value)
        return 0;
    int valid = len > 0 && len <= REQUEST_MAX_KEY;
    for (size_t i = 0; valid && i < len; i++)
        valid = isprint ((unsigned char) value [i]);
    if (!valid) {
        s_fail (err, 400, "invalid", "Idempotency-Key", "must be 1 to 200 printable characters");
        return -1;
    }
    memcpy (key, value, len);
    key [len] = 0;
    return 0;
}

//  The file kind of a Content-Type: "csv", "ndjson", or NULL.
static const char *
s_file_format (const char *value, size_t len)
{
    static const struct { const char *type; const char *format; } kinds [] = {
        { "text/csv", "csv" }, { "application/x-ndjson", "ndjson" }
    };
    for (size_t i = 0; value && i < sizeof kinds / sizeof kinds [0]; i++) {
        size_t n = strlen (kinds [i].type);
        if (len >= n && strncasecmp (value, kinds [i].type, n) == 0
        &&  (len == n || value [n] == ';' || value [n] == ' '))
            return kinds [i].format;
    }
    return NULL;
}

void
request_limit_text (size_t limit, char *buf, size_t size)
{
    if (limit >= 1024 * 1024 && limit % (1024 * 1024) == 0)
        snprintf (buf, size, "%zu MiB (%zu bytes)", limit / (1024 * 1024), limit);
    else
    if (limit >= 1024 && limit % 1024 == 0)
        snprintf (buf, size, "%zu KiB (%zu bytes)", limit / 1024, limit);
    else
        snprintf (buf, size, "%zu bytes", limit);
}

//  413 for a body over the route's limit, stating it.
static void
s_too_large (request_error_t *err, const char *what, size_t limit)
{
    char text [64];
    request_limit_text (limit, text, sizeof text);
    char message [sizeof err->problem.message];
    snprintf (message, sizeof message, "the %s is over the limit of %s for this call", what, text);
    s_fail (err, 413, "too_large", NULL, message);
}

static json_t *
s_body (const route_match_t *m, size_t max_body, const char *content_type, size_t content_type_len,
        const char *body, size_t body_len, request_error_t *err)
{
    if (m->route->max_body)
        max_body = m->route->max_body;
    if (m->route->raw_body) {
        const char *format = s_file_format (content_type, content_type_len);
        if (!format || (m->route->csv_only && strcmp (format, "csv") != 0)) {
            s_fail (err, 415, "unsupported_media_type", NULL, m->route->csv_only
                    ? "the body must be text/csv" : "the body must be text/csv or application/x-ndjson");
            return NULL;
        }
        if (body_len > max_body) {
            s_too_large (err, "file", max_body);
            return NULL;
        }
        return json_pack ("{ss}", "format", format);
    }
    if (!m->route->has_body)
        return json_object ();
    if (!request_is_json (content_type, content_type_len)) {
        s_fail (err, 415, "unsupported_media_type", NULL, "the body must be application/json");
        return NULL;
    }
    if (body_len > max_body) {
        s_too_large (err, "body", max_body);
        return NULL;
    }
    json_error_t jerr;
    json_t *input = json_loadb (body ? body : "", body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (json_is_object (input))
        return input;
    char message [128];
    if (input)
        snprintf (message, sizeof message, "the body must be a JSON object");
    else
        snprintf (message, sizeof message, "malformed JSON at line %d, column %d", jerr.line, jerr.column);
    json_decref (input);
    s_fail (err, 400, "invalid", NULL, message);
    return NULL;
}

int
request_attach_file (ProtobufCMessage *msg, const char *body, size_t len)
{
    const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field_by_name (msg->descriptor, "data");
    if (!field || field->type != PROTOBUF_C_TYPE_BYTES || field->label == PROTOBUF_C_LABEL_REPEATED)
        return -1;
    ProtobufCBinaryData *data = (ProtobufCBinaryData *) ((char *) msg + field->offset);
    data->data = (uint8_t *) body;
    data->len = len;
    if (field->quantifier_offset)
        *(protobuf_c_boolean *) ((char *) msg + field->quantifier_offset) = 1;
    return 0;
}

json_t *
request_input (const route_match_t *m, size_t max_body,
               const char *content_type, size_t content_type_len,
               const char *body, size_t body_len,
               const char *query, size_t query_len, request_error_t *err)
{
    json_t *input = s_body (m, max_body, content_type, content_type_len, body, body_len, err);
    if (!input)
        return NULL;
    if (query && query_len > 0) {
        kw_field_error_t perr;
        if (!m->route->has_query) {
            json_decref (input);
            s_fail (err, 400, "invalid", NULL, "this resource takes no query parameters");
            return NULL;
        }
        if (routes_query_json (m->route->input, query, query_len, input, &perr) != 0) {
            json_decref (input);
            s_fail (err, 400, "invalid", perr.field, perr.message);
            return NULL;
        }
    }
    for (size_t i = 0; i < m->param_count; i++) {
        json_t *value = json_string (m->params [i]);
        json_object_set_new (input, m->param_names [i], value ? value : json_string (""));
    }
    return input;
}

int
request_build (const route_match_t *m, const kw_jwt_claims_t *claims, size_t max_body,
               const request_parts_t *parts, kw_arena_t *arena, request_rpc_t *out,
               request_error_t *err)
{
    if (request_idempotency_key (parts->idempotency_key, parts->idempotency_key_len, out->key, err) != 0)
        return -1;
    json_t *input = request_input (m, max_body, parts->content_type, parts->content_type_len,
                                   parts->body, parts->body_len, parts->query, parts->query_len, err);
    if (!input)
        return -1;
    ProtobufCMessage *msg = NULL;
    kw_field_error_t perr;
    int rc = kw_pbjson_from_json (m->route->input, input, arena, &msg, &perr);
    json_decref (input);
    if (rc != 0) {
        s_fail (err, 400, "invalid", perr.field, perr.message);
        return -1;
    }
    if (m->route->raw_body && request_attach_file (msg, parts->body, parts->body_len) != 0) {
        s_fail (err, 500, "internal", NULL, "the route has no file field");
        return -1;
    }
    size_t size;
    uint8_t *payload = kw_arena_pack (arena, msg, &size);

    kw__caller__init (&out->caller);
    out->caller.sub = (char *) claims->sub;
    out->caller.role = (char *) claims->role;
    out->caller.region = (char *) claims->region;
    out->caller.agency = (char *) claims->agency;
    out->caller.professional_id = (char *) claims->professional_id;
    kw__request__init (&out->request);
    out->request.method = (char *) m->route->rpc;
    out->request.caller = &out->caller;
    out->request.payload.data = payload;
    out->request.payload.len = size;
    out->request.idempotency_key = out->key;
    return 0;
}
