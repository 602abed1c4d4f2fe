/*  openapi: the OpenAPI 3 document of the API (GET /v1/openapi.json),
    built from the route table and the protobuf descriptors of each route's
    input and output, so it cannot drift from what the gateway serves. */
#include <stdio.h>
#include <string.h>
#include "kw_pbjson.h"
#include "openapi.h"
#include "request.h"

//  A message's schema name: its full name without the package ("Referral").
static const char *
s_schema_name (const ProtobufCMessageDescriptor *desc)
{
    const char *dot = strrchr (desc->name, '.');
    return dot ? dot + 1 : desc->name;
}

static json_t *
s_ref (const ProtobufCMessageDescriptor *desc)
{
    char ref [160];
    snprintf (ref, sizeof ref, "#/components/schemas/%s", s_schema_name (desc));
    return json_pack ("{ss}", "$ref", ref);
}

static void s_add_schema (json_t *schemas, const ProtobufCMessageDescriptor *desc);

//  The schema of one value of field (an item, for repeated fields).
static json_t *
s_value_schema (json_t *schemas, const ProtobufCFieldDescriptor *field)
{
    switch (field->type) {
        case PROTOBUF_C_TYPE_BOOL:
            return json_pack ("{ss}", "type", "boolean");
        case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
            return json_pack ("{ss}", "type", "integer");
        case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
            return json_pack ("{ssss}", "type", "string", "format", "int64");
        case PROTOBUF_C_TYPE_FLOAT: case PROTOBUF_C_TYPE_DOUBLE:
            return json_pack ("{ss}", "type", "number");
        case PROTOBUF_C_TYPE_BYTES:
            return json_pack ("{ssss}", "type", "string", "format", "byte");
        case PROTOBUF_C_TYPE_ENUM: {
            const ProtobufCEnumDescriptor *e = field->descriptor;
            json_t *names = json_array ();
            for (unsigned i = 0; i < e->n_values; i++) {
                char buf [128];
                const char *name = e->values [i].value
                                 ? kw_pbjson_enum_name (e, e->values [i].value, buf, sizeof buf) : NULL;
                if (name)
                    json_array_append_new (names, json_string (name));
            }
            return json_pack ("{ssso}", "type", "string", "enum", names);
        }
        case PROTOBUF_C_TYPE_MESSAGE:
            s_add_schema (schemas, field->descriptor);
            return s_ref (field->descriptor);
        default:
            return json_pack ("{ss}", "type", "string");
    }
}

//  Add desc's schema (and those of the messages it holds) to schemas.
static void
s_add_schema (json_t *schemas, const ProtobufCMessageDescriptor *desc)
{
    const char *name = s_schema_name (desc);
    if (json_object_get (schemas, name))
        return;
    json_t *properties = json_object ();
    json_t *schema = json_pack ("{sssO}", "type", "object", "properties", properties);
    json_object_set_new (schemas, name, schema);
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields [i];
        json_t *value = s_value_schema (schemas, field);
        if (field->label == PROTOBUF_C_LABEL_REPEATED)
            value = json_pack ("{ssso}", "type", "array", "items", value);
        else
        if (field->type != PROTOBUF_C_TYPE_MESSAGE)
            json_object_set_new (value, "nullable", json_true ());
        json_object_set_new (properties, field->name, value);
    }
    json_decref (properties);
}

static json_t *
s_error_schema (void)
{
    //  "errors": every problem of a body, the first being field and message.
    json_t *problem = json_pack ("{ss s{s{ss}s{ss}} s[ss]}", "type", "object", "properties",
        "field", "type", "string", "message", "type", "string", "required", "field", "message");
    return json_pack ("{ss s{s{ss s{s{ss}s{ss}s{ss}s{ss}s{ss so}} s[ss]}}}",
        "type", "object", "properties", "error", "type", "object", "properties",
        "code", "type", "string", "message", "type", "string", "field", "type", "string",
        "existing_id", "type", "string", "errors", "type", "array", "items", problem,
        "required", "code", "message");
}

static json_t *
s_operation (json_t *schemas, const route_t *route)
{
    json_t *op = json_object ();
    char id [128];
    snprintf (id, sizeof id, "%s", route->rpc ? route->rpc : route->pattern + 1);
    for (char *p = id; *p; p++)
        if (*p == '.' || *p == '/')
            *p = '_';
    json_object_set_new (op, "operationId", json_string (id));
    json_object_set_new (op, "summary", json_string (route->summary ? route->summary : route->pattern));
    json_object_set_new (op, "tags", json_pack ("[s]", route->kind == ROUTE_RPC
                                                       ? route_service_names [route->service] : "platform"));
    json_t *params = json_array ();
    if (route->kind == ROUTE_RPC && strcmp (route->method, "GET") != 0)
        json_array_append_new (params, json_pack ("{ss}", "$ref", "#/components/parameters/IdempotencyKey"));
    for (const char *open = strchr (route->pattern, '{'); open; open = strchr (open + 1, '{')) {
        const char *close = strchr (open, '}');
        if (!close)
            break;
        char name [64];
        snprintf (name, sizeof name, "%.*s", (int) (close - open - 1), open + 1);
        json_t *param = json_pack ("{sssssbs{ss}}", "name", name, "in", "path",
                                   "required", 1, "schema", "type", "string");
        if (route->id_meaning && strcmp (name, "id") == 0)
            json_object_set_new (param, "description", json_string (route->id_meaning));
        json_array_append_new (params, param);
    }
    if (route->has_query)
        for (unsigned i = 0; i < route->input->n_fields; i++) {
            const ProtobufCFieldDescriptor *field = &route->input->fields [i];
            if (field->label == PROTOBUF_C_LABEL_REPEATED || field->type == PROTOBUF_C_TYPE_MESSAGE)
                continue;
            json_t *schema = s_value_schema (schemas, field);
            json_array_append_new (params, json_pack ("{sssssbso}", "name", field->name, "in", "query",
                                                      "required", 0, "schema", schema));
        }
    if (json_array_size (params))
        json_object_set (op, "parameters", params);
    json_decref (params);
    if (route->raw_body) {
        json_t *content = json_pack ("{s{s{ss}}}", "text/csv", "schema", "type", "string");
        if (!route->csv_only)
            json_object_set_new (content, "application/x-ndjson", json_pack ("{s{ss}}", "schema", "type", "string"));
        json_object_set_new (op, "requestBody", json_pack ("{sbso}", "required", 1, "content", content));
    }
    else
    if (route->has_body) {
        s_add_schema (schemas, route->input);
        json_object_set_new (op, "requestBody", json_pack ("{sbs{s{so}}}", "required", 1, "content",
                                                           "application/json", "schema", s_ref (route->input)));
    }
    json_t *responses = json_object ();
    char status [8];
    snprintf (status, sizeof status, "%d", route->success);
    json_t *content;
    if (route->text_output) {
        char type [64];
        snprintf (type, sizeof type, "%.*s", (int) strcspn (route->text_output, ";"), route->text_output);
        content = json_pack ("{s{s{ss}}}", type, "schema", "type", "string");
    }
    else
    if (route->output && route->kind != ROUTE_LINK) {
        s_add_schema (schemas, route->output);
        content = json_pack ("{s{so}}", "application/json", "schema", s_ref (route->output));
    }
    else
        content = json_pack ("{s{s{ss}}}", route->kind == ROUTE_METRICS ? "text/plain" : "application/json",
                             "schema", "type", route->kind == ROUTE_METRICS ? "string" : "object");
    if (route->kind == ROUTE_LINK) {
        json_decref (content);
        content = json_pack ("{s{s{ss}}}", "text/html", "schema", "type", "string");
        if (strcmp (route->method, "POST") == 0)
            json_object_set_new (op, "requestBody", json_pack (
                "{sbs{s{s{sss{s{ss s[s]}}s[s]}}}}", "required", 1, "content",
                "application/x-www-form-urlencoded", "schema", "type", "object", "properties", "confirm",
                "type", "string", "enum", "yes", "required", "confirm"));
    }
    if (route->kind == ROUTE_NOTIFY_CALLBACK)
        json_object_set_new (op, "requestBody", json_pack ("{sbs{s{s{ss}}}}", "required", 1, "content",
                                                           "application/json", "schema", "type", "object"));
    json_object_set_new (responses, status, json_pack ("{ssso}", "description", "success", "content", content));
    json_object_set_new (responses, "405", json_pack (
        "{sss{s{ss}}s{s{s{ss}}}}", "description", "the path does not take the request's method",
        "headers", "Allow", "$ref", "#/components/headers/Allow",
        "content", "application/json", "schema", "$ref", "#/components/schemas/Error"));
    json_object_set_new (responses, "default", json_pack (
        "{sss{s{s{ss}}}}", "description", "an error (400, 401, 403, 404, 409, 413, 415, 503)",
        "content", "application/json", "schema", "$ref", "#/components/schemas/Error"));
    json_object_set_new (op, "responses", responses);
    if (route->kind != ROUTE_RPC) {
        json_object_set_new (op, "security", json_array ());
        json_object_set_new (op, "description", json_string (route->note ? route->note : "No token is needed."));
    }
    else {
        json_t *roles = json_array ();
        for (int i = 0; i < ROLE_COUNT; i++)
            if (route->roles & (1u << i))
                json_array_append_new (roles, json_string (route_role_names [i]));
        json_object_set_new (op, "x-roles", roles);
        char text [128], description [400];
        routes_roles_text (route, text, sizeof text);
        snprintf (description, sizeof description, "Roles: %s. The gateway answers 403 to a token of any other"
                  " role; the service checks the region and the caller's relationship to the record.", text);
        json_object_set_new (op, "description", json_string (description));
    }
    return op;
}

json_t *
openapi_document (void)
{
    size_t count;
    const route_t *routes = routes_table (&count);
    json_t *schemas = json_object ();
    json_object_set_new (schemas, "Error", s_error_schema ());
    json_t *paths = json_object ();
    for (size_t i = 0; i < count; i++) {
        const route_t *route = &routes [i];
        json_t *item = json_object_get (paths, route->pattern);
        if (!item) {
            item = json_object ();
            json_object_set_new (paths, route->pattern, item);
        }
        char method [16];
        size_t n = strlen (route->method);
        for (size_t j = 0; j < n && j < sizeof method - 1; j++)
            method [j] = (char) (route->method [j] | 0x20);
        method [n < sizeof method - 1 ? n : sizeof method - 1] = 0;
        json_object_set_new (item, method, s_operation (schemas, route));
    }
    json_t *tags = json_array ();
    for (int i = 0; i < SERVICE_COUNT; i++) {
        char text [96];
        snprintf (text, sizeof text, "Calls answered by the %s service", route_service_names [i]);
        json_array_append_new (tags, json_pack ("{ssss}", "name", route_service_names [i], "description", text));
    }
    json_array_append_new (tags, json_pack ("{ssss}", "name", "platform", "description",
                                            "The gateway's own answers: health, metrics and this document"));
    json_t *components = json_pack ("{s{s{ssssss}}so}", "securitySchemes", "bearer", "type", "http",
                                    "scheme", "bearer", "bearerFormat", "JWT", "schemas", schemas);
    json_object_set_new (components, "parameters", json_pack (
        "{s{sssssbsss{sssisi}}}", "IdempotencyKey", "name", "Idempotency-Key", "in", "header", "required", 0,
        "description", "A write sent again with the same key and body gets the first answer again (for 24"
        " hours, to the same caller); another body or call with the key is 409 idempotency_key_reused.",
        "schema", "type", "string", "minLength", 1, "maxLength", REQUEST_MAX_KEY));
    json_object_set_new (components, "headers", json_pack (
        "{s{sss{ss}}}", "Allow", "description", "the methods the path takes, e.g. \"GET, POST\"",
        "schema", "type", "string"));
    return json_pack ("{sss{sssssss{ss}}s[{ssss}]s[{s[]}]sososo}",
        "openapi", "3.0.3",
        "info", "title", "Key worker service API", "version", "1",
        "description", "The HTTP API of the key worker service platform. Every call but health, metrics and"
        " this document needs a bearer token; each operation lists the roles it is open to (x-roles). Errors"
        " are {\"error\": {\"code\", \"message\", \"field\"}} (the Error schema): 400 invalid input naming"
        " the field, 401 no or a bad token, 403 a role or caller not allowed, 404 no such record in the"
        " caller's region, 405 a method the path does not take, 409 a conflict, 413 a body over the call's"
        " limit, 415 a content type the call does not take, 503 a service that did not answer in time."
        " Lists answer {\"items\", \"next_cursor\"}.",
        "contact", "name", "Key worker service platform maintainers",
        "servers", "url", "/", "description", "the gateway that serves this document",
        "security", "bearer",
        "components", components,
        "tags", tags,
        "paths", paths);
}
