/*  receipts: GOV.UK Notify's delivery receipts applied to the deliveries
    (RPC notification.receipt, called by the gateway for POST
    /v1/callbacks/notify). The reference Notify gives back is the
    delivery's id. A receipt moves a sent delivery to delivered or failed,
    never a delivery away from a final state; each change is audited. */
#ifndef NOTIFICATION_RECEIPTS_H
#define NOTIFICATION_RECEIPTS_H

#include "kw_service.h"

//  Register the statements. 0.
int receipts_prepare (kw_db_t *db);

//  RPC notification.receipt: NotifyReceiptRequest -> NotifyReceiptResult.
//  Only the caller role notify_callback (the gateway, after the callback
//  token). A body Notify would not send: INVALID naming the field. A
//  delivered or failed receipt moves a sent delivery to that status, audited
//  (one for a delivery already delivered, failed or suppressed: no change,
//  answered with its status); one for a delivery not yet recorded as sent answers
//  UNAVAILABLE, so that Notify sends it again later; an unknown reference
//  NOT_FOUND. Statuses in progress change nothing.
void receipts_apply (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

#endif
