/*  kw_pbjson: JSON <-> protobuf-c, walking the message descriptors. Decoding
    builds the message in an arena and checks every value against its
    field's type; encoding writes every field so clients see a stable shape. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "kw_pbjson.h"

typedef struct {
    kw_arena_t *arena;
    kw_field_error_t *err;
    char path [256];
} decoder_t;

//  ---- enum names

//  UPPER_SNAKE form of a CamelCase enum name ("ReferralStatus" -> "REFERRAL_STATUS").
static void
s_upper_snake (const char *camel, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; camel [i] && n + 2 < size; i++) {
        unsigned char c = (unsigned char) camel [i];
        if (i > 0 && isupper (c)
        && (islower ((unsigned char) camel [i - 1]) || isdigit ((unsigned char) camel [i - 1])))
            out [n++] = '_';
        out [n++] = (char) toupper (c);
    }
    out [n] = 0;
}

static const char *
s_value_name (const ProtobufCEnumDescriptor *desc, const ProtobufCEnumValue *value,
              char *buf, size_t size)
{
    char prefix [128];
    s_upper_snake (desc->short_name, prefix, sizeof prefix);
    size_t plen = strlen (prefix);
    const char *name = value->name;
    if (strncmp (name, prefix, plen) == 0 && name [plen] == '_' && name [plen + 1])
        name += plen + 1;
    size_t n = 0;
    for (; name [n] && n + 1 < size; n++)
        buf [n] = (char) tolower ((unsigned char) name [n]);
    buf [n] = 0;
    return buf;
}

const char *
kw_pbjson_enum_name (const ProtobufCEnumDescriptor *desc, int value, char *buf, size_t size)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value (desc, value);
    return v ? s_value_name (desc, v, buf, size) : NULL;
}

//  ---- decoding

static int
s_fail (decoder_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static int
s_fail (decoder_t *self, const char *fmt, ...)
{
    snprintf (self->err->field, sizeof self->err->field, "%s", self->path);
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (self->err->message, sizeof self->err->message, fmt, ap);
    va_end (ap);
    return -1;
}

static int s_decode_message (decoder_t *self, const ProtobufCMessageDescriptor *desc,
                             json_t *json, int depth, ProtobufCMessage **out);

static int
s_decode_int (decoder_t *self, json_t *value, int64_t min, int64_t max, int64_t *out)
{
    if (!json_is_integer (value))
        return s_fail (self, "must be an integer");
    json_int_t v = json_integer_value (value);
    if (v < min || v > max)
        return s_fail (self, "is out of range");
    *out = v;
    return 0;
}

//  64-bit integers travel as decimal strings; plain JSON integers are accepted too.
static int
s_decode_int64 (decoder_t *self, json_t *value, int is_unsigned, uint64_t *out)
{
    if (json_is_integer (value)) {
        json_int_t v = json_integer_value (value);
        if (is_unsigned && v < 0)
            return s_fail (self, "must not be negative");
        *out = (uint64_t) v;
        return 0;
    }
    const char *text = json_string_value (value);
    if (!text)
        return s_fail (self, "must be an integer in a string");
    const char *p = text;
    if (*p == '-' && !is_unsigned)
        p++;
    if (!*p || strlen (p) > 20)
        return s_fail (self, "must be an integer in a string");
    for (const char *q = p; *q; q++)
        if (!isdigit ((unsigned char) *q))
            return s_fail (self, "must be an integer in a string");
    errno = 0;
    char *end = NULL;
    if (is_unsigned) {
        unsigned long long v = strtoull (text, &end, 10);
        if (errno)
            return s_fail (self, "is out of range");
        *out = v;
    }
    else {
        long long v = strtoll (text, &end, 10);
        if (errno)
            return s_fail (self, "is out of range");
        *out = (uint64_t) v;
    }
    return 0;
}

static int
s_decode_enum (decoder_t *self, const ProtobufCEnumDescriptor *desc, json_t *value, int *out)
{
    const char *text = json_string_value (value);
    if (!text)
        return s_fail (self, "must be a string naming one of the allowed values");
    for (unsigned i = 0; i < desc->n_values; i++) {
        char name [128];
        s_value_name (desc, &desc->values [i], name, sizeof name);
        if (strcmp (name, text) == 0 && strcmp (name, "unspecified") != 0) {
            *out = desc->values [i].value;
            return 0;
        }
    }
    char allowed [200] = "";
    size_t n = 0;
    for (unsigned i = 0; i < desc->n_values && n < sizeof allowed; i++) {
        char name [128];
        s_value_name (desc, &desc->values [i], name, sizeof name);
        if (strcmp (name, "unspecified") != 0)
            n += (size_t) snprintf (allowed + n, sizeof allowed - n, "%s%s", n ? ", " : "", name);
    }
    return s_fail (self, "must be one of: %s", allowed);
}

//  Decode one (non-repeated) value of field into the memory at member.
static int
s_decode_value (decoder_t *self, const ProtobufCFieldDescriptor *field, json_t *value,
                int depth, void *member)
{
    int64_t i = 0;
    uint64_t u = 0;
    switch (field->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_SFIXED32:
            if (s_decode_int (self, value, INT32_MIN, INT32_MAX, &i))
                return -1;
            *(int32_t *) member = (int32_t) i;
            return 0;
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_FIXED32:
            if (s_decode_int (self, value, 0, UINT32_MAX, &i))
                return -1;
            *(uint32_t *) member = (uint32_t) i;
            return 0;
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64:
            if (s_decode_int64 (self, value, 0, &u))
                return -1;
            *(int64_t *) member = (int64_t) u;
            return 0;
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64:
            if (s_decode_int64 (self, value, 1, &u))
                return -1;
            *(uint64_t *) member = u;
            return 0;
        case PROTOBUF_C_TYPE_FLOAT:
        case PROTOBUF_C_TYPE_DOUBLE: {
            if (!json_is_number (value))
                return s_fail (self, "must be a number");
            double d = json_number_value (value);
            if (field->type == PROTOBUF_C_TYPE_FLOAT)
                *(float *) member = (float) d;
            else
                *(double *) member = d;
            return 0;
        }
        case PROTOBUF_C_TYPE_BOOL:
            if (!json_is_boolean (value))
                return s_fail (self, "must be true or false");
            *(protobuf_c_boolean *) member = json_is_true (value);
            return 0;
        case PROTOBUF_C_TYPE_ENUM: {
            int e = 0;
            if (s_decode_enum (self, field->descriptor, value, &e))
                return -1;
            *(int *) member = e;
            return 0;
        }
        case PROTOBUF_C_TYPE_STRING: {
            const char *text = json_string_value (value);
            if (!text)
                return s_fail (self, "must be a string");
            size_t len = json_string_length (value);
            if (strlen (text) != len)
                return s_fail (self, "must not contain NUL characters");
            *(char **) member = kw_arena_strndup (self->arena, text, len);
            return 0;
        }
        case PROTOBUF_C_TYPE_BYTES: {
            const char *text = json_string_value (value);
            if (!text)
                return s_fail (self, "must be a base64 string");
            size_t len = json_string_length (value);
            uint8_t *data = kw_arena_alloc (self->arena, len + 1);
            size_t n = 0;
            if (sodium_base642bin (data, len + 1, text, len, NULL, &n, NULL,
                                   sodium_base64_VARIANT_ORIGINAL) != 0)
                return s_fail (self, "must be a base64 string");
            ProtobufCBinaryData *bin = member;
            bin->data = data;
            bin->len = n;
            return 0;
        }
        case PROTOBUF_C_TYPE_MESSAGE:
            return s_decode_message (self, field->descriptor, value, depth + 1,
                                     (ProtobufCMessage **) member);
    }
    return s_fail (self, "has an unsupported type");
}

static size_t
s_value_size (ProtobufCType type)
{
    switch (type) {
        case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
            return 4;
        case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
            return 8;
        case PROTOBUF_C_TYPE_FLOAT: return sizeof (float);
        case PROTOBUF_C_TYPE_DOUBLE: return sizeof (double);
        case PROTOBUF_C_TYPE_BOOL: return sizeof (protobuf_c_boolean);
        case PROTOBUF_C_TYPE_ENUM: return sizeof (int);
        case PROTOBUF_C_TYPE_STRING: return sizeof (char *);
        case PROTOBUF_C_TYPE_BYTES: return sizeof (ProtobufCBinaryData);
        case PROTOBUF_C_TYPE_MESSAGE: return sizeof (ProtobufCMessage *);
    }
    return 8;
}

static int
s_decode_field (decoder_t *self, const ProtobufCFieldDescriptor *field, json_t *value,
                int depth, ProtobufCMessage *msg)
{
    char *base = (char *) msg;
    if (field->label == PROTOBUF_C_LABEL_REPEATED) {
        if (!json_is_array (value))
            return s_fail (self, "must be an array");
        size_t count = json_array_size (value);
        if (count > KW_PBJSON_MAX_ITEMS)
            return s_fail (self, "has more than %d items", KW_PBJSON_MAX_ITEMS);
        size_t item_size = s_value_size (field->type);
        char *items = count ? kw_arena_calloc (self->arena, count * item_size) : NULL;
        size_t path_len = strlen (self->path);
        for (size_t i = 0; i < count; i++) {
            snprintf (self->path + path_len, sizeof self->path - path_len, "[%zu]", i);
            json_t *item = json_array_get (value, i);
            if (json_is_null (item))
                return s_fail (self, "must not be null");
            if (s_decode_value (self, field, item, depth, items + i * item_size))
                return -1;
        }
        self->path [path_len] = 0;
        *(size_t *) (base + field->quantifier_offset) = count;
        *(void **) (base + field->offset) = items;
        return 0;
    }
    if (s_decode_value (self, field, value, depth, base + field->offset))
        return -1;
    if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        *(uint32_t *) (base + field->quantifier_offset) = field->id;
    else
    if (field->label == PROTOBUF_C_LABEL_OPTIONAL
    &&  field->type != PROTOBUF_C_TYPE_STRING && field->type != PROTOBUF_C_TYPE_MESSAGE)
        *(protobuf_c_boolean *) (base + field->quantifier_offset) = 1;
    return 0;
}

static int
s_decode_message (decoder_t *self, const ProtobufCMessageDescriptor *desc,
                  json_t *json, int depth, ProtobufCMessage **out)
{
    if (depth > KW_PBJSON_MAX_DEPTH)
        return s_fail (self, "is nested too deeply");
    if (!json_is_object (json))
        return s_fail (self, "must be an object");
    ProtobufCMessage *msg = kw_arena_calloc (self->arena, desc->sizeof_message);
    desc->message_init (msg);
    size_t path_len = strlen (self->path);
    const char *key;
    json_t *value;
    json_object_foreach (json, key, value) {
        int fits = snprintf (self->path + path_len, sizeof self->path - path_len, "%s%s",
                             path_len ? "." : "", key) < (int) (sizeof self->path - path_len);
        const ProtobufCFieldDescriptor *field =
            fits ? protobuf_c_message_descriptor_get_field_by_name (desc, key) : NULL;
        if (!field)
            return s_fail (self, "is not a known field");
        if (json_is_null (value))
            continue;
        if (s_decode_field (self, field, value, depth, msg))
            return -1;
        self->path [path_len] = 0;
    }
    self->path [path_len] = 0;
    *out = msg;
    return 0;
}

int
kw_pbjson_from_json (const ProtobufCMessageDescriptor *desc, json_t *json,
                     kw_arena_t *arena, ProtobufCMessage **out, kw_field_error_t *err)
{
    decoder_t self = { .arena = arena, .err = err };
    memset (err, 0, sizeof *err);
    if (!json_is_object (json))
        return s_fail (&self, "the body must be a JSON object");
    return s_decode_message (&self, desc, json, 0, out);
}

int
kw_pbjson_decode (const ProtobufCMessageDescriptor *desc, const char *text, size_t len,
                  kw_arena_t *arena, ProtobufCMessage **out, kw_field_error_t *err)
{
    memset (err, 0, sizeof *err);
    json_error_t jerr;
    json_t *json = json_loadb (text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json) {
        snprintf (err->message, sizeof err->message,
                  "malformed JSON at line %d, column %d", jerr.line, jerr.column);
        return -1;
    }
    int rc = kw_pbjson_from_json (desc, json, arena, out, err);
    json_decref (json);
    return rc;
}

//  ---- encoding

static json_t *
s_encode_value (const ProtobufCFieldDescriptor *field, const void *member)
{
    char buf [64];
    switch (field->type) {
        case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
            return json_integer (*(const int32_t *) member);
        case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
            return json_integer (*(const uint32_t *) member);
        case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
            snprintf (buf, sizeof buf, "%" PRId64, *(const int64_t *) member);
            return json_string (buf);
        case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
            snprintf (buf, sizeof buf, "%" PRIu64, *(const uint64_t *) member);
            return json_string (buf);
        case PROTOBUF_C_TYPE_FLOAT: {
            float f = *(const float *) member;
            return isfinite (f) ? json_real (f) : json_null ();
        }
        case PROTOBUF_C_TYPE_DOUBLE: {
            double d = *(const double *) member;
            return isfinite (d) ? json_real (d) : json_null ();
        }
        case PROTOBUF_C_TYPE_BOOL:
            return json_boolean (*(const protobuf_c_boolean *) member);
        case PROTOBUF_C_TYPE_ENUM: {
            int value = *(const int *) member;
            const char *name = kw_pbjson_enum_name (field->descriptor, value, buf, sizeof buf);
            return name ? json_string (name) : json_integer (value);
        }
        case PROTOBUF_C_TYPE_STRING: {
            const char *s = *(char *const *) member;
            return s ? json_string (s) : json_null ();
        }
        case PROTOBUF_C_TYPE_BYTES: {
            const ProtobufCBinaryData *bin = member;
            size_t size = sodium_base64_ENCODED_LEN (bin->len, sodium_base64_VARIANT_ORIGINAL);
            char *text = malloc (size);
            if (!text)
                return json_null ();
            sodium_bin2base64 (text, size, bin->data, bin->len, sodium_base64_VARIANT_ORIGINAL);
            json_t *out = json_string (text);
            free (text);
            return out;
        }
        case PROTOBUF_C_TYPE_MESSAGE: {
            const ProtobufCMessage *sub = *(ProtobufCMessage *const *) member;
            return sub ? kw_pbjson_to_json (sub) : json_null ();
        }
    }
    return json_null ();
}

json_t *
kw_pbjson_to_json (const ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    const char *base = (const char *) msg;
    json_t *out = json_object ();
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields [i];
        json_t *value;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *) (base + field->quantifier_offset);
            const char *items = *(char *const *) (base + field->offset);
            size_t item_size = s_value_size (field->type);
            value = json_array ();
            for (size_t j = 0; j < count; j++)
                json_array_append_new (value, s_encode_value (field, items + j * item_size));
        }
        else
        if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            if (*(const uint32_t *) (base + field->quantifier_offset) != field->id)
                continue;
            value = s_encode_value (field, base + field->offset);
        }
        else
        if (field->label == PROTOBUF_C_LABEL_OPTIONAL
        &&  field->type != PROTOBUF_C_TYPE_STRING && field->type != PROTOBUF_C_TYPE_MESSAGE
        &&  !*(const protobuf_c_boolean *) (base + field->quantifier_offset))
            value = json_null ();
        else
            value = s_encode_value (field, base + field->offset);
        json_object_set_new (out, field->name, value);
    }
    return out;
}

char *
kw_pbjson_encode (const ProtobufCMessage *msg)
{
    json_t *json = kw_pbjson_to_json (msg);
    char *text = json_dumps (json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref (json);
    return text;
}
