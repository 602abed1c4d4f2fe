/*  notify_receipt: GOV.UK Notify's delivery receipt (the JSON body Notify
    POSTs to our callback URL): validated, and its status mapped to what it
    means for our delivery. The recipient ("to") is checked to be present
    but never kept: a receipt's parsed form holds no personal data. */
#ifndef NOTIFY_RECEIPT_H
#define NOTIFY_RECEIPT_H

#include <stddef.h>
#include "kw_field_error.h"
#include "kw_uuid.h"

#define NOTIFY_RECEIPT_MAX_BODY 16384
#define NOTIFY_RECEIPT_TIME_SIZE 40

typedef enum {
    NOTIFY_RECEIPT_DELIVERED,   //  delivered; an international SMS "sent"; a letter received or accepted
    NOTIFY_RECEIPT_FAILED,      //  permanent-, temporary- or technical-failure; a letter cancelled
    NOTIFY_RECEIPT_IN_PROGRESS  //  created, sending, pending: no change yet
} notify_receipt_state_t;

typedef struct {
    char notification_id [KW_UUID_SIZE];    //  Notify's id
    char reference [KW_UUID_SIZE];          //  ours: the delivery id
    char status [32];                       //  Notify's status, as sent
    char notification_type [16];            //  email, sms or letter
    char completed_at [NOTIFY_RECEIPT_TIME_SIZE];   //  "" when null
    notify_receipt_state_t state;
} notify_receipt_t;

//  Parse and check body: a JSON object with id (a UUID), reference (a
//  delivery id: a UUID), to (a string), status (one Notify documents for the
//  type), notification_type (email, sms, letter), created_at (a string) and
//  completed_at and sent_at (strings or null). 0, or -1 with err naming the
//  first field at fault (never quoting its value).
int notify_receipt_parse (const char *body, size_t len, notify_receipt_t *out, kw_field_error_t *err);

//  "delivered", "failed" or "in_progress".
const char *notify_receipt_state_name (notify_receipt_state_t state);

#endif
