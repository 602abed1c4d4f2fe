/*  webhook_client: signed JSON POSTs to agencies' systems and the region
    file's subscribers (see webhook_client.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "webhook_client.h"

#define DEFAULT_TIMEOUT_MS 15000L

struct _webhook_client_t {
    kw_curl_uv_t *driver;
    long timeout_ms;
};

//  A send in flight; it refers to nothing of the client's, so the client
//  may go before its sends end.
typedef struct {
    webhook_done_fn *done;
    void *arg;
} send_t;

void
webhook_sign (const unsigned char *secret, size_t secret_len, long long timestamp,
              const char *body, size_t len, char out [WEBHOOK_SIGNATURE_SIZE])
{
    char stamp [24];
    int stamp_len = snprintf (stamp, sizeof stamp, "%lld.", timestamp);
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init (&state, secret, secret_len);
    crypto_auth_hmacsha256_update (&state, (const unsigned char *) stamp, (unsigned long long) stamp_len);
    crypto_auth_hmacsha256_update (&state, (const unsigned char *) body, len);
    crypto_auth_hmacsha256_final (&state, mac);
    memcpy (out, "v1=", 3);
    sodium_bin2hex (out + 3, WEBHOOK_SIGNATURE_SIZE - 3, mac, sizeof mac);
}

static int
s_fail (char *err, size_t err_size, size_t index, const char *field, const char *message)
{
    snprintf (err, err_size, "webhooks[%zu].%s: %s", index, field, message);
    return -1;
}

//  1 for an https:// URL, or http:// to this machine (tests, a local relay).
int
webhook_url_allowed (const char *url)
{
    return strncmp (url, "https://", 8) == 0
        || strncmp (url, "http://127.0.0.1:", 17) == 0 || strncmp (url, "http://127.0.0.1/", 17) == 0
        || strncmp (url, "http://localhost:", 17) == 0 || strncmp (url, "http://localhost/", 17) == 0;
}

static int
s_read_secret (const char *dir, const char *file, webhook_subscriber_t *sub)
{
    char path [1024];
    snprintf (path, sizeof path, "%s%s%s", *file == '/' || !dir || !*dir ? "" : dir,
              *file == '/' || !dir || !*dir ? "" : "/", file);
    FILE *f = fopen (path, "rb");
    if (!f)
        return -1;
    size_t n = fread (sub->secret, 1, sizeof sub->secret, f);
    int more = fgetc (f) != EOF;
    fclose (f);
    while (n > 0 && (sub->secret [n - 1] == '\n' || sub->secret [n - 1] == '\r'))
        n--;
    sub->secret_len = n;
    return more || n < WEBHOOK_MIN_SECRET ? -2 : 0;
}

static int
s_subscriber (json_t *item, size_t i, const char *secret_dir, webhook_subscriber_t *sub,
              char *err, size_t err_size)
{
    memset (sub, 0, sizeof *sub);
    const char *id = json_string_value (json_object_get (item, "id"));
    const char *url = json_string_value (json_object_get (item, "url"));
    const char *secret_file = json_string_value (json_object_get (item, "secret_file"));
    json_t *events = json_object_get (item, "events");
    if (!json_is_object (item))
        return s_fail (err, err_size, i, "", "must be an object");
    if (!id || !*id || strlen (id) >= sizeof sub->id)
        return s_fail (err, err_size, i, "id", "is required (a name of up to 63 characters)");
    if (!url || strlen (url) >= sizeof sub->url || !webhook_url_allowed (url))
        return s_fail (err, err_size, i, "url", "must be an https:// URL (http:// only to 127.0.0.1 or localhost)");
    if (!secret_file || !*secret_file)
        return s_fail (err, err_size, i, "secret_file", "is required (the file holding the signing secret)");
    if (!json_is_array (events) || json_array_size (events) == 0)
        return s_fail (err, err_size, i, "events", "must list the topics sent (at least one)");
    size_t used = 0, k;
    json_t *topic;
    json_array_foreach (events, k, topic) {
        const char *name = json_string_value (topic);
        if (!name || !*name || strchr (name, ' ') || used + strlen (name) + 2 > sizeof sub->events)
            return s_fail (err, err_size, i, "events", "must be topic names without spaces");
        used += (size_t) snprintf (sub->events + used, sizeof sub->events - used, "%s%s", used ? " " : "", name);
    }
    snprintf (sub->id, sizeof sub->id, "%s", id);
    snprintf (sub->url, sizeof sub->url, "%s", url);
    int rc = s_read_secret (secret_dir, secret_file, sub);
    if (rc == -1)
        return s_fail (err, err_size, i, "secret_file", "cannot be read");
    if (rc == -2)
        return s_fail (err, err_size, i, "secret_file", "must hold 32 to 128 bytes");
    return 0;
}

int
webhook_subscribers_load (json_t *region, const char *secret_dir, webhook_subscriber_t *out,
                          size_t max, char *err, size_t err_size)
{
    json_t *list = json_object_get (region, "webhooks");
    if (!list)
        return 0;
    if (!json_is_array (list) || json_array_size (list) > max) {
        snprintf (err, err_size, "webhooks: must be an array of at most %zu subscribers", max);
        return -1;
    }
    size_t i;
    json_t *item;
    json_array_foreach (list, i, item) {
        if (s_subscriber (item, i, secret_dir, &out [i], err, err_size) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp (out [j].id, out [i].id) == 0)
                return s_fail (err, err_size, i, "id", "is used twice");
    }
    return (int) json_array_size (list);
}

int
webhook_subscriber_wants (const webhook_subscriber_t *subscriber, const char *topic)
{
    size_t n = strlen (topic);
    for (const char *p = subscriber->events; (p = strstr (p, topic)); p += n)
        if ((p == subscriber->events || p [-1] == ' ') && (p [n] == 0 || p [n] == ' '))
            return 1;
    return 0;
}

webhook_client_t *
webhook_client_new (kw_curl_uv_t *driver, long timeout_ms)
{
    webhook_client_t *self = calloc (1, sizeof *self);
    if (self) {
        self->driver = driver;
        self->timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
    }
    return self;
}

static void
s_on_done (CURLcode code, long status, const char *answer, size_t len, void *arg)
{
    send_t *send = arg;
    webhook_result_t result = { .outcome = WEBHOOK_TEMPORARY, .http_status = status };
    if (code != CURLE_OK)
        snprintf (result.error, sizeof result.error, "subscriber not reached: %s", curl_easy_strerror (code));
    else {
        if (status >= 200 && status < 300)
            result.outcome = WEBHOOK_DELIVERED;
        else
        if (status >= 400 && status < 500 && status != 408 && status != 429)
            result.outcome = WEBHOOK_PERMANENT;
        if (result.outcome != WEBHOOK_DELIVERED)
            snprintf (result.error, sizeof result.error, "subscriber answered %ld", status);
    }
    webhook_done_fn *done = send->done;
    void *done_arg = send->arg;
    free (send);
    done (&result, done_arg);
}

int
webhook_client_send (webhook_client_t *self, const webhook_subscriber_t *subscriber,
                     const webhook_message_t *msg, webhook_done_fn *done, void *arg,
                     char *err, size_t err_size)
{
    if (!msg->delivery_id || !*msg->delivery_id || strlen (msg->delivery_id) > 64
    ||  strpbrk (msg->delivery_id, "\r\n")) {
        snprintf (err, err_size, "delivery_id: must be 1 to 64 characters on one line");
        return -1;
    }
    if (!msg->body) {
        snprintf (err, err_size, "body: is required");
        return -1;
    }
    long long timestamp = msg->timestamp ? msg->timestamp : (long long) time (NULL);
    size_t len = strlen (msg->body);
    char signature [WEBHOOK_SIGNATURE_SIZE], line [160];
    webhook_sign (subscriber->secret, subscriber->secret_len, timestamp, msg->body, len, signature);
    struct curl_slist *headers = curl_slist_append (NULL, "Content-Type: application/json");
    snprintf (line, sizeof line, "X-KW-Webhook-Id: %s", msg->delivery_id);
    headers = curl_slist_append (headers, line);
    snprintf (line, sizeof line, "X-KW-Webhook-Timestamp: %lld", timestamp);
    headers = curl_slist_append (headers, line);
    snprintf (line, sizeof line, "X-KW-Webhook-Signature: %s", signature);
    headers = curl_slist_append (headers, line);
    send_t *send = calloc (1, sizeof *send);
    if (!send) {
        curl_slist_free_all (headers);
        snprintf (err, err_size, "out of memory");
        return -1;
    }
    *send = (send_t) { .done = done, .arg = arg };
    if (kw_curl_uv_post (self->driver, subscriber->url, headers, msg->body, len, self->timeout_ms,
                         s_on_done, send) != 0) {
        free (send);
        snprintf (err, err_size, "libcurl refused the transfer");
        return -1;
    }
    return 0;
}

void
webhook_client_destroy (webhook_client_t **self_p)
{
    webhook_client_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    *self_p = NULL;
    free (self);
}
