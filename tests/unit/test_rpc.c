/*  Unit tests for kw_rpc: a client and a server in one loop over inproc:
    round trip with payload, error replies, timeout when nobody answers,
    cancel, requests past their deadline dropped by the server, calls spread
    over two instances of a service. */
#include <string.h>
#include <unistd.h>
#include <zmq.h>
#include "kw_rpc_client.h"
#include "kw_rpc_server.h"
#include "kw_shutdown.h"
#include "kw/referral.pb-c.h"
#include "tap.h"

typedef struct {
    int replies;
    int timeouts;
    Kw__Status status;
    char message [128];
    char field [64];
    char echoed [64];
} result_t;

static int s_handled;

static void
s_handler (const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena, void *arg)
{
    s_handled++;
    if (strcmp (req->method, "echo") == 0) {
        Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
        if (!in)
            return;
        Kw__IdRequest out = KW__ID_REQUEST__INIT;
        out.id = kw_arena_printf (arena, "%s from %s", in->id, req->caller ? req->caller->sub : "?");
        kw_rpc_reply_ok (resp, arena, &out.base);
    }
    else
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "method", "unknown method %s", req->method);
}

//  s_handler, counting the requests this server answered in *arg.
static void
s_counting (const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena, void *arg)
{
    (*(int *) arg)++;
    s_handler (req, resp, arena, NULL);
}

static void
s_reply (const Kw__Response *resp, void *arg)
{
    result_t *r = arg;
    if (!resp) {
        r->timeouts++;
        return;
    }
    r->replies++;
    r->status = resp->status;
    snprintf (r->message, sizeof r->message, "%s", resp->message ? resp->message : "");
    snprintf (r->field, sizeof r->field, "%s", resp->field ? resp->field : "");
    if (resp->status == KW__STATUS__STATUS_OK) {
        Kw__IdRequest *out = kw__id_request__unpack (NULL, resp->payload.len, resp->payload.data);
        if (out) {
            snprintf (r->echoed, sizeof r->echoed, "%s", out->id);
            kw__id_request__free_unpacked (out, NULL);
        }
    }
}

static void
s_stop_cb (uv_timer_t *timer)
{
    uv_stop (timer->loop);
}

static void
s_run_for (uv_loop_t *loop, uv_timer_t *timer, int ms)
{
    uv_timer_start (timer, s_stop_cb, ms, 0);
    uv_run (loop, UV_RUN_DEFAULT);
}

//  Run the loop until the call has its answer (a reply or a timeout), for at
//  most 5 s: a slow machine (valgrind) only makes the test slower.
static void
s_run_until_answered (uv_loop_t *loop, uv_timer_t *timer, const result_t *r)
{
    for (int waited = 0; r->replies + r->timeouts == 0 && waited < 5000; waited += 10)
        s_run_for (loop, timer, 10);
}

int
main (void)
{
    uv_loop_t loop;
    uv_loop_init (&loop);
    uv_timer_t timer;
    uv_timer_init (&loop, &timer);
    void *ctx = zmq_ctx_new ();
    char err [256] = "";

    kw_rpc_server_t *server = kw_rpc_server_new (&loop, ctx, "inproc://rpc", NULL, NULL, s_handler, NULL, err, sizeof err);
    ok (server != NULL, "server binds (%s)", err);
    kw_rpc_client_t *client = kw_rpc_client_new (&loop, ctx, "inproc://rpc", NULL, NULL, err, sizeof err);
    ok (client != NULL, "client connects (%s)", err);
    s_run_for (&loop, &timer, 50);

    //  Round trip.
    Kw__Caller caller = KW__CALLER__INIT;
    caller.sub = "tester";
    caller.region = "norfolk";
    Kw__IdRequest in = KW__ID_REQUEST__INIT;
    in.id = "hello";
    uint8_t buf [64];
    size_t len = kw__id_request__pack (&in, buf);
    Kw__Request req = KW__REQUEST__INIT;
    req.method = "echo";
    req.caller = &caller;
    req.payload.data = buf;
    req.payload.len = len;
    result_t r = { 0 };
    ok (kw_rpc_client_call (client, &req, 1000, s_reply, &r) > 0, "call returns an id");
    is_int (kw_rpc_client_pending (client), 1, "one call pending");
    s_run_until_answered (&loop, &timer, &r);
    is_int (r.replies, 1, "one reply");
    is_int (r.status, KW__STATUS__STATUS_OK, "status OK");
    is_str (r.echoed, "hello from tester", "payload and caller reach the handler");
    is_int (kw_rpc_client_pending (client), 0, "nothing pending");

    //  Error reply with a field.
    memset (&r, 0, sizeof r);
    req.method = "nope";
    kw_rpc_client_call (client, &req, 1000, s_reply, &r);
    s_run_until_answered (&loop, &timer, &r);
    is_int (r.status, KW__STATUS__STATUS_INVALID, "unknown method is INVALID");
    is_str (r.field, "method", "the field is carried");
    is_str (r.message, "unknown method nope", "the message is carried");

    //  Malformed payload.
    memset (&r, 0, sizeof r);
    req.method = "echo";
    req.payload.data = (uint8_t *) "\xff\xff\xff";
    req.payload.len = 3;
    kw_rpc_client_call (client, &req, 1000, s_reply, &r);
    s_run_until_answered (&loop, &timer, &r);
    is_int (r.status, KW__STATUS__STATUS_INVALID, "a malformed payload is INVALID, not a crash");

    //  Cancel: the callback never runs.
    memset (&r, 0, sizeof r);
    req.payload.data = buf;
    req.payload.len = len;
    uint64_t id = kw_rpc_client_call (client, &req, 1000, s_reply, &r);
    kw_rpc_client_cancel (client, id);
    s_run_for (&loop, &timer, 100);
    is_int (r.replies + r.timeouts, 0, "a cancelled call gets no callback");

    //  Timeout: no server at the other end.
    kw_rpc_server_destroy (&server);
    ok (server == NULL, "server destroyed");
    memset (&r, 0, sizeof r);
    int handled = s_handled;
    kw_rpc_client_call (client, &req, 100, s_reply, &r);
    s_run_until_answered (&loop, &timer, &r);
    s_run_for (&loop, &timer, 100);
    is_int (r.timeouts, 1, "a call nobody answers times out once");
    is_int (r.replies, 0, "and gets no reply");
    is_int (s_handled, handled, "and reaches no handler");

    //  A server that starts after the deadline drops the stale request.
    kw_rpc_client_t *late = kw_rpc_client_new (&loop, ctx, "inproc://rpc-late", NULL, NULL, err, sizeof err);
    memset (&r, 0, sizeof r);
    kw_rpc_client_call (late, &req, 50, s_reply, &r);
    s_run_for (&loop, &timer, 120);
    server = kw_rpc_server_new (&loop, ctx, "inproc://rpc-late", NULL, NULL, s_handler, NULL, err, sizeof err);
    s_run_for (&loop, &timer, 150);
    is_int (s_handled, handled, "a request past its deadline is not handled");
    is_int (r.timeouts, 1, "its caller saw a timeout");

    //  Two instances of a service: the client spreads its calls over both.
    int served [2] = { 0, 0 };
    kw_rpc_server_t *one = kw_rpc_server_new (&loop, ctx, "inproc://rpc-one", NULL, NULL, s_counting, &served [0], err, sizeof err);
    kw_rpc_server_t *two = kw_rpc_server_new (&loop, ctx, "inproc://rpc-two", NULL, NULL, s_counting, &served [1], err, sizeof err);
    kw_rpc_client_t *both = kw_rpc_client_new (&loop, ctx, "inproc://rpc-one,inproc://rpc-two", NULL, NULL, err, sizeof err);
    ok (one && two && both, "a client connects to two endpoints, comma-separated");
    s_run_for (&loop, &timer, 50);
    memset (&r, 0, sizeof r);
    for (int i = 0; i < 10; i++)
        kw_rpc_client_call (both, &req, 1000, s_reply, &r);
    s_run_for (&loop, &timer, 300);
    is_int (r.replies, 10, "every call is answered once");
    ok (served [0] >= 1 && served [1] >= 1 && served [0] + served [1] == 10,
        "by both instances (%d and %d)", served [0], served [1]);
    kw_rpc_client_destroy (&both);
    kw_rpc_server_destroy (&one);
    kw_rpc_server_destroy (&two);
    ok (kw_rpc_client_new (&loop, ctx, "inproc://rpc-one,nonsense", NULL, NULL, err, sizeof err) == NULL
        && strstr (err, "nonsense"), "an endpoint that cannot be connected is named: %s", err);

    kw_rpc_client_destroy (&late);
    kw_rpc_client_destroy (&client);
    kw_rpc_server_destroy (&server);
    uv_close ((uv_handle_t *) &timer, NULL);
    zmq_ctx_term (ctx);
    is_int (kw_loop_finish (&loop), 0, "loop closes cleanly");
    //  A payload protobuf-c accepts but could not read back once repacked
    //  (a field numbered 0, in a two-byte varint) is refused as invalid.
    kw_arena_t *arena = kw_arena_new (1024);
    uint8_t field_zero [] = { 0x80, 0x00, 0x01 };
    Kw__Request bad = KW__REQUEST__INIT;
    bad.payload.data = field_zero;
    bad.payload.len = sizeof field_zero;
    Kw__Response resp = KW__RESPONSE__INIT;
    ok (kw_rpc_unpack (&bad, &resp, arena, &kw__id_request__descriptor) == NULL
        && resp.status == KW__STATUS__STATUS_INVALID, "a payload with a field numbered 0 is invalid");
    //  The same inside a nested message (a ReferralBody's child).
    uint8_t nested [] = { 0x1a, 0x03, 0x80, 0x00, 0x01 };
    bad.payload.data = nested;
    bad.payload.len = sizeof nested;
    ok (kw_rpc_unpack (&bad, &resp, arena, &kw__referral_body__descriptor) == NULL,
        "a field numbered 0 inside a nested message is invalid");
    Kw__IdRequest good = KW__ID_REQUEST__INIT;
    good.id = "abc";
    uint8_t packed [16];
    Kw__Request fine = KW__REQUEST__INIT;
    fine.payload.data = packed;
    fine.payload.len = kw__id_request__pack (&good, packed);
    Kw__IdRequest *unpacked = (Kw__IdRequest *) kw_rpc_unpack (&fine, &resp, arena, &kw__id_request__descriptor);
    ok (unpacked && strcmp (unpacked->id, "abc") == 0, "a well-formed payload unpacks");
    kw_arena_destroy (&arena);
    return tap_done ();
}
