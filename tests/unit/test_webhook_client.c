/*  test_webhook_client: signed webhooks against tests/tools/
    webhook_receiver.py, which verifies them with Python's hmac: a fresh
    signed body is taken, a repeated id is not taken twice, a stale
    timestamp and a signature made with another secret are refused
    (permanent), 5xx and 429 are temporary, 410 permanent, an unreachable
    subscriber temporary; the region file's "webhooks" section validated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "tap.h"
#include "pyserver.h"
#include "../../services/notification/webhook_client.h"

#define BODY "{\"topic\":\"assignment.offer_accepted\",\"case_id\":\"5d0c2b7a-3f1e-4e8b-8f55-7a9d2c4e6b11\"}"

typedef struct {
    int calls;
    webhook_result_t last;
} outcome_t;

static uv_loop_t *s_loop;
static webhook_client_t *s_client;
static int s_port;
static char s_dir [64];

static void
s_done (const webhook_result_t *result, void *arg)
{
    outcome_t *o = arg;
    o->calls++;
    o->last = *result;
}

static outcome_t
s_send (const webhook_subscriber_t *sub, const char *id, long long timestamp)
{
    outcome_t o = { 0 };
    char err [128] = "";
    webhook_message_t msg = { .delivery_id = id, .body = BODY, .timestamp = timestamp };
    if (webhook_client_send (s_client, sub, &msg, s_done, &o, err, sizeof err) != 0)
        return o;
    while (!o.calls)
        uv_run (s_loop, UV_RUN_ONCE);
    return o;
}

//  The receiver's verdict on the last POST.
static char *
s_verdict (void)
{
    long status;
    char *text = pyserver_http (s_port, "GET", "/_received", NULL, &status);
    json_t *all = text ? json_loads (text, 0, NULL) : NULL;
    free (text);
    const char *v = json_string_value (json_object_get (json_array_get (all, json_array_size (all) - 1),
                                                        "verdict"));
    char *copy = strdup (v ? v : "(none)");
    json_decref (all);
    return copy;
}

static void
s_write (const char *name, const char *text)
{
    char path [128];
    snprintf (path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen (path, "w");
    fputs (text, f);
    fclose (f);
}

static int
s_load (const char *json, webhook_subscriber_t *subs, char *err, size_t err_size)
{
    json_t *region = json_loads (json, 0, NULL);
    int n = webhook_subscribers_load (region, s_dir, subs, WEBHOOK_MAX_SUBSCRIBERS, err, err_size);
    json_decref (region);
    return n;
}

static void
test_config (void)
{
    webhook_subscriber_t subs [WEBHOOK_MAX_SUBSCRIBERS];
    char err [256] = "";
    is_int (s_load ("{\"id\": \"norfolk\"}", subs, err, sizeof err), 0, "a region without webhooks has none");
    static const struct { const char *json; const char *field; } bad [] = {
        { "{\"webhooks\":[{\"id\":\"a\",\"url\":\"http://example.org/h\",\"secret_file\":\"good\",\"events\":[\"x\"]}]}",
          "webhooks[0].url" },
        { "{\"webhooks\":[{\"id\":\"a\",\"url\":\"https://example.org/h\",\"secret_file\":\"short\",\"events\":[\"x\"]}]}",
          "webhooks[0].secret_file" },
        { "{\"webhooks\":[{\"id\":\"a\",\"url\":\"https://example.org/h\",\"secret_file\":\"missing\",\"events\":[\"x\"]}]}",
          "webhooks[0].secret_file" },
        { "{\"webhooks\":[{\"id\":\"a\",\"url\":\"https://example.org/h\",\"secret_file\":\"good\",\"events\":[]}]}",
          "webhooks[0].events" },
        { "{\"webhooks\":[{\"id\":\"a\",\"url\":\"https://example.org/h\",\"secret_file\":\"good\",\"events\":[\"x\"]},"
          "{\"id\":\"a\",\"url\":\"https://example.org/i\",\"secret_file\":\"good\",\"events\":[\"x\"]}]}",
          "webhooks[1].id" },
        { "{\"webhooks\":{}}", "webhooks" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        is_int (s_load (bad [i].json, subs, err, sizeof err), -1, "bad section %zu refused", i);
        ok (strncmp (err, bad [i].field, strlen (bad [i].field)) == 0, "naming %s (%s)", bad [i].field, err);
    }
}

int
main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/kw-webhook-XXXXXX");
    ok (mkdtemp (s_dir) != NULL, "a scratch directory");
    s_write ("good", "a-webhook-secret-of-forty-bytes-for-tests\n");
    s_write ("other", "another-secret-that-the-receiver-does-not-know\n");
    s_write ("short", "too-short\n");
    char path [128], config [1024], err [256] = "";
    snprintf (path, sizeof path, "%s/good", s_dir);
    const char *args [] = { "--secret-file", path, NULL };
    pid_t receiver = pyserver_start ("tests/tools/webhook_receiver.py", args, &s_port);
    ok (receiver > 0, "the receiver started");
    snprintf (config, sizeof config,
              "{\"webhooks\": [{\"id\": \"agency\", \"url\": \"http://127.0.0.1:%d/hook\", \"secret_file\": \"good\","
              " \"events\": [\"assignment.offer_accepted\", \"assignment.case_closed\"]},"
              " {\"id\": \"stranger\", \"url\": \"http://127.0.0.1:%d/hook\", \"secret_file\": \"other\","
              " \"events\": [\"assignment.offer_accepted\"]},"
              " {\"id\": \"gone\", \"url\": \"http://127.0.0.1:1/hook\", \"secret_file\": \"good\","
              " \"events\": [\"assignment.offer_accepted\"]}]}", s_port, s_port);
    webhook_subscriber_t subs [WEBHOOK_MAX_SUBSCRIBERS];
    is_int (s_load (config, subs, err, sizeof err), 3, "three subscribers load (%s)", err);
    ok (webhook_subscriber_wants (&subs [0], "assignment.case_closed"), "a subscriber takes its topics");
    ok (!webhook_subscriber_wants (&subs [0], "assignment.case"), "and no other");

    s_loop = uv_default_loop ();
    kw_curl_uv_t *driver = kw_curl_uv_new (s_loop, 4);
    s_client = webhook_client_new (driver, 10000);
    outcome_t o = s_send (&subs [0], "delivery-1", 0);
    is_int (o.last.outcome, WEBHOOK_DELIVERED, "a signed webhook is delivered");
    char *v = s_verdict ();
    is_str (v, "ok", "the receiver verified the signature with Python's hmac");
    free (v);
    o = s_send (&subs [0], "delivery-1", 0);
    is_int (o.last.outcome, WEBHOOK_DELIVERED, "the same delivery again is answered 2xx");
    v = s_verdict ();
    is_str (v, "duplicate", "and the receiver does not take it twice");
    free (v);
    o = s_send (&subs [0], "delivery-2", (long long) time (NULL) - WEBHOOK_REPLAY_WINDOW - 60);
    is_int (o.last.outcome, WEBHOOK_PERMANENT, "a stale timestamp is refused: permanent");
    v = s_verdict ();
    is_str (v, "stale timestamp", "the receiver saw it was stale");
    free (v);
    o = s_send (&subs [1], "delivery-3", 0);
    is_int (o.last.outcome, WEBHOOK_PERMANENT, "a body signed with another secret is refused");
    v = s_verdict ();
    is_str (v, "bad signature", "the receiver saw a bad signature");
    free (v);
    static const struct { int status; webhook_outcome_t outcome; } forced [] = {
        { 500, WEBHOOK_TEMPORARY }, { 503, WEBHOOK_TEMPORARY }, { 429, WEBHOOK_TEMPORARY },
        { 408, WEBHOOK_TEMPORARY }, { 410, WEBHOOK_PERMANENT }, { 404, WEBHOOK_PERMANENT },
    };
    for (size_t i = 0; i < sizeof forced / sizeof forced [0]; i++) {
        char body [64], id [32];
        long status;
        snprintf (body, sizeof body, "{\"statuses\": [%d]}", forced [i].status);
        free (pyserver_http (s_port, "POST", "/_next", body, &status));
        snprintf (id, sizeof id, "delivery-forced-%zu", i);
        o = s_send (&subs [0], id, 0);
        is_int (o.last.outcome, forced [i].outcome, "an answer %d is %s", forced [i].status,
                forced [i].outcome == WEBHOOK_TEMPORARY ? "temporary" : "permanent");
        is_int (o.last.http_status, forced [i].status, "with its status");
    }
    o = s_send (&subs [2], "delivery-4", 0);
    is_int (o.last.outcome, WEBHOOK_TEMPORARY, "an unreachable subscriber is temporary");
    webhook_message_t bad = { .delivery_id = "x\r\nInjected: 1", .body = BODY };
    is_int (webhook_client_send (s_client, &subs [0], &bad, s_done, &o, err, sizeof err), -1,
            "a delivery id that would inject a header is refused");
    test_config ();
    webhook_client_destroy (&s_client);
    kw_curl_uv_destroy (&driver);
    uv_run (s_loop, UV_RUN_DEFAULT);
    pyserver_stop (receiver);
    static const char *files [] = { "good", "other", "short" };
    for (size_t i = 0; i < 3; i++) {
        snprintf (path, sizeof path, "%s/%s", s_dir, files [i]);
        unlink (path);
    }
    rmdir (s_dir);
    is_int (uv_loop_close (s_loop), 0, "the loop is clean");
    return tap_done ();
}
