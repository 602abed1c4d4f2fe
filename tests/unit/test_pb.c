/*  Tests of kw_pb: nesting is bounded on the wire before protobuf-c unpacks
    (crafted deep messages, known and unknown fields), field number 0 and
    broken framing are refused, and ordinary messages unpack as before. */
#include <stdlib.h>
#include <string.h>
#include "kw_pb.h"
#include "kw/eligibility.pb-c.h"
#include "kw/rpc.pb-c.h"
#include "tap.h"

//  value as a varint into out; its length.
static size_t
s_varint (uint64_t value, uint8_t *out)
{
    size_t n = 0;
    do {
        out [n] = (uint8_t) (value & 0x7f);
        value >>= 7;
        if (value)
            out [n] |= 0x80;
        n++;
    } while (value);
    return n;
}

//  A Criterion nested depth deep, written by hand from the inside out: the
//  innermost has id "x", each level around it holds it in field 5 (parts).
static uint8_t *
s_nested (unsigned depth, size_t *len)
{
    size_t size = 3 + (size_t) depth * 11;
    uint8_t *buf = malloc (size);
    size_t start = size - 3;
    memcpy (buf + start, "\x0a\x01x", 3);
    for (unsigned d = 1; d < depth; d++) {
        uint8_t prefix [11];
        prefix [0] = 0x2a;                  //  field 5, length-delimited
        size_t n = 1 + s_varint (size - start, prefix + 1);
        start -= n;
        memcpy (buf + start, prefix, n);
    }
    *len = size - start;
    memmove (buf, buf + start, *len);
    return buf;
}

//  How deep an unpacked Criterion nests along its first parts; *innermost
//  gets the id at the bottom.
static unsigned
s_depth (const Kw__Criterion *c, const char **innermost)
{
    unsigned depth = 1;
    while (c->n_parts) {
        c = c->parts [0];
        depth++;
    }
    *innermost = c->id;
    return depth;
}

int
main (void)
{
    kw_arena_t *arena = kw_arena_new (65536);
    const ProtobufCMessageDescriptor *criterion = &kw__criterion__descriptor;
    size_t len;

    uint8_t *at_limit = s_nested (KW_PB_MAX_DEPTH, &len);
    is_int (kw_pb_check (criterion, at_limit, len, KW_PB_MAX_DEPTH), 0,
            "a criterion nested %d deep passes", KW_PB_MAX_DEPTH);
    Kw__Criterion *c = (Kw__Criterion *) kw_pb_unpack (criterion, arena, at_limit, len);
    const char *innermost = NULL;
    ok (c && s_depth (c, &innermost) == KW_PB_MAX_DEPTH && innermost && strcmp (innermost, "x") == 0,
        "and unpacks %d deep", KW_PB_MAX_DEPTH);
    free (at_limit);

    uint8_t *over = s_nested (KW_PB_MAX_DEPTH + 1, &len);
    is_int (kw_pb_check (criterion, over, len, KW_PB_MAX_DEPTH), -1, "one level deeper is refused");
    ok (kw_pb_unpack (criterion, arena, over, len) == NULL, "and not unpacked");
    ok (protobuf_c_message_unpack (criterion, kw_arena_allocator (arena), len, over) != NULL,
        "(protobuf-c alone would unpack it)");
    free (over);

    uint8_t *deep = s_nested (500000, &len);
    ok (kw_pb_unpack (criterion, arena, deep, len) == NULL,
        "a criterion nested 500,000 deep (%zu bytes) is refused without unpacking", len);

    //  Depth counts across message types: decided > decision > criteria > parts.
    size_t inner;
    uint8_t *parts = s_nested (KW_PB_MAX_DEPTH - 1, &inner);
    uint8_t decision [64 + 3 * KW_PB_MAX_DEPTH * 11];
    size_t n = 0;
    decision [n++] = 0x2a;                  //  EligibilityDecision.criteria (5)
    n += s_varint (inner, decision + n);
    memcpy (decision + n, parts, inner);
    n += inner;
    uint8_t decided [sizeof decision + 16];
    size_t m = 0;
    decided [m++] = 0x1a;                   //  EligibilityDecided.decision (3)
    m += s_varint (n, decided + m);
    memcpy (decided + m, decision, n);
    m += n;
    is_int (kw_pb_check (&kw__eligibility_decided__descriptor, decided, m, KW_PB_MAX_DEPTH), -1,
            "a decision whose criteria nest %d deep is %d deep in its event, and refused",
            KW_PB_MAX_DEPTH - 1, KW_PB_MAX_DEPTH + 1);
    is_int (kw_pb_check (&kw__eligibility_decided__descriptor, decided, m, KW_PB_MAX_DEPTH + 1), 0,
            "and passes a limit one deeper");
    free (parts);

    //  Unknown fields are kept as bytes by protobuf-c, never read into: the
    //  walk skips them too, however deep their bytes nest.
    uint8_t *holder = malloc (len + 16);
    size_t h = 0;
    holder [h++] = 0x4a;                    //  field 9, length-delimited: unknown to IdRequest
    h += s_varint (len, holder + h);
    memcpy (holder + h, deep, len);
    h += len;
    Kw__IdRequest *id = (Kw__IdRequest *) kw_pb_unpack (&kw__id_request__descriptor, arena, holder, h);
    ok (id && id->base.n_unknown_fields == 1, "deep bytes in an unknown field pass and stay unknown");
    free (holder);
    free (deep);

    //  Breadth is not depth.
    Kw__Criterion wide = KW__CRITERION__INIT;
    Kw__Criterion leaf = KW__CRITERION__INIT;
    leaf.id = "leaf";
    Kw__Criterion *leaves [1000];
    for (size_t i = 0; i < 1000; i++)
        leaves [i] = &leaf;
    wide.parts = leaves;
    wide.n_parts = 1000;
    size_t wide_len = kw__criterion__get_packed_size (&wide);
    uint8_t *wide_buf = malloc (wide_len);
    kw__criterion__pack (&wide, wide_buf);
    Kw__Criterion *back = (Kw__Criterion *) kw_pb_unpack (criterion, arena, wide_buf, wide_len);
    ok (back && back->n_parts == 1000 && strcmp (back->parts [999]->id, "leaf") == 0,
        "a criterion with 1,000 parts unpacks whole");
    free (wide_buf);

    //  Field number 0, at the top or inside a message.
    uint8_t field_zero [] = { 0x80, 0x00, 0x01 };
    is_int (kw_pb_check (&kw__id_request__descriptor, field_zero, sizeof field_zero, 4), -1,
            "a field numbered 0 is refused");
    uint8_t nested_zero [] = { 0x2a, 0x03, 0x80, 0x00, 0x01 };
    is_int (kw_pb_check (criterion, nested_zero, sizeof nested_zero, 4), -1,
            "a field numbered 0 inside a part is refused");

    //  Framing protobuf-c refuses too.
    uint8_t short_length [] = { 0x0a, 0x05, 'a', 'b' };
    is_int (kw_pb_check (criterion, short_length, sizeof short_length, 4), -1,
            "a length past the end is refused");
    uint8_t long_varint [] = { 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
    is_int (kw_pb_check (criterion, long_varint, sizeof long_varint, 4), -1,
            "a varint longer than 10 bytes is refused");
    uint8_t group [] = { 0x0b, 0x0c };
    is_int (kw_pb_check (criterion, group, sizeof group, 4), -1, "a group is refused");
    uint8_t short_fixed [] = { 0x09, 1, 2, 3 };
    is_int (kw_pb_check (criterion, short_fixed, sizeof short_fixed, 4), -1,
            "a truncated 64-bit value is refused");
    is_int (kw_pb_check (criterion, NULL, 0, 4), 0, "an empty message passes");

    //  Ordinary messages are unchanged.
    Kw__Request req = KW__REQUEST__INIT;
    Kw__Caller caller = KW__CALLER__INIT;
    caller.sub = "s";
    caller.role = "coordinator";
    req.method = "referral.get";
    req.caller = &caller;
    req.payload.data = (uint8_t *) "\x0a\x03" "abc";
    req.payload.len = 5;
    uint8_t packed [128];
    size_t packed_len = kw__request__pack (&req, packed);
    Kw__Request *again = (Kw__Request *) kw_pb_unpack (&kw__request__descriptor, arena, packed, packed_len);
    ok (again && strcmp (again->method, "referral.get") == 0 && strcmp (again->caller->role, "coordinator") == 0
        && again->payload.len == 5, "a request unpacks with its caller and payload");
    kw_arena_destroy (&arena);
    return tap_done ();
}
