/*  notification: the notification service's modules. deliveries records the
    messages owed (from events, in the consumer's transaction) and lists them
    over RPC; sender sends the pending ones by SMTP with retries. */
#ifndef NOTIFICATION_H
#define NOTIFICATION_H

#include <stddef.h>
#include "kw/assignment.pb-c.h"
#include "kw_service.h"

// ---- deliveries.c

//  The delivery an offer_made event becomes, with no database: the region
//  (the event's when the offer names none), the recipient's address ("" when
//  it is not one), and the e-mail rendered (subject and body, caller frees
//  with deliveries_row_free), or why it cannot be (recorded suppressed).
typedef struct {
    const char *region;
    const char *address;
    int renderable;
    char *subject;
    char *body;
    char error [128];
} delivery_row_t;

//  Fill row for the event and its OfferMade message. 0, or -1 when the
//  event is never applicable (no case, professional or region: skipped).
int deliveries_offer_row (const Kw__Envelope *event, const Kw__OfferMade *msg, delivery_row_t *row);
//  Free what deliveries_offer_row rendered.
void deliveries_row_free (delivery_row_t *row);

//  Register the statements deliveries uses. 0.
int deliveries_prepare (kw_db_t *db);
//  Event assignment.offer_made (OfferMade): one pending e-mail delivery
//  (nothing when the event was applied before).
kw_service_event_fn deliveries_offer_made;
//  RPC notification.list: DeliveryListRequest -> DeliveryList.
void deliveries_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp,
                      kw_arena_t *arena);

// ---- sender.c

typedef struct _sender_t sender_t;

//  Read KW_SMTP_URL, KW_MAIL_FROM and KW_MAIL_MAX_ATTEMPTS, register the
//  sender's statements and start its timer on the service loop. NULL with
//  the reason in err when the configuration is invalid.
sender_t *sender_new (kw_service_t *svc, char *err, size_t err_size);
//  Send what is due soon (on the next loop turn), e.g. after a commit.
void sender_wake (sender_t *self);
//  Stop the timer; the sender is freed when its handle has closed. Clears
//  the caller's pointer; safe twice.
void sender_destroy (sender_t **self_p);

#endif
