/*  reply: JSON answers, and errors as {"error": {"code", "message", "field"}};
    an answer to input with several problems also lists every one of them
    in "errors": [{"field", "message"}, ...], the first being the error's
    own field and message. */
#include <stdio.h>
#include <string.h>
#include "kw_metrics.h"
#include "gateway.h"

static const char *
s_reason (int status)
{
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 409: return "Conflict";
        case 413: return "Payload Too Large";
        case 415: return "Unsupported Media Type";
        case 503: return "Service Unavailable";
        default: return "Internal Server Error";
    }
}

void
reply_count (gateway_t *self, size_t route, int status)
{
    size_t count;
    const route_t *routes = routes_table (&count);
    char label [160], cls [8];
    snprintf (label, sizeof label, "%s %s", route < count ? routes [route].method : "ANY",
              route < count ? routes [route].pattern : "unrouted");
    snprintf (cls, sizeof cls, "%dxx", status >= 100 && status < 600 ? status / 100 : 0);
    kw_metric_add (kw_metrics_counter ("kw_gateway_responses_total",
                                       "HTTP answers by route and status class.", "route,class"),
                   1, label, cls);
}

void
reply_send (h2o_req_t *req, const char *body, size_t len)
{
    req->res.content_length = len;
    h2o_send_inline (req, body, len);
}

void
reply_json (gateway_t *self, h2o_req_t *req, size_t route, int status, json_t *body)
{
    char *text = json_dumps (body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref (body);
    reply_count (self, route, status);
    req->res.status = status;
    req->res.reason = s_reason (status);
    h2o_add_header (&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                    H2O_STRLIT ("application/json"));
    h2o_add_header (&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                    H2O_STRLIT ("no-store"));
    if (!text) {
        req->res.status = 500;
        req->res.reason = s_reason (500);
        reply_send (req, H2O_STRLIT ("{\"error\":{\"code\":\"internal\",\"message\":\"cannot encode the answer\"}}"));
        return;
    }
    reply_send (req, text, strlen (text));
    free (text);
}

//  The error object: code, message, and field and existing_id when given.
static json_t *
s_error (const char *code, const char *message, const char *field, const char *existing_id)
{
    json_t *error = json_object ();
    json_object_set_new (error, "code", json_string (code));
    json_t *text = json_string (message ? message : "");
    json_object_set_new (error, "message", text ? text : json_string ("(unprintable message)"));
    if (field && *field) {
        json_t *f = json_string (field);
        if (f)
            json_object_set_new (error, "field", f);
    }
    if (existing_id && *existing_id)
        json_object_set_new (error, "existing_id", json_string (existing_id));
    return error;
}

static void
s_send_error (gateway_t *self, h2o_req_t *req, size_t route, int status, json_t *error)
{
    if (status == 401)
        h2o_add_header (&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                        H2O_STRLIT ("Bearer"));
    reply_json (self, req, route, status, json_pack ("{s:o}", "error", error));
}

void
reply_error (gateway_t *self, h2o_req_t *req, size_t route, int status, const char *code,
             const char *message, const char *field, const char *existing_id)
{
    s_send_error (self, req, route, status, s_error (code, message, field, existing_id));
}

void
reply_service_error (gateway_t *self, h2o_req_t *req, size_t route, int status, const char *code,
                     const Kw__Response *resp)
{
    reply_service_refusal (self, req, route, status, code, resp, NULL);
}

void
reply_text (gateway_t *self, h2o_req_t *req, size_t route, int status, const char *content_type,
            const char *text)
{
    reply_count (self, route, status);
    req->res.status = status;
    req->res.reason = s_reason (status);
    h2o_add_header (&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                    strlen (content_type));
    h2o_add_header (&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                    H2O_STRLIT ("no-store"));
    h2o_add_header_by_str (&req->pool, &req->res.headers, H2O_STRLIT ("x-content-type-options"), 0, NULL,
                           H2O_STRLIT ("nosniff"));
    reply_send (req, text, strlen (text));
}

void
reply_service_refusal (gateway_t *self, h2o_req_t *req, size_t route, int status, const char *code,
                       const Kw__Response *resp, json_t *detail)
{
    json_t *error = s_error (code, resp->message, resp->field, resp->existing_id);
    const char *key;
    json_t *value;
    json_object_foreach (detail, key, value)
        if (!json_object_get (error, key))
            json_object_set (error, key, value);
    json_decref (detail);
    if (resp->n_errors > 0) {
        json_t *errors = json_array ();
        for (size_t i = 0; i < resp->n_errors; i++) {
            json_t *field = json_string (resp->errors [i]->field ? resp->errors [i]->field : "");
            json_t *message = json_string (resp->errors [i]->message ? resp->errors [i]->message : "");
            if (field && message)
                json_array_append_new (errors, json_pack ("{s:o,s:o}", "field", field, "message", message));
            else {
                json_decref (field);
                json_decref (message);
            }
        }
        json_object_set_new (error, "errors", errors);
    }
    s_send_error (self, req, route, status, error);
}
