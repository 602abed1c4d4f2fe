/*  kw_pb: a walk over protobuf wire bytes that bounds their nesting before
    protobuf-c unpacks them (see kw_pb.h). The walk recurses once per level
    it accepts, so its own depth is bounded by the limit it enforces. */
#include "kw_pb.h"

enum { WIRE_VARINT = 0, WIRE_64BIT = 1, WIRE_LENGTH = 2, WIRE_32BIT = 5 };

//  A varint at *at into *value (at most 10 bytes). 0, or -1 when truncated
//  or too long.
static int
s_varint (const uint8_t *data, size_t len, size_t *at, uint64_t *value)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 10 && *at < len; i++) {
        uint8_t byte = data [(*at)++];
        v |= (uint64_t) (byte & 0x7f) << (7 * i);
        if (!(byte & 0x80)) {
            *value = v;
            return 0;
        }
    }
    return -1;
}

//  A field's tag at *at as protobuf-c reads it (at most 5 bytes, the
//  number kept in 32 bits), so that the walk and protobuf-c see the same
//  field numbers. 0, or -1 when it is not a tag.
static int
s_tag (const uint8_t *data, size_t len, size_t *at, uint32_t *number, unsigned *wire)
{
    size_t max = len - *at > 5 ? 5 : len - *at;
    const uint8_t *p = data + *at;
    uint32_t tag = (uint32_t) (p [0] & 0x7f) >> 3;
    *wire = p [0] & 7;
    for (size_t i = 0; i < max; i++) {
        if (i > 0)
            tag |= (uint32_t) (p [i] & 0x7f) << (7 * i - 3);
        if (!(p [i] & 0x80)) {
            *number = tag;
            *at += i + 1;
            return 0;
        }
    }
    return -1;
}

//  Walk one message of desc (NULL: unknown, its fields are only framed) at
//  depth.
static int
s_walk (const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
        unsigned depth, unsigned max_depth)
{
    if (depth > max_depth)
        return -1;
    size_t at = 0;
    while (at < len) {
        uint32_t number;
        unsigned wire;
        uint64_t value;
        if (s_tag (data, len, &at, &number, &wire) != 0 || number == 0)
            return -1;
        switch (wire) {
            case WIRE_VARINT:
                if (s_varint (data, len, &at, &value) != 0)
                    return -1;
                break;
            case WIRE_64BIT:
                if (len - at < 8)
                    return -1;
                at += 8;
                break;
            case WIRE_32BIT:
                if (len - at < 4)
                    return -1;
                at += 4;
                break;
            case WIRE_LENGTH: {
                if (s_varint (data, len, &at, &value) != 0 || value > len - at)
                    return -1;
                const ProtobufCFieldDescriptor *field = desc
                    ? protobuf_c_message_descriptor_get_field (desc, number) : NULL;
                if (field && field->type == PROTOBUF_C_TYPE_MESSAGE
                &&  s_walk (field->descriptor, data + at, (size_t) value, depth + 1, max_depth) != 0)
                    return -1;
                at += (size_t) value;
                break;
            }
            default:
                //  Groups and the unused wire types: protobuf-c reads none.
                return -1;
        }
    }
    return 0;
}

int
kw_pb_check (const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
             unsigned max_depth)
{
    if (!data && len)
        return -1;
    return s_walk (desc, data, len, 1, max_depth);
}

ProtobufCMessage *
kw_pb_unpack (const ProtobufCMessageDescriptor *desc, kw_arena_t *arena, const uint8_t *data,
              size_t len)
{
    if (kw_pb_check (desc, data, len, KW_PB_MAX_DEPTH) != 0)
        return NULL;
    return protobuf_c_message_unpack (desc, kw_arena_allocator (arena), len, data);
}
