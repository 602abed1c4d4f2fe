/*  fuzz_pb: kw_pb_check held against protobuf-c on any bytes. The first
    byte picks the message (one the bus or RPC carries); the rest are its
    wire bytes. What the check passes unpacks without harm; what protobuf-c
    unpacks nesting deeper than KW_PB_MAX_DEPTH, or keeping a field numbered
    0, the check refuses; and protobuf-c's own packing of a message within
    the limit passes: the walk refuses only what it is there to refuse. (A
    message whose bytes are not its own packing may differ: protobuf-c
    merges a repeated singular field and drops what the first held.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kw_arena.h"
#include "kw_pb.h"
#include "kw/assignment.pb-c.h"
#include "kw/dsr.pb-c.h"
#include "kw/eligibility.pb-c.h"
#include "kw/envelope.pb-c.h"
#include "kw/notification.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw/rpc.pb-c.h"

static const ProtobufCMessageDescriptor *const s_messages [] = {
    &kw__envelope__descriptor, &kw__request__descriptor, &kw__response__descriptor,
    &kw__criterion__descriptor, &kw__eligibility_decided__descriptor, &kw__ruleset__descriptor,
    &kw__referral_received__descriptor, &kw__referral__descriptor, &kw__dsr_entry_event__descriptor,
    &kw__case__descriptor, &kw__offer_made__descriptor, &kw__delivery_list__descriptor,
};
#define MESSAGE_COUNT (sizeof s_messages / sizeof s_messages [0])

static kw_arena_t *s_arena;

//  How deep msg nests (itself at 1); *zero set when a message in it kept a
//  field numbered 0.
static unsigned
s_depth (const ProtobufCMessage *msg, int *zero)
{
    for (unsigned i = 0; i < msg->n_unknown_fields; i++)
        if (msg->unknown_fields [i].tag == 0)
            *zero = 1;
    unsigned deepest = 0;
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields [i];
        if (field->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *member = (const char *) msg + field->offset;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *) ((const char *) msg + field->quantifier_offset);
            ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *) member;
            for (size_t j = 0; j < count; j++) {
                unsigned d = s_depth (items [j], zero);
                deepest = d > deepest ? d : deepest;
            }
        }
        else {
            const ProtobufCMessage *sub = *(ProtobufCMessage *const *) member;
            unsigned d = sub ? s_depth (sub, zero) : 0;
            deepest = d > deepest ? d : deepest;
        }
    }
    return deepest + 1;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    s_arena = kw_arena_new (65536);
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const ProtobufCMessageDescriptor *desc = s_messages [data [0] % MESSAGE_COUNT];
    const uint8_t *wire = data + 1;
    size_t len = size - 1;
    int passes = kw_pb_check (desc, wire, len, KW_PB_MAX_DEPTH) == 0;
    ProtobufCMessage *checked = kw_pb_unpack (desc, s_arena, wire, len);
    if (checked && !passes)
        abort ();
    //  Inputs are small (libFuzzer's max_len), so protobuf-c's own
    //  recursion stays within the stack here.
    ProtobufCMessage *plain = protobuf_c_message_unpack (desc, kw_arena_allocator (s_arena), len, wire);
    if (plain) {
        int zero = 0;
        unsigned depth = s_depth (plain, &zero);
        if (depth <= KW_PB_MAX_DEPTH && !zero && !passes) {
            size_t size;
            uint8_t *again = kw_arena_pack (s_arena, plain, &size);
            if (size == len && memcmp (again, wire, len) == 0)
                abort ();
        }
        if ((depth > KW_PB_MAX_DEPTH || zero) && passes)
            abort ();
    }
    kw_arena_reset (s_arena);
    return 0;
}
