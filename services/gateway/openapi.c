/*  openapi: the OpenAPI 3 document of the API (GET /v1/openapi.json),
    built from the route table and the protobuf descriptors of each route's
    input and output, so it cannot drift from what the gateway serves. */
#include <stdio.h>
#include <string.h>
#include "kw_pbjson.h"
#include "openapi.h"

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
    json_t *params = json_array ();
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
    if (route->output) {
        s_add_schema (schemas, route->output);
        content = json_pack ("{s{so}}", "application/json", "schema", s_ref (route->output));
    }
    else
        content = json_pack ("{s{s{ss}}}", route->kind == ROUTE_METRICS ? "text/plain" : "application/json",
                             "schema", "type", route->kind == ROUTE_METRICS ? "string" : "object");
    json_object_set_new (responses, status, json_pack ("{ssso}", "description", "success", "content", content));
    json_object_set_new (responses, "default", json_pack (
        "{sss{s{s{ss}}}}", "description", "an error (400, 401, 403, 404, 409, 413, 415, 503)",
        "content", "application/json", "schema", "$ref", "#/components/schemas/Error"));
    json_object_set_new (op, "responses", responses);
    if (route->kind != ROUTE_RPC)
        json_object_set_new (op, "security", json_array ());
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
    return json_pack ("{sss{ssss}s{s{s{ssssss}}so}s[{s[]}]so}",
        "openapi", "3.0.3",
        "info", "title", "Key worker service API", "version", "1",
        "components", "securitySchemes", "bearer", "type", "http", "scheme", "bearer",
        "bearerFormat", "JWT", "schemas", schemas,
        "security", "bearer",
        "paths", paths);
}
