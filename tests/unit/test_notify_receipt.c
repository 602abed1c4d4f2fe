/*  test_notify_receipt: Notify's delivery receipts parsed and mapped:
    delivered and failures for each type, statuses in progress, and bodies
    refused naming the field (never quoting the recipient). */
#include <stdio.h>
#include <string.h>
#include "tap.h"
#include "../../services/notification/notify_receipt.h"

#define RECEIPT(status, type, reference) \
    "{\"id\":\"740e5834-3a29-46b4-9a6f-16142fde533a\",\"reference\":\"" reference "\"," \
    "\"to\":\"pat.lee@example.org\",\"status\":\"" status "\",\"created_at\":\"2026-12-01T10:00:00Z\"," \
    "\"completed_at\":\"2026-12-01T10:00:05Z\",\"sent_at\":null,\"notification_type\":\"" type "\"}"
#define DELIVERY "0b6f1f0e-6c43-4c1a-9a53-2d8c1c1f7e10"

static int
s_parse (const char *body, notify_receipt_t *r, kw_field_error_t *err)
{
    return notify_receipt_parse (body, strlen (body), r, err);
}

int
main (void)
{
    notify_receipt_t r;
    kw_field_error_t err;
    static const struct { const char *body; notify_receipt_state_t state; } cases [] = {
        { RECEIPT ("delivered", "email", DELIVERY), NOTIFY_RECEIPT_DELIVERED },
        { RECEIPT ("delivered", "sms", DELIVERY), NOTIFY_RECEIPT_DELIVERED },
        { RECEIPT ("sent", "sms", DELIVERY), NOTIFY_RECEIPT_DELIVERED },
        { RECEIPT ("received", "letter", DELIVERY), NOTIFY_RECEIPT_DELIVERED },
        { RECEIPT ("permanent-failure", "email", DELIVERY), NOTIFY_RECEIPT_FAILED },
        { RECEIPT ("temporary-failure", "sms", DELIVERY), NOTIFY_RECEIPT_FAILED },
        { RECEIPT ("technical-failure", "letter", DELIVERY), NOTIFY_RECEIPT_FAILED },
        { RECEIPT ("cancelled", "letter", DELIVERY), NOTIFY_RECEIPT_FAILED },
        { RECEIPT ("sending", "email", DELIVERY), NOTIFY_RECEIPT_IN_PROGRESS },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        int rc = s_parse (cases [i].body, &r, &err);
        is_int (rc, 0, "receipt %zu parses (%s)", i, err.message);
        is_int (r.state, cases [i].state, "receipt %zu: %s %s is %s", i, r.status, r.notification_type,
                notify_receipt_state_name (cases [i].state));
    }
    s_parse (RECEIPT ("delivered", "email", DELIVERY), &r, &err);
    is_str (r.reference, DELIVERY, "the reference is the delivery id");
    is_str (r.notification_id, "740e5834-3a29-46b4-9a6f-16142fde533a", "Notify's id is kept");
    ok (!memmem (&r, sizeof r, "pat.lee", 7), "the recipient is not kept");

    static const struct { const char *body; const char *field; } refused [] = {
        { RECEIPT ("delivered", "email", "not-a-delivery"), "reference" },
        { RECEIPT ("received", "email", DELIVERY), "status" },
        { RECEIPT ("delivered", "fax", DELIVERY), "notification_type" },
        { "{\"id\":\"740e5834-3a29-46b4-9a6f-16142fde533a\"}", "reference" },
        { "[]", "" },
        { "{\"id\":1}", "id" },
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused [0]; i++) {
        is_int (s_parse (refused [i].body, &r, &err), -1, "bad receipt %zu refused", i);
        is_str (err.field, refused [i].field, "naming %s (%s)", refused [i].field, err.message);
        ok (!strstr (err.message, "pat.lee") && !strstr (err.message, "not-a-delivery"),
            "the message quotes no value");
    }
    is_int (s_parse ("{\"to\": 1", &r, &err), -1, "malformed JSON is refused");
    return tap_done ();
}
