/*  webhook_client: POSTs an event's JSON body to an agency's own system
    (a subscriber: URL and secret), asynchronously through a kw_curl_uv
    driver, signed so the receiver can tell it came from us and is fresh:
        X-KW-Webhook-Id: <the delivery id; the same on every retry>
        X-KW-Webhook-Timestamp: <Unix seconds when signed>
        X-KW-Webhook-Signature: v1=<hex HMAC-SHA256 (secret, timestamp "." body)>
    A receiver recomputes the HMAC over the raw bytes, compares in constant
    time, refuses a timestamp more than WEBHOOK_REPLAY_WINDOW seconds from
    its clock and drops an id it has seen (docs/notifications-channels.md).
    Retrying is the caller's: the outcome says temporary or permanent. */
#ifndef WEBHOOK_CLIENT_H
#define WEBHOOK_CLIENT_H

#include <stddef.h>
#include <jansson.h>
#include "kw_curl_uv.h"

#define WEBHOOK_REPLAY_WINDOW 300
#define WEBHOOK_SIGNATURE_SIZE 68           //  "v1=" + 64 hex digits + NUL
#define WEBHOOK_MIN_SECRET 32
#define WEBHOOK_MAX_SUBSCRIBERS 16

typedef struct _webhook_client_t webhook_client_t;

typedef enum { WEBHOOK_DELIVERED, WEBHOOK_TEMPORARY, WEBHOOK_PERMANENT } webhook_outcome_t;

typedef struct {
    char id [64];               //  the subscriber's name in the region file
    char url [512];
    unsigned char secret [128];
    size_t secret_len;
    char events [512];          //  the topics it takes, " "-separated
} webhook_subscriber_t;

typedef struct {
    const char *delivery_id;    //  X-KW-Webhook-Id
    const char *body;           //  JSON, sent as it is
    long long timestamp;        //  Unix seconds to sign with; 0: now
} webhook_message_t;

typedef struct {
    webhook_outcome_t outcome;
    long http_status;           //  0 when the subscriber gave no answer
    char error [128];           //  no personal data
} webhook_result_t;

typedef void (webhook_done_fn) (const webhook_result_t *result, void *arg);

//  The signature header's value for body signed at timestamp.
void webhook_sign (const unsigned char *secret, size_t secret_len, long long timestamp,
                   const char *body, size_t len, char out [WEBHOOK_SIGNATURE_SIZE]);

//  The region file's "webhooks" section (absent: none): an array of
//  {"id", "url", "secret_file", "events": [topic, ...]}; url https:// (or
//  http:// to 127.0.0.1 or localhost), secret_file read from secret_dir
//  when relative, at least WEBHOOK_MIN_SECRET bytes. The count, or -1 with
//  err naming the field ("webhooks[1].url").
int webhook_subscribers_load (json_t *region, const char *secret_dir, webhook_subscriber_t *out,
                              size_t max, char *err, size_t err_size);

//  1 when url is https://, or http:// to 127.0.0.1 or localhost (tests):
//  where the service may send a webhook or a Notify request.
int webhook_url_allowed (const char *url);

//  1 when subscriber takes events of topic.
int webhook_subscriber_wants (const webhook_subscriber_t *subscriber, const char *topic);

webhook_client_t *webhook_client_new (kw_curl_uv_t *driver, long timeout_ms);

//  POST msg to subscriber; done is called once from the loop: 2xx
//  delivered; 410 and other 4xx (but 408 and 429) permanent; 408, 429, 5xx,
//  timeouts and connection errors temporary. 0, or -1 when msg is invalid
//  (err says why; done not called).
int webhook_client_send (webhook_client_t *self, const webhook_subscriber_t *subscriber,
                         const webhook_message_t *msg, webhook_done_fn *done, void *arg,
                         char *err, size_t err_size);

//  Free the client (sends in flight still end and call their done);
//  clears the caller's pointer. Safe on NULL.
void webhook_client_destroy (webhook_client_t **self_p);

#endif
