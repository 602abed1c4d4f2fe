/*  channel: one way a message leaves the service (e-mail over SMTP today;
    GOV.UK Notify and webhooks plug in the same way). A channel starts the
    send of one delivery on the service's loop and, later, on the loop,
    calls back once with the outcome and, when the provider gives one, its
    reference for the message. Errors given back never hold an address or
    any other personal data: the caller stores them. */
#ifndef NOTIFICATION_CHANNEL_H
#define NOTIFICATION_CHANNEL_H

#include <stddef.h>

typedef enum {
    CHANNEL_SENT,               //  the provider accepted the message
    CHANNEL_TEMPORARY,          //  not sent; worth trying again later
    CHANNEL_PERMANENT,          //  not sent; trying again will not help
    CHANNEL_CANCELLED           //  the channel was destroyed before an outcome
} channel_outcome_t;

//  One delivery to send. Every string is copied by start.
typedef struct {
    const char *delivery_id;    //  also the message's stable id (Message-ID, reference)
    const char *address;        //  e-mail address, telephone number, URL, or a
                                //  postal address's lines separated by LF
    const char *subject;        //  e-mail only
    const char *body;           //  plain text
    const char *html;           //  e-mail only; may be NULL
    const char *calendar;       //  e-mail only: an iCalendar invitation to attach; may be NULL
    long long created;          //  when the delivery was made (Unix seconds): the
                                //  e-mail's Date, so a copy sent again is the same
    const char *region;         //  the delivery's region (its Notify settings); may be NULL
    const char *template_name;  //  the table's template (a Notify template mapped to it); may be NULL
    const char *personalisation;    //  a JSON object of the template's values, for a Notify
                                    //  template mapped to it; may be NULL
} channel_message_t;

//  The outcome of one send; reference may be NULL, error is "" when sent.
typedef void (channel_done_fn) (void *arg, channel_outcome_t outcome, const char *reference,
                                const char *error);

typedef struct _channel_t channel_t;
struct _channel_t {
    const char *name;           //  "email", "sms", "letter", "webhook"
    size_t capacity;            //  sends in flight at most
    //  Start sending msg; done is called later, on the loop, exactly once.
    //  0, or -1 when it could not start (done is then not called).
    int (*start) (channel_t *self, const channel_message_t *msg, channel_done_fn *done, void *arg);
    //  Cancel what is in flight (each done called with CHANNEL_CANCELLED)
    //  and free the channel once its handles have closed.
    void (*destroy) (channel_t *self);
};

#endif
