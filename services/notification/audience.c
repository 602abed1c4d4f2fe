/*  audience: recipients and field values (the ((fields)) of templates) from an event's payload by
    protobuf-c reflection (audience.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "kw/assignment.pb-c.h"
#include "audience.h"

#define PREFIX_MAX 32

static const ProtobufCFieldDescriptor *
s_field (const ProtobufCMessageDescriptor *desc, const char *name)
{
    return desc ? protobuf_c_message_descriptor_get_field_by_name (desc, name) : NULL;
}

//  The string field name of msg, or "" when absent, unset or not a string.
static const char *
s_string (const ProtobufCMessage *msg, const char *name)
{
    const ProtobufCFieldDescriptor *f = s_field (msg->descriptor, name);
    if (!f || f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED)
        return "";
    const char *value = *(const char *const *) ((const char *) msg + f->offset);
    return value ? value : "";
}

//  1 when desc has a string field name.
static int
s_has_string (const ProtobufCMessageDescriptor *desc, const char *name)
{
    const ProtobufCFieldDescriptor *f = s_field (desc, name);
    return f && f->type == PROTOBUF_C_TYPE_STRING && f->label != PROTOBUF_C_LABEL_REPEATED;
}

//  1 when desc describes a person: a message with an e-mail and a name.
static int
s_is_person (const ProtobufCMessageDescriptor *desc)
{
    return s_has_string (desc, "email") && s_has_string (desc, "name");
}

static void
s_hashed_id (const char *address, char out [AUDIENCE_ID_SIZE])
{
    unsigned char hash [12];
    crypto_generichash (hash, sizeof hash, (const unsigned char *) address, strlen (address), NULL, 0);
    char hex [2 * sizeof hash + 1];
    sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
    snprintf (out, AUDIENCE_ID_SIZE, "contact-%s", hex);
}

//  Fill contact from the fields prefix + "id"/"professional_id", "name",
//  "email" and "phone" of msg ("" prefix: the message is the person).
static void
s_contact (const ProtobufCMessage *msg, const char *prefix, audience_contact_t *c)
{
    char key [PREFIX_MAX + 24];
    snprintf (key, sizeof key, "%sname", prefix);
    c->name = s_string (msg, key);
    snprintf (key, sizeof key, "%semail", prefix);
    c->email = s_string (msg, key);
    snprintf (key, sizeof key, "%sphone", prefix);
    c->phone = s_string (msg, key);
    snprintf (key, sizeof key, "%saddress", prefix);
    c->address = s_string (msg, key);
    snprintf (key, sizeof key, "%spreferred_contact", prefix);
    c->preferred = s_string (msg, key);
    //  A professional's id when the person has one: "<prefix>id" of a
    //  prefix; a TeamMember's "professional_id" (its "id" is its place on
    //  the case); a KeyWorker's "id".
    snprintf (key, sizeof key, "%sid", prefix);
    const char *id = *prefix || !s_field (msg->descriptor, "professional_id")
                   ? s_string (msg, key) : s_string (msg, "professional_id");
    //  An id with a ':' is a place on a case ("family:1" of a meeting),
    //  the same on every case: the person is known by their address.
    if (*id && strlen (id) < AUDIENCE_ID_SIZE && !strchr (id, ':'))
        snprintf (c->recipient_id, AUDIENCE_ID_SIZE, "%s", id);
    else
        s_hashed_id (*c->email ? c->email : *c->phone ? c->phone : c->address, c->recipient_id);
}

//  The field an audience names: "a" in desc, or "a.b": b in the single
//  message field a (a meeting's participants), with the message holding it
//  when msg is given (*msg NULL when a is not set). NULL when none.
static const ProtobufCFieldDescriptor *
s_audience_field (const ProtobufCMessageDescriptor *desc, const ProtobufCMessage **msg, const char *audience)
{
    const char *dot = strchr (audience, '.');
    if (!dot)
        return s_field (desc, audience);
    char outer [PREFIX_MAX + 1];
    size_t n = (size_t) (dot - audience);
    if (n > PREFIX_MAX || strchr (dot + 1, '.'))
        return NULL;
    memcpy (outer, audience, n);
    outer [n] = '\0';
    const ProtobufCFieldDescriptor *f = s_field (desc, outer);
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED)
        return NULL;
    if (msg && *msg)
        *msg = *(const ProtobufCMessage *const *) ((const char *) *msg + f->offset);
    return s_field (f->descriptor, dot + 1);
}

void
audience_coordinator (const char *email, audience_contact_t *out)
{
    memset (out, 0, sizeof *out);
    out->name = "";
    out->email = email;
    out->phone = "";
    out->address = "";
    out->preferred = "";
    s_hashed_id (email, out->recipient_id);
}

const ProtobufCMessageDescriptor *
audience_person (const ProtobufCMessageDescriptor *desc, const char *audience)
{
    const ProtobufCFieldDescriptor *f = strcmp (audience, AUDIENCE_COORDINATORS) == 0
                                      ? NULL : s_audience_field (desc, NULL, audience);
    return f && f->type == PROTOBUF_C_TYPE_MESSAGE && s_is_person (f->descriptor) ? f->descriptor : NULL;
}

int
audience_case_valid (const ProtobufCMessageDescriptor *desc, const char *audience)
{
    size_t n = strlen (AUDIENCE_CASE);
    return strncmp (audience, AUDIENCE_CASE, n) == 0 && s_has_string (desc, "case_id")
        && !strchr (audience + n, '.') && audience_valid (&kw__key_worker_changed__descriptor, audience + n);
}

int
audience_valid (const ProtobufCMessageDescriptor *desc, const char *audience)
{
    if (strcmp (audience, AUDIENCE_COORDINATORS) == 0)
        return 1;
    const ProtobufCFieldDescriptor *f = s_audience_field (desc, NULL, audience);
    if (f || strchr (audience, '.'))
        return f && f->type == PROTOBUF_C_TYPE_MESSAGE && s_is_person (f->descriptor);
    char key [PREFIX_MAX + 24];
    if (strlen (audience) > PREFIX_MAX)
        return 0;
    snprintf (key, sizeof key, "%s_email", audience);
    return s_has_string (desc, key);
}

size_t
audience_each (const ProtobufCMessage *msg, const char *audience, audience_fn *fn, void *arg)
{
    audience_contact_t contact;
    const ProtobufCMessage *holder = msg;
    const ProtobufCFieldDescriptor *f = s_audience_field (msg->descriptor, &holder, audience);
    if (!f && strchr (audience, '.'))
        return 0;
    if (f && !holder)
        return 0;
    if (!f) {
        char prefix [PREFIX_MAX + 2];
        if (strlen (audience) > PREFIX_MAX)
            return 0;
        snprintf (prefix, sizeof prefix, "%s_", audience);
        memset (&contact, 0, sizeof contact);
        s_contact (msg, prefix, &contact);
        if (!*contact.email && !*contact.phone && !*contact.address)
            return 0;
        fn (&contact, arg);
        return 1;
    }
    if (f->type != PROTOBUF_C_TYPE_MESSAGE || !s_is_person (f->descriptor))
        return 0;
    const char *at = (const char *) holder + f->offset;
    size_t count = 1;
    const ProtobufCMessage *const *items = (const ProtobufCMessage *const *) at;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        count = *(const size_t *) ((const char *) holder + f->quantifier_offset);
        items = *(const ProtobufCMessage *const *const *) at;
    }
    size_t found = 0;
    for (size_t i = 0; i < count; i++) {
        if (!items || !items [i])
            continue;
        memset (&contact, 0, sizeof contact);
        s_contact (items [i], "", &contact);
        contact.person = items [i];
        if (!*contact.email && !*contact.phone && !*contact.address)
            continue;
        fn (&contact, arg);
        found++;
    }
    return found;
}

// ---- field values (what a template's ((name)) and a rule's condition show)

//  1 when f is a scalar a template can show.
static int
s_scalar (const ProtobufCFieldDescriptor *f)
{
    if (!f || f->label == PROTOBUF_C_LABEL_REPEATED)
        return 0;
    switch (f->type) {
        case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_BOOL: case PROTOBUF_C_TYPE_ENUM: case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_INT64:
            return 1;
        default:
            return 0;
    }
}

//  The field named name and the message holding it: "a" in msg, or
//  "a.b" as b in msg's single message field a. NULL when not one.
static const ProtobufCFieldDescriptor *
s_resolve (const ProtobufCMessageDescriptor *desc, const ProtobufCMessage **msg, const char *name)
{
    const char *dot = strchr (name, '.');
    if (!dot)
        return s_scalar (s_field (desc, name)) ? s_field (desc, name) : NULL;
    char outer [65];
    size_t n = (size_t) (dot - name);
    if (n >= sizeof outer || strchr (dot + 1, '.'))
        return NULL;
    memcpy (outer, name, n);
    outer [n] = '\0';
    const ProtobufCFieldDescriptor *f = s_field (desc, outer);
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED)
        return NULL;
    const ProtobufCFieldDescriptor *inner = s_field (f->descriptor, dot + 1);
    if (!s_scalar (inner))
        return NULL;
    if (msg && *msg)
        *msg = *(const ProtobufCMessage *const *) ((const char *) *msg + f->offset);
    return inner;
}

int
audience_field_valid (const ProtobufCMessageDescriptor *desc, const char *name)
{
    if (strcmp (name, "recipient_name") == 0 || strcmp (name, "service_name") == 0
    ||  strcmp (name, "public_url") == 0)
        return 1;
    return s_resolve (desc, NULL, name) != NULL;
}

const char *
audience_field_value (const ProtobufCMessage *msg, const char *name, char *buf, size_t size)
{
    const ProtobufCMessage *holder = msg;
    const ProtobufCFieldDescriptor *f = s_resolve (msg->descriptor, &holder, name);
    if (!f)
        return NULL;
    buf [0] = '\0';
    if (!holder)
        return buf;
    const char *at = (const char *) holder + f->offset;
    int has = f->label != PROTOBUF_C_LABEL_OPTIONAL || f->type == PROTOBUF_C_TYPE_STRING
           || !f->quantifier_offset || *(const protobuf_c_boolean *) ((const char *) holder + f->quantifier_offset);
    if (!has)
        return buf;
    switch (f->type) {
        case PROTOBUF_C_TYPE_STRING: {
            const char *s = *(const char *const *) at;
            return s ? s : "";
        }
        case PROTOBUF_C_TYPE_UINT32: snprintf (buf, size, "%u", *(const uint32_t *) at); break;
        case PROTOBUF_C_TYPE_INT32: snprintf (buf, size, "%d", *(const int32_t *) at); break;
        case PROTOBUF_C_TYPE_UINT64: snprintf (buf, size, "%llu", (unsigned long long) *(const uint64_t *) at); break;
        case PROTOBUF_C_TYPE_INT64: snprintf (buf, size, "%lld", (long long) *(const int64_t *) at); break;
        case PROTOBUF_C_TYPE_BOOL: snprintf (buf, size, "%s", *(const protobuf_c_boolean *) at ? "yes" : "no"); break;
        case PROTOBUF_C_TYPE_ENUM: {
            const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value (f->descriptor, *(const int *) at);
            snprintf (buf, size, "%s", v ? v->name : "");
            break;
        }
        default: break;
    }
    return buf;
}

//  The last part of a field name ("key_worker.name" -> "name").
static const char *
s_leaf (const char *name)
{
    const char *dot = strrchr (name, '.');
    return dot ? dot + 1 : name;
}

static int
s_ends_with (const char *s, const char *tail)
{
    size_t n = strlen (s), m = strlen (tail);
    return n >= m && strcmp (s + n - m, tail) == 0;
}

int
audience_is_id_or_time (const char *name)
{
    const char *leaf = s_leaf (name);
    return strcmp (leaf, "id") == 0 || s_ends_with (leaf, "_id") || strcmp (leaf, "at") == 0
        || s_ends_with (leaf, "_at")
        || strcmp (leaf, "from") == 0 || strcmp (leaf, "to") == 0 || strcmp (leaf, "round") == 0
        || strcmp (name, "service_name") == 0;
}

int
audience_names_person (const char *name)
{
    const char *leaf = s_leaf (name);
    return audience_is_id_or_time (name) || strcmp (leaf, "name") == 0 || s_ends_with (leaf, "_name");
}
