/*  receipts: Notify's delivery receipts onto the deliveries (receipts.h;
    docs/notifications-channels.md "Delivery receipts"). Logs carry the
    delivery id and status only. */
#include <string.h>
#include "kw/links.pb-c.h"
#include "kw_audit.h"
#include "kw_log.h"
#include "kw_rpc.h"
#include "notify_receipt.h"
#include "receipts.h"

//  1 when a delivery in status is done with: no receipt changes it.
static int
s_final (const char *status)
{
    return strcmp (status, "delivered") == 0 || strcmp (status, "failed") == 0
        || strcmp (status, "suppressed") == 0;
}

int
receipts_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "receipts_apply",
        "UPDATE notification.deliveries SET status = $2, updated_at = now (),"
        " last_error = CASE WHEN $2 = 'failed' THEN 'Notify: ' || $3 ELSE last_error END"
        " WHERE id = $1::uuid AND (status = 'sent' OR status = $2) RETURNING id");
    kw_db_prepare (db, "receipts_known", "SELECT status FROM notification.deliveries WHERE id = $1::uuid");
    return 0;
}

void
receipts_apply (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const char *const roles [] = { "notify_callback", NULL };
    if (!kw_rpc_role_allowed (req, resp, arena, roles, NULL, "only Notify's callback may send receipts"))
        return;
    Kw__NotifyReceiptRequest *in = (Kw__NotifyReceiptRequest *)
        kw_rpc_unpack (req, resp, arena, &kw__notify_receipt_request__descriptor);
    if (!in)
        return;
    notify_receipt_t receipt;
    kw_field_error_t err;
    if (notify_receipt_parse ((const char *) in->data.data, in->data.len, &receipt, &err) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, err.field, "%s", err.message);
        return;
    }
    Kw__NotifyReceiptResult out = KW__NOTIFY_RECEIPT_RESULT__INIT;
    out.delivery_id = kw_arena_strdup (arena, receipt.reference);
    out.status = (char *) notify_receipt_state_name (receipt.state);
    if (receipt.state == NOTIFY_RECEIPT_IN_PROGRESS) {
        kw_rpc_reply_ok (resp, arena, &out.base);
        return;
    }
    kw_db_t *db = kw_service_db (svc);
    const char *params [3] = { receipt.reference, out.status, receipt.status };
    if (kw_db_begin (db) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "try again");
        return;
    }
    PGresult *res = kw_db_query (db, "receipts_apply", 3, params);
    int applied = res && PQntuples (res) == 1;
    if (res)
        PQclear (res);
    if (!res || (applied && (kw_audit (db, req->caller, "receipt", "notification", receipt.reference,
                                       out.status) != 0 || kw_db_commit (db) != 0))) {
        kw_db_rollback (db);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "try again");
        return;
    }
    if (!applied) {
        kw_db_rollback (db);
        res = kw_db_query (db, "receipts_known", 1, params);
        if (!res)
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "try again");
        else
        if (PQntuples (res) == 1 && s_final (PQgetvalue (res, 0, 0))) {
            //  Already delivered, failed or suppressed: a later receipt
            //  never moves it back; answered so Notify stops sending it.
            out.status = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
            kw_rpc_reply_ok (resp, arena, &out.base);
        }
        else
        if (PQntuples (res) == 1)
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, "reference",
                                "the delivery is not recorded as sent yet; send the receipt again later");
        else
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "reference",
                                "no delivery has this reference");
        if (res)
            PQclear (res);
        return;
    }
    kw_info ("notify_receipt", "delivery_id", receipt.reference, "status", out.status);
    kw_rpc_reply_ok (resp, arena, &out.base);
}
