/*  notify_client: sends e-mails, text messages and letters through GOV.UK
    Notify's REST API (POST /v2/notifications/email, /sms, /letter),
    asynchronously on the service loop through a kw_curl_uv driver. Each
    request carries a fresh HS256 JWT (iss = the API key's service id,
    iat = now) signed with the key's secret, and the delivery id as Notify's
    reference. Answers, as Notify documents them (docs/notifications-channels.md):
    201 sent (with Notify's notification id); 400 and 403 permanent; 429 a
    rate limit: temporary, and the client holds every send for a backoff
    (1 s doubling to 60 s, with jitter; reset by a 201); 5xx, timeouts and
    connection errors temporary. Error texts name the status and Notify's
    error type, never the message (which can quote the recipient). */
#ifndef NOTIFY_CLIENT_H
#define NOTIFY_CLIENT_H

#include <stddef.h>
#include <jansson.h>
#include "kw_curl_uv.h"

#define NOTIFY_ID_SIZE 64
#define NOTIFY_ERROR_SIZE 128
#define NOTIFY_MAX_REFERENCE 1000

typedef struct _notify_client_t notify_client_t;

typedef enum { NOTIFY_EMAIL, NOTIFY_SMS, NOTIFY_LETTER } notify_kind_t;
typedef enum { NOTIFY_SENT, NOTIFY_TEMPORARY, NOTIFY_PERMANENT } notify_outcome_t;

typedef struct {
    const char *base_url;       //  "https://api.notifications.service.gov.uk"
    const char *api_key;        //  "{name}-{service id}-{secret}"
    int letters;                //  the region sends letters through Notify
    long timeout_ms;            //  per request; 0: 30 s
} notify_config_t;

typedef struct {
    notify_kind_t kind;
    const char *to;             //  e-mail address or phone number (unused for letters)
    const char *template_id;    //  Notify's template (a UUID)
    json_t *personalisation;    //  borrowed; NULL for none; a letter's address_line_1..7 go here
    const char *reference;      //  the delivery id: no personal data
    const char *email_reply_to_id;  //  e-mail: Notify's reply-to address (a UUID), or NULL
} notify_message_t;

typedef struct {
    notify_outcome_t outcome;
    long http_status;           //  0 when Notify gave no answer
    char notification_id [NOTIFY_ID_SIZE];  //  Notify's id, when sent
    char error [NOTIFY_ERROR_SIZE];         //  why not, without personal data
    unsigned retry_after_ms;    //  a rate limit: sends are held this long
} notify_result_t;

typedef void (notify_done_fn) (const notify_result_t *result, void *arg);

//  A client of the Notify API at config's base URL with its key. NULL with
//  the reason in err when the key is not "{name}-{service id}-{secret}".
notify_client_t *notify_client_new (kw_curl_uv_t *driver, const notify_config_t *config,
                                    char *err, size_t err_size);

//  1 when api_key has the shape "{name}-{service id}-{secret}" (two UUIDs).
int notify_client_key_valid (const char *api_key);

//  Send msg; done is called once from the loop with the outcome. 0 when
//  sent on its way; 1 when held by a rate limit (nothing sent, done not
//  called: try again after notify_client_wait_ms); -1 when msg is invalid
//  (err names the field, done not called).
int notify_client_send (notify_client_t *self, const notify_message_t *msg, notify_done_fn *done,
                        void *arg, char *err, size_t err_size);

//  Milliseconds until sends are allowed again (0: now).
unsigned notify_client_wait_ms (const notify_client_t *self);

//  The token a request made at now (Unix seconds) would carry (caller frees).
char *notify_client_token (const notify_client_t *self, long long now);

//  Free the client once its sends in flight have ended (their done
//  callbacks still run); clears the caller's pointer. Safe on NULL.
void notify_client_destroy (notify_client_t **self_p);

#endif
