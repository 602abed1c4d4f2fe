/*  notify_client: GOV.UK Notify's send API over libcurl multi on the loop
    (see notify_client.h for the outcomes and docs/notifications-channels.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "kw_jwt.h"
#include "kw_uuid.h"
#include "notify_client.h"

#define KEY_TAIL 73                 //  "{service id}-{secret}": 36 + 1 + 36
#define DEFAULT_TIMEOUT_MS 30000L
#define BACKOFF_FIRST_MS 1000u
#define BACKOFF_MAX_MS 60000u

struct _notify_client_t {
    kw_curl_uv_t *driver;
    char base_url [256];
    char service_id [KW_UUID_SIZE];
    char secret [KW_UUID_SIZE];
    int letters;
    long timeout_ms;
    unsigned backoff_ms;            //  the next 429's pause (0: none yet)
    unsigned long long held_until;  //  monotonic ms; sends wait until then
    size_t in_flight;
    int closing;
};

typedef struct {
    notify_client_t *client;
    notify_done_fn *done;
    void *arg;
} send_t;

static unsigned long long
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (unsigned long long) ts.tv_sec * 1000 + (unsigned long long) ts.tv_nsec / 1000000;
}

//  The service id and secret of key into the two buffers; 1 when the key
//  has the shape "{name}-{service id}-{secret}", else 0.
static int
s_key_parts (const char *key, char service_id [KW_UUID_SIZE], char secret [KW_UUID_SIZE])
{
    size_t len = key ? strlen (key) : 0;
    *service_id = *secret = '\0';
    if (len > KEY_TAIL && key [len - KEY_TAIL - 1] == '-' && key [len - 37] == '-') {
        snprintf (service_id, KW_UUID_SIZE, "%.36s", key + len - KEY_TAIL);
        snprintf (secret, KW_UUID_SIZE, "%.36s", key + len - 36);
    }
    return kw_uuid_valid (service_id) && kw_uuid_valid (secret);
}

int
notify_client_key_valid (const char *api_key)
{
    char service_id [KW_UUID_SIZE], secret [KW_UUID_SIZE];
    int valid = s_key_parts (api_key, service_id, secret);
    sodium_memzero (secret, sizeof secret);
    return valid;
}

notify_client_t *
notify_client_new (kw_curl_uv_t *driver, const notify_config_t *config, char *err, size_t err_size)
{
    char service_id [KW_UUID_SIZE], secret [KW_UUID_SIZE];
    if (!s_key_parts (config->api_key, service_id, secret)) {
        snprintf (err, err_size, "the Notify API key must be {name}-{service id}-{secret id} (two UUIDs)");
        return NULL;
    }
    const char *base = config->base_url ? config->base_url : "";
    if ((strncmp (base, "https://", 8) != 0 && strncmp (base, "http://", 7) != 0)
    ||  strlen (base) >= sizeof ((notify_client_t *) 0)->base_url) {
        snprintf (err, err_size, "the Notify base URL must be an http(s) URL");
        return NULL;
    }
    notify_client_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    self->driver = driver;
    snprintf (self->base_url, sizeof self->base_url, "%s", base);
    size_t base_len = strlen (self->base_url);
    if (base_len && self->base_url [base_len - 1] == '/')
        self->base_url [base_len - 1] = 0;
    memcpy (self->service_id, service_id, sizeof service_id);
    memcpy (self->secret, secret, sizeof secret);
    self->letters = config->letters;
    self->timeout_ms = config->timeout_ms > 0 ? config->timeout_ms : DEFAULT_TIMEOUT_MS;
    return self;
}

char *
notify_client_token (const notify_client_t *self, long long now)
{
    char payload [128];
    snprintf (payload, sizeof payload, "{\"iss\":\"%s\",\"iat\":%lld}", self->service_id, now);
    return kw_jwt_sign_payload (payload, (const unsigned char *) self->secret, strlen (self->secret));
}

unsigned
notify_client_wait_ms (const notify_client_t *self)
{
    unsigned long long now = s_now_ms ();
    return self->held_until > now ? (unsigned) (self->held_until - now) : 0;
}

static int
s_invalid (char *err, size_t err_size, const char *message)
{
    snprintf (err, err_size, "%s", message);
    return -1;
}

//  The request body: recipient, template, personalisation and reference.
static char *
s_body (const notify_client_t *self, const notify_message_t *msg, char *err, size_t err_size)
{
    if (!msg->template_id || !kw_uuid_valid (msg->template_id))
        return s_invalid (err, err_size, "template_id: must be Notify's template id (a UUID)"), NULL;
    if (!msg->reference || !*msg->reference || strlen (msg->reference) > NOTIFY_MAX_REFERENCE)
        return s_invalid (err, err_size, "reference: must be 1 to 1000 characters"), NULL;
    if (msg->personalisation && !json_is_object (msg->personalisation))
        return s_invalid (err, err_size, "personalisation: must be an object"), NULL;
    if (msg->kind == NOTIFY_LETTER && !self->letters)
        return s_invalid (err, err_size, "kind: letters are not turned on for this region"), NULL;
    if (msg->kind != NOTIFY_LETTER && (!msg->to || !*msg->to))
        return s_invalid (err, err_size, "to: the recipient is required"), NULL;
    if (msg->email_reply_to_id && (msg->kind != NOTIFY_EMAIL || !kw_uuid_valid (msg->email_reply_to_id)))
        return s_invalid (err, err_size, "email_reply_to_id: must be Notify's id (a UUID), on an e-mail"), NULL;
    json_t *body = json_pack ("{s:s, s:s}", "template_id", msg->template_id, "reference", msg->reference);
    if (!body)
        return s_invalid (err, err_size, "reference: must be UTF-8 text"), NULL;
    if (msg->kind != NOTIFY_LETTER) {
        json_t *to = json_string (msg->to);
        if (!to) {
            json_decref (body);
            return s_invalid (err, err_size, "to: must be UTF-8 text"), NULL;
        }
        json_object_set_new (body, msg->kind == NOTIFY_EMAIL ? "email_address" : "phone_number", to);
    }
    if (msg->personalisation)
        json_object_set (body, "personalisation", msg->personalisation);
    if (msg->email_reply_to_id)
        json_object_set_new (body, "email_reply_to_id", json_string (msg->email_reply_to_id));
    char *text = json_dumps (body, JSON_COMPACT);
    json_decref (body);
    if (!text)
        s_invalid (err, err_size, "personalisation: cannot be encoded");
    return text;
}

//  Notify's error type ("RateLimitError"): letters only, else "".
static void
s_error_type (const char *answer, size_t len, char *out, size_t size)
{
    json_t *doc = answer ? json_loadb (answer, len, 0, NULL) : NULL;
    const char *type = json_string_value (json_object_get (json_array_get (json_object_get (doc, "errors"), 0),
                                                           "error"));
    size_t n = type ? strlen (type) : 0;
    int plain = n > 0 && n < size && n <= 40;
    for (size_t i = 0; plain && i < n; i++)
        plain = (type [i] >= 'A' && type [i] <= 'Z') || (type [i] >= 'a' && type [i] <= 'z');
    snprintf (out, size, "%s", plain ? type : "");
    json_decref (doc);
}

//  A 201's notification id ("" when the answer has none that looks right).
static void
s_notification_id (const char *answer, size_t len, char *out, size_t size)
{
    json_t *doc = answer ? json_loadb (answer, len, 0, NULL) : NULL;
    const char *id = json_string_value (json_object_get (doc, "id"));
    snprintf (out, size, "%s", id && kw_uuid_valid (id) ? id : "");
    json_decref (doc);
}

//  A 429: hold every send for the backoff, doubled each time, with jitter
//  of up to a quarter; the result tells the caller how long.
static void
s_rate_limited (notify_client_t *self, notify_result_t *result)
{
    self->backoff_ms = self->backoff_ms ? self->backoff_ms * 2 : BACKOFF_FIRST_MS;
    if (self->backoff_ms > BACKOFF_MAX_MS)
        self->backoff_ms = BACKOFF_MAX_MS;
    unsigned pause = self->backoff_ms + randombytes_uniform (self->backoff_ms / 4 + 1);
    self->held_until = s_now_ms () + pause;
    result->retry_after_ms = pause;
}

static void
s_classify (notify_client_t *self, CURLcode code, long status, const char *answer, size_t len,
            notify_result_t *result)
{
    if (code != CURLE_OK) {
        result->outcome = NOTIFY_TEMPORARY;
        snprintf (result->error, sizeof result->error, "Notify not reached: %s", curl_easy_strerror (code));
        return;
    }
    result->http_status = status;
    if (status == 201 || status == 200) {
        result->outcome = NOTIFY_SENT;
        self->backoff_ms = 0;
        s_notification_id (answer, len, result->notification_id, sizeof result->notification_id);
        return;
    }
    char type [48];
    s_error_type (answer, len, type, sizeof type);
    snprintf (result->error, sizeof result->error, "Notify answered %ld%s%s%s", status,
              *type ? " (" : "", type, *type ? ")" : "");
    if (status == 429) {
        result->outcome = NOTIFY_TEMPORARY;
        s_rate_limited (self, result);
    }
    else
        result->outcome = status >= 500 ? NOTIFY_TEMPORARY : NOTIFY_PERMANENT;
}

static void
s_on_done (CURLcode code, long status, const char *answer, size_t len, void *arg)
{
    send_t *send = arg;
    notify_client_t *self = send->client;
    notify_result_t result = { .outcome = NOTIFY_TEMPORARY };
    s_classify (self, code, status, answer, len, &result);
    notify_done_fn *done = send->done;
    void *done_arg = send->arg;
    free (send);
    self->in_flight--;
    done (&result, done_arg);
    if (self->closing && self->in_flight == 0)
        free (self);
}

static const char *
s_path (notify_kind_t kind)
{
    return kind == NOTIFY_EMAIL ? "/v2/notifications/email"
         : kind == NOTIFY_SMS ? "/v2/notifications/sms" : "/v2/notifications/letter";
}

int
notify_client_send (notify_client_t *self, const notify_message_t *msg, notify_done_fn *done,
                    void *arg, char *err, size_t err_size)
{
    char *body = s_body (self, msg, err, err_size);
    if (!body)
        return -1;
    if (notify_client_wait_ms (self) > 0) {
        free (body);
        return 1;
    }
    send_t *send = calloc (1, sizeof *send);
    char *token = notify_client_token (self, (long long) time (NULL));
    char url [320], auth [512];
    snprintf (url, sizeof url, "%s%s", self->base_url, s_path (msg->kind));
    int fits = token && snprintf (auth, sizeof auth, "Authorization: Bearer %s", token) < (int) sizeof auth;
    free (token);
    if (!send || !fits) {
        free (send);
        free (body);
        return s_invalid (err, err_size, "out of memory");
    }
    *send = (send_t) { .client = self, .done = done, .arg = arg };
    struct curl_slist *headers = curl_slist_append (NULL, "Content-Type: application/json");
    headers = curl_slist_append (headers, auth);
    headers = curl_slist_append (headers, "User-Agent: keyworker-notify-client/1");
    int rc = kw_curl_uv_post (self->driver, url, headers, body, strlen (body), self->timeout_ms, s_on_done, send);
    free (body);
    if (rc != 0) {
        free (send);
        return s_invalid (err, err_size, "libcurl refused the transfer");
    }
    self->in_flight++;
    return 0;
}

void
notify_client_destroy (notify_client_t **self_p)
{
    notify_client_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    *self_p = NULL;
    sodium_memzero (self->secret, sizeof self->secret);
    if (self->in_flight == 0)
        free (self);
    else
        self->closing = 1;
}
