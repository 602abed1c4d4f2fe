/*  fuzz_notify_receipt: notify_receipt_parse on arbitrary callback bodies
    (what anyone holding the callback token could POST). An accepted body
    yields two UUIDs, a known type and a mapped state; a refused one names
    its problem and leaves nothing parsed behind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "notify_receipt.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    notify_receipt_t receipt;
    kw_field_error_t err;
    if (notify_receipt_parse ((const char *) data, size, &receipt, &err) == 0) {
        if (!kw_uuid_valid (receipt.notification_id) || !kw_uuid_valid (receipt.reference))
            abort ();
        if (receipt.state != NOTIFY_RECEIPT_DELIVERED && receipt.state != NOTIFY_RECEIPT_FAILED
        &&  receipt.state != NOTIFY_RECEIPT_IN_PROGRESS)
            abort ();
        if (strcmp (receipt.notification_type, "email") != 0 && strcmp (receipt.notification_type, "sms") != 0
        &&  strcmp (receipt.notification_type, "letter") != 0)
            abort ();
    }
    else
    if (!*err.message || !memchr (err.message, 0, sizeof err.message) || *receipt.reference || *receipt.status)
        abort ();
    return 0;
}
