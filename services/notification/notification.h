/*  notification: the notification service's modules. config reads what is
    sent to whom (the table, templates and the regions' sections);
    deliveries records the messages owed (from events, in the consumer's
    transaction); records lists, reads and retries them over RPC; sender
    sends the pending ones through their channel with retries. */
#ifndef NOTIFICATION_H
#define NOTIFICATION_H

#include <stddef.h>
#include <stdint.h>
#include "kw/notification.pb-c.h"
#include "kw_service.h"

// ---- events.c

#define NOTIFICATION_EVENT_COUNT 16
//  The events the service consumes (fn NULL: main.c sets the handler),
//  ending with { NULL }.
extern const kw_service_event_t notification_events [NOTIFICATION_EVENT_COUNT + 1];
//  The events the service makes itself, for the table: the dead letter.
extern const kw_service_event_t notification_internal [];

// ---- main.c

typedef struct _sender_t sender_t;
typedef struct _config_t config_t;

//  Events of one producer whose deliveries were inserted without reading
//  which rows were new (deliveries.c).
typedef struct {
    uint64_t later_through;             //  the newest such event's seq
    uint64_t read_through;              //  events up to this seq read which rows were new
} deliveries_later_t;

//  The producers whose events deliveries.c may insert that way.
#define DELIVERIES_PRODUCERS 4

//  The service's state: what it sends (replaced whole on SIGHUP) and the
//  sender.
typedef struct {
    config_t *config;
    sender_t *sender;
    deliveries_later_t later [DELIVERIES_PRODUCERS];
} notify_t;

// ---- deliveries.c

//  Register the statements deliveries uses. 0.
int deliveries_prepare (kw_db_t *db);
//  Every event of the service's table: one delivery per row of the table
//  for the event and person of its audience (nothing when the event was
//  applied before).
kw_service_event_fn deliveries_apply;
//  assignment.key_worker_changed: its people kept as the case's, then as
//  deliveries_apply.
kw_service_event_fn deliveries_key_worker_changed;
//  assignment.case_closed: the case's people dropped, then as
//  deliveries_apply.
kw_service_event_fn deliveries_case_closed;
//  The table's event for a dead letter (its payload DeliveryFailed).
#define DELIVERIES_DEAD_LETTER "delivery_failed"
//  The dead letter: tell the region's coordinators of the failed delivery
//  by the table's rows for notification.delivery_failed, in db's open
//  transaction. 0, or -1 when the rows could not be written.
int deliveries_dead_letter (kw_service_t *svc, kw_db_t *db, const Kw__DeliveryFailed *failed);

// ---- records.c

//  Register the statements records uses. 0.
int records_prepare (kw_db_t *db);
//  RPC notification.list: DeliveryListRequest -> DeliveryList.
void records_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
//  RPC notification.get: IdRequest -> Delivery.
void records_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
//  RPC notification.retry: IdRequest -> Delivery (a failed one, pending again).
void records_retry (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

// ---- preferences.c

//  Register the statements preferences uses. 0.
int preferences_prepare (kw_db_t *db);
//  RPC notification.preferences_get: IdRequest -> ContactPreferences.
void preferences_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
//  RPC notification.preferences_put: ContactPreferences -> ContactPreferences.
void preferences_put (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

// ---- sender.c

//  Read KW_SMTP_URL, KW_MAIL_FROM and KW_SMTP_STARTTLS, open the e-mail
//  channel, register the sender's statements and start its timer on the
//  service loop. NULL with the reason in err when the configuration is
//  invalid.
sender_t *sender_new (kw_service_t *svc, char *err, size_t err_size);
//  Send what is due soon (on the next loop turn), e.g. after a commit.
void sender_wake (sender_t *self);
//  Cancel the sends in flight (their deliveries are taken again when their
//  lease ends) and stop the timer; the sender is freed when its handle has
//  closed. Clears the caller's pointer; safe twice.
void sender_destroy (sender_t **self_p);

#endif
