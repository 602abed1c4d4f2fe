/*  receipts: GOV.UK Notify's delivery receipts applied to the deliveries
    (RPC notification.receipt, called by the gateway for POST
    /v1/callbacks/notify). Written against this assumption about the
    deliveries table: notification.deliveries is keyed by id (the uuid sent
    to Notify as reference) and has a status column (pending, sent,
    delivered, failed, ...) and last_error. To plug in: receipts_prepare at
    start and { "notification.receipt", receipts_apply } in the method table. */
#ifndef NOTIFICATION_RECEIPTS_H
#define NOTIFICATION_RECEIPTS_H

#include "kw_service.h"

//  Register the statements. 0.
int receipts_prepare (kw_db_t *db);

//  RPC notification.receipt: NotifyReceiptRequest -> NotifyReceiptResult.
//  Only the caller role notify_callback (the gateway, after the callback
//  token). A body Notify would not send: INVALID naming the field. A
//  delivered or failed receipt moves a sent delivery to that status (again:
//  no change); one for a delivery not yet recorded as sent answers
//  UNAVAILABLE, so that Notify sends it again later; an unknown reference
//  NOT_FOUND. Statuses in progress change nothing.
void receipts_apply (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

#endif
