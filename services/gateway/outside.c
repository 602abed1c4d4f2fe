/*  outside: signed links' pages and Notify's callback (see outside.h). Each
    is one RPC with a fixed caller: "link" (the assignment service, for an
    offer's link, or the scheduling service, for a meeting invitation's,
    takes the person from the link itself) or "notify_callback". */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "kw/links.pb-c.h"
#include "kw_log.h"
#include "kw_pb.h"
#include "kw_rpc_metrics.h"
#include "outside.h"
#include "regions.h"

#define PAGE_SIZE 8192
#define FIELD_SIZE 400
#define CALLBACK_MAX_BODY 16384

typedef void (answer_fn) (gateway_t *self, h2o_req_t *req, size_t index, const Kw__Response *resp);

typedef struct {
    gateway_t *gateway;
    h2o_req_t *req;
    size_t index;
    const route_t *route;
    answer_fn *answer;
    uint64_t call_id;
    uint64_t started;
} outside_call_t;

char *
outside_html_escape (const char *text, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = text ? text : ""; *p && n + 7 < size; p++) {
        const char *rep = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;"
                        : *p == '"' ? "&quot;" : *p == '\'' ? "&#39;" : NULL;
        if (rep) {
            memcpy (out + n, rep, strlen (rep));
            n += strlen (rep);
        }
        else
            out [n++] = *p;
    }
    if (size)
        out [n < size ? n : size - 1] = 0;
    return out;
}

static void
s_dispose (void *arg)
{
    outside_call_t *call = arg;
    if (call->call_id)
        kw_rpc_client_cancel (call->gateway->clients [call->route->service], call->call_id);
    call->call_id = 0;
}

static void
s_on_reply (const Kw__Response *resp, void *arg)
{
    outside_call_t *call = arg;
    call->call_id = 0;
    kw_rpc_metrics_called (route_service_names [call->route->service], call->route->rpc, resp, call->started);
    call->answer (call->gateway, call->req, call->index, resp);
}

//  Call the route's method with input as caller sub/role; answer is given
//  the reply (NULL when the service did not answer in time).
static void
s_call (gateway_t *self, h2o_req_t *req, const route_match_t *m, const char *sub, const char *role,
        const ProtobufCMessage *input, answer_fn *answer)
{
    kw_arena_t *arena = kw_arena_new (4096);
    size_t size;
    uint8_t *payload = kw_arena_pack (arena, input, &size);
    Kw__Caller caller = KW__CALLER__INIT;
    caller.sub = (char *) sub;
    caller.role = (char *) role;
    caller.region = (char *) role;
    Kw__Request request = KW__REQUEST__INIT;
    request.method = (char *) m->route->rpc;
    request.caller = &caller;
    request.payload.data = payload;
    request.payload.len = size;
    request.idempotency_key = "";
    outside_call_t *call = h2o_mem_alloc_shared (&req->pool, sizeof *call, s_dispose);
    *call = (outside_call_t) { .gateway = self, .req = req, .index = m->index, .route = m->route,
                               .answer = answer, .started = uv_hrtime () };
    call->call_id = kw_rpc_client_call (self->clients [m->route->service], &request, self->rpc_timeout_ms,
                                        s_on_reply, call);
    kw_arena_destroy (&arena);
}

// ---- signed links: HTML

static void
s_page (gateway_t *self, h2o_req_t *req, size_t index, int status, const char *title, const char *body)
{
    char *page = h2o_mem_alloc_pool (&req->pool, PAGE_SIZE);
    char safe_title [FIELD_SIZE];
    int n = snprintf (page, PAGE_SIZE,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>%s</title><style>body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em;"
        "line-height:1.5}dt{font-weight:bold}button{font-size:1.1em;padding:.5em 1em}</style></head>\n"
        "<body><main><h1>%s</h1>\n%s\n</main></body></html>\n",
        outside_html_escape (title, safe_title, sizeof safe_title), safe_title, body);
    reply_count (self, index, status);
    req->res.status = status;
    req->res.reason = status == 200 ? "OK" : status == 410 ? "Gone" : status == 409 ? "Conflict"
                    : status == 403 ? "Forbidden" : status == 400 ? "Bad Request" : "Error";
    h2o_add_header (&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                    H2O_STRLIT ("text/html; charset=utf-8"));
    h2o_add_header (&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT ("no-store"));
    h2o_add_header_by_str (&req->pool, &req->res.headers, H2O_STRLIT ("referrer-policy"), 0, NULL,
                           H2O_STRLIT ("no-referrer"));
    h2o_add_header_by_str (&req->pool, &req->res.headers, H2O_STRLIT ("content-security-policy"), 0, NULL,
                           H2O_STRLIT ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self';"
                                       " frame-ancestors 'none'"));
    reply_send (req, page, n < PAGE_SIZE ? (size_t) n : PAGE_SIZE - 1);
}

//  A refusal: the status and text a person can act on (meeting: of a
//  meeting invitation's link).
static void
s_refusal (gateway_t *self, h2o_req_t *req, size_t index, const Kw__Response *resp, int meeting)
{
    const char *code = resp && resp->code ? resp->code : "";
    int status = 503;
    const char *title = "Please try again later";
    if (!resp)
        ;
    else
    if (strcmp (code, "link_expired") == 0 || strcmp (code, "offer_expired") == 0) {
        status = 410;
        title = "This link has expired";
    }
    else
    if (strcmp (code, "link_used") == 0) {
        status = 409;
        title = "This link has already been used";
    }
    else
    if (strcmp (code, "link_outdated") == 0) {
        status = 409;
        title = "This link is out of date";
    }
    else
    if (strcmp (code, "meeting_cancelled") == 0) {
        status = 409;
        title = "This meeting has been cancelled";
    }
    else
    if (resp->status == KW__STATUS__STATUS_FORBIDDEN || resp->status == KW__STATUS__STATUS_NOT_FOUND
    ||  resp->status == KW__STATUS__STATUS_INVALID) {
        status = 403;
        title = "This link is not valid";
    }
    else
    if (resp->status == KW__STATUS__STATUS_CONFLICT) {
        status = 409;
        title = meeting ? "This invitation cannot be answered now" : "This offer cannot be answered now";
    }
    char message [FIELD_SIZE], body [FIELD_SIZE * 2];
    outside_html_escape (resp && resp->message ? resp->message : "The service did not answer in time.",
                         message, sizeof message);
    snprintf (body, sizeof body, "<p>%s.</p>\n<p>Nothing has been changed. If you still need to answer the"
              " %s, contact your coordinator.</p>", message, meeting ? "invitation" : "offer");
    s_page (self, req, index, status, title, body);
}

//  The page resp answers (in arena), or NULL when it is a refusal or does
//  not unpack, answered with the refusal's page (meeting: of a meeting's
//  link).
static Kw__LinkPage *
s_link_page (gateway_t *self, h2o_req_t *req, size_t index, const Kw__Response *resp, int meeting,
             kw_arena_t *arena)
{
    Kw__LinkPage *page = resp && resp->status == KW__STATUS__STATUS_OK
                       ? (Kw__LinkPage *) kw_pb_unpack (&kw__link_page__descriptor, arena, resp->payload.data,
                                                        resp->payload.len)
                       : NULL;
    if (!page)
        s_refusal (self, req, index, resp && resp->status != KW__STATUS__STATUS_OK ? resp : NULL, meeting);
    return page;
}

static void
s_link_answer (gateway_t *self, h2o_req_t *req, size_t index, const Kw__Response *resp)
{
    kw_arena_t *arena = kw_arena_new (4096);
    Kw__LinkPage *page = s_link_page (self, req, index, resp, 0, arena);
    if (!page) {
        kw_arena_destroy (&arena);
        return;
    }
    int accept = page->action && strcmp (page->action, "offer.accept") == 0;
    char name [FIELD_SIZE], case_id [FIELD_SIZE], expires [FIELD_SIZE], purpose [FIELD_SIZE];
    char body [PAGE_SIZE / 2];
    outside_html_escape (page->professional_name, name, sizeof name);
    outside_html_escape (page->case_id, case_id, sizeof case_id);
    outside_html_escape (page->expires_at, expires, sizeof expires);
    outside_html_escape (page->purpose, purpose, sizeof purpose);
    if (page->done) {
        snprintf (body, sizeof body, "<p>Thank you, %s. You have %s the key worker role for case %s.</p>\n"
                  "<p>%s</p>", name, accept ? "accepted" : "declined", case_id,
                  accept ? "The family, the team and the coordinator will be told."
                         : "The coordinator will offer the case to someone else.");
        s_page (self, req, index, 200, accept ? "You have accepted the case" : "You have declined the case",
                body);
    }
    else {
        snprintf (body, sizeof body,
                  "<p>%s, you have been offered the key worker role for this case.</p>\n<dl>"
                  "<dt>Case</dt><dd>%s</dd><dt>Kind of offer</dt><dd>%s</dd><dt>Answer by</dt><dd>%s</dd></dl>\n"
                  "<p>Nothing has changed yet. Press the button to %s the case.</p>\n"
                  "<form method=\"post\"><input type=\"hidden\" name=\"confirm\" value=\"yes\">"
                  "<button type=\"submit\">Yes, %s the case</button></form>",
                  name, case_id, purpose, expires, accept ? "accept" : "decline", accept ? "accept" : "decline");
        s_page (self, req, index, 200, accept ? "Accept this case?" : "Decline this case?", body);
    }
    kw_arena_destroy (&arena);
}

static void
s_meeting_link_answer (gateway_t *self, h2o_req_t *req, size_t index, const Kw__Response *resp)
{
    kw_arena_t *arena = kw_arena_new (4096);
    Kw__LinkPage *page = s_link_page (self, req, index, resp, 1, arena);
    if (!page) {
        kw_arena_destroy (&arena);
        return;
    }
    int attend = page->action && strcmp (page->action, "meeting.attend") == 0;
    char when [FIELD_SIZE], place [FIELD_SIZE], case_id [FIELD_SIZE], type [FIELD_SIZE];
    char body [PAGE_SIZE / 2];
    outside_html_escape (page->meeting_when, when, sizeof when);
    outside_html_escape (page->location && *page->location ? page->location : "to be confirmed", place,
                         sizeof place);
    outside_html_escape (page->case_id, case_id, sizeof case_id);
    outside_html_escape (page->meeting_type, type, sizeof type);
    int n = snprintf (body, sizeof body, "<dl><dt>Meeting</dt><dd>%s</dd><dt>When</dt><dd>%s</dd><dt>Where</dt>"
                      "<dd>%s</dd><dt>Case</dt><dd>%s</dd></dl>\n", type, when, place, case_id);
    if (page->done) {
        snprintf (body + n, sizeof body - (size_t) n, "<p>Thank you. Your answer is recorded: you %s.</p>\n<p>%s</p>",
                  attend ? "will attend" : "cannot attend",
                  attend ? "The invitation in your calendar is unchanged."
                         : "The coordinator is told when someone the meeting needs cannot come.");
        s_page (self, req, index, 200, attend ? "You will attend" : "You have declined the meeting", body);
    }
    else {
        snprintf (body + n, sizeof body - (size_t) n,
                  "<p>Nothing has changed yet. Press the button to %s.</p>\n"
                  "<form method=\"post\"><input type=\"hidden\" name=\"confirm\" value=\"yes\">"
                  "<button type=\"submit\">Yes, %s</button></form>",
                  attend ? "say you will attend" : "decline the meeting", attend ? "I will attend" : "I cannot attend");
        s_page (self, req, index, 200, attend ? "Attend this meeting?" : "Decline this meeting?", body);
    }
    kw_arena_destroy (&arena);
}

//  1 when the form body is exactly confirm=yes.
static int
s_confirmed (h2o_req_t *req)
{
    return req->entity.len == 11 && memcmp (req->entity.base, "confirm=yes", 11) == 0;
}

void
outside_link (gateway_t *self, h2o_req_t *req, const route_match_t *m)
{
    if (strcmp (m->route->method, "POST") == 0 && !s_confirmed (req)) {
        s_page (self, req, m->index, 400, "Please use the button",
                "<p>Open the link from your message again and use the button on the page to confirm."
                " Nothing has been changed.</p>");
        return;
    }
    Kw__LinkRequest in = KW__LINK_REQUEST__INIT;
    in.token = (char *) m->params [0];
    s_call (self, req, m, "link", "link", &in.base,
            m->route->service == SERVICE_SCHEDULING ? s_meeting_link_answer : s_link_answer);
}

// ---- Notify's delivery receipts

static void
s_receipt_answer (gateway_t *self, h2o_req_t *req, size_t index, const Kw__Response *resp)
{
    if (!resp) {
        reply_error (self, req, index, 503, "unavailable", "the service did not answer in time; try again",
                     NULL, NULL);
        return;
    }
    if (resp->status != KW__STATUS__STATUS_OK) {
        int status = resp->status == KW__STATUS__STATUS_INVALID ? 400
                   : resp->status == KW__STATUS__STATUS_NOT_FOUND ? 404
                   : resp->status == KW__STATUS__STATUS_CONFLICT ? 409 : 503;
        reply_service_error (self, req, index, status, resp->code && *resp->code ? resp->code : "refused", resp);
        return;
    }
    reply_json (self, req, index, 200, json_pack ("{ss}", "status", "received"));
}

//  1 when the Authorization header is "Bearer <the callback token>" (the
//  deployment's, or a region's: regions.h), compared in constant time over
//  hashes (the length is not leaked either).
static int
s_token_ok (gateway_t *self, h2o_req_t *req)
{
    ssize_t at = h2o_find_header (&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (at < 0)
        return 0;
    const h2o_iovec_t *value = &req->headers.entries [at].value;
    if (value->len < 7 || strncasecmp (value->base, "Bearer ", 7) != 0)
        return 0;
    unsigned char given [crypto_generichash_BYTES], want [crypto_generichash_BYTES];
    crypto_generichash (given, sizeof given, (const unsigned char *) value->base + 7, value->len - 7, NULL, 0);
    int ours = 0;
    if (self->callback_token) {
        crypto_generichash (want, sizeof want, self->callback_token, self->callback_token_len, NULL, 0);
        ours = sodium_memcmp (given, want, sizeof want) == 0;
    }
    return ours || regions_callback_token (self->regions, given, (int64_t) time (NULL));
}

void
outside_notify_callback (gateway_t *self, h2o_req_t *req, const route_match_t *m)
{
    if (!self->callback_token && !regions_callback_configured (self->regions)) {
        reply_error (self, req, m->index, 503, "unavailable", "delivery receipts are not configured", NULL, NULL);
        return;
    }
    if (!s_token_ok (self, req)) {
        metrics_unauthenticated (1);
        kw_info ("callback_refused", "route", m->route->pattern);
        reply_error (self, req, m->index, 401, "unauthenticated", "the callback's bearer token is not ours",
                     NULL, NULL);
        return;
    }
    if (req->entity.len > CALLBACK_MAX_BODY) {
        reply_error (self, req, m->index, 413, "too_large", "a delivery receipt is at most 16 KiB", NULL, NULL);
        return;
    }
    Kw__NotifyReceiptRequest in = KW__NOTIFY_RECEIPT_REQUEST__INIT;
    in.data.data = (uint8_t *) req->entity.base;
    in.data.len = req->entity.len;
    in.has_data = 1;
    in.format = "json";
    s_call (self, req, m, "gov.uk-notify", "notify_callback", &in.base, s_receipt_answer);
}
