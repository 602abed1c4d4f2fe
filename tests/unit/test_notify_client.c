/*  test_notify_client: the GOV.UK Notify client against tests/tools/
    notify_server.py, a local server speaking Notify's documented protocol
    (it checks the JWT's signature, iss and iat): e-mail, SMS and letter
    sends with the reference, several in flight at once, 400/403 permanent,
    429 temporary with every send held, 5xx and an unreachable server
    temporary, error texts without the recipient, invalid messages refused. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <sodium.h>
#include "tap.h"
#include "pyserver.h"
#include "../../services/notification/notify_client.h"

#define SERVICE_ID "26785a09-ab16-4eb0-8407-a37497a57506"
#define SECRET "3d844edf-8d35-48ac-975b-e847b4f122b0"
#define API_KEY "kw_test-" SERVICE_ID "-" SECRET
#define WRONG_KEY "kw_test-" SERVICE_ID "-00000000-8d35-48ac-975b-e847b4f122b0"
#define TEMPLATE "f33517ff-2a88-4f6e-b855-c550268ce08a"
#define ADDRESS "pat.lee@example.org"

typedef struct {
    int calls;
    notify_result_t last;
} outcome_t;

static uv_loop_t *s_loop;
static kw_curl_uv_t *s_driver;
static int s_port;

static void
s_done (const notify_result_t *result, void *arg)
{
    outcome_t *o = arg;
    o->calls++;
    o->last = *result;
}

//  Run the loop until every outcome given has its call.
static void
s_wait (outcome_t *o, int count)
{
    for (;;) {
        int all = 1;
        for (int i = 0; i < count; i++)
            all = all && o [i].calls > 0;
        if (all)
            return;
        uv_run (s_loop, UV_RUN_ONCE);
    }
}

static notify_client_t *
s_client (const char *key, int port, int letters)
{
    char url [64], err [128];
    snprintf (url, sizeof url, "http://127.0.0.1:%d", port);
    notify_config_t config = { .base_url = url, .api_key = key, .letters = letters, .timeout_ms = 10000 };
    return notify_client_new (s_driver, &config, err, sizeof err);
}

static int
s_send (notify_client_t *client, notify_kind_t kind, const char *to, const char *reference, outcome_t *o)
{
    char err [128] = "";
    notify_message_t msg = { .kind = kind, .to = to, .template_id = TEMPLATE, .reference = reference };
    return notify_client_send (client, &msg, s_done, o, err, sizeof err);
}

//  The server's record of the last send.
static json_t *
s_last_received (void)
{
    long status;
    char *text = pyserver_http (s_port, "GET", "/_received", NULL, &status);
    json_t *all = text ? json_loads (text, 0, NULL) : NULL;
    free (text);
    json_t *last = json_incref (json_array_get (all, json_array_size (all) - 1));
    json_decref (all);
    return last;
}

static void
s_next (const char *statuses)
{
    long status;
    char body [64];
    snprintf (body, sizeof body, "{\"statuses\": %s}", statuses);
    free (pyserver_http (s_port, "POST", "/_next", body, &status));
}

//  Send one e-mail that the server answers with status (a JSON list).
static outcome_t
s_forced (notify_client_t *client, const char *status, const char *reference)
{
    outcome_t o = { 0 };
    s_next (status);
    if (s_send (client, NOTIFY_EMAIL, ADDRESS, reference, &o) == 0)
        s_wait (&o, 1);
    return o;
}

static void
test_token (notify_client_t *client)
{
    char *token = notify_client_token (client, 1800000000);
    const char *dot = token ? strchr (token, '.') : NULL;
    const char *dot2 = dot ? strchr (dot + 1, '.') : NULL;
    char payload [256] = "";
    size_t len = 0;
    if (dot2)
        sodium_base642bin ((unsigned char *) payload, sizeof payload - 1, dot + 1, (size_t) (dot2 - dot - 1),
                           NULL, &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    payload [len] = 0;
    is_str (payload, "{\"iss\":\"" SERVICE_ID "\",\"iat\":1800000000}", "the token's claims are iss and iat");
    free (token);
}

static void
test_sends (notify_client_t *client)
{
    outcome_t o = { 0 };
    is_int (s_send (client, NOTIFY_EMAIL, ADDRESS, "delivery-1", &o), 0, "an e-mail is sent on its way");
    s_wait (&o, 1);
    is_int (o.last.outcome, NOTIFY_SENT, "an e-mail Notify accepts is sent");
    is_int (o.last.http_status, 201, "Notify answered 201");
    json_t *got = s_last_received ();
    ok (json_is_null (json_object_get (got, "jwt_error")), "the server accepted the JWT");
    is_str (json_string_value (json_object_get (got, "path")), "/v2/notifications/email", "the e-mail path");
    json_t *body = json_object_get (got, "body");
    is_str (json_string_value (json_object_get (body, "reference")), "delivery-1", "reference is the delivery id");
    is_str (json_string_value (json_object_get (body, "email_address")), ADDRESS, "the address is sent");
    is_str (o.last.notification_id, json_string_value (json_object_get (got, "id")),
            "Notify's notification id is handed back");
    json_decref (got);

    outcome_t sms = { 0 };
    s_send (client, NOTIFY_SMS, "07700900123", "delivery-2", &sms);
    s_wait (&sms, 1);
    got = s_last_received ();
    is_int (sms.last.outcome, NOTIFY_SENT, "a text message is sent");
    is_str (json_string_value (json_object_get (got, "path")), "/v2/notifications/sms", "the SMS path");
    is_str (json_string_value (json_object_get (json_object_get (got, "body"), "phone_number")), "07700900123",
            "phone_number is sent");
    json_decref (got);

    outcome_t many [6] = { 0 };
    int started = 0;
    for (int i = 0; i < 6; i++) {
        char reference [32];
        snprintf (reference, sizeof reference, "delivery-many-%d", i);
        started += s_send (client, NOTIFY_EMAIL, ADDRESS, reference, &many [i]) == 0;
    }
    is_int (kw_curl_uv_pending (s_driver), 6, "six sends are in flight at once");
    s_wait (many, 6);
    int sent = 0;
    for (int i = 0; i < 6; i++)
        sent += many [i].calls == 1 && many [i].last.outcome == NOTIFY_SENT;
    is_int (sent, 6, "each of the six is sent, its callback called once");
}

static void
test_letters (notify_client_t *client, notify_client_t *with_letters)
{
    char err [128] = "";
    json_t *address = json_pack ("{s:s, s:s, s:s}", "address_line_1", "A Person", "address_line_2", "1 Street",
                                 "address_line_3", "NR1 1AA");
    notify_message_t letter = { .kind = NOTIFY_LETTER, .template_id = TEMPLATE, .reference = "delivery-letter",
                                .personalisation = address };
    outcome_t o = { 0 };
    is_int (notify_client_send (client, &letter, s_done, &o, err, sizeof err), -1,
            "a letter is refused where the region has not turned letters on");
    ok (strncmp (err, "kind:", 5) == 0, "the refusal names the field (%s)", err);
    is_int (notify_client_send (with_letters, &letter, s_done, &o, err, sizeof err), 0, "a letter is sent");
    s_wait (&o, 1);
    is_int (o.last.outcome, NOTIFY_SENT, "Notify accepts the letter");
    json_t *got = s_last_received ();
    is_str (json_string_value (json_object_get (got, "path")), "/v2/notifications/letter", "the letter path");
    json_decref (got);
    json_decref (address);
}

static void
test_refusals (notify_client_t *client)
{
    outcome_t o = s_forced (client, "[400]", "delivery-400");
    is_int (o.last.outcome, NOTIFY_PERMANENT, "a 400 is a permanent failure");
    is_str (o.last.error, "Notify answered 400 (BadRequestError)", "the error names status and type");
    ok (!strstr (o.last.error, "pat.lee"), "the error holds no address");

    o = s_forced (client, "[500]", "delivery-500");
    is_int (o.last.outcome, NOTIFY_TEMPORARY, "a 500 is a temporary failure");
    is_int (o.last.retry_after_ms, 0, "a 500 does not hold the client");

    char err [128] = "";
    notify_message_t bad = { .kind = NOTIFY_EMAIL, .to = ADDRESS, .template_id = "not-a-template",
                             .reference = "delivery-bad" };
    is_int (notify_client_send (client, &bad, s_done, &o, err, sizeof err), -1, "a bad template id is refused");
    ok (strncmp (err, "template_id:", 12) == 0, "naming template_id (%s)", err);
    bad.template_id = TEMPLATE;
    bad.reference = "";
    is_int (notify_client_send (client, &bad, s_done, &o, err, sizeof err), -1, "an empty reference is refused");
    ok (strncmp (err, "reference:", 10) == 0, "naming reference (%s)", err);
}

static void
test_rate_limit (notify_client_t *client)
{
    outcome_t o = s_forced (client, "[429]", "delivery-429");
    is_int (o.last.outcome, NOTIFY_TEMPORARY, "a 429 is temporary");
    ok (o.last.retry_after_ms >= 1000, "and holds the client for a backoff (%u ms)", o.last.retry_after_ms);
    ok (notify_client_wait_ms (client) > 0, "the client says how long to wait");
    outcome_t held = { 0 };
    int rc = s_send (client, NOTIFY_EMAIL, ADDRESS, "delivery-held", &held);
    is_int (rc, 1, "a send during the backoff is held, not sent");
    if (rc == 0)
        s_wait (&held, 1);
    json_t *got = s_last_received ();
    is_str (json_string_value (json_object_get (json_object_get (got, "body"), "reference")), "delivery-429",
            "the server got nothing after the 429");
    json_decref (got);
}

static void
test_auth (int port)
{
    notify_client_t *wrong = s_client (WRONG_KEY, port, 0);
    outcome_t o = { 0 };
    s_send (wrong, NOTIFY_EMAIL, ADDRESS, "delivery-403", &o);
    s_wait (&o, 1);
    is_int (o.last.outcome, NOTIFY_PERMANENT, "a token signed with another secret is refused: permanent");
    is_int (o.last.http_status, 403, "with 403");
    notify_client_destroy (&wrong);
    char err [128] = "";
    notify_config_t config = { .base_url = "http://127.0.0.1:1", .api_key = "short" };
    ok (!notify_client_new (s_driver, &config, err, sizeof err), "a malformed API key is refused (%s)", err);
}

static void
test_unreachable (void)
{
    notify_client_t *client = s_client (API_KEY, 1, 0);
    outcome_t o = { 0 };
    s_send (client, NOTIFY_EMAIL, ADDRESS, "delivery-down", &o);
    s_wait (&o, 1);
    is_int (o.last.outcome, NOTIFY_TEMPORARY, "an unreachable Notify is a temporary failure");
    is_int (o.last.http_status, 0, "with no status");
    notify_client_destroy (&client);
}

int
main (void)
{
    s_loop = uv_default_loop ();
    s_driver = kw_curl_uv_new (s_loop, 8);
    const char *args [] = { "--api-key", API_KEY, NULL };
    pid_t server = pyserver_start ("tests/tools/notify_server.py", args, &s_port);
    ok (server > 0, "the Notify protocol server started");
    if (server <= 0)
        return tap_done ();
    notify_client_t *client = s_client (API_KEY, s_port, 0);
    notify_client_t *with_letters = s_client (API_KEY, s_port, 1);
    ok (client && with_letters, "clients made");
    test_token (client);
    test_sends (client);
    test_letters (client, with_letters);
    test_refusals (client);
    test_auth (s_port);
    test_unreachable ();
    test_rate_limit (client);
    notify_client_destroy (&client);
    notify_client_destroy (&with_letters);
    kw_curl_uv_destroy (&s_driver);
    uv_run (s_loop, UV_RUN_DEFAULT);
    pyserver_stop (server);
    is_int (uv_loop_close (s_loop), 0, "every handle of the driver is closed");
    return tap_done ();
}
