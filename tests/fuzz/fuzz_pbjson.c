/*  fuzz_pbjson: the JSON -> protobuf converter (kw_pbjson_decode) for every
    API request type and the wire messages. The first input byte selects the
    message type, the rest is the JSON text. A message that decodes must
    survive encode -> decode unchanged: the packed bytes of both decodings are
    compared and the target aborts when they differ. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_arena.h"
#include "kw_pbjson.h"
#include "kw/assignment.pb-c.h"
#include "kw/eligibility.pb-c.h"
#include "kw/envelope.pb-c.h"
#include "kw/notification.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw/rpc.pb-c.h"

//  Selector byte modulo the count picks the type; API request types first.
static const ProtobufCMessageDescriptor *const s_types [] = {
    &kw__referral_body__descriptor,
    &kw__id_request__descriptor,
    &kw__delivery_list_request__descriptor,
    &kw__ruleset_request__descriptor,
    &kw__request__descriptor,
    &kw__envelope__descriptor,
    &kw__response__descriptor,
    &kw__caller__descriptor,
    &kw__referral__descriptor,
    &kw__referral_created__descriptor,
    &kw__referral_received__descriptor,
    &kw__eligibility_decision__descriptor,
    &kw__eligibility_decided__descriptor,
    &kw__ruleset__descriptor,
    &kw__case__descriptor,
    &kw__case_opened__descriptor,
    &kw__offer_made__descriptor,
    &kw__delivery__descriptor,
    &kw__delivery_list__descriptor,
    &kw__health_reply__descriptor,
};
#define S_TYPE_COUNT (sizeof s_types / sizeof s_types [0])

static kw_arena_t *s_arena;

static uint8_t *
s_pack (const ProtobufCMessage *msg, size_t *len)
{
    *len = protobuf_c_message_get_packed_size (msg);
    uint8_t *buf = kw_arena_alloc (s_arena, *len + 1);
    if (protobuf_c_message_pack (msg, buf) != *len)
        abort ();
    return buf;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!s_arena)
        s_arena = kw_arena_new (65536);
    const ProtobufCMessageDescriptor *desc = s_types [data [0] % S_TYPE_COUNT];
    ProtobufCMessage *first = NULL;
    kw_field_error_t err;
    if (kw_pbjson_decode (desc, (const char *) data + 1, size - 1, s_arena, &first, &err) == 0) {
        if (!first || first->descriptor != desc)
            abort ();
        size_t first_len = 0;
        uint8_t *first_bytes = s_pack (first, &first_len);
        char *text = kw_pbjson_encode (first);
        if (!text)
            abort ();
        ProtobufCMessage *second = NULL;
        if (kw_pbjson_decode (desc, text, strlen (text), s_arena, &second, &err) != 0) {
            fprintf (stderr, "re-decode of %s failed: %s: %s\n%s\n",
                     desc->name, err.field, err.message, text);
            abort ();
        }
        size_t second_len = 0;
        uint8_t *second_bytes = s_pack (second, &second_len);
        if (first_len != second_len || memcmp (first_bytes, second_bytes, first_len) != 0) {
            fprintf (stderr, "round trip of %s changed the message\n%s\n", desc->name, text);
            abort ();
        }
        free (text);
    }
    else
    if (memchr (err.message, 0, sizeof err.message) == NULL
    ||  memchr (err.field, 0, sizeof err.field) == NULL)
        abort ();
    kw_arena_reset (s_arena);
    return 0;
}
