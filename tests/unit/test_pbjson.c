/*  Tests for kw_pbjson: decoding the API's referral body, errors that name
    the field, enums, 64-bit integers, bytes, limits, and encoding with a
    stable shape that decodes back to the same message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_pbjson.h"
#include "kw/referral.pb-c.h"
#include "kw/rpc.pb-c.h"
#include "kw/eligibility.pb-c.h"
#include "tap.h"

static kw_arena_t *arena;

static int
s_decode (const ProtobufCMessageDescriptor *desc, const char *text, ProtobufCMessage **out,
          kw_field_error_t *err)
{
    return kw_pbjson_decode (desc, text, strlen (text), arena, out, err);
}

static char *
s_read (const char *path)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc (1, 65536);
    size_t n = fread (buf, 1, 65535, f);
    buf [n] = 0;
    fclose (f);
    return buf;
}

int
main (void)
{
    arena = kw_arena_new (4096);
    kw_field_error_t err;
    ProtobufCMessage *msg = NULL;

    char *example = s_read ("deploy/examples/referral.json");
    ok (example != NULL, "the README's example referral is readable");
    int rc = s_decode (&kw__referral_body__descriptor, example ? example : "{}", &msg, &err);
    ok (rc == 0, "the example referral decodes: %s %s", err.field, err.message);
    Kw__ReferralBody *body = (Kw__ReferralBody *) msg;
    ok (body && body->has_source && body->source == KW__SOURCE__SOURCE_PROFESSIONAL,
        "enum by lower-case name without prefix");
    ok (body && body->child && strcmp (body->child->nhs_number, "9434765919") == 0, "nested strings");
    ok (body && body->child && body->child->has_in_complex_needs_school
        && !body->child->in_complex_needs_school, "a false boolean is present");
    ok (body && body->n_professionals >= 3, "repeated messages");
    ok (body && body->consent && body->consent->basis == KW__CONSENT_BASIS__CONSENT_BASIS_PARENTAL_RESPONSIBILITY,
        "a multi-word enum name (parental_responsibility)");

    //  the encoder writes every field, and the output decodes to the same message
    json_t *json = kw_pbjson_to_json (msg);
    ok (json_is_false (json_object_get (json_object_get (json, "needs"), "inpatient")),
        "a present false boolean is encoded as false");
    ok (json_is_array (json_object_get (json, "family")), "repeated fields are arrays");
    is_str (json_string_value (json_object_get (json, "source")), "professional", "enum encodes by name");
    char *text = json_dumps (json, JSON_COMPACT);
    json_decref (json);
    ProtobufCMessage *again = NULL;
    ok (s_decode (&kw__referral_body__descriptor, text, &again, &err) == 0, "the encoding decodes");
    size_t s1 = protobuf_c_message_get_packed_size (msg), s2 = protobuf_c_message_get_packed_size (again);
    uint8_t *p1 = malloc (s1 + 1), *p2 = malloc (s2 + 1);
    protobuf_c_message_pack (msg, p1);
    protobuf_c_message_pack (again, p2);
    ok (s1 == s2 && memcmp (p1, p2, s1) == 0, "to the same message");
    free (p1);
    free (p2);
    free (text);
    free (example);

    Kw__Referral empty = KW__REFERRAL__INIT;
    json = kw_pbjson_to_json (&empty.base);
    ok (json_is_null (json_object_get (json, "case_id")) && json_is_null (json_object_get (json, "status"))
        && json_is_array (json_object_get (json, "professionals"))
        && json_array_size (json_object_get (json, "professionals")) == 0,
        "absent optionals encode as null, empty repeated as []");
    json_decref (json);

    //  errors name the field
    ok (s_decode (&kw__referral_body__descriptor, "{\"child\": {\"nhs\": \"1\"}}", &msg, &err) == -1,
        "an unknown nested field is refused");
    is_str (err.field, "child.nhs", "and named with its path");
    ok (s_decode (&kw__referral_body__descriptor,
                  "{\"family\": [{\"email\": \"a@b\"}, {\"email\": 5}]}", &msg, &err) == -1
        && strcmp (err.field, "family[1].email") == 0 && strstr (err.message, "string"),
        "a wrong type in an array item: %s %s", err.field, err.message);
    ok (s_decode (&kw__referral_body__descriptor, "{\"source\": \"fax\"}", &msg, &err) == -1
        && strcmp (err.field, "source") == 0 && strstr (err.message, "professional, self, dsr"),
        "an unknown enum value lists the allowed ones: %s", err.message);
    ok (s_decode (&kw__referral_body__descriptor, "{\"source\": \"unspecified\"}", &msg, &err) == -1,
        "the unspecified enum value is refused");
    ok (s_decode (&kw__referral_body__descriptor, "{\"child\": {\"in_complex_needs_school\": 1}}", &msg, &err) == -1
        && strstr (err.message, "true or false"), "a number for a boolean is refused");
    ok (s_decode (&kw__referral_body__descriptor, "{\"child\": []}", &msg, &err) == -1
        && strstr (err.message, "object"), "an array for a message is refused");
    ok (s_decode (&kw__referral_body__descriptor, "{\"professionals\": {}}", &msg, &err) == -1
        && strstr (err.message, "array"), "an object for a repeated field is refused");
    ok (s_decode (&kw__referral_body__descriptor, "{\"professionals\": [null]}", &msg, &err) == -1,
        "a null array item is refused");
    ok (s_decode (&kw__referral_body__descriptor, "{\"child\": {\"given_name\": \"a\\u0000b\"}}", &msg, &err) == -1,
        "a NUL inside a string is refused");
    ok (s_decode (&kw__referral_body__descriptor, "{\"child\": {\"given_name\": null}}", &msg, &err) == 0
        && ((Kw__ReferralBody *) msg)->child->given_name == NULL, "null means absent");
    ok (s_decode (&kw__referral_body__descriptor, "{\"a\": 1, \"a\": 2}", &msg, &err) == -1,
        "duplicate keys are refused");
    ok (s_decode (&kw__referral_body__descriptor, "{\"child\": ", &msg, &err) == -1
        && strstr (err.message, "malformed JSON"), "malformed JSON is refused");
    ok (s_decode (&kw__referral_body__descriptor, "[1]", &msg, &err) == -1, "a body that is not an object");
    ok (s_decode (&kw__ruleset__descriptor, "{\"version\": -1}", &msg, &err) == -1
        && strstr (err.message, "range"), "a negative uint32 is refused");
    ok (s_decode (&kw__ruleset__descriptor, "{\"version\": 4294967296}", &msg, &err) == -1,
        "a uint32 overflow is refused");
    ok (s_decode (&kw__ruleset__descriptor, "{\"version\": 1.5}", &msg, &err) == -1, "a fraction is refused");
    ok (s_decode (&kw__ruleset__descriptor, "{\"version\": 7}", &msg, &err) == 0
        && ((Kw__Ruleset *) msg)->has_version && ((Kw__Ruleset *) msg)->version == 7, "a uint32 sets has_");

    //  limits
    size_t size = 20 + 1001 * 3;
    char *many = malloc (size);
    size_t n = (size_t) sprintf (many, "{\"family\": [");
    for (int i = 0; i < 1001; i++)
        n += (size_t) sprintf (many + n, "%s{}", i ? "," : "");
    sprintf (many + n, "]}");
    ok (s_decode (&kw__referral_body__descriptor, many, &msg, &err) == -1 && strstr (err.message, "1000"),
        "more than the item limit is refused");
    free (many);

    //  proto3 messages: 64-bit integers as strings, bytes as base64
    ok (s_decode (&kw__request__descriptor,
                  "{\"method\": \"m\", \"deadline_ms\": \"9007199254740993\", \"payload\": \"aGVsbG8=\"}",
                  &msg, &err) == 0, "a proto3 message decodes: %s", err.message);
    Kw__Request *req = (Kw__Request *) msg;
    ok (req->deadline_ms == 9007199254740993LL, "a 64-bit integer beyond double precision survives");
    ok (req->payload.len == 5 && memcmp (req->payload.data, "hello", 5) == 0, "bytes from base64");
    json = kw_pbjson_to_json (msg);
    is_str (json_string_value (json_object_get (json, "deadline_ms")), "9007199254740993", "int64 encodes as a string");
    is_str (json_string_value (json_object_get (json, "payload")), "aGVsbG8=", "bytes encode as base64");
    is_str (json_string_value (json_object_get (json, "idempotency_key")), "", "proto3 strings encode as \"\"");
    json_decref (json);
    ok (s_decode (&kw__request__descriptor, "{\"deadline_ms\": \"12x\"}", &msg, &err) == -1,
        "a malformed 64-bit string is refused");
    ok (s_decode (&kw__request__descriptor, "{\"payload\": \"***\"}", &msg, &err) == -1
        && strcmp (err.field, "payload") == 0, "malformed base64 is refused");

    char name [64];
    is_str (kw_pbjson_enum_name (&kw__referral_status__descriptor, KW__REFERRAL_STATUS__REFERRAL_STATUS_MORE_INFORMATION_NEEDED,
                                 name, sizeof name), "more_information_needed", "enum name of a two-word enum");
    ok (kw_pbjson_enum_name (&kw__referral_status__descriptor, 99, name, sizeof name) == NULL,
        "an unknown enum value has no name");
    kw_arena_destroy (&arena);
    return tap_done ();
}
