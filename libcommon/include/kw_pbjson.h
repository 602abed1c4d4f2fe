/*  kw_pbjson: JSON <-> protobuf-c messages, driven by the message descriptors.
    JSON field names are the proto field names (snake_case). Enums are their
    value names without the enum's UPPER_SNAKE prefix, in lower case
    (Source.SOURCE_PROFESSIONAL is "professional"). 64-bit integers are JSON
    strings, bytes are base64. Decoding rejects unknown fields, wrong types,
    out-of-range numbers and too deep or too large input, naming the field.
    Encoding writes every field: absent optional fields as null, repeated
    fields as arrays (possibly empty). */
#ifndef KW_PBJSON_H
#define KW_PBJSON_H

#include <stddef.h>
#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include "kw_arena.h"
#include "kw_field_error.h"

#define KW_PBJSON_MAX_DEPTH 32
#define KW_PBJSON_MAX_ITEMS 1000

//  A decoding error names its field as a dotted path ("child.date_of_birth",
//  "family[1].email") and what is wrong, never the offending value. The
//  first error stops decoding: a body that is not what its message
//  describes has one error.

//  Parse JSON text (len bytes, need not be NUL-terminated) into a new message
//  of type desc allocated in arena. 0, or -1 with err filled.
int kw_pbjson_decode (const ProtobufCMessageDescriptor *desc, const char *text, size_t len,
                      kw_arena_t *arena, ProtobufCMessage **out, kw_field_error_t *err);
//  Same from an already parsed JSON value (must be an object).
int kw_pbjson_from_json (const ProtobufCMessageDescriptor *desc, json_t *json,
                         kw_arena_t *arena, ProtobufCMessage **out, kw_field_error_t *err);
//  Encode a message as a new JSON object (caller json_decref's).
json_t *kw_pbjson_to_json (const ProtobufCMessage *msg);
//  Encode a message as compact JSON text (caller frees).
char *kw_pbjson_encode (const ProtobufCMessage *msg);
//  JSON name of an enum value ("professional"), or NULL when value is unknown.
const char *kw_pbjson_enum_name (const ProtobufCEnumDescriptor *desc, int value, char *buf, size_t size);

#endif
